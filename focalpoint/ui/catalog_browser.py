"""The action-plan browser: search and filters, a tree and a list, and the detail pane.

The catalogue is read on the DB worker (``catalog_data``) and shown when it arrives;
every search or filter change runs on the worker too, and only the latest answer is
applied (older ones are dropped by sequence number). UI thread only.

At start-up the desktop app builds the browser before the database is open and shows the
plan read through a read-only connection (``show_snapshot``; this module imports no
SQLAlchemy); ``attach(db, runner)`` then gives it the database: a search typed or an
activity chosen meanwhile is run then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from focalpoint.i18n import _, get_language
from focalpoint.plan_read import ActivitySummary, CatalogSnapshot
from focalpoint.ui.catalog_data import ActivityDetail, filter_numbers, load_activity, load_snapshot
from focalpoint.ui.catalog_detail import OFFICIAL_LINK, RECORD_LINK_PREFIX, TRANSLATED_LINK, activity_html
from focalpoint.ui.catalog_filters import CatalogFilterBar
from focalpoint.ui.catalog_models import (
    ACTIVITY,
    ActivityNumberRole,
    ActivityTableModel,
    CatalogTreeModel,
    NodeKindRole,
)
from focalpoint.ui.widgets import EnterTableView, EnterTreeView

if TYPE_CHECKING:
    from focalpoint.db import Database
    from focalpoint.ui.tasks import TaskRunner


class DetailBrowser(QTextBrowser):
    """The detail pane; Escape gives the keyboard back to the list."""

    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class CatalogBrowser(QWidget):
    """Browse and search the 110 activities of the short-term action plan."""

    activity_shown = Signal(int)
    open_record = Signal(str)
    loaded = Signal()
    counts_changed = Signal(int)

    def __init__(self, db: Database | None, runner: TaskRunner | None, plan_folder: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._plan_folder = plan_folder
        self._snapshot: CatalogSnapshot | None = None
        self._by_number: dict[int, ActivitySummary] = {}
        self._search_seq = 0
        self._detail_seq = 0
        self._current: int | None = None
        self._detail: ActivityDetail | None = None
        self._show_official = False

        self.filter_bar = CatalogFilterBar(self)
        self.tree_model = CatalogTreeModel(self)
        self.table_model = ActivityTableModel(self)

        self.tree = EnterTreeView(self)
        self.tree.setObjectName("catalogTree")
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.table = EnterTableView(self)
        self.table.setObjectName("catalogTable")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ActivityTableModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort_table)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)

        self.views = QTabWidget(self)
        self.views.setObjectName("catalogViews")
        self.views.addTab(self.tree, "")
        self.views.addTab(self.table, "")
        self.views.setDocumentMode(True)

        self.detail = DetailBrowser(self)
        self.detail.setObjectName("activityDetail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_link)
        self.detail.escape_pressed.connect(self.focus_results)
        self.placeholder = QLabel(self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("detailPlaceholder")
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.placeholder)
        self.detail_stack.addWidget(self.detail)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter_bar)
        left_layout.addWidget(self.views, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self.filter_bar.changed.connect(self.refresh_results)
        self.filter_bar.search.move_down.connect(self.focus_results)
        self.filter_bar.search.returnPressed.connect(self.focus_results)
        self.tree.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.table.selectionModel().currentChanged.connect(self._table_current_changed)
        self.tree.enter_pressed.connect(self._open_index)
        self.table.enter_pressed.connect(self._open_index)
        self.tree.doubleClicked.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)

        self.setTabOrder(self.filter_bar.search, self.filter_bar.section)
        self.setTabOrder(self.filter_bar.section, self.filter_bar.target)
        self.setTabOrder(self.filter_bar.target, self.filter_bar.partner)
        self.setTabOrder(self.filter_bar.partner, self.filter_bar.priority)
        self.setTabOrder(self.filter_bar.priority, self.filter_bar.secretariat)
        self.setTabOrder(self.filter_bar.secretariat, self.filter_bar.year)
        self.setTabOrder(self.filter_bar.year, self.filter_bar.clear_button)
        self.setTabOrder(self.filter_bar.clear_button, self.views)
        self.setTabOrder(self.views, self.tree)
        self.setTabOrder(self.tree, self.table)
        self.setTabOrder(self.table, self.detail)
        self.retranslate()

    # ------------------------------------------------------------- loading

    def attach(self, db: Database, runner: TaskRunner) -> None:
        """Give the browser built before the database was open its database and worker; a search
        typed or an activity chosen meanwhile runs now. UI thread."""
        if self._runner is not None:
            raise RuntimeError("CatalogBrowser.attach: the browser already has its database")
        self._db = db
        self._runner = runner
        if self._snapshot is not None and self.filter_bar.is_filtering():
            self.refresh_results()
        self.refresh_detail()

    @property
    def attached(self) -> bool:
        """Whether the browser has its database (searches and details can be read)."""
        return self._runner is not None

    def _db_and_runner(self) -> tuple[Database, TaskRunner]:
        if self._db is None or self._runner is None:
            raise RuntimeError("CatalogBrowser: the database is not attached yet")
        return self._db, self._runner

    def load(self, ensure: bool = True) -> None:
        """Read the catalogue on the DB worker (loading the shipped plan first if needed)."""
        db, runner = self._db_and_runner()
        if self._snapshot is None:
            self.placeholder.setText(_("Loading the action plan…"))
        runner.run_db(load_snapshot, db, self._plan_folder, ensure,
                      on_done=self._on_snapshot, on_error=self._on_load_error)

    def _on_load_error(self, exc: BaseException) -> None:
        self.placeholder.setText(_("The action plan could not be read: {error}").format(error=exc))

    def show_snapshot(self, snap: CatalogSnapshot) -> None:
        """List the catalogue read at start-up, before the database is attached. UI thread."""
        self._on_snapshot(snap)

    def _on_snapshot(self, snap: CatalogSnapshot) -> None:
        unchanged = self._snapshot is not None and replace(snap, loaded_now=False) == replace(
            self._snapshot, loaded_now=False)
        self._snapshot = snap
        if not unchanged:  # the same plan as listed at start-up: the lists, selection and scrolling stay
            self._by_number = {a.number: a for a in snap.activities}
            self.filter_bar.set_choices(snap.sections, snap.partners, snap.years)
            self.tree_model.set_data(snap.sections, snap.target_groups, snap.activities)
            self.table_model.set_activities(snap.activities)
            self.filter_bar.set_result_count(len(snap.activities), len(snap.activities))
            self._expand_tree()
            if self._current is not None:
                self._select_in_views(self._current)
        if snap.error or not snap.activities:
            self.placeholder.setText(_("The action plan is not installed with this copy of FocalPoint "
                                       "(resources/action_plan is empty)."))
        else:
            self.placeholder.setText(_("Choose an activity to see all of its details."))
        self.counts_changed.emit(len(snap.activities))
        if self.filter_bar.is_filtering() and not unchanged:
            self.refresh_results()
        self.loaded.emit()

    @property
    def activity_total(self) -> int:
        return len(self._by_number)

    # ------------------------------------------------------------- results

    def refresh_results(self) -> None:
        """Run the current search and filters on the DB worker."""
        if self._snapshot is None:
            return
        self._search_seq += 1
        seq = self._search_seq
        filters = self.filter_bar.filters()
        if not self.filter_bar.is_filtering():
            self._apply_numbers(seq, [a.number for a in self._snapshot.activities], filtered=False)
            return
        if self._runner is None:
            return  # run by ``attach``
        db, runner = self._db_and_runner()
        runner.run_db(filter_numbers, db, filters,
                      on_done=lambda numbers: self._apply_numbers(seq, numbers, filtered=True))

    def _apply_numbers(self, seq: int, numbers: list[int], filtered: bool) -> None:
        if seq != self._search_seq or self._snapshot is None:
            return  # a newer search has been asked for
        acts = [self._by_number[n] for n in numbers if n in self._by_number]
        self.table_model.set_activities(acts)
        visible = {a.number for a in acts} if filtered else None
        self.tree_model.set_data(self._snapshot.sections, self._snapshot.target_groups,
                                 self._snapshot.activities, visible)
        self._expand_tree()
        self.filter_bar.set_result_count(len(acts), len(self._by_number))
        if self._current is not None and (visible is None or self._current in visible):
            self._select_in_views(self._current)

    def _expand_tree(self) -> None:
        self.tree.expandAll()

    def _sort_table(self, column: int) -> None:
        header = self.table.horizontalHeader()
        order = header.sortIndicatorOrder() if header.isSortIndicatorShown() and \
            header.sortIndicatorSection() == column else Qt.SortOrder.DescendingOrder
        order = Qt.SortOrder.AscendingOrder if order == Qt.SortOrder.DescendingOrder else Qt.SortOrder.DescendingOrder
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        self.table_model.sort(column, order)

    # ----------------------------------------------------------- selection

    def _tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        number = current.data(ActivityNumberRole) if current.isValid() else None
        if number is not None:
            self.show_activity(int(number), sync_views=False)
            self._select_row_in_table(int(number))

    def _table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        number = current.data(ActivityNumberRole) if current.isValid() else None
        if number is not None:
            self.show_activity(int(number), sync_views=False)
            self._select_in_tree(int(number))

    def _select_in_views(self, number: int) -> None:
        self._select_in_tree(number)
        self._select_row_in_table(number)

    def _select_in_tree(self, number: int) -> None:
        index = self.tree_model.index_of_activity(number)
        if index.isValid() and self.tree.currentIndex() != index:
            self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(index)
            self.tree.selectionModel().blockSignals(False)
            self.tree.viewport().update()
            self.tree.scrollTo(index)

    def _select_row_in_table(self, number: int) -> None:
        row = self.table_model.row_of(number)
        if row < 0:
            return
        index = self.table_model.index(row, 0)
        if self.table.currentIndex().row() != row:
            sel = self.table.selectionModel()
            sel.blockSignals(True)
            sel.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                | QItemSelectionModel.SelectionFlag.Rows)
            sel.blockSignals(False)
            self.table.viewport().update()
            self.table.scrollTo(index)

    def _open_index(self, index: QModelIndex) -> None:
        if index.data(NodeKindRole) not in (None, ACTIVITY):
            self.tree.setExpanded(index, not self.tree.isExpanded(index))
            return
        number = index.data(ActivityNumberRole)
        if number is not None:
            self.show_activity(int(number))
            self.detail.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_view(self) -> QAbstractItemView:
        return self.table if self.views.currentWidget() is self.table else self.tree

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def focus_results(self) -> None:
        """Give the keyboard to the results, on the current activity or the first one."""
        view = self.current_view()
        current = view.currentIndex()
        if not current.isValid() or current.data(ActivityNumberRole) is None:
            model = view.model()
            first = model.index(0, 0)
            if view is self.tree:
                # the first activity, not the first section heading
                while first.isValid() and model.hasChildren(first):
                    self.tree.expand(first)
                    first = model.index(0, 0, first)
            if first.isValid():
                view.setCurrentIndex(first)
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -------------------------------------------------------------- detail

    @property
    def current_activity(self) -> int | None:
        return self._current

    def show_activity(self, number: int, sync_views: bool = True) -> None:
        """Show activity ``number`` in the detail pane (read on the DB worker)."""
        if number != self._current:
            self._show_official = False
        self._current = number
        if sync_views:
            self._select_in_views(number)
        self._detail_seq += 1
        seq = self._detail_seq
        if self._runner is None:  # read by ``attach``
            self.placeholder.setText(_("Opening the database…"))
            self.detail_stack.setCurrentWidget(self.placeholder)
            return
        db, runner = self._db_and_runner()
        runner.run_db(load_activity, db, number, on_done=lambda detail: self._on_detail(seq, detail))

    def refresh_detail(self) -> None:
        if self._current is not None:
            self.show_activity(self._current, sync_views=False)

    def _on_detail(self, seq: int, detail: ActivityDetail | None) -> None:
        if seq != self._detail_seq:
            return
        self._detail = detail
        if detail is None:
            self.detail_stack.setCurrentWidget(self.placeholder)
            return
        self._render_detail()
        self.detail_stack.setCurrentWidget(self.detail)
        self.activity_shown.emit(detail.detail["number"])

    def _render_detail(self) -> None:
        if self._detail is None:
            return
        scroll = self.detail.verticalScrollBar().value()
        self.detail.setHtml(activity_html(self._detail.detail, get_language(), show_official=self._show_official,
                                          linked_needs=self._detail.linked_needs))
        self.detail.verticalScrollBar().setValue(scroll)

    def detail_text(self) -> str:
        return self.detail.toPlainText()

    def _on_link(self, url: QUrl) -> None:
        target = url.toString()
        if target == OFFICIAL_LINK:
            self._show_official = True
            self._render_detail()
        elif target == TRANSLATED_LINK:
            self._show_official = False
            self._render_detail()
        elif target.startswith(RECORD_LINK_PREFIX):
            self.open_record.emit(target[len(RECORD_LINK_PREFIX):])
        elif url.scheme() in ("http", "https"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.filter_bar.retranslate()
        self.views.setTabText(0, _("By section and target"))
        self.views.setTabText(1, _("List"))
        self.tree.setAccessibleName(_("Action plan by section and Aichi target"))
        self.table.setAccessibleName(_("Action plan activities"))
        self.detail.setAccessibleName(_("Activity details"))
        self.tree_model.retranslate()
        self.table_model.retranslate()
        if self._snapshot is None:
            self.placeholder.setText(_("Loading the action plan…"))
        elif self._snapshot.activities:
            self.placeholder.setText(_("Choose an activity to see all of its details."))
        self._render_detail()

    def set_records_changed_hook(self) -> Callable[[], None]:
        """A callable for the records side: refresh the linked needs of the shown activity."""
        return self.refresh_detail
