"""The table of pending publication requests (pulled with sync, kept for offline review).

One ``QAbstractTableModel``: the requests are few (a government's pending reviews), so
they are read whole on the DB worker for the current filters and sorted in memory.
Overdue requests (older than the central CHM's default workflow age, 12 weeks) carry a
red "overdue" badge in the Status column, painted by :class:`BadgeDelegate`.
UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from focalpoint.db import Database
from focalpoint.i18n import _, format_datetime, get_language, localize
from focalpoint.models import utcnow
from focalpoint.review import ReviewItem
from focalpoint.ui.review.labels import (
    OVERDUE_COLOUR,
    OVERDUE_TEXT_COLOUR,
    age_text,
    decision_label,
    government_label,
    overdue_label,
    schema_label,
)
from focalpoint.ui.table_model import RowTableModel

if TYPE_CHECKING:

    from focalpoint.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex
WorkflowRole = Qt.ItemDataRole.UserRole + 40
IdentifierRole = Qt.ItemDataRole.UserRole + 41
OverdueRole = Qt.ItemDataRole.UserRole + 42
SortRole = Qt.ItemDataRole.UserRole + 43


class ReviewQueueModel(RowTableModel):
    COL_TITLE, COL_TYPE, COL_AUTHOR, COL_GOVERNMENT, COL_AGE, COL_STATUS = range(6)
    COLUMN_COUNT = 6

    loaded = Signal(int)  # rows now shown

    def __init__(self, db: Database, runner: TaskRunner, parent: QObject | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._clock = clock
        self._items: list[ReviewItem] = []
        self.own: list[ReviewItem] = []  # the person's own pending requests (someone else decides)
        self.role: str | None = None
        self.last_sync: dt.datetime | None = None
        self._generation = 0
        self._schema: str | None = None
        self._government: str | None = None
        self._overdue_only = False
        self._sort_column = self.COL_AGE
        self._sort_order = Qt.SortOrder.DescendingOrder  # the longest waiting first

    # ------------------------------------------------------------- loading

    def set_filters(self, *, schema: str | None = None, government: str | None = None,
                    overdue_only: bool = False) -> None:
        self._schema, self._government, self._overdue_only = schema or None, government or None, overdue_only
        self.reload()

    def reload(self) -> None:
        """Read the pending requests again (DB worker); the table updates when they arrive."""
        self._generation += 1
        generation = self._generation
        from focalpoint.ui.review.data import review_queue_for_me

        self._runner.run_db(review_queue_for_me, self._db, now=self._clock(), government=self._government,
                            schema=self._schema, overdue_only=self._overdue_only,
                            on_done=lambda queue: self._on_items(generation, queue))

    def _on_items(self, generation: int, queue: Any) -> None:
        if generation != self._generation:
            return
        items = queue.items if hasattr(queue, "items") else queue
        self.own = list(getattr(queue, "own", []))
        self.role = getattr(queue, "role", None)
        self.last_sync = getattr(queue, "last_sync", None)
        self.beginResetModel()
        self._items = self._sorted(list(items))
        self.endResetModel()
        self.loaded.emit(len(self._items))

    def item(self, row: int) -> ReviewItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def items(self) -> list[ReviewItem]:
        return list(self._items)

    def row_of(self, workflow_id: str) -> int:
        return next((r for r, i in enumerate(self._items) if i.workflow_id == workflow_id), -1)

    # ------------------------------------------------------------ sorting

    def _key(self, column: int) -> Callable[[ReviewItem], Any]:
        lang = get_language()
        return {
            self.COL_TITLE: lambda i: localize(i.title, lang).casefold(),
            self.COL_TYPE: lambda i: schema_label(i.schema, lang).casefold(),
            self.COL_AUTHOR: lambda i: (i.author or "").casefold(),
            self.COL_GOVERNMENT: lambda i: government_label(i.government, lang).casefold(),
            self.COL_AGE: lambda i: i.age,
            self.COL_STATUS: lambda i: (i.overdue, i.decision or "", i.age),
        }.get(column, lambda i: i.age)

    def _sorted(self, items: list[ReviewItem]) -> list[ReviewItem]:
        items.sort(key=lambda i: i.requested_at)
        items.sort(key=self._key(self._sort_column), reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return items

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.COLUMN_COUNT:
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = [i.workflow_id for i in self._items]
        persistent = self.persistentIndexList()
        self._items = self._sorted(self._items)
        after = {i.workflow_id: r for r, i in enumerate(self._items)}
        self.changePersistentIndexList(persistent, [
            self.index(after[before[p.row()]], p.column()) if 0 <= p.row() < len(before) else QModelIndex()
            for p in persistent])
        self.layoutChanged.emit()

    # ------------------------------------------------------------ Qt model

    def row_total(self) -> int:
        return len(self._items)

    def headers(self) -> dict[int, str]:
        return {
            self.COL_TITLE: _("Title"),
            self.COL_TYPE: _("Record type"),
            self.COL_AUTHOR: _("Requested by"),
            self.COL_GOVERNMENT: _("Government"),
            self.COL_AGE: _("Waiting for"),
            self.COL_STATUS: _("Status"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) \
                or not 0 <= index.column() < self.COLUMN_COUNT:
            return None
        item = self._items[index.row()]
        col = index.column()
        lang = get_language()
        if role == WorkflowRole:
            return item.workflow_id
        if role == IdentifierRole:
            return item.identifier
        if role == OverdueRole:
            return item.overdue
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TITLE:
                return localize(item.title, lang) or _("(untitled)")
            if col == self.COL_TYPE:
                label = schema_label(item.schema, lang)
                return _("{type} — removal").format(type=label) if item.removal else label
            if col == self.COL_AUTHOR:
                return item.author or ""
            if col == self.COL_GOVERNMENT:
                return government_label(item.government, lang)
            if col == self.COL_AGE:
                return age_text(item.age)
            if col == self.COL_STATUS:
                return decision_label(item.decision) or (overdue_label() if item.overdue else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_AGE:
                return _("Requested on {date}").format(date=format_datetime(item.requested_at, lang, fmt="medium"))
            if col == self.COL_STATUS and item.overdue:
                return _("This request has waited longer than the clearing-house's usual 12 weeks.")
            if col == self.COL_TITLE:
                return localize(item.title, lang) or None
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_AGE and item.overdue:
            return QBrush(QColor(OVERDUE_COLOUR))
        return None


class BadgeDelegate(QStyledItemDelegate):
    """Paints an overdue request's status as a red rounded badge with white text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not index.data(OverdueRole) or index.data(Qt.ItemDataRole.DisplayRole) != overdue_label():
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 14
        height = metrics.height() + 4
        rect = QRectF(option.rect)
        x = rect.right() - width - 4 if option.direction == Qt.LayoutDirection.RightToLeft else rect.left() + 4
        badge = QRectF(x, rect.center().y() - height / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(OVERDUE_COLOUR))
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(QColor(OVERDUE_TEXT_COLOUR))
        painter.setFont(option.font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
