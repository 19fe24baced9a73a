"""Help > Guide (F1): the guide in the six languages, in a dialog that follows the interface; shortcut tooltips."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QKeySequence, QTextDocument  # noqa: E402

from focalpoint import i18n  # noqa: E402
from focalpoint.i18n import LANGUAGES  # noqa: E402
from focalpoint.resources import resource_path, translations_root  # noqa: E402
from focalpoint.ui.help_dialog import HelpDialog, guide_path, plain_label, with_shortcut  # noqa: E402

pytestmark = pytest.mark.gui

# A heading of each guide (h1), to see which language the dialog shows
HEADINGS = {"ar": "دليل استخدام FocalPoint", "en": "FocalPoint guide", "es": "Guía de FocalPoint",
            "fr": "Guide de FocalPoint", "ru": "Руководство по FocalPoint", "zh": "FocalPoint 使用指南"}

# The menus, buttons and states the guide names: each must appear as that language's catalogue gives it
NAMED = ["&File", "&New record", "&Language", "&Sync", "Sign &in…", "&Sync now", "&Resolve conflicts…",
         "&USB stick", "&Save my unsent changes to a file…", "&Open a file from a USB stick…",
         "Save &records for a computer with no link…", "&Back up…", "Request &publication", "&Withdraw request",
         "Re&view", "Publication &requests", "&Review…", "&Approve", "&Reject", "&Dashboard", "&Print forms…",
         "&Import filled PDF forms…", "&Add files…", "&Import", "&Changes waiting for you…", "&Try again",
         "&Discard…", "&Open the request", "Keep &mine", "Take the &server's", "Mark &ready"]
NAMED_IN_CONTEXT = [("sync state", "Only on this computer"), ("sync state", "Waiting to be sent"),
                    ("sync state", "Up to date")]


def _catalogue(lang: str):
    from babel.messages.pofile import read_po

    with (translations_root() / lang / "LC_MESSAGES" / "focalpoint.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _shown(catalogue, msgid: str, context: str | None = None) -> str:
    """What the interface shows for ``msgid``: the translation, or the English when there is none."""
    message = catalogue.get(msgid, context=context)
    text = message.string if message is not None and message.string and not message.fuzzy else msgid
    return plain_label(text)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def _guide_text(lang: str) -> str:
    document = QTextDocument()
    document.setHtml(guide_path(lang).read_text(encoding="utf-8"))
    return document.toPlainText()


class _Structure(HTMLParser):
    """Tags opened and closed in order, and what a help page must not hold."""

    VOID = {"meta", "br"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.body_dir: str | None = None
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("script", "iframe", "object", "embed", "link", "img"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("http:", "https:", "javascript:")):
                self.problems.append(f"{tag} {name}={value}")
        if tag == "body":
            self.body_dir = dict(attrs).get("dir")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()


# ------------------------------------------------------------------ the guide files


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_guide_is_simple_well_formed_html_that_loads(lang):
    path = resource_path("help", f"guide.{lang}.html")
    assert path.is_file() and guide_path(lang) == path
    parser = _Structure()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert not parser.problems and not parser.stack, (parser.problems, parser.stack)
    assert {"h1", "h2", "p", "ul", "li"} <= parser.tags
    assert parser.body_dir == ("rtl" if lang == "ar" else "ltr")
    text = _guide_text(lang)
    assert text.startswith(HEADINGS[lang])
    assert (1200 if lang == "zh" else 2500) < len(text) < 9000  # one or two screens, not a manual
    assert "F1" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_guide_names_the_menus_as_that_language_shows_them(lang):
    catalogue = _catalogue(lang)
    text = _normal(_guide_text(lang))
    missing = [name for name in [_shown(catalogue, m) for m in NAMED]
               + [_shown(catalogue, m, c) for c, m in NAMED_IN_CONTEXT] if _normal(name) not in text]
    assert not missing, missing
    usb, file_menu = _shown(catalogue, "&USB stick"), _shown(catalogue, "&File")
    assert f"{file_menu} > {usb} > " in text  # File > USB stick > …


def test_guide_names_the_shortcuts_the_way_the_menus_spell_them():
    assert "Control+Mayúsculas+S" in _guide_text("es")  # Qt's Spanish names the keys in full
    assert "Ctrl+Maj+S" in _guide_text("fr")
    for lang in ("ar", "en", "ru", "zh"):
        assert "Ctrl+Shift+S" in _guide_text(lang)


def test_a_language_without_a_guide_gets_the_english_one():
    assert guide_path("xx") == resource_path("help", "guide.en.html")


# ------------------------------------------------------------------ the Help menu and the dialog


def _open_guides(win) -> list[HelpDialog]:
    return [d for d in win.findChildren(HelpDialog) if d.isVisible()]


def test_help_menu_offers_the_guide_on_f1(main_window):
    win = main_window
    actions = win.help_menu.actions()
    assert win.guide_action in actions and actions.index(win.guide_action) < actions.index(win.about_action)
    assert win.guide_action.shortcut() == QKeySequence(Qt.Key.Key_F1)
    assert win.guide_action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert plain_label(win.guide_action.text()) == "Guide"


def test_f1_in_the_main_window_opens_the_guide_once(qtbot, main_window):
    win = main_window
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=3000)
    win.catalog.focus_search()  # F1 works wherever the keyboard is
    qtbot.keyClick(win.catalog.filter_bar.search, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: len(_open_guides(win)) == 1, timeout=3000)
    dialog = _open_guides(win)[0]
    assert dialog.text().startswith(HEADINGS["en"])
    win.guide_action.trigger()  # again: the open guide comes to the front, no second one
    assert _open_guides(win) == [dialog]
    dialog.close()


def test_the_guide_opens_in_the_interface_language(qtbot, main_window):
    win = main_window
    win.switch_language("ru")
    assert win.guide_action.text() == i18n.gettext_for("ru", "&Guide")  # relabelled with the menu
    win.guide_action.trigger()
    dialog = _open_guides(win)[0]
    assert HEADINGS["ru"] in dialog.text()
    assert "Перенос изменений на USB-накопителе" in dialog.text()
    assert dialog.layoutDirection() == Qt.LayoutDirection.LeftToRight
    dialog.close()


def test_arabic_guide_reads_right_to_left(qtbot, main_window):
    win = main_window
    win.switch_language("ar")
    dialog = win.show_guide()
    assert HEADINGS["ar"] in dialog.text()
    assert dialog.browser.layoutDirection() == Qt.LayoutDirection.RightToLeft
    document = dialog.browser.document()
    assert document.defaultTextOption().textDirection() == Qt.LayoutDirection.RightToLeft
    document.adjustSize()  # lay the text out
    block = document.firstBlock()
    while block.isValid():
        if block.text().strip():
            assert block.textDirection() == Qt.LayoutDirection.RightToLeft, block.text()
            assert block.layout().textOption().alignment() & Qt.AlignmentFlag.AlignRight, block.text()  # flush right
        block = block.next()
    dialog.close()


def test_open_guide_follows_a_language_switch(qtbot, main_window):
    win = main_window
    dialog = win.show_guide()
    assert HEADINGS["en"] in dialog.text()
    win.switch_language("zh")
    assert HEADINGS["zh"] in dialog.text() and "等待您处理的更改" in dialog.text()
    assert dialog.windowTitle() == i18n._("FocalPoint guide")
    win.switch_language("ar")
    assert dialog.browser.layoutDirection() == Qt.LayoutDirection.RightToLeft
    win.switch_language("en")
    assert HEADINGS["en"] in dialog.text()
    assert dialog.browser.layoutDirection() == Qt.LayoutDirection.LeftToRight
    dialog.close()


def test_guide_fits_the_screen(qtbot, main_window):
    from PySide6.QtCore import QRect

    from focalpoint.ui.help_dialog import PREFERRED_SIZE
    from focalpoint.ui.screen_fit import FRAME_RESERVE, fitted_geometry

    dialog = main_window.show_guide()
    available = dialog.screen().availableGeometry()
    qtbot.waitUntil(lambda: available.contains(dialog.frameGeometry()), timeout=3000)
    netbook = QRect(0, 0, 1024, 600)  # on a 1024x600 screen the frame and the Close button stay on it
    rect = fitted_geometry(PREFERRED_SIZE, netbook, FRAME_RESERVE, dialog.minimumSizeHint())
    assert netbook.contains(rect.marginsAdded(FRAME_RESERVE))
    assert rect.width() >= 700 and rect.height() >= 500
    dialog.close()


# ------------------------------------------------------------------ shortcuts in tooltips


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def test_with_shortcut_names_the_key_in_the_platform_spelling():
    assert with_shortcut("&Search…", QKeySequence.StandardKey.Find) == f"Search ({_native('Ctrl+F')})"
    assert with_shortcut("文件(&F)", "Ctrl+1") == f"文件 ({_native('Ctrl+1')})"
    assert with_shortcut("Open", QKeySequence()) == "Open"


def test_tabs_toolbar_and_search_tooltips_name_their_shortcuts(main_window):
    win = main_window
    extension = win.review
    expected = {win.catalog: ("Action plan", "Ctrl+1"), win.records: ("Records", "Ctrl+2"),
                extension.queue: ("Review", "Ctrl+3"), extension.dashboard: ("Dashboard", "Ctrl+4")}
    for widget, (name, keys) in expected.items():
        assert win.tabs.tabToolTip(win.tabs.indexOf(widget)) == f"{name} ({_native(keys)})"
    find = win.find_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert win.catalog.filter_bar.search.toolTip() == f"Search the action plan ({find})"
    assert win.records.search.toolTip() == f"Search records ({find})"
    new = win.records.new_action
    assert new in win.records.toolbar.actions()
    assert new.toolTip() == f"New ({new.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    delete = win.records.delete_action
    assert delete.shortcut().toString(QKeySequence.SequenceFormat.NativeText) in delete.toolTip()


def test_shortcut_tooltips_follow_a_language_switch(main_window):
    win = main_window
    extension = win.review
    win.switch_language("zh")
    review = win.tabs.tabToolTip(win.tabs.indexOf(extension.queue))
    assert review.startswith(plain_label(i18n._("Re&view"))) and _native("Ctrl+3") in review
    catalog = win.tabs.tabToolTip(win.tabs.indexOf(win.catalog))
    assert catalog.startswith("行动计划") and _native("Ctrl+1") in catalog
    assert win.records.search.toolTip().startswith(i18n._("Search records"))


def test_shortcut_tooltips_follow_the_language_controller(qtbot, tmp_path):
    """With the app's language controller, the extension's tabs are relabelled first, then the tooltips."""
    from PySide6.QtWidgets import QApplication

    from focalpoint.ui.compat import protect_none_refcount
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.settings import open_settings
    from focalpoint.ui.tasks import TaskRunner
    from tests.support.ui import controlled_gc, make_database, write_sample_plan

    gc_control = controlled_gc()
    next(gc_control)
    protect_none_refcount()
    plan = write_sample_plan(tmp_path / "plan")
    db = make_database(tmp_path / "data", plan)
    controller = LanguageController(QApplication.instance(), open_settings(tmp_path / "data"))
    controller.apply("en")
    runner = TaskRunner()
    win = MainWindow(db, runner, language=controller, plan_folder=plan)
    qtbot.addWidget(win)
    try:
        controller.switch("fr")
        extension = win.review
        tip = win.tabs.tabToolTip(win.tabs.indexOf(extension.dashboard))
        assert tip.startswith("Tableau de bord") and _native("Ctrl+4") in tip
        dialog = win.show_guide()
        assert HEADINGS["fr"] in dialog.text()
        controller.switch("es")
        assert HEADINGS["es"] in dialog.text()
        dialog.close()
    finally:
        controller.switch("en")
        controller.detach()
        win.close()
        runner.shutdown()
        db.close()
        for _ in gc_control:
            pass
