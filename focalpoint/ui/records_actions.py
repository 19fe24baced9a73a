"""The Records tab's actions: new, duplicate, delete and undo, print, and requests for publication
or removal. Deleting a record that never reached the server loses it for good, so it needs two
confirmations (sync invariant 7); any deletion can be undone from the status line until the next
one. Part of :class:`focalpoint.ui.records_panel.RecordsPanel`. UI thread only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QToolBar, QWidget

from focalpoint.i18n import _, get_language, localize
from focalpoint.models import RecordStatus
from focalpoint.records import LOCKED_STATUSES, RecordView, locked_delete_message, new_identifier
from focalpoint.ui.records_editors import RecordEditorsMixin
from focalpoint.ui.records_model import IdentifierRole, RecordTableModel, StatusRole
from focalpoint.ui.widgets import Confirm
from focalpoint.ui.window_parts import menu_action


class RecordActionsMixin(RecordEditorsMixin):
    """The toolbar's actions of the Records tab and what they do. UI thread only."""

    confirm: Confirm

    def _build_actions(self) -> None:
        self._last_deleted: tuple[str, dict[str, Any], bool, str] | None = None  # identifier, doc, never synced, status
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
        self.submit_action = menu_action(self, self.submit_selected, "requestPublicationAction")
        self.withdraw_action = menu_action(self, self.withdraw_selected, "withdrawRequestAction")
        self.print_action = menu_action(self, self.print_selected, "printRecordsAction")
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

    # ------------------------------------------------------------- new

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

    def new_record(self, schema: str | None, languages: list[str] | None = None) -> Any:
        if not schema:
            self.message.setText(_("No record types are installed with this copy of FocalPoint."))
            return None
        langs = languages or [get_language()]
        document = {"header": {"identifier": new_identifier(), "schema": schema, "languages": langs}}
        return self.open_editor(document, None)

    # ------------------------------------------------------------- print

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

    def _with_selected(self, act: Callable[[str], object]) -> None:
        """``act`` on the record selected in the list, or ask for one to be selected."""
        identifier = self.selected_identifier()
        if identifier:
            act(identifier)
        else:
            self.message.setText(_("Select a record in the list first."))

    def submit_selected(self) -> None:
        self._with_selected(self.request_publication)

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
        self._with_selected(self.withdraw_request)

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
