"""Help > Guide (F1): a short guide to FocalPoint in the interface language, and shortcut tooltips.

The guide is one simple HTML file per language, ``resources/help/guide.<lang>.html``
(headings, paragraphs and lists; no scripts, no links out), found through
``focalpoint.resources`` so that a frozen bundle finds it too. ``show_guide(window)``
opens it in a :class:`HelpDialog` — a non-modal window with a ``QTextBrowser`` that fits a
1024x600 screen — or raises the one already open. The dialog follows a language switch
while it is open (Arabic: right to left). The bundled fonts are the application's, so
Arabic and Chinese render without a font of their own here.

``with_shortcut(label, keys)`` gives a tooltip that names a shortcut ("Search (Ctrl+F)"),
in the platform's own spelling of the keys. UI thread only.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QTextOption
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from focalpoint import i18n
from focalpoint.i18n import DEFAULT_LANGUAGE, _, get_language
from focalpoint.resources import resource_path

DIALOG_NAME = "helpDialog"
PREFERRED_SIZE = QSize(820, 680)  # shrinks to the screen: 1024x600 keeps its frame and buttons on screen
STYLE = ("h1 { font-size: x-large; margin-bottom: 6px; }"
         "h2 { font-size: large; margin-top: 14px; margin-bottom: 4px; }"
         "p, li { margin-top: 2px; margin-bottom: 4px; }")

_MNEMONIC = re.compile(r"\s*[(（]&[^)）]+[)）]")  # "文件(&F)": the accelerator Chinese labels carry


def guide_path(lang: str | None = None) -> Path:
    """The guide in ``lang`` (the interface language by default), English when it has none."""
    lang = lang or get_language()
    path = resource_path("help", f"guide.{lang}.html")
    return path if path.is_file() else resource_path("help", f"guide.{DEFAULT_LANGUAGE}.html")


def guide_html(lang: str | None = None) -> str:
    return guide_path(lang).read_text(encoding="utf-8")


def plain_label(label: str) -> str:
    """A menu or tab label as people read it: without its accelerator ("&File", "文件(&F)")."""
    return _MNEMONIC.sub("", label).replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_text(keys: QKeySequence | QKeySequence.StandardKey | str) -> str:
    """A shortcut as the platform spells it (Ctrl+F; ⌘F on a Mac)."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def with_shortcut(label: str, keys: QKeySequence | QKeySequence.StandardKey | str) -> str:
    """A tooltip naming the shortcut: "Search (Ctrl+F)"; the plain label when there is none."""
    text = plain_label(label).rstrip("…").strip()
    shortcut = shortcut_text(keys)
    if not shortcut:
        return text
    return _("{label} ({shortcut})").format(label=text, shortcut=shortcut)


class HelpDialog(QDialog):
    """The guide, in the interface language; follows a language switch while open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(DIALOG_NAME)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.language = ""
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenLinks(False)  # the guide has no links; nothing opens outside it
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.browser.document().setDocumentMargin(12)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.buttons)

        from focalpoint.ui.screen_fit import fit_window

        fit_window(self, PREFERRED_SIZE)
        i18n.add_language_listener(self._language_changed)
        self.destroyed.connect(lambda *_a, cb=self._language_changed: i18n.remove_language_listener(cb))
        self.retranslate()

    def _language_changed(self, _lang: str) -> None:
        import shiboken6

        if not shiboken6.isValid(self):
            i18n.remove_language_listener(self._language_changed)
            return
        self.retranslate()

    def retranslate(self) -> None:
        lang = get_language()
        self.setWindowTitle(_("FocalPoint guide"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setText(_("Close"))
        rtl = i18n.is_rtl(lang)
        direction = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        self.setLayoutDirection(direction)
        if lang != self.language:
            self.language = lang
            document = self.browser.document()
            option = document.defaultTextOption()
            option.setTextDirection(direction)  # blocks align to their start: the right in Arabic
            option.setAlignment(Qt.AlignmentFlag.AlignLeading)
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            document.setDefaultTextOption(option)
            self.browser.setHtml(guide_html(lang))
            self.browser.verticalScrollBar().setValue(0)

    def text(self) -> str:
        """The guide as plain text (tests, accessibility checks)."""
        return self.browser.toPlainText()


def show_guide(parent: QWidget) -> HelpDialog:
    """Open the guide over ``parent``, or bring the open one to the front."""
    dialog = parent.findChild(HelpDialog, DIALOG_NAME)
    if dialog is None:
        dialog = HelpDialog(parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


__all__ = ["HelpDialog", "guide_html", "guide_path", "plain_label", "shortcut_text", "show_guide", "with_shortcut"]
