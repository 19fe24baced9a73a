"""The Review and Dashboard tabs, the Review menu, and the review and history windows.

Built by ``MainWindow`` with its dependencies passed in: the queue of publication requests
(Ctrl+3), the dashboard (Ctrl+4), the history of the selected record, and one review screen per
request (the reviewer may open the record's editor from it). UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QTabWidget, QWidget

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.ui.dashboard import DashboardView
from focalpoint.ui.review.history import HistoryView
from focalpoint.ui.review.queue_view import ReviewQueueView
from focalpoint.ui.review.screen import ReviewScreen
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import KeptWindows, menu_action


class ReviewTabs(QObject):
    """The review features of the main window; see the module docstring."""

    def __init__(self, db: Database, runner: TaskRunner, tabs: QTabWidget, window: QWidget, *,
                 open_record: Callable[[str], None], selected_record: Callable[[], str | None],
                 records_changed: Callable[[], None], status: Callable[[str], None]) -> None:
        super().__init__(window)
        self.db = db
        self.runner = runner
        self.tabs = tabs
        self._open_record = open_record
        self._selected_record = selected_record
        self._records_changed = records_changed
        self._status = status
        self.screens = KeptWindows()  # ReviewScreen by workflow id
        self.histories = KeptWindows()  # HistoryView by record identifier
        self._queue_loaded = False

        self.queue = ReviewQueueView(db, runner, tabs)
        self.dashboard = DashboardView(db, runner, tabs)
        tabs.addTab(self.queue, "")
        tabs.addTab(self.dashboard, "")
        tabs.currentChanged.connect(self._tab_shown)
        self.queue.open_requested.connect(self.open_review)
        self.dashboard.show_overdue_requested.connect(self.show_overdue)

        self.menu = QMenu(window)
        self.menu.setObjectName("reviewMenu")
        self.queue_action = menu_action(window, self.show_queue, "reviewQueueAction", "Ctrl+3")
        self.dashboard_action = menu_action(window, self.show_dashboard, "dashboardAction", "Ctrl+4")
        self.history_action = menu_action(window, self.history_of_selected, "historyAction")
        self.menu.addAction(self.queue_action)
        self.menu.addAction(self.dashboard_action)
        self.menu.addSeparator()
        self.menu.addAction(self.history_action)

    # ------------------------------------------------------------ tabs

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.queue:
            self.queue.reload()
            self._queue_loaded = True
        elif widget is self.dashboard:
            self.dashboard.load()

    def show_queue(self) -> None:
        """Bring the Review tab forward (re-reading it when it already is)."""
        if self.tabs.currentWidget() is self.queue:
            self.queue.reload()
        self.tabs.setCurrentWidget(self.queue)

    def show_dashboard(self) -> None:
        """Bring the Dashboard tab forward (re-reading it when it already is)."""
        if self.tabs.currentWidget() is self.dashboard:
            self.dashboard.load()
        self.tabs.setCurrentWidget(self.dashboard)

    def show_overdue(self) -> None:
        """The Review tab, showing only overdue requests."""
        self.queue.overdue_filter.setChecked(True)
        self.show_queue()

    def refresh(self) -> None:
        """Re-read the tabs that are on screen or were seen (after a sync or a decision)."""
        current = self.tabs.currentWidget()
        if current is self.queue or self._queue_loaded:
            self.queue.reload()
        if current is self.dashboard:
            self.dashboard.load()

    # ------------------------------------------------------------ review windows

    def show_request(self, workflow_id: str) -> ReviewScreen:
        """The Review tab, on one request: selected in the queue when it is there, and its review screen."""
        model = self.queue.model

        def select(*_a: Any) -> None:
            model.loaded.disconnect(select)
            row = model.row_of(workflow_id)
            if row >= 0:
                self.queue.table.selectRow(row)
                self.queue.table.setCurrentIndex(model.index(row, 0))

        model.loaded.connect(select)
        self.show_queue()
        return self.open_review(workflow_id)

    def open_review(self, workflow_id: str) -> ReviewScreen:
        """The review screen of one request, in its own window (the open one when there is)."""
        screen = self.screens.get(workflow_id)
        if not isinstance(screen, ReviewScreen):
            screen = self.screens.keep(ReviewScreen(self.db, self.runner, workflow_id, None,
                                                    open_editor=self._open_record), workflow_id)
            screen.decided.connect(self._decided)
            screen.history_requested.connect(self.open_history)
            screen.load()
        screen.show()
        screen.raise_()
        screen.activateWindow()
        return screen

    def _decided(self, _workflow_id: str, _action: str) -> None:
        self._status(_("Decision saved; it will be sent at the next sync."))
        self.queue.reload()
        self._records_changed()

    def open_history(self, identifier: str) -> HistoryView:
        """The history of one record, in its own window (the open one when there is)."""
        view = self.histories.get(identifier)
        if not isinstance(view, HistoryView):
            view = self.histories.keep(HistoryView(self.db, self.runner, identifier, None), identifier)
        view.load()
        view.show()
        view.raise_()
        return view

    def history_of_selected(self) -> None:
        """Review > History: the history of the record selected in the Records tab."""
        identifier = self._selected_record()
        if identifier is None:
            self._status(_("Select a record in the Records tab first, then choose History."))
            return
        self.open_history(identifier)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.queue), _("Re&view"))
        self.tabs.setTabText(self.tabs.indexOf(self.dashboard), _("&Dashboard"))
        self.menu.setTitle(_("Re&view"))
        self.queue_action.setText(_("Publication &requests"))
        self.dashboard_action.setText(_("&Dashboard"))
        self.history_action.setText(_("&History of the selected record…"))
        self.queue.retranslate()
        self.dashboard.retranslate()
        self.screens.retranslate()
        self.histories.retranslate()
