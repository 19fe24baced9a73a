"""The part every flat table model of the app shares. UI thread only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    """A flat table: a subclass says how many rows it has (``row_total``), what its columns are
    called in the interface language (``headers``) and what a cell shows (``data``)."""

    COLUMN_COUNT = 0

    def row_total(self) -> int:
        raise NotImplementedError

    def headers(self) -> dict[int, str]:
        raise NotImplementedError

    def retranslate(self) -> None:
        """Language changed: headers and texts are computed at paint time, so just repaint."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMN_COUNT - 1)
        if self.row_total():
            self.dataChanged.emit(self.index(0, 0), self.index(self.row_total() - 1, self.COLUMN_COUNT - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # the tooltip repeats the heading: a column narrowed on a small screen cuts it
        if orientation != Qt.Orientation.Horizontal or role not in (Qt.ItemDataRole.DisplayRole,
                                                                      Qt.ItemDataRole.ToolTipRole):
            return None
        return self.headers().get(section)

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows are selectable, cells are not editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
