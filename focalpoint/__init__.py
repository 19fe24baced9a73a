"""FocalPoint: offline-first companion for CBD national focal points.

The core package (everything outside ``focalpoint.ui``) never imports PySide6,
so the CLI and the hub run on machines without a display. ``__version__`` is read
from the installed package's metadata on first use (``importlib.metadata`` costs the
desktop app's start-up some milliseconds it does not need before its window shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

APP_NAME = "FocalPoint"

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> str:
    """``focalpoint.__version__``, looked up once (PEP 562). Any thread."""
    if name != "__version__":
        raise AttributeError(f"module 'focalpoint' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("focalpoint")
    except metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle
        version = "0.1.0"
    globals()["__version__"] = version
    return version
