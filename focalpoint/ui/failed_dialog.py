"""Changes waiting for the person: try them again, discard them, or open the request they decide.

Lists ``focalpoint.sync.status.failed_changes`` (the record, what kind of change, the message),
and for the selected row offers "Try again" (``retry_record``: sent at the next sync), "Discard…"
(``discard_failed``, after two confirmations: it cannot be undone) and, for a decision on a
publication request, "Open the request" (``open_request(workflow_id)``; the main window shows it
in the Review tab). Every database call runs on the task runner's database
worker. UI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize, ngettext, pgettext
from focalpoint.models import OutboxState
from focalpoint.sync.recordstate import DECISIONS
from focalpoint.sync.status import failed_changes
from focalpoint.ui.review.record_view import alive, leading
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import TaskDialog

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent, QShowEvent


def retry_record(db: Database, identifier: str) -> None:
    """``focalpoint.sync.outbox.retry_record``, imported on first use (sync is not needed to start
    the app). DB worker."""
    from focalpoint.sync.outbox import retry_record as retry

    retry(db, identifier)


def discard_failed(db: Database, identifier: str) -> int:
    """``focalpoint.sync.outbox.discard_failed``, imported on first use. DB worker."""
    from focalpoint.sync.outbox import discard_failed as discard

    return discard(db, identifier)


COL_RECORD, COL_CHANGE, COL_MESSAGE = 0, 1, 2
ItemRole = Qt.ItemDataRole.UserRole + 1


def change_label(action: str) -> str:
    """What kind of change, in words (a column of the list)."""
    labels = {"save": pgettext("waiting change", "Edit"),
              "delete": pgettext("waiting change", "Deletion"),
              "request_publication": pgettext("waiting change", "Publication request"),
              "request_deletion": pgettext("waiting change", "Removal request"),
              "cancel_request": pgettext("waiting change", "Withdrawal of a request"),
              "approve": pgettext("waiting change", "Approval"),
              "reject": pgettext("waiting change", "Rejection")}
    return labels.get(action, action)


def opens_request(item: dict[str, Any]) -> bool:
    """A decision on a publication request that can be opened in the Review tab."""
    return item.get("action") in DECISIONS and bool(item.get("workflow_id"))


class FailedChangesDialog(TaskDialog):
    """The changes that cannot leave without the person, one row each."""

    loaded = Signal()
    changed = Signal(str)        # record identifier: its changes were retried or discarded
    open_request = Signal(str)   # workflow id: show this request in the Review tab

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("failedChangesMessage", parent)
        self.setObjectName("failedChangesDialog")
        self.db = db
        self.runner = runner
        self.items: list[dict[str, Any]] = []
        self._loaded_once = False

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("failedChangesTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_RECORD, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_CHANGE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_MESSAGE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_RECORD, 220)
        header.resizeSection(COL_CHANGE, 150)
        header.sectionResized.connect(lambda *_a: self.table.resizeRowsToContents())
        self.table.itemSelectionChanged.connect(self._update)
        self.empty = QLabel(self)
        self.empty.setObjectName("failedChangesEmpty")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.details = QLabel(self)
        self.details.setObjectName("failedChangesDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.retry_button = QPushButton(self)
        self.retry_button.setObjectName("retryButton")
        self.discard_button = QPushButton(self)
        self.discard_button.setObjectName("discardButton")
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("openRequestButton")
        self.retry_button.clicked.connect(self.retry_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.open_button.clicked.connect(self.open_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.retry_button)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        actions.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self.resize(740, 440)
        self.retranslate()
        self._update()

    # ------------------------------------------------------------ data

    def load(self) -> None:
        """Read the list again (DB worker)."""
        self.runner.run_db(failed_changes, self.db, on_done=self._show, on_error=self._failed)

    def _show(self, items: list[dict[str, Any]]) -> None:
        if not alive(self):
            return
        selected = self.selected_item()
        self.items = list(items)
        self._loaded_once = True
        self._fill(keep=selected)
        self.loaded.emit()

    def _fill(self, keep: dict[str, Any] | None = None) -> None:
        lang = get_language()
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.items))
        align = leading() | Qt.AlignmentFlag.AlignTop
        for row, item in enumerate(self.items):
            title = localize(item.get("title") or {}, lang) or item["identifier"]
            cells = (title, change_label(item["action"]), item.get("message") or "")
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ItemRole, row)
                cell.setTextAlignment(align)
                cell.setToolTip(text if col != COL_RECORD else f"{title}\n{item['identifier']}")
                self.table.setItem(row, col, cell)
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(self.items) or not self._loaded_once)
        self.empty.setVisible(self._loaded_once and not self.items)
        target = 0 if self.items else -1
        if keep is not None:
            for row, item in enumerate(self.items):
                if item["entry_id"] == keep["entry_id"]:
                    target = row
                    break
            else:
                same = [r for r, i in enumerate(self.items) if i["identifier"] == keep["identifier"]]
                target = same[0] if same else target
        if target >= 0:
            self.select_row(target)
        self._update()

    def selected_item(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select_row(self, row: int) -> None:
        from PySide6.QtCore import QItemSelectionModel

        index = self.table.model().index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)

    def _fit_rows(self) -> None:
        if alive(self):
            self.table.resizeRowsToContents()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_rows)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_rows)

    def _update(self) -> None:
        item = self.selected_item()
        self.retry_button.setEnabled(item is not None and not self.busy)
        self.discard_button.setEnabled(item is not None and not self.busy)
        self.open_button.setVisible(item is not None and opens_request(item))
        self.open_button.setEnabled(item is not None and opens_request(item) and not self.busy)
        self.details.setText(self._details(item))
        self.details.setAlignment(leading() | Qt.AlignmentFlag.AlignTop)
        self.details.setVisible(item is not None)

    def _details(self, item: dict[str, Any] | None) -> str:
        if item is None:
            return ""
        title = localize(item.get("title") or {}, get_language()) or item["identifier"]
        lines = [_("{change} of “{title}” ({identifier})").format(change=change_label(item["action"]),
                                                                  title=title, identifier=item["identifier"])]
        if item.get("message"):
            lines.append(item["message"])
        if item.get("state") != OutboxState.FAILED:
            lines.append(_("FocalPoint tries this change again by itself at each sync."))
        return "\n".join(lines)

    def _same_record(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        return [i for i in self.items if i["identifier"] == item["identifier"]]

    # ------------------------------------------------------------ actions

    def retry_selected(self) -> None:
        """"Try again": the record's failed changes are sent at the next sync."""
        item = self.selected_item()
        if item is None or self.busy:
            return
        self._start(_("Putting the change back in the queue…"))
        ident: str = item["identifier"]

        def retried(_result: Any) -> None:
            self._done(ident, _("It will be sent again at the next sync."))

        self.runner.run_db(retry_record, self.db, ident, on_done=retried, on_error=self._failed)

    def discard_selected(self) -> None:
        """"Discard…": after two confirmations, the record's failed changes are dropped."""
        item = self.selected_item()
        if item is None or self.busy:
            return
        title = localize(item.get("title") or {}, get_language()) or item["identifier"]
        changes = ", ".join(dict.fromkeys(change_label(i["action"]) for i in self._same_record(item)))
        no = QMessageBox.StandardButton.No
        yes = QMessageBox.StandardButton.Yes
        first = QMessageBox.question(
            self, _("Discard changes"),
            _("Discard the changes of “{title}” that could not be sent ({changes})? This cannot be undone.")
            .format(title=title, changes=changes), yes | no, no)
        if first != yes:
            self._say(_("Nothing was discarded."))
            return
        second = QMessageBox.question(
            self, _("Discard changes"),
            _("The discarded changes are lost for good; this cannot be undone. Really discard them?"),
            yes | no, no)
        if second != yes:
            self._say(_("Nothing was discarded."))
            return
        self._start(_("Discarding…"))
        ident: str = item["identifier"]

        def discarded(n: int | None) -> None:
            self._done(ident, ngettext("{n} change discarded.", "{n} changes discarded.", n or 0).format(n=n or 0))

        self.runner.run_db(discard_failed, self.db, ident, on_done=discarded, on_error=self._failed)

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None and opens_request(item):
            self.open_request.emit(item["workflow_id"])

    def _start(self, text: str) -> None:
        self.busy = True
        self._say(text)
        self._update()

    def _done(self, identifier: str, text: str) -> None:
        if not alive(self):
            return
        self.busy = False
        self._say(text)
        self._update()
        self.changed.emit(identifier)
        self.load()

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.setWindowTitle(_("Changes waiting for you"))
        self.intro.setText(_("These changes could not be sent and wait for you. Try again once the cause is "
                             "fixed, or discard them. For a decision on a request, open the request to decide "
                             "again."))
        self.table.setHorizontalHeaderLabels([_("Record"), _("Change"), _("Message")])
        self.empty.setText(_("No change is waiting for you: everything can be sent."))
        self.retry_button.setText(_("&Try again"))
        self.discard_button.setText(_("&Discard…"))
        self.open_button.setText(_("&Open the request"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setText(_("Close"))
        for label in (self.intro, self.empty, self.message):
            label.setAlignment(leading() | Qt.AlignmentFlag.AlignTop)
        if self.items:
            self._fill(keep=self.selected_item())
        else:
            self._update()
