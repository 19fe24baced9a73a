"""A record of a type FocalPoint has no form for, shown read-only.

The central clearing-house has dozens of record types (national targets, ABS permits,
databases, authorities…); FocalPoint keeps every one of them exactly as it came, lists,
searches, syncs and exports them, and shows them here: title, type, government and
status at the top, then every property in a tree (localized texts one line per
language, terms and references by their identifier, attached files by name and size), with
a note saying why it cannot be edited here. An attached file opens with "Open file" (or a
double click): a copy made on the DB worker, fetched from the server first on the network
worker when this computer does not have it (as the editor's file field does). UI thread only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from focalpoint.forms.attachments import attachment_values, human_size
from focalpoint.i18n import LANGUAGES, _, get_language, language_name, localize
from focalpoint.models import RecordStatus
from focalpoint.records import RecordView, document_title
from focalpoint.ui.editor.fields_compound import open_attachment, open_in_desktop
from focalpoint.ui.records_model import status_label
from focalpoint.ui.review.labels import government_label
from focalpoint.ui.widgets import set_heading_font
from focalpoint.ui.window_parts import error_text

#: where a tree item keeps the attachment value it shows (column 0)
ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 1

#: isolates a language name or identifier so it never reorders the text beside it
_FSI, _PDI = "\u2068", "\u2069"


def attachment_value(value: Any) -> dict[str, Any] | None:
    """``value`` when it is an attached file (``{"sha256", "filename", …}``), else None."""
    if not isinstance(value, dict):
        return None
    found = attachment_values(value)
    return value if found and found[0] is value else None


def value_summary(value: Any, lang: str) -> str:
    """One line for a leaf or a collapsed node: text as it is, a term or reference by identifier,
    an attached file by name and size."""
    if value is None:
        return ""
    if attachment_value(value) is not None:
        size = value.get("size")
        return _("{name} — {size}").format(name=value["filename"], size=human_size(size)) \
            if isinstance(size, int) and not isinstance(size, bool) else value["filename"]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, dict):
        if isinstance(value.get("identifier"), str) and set(value) <= {"identifier", "customValue"}:
            custom = value.get("customValue")
            text = _FSI + value["identifier"] + _PDI
            if isinstance(custom, dict) and localize(custom, lang):
                text = _("{term}: {text}").format(term=text, text=localize(custom, lang))
            return text
        if value and all(isinstance(k, str) and k in LANGUAGES for k in value):
            return localize(value, lang) or ""
        if isinstance(value.get("url"), str):  # a link
            name = value.get("name")
            return _("{name} — {url}").format(name=name, url=value["url"]) if isinstance(name, str) and name \
                else value["url"]
        return ""
    if isinstance(value, list):
        return ""
    return str(value)


def _add_children(parent: QTreeWidgetItem | QTreeWidget, value: Any, lang: str) -> None:
    items: list[tuple[str, Any]]
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i + 1), v) for i, v in enumerate(value)]
    else:
        return
    for key, child in items:
        if isinstance(child, dict) and child and all(isinstance(k, str) and k in LANGUAGES for k in child):
            # a localized text: one line per language, the interface language first
            node = QTreeWidgetItem([key, localize(child, lang) or ""])
            for code in [lang] + [c for c in LANGUAGES if c != lang]:
                if isinstance(child.get(code), str) and child[code]:
                    node.addChild(QTreeWidgetItem([language_name(code, lang), child[code]]))
        else:
            node = QTreeWidgetItem([key, value_summary(child, lang)])
            if attachment_value(child) is not None:
                node.setData(0, ATTACHMENT_ROLE, dict(child))
            elif isinstance(child, (dict, list)) and not value_summary(child, lang):
                _add_children(node, child, lang)
        node.setToolTip(1, node.text(1))
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(node)
        else:
            parent.addChild(node)


class RecordViewerWindow(QMainWindow):
    """Read-only view of ``view`` (a record whose type has no FocalPoint form)."""

    closed = Signal(str)

    def __init__(self, view: RecordView, parent: QWidget | None = None, *, db: Any = None,
                 runner: Any = None) -> None:
        super().__init__(parent)
        self.view = view
        self.db, self.runner = db, runner
        self._busy: str | None = None  # opening | fetching
        #: a rejected record's last decision (reason, who, when), read when ``db`` and ``runner`` are given
        self.decision: dict[str, Any] | None = view.extra.get("decision") if isinstance(view.extra, dict) else None
        self.identifier = view.identifier
        self.setObjectName("recordViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.title_label = QLabel(body)
        self.title_label.setObjectName("viewerTitle")
        self.title_label.setWordWrap(True)
        set_heading_font(self.title_label, 1.3)
        layout.addWidget(self.title_label)
        self.note = QLabel(body)
        self.note.setObjectName("viewerNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff8e1; border: 1px solid #e0c36c; padding: 6px;")
        layout.addWidget(self.note)
        facts = QFormLayout()
        facts.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.type_caption, self.type_value = QLabel(body), QLabel(body)
        self.gov_caption, self.gov_value = QLabel(body), QLabel(body)
        self.status_caption, self.status_value = QLabel(body), QLabel(body)
        self.id_caption, self.id_value = QLabel(body), QLabel(body)
        self.id_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for caption, value in ((self.type_caption, self.type_value), (self.gov_caption, self.gov_value),
                               (self.status_caption, self.status_value), (self.id_caption, self.id_value)):
            value.setWordWrap(True)
            facts.addRow(caption, value)
        layout.addLayout(facts)
        self.tree = QTreeWidget(body)
        self.tree.setObjectName("viewerTree")
        self.tree.setColumnCount(2)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.currentItemChanged.connect(lambda *_args: self._update_open())
        self.tree.itemActivated.connect(lambda item, _column: self.open_attachment(item))
        layout.addWidget(self.tree, 1)
        self.file_status = QLabel(body)
        self.file_status.setObjectName("viewerFileStatus")
        self.file_status.setWordWrap(True)
        self.file_status.setVisible(False)
        layout.addWidget(self.file_status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, body)
        buttons.rejected.connect(self.close)
        self.open_button = QPushButton(body)
        self.open_button.setObjectName("viewerOpenFile")
        self.open_button.clicked.connect(lambda: self.open_attachment(self.tree.currentItem()))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons = buttons
        layout.addWidget(buttons)
        self.opener = open_in_desktop  # what Open calls with the copy's path
        self.setCentralWidget(body)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.resize(760, 560)
        self.retranslate()
        if view.status == RecordStatus.REJECTED and self.decision is None and db is not None and runner is not None:
            from focalpoint.review import last_decision

            runner.run_db(last_decision, db, view.identifier, on_done=self._got_decision, on_error=lambda _e: None)

    def _got_decision(self, decision: dict[str, Any] | None) -> None:
        import shiboken6

        if shiboken6.isValid(self):
            self.decision = decision or {}
            self.retranslate()

    def has_files(self) -> bool:
        """The record names at least one attached file."""
        return bool(attachment_values(self.view.document))

    def _update_open(self) -> None:
        item = self.tree.currentItem()
        self.open_button.setVisible(self.has_files() and self.db is not None and self.runner is not None)
        self.open_button.setEnabled(not self._busy and item is not None
                                    and item.data(0, ATTACHMENT_ROLE) is not None)

    def _show_file_status(self, text: str | None) -> None:
        self.file_status.setText(text or "")
        self.file_status.setVisible(bool(text))

    def open_attachment(self, item: QTreeWidgetItem | None) -> None:
        """Open the attached file ``item`` shows (nothing for another item): a copy under its name,
        fetched from the server first when this computer does not have it."""
        value = item.data(0, ATTACHMENT_ROLE) if item is not None else None
        if not isinstance(value, dict) or self._busy or self.db is None or self.runner is None:
            return
        self._busy = "opening"
        self._show_file_status(None)
        self._update_open()
        open_attachment(self.runner, self.db, value, opened=self._opened, fetching=self._fetching,
                        failed=self._open_failed)

    def _fetching(self) -> None:
        self._busy = "fetching"
        self._show_file_status(_("Fetching the file from the server…"))
        self._update_open()

    def _opened(self, path: Path) -> None:
        self._busy = None
        self._show_file_status(None)
        self._update_open()
        self.opener(path)

    def _open_failed(self, exc: BaseException) -> None:
        self._busy = None
        self._update_open()
        self._show_file_status(_("The file could not be opened: {error}").format(error=error_text(exc)))

    def status_text(self) -> str:
        """The status, who reviews a pending request, and why a rejected record was rejected."""
        from focalpoint.ui.review.labels import decision_text, reviewer_text

        text = status_label(self.view.status)
        if self.view.status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL):
            text += " · " + reviewer_text(self.view.schema)
        elif self.view.status == RecordStatus.REJECTED and self.decision:
            text += "\n" + decision_text(self.decision)
        return text

    def retranslate(self) -> None:
        lang = get_language()
        view = self.view
        title = localize(document_title(view.document), lang) or view.identifier
        self.setWindowTitle(_("{title} — FocalPoint").format(title=title))
        self.title_label.setText(title)
        self.note.setText(_(
            "FocalPoint has no form for records of type {schema}, so this record is shown read-only. "
            "It is kept exactly as it came, and it is searched, synchronized and exported unchanged. "
            "Edit it on the clearing-house's own website.").format(schema=_FSI + view.schema + _PDI))
        self.type_caption.setText(_("Type:"))
        self.type_value.setText(view.schema)
        self.gov_caption.setText(_("Government:"))
        self.gov_value.setText(government_label(view.government, lang) if view.government
                               else _("none (a reference record)"))
        self.status_caption.setText(_("Status:"))
        self.status_value.setText(self.status_text())
        self.id_caption.setText(_("Identifier:"))
        self.id_value.setText(view.identifier)
        self.tree.setHeaderLabels([_("Property"), _("Value")])
        self.tree.clear()
        _add_children(self.tree, {k: v for k, v in view.document.items() if k != "header"}, lang)
        self.tree.expandAll()
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        self.open_button.setText(_("Open file"))
        self.open_button.setToolTip(_("Open the selected attached file with the program your computer uses "
                                      "for it"))
        self._update_open()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.closed.emit(self.identifier)
        super().closeEvent(event)
