"""The review queue: pending publication requests with filters, sortable, opened by double-click.

``open_requested(workflow_id)`` asks for the review screen of a request. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize, ngettext
from focalpoint.models import utcnow
from focalpoint.ui.review.data import governments_in_queue
from focalpoint.ui.review.labels import government_label, reviewer_text, schema_label, when_text
from focalpoint.ui.review.queue_model import BadgeDelegate, ReviewQueueModel, WorkflowRole
from focalpoint.ui.widgets import EnterTableView, compact_combo, fit_combo_to, style_row_table

if TYPE_CHECKING:
    from focalpoint.ui.sync_controller import SyncController
    from focalpoint.ui.tasks import TaskRunner


def _schemas() -> tuple[str, ...]:
    try:
        from focalpoint.forms import schemas

        return tuple(schemas())
    except Exception:  # noqa: BLE001
        return ()


class ReviewQueueView(QWidget):
    open_requested = Signal(str)

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("reviewQueue")
        self.db = db
        self.runner = runner
        self.model = ReviewQueueModel(db, runner, self, clock=clock)
        self._governments: list[str] = []

        # the window's SyncController (found through the window when not set)
        self.sync_controller: SyncController | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.last_sync_label = QLabel(self)
        self.last_sync_label.setObjectName("reviewLastSync")
        self.last_sync_label.setWordWrap(True)
        self.own_label = QLabel(self)
        self.own_label.setObjectName("reviewOwnRequests")
        self.own_label.setWordWrap(True)
        self.own_label.setTextFormat(Qt.TextFormat.PlainText)
        self.own_label.hide()
        self._syncing = False
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

        self.table = EnterTableView(self)
        self.table.setObjectName("reviewQueueTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ReviewQueueModel.COL_STATUS, BadgeDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        style_row_table(self.table, stretch=ReviewQueueModel.COL_TITLE,
                        widths={ReviewQueueModel.COL_TYPE: 200, ReviewQueueModel.COL_AUTHOR: 180,
                                ReviewQueueModel.COL_GOVERNMENT: 140, ReviewQueueModel.COL_AGE: 110,
                                ReviewQueueModel.COL_STATUS: 190},
                        sort=(ReviewQueueModel.COL_AGE, Qt.SortOrder.DescendingOrder))

        filters = QHBoxLayout()
        self.type_caption = QLabel(self)
        self.type_caption.setBuddy(self.type_filter)
        self.government_caption = QLabel(self)
        self.government_caption.setBuddy(self.government_filter)
        for widget in (self.type_caption, self.type_filter, self.government_caption, self.government_filter):
            filters.addWidget(widget)
        filters.addStretch(1)
        # the overdue filter, the count and the buttons on a line of their own: long Russian or French
        # captions never squeeze the filters (all whole on a 1024-pixel screen and narrower)
        actions = QHBoxLayout()
        actions.addWidget(self.overdue_filter)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.last_sync_label)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.own_label)

        self.type_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.government_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.overdue_filter.toggled.connect(lambda _b: self._filters_changed())
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(self._open_index)
        self.table.enter_pressed.connect(self._open_index)
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
        fit_combo_to(self.type_filter, _("All record types"))

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
        fit_combo_to(self.government_filter, _("All governments"))  # never cut in Russian or French

    def _filters_changed(self) -> None:
        self.model.set_filters(schema=self.type_filter.currentData() or None,
                               government=self.government_filter.currentData() or None,
                               overdue_only=self.overdue_filter.isChecked())

    def reload(self) -> None:
        """Read the queue again (after a sync or a decision). DB worker."""
        self.runner.run_db(governments_in_queue, self.db, on_done=self._fill_governments)
        self._filters_changed()

    def _controller(self) -> SyncController | None:
        if self.sync_controller is not None:
            return self.sync_controller
        window = self.window()
        return getattr(window, "sync", None) if window is not self else None

    def refresh(self) -> None:
        """Refresh: synchronize when signed in (the requests come from the hub), else read again."""
        controller = self._controller()
        if controller is None or not hasattr(controller, "sync_if_signed_in") or self._syncing:
            self.reload()
            return
        if getattr(controller, "running", False):
            return  # a sync is under way; the queue is read again when it ends
        self._syncing = True
        self.count_label.setText(_("Synchronizing…"))

        def finished(*_a: object) -> None:
            try:
                controller.finished.disconnect(finished)
            except (RuntimeError, TypeError):
                pass
            import shiboken6

            if shiboken6.isValid(self):
                self._syncing = False
                self.reload()

        def not_signed_in() -> None:
            finished()

        controller.finished.connect(finished)
        controller.sync_if_signed_in(otherwise=not_signed_in)

    # ---------------------------------------------------------- selection

    def _show_count(self, n: int) -> None:
        if self._syncing:
            return
        self.count_label.setText(ngettext("{n} request", "{n} requests", n).format(n=n))
        self._show_context()

    def _show_context(self) -> None:
        """When the requests were last fetched, what this person decides, and their own requests."""
        model = self.model
        if model.last_sync is not None:
            self.last_sync_label.setText(_("Last synchronized with the clearing-house: {when}.").format(
                when=when_text(model.last_sync, fmt="medium")))
        else:
            self.last_sync_label.setText(_("Not synchronized yet: sign in and sync (or click Refresh) to "
                                           "fetch the requests."))
        if model.role == "authorized-user":
            self.intro.setText(_("You have no publication requests to decide: your national focal point reviews "
                                 "national records, the Secretariat reviews contacts and organizations."))
        elif model.role == "secretariat":
            self.intro.setText(_("Requests to publish reference records (contacts, organizations…) waiting for "
                                 "the Secretariat's decision, as of the last sync. Your decisions are sent at the "
                                 "next sync. A request is overdue after 12 weeks."))
        else:
            self.intro.setText(self._default_intro())
        lang = get_language()
        if model.own:
            lines = [_("Your requests waiting for review:")]
            for item in model.own:
                lines.append(_("“{title}” — {reviewer}").format(
                    title=localize(item.title, lang) or _("(untitled)"), reviewer=reviewer_text(item.schema)))
            self.own_label.setText("\n".join(lines))
        self.own_label.setVisible(bool(model.own))

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

    @staticmethod
    def _default_intro() -> str:
        return _("Publication requests waiting for your decision, as of the last sync. You can "
                 "review them offline; your decisions are sent at the next sync. A request is "
                 "overdue after 12 weeks.")

    def retranslate(self) -> None:
        self.intro.setText(self._default_intro())
        self.type_caption.setText(_("&Type:"))
        self.government_caption.setText(_("&Government:"))
        self.overdue_filter.setText(_("&Overdue only"))
        self.refresh_button.setText(_("Re&fresh"))
        self.refresh_button.setToolTip(_("Synchronize with the clearing-house to fetch new requests (when signed "
                                         "in), then read the list again"))
        self.open_button.setText(_("&Review…"))
        self._fill_types()
        self._fill_governments()
        self._show_count(self.model.rowCount())
        self.model.retranslate()
