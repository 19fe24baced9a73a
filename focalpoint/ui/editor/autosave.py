"""Autosave: the editor's document is saved on the DB worker 2 seconds after the last edit.

Every change restarts the timer; when it fires the document is taken from the widgets
(on the UI thread, cheap) and handed to ``RecordStore.save`` on the DB worker, which
writes the record and its outbox entry in one transaction. Killing the app therefore
loses at most the last two seconds of typing. ``flush()`` saves at once (closing the
editor, switching records, quitting). UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from focalpoint.i18n import _
from focalpoint.records import RecordStore, RecordView

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner

AUTOSAVE_DELAY_MS = 2000


class Autosaver(QObject):
    state_changed = Signal(str)  # a sentence for the editor's status line
    saved = Signal(object)  # RecordView
    failed = Signal(str)

    IDLE, DIRTY, SAVING, SAVED, ERROR = "idle", "dirty", "saving", "saved", "error"

    def __init__(self, store: RecordStore, runner: TaskRunner, document: Callable[[], dict[str, Any]],
                 delay_ms: int = AUTOSAVE_DELAY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._document = document
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._last_saved: dict[str, Any] | None = None
        self._in_flight = 0
        self.state = self.IDLE
        self.saved_at: dt.datetime | None = None
        self.error: str | None = None
        self.enabled = True
        self.status: str | None = None  # a status to set on the next save (ready/draft)
        self.keep_status: str | None = None  # a status every save keeps (a reviewer's edit: submitted)
        # how a document is saved (DB worker): the store's save, or a reviewer's save_review_edit
        self.save_fn: Callable[..., RecordView] | None = None

    def mark_saved(self, document: dict[str, Any]) -> None:
        """The document as it is in the store, or as a new record starts (nothing to save yet)."""
        self._last_saved = document

    def detach(self) -> None:
        """The editor is closing: stop timing; a save still in flight reports to whoever listens."""
        self._timer.stop()
        self._document = lambda: self._last_saved or {}
        self.enabled = False

    def schedule(self) -> None:
        """An edit happened: save 2 seconds from now unless another edit comes."""
        if not self.enabled:
            return
        self._set_state(self.DIRTY)
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive() or self._in_flight > 0

    def flush(self, force: bool = False) -> bool:
        """Save now if anything changed (or ``force``). Returns True when a save was queued."""
        self._timer.stop()
        if not self.enabled:
            return False
        document = self._document()
        if document == self._last_saved and self.status is None and not force:
            if self.state == self.DIRTY:
                self._set_state(self.SAVED if self.saved_at else self.IDLE)
            return False
        self._last_saved = document
        status, self.status = self.status, None
        status = status or self.keep_status
        self._in_flight += 1
        self._set_state(self.SAVING)
        save = self.save_fn or self._store.save
        self._runner.run_db(save, document, status=status, on_done=self._done, on_error=self._error)
        return True

    def _done(self, view: RecordView) -> None:
        self._in_flight -= 1
        self.saved_at = dt.datetime.now()
        self.error = None
        if not self._timer.isActive() and self._in_flight == 0:
            self._set_state(self.SAVED)
        self.saved.emit(view)

    def _error(self, exc: BaseException) -> None:
        self._in_flight -= 1
        self._last_saved = None  # try again on the next edit
        self.error = str(exc)
        self._set_state(self.ERROR)
        self.failed.emit(self.error)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(self.describe())

    def describe(self) -> str:
        if self.state == self.DIRTY:
            return _("Unsaved changes — saving in a moment…")
        if self.state == self.SAVING:
            return _("Saving…")
        if self.state == self.SAVED and self.saved_at is not None:
            return _("All changes saved ({time})").format(time=self.saved_at.strftime("%H:%M:%S"))
        if self.state == self.ERROR:
            return _("Not saved: {error}").format(error=self.error or "")
        return _("No changes yet")
