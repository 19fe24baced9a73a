"""The "Sync now" action and the status bar's sync area.

A hook for ``focalpoint.sync``: when a sync engine factory is available (set with
``set_engine_factory``, or found as ``focalpoint.sync.engine.SyncEngine`` with a
``from_settings``/``for_database`` constructor), "Sync now" runs
``engine.sync(progress, cancel)`` on the network worker. Progress is marshalled to the
UI thread by signal; a second click asks the running sync to stop. Until an engine
exists the action is disabled and the status says sync is not set up.
UI thread only (``_run`` runs on the network worker).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.ui.status import SyncStatusWidget

EngineFactory = Callable[[Database], Any]


def discover_engine_factory() -> EngineFactory | None:
    """``focalpoint.sync``'s engine constructor, when that package provides one."""
    try:
        from focalpoint.sync import engine as engine_module  # type: ignore[attr-defined]
    except ImportError:
        return None
    cls = getattr(engine_module, "SyncEngine", None)
    if cls is None:
        return None
    for name in ("for_database", "from_settings"):
        factory = getattr(cls, name, None)
        if callable(factory):
            return factory
    return None


class SyncController(QObject):
    progress = Signal(int, int, str)
    finished = Signal()

    def __init__(self, db: Database, runner, widget: SyncStatusWidget,  # noqa: ANN001
                 parent: QObject | None = None, factory: EngineFactory | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._widget = widget
        self._factory = factory if factory is not None else discover_engine_factory()
        self._cancel: threading.Event | None = None
        self.action = QAction(self)
        self.action.setObjectName("syncNowAction")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.action.triggered.connect(self.sync_now)
        self.progress.connect(self._on_progress)
        widget.set_state(widget.IDLE if self._factory else widget.UNAVAILABLE)
        self.retranslate()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def set_engine_factory(self, factory: EngineFactory | None) -> None:
        self._factory = factory
        self._widget.set_state(self._widget.IDLE if factory else self._widget.UNAVAILABLE)
        self.retranslate()

    def sync_now(self) -> None:
        if self._factory is None:
            return
        if self._cancel is not None:
            self._cancel.set()  # second click: stop
            return
        self._cancel = threading.Event()
        self._widget.set_state(self._widget.RUNNING)
        self._widget.set_progress(0, 0)
        self.retranslate()
        self._runner.run_net(self._run, self._factory, self._cancel, on_done=self._done, on_error=self._failed)

    def _run(self, factory: EngineFactory, cancel: threading.Event) -> Any:
        engine = factory(self._db)

        def report(done: int = 0, total: int = 0, message: str = "", *_args: Any) -> None:
            self.progress.emit(int(done or 0), int(total or 0), str(message or ""))

        return engine.sync(report, cancel)

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self._widget.set_progress(done, total)

    def _done(self, _result: Any) -> None:
        self._cancel = None
        self._widget.set_state(self._widget.DONE)
        self.retranslate()
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        message = getattr(exc, "user_message", None) or str(exc)
        self._widget.set_state(self._widget.ERROR, message)
        self.retranslate()
        self.finished.emit()

    def retranslate(self) -> None:
        self.action.setText(_("S&top synchronizing") if self.running else _("&Sync now"))
        self.action.setEnabled(self._factory is not None)
        self.action.setToolTip(_("Send local changes to the clearing-house and fetch new ones")
                               if self._factory else _("Sync is not set up in this copy of FocalPoint yet"))
        self._widget.retranslate()
