"""Guards against known defects of the Qt binding.

PySide6 6.12.0 returns ``None`` from every void C++ method without taking a reference
to it. On Python 3.12+ ``None`` is immortal and nothing happens; on Python 3.11 each
call (``setText``, ``show``, ``processEvents`` …) lowers ``None``'s reference count by
one, and after some thousands of calls the interpreter aborts with "Fatal Python error:
none_dealloc". FocalPoint pins a PySide6 without the defect (see pyproject.toml); if
one is installed anyway, ``protect_none_refcount`` detects the leak and gives ``None``
a reference count so large that it behaves as immortal, as it does on Python 3.12.

UI thread, once, after the QApplication exists.
"""

from __future__ import annotations

import ctypes
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from focalpoint.ui.tasks import TaskRunner

_HEADROOM = 1 << 48


def none_refcount_leaks() -> bool:
    """True when calling a void Qt method loses a reference to None."""
    if sys.version_info >= (3, 12):
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(32):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 16


def protect_none_refcount() -> bool:
    """Apply the work-around when needed; True when it was applied."""
    if not none_refcount_leaks():
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    refcnt.value += _HEADROOM
    return True


class GarbageCollector:
    """Python's cycle collector, run on the UI thread only, and only while the workers are idle.

    With automatic collection, a collection can start in whichever thread happens to
    allocate — a database worker, say — and destroy Qt objects (closed windows, old
    charts) there, or run on the UI thread while a worker is in the middle of Python
    code; both have been seen to crash or hang PySide6. As Anki does, FocalPoint turns
    automatic collection off and collects from a UI-thread timer, skipping a turn while a
    background task runs. Reference counting still frees almost everything at once; only
    reference cycles wait for the timer. UI thread only.
    """

    INTERVAL_MS = 30_000

    def __init__(self, runner: TaskRunner | None, parent: QObject | None = None) -> None:
        import gc

        from PySide6.QtCore import QTimer

        self._runner = runner
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(parent)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.collect_if_idle)
        self.timer.start()
        self.collections = 0

    def collect_if_idle(self) -> bool:
        if self._runner is not None and getattr(self._runner, "busy", False):
            return False  # a worker is running Python: try again at the next tick
        return self.collect_now()

    def collect_now(self) -> bool:
        import gc

        gc.collect()
        self.collections += 1
        return True

    def stop(self) -> None:
        import gc

        self.timer.stop()
        if self._was_enabled:
            gc.enable()
