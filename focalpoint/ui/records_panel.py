"""The Records tab: record types on the left, a lazy list with filters, editors in their own windows.

Creating, opening, duplicating and deleting records start here. Deleting a record
that never reached the server loses it for good, so it needs two confirmations
(sync invariant 7); any deletion can be undone from the status line until the next
one. ``confirm`` is a dependency (tests pass one that answers without a dialog).
UI thread only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize
from focalpoint.models import RecordStatus
from focalpoint.records import (
    LOCKED_STATUSES,
    STATUSES,
    SYNC_STATES,
    RecordStore,
    RecordView,
    locked_delete_message,
    new_identifier,
)
from focalpoint.ui.records_data import RecordQuery, schema_counts
from focalpoint.ui.records_model import IdentifierRole, RecordTableModel, StatusRole, status_label, sync_label
from focalpoint.ui.widgets import Confirm, dialog_confirm

SEARCH_DEBOUNCE_MS = 200
ALL_TYPES = ""


def schema_labels() -> dict[str, dict[str, str]]:
    """Every record type FocalPoint has a form for, with its label in six languages. Any thread
    (the DB worker reads them after start-up, so opening the window never waits for the forms)."""
    try:
        from focalpoint.forms import load_form, schemas

        return {schema: dict(load_form(schema).label) for schema in schemas()}
    except Exception:  # noqa: BLE001 — no form definitions shipped: the tab still lists records
        return {}


class RecordTableView(QTableView):
    entered = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.entered.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class RecordsPanel(QWidget):
    records_changed = Signal()
    editor_opened = Signal(object)
    schemas_changed = Signal()

    def __init__(self, db: Database, runner, parent: QWidget | None = None,  # noqa: ANN001
                 store: RecordStore | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.store = store or RecordStore(db)
        self.confirm: Confirm = confirm or dialog_confirm(self)
        self.editors: dict[str, Any] = {}
        self.viewers: dict[str, Any] = {}  # read-only windows of records with no FocalPoint form
        self._review_edits: set[str] = set()
        self._labels: dict[str, dict[str, str]] = {}  # filled by load(), after the window shows
        self._loaded = False
        self._counts: dict[str, int] = {}
        self._last_deleted: tuple[str, dict[str, Any], bool, str] | None = None  # identifier, doc, never synced, status
        self._keep_selected: str | None = None

        self.types = QListWidget(self)
        self.types.setObjectName("recordTypes")
        self.types.setMinimumWidth(220)
        self.types.setMaximumWidth(340)
        self.types.setWordWrap(True)
        self.types.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.types.setSpacing(2)
        self.types.currentRowChanged.connect(lambda _row: self._query_changed())

        self.model = RecordTableModel(db, runner, schema_label=self.schema_label, parent=self)
        self.table = RecordTableView(self)
        self.table.setObjectName("recordTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several to print
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(RecordTableModel.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(RecordTableModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for col in (RecordTableModel.COL_TYPE, RecordTableModel.COL_STATUS, RecordTableModel.COL_SYNC,
                    RecordTableModel.COL_UPDATED):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, 125)  # the title keeps room on a 1024-pixel screen
        self.table.entered.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)

        self.search = QLineEdit(self)
        self.search.setObjectName("recordSearch")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.sync_filter = QComboBox(self)
        self.sync_filter.setObjectName("syncFilter")
        self.count_label = QLabel(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._query_changed)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self._query_changed())
        self.sync_filter.currentIndexChanged.connect(lambda _i: self._query_changed())
        self.model.ids_loaded.connect(self._show_count)

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_action.triggered.connect(self.new_of_current_type)
        self.open_action = QAction(self)
        self.open_action.triggered.connect(self.open_selected)
        self.duplicate_action = QAction(self)
        self.duplicate_action.triggered.connect(self.duplicate_selected)
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.table.addAction(self.delete_action)
        self.undo_action = QAction(self)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo_delete)
        self.submit_action = QAction(self)
        self.submit_action.setObjectName("requestPublicationAction")
        self.submit_action.triggered.connect(self.submit_selected)
        self.withdraw_action = QAction(self)
        self.withdraw_action.setObjectName("withdrawRequestAction")
        self.withdraw_action.triggered.connect(self.withdraw_selected)
        self.print_action = QAction(self)
        self.print_action.setObjectName("printRecordsAction")
        self.print_action.triggered.connect(self.print_selected)
        self.table.selectionModel().currentChanged.connect(lambda *_a: self._update_request_actions())
        for signal in (self.model.dataChanged, self.model.modelReset, self.model.layoutChanged):
            signal.connect(lambda *_a: self._update_request_actions())
        self._update_request_actions()
        for action in (self.new_action, self.open_action, self.duplicate_action, self.delete_action,
                       self.undo_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.submit_action)
        self.toolbar.addAction(self.withdraw_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.print_action)
        self.addAction(self.new_action)
        self.message = QLabel(self)
        self.message.setObjectName("recordsMessage")
        self.message.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.sync_filter, 1)
        filters.addWidget(self.count_label)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.toolbar)
        right_layout.addLayout(filters)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.types)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([280, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        self.setTabOrder(self.types, self.search)
        self.setTabOrder(self.search, self.status_filter)
        self.setTabOrder(self.status_filter, self.sync_filter)
        self.setTabOrder(self.sync_filter, self.table)
        self.retranslate()

    # ------------------------------------------------------------- types

    def schemas(self) -> tuple[str, ...]:
        """The record types with a form (known once ``load()`` has run)."""
        return tuple(self._labels)

    def _first_schema(self) -> str | None:
        return next(iter(self._labels), None)

    def new_of_current_type(self) -> Any:
        """"New": a record of the type selected on the left; with "All records" selected, the
        person chooses the type (never a type picked for them)."""
        schema = self.current_schema()
        if schema is None:
            schema = self.ask_new_schema()
            if schema is None:
                return None
        return self.new_record(schema)

    def ask_new_schema(self) -> str | None:
        from focalpoint.forms.model import is_legacy

        schemas = [s for s in self._labels if not is_legacy(s)]
        if not schemas:
            return self.new_record(None)
        labels = [self.schema_label(s) for s in schemas]
        label, ok = QInputDialog.getItem(self, _("New record"), _("Which kind of record?"), labels, 0, False)
        if not ok or label not in labels:
            return None
        return schemas[labels.index(label)]

    def schema_label(self, schema: str) -> str:
        return localize(self._labels.get(schema), get_language()) or schema

    def current_schema(self) -> str | None:
        item = self.types.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item else ALL_TYPES
        return value or None

    def select_schema(self, schema: str | None) -> None:
        for row in range(self.types.count()):
            if (self.types.item(row).data(Qt.ItemDataRole.UserRole) or None) == schema:
                self.types.setCurrentRow(row)
                return

    def _fill_types(self) -> None:
        current = self.current_schema()
        self.types.blockSignals(True)
        self.types.clear()
        total = sum(self._counts.values())
        item = QListWidgetItem(_("All records ({n})").format(n=total))
        item.setData(Qt.ItemDataRole.UserRole, ALL_TYPES)
        self.types.addItem(item)
        known = list(self._labels) + sorted(s for s in self._counts if s not in self._labels)
        for schema in known:
            item = QListWidgetItem(_("{kind} ({n})").format(kind=self.schema_label(schema),
                                                            n=self._counts.get(schema, 0)))
            item.setData(Qt.ItemDataRole.UserRole, schema)
            self.types.addItem(item)
        self.types.blockSignals(False)
        for row in range(self.types.count()):
            if (self.types.item(row).data(Qt.ItemDataRole.UserRole) or None) == current:
                self.types.setCurrentRow(row)
                break
        else:
            self.types.setCurrentRow(0)

    # ------------------------------------------------------------- loading

    def load(self) -> None:
        """Read the record types, counts and the list (DB worker). Call once the window shows."""
        if not self._loaded:
            self._loaded = True
            self.runner.run_db(schema_labels, on_done=self._got_labels)
        self.refresh_counts()
        self._query_changed()

    def _got_labels(self, labels: dict[str, dict[str, str]]) -> None:
        self._labels = labels
        self._fill_types()
        self.model.retranslate()
        self.schemas_changed.emit()

    def refresh_counts(self) -> None:
        self.runner.run_db(schema_counts, self.db, on_done=self._got_counts)

    def _got_counts(self, counts: dict[str, int]) -> None:
        self._counts = counts
        if self._labels or counts:
            self._fill_types()

    def query(self) -> RecordQuery:
        return RecordQuery(schema=self.current_schema(), status=self.status_filter.currentData(),
                           sync_state=self.sync_filter.currentData(), search=self.search.text().strip() or None,
                           sort=self.model.query.sort, descending=self.model.query.descending, lang=get_language())

    def _query_changed(self) -> None:
        self.model.set_query(self.query())

    def _show_count(self, n: int) -> None:
        self.count_label.setText(_("{n} shown").format(n=n))
        if self._keep_selected:
            row = self.model.row_of(self._keep_selected)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _record_saved(self, view: RecordView) -> None:
        if self.model.row_of(view.identifier) >= 0:
            self.model.refresh_rows([view.identifier])  # already listed: re-read its row only
            self.records_changed.emit()
        else:
            self._changed([view.identifier])

    def _changed(self, identifiers: list[str] | None = None) -> None:
        self.refresh_counts()
        self._keep_selected = self.selected_identifier()
        self.model.reload()
        self.records_changed.emit()

    # ------------------------------------------------------------ editors

    def selected_identifier(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(IdentifierRole) if index.isValid() else None

    def print_selected(self) -> QWidget:
        """Open the print dialog for the records selected in the list (each one's report, in list order)."""
        from focalpoint.ui.print_records import PrintRecordsDialog

        rows = sorted(self.table.selectionModel().selectedRows(RecordTableModel.COL_TITLE), key=lambda i: i.row())
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().siblingAtColumn(RecordTableModel.COL_TITLE)]
        chosen = [(i.data(IdentifierRole), i.data(Qt.ItemDataRole.DisplayRole) or "") for i in rows
                  if i.data(IdentifierRole)]
        dialog = PrintRecordsDialog(self.db, self.runner, identifiers=[c[0] for c in chosen],
                                    titles=[c[1] for c in chosen], parent=self)
        dialog.setWindowFlag(Qt.WindowType.Window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _open_index(self, index: QModelIndex) -> None:
        identifier = index.data(IdentifierRole)
        if identifier:
            self.open_record(identifier)

    def open_selected(self) -> None:
        identifier = self.selected_identifier()
        if identifier:
            self.open_record(identifier)

    def open_record(self, identifier: str, review_edit: bool = False) -> None:
        """Open a record in its editor (the existing window if it is open). Reads on the DB worker.

        ``review_edit``: opened by the publishing authority reviewing it (edit, then approve)."""
        if review_edit:
            self._review_edits.add(identifier)
        window = self.editors.get(identifier) or self.viewers.get(identifier)
        if window is not None:
            if review_edit and window in self.editors.values():
                window.allow_review_edit()
            window.show()
            window.raise_()
            window.activateWindow()
            return
        self.runner.run_db(self.store.get, identifier, on_done=self._got_record)

    def _got_record(self, view: RecordView | None) -> None:
        if view is None:
            self.message.setText(_("That record is no longer on this computer."))
            return
        window = self.open_editor(view.document, view)
        if view.identifier in self._review_edits and view.identifier in self.editors:
            self._review_edits.discard(view.identifier)
            window.allow_review_edit()

    def new_record(self, schema: str | None, languages: list[str] | None = None) -> Any:
        if not schema:
            self.message.setText(_("No record types are installed with this copy of FocalPoint."))
            return None
        langs = languages or [get_language()]
        document = {"header": {"identifier": new_identifier(), "schema": schema, "languages": langs}}
        return self.open_editor(document, None)

    def open_editor(self, document: dict[str, Any], view: RecordView | None) -> Any:
        """Show ``document`` in a new editor window; returns the window. A stored record of a type
        FocalPoint has no form for opens read-only (None for a new one)."""
        from focalpoint.forms import load_form
        from focalpoint.ui.editor.window import RecordEditorWindow

        schema = document["header"]["schema"]
        try:
            form = load_form(schema)
        except KeyError:
            if view is None:
                self.message.setText(_("FocalPoint has no form for records of type {schema}.").format(
                    schema=schema))
                return None
            return self._open_viewer(view)
        window = RecordEditorWindow(form, document, db=self.db, runner=self.runner, store=self.store,
                                    record=view, data_dir=self.db.data_dir, parent=None)
        identifier = window.identifier
        self.editors[identifier] = window
        window.autosaver.saved.connect(self._record_saved)
        window.closed.connect(lambda ident: self.editors.pop(ident, None))
        window.duplicate_requested.connect(self.duplicate_document)
        window.delete_requested.connect(self.delete_record)
        window.submit_requested.connect(self.request_publication)
        window.open_record_requested.connect(self.open_record)
        window.show()
        self.editor_opened.emit(window)
        return window

    def _open_viewer(self, view: RecordView) -> Any:
        from focalpoint.ui.record_viewer import RecordViewerWindow

        viewer = RecordViewerWindow(view, db=self.db, runner=self.runner)  # db: the rejection's reason
        self.viewers[view.identifier] = viewer
        viewer.closed.connect(lambda ident: self.viewers.pop(ident, None))
        viewer.show()
        self.editor_opened.emit(viewer)
        return viewer

    def close_editors(self) -> bool:
        """Close every editor (each saves first). Returns True when all closed."""
        for window in list(self.editors.values()) + list(self.viewers.values()):
            window.close()
        return not self.editors

    # -------------------------------------------------- duplicate, delete

    def duplicate_selected(self) -> None:
        identifier = self.selected_identifier()
        if identifier:
            self.runner.run_db(self.store.get, identifier,
                               on_done=lambda v: v is not None and self.duplicate_document(v.document))

    def duplicate_document(self, document: dict[str, Any]) -> Any:
        """A new record with the same content (a new identifier, a draft)."""
        copy_doc = copy.deepcopy(document)
        copy_doc["header"] = {**copy_doc.get("header", {}), "identifier": new_identifier()}
        for key in ("title", "name"):
            value = copy_doc.get(key)
            if isinstance(value, dict) and value:
                copy_doc[key] = {k: _("{title} (copy)").format(title=v) for k, v in value.items()}
                break
        window = self.open_editor(copy_doc, None)
        if window is not None:
            window.autosaver.flush(force=True)  # a duplicate exists as soon as it is asked for
        return window

    def delete_selected(self) -> None:
        identifier = self.selected_identifier()
        if identifier:
            self.delete_record(identifier)

    def delete_record(self, identifier: str) -> None:
        """Ask, then delete on the DB worker (twice asked when the record never reached the server)."""
        self.runner.run_db(self.store.get, identifier, on_done=lambda v: self._confirm_delete(identifier, v))

    def _confirm_delete(self, identifier: str, view: RecordView | None) -> None:
        if view is None:
            return
        title = localize(view.title, get_language()) or _("(untitled)")
        if view.status in LOCKED_STATUSES:
            self.message.setText(locked_delete_message())
            return
        if view.status == RecordStatus.PUBLISHED:
            self._request_removal(identifier, title)
            return
        never_synced = view.server_revision is None
        if not self.confirm(_("Delete record"), _("Delete “{title}”?").format(title=title), _("Delete")):
            return
        if never_synced and not self.confirm(
                _("Delete the only copy?"),
                _("“{title}” has never been sent to the clearing-house: this computer holds its only copy. "
                  "Undo can bring it back only until you close FocalPoint. Delete it?").format(title=title),
                _("Delete")):
            return
        editor = self.editors.get(identifier)
        if editor is not None:
            editor.autosaver.enabled = False
            editor.close()
        document = view.document

        def do_delete() -> None:
            self.store.delete(identifier, confirmed_twice=never_synced)

        status = view.status
        self.runner.run_db(do_delete,
                           on_done=lambda _r: self._deleted(identifier, document, never_synced, title, status),
                           on_error=lambda exc: self.message.setText(str(exc)))

    def _request_removal(self, identifier: str, title: str) -> None:
        """A published record is removed from the clearing-house through a request a publishing
        authority approves (the CHM's deleteRecord workflow), not deleted on this computer."""
        if not self.confirm(
                _("Remove from the clearing-house"),
                _("“{title}” is published on the clearing-house. Ask for it to be removed? A publishing "
                  "authority must approve the removal; until then the record stays published.").format(title=title),
                _("Ask for removal")):
            return

        from focalpoint.review import request_deletion

        self._review_step(request_deletion, identifier, lambda view: self._said(_(
            "Removal of “{title}” requested; it is sent at the next sync.").format(title=title), view))

    # ------------------------------------------------------------ publication requests

    def _update_request_actions(self) -> None:
        """Offer only what fits the selected record: a request for a draft, a withdrawal while one waits."""
        index = self.table.currentIndex()
        status = index.data(StatusRole) if index.isValid() else None
        self.submit_action.setEnabled(status in (RecordStatus.DRAFT, RecordStatus.READY, RecordStatus.REJECTED))
        self.withdraw_action.setEnabled(status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL))

    def submit_selected(self) -> None:
        identifier = self.selected_identifier()
        if identifier:
            self.request_publication(identifier)
        else:
            self.message.setText(_("Select a record in the list first."))

    def request_publication(self, identifier: str) -> None:
        """Ask for publication of a record (queued; a publishing authority reviews it). DB worker."""
        editor = self.editors.get(identifier)
        if editor is not None:
            editor.autosaver.flush(force=True)  # what is on screen is what gets reviewed

        from focalpoint.review import request_publication

        self._review_step(request_publication, identifier, self._requested)

    def _requested(self, view: RecordView) -> None:
        from focalpoint.ui.review.labels import reviewer_text

        title = localize(view.title, get_language()) or _("(untitled)")
        self._said(_("Publication of “{title}” requested; it is sent at the next sync. The record is locked "
                     "until the review is over.").format(title=title) + " " + reviewer_text(view.schema), view)

    def withdraw_selected(self) -> None:
        identifier = self.selected_identifier()
        if identifier:
            self.withdraw_request(identifier)
        else:
            self.message.setText(_("Select a record in the list first."))

    def withdraw_request(self, identifier: str) -> None:
        """Withdraw a record's publication or removal request (queued like any change)."""
        from focalpoint.review import cancel_request

        def done(view: RecordView) -> None:
            title = localize(view.title, get_language()) or _("(untitled)")
            if view.status == RecordStatus.PUBLISHED:
                self._said(_("Removal request for “{title}” withdrawn; the record stays published.").format(
                    title=title), view)
            else:
                self._said(_("Publication request for “{title}” withdrawn; you can edit it again.").format(
                    title=title), view)

        self._review_step(cancel_request, identifier, done)

    def _review_step(self, step: Callable[..., RecordView], identifier: str,
                     on_done: Callable[[RecordView], None]) -> None:
        """Run a ``focalpoint.review`` step on the DB worker as the signed-in person; its refusal
        (already requested, not complete…) is shown in words."""

        def run() -> RecordView:
            from focalpoint.ui.review.data import reviewer_identity

            return step(self.db, identifier, actor=reviewer_identity(self.db))

        self.runner.run_db(run, on_done=on_done, on_error=lambda exc: self.message.setText(str(exc)))

    def _said(self, message: str, view: RecordView | None = None) -> None:
        self.message.setText(message)
        if view is not None:
            editor = self.editors.get(view.identifier)
            if editor is not None and hasattr(editor, "set_record"):
                editor.set_record(view)
        self._changed()

    def _deleted(self, identifier: str, document: dict[str, Any], never_synced: bool, title: str,
                 status: str = RecordStatus.DRAFT) -> None:
        """One rule: Undo brings the record back exactly as it was (content and status) — until the
        next sync for a record the hub has, until FocalPoint closes for one it never had."""
        self._last_deleted = (identifier, document, never_synced, status)
        self.undo_action.setEnabled(True)
        if never_synced:
            self.message.setText(_("“{title}” deleted. Undo brings it back until you close FocalPoint.").format(
                title=title))
        else:
            self.message.setText(_("“{title}” deleted; the hub removes it at the next sync. Until then, Undo "
                                   "brings it back.").format(title=title))
        self._changed()

    def undo_delete(self) -> None:
        if self._last_deleted is None:
            return
        identifier, document, never_synced, status = self._last_deleted
        self._last_deleted = None
        self.undo_action.setEnabled(False)

        def restore() -> RecordView:
            if never_synced:  # as it was: a record marked ready stays ready
                return self.store.save(document, status=status if status in (RecordStatus.DRAFT, RecordStatus.READY) else None)
            return self.store.undelete(identifier)

        def restored(_view: RecordView) -> None:
            self.message.setText(_("Deletion undone."))
            self._changed()

        self.runner.run_db(restore, on_done=restored, on_error=lambda exc: self.message.setText(str(exc)))

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search records (any language)"))
        self.search.setAccessibleName(_("Search records"))
        from focalpoint.ui.catalog_filters import fill_combo

        fill_combo(self.status_filter, [(_("Any status"), None)] + [(status_label(s), s) for s in STATUSES])
        fill_combo(self.sync_filter, [(_("Any sync state"), None)] + [(sync_label(s), s) for s in SYNC_STATES])
        self.status_filter.setAccessibleName(_("Status"))
        self.sync_filter.setAccessibleName(_("Sync state"))
        self.new_action.setText(_("&New"))
        self.open_action.setText(_("&Open"))
        self.duplicate_action.setText(_("D&uplicate"))
        self.delete_action.setText(_("&Delete…"))
        self.undo_action.setText(_("&Undo delete"))
        self.submit_action.setText(_("Request &publication"))
        self.submit_action.setToolTip(_("Ask a publishing authority to publish the selected record on the "
                                        "clearing-house (sent at the next sync)"))
        self.withdraw_action.setText(_("&Withdraw request"))
        self.withdraw_action.setToolTip(_("Withdraw the selected record's publication or removal request"))
        self.print_action.setText(_("&Print…"))
        self.print_action.setToolTip(_("Print the selected records, filled in, to a PDF file or a printer"))
        self.types.setAccessibleName(_("Record types"))
        self.table.setAccessibleName(_("Records"))
        if self._loaded:
            self._fill_types()
        self.model.retranslate()
        for window in list(self.editors.values()) + list(self.viewers.values()):
            window.retranslate()


