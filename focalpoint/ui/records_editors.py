"""The Records tab's editor windows: opening a record in its editor (or read-only viewer) and
keeping the open windows. Part of :class:`focalpoint.ui.records_panel.RecordsPanel`. UI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Signal

from focalpoint.i18n import _
from focalpoint.records import RecordView
from focalpoint.ui.records_list import RecordListMixin
from focalpoint.ui.records_model import IdentifierRole


class RecordEditorsMixin(RecordListMixin):
    """The editor and viewer windows the Records tab opened, by identifier. UI thread only."""

    editor_opened = Signal(object)

    def _init_editors(self) -> None:
        """Start with no window open; Enter or a double click on a row opens its record (the list
        must be built)."""
        self.editors: dict[str, Any] = {}
        self.viewers: dict[str, Any] = {}  # read-only windows of records with no FocalPoint form
        self._review_edits: set[str] = set()
        self.table.enter_pressed.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)

    if TYPE_CHECKING:  # the actions the editor windows ask for (focalpoint.ui.records_actions)
        def duplicate_document(self, document: dict[str, Any]) -> Any: ...
        def delete_record(self, identifier: str) -> None: ...
        def request_publication(self, identifier: str) -> None: ...

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
