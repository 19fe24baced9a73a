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
