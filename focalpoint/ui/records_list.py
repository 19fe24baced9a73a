"""The Records tab's list: record types on the left, the lazy table with its filters and search.

Part of :class:`focalpoint.ui.records_panel.RecordsPanel`. UI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize
from focalpoint.records import RecordStore, RecordView
from focalpoint.ui.records_data import RecordQuery, schema_counts
from focalpoint.ui.records_model import IdentifierRole, RecordTableModel
from focalpoint.ui.widgets import EnterTableView, style_row_table

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


class RecordListMixin(QWidget):
    """The record types, the list, its filters and search of the Records tab, and the state they
    keep. UI thread only."""

    records_changed = Signal()
    schemas_changed = Signal()

    db: Database
    runner: Any
    store: RecordStore
    message: QLabel

    def _build_list(self, db: Database, runner: Any) -> None:
        self._labels: dict[str, dict[str, str]] = {}  # filled by load(), after the window shows
        self._loaded = False
        self._counts: dict[str, int] = {}
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
        self.table = EnterTableView(self)
        self.table.setObjectName("recordTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several to print
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # the other columns start 125 pixels wide: the title keeps room on a 1024-pixel screen
        style_row_table(self.table, stretch=RecordTableModel.COL_TITLE,
                        widths=dict.fromkeys((RecordTableModel.COL_TYPE, RecordTableModel.COL_STATUS,
                                              RecordTableModel.COL_SYNC, RecordTableModel.COL_UPDATED), 125),
                        sort=(RecordTableModel.COL_UPDATED, Qt.SortOrder.DescendingOrder))

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

    # ------------------------------------------------------------- types

    def schemas(self) -> tuple[str, ...]:
        """The record types with a form (known once ``load()`` has run)."""
        return tuple(self._labels)

    def _first_schema(self) -> str | None:
        return next(iter(self._labels), None)

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

    def selected_identifier(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(IdentifierRole) if index.isValid() else None
