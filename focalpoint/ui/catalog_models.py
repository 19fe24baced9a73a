"""Qt models of the action plan: a table of activities and a section → target → activity tree.

Both hold plain ``ActivitySummary`` data loaded by the DB worker; they never touch the
database themselves. Headers and labels are translated in ``headerData``/``data`` at
paint time, so a language switch only needs ``retranslate()`` (a layout refresh).
UI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from focalpoint.i18n import _, get_language, localize
from focalpoint.plan_read import ActivitySummary
from focalpoint.ui.table_model import RowTableModel

ActivityNumberRole = Qt.ItemDataRole.UserRole + 1
NodeKindRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


def targets_text(targets: tuple[int, ...] | list[int]) -> str:
    return ", ".join(str(t) for t in targets)


def priority_text(value: bool) -> str:
    return _("Priority") if value else ""


class ActivityTableModel(RowTableModel):
    """The filtered list of activities, one row each."""

    COL_NUMBER, COL_TITLE, COL_SECTION, COL_TARGETS, COL_PRIORITY, COL_SECRETARIAT, COL_TIMEFRAME = range(7)
    COLUMN_COUNT = 7

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ActivitySummary] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # ---------------------------------------------------------------- data

    def set_activities(self, rows: list[ActivitySummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def activity(self, row: int) -> ActivitySummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, number: int) -> int:
        for i, act in enumerate(self._rows):
            if act.number == number:
                return i
        return -1

    def numbers(self) -> list[int]:
        return [a.number for a in self._rows]

    # ------------------------------------------------------------ Qt model

    def row_total(self) -> int:
        return len(self._rows)

    def headers(self) -> dict[int, str]:
        return {
            self.COL_NUMBER: _("No."),
            self.COL_TITLE: _("Activity"),
            self.COL_SECTION: _("Section"),
            self.COL_TARGETS: _("Aichi targets"),
            self.COL_PRIORITY: _("Priority"),
            self.COL_SECRETARIAT: _("Secretariat"),
            self.COL_TIMEFRAME: _("Timeframe"),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        act = self._rows[index.row()]
        col = index.column()
        if role == ActivityNumberRole:
            return act.number
        if role == SortRole:
            return self._sort_key(act, col)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NUMBER:
                return str(act.number)
            if col == self.COL_TITLE:
                return act.title(get_language(), limit=200)
            if col == self.COL_SECTION:
                return act.section
            if col == self.COL_TARGETS:
                return targets_text(act.aichi_targets)
            if col == self.COL_PRIORITY:
                return "★" if act.priority else ""
            if col == self.COL_SECRETARIAT:
                return "(S)" if act.secretariat else ""
            if col == self.COL_TIMEFRAME:
                return localize(act.timeframe, get_language())
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_TITLE:
                return localize(act.text, get_language())
            if col == self.COL_PRIORITY and act.priority:
                return _("Global priority activity")
            if col == self.COL_SECRETARIAT and act.secretariat:
                return _("The Secretariat may play a role in this activity")
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if col == self.COL_PRIORITY:
                return _("Priority") if act.priority else _("Not a priority")
            if col == self.COL_SECRETARIAT:
                return _("Secretariat") if act.secretariat else ""
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.COL_NUMBER, self.COL_SECTION, self.COL_PRIORITY, self.COL_SECRETARIAT):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_numbers = [(self._rows[i.row()].number, i.column()) for i in old]
        self._sort = (column, order)
        self._apply_sort(column, order)
        new_rows = {a.number: r for r, a in enumerate(self._rows)}
        self.changePersistentIndexList(old, [self.index(new_rows[n], c) for n, c in old_numbers])
        self.layoutChanged.emit()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        self._rows.sort(key=lambda a: self._sort_key(a, column),
                        reverse=order == Qt.SortOrder.DescendingOrder)

    def _sort_key(self, act: ActivitySummary, col: int) -> Any:
        if col == self.COL_TITLE:
            return (localize(act.text, get_language()).casefold(), act.number)
        if col == self.COL_SECTION:
            return (act.section, act.number)
        if col == self.COL_TARGETS:
            return (act.aichi_targets or (99,), act.number)
        if col == self.COL_PRIORITY:
            return (not act.priority, act.number)
        if col == self.COL_SECRETARIAT:
            return (not act.secretariat, act.number)
        if col == self.COL_TIMEFRAME:
            return (localize(act.timeframe, "en"), act.number)
        return (act.number,)


# ----------------------------------------------------------------------- tree

SECTION, GROUP, ACTIVITY = "section", "group", "activity"


class _Node:
    __slots__ = ("kind", "key", "payload", "parent", "children", "row")

    def __init__(self, kind: str, key: Any, payload: Any, parent: _Node | None) -> None:
        self.kind = kind
        self.key = key
        self.payload = payload
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0

    def add(self, child: _Node) -> _Node:
        child.row = len(self.children)
        self.children.append(child)
        return child


class CatalogTreeModel(QAbstractItemModel):
    """Section (A–D) → Aichi target group → activity. One column."""

    COL_TITLE = 0
    COLUMN_COUNT = 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("root", None, None, None)
        self._activity_nodes: dict[int, _Node] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_data(self, sections: list[dict[str, Any]], groups: list[dict[str, Any]],
                 activities: list[ActivitySummary], visible: set[int] | None = None) -> None:
        """Rebuild the tree; ``visible`` limits it to those activity numbers (empty branches drop)."""
        self.beginResetModel()
        root = _Node("root", None, None, None)
        self._activity_nodes = {}
        group_by_id = {g["id"]: g for g in groups}
        for sec in sections:
            sec_node = _Node(SECTION, sec["code"], sec, root)
            group_nodes: dict[int, _Node] = {}
            for act in activities:
                if act.section != sec["code"] or (visible is not None and act.number not in visible):
                    continue
                parent = sec_node
                gid = act.target_group_id
                if gid is not None and gid in group_by_id:
                    group = group_nodes.get(gid)
                    if group is None:
                        group = group_nodes[gid] = sec_node.add(_Node(GROUP, gid, group_by_id[gid], sec_node))
                    parent = group
                self._activity_nodes[act.number] = parent.add(_Node(ACTIVITY, act.number, act, parent))
            if sec_node.children or visible is None:
                root.add(sec_node)
        self._root = root
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)
        self._emit_all(QModelIndex())

    def _emit_all(self, parent: QModelIndex) -> None:
        rows = self.rowCount(parent)
        if rows:
            self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, 0, parent))
            for r in range(rows):
                self._emit_all(self.index(r, 0, parent))

    def index_of_activity(self, number: int) -> QModelIndex:
        node = self._activity_nodes.get(number)
        return self.createIndex(node.row, 0, node) if node else QModelIndex()

    def activity_count(self, section_row: int) -> int:
        if not 0 <= section_row < len(self._root.children):
            return 0
        return self._count(self._root.children[section_row])

    def _count(self, node: _Node) -> int:
        if node.kind == ACTIVITY:
            return 1
        return sum(self._count(c) for c in node.children)

    # ------------------------------------------------------------ Qt model

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node: _Node = index.internalPointer()
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return self.COLUMN_COUNT

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section == 0:
            return _("Action plan")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        lang = get_language()
        if role == Qt.ItemDataRole.DisplayRole:
            if node.kind == SECTION:
                return _("{code}. {title}").format(code=node.key, title=localize(node.payload["title"], lang))
            if node.kind == GROUP:
                return localize(node.payload["title"], lang)
            act: ActivitySummary = node.payload
            marks = (" ★" if act.priority else "") + (" (S)" if act.secretariat else "")
            return _("{number}. {title}").format(number=act.number, title=act.title(lang, limit=110)) + marks
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.kind == ACTIVITY:
                return localize(node.payload.text, lang)
            return localize(node.payload["title"], lang)
        if role == ActivityNumberRole:
            return node.key if node.kind == ACTIVITY else None
        if role == NodeKindRole:
            return node.kind
        if role == Qt.ItemDataRole.FontRole and node.kind == SECTION:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalPointer().kind == ACTIVITY:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags
