"""FocalPoint: offline-first companion for CBD national focal points.

The core package (everything outside ``focalpoint.ui``) never imports PySide6,
so the CLI and the hub run on machines without a display.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("focalpoint")
except _metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle
    __version__ = "0.1.0"

APP_NAME = "FocalPoint"
