"""Background work for the UI: one database worker, one network worker.

As in Anki's ``taskman``: every database write the UI asks for runs on a single
worker thread, in order, so writes never race and the UI thread never waits on
disk. Network work (sync) has its own worker, so a slow link never delays a save.
Results come back to the UI thread through a queued Qt signal; the callbacks run
there.

Workers receive plain data (ids, dicts, dataclasses) and return plain data —
never widgets, never ORM objects.

``SynchronousTaskRunner`` runs everything at once on the caller's thread, for tests
that want no waiting.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class TaskRunner(QObject):
    """Runs functions on the database or network worker; calls back on the UI thread.

    Create and use from the UI thread. ``run_db``/``run_net`` return the
    ``Future``; most callers pass ``on_done``/``on_error`` instead of waiting on it.
    """

    _finished = Signal(object)  # (callback, error_callback, result, error) — internal
    task_failed = Signal(str)  # a task without on_error failed; the message is for the log / status bar
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="focalpoint-db")
        self._net = ThreadPoolExecutor(max_workers=1, thread_name_prefix="focalpoint-net")
        self._pending = 0
        self._tokens = itertools.count()
        self._callbacks: dict[int, tuple[Callback | None, ErrorCallback | None]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._finished.connect(self._deliver)

    # ------------------------------------------------------------------ API

    def run_db(self, fn: Callable[..., Any], *args: Any, on_done: Callback | None = None,
               on_error: ErrorCallback | None = None, **kwargs: Any) -> Future:
        """Queue ``fn(*args, **kwargs)`` on the database worker (writes and reads, in order)."""
        return self._submit(self._db, fn, args, kwargs, on_done, on_error)

    def run_net(self, fn: Callable[..., Any], *args: Any, on_done: Callback | None = None,
                on_error: ErrorCallback | None = None, **kwargs: Any) -> Future:
        """Queue ``fn`` on the network worker (sync, downloads)."""
        return self._submit(self._net, fn, args, kwargs, on_done, on_error)

    def wait_db_idle(self, timeout: float = 10.0) -> bool:
        """Block until every database task queued so far has run (for shutdown and tests)."""
        marker = self._db.submit(lambda: None)
        try:
            marker.result(timeout=timeout)
            return True
        except Exception:
            return False

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; by default finish what is queued (pending saves are kept)."""
        self._closed = True
        self._db.shutdown(wait=wait)
        self._net.shutdown(wait=False, cancel_futures=True)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    # ------------------------------------------------------------- internals

    def _submit(self, executor: ThreadPoolExecutor, fn: Callable[..., Any], args: tuple, kwargs: dict,
                on_done: Callback | None, on_error: ErrorCallback | None) -> Future:
        if self._closed:  # the app is closing: late requests (a view being torn down) are dropped
            dropped: Future = Future()
            dropped.cancel()
            return dropped
        self._change_pending(+1)
        # The callbacks stay here, on the UI thread: a worker that held them could drop the last
        # reference to a widget and so destroy it on the wrong thread.
        token = next(self._tokens)
        self._callbacks[token] = (on_done, on_error)

        def job() -> Any:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 — delivered to the UI thread
                exc.__focalpoint_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
                self._emit((token, None, exc))
                raise
            self._emit((token, result, None))
            return result

        return executor.submit(job)

    def _emit(self, payload: tuple) -> None:
        try:
            self._finished.emit(payload)
        except RuntimeError:  # the runner was deleted while the task ran (app closing)
            pass

    def _change_pending(self, delta: int) -> None:
        with self._lock:
            before = self._pending
            self._pending += delta
            after = self._pending
        if (before == 0) != (after == 0):
            self.busy_changed.emit(after > 0)

    @Slot(object)
    def _deliver(self, payload: tuple) -> None:
        token, result, error = payload
        on_done, on_error = self._callbacks.pop(token, (None, None))
        self._change_pending(-1)
        if error is not None:
            if on_error is not None:
                _answer(on_error, error)
            else:
                log.error("background task failed: %s", getattr(error, "__focalpoint_traceback__", error))
                self.task_failed.emit(str(error))
            return
        if on_done is not None:
            _answer(on_done, result)


def _answer(callback: Callable[[Any], Any], value: Any) -> None:
    """Hand a result to the view that asked for it. A view closed while its task ran (an editor
    shut before its query came back) no longer wants it: that is dropped, not raised."""
    try:
        callback(value)
    except RuntimeError as exc:
        # PySide6 says "already deleted" for a method, "has been deleted" for a signal's source
        if "already deleted" not in str(exc) and "has been deleted" not in str(exc):
            raise
        log.debug("an answer for a closed view was dropped: %s", exc)


class SynchronousTaskRunner(QObject):
    """Same interface, but runs each task immediately on the calling thread (tests)."""

    task_failed = Signal(str)
    busy_changed = Signal(bool)

    def run_db(self, fn: Callable[..., Any], *args: Any, on_done: Callback | None = None,
               on_error: ErrorCallback | None = None, **kwargs: Any) -> Future:
        return self._run(fn, args, kwargs, on_done, on_error)

    run_net = run_db

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], on_done: Callback | None,
             on_error: ErrorCallback | None) -> Future:
        future: Future = Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
            if on_error is not None:
                on_error(exc)
            else:
                self.task_failed.emit(str(exc))
            return future
        future.set_result(result)
        if on_done is not None:
            on_done(result)
        return future

    def wait_db_idle(self, timeout: float = 10.0) -> bool:
        return True

    def shutdown(self, wait: bool = True) -> None:
        pass

    @property
    def busy(self) -> bool:
        return False
