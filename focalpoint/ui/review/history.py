"""A record's audit trail: who did what, when, on which revision, here or on the server.

Exportable to CSV or JSON through a save dialog; the file is written under a temporary
name in the same folder and renamed into place, so a failure never leaves half a file.
UI thread (the file is written on the DB worker, which owns the disk).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from focalpoint import review
from focalpoint.db import Database
from focalpoint.fileio import write_atomic
from focalpoint.i18n import _, format_datetime, get_language, localize
from focalpoint.ui.review.data import record_titles
from focalpoint.ui.review.record_view import alive
from focalpoint.ui.table_model import RowTableModel

if TYPE_CHECKING:

    from focalpoint.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex
EXPORT_FORMATS = ("csv", "json")


def load_history(db: Database, identifier: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The record's title and its audit events, oldest first. DB worker."""
    title = record_titles(db, [identifier]).get(identifier, {})
    return title, review.history(db, identifier)


def history_bytes(events: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(events, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return review.history_csv(events).encode("utf-8-sig")  # the BOM lets spreadsheet programs read UTF-8




def export_history(path: Path, events: list[dict[str, Any]], fmt: str) -> Path:
    """Export ``events`` as CSV or JSON to ``path``. DB worker."""
    return write_atomic(path, history_bytes(events, fmt))


def _details_text(details: dict[str, Any]) -> str:
    if not details:
        return ""
    parts = []
    if details.get("reason"):
        parts.append(_("reason: {reason}").format(reason=details["reason"]))
    if details.get("fields"):
        parts.append(_("fields: {fields}").format(fields=", ".join(map(str, details["fields"]))))
    rest = {k: v for k, v in details.items() if k not in ("reason", "fields") and v not in (None, "", [], {})}
    if rest:
        parts.append(json.dumps(rest, ensure_ascii=False))
    return "; ".join(parts)


class HistoryModel(RowTableModel):
    COL_WHEN, COL_ACTION, COL_WHO, COL_REVISION, COL_WHERE, COL_DETAILS = range(6)
    COLUMN_COUNT = 6

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.events: list[dict[str, Any]] = []

    def set_events(self, events: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.events = list(events)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.events)

    def headers(self) -> dict[int, str]:
        return {self.COL_WHEN: _("When"), self.COL_ACTION: _("What"), self.COL_WHO: _("Who"),
                self.COL_REVISION: _("Revision"), self.COL_WHERE: _("Where"),
                self.COL_DETAILS: _("Details")}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.events) \
                or not 0 <= index.column() < self.COLUMN_COUNT:
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        event = self.events[index.row()]
        col = index.column()
        if col == self.COL_WHEN:
            try:
                return format_datetime(dt.datetime.fromisoformat(event["at"]), get_language(), fmt="medium")
            except (TypeError, ValueError):
                return str(event.get("at") or "")
        if col == self.COL_ACTION:
            return review.audit_action_label(str(event.get("action") or ""))
        if col == self.COL_WHO:
            return event.get("actor") or _("this computer")
        if col == self.COL_REVISION:
            return "" if event.get("revision") is None else str(event["revision"])
        if col == self.COL_WHERE:
            return _("on the server") if event.get("origin") == "server" else _("on this computer")
        if col == self.COL_DETAILS:
            return _details_text(event.get("details") or {})
        return None


class HistoryView(QWidget):
    """The audit trail of one record, in its own window."""

    loaded = Signal()
    exported = Signal(str)

    def __init__(self, db: Database, runner: TaskRunner, identifier: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.db = db
        self.runner = runner
        self.identifier = identifier
        self.title: dict[str, str] = {}
        self.model = HistoryModel(self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(HistoryModel.COL_DETAILS, QHeaderView.ResizeMode.Stretch)
        for col, width in ((HistoryModel.COL_WHEN, 170), (HistoryModel.COL_ACTION, 200),
                           (HistoryModel.COL_WHO, 190), (HistoryModel.COL_REVISION, 80),
                           (HistoryModel.COL_WHERE, 130)):
            header.resizeSection(col, width)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.export_button = QPushButton(self)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        self.resize(980, 480)
        self.retranslate()

    def load(self) -> None:
        self.runner.run_db(load_history, self.db, self.identifier, on_done=self._show,
                           on_error=lambda exc: self.message.setText(str(exc)))

    def _show(self, result: tuple[dict[str, str], list[dict[str, Any]]]) -> None:
        if not alive(self):
            return
        self.title, events = result
        self.model.set_events(events)
        self.table.resizeRowsToContents()
        self.export_button.setEnabled(bool(events))
        self.retranslate()
        self.loaded.emit()

    def export(self) -> None:
        """Ask where to save, then write CSV or JSON (by the chosen filter or the name's suffix)."""
        csv_filter, json_filter = _("CSV spreadsheet (*.csv)"), _("JSON (*.json)")
        path, chosen = QFileDialog.getSaveFileName(self, _("Export the history"),
                                                   f"history-{self.identifier}.csv",
                                                   ";;".join((csv_filter, json_filter)))
        if not path:
            return
        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = suffix if suffix in EXPORT_FORMATS else ("json" if chosen == json_filter else "csv")
        if not suffix:
            path += "." + fmt
        self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> None:
        """Write the history to ``path`` on the DB worker; ``exported(path)`` when done."""
        self.runner.run_db(export_history, path, list(self.model.events), fmt,
                           on_done=lambda p: self._exported(str(p)),
                           on_error=lambda exc: self.message.setText(
                               _("The history could not be saved: {error}").format(error=exc)))

    def _exported(self, path: str) -> None:
        self.message.setText(_("Saved to {path}").format(path=path))
        self.exported.emit(path)

    def retranslate(self) -> None:
        title = localize(self.title, get_language()) or self.identifier
        self.setWindowTitle(_("History: {title}").format(title=title))
        self.heading.setText(_("Everything done to “{title}”, here and on the server, oldest first.").format(
            title=title))
        self.export_button.setText(_("&Export…"))
        self.close_button.setText(_("&Close"))
        self.model.retranslate()
