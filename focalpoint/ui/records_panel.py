"""The Records tab: record types on the left, a lazy list with filters, editors in their own windows.

Creating, opening, duplicating and deleting records start here. Deleting a record
that never reached the server loses it for good, so it needs two confirmations
(sync invariant 7); any deletion can be undone from the status line until the next
one. ``confirm`` is a dependency (tests pass one that answers without a dialog).
UI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.records import STATUSES, SYNC_STATES, RecordStore
from focalpoint.ui.records_actions import RecordActionsMixin
from focalpoint.ui.records_model import status_label, sync_label
from focalpoint.ui.widgets import Confirm, dialog_confirm

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner


class RecordsPanel(RecordActionsMixin):
    """The Records tab, made of its list (``records_list``), editor windows (``records_editors``)
    and actions (``records_actions``). UI thread only."""

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None,
                 store: RecordStore | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.store = store or RecordStore(db)
        self.confirm: Confirm = confirm or dialog_confirm(self)
        self._build_list(db, runner)
        self._init_editors()
        self._build_actions()
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
