"""A lazy table of records: all identifiers known, rows read one window at a time.

``RecordTableModel`` knows the ordered identifiers of the whole list (so the scroll
bar is right from the start) and asks the DB worker for a window of ``PAGE_SIZE`` rows
when the view first paints one of them; until the answer arrives the cells show an
ellipsis. At most ``MAX_PAGES`` windows are kept, so 10,000 records never sit in
memory at once. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from focalpoint.db import Database
from focalpoint.i18n import _, format_datetime, get_language, localize, pgettext
from focalpoint.models import RecordStatus, SyncState
from focalpoint.ui.records_data import RecordQuery, RecordRow, record_ids, record_rows
from focalpoint.ui.table_model import RowTableModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from focalpoint.ui.tasks import TaskRunner

PAGE_SIZE = 100
MAX_PAGES = 40
IdentifierRole = Qt.ItemDataRole.UserRole + 20
SchemaRole = Qt.ItemDataRole.UserRole + 21
StatusRole = Qt.ItemDataRole.UserRole + 22  # the record's status code (draft, submitted, …)

Index = QModelIndex | QPersistentModelIndex


def status_label(status: str) -> str:
    """A record status in words (``RecordStatus``)."""
    labels: dict[str, str] = {
        RecordStatus.DRAFT: pgettext("record status", "Draft"),
        RecordStatus.READY: pgettext("record status", "Ready"),
        RecordStatus.SUBMITTED: pgettext("record status", "Submitted for review"),
        RecordStatus.REMOVAL: pgettext("record status", "Removal requested"),
        RecordStatus.PUBLISHED: pgettext("record status", "Published"),
        RecordStatus.REJECTED: pgettext("record status", "Rejected"),
    }
    return labels.get(status, status)


def status_tooltip(status: str, schema: str, decision: dict[str, Any] | None = None) -> str | None:
    """What a status means for this record: who reviews a request, why a record was rejected."""
    from focalpoint.ui.review.labels import decision_text, reviewer_text

    if status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL):
        return reviewer_text(schema)
    if status == RecordStatus.REJECTED:
        return decision_text(decision) or None
    return None


def sync_label(state: str) -> str:
    """A sync state in words (``SyncState``)."""
    labels: dict[str, str] = {
        SyncState.LOCAL: pgettext("sync state", "Only on this computer"),
        SyncState.QUEUED: pgettext("sync state", "Waiting to be sent"),
        SyncState.SYNCING: pgettext("sync state", "Sending…"),
        SyncState.SYNCED: pgettext("sync state", "Up to date"),
        SyncState.CONFLICT: pgettext("sync state", "Conflict: needs you"),
        SyncState.ERROR: pgettext("sync state", "Sync problem"),
    }
    return labels.get(state, state)


def local_time(value: dt.datetime) -> dt.datetime:
    """The store keeps naive UTC times; people read their own clock."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().replace(tzinfo=None)


SYNC_COLOURS: dict[str, str] = {SyncState.CONFLICT: "#a4262c", SyncState.ERROR: "#a4262c", SyncState.QUEUED: "#6b4e16",
                SyncState.SYNCED: "#2e6b30"}


class RecordTableModel(RowTableModel):
    COL_TITLE, COL_TYPE, COL_STATUS, COL_SYNC, COL_UPDATED = range(5)
    COLUMN_COUNT = 5
    SORT_KEYS = {COL_TITLE: "title", COL_TYPE: "schema", COL_STATUS: "status", COL_SYNC: "sync",
                 COL_UPDATED: "updated"}

    loading_changed = Signal(bool)
    ids_loaded = Signal(int)

    def __init__(self, db: Database, runner: TaskRunner, schema_label: Callable[[str], str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._schema_label = schema_label or (lambda s: s)
        self._ids: list[str] = []
        self._pages: OrderedDict[int, dict[str, RecordRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0
        self._query = RecordQuery()
        self._read = False  # nothing asked of the database yet (the panel loads once the window shows)
        self.pages_loaded = 0  # how many windows were read (tests, benchmarks)

    # ------------------------------------------------------------- loading

    @property
    def query(self) -> RecordQuery:
        return self._query

    def set_query(self, query: RecordQuery) -> None:
        """Re-read the identifiers for new filters (on the DB worker)."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._read = True
        self._generation += 1
        generation = self._generation
        self.loading_changed.emit(True)
        self._runner.run_db(record_ids, self._db, self._query,
                            on_done=lambda ids: self._on_ids(generation, ids))

    def _on_ids(self, generation: int, ids: list[str]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._requested.clear()
        self.endResetModel()
        self.loading_changed.emit(False)
        self.ids_loaded.emit(len(ids))

    def _row(self, row: int) -> RecordRow | None:
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            self._request_page(page)
            return None
        self._pages.move_to_end(page)
        return rows.get(self._ids[row])

    def _request_page(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation = self._generation
        ids = self._ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        self._runner.run_db(record_rows, self._db, ids,
                            on_done=lambda rows: self._on_page(generation, page, rows))

    def _on_page(self, generation: int, page: int, rows: dict[str, RecordRow]) -> None:
        self._requested.discard(page)
        if generation != self._generation:
            return
        self._pages[page] = rows
        self.pages_loaded += 1
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE_SIZE
        last = min(len(self._ids), first + PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMN_COUNT - 1))

    def refresh_rows(self, identifiers: list[str] | None = None) -> None:
        """Forget cached rows (all, or the pages holding ``identifiers``) so they are read again."""
        if identifiers is None:
            pages = list(self._pages)
        else:
            wanted = set(identifiers)
            pages = [p for p, rows in self._pages.items() if wanted & set(rows)]
        for page in pages:
            self._pages.pop(page, None)
            first = page * PAGE_SIZE
            last = min(len(self._ids), first + PAGE_SIZE) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMN_COUNT - 1))

    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def identifier(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, identifier: str) -> int:
        try:
            return self._ids.index(identifier)
        except ValueError:
            return -1

    # ------------------------------------------------------------ Qt model

    def row_total(self) -> int:
        return len(self._ids)

    def headers(self) -> dict[int, str]:
        return {
            self.COL_TITLE: _("Title"),
            self.COL_TYPE: _("Type"),
            self.COL_STATUS: _("Status"),
            self.COL_SYNC: _("Sync"),
            self.COL_UPDATED: _("Last changed"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == IdentifierRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
                        SchemaRole, StatusRole):
            return None
        row = self._row(index.row())
        col = index.column()
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and col == self.COL_TITLE else None
        if role == SchemaRole:
            return row.schema
        if role == StatusRole:
            return row.status
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_SYNC and row.sync_state in SYNC_COLOURS:
                return QBrush(QColor(SYNC_COLOURS[row.sync_state]))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_SYNC and row.sync_error:
                return row.sync_error
            if col == self.COL_TITLE:
                return localize(row.title, get_language()) or None
            if col == self.COL_STATUS:
                return status_tooltip(row.status, row.schema, row.decision)
            return None
        if col == self.COL_TITLE:
            return localize(row.title, get_language()) or _("(untitled)")
        if col == self.COL_TYPE:
            return self._schema_label(row.schema)
        if col == self.COL_STATUS:
            return status_label(row.status)
        if col == self.COL_SYNC:
            return sync_label(SyncState.CONFLICT if row.has_conflict else row.sync_state)
        if col == self.COL_UPDATED:
            return format_datetime(local_time(row.updated_at), get_language(), fmt="short")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_KEYS.get(column, "updated")
        q = self._query
        query = RecordQuery(schema=q.schema, status=q.status, sync_state=q.sync_state, search=q.search,
                            sort=key, descending=order == Qt.SortOrder.DescendingOrder, lang=get_language())
        if not self._read:  # the view setting up its header: keep the order for the first read
            self._query = query
            return
        self.set_query(query)
