"""The review queue: pending publication requests with filters, sortable, opened by double-click.

``open_requested(workflow_id)`` asks for the review screen of a request. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from focalpoint.db import Database
from focalpoint.i18n import _, ngettext
from focalpoint.models import utcnow
from focalpoint.ui.review.data import governments_in_queue
from focalpoint.ui.review.labels import government_label, schema_label
from focalpoint.ui.review.queue_model import BadgeDelegate, ReviewQueueModel, WorkflowRole
from focalpoint.ui.widgets import compact_combo


def _schemas() -> tuple[str, ...]:
    try:
        from focalpoint.forms import schemas

        return tuple(schemas())
    except Exception:  # noqa: BLE001
        return ()


class _QueueTable(QTableView):
    activated_row = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class ReviewQueueView(QWidget):
    open_requested = Signal(str)

    def __init__(self, db: Database, runner, parent: QWidget | None = None,  # noqa: ANN001
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("reviewQueue")
        self.db = db
        self.runner = runner
        self.model = ReviewQueueModel(db, runner, self, clock=clock)
        self._governments: list[str] = []

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.type_filter = QComboBox(self)
        self.type_filter.setObjectName("reviewTypeFilter")
        self.government_filter = QComboBox(self)
        self.government_filter.setObjectName("reviewGovernmentFilter")
        compact_combo(self.type_filter, 18)
        compact_combo(self.government_filter, 10, expanding=False)
        self.overdue_filter = QCheckBox(self)
        self.overdue_filter.setObjectName("reviewOverdueFilter")
        self.count_label = QLabel(self)
        self.refresh_button = QPushButton(self)
        self.open_button = QPushButton(self)
        self.open_button.setEnabled(False)

        self.table = _QueueTable(self)
        self.table.setObjectName("reviewQueueTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ReviewQueueModel.COL_STATUS, BadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(ReviewQueueModel.COL_AGE, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ReviewQueueModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((ReviewQueueModel.COL_TYPE, 200), (ReviewQueueModel.COL_AUTHOR, 180),
                           (ReviewQueueModel.COL_GOVERNMENT, 140), (ReviewQueueModel.COL_AGE, 110),
                           (ReviewQueueModel.COL_STATUS, 190)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)

        filters = QHBoxLayout()
        self.type_caption = QLabel(self)
        self.type_caption.setBuddy(self.type_filter)
        self.government_caption = QLabel(self)
        self.government_caption.setBuddy(self.government_filter)
        for widget in (self.type_caption, self.type_filter, self.government_caption, self.government_filter,
                       self.overdue_filter):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self.type_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.government_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.overdue_filter.toggled.connect(lambda _b: self._filters_changed())
        self.refresh_button.clicked.connect(self.reload)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated_row.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.model.loaded.connect(self._show_count)
        self.model.modelReset.connect(self._selection_changed)
        self._fill_types()
        self.retranslate()

    # ------------------------------------------------------------ filters

    def _fill_types(self) -> None:
        current = self.type_filter.currentData()
        self.type_filter.blockSignals(True)
        self.type_filter.clear()
        self.type_filter.addItem(_("All record types"), "")
        for schema in _schemas():
            self.type_filter.addItem(schema_label(schema), schema)
        index = self.type_filter.findData(current) if current else 0
        self.type_filter.setCurrentIndex(max(0, index))
        self.type_filter.blockSignals(False)

    def _fill_governments(self, codes: list[str] | None = None) -> None:
        if codes is not None:
            self._governments = codes
        current = self.government_filter.currentData()
        self.government_filter.blockSignals(True)
        self.government_filter.clear()
        self.government_filter.addItem(_("All governments"), "")
        for code in self._governments:
            self.government_filter.addItem(government_label(code), code)
        index = self.government_filter.findData(current) if current else 0
        self.government_filter.setCurrentIndex(max(0, index))
        self.government_filter.blockSignals(False)

    def _filters_changed(self) -> None:
        self.model.set_filters(schema=self.type_filter.currentData() or None,
                               government=self.government_filter.currentData() or None,
                               overdue_only=self.overdue_filter.isChecked())

    def reload(self) -> None:
        """Read the queue again (after a sync or a decision). DB worker."""
        self.runner.run_db(governments_in_queue, self.db, on_done=self._fill_governments)
        self._filters_changed()

    # ---------------------------------------------------------- selection

    def _show_count(self, n: int) -> None:
        self.count_label.setText(ngettext("{n} request", "{n} requests", n).format(n=n))

    def _selection_changed(self) -> None:
        self.open_button.setEnabled(self.selected_workflow() is not None)

    def selected_workflow(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(WorkflowRole) if index.isValid() else None

    def _open_index(self, index: QModelIndex) -> None:
        workflow_id = index.data(WorkflowRole)
        if workflow_id:
            self.open_requested.emit(workflow_id)

    def open_selected(self) -> None:
        workflow_id = self.selected_workflow()
        if workflow_id:
            self.open_requested.emit(workflow_id)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.intro.setText(_("Publication requests waiting for your decision, as of the last sync. You can "
                             "review them offline; your decisions are sent at the next sync. A request is "
                             "overdue after 12 weeks."))
        self.type_caption.setText(_("&Type:"))
        self.government_caption.setText(_("&Government:"))
        self.overdue_filter.setText(_("&Overdue only"))
        self.refresh_button.setText(_("Re&fresh"))
        self.open_button.setText(_("&Review…"))
        self._fill_types()
        self._fill_governments()
        self._show_count(self.model.rowCount())
        self.model.retranslate()
