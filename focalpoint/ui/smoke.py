"""A start-up self-check for packaged builds and benchmarks.

``FOCALPOINT_UI_HOOK=focalpoint.ui.smoke:catalog_then_quit FocalPoint`` starts the app as a person
would, waits for the catalogue to be on screen, prints ``FOCALPOINT_CATALOG <activities> <seconds>``
and quits with 0 (or 3 if the catalogue did not arrive within a minute). UI thread.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def catalog_then_quit(window) -> None:  # noqa: ANN001
    from focalpoint.ui.app import seconds_since_process_start

    app = QApplication.instance()

    def done() -> None:
        total = window.catalog.activity_total
        print(f"FOCALPOINT_CATALOG {total} {seconds_since_process_start():.3f}", flush=True)
        app.exit(0 if total else 3)

    def give_up() -> None:
        print("FOCALPOINT_CATALOG 0 timeout", file=sys.stderr, flush=True)
        app.exit(3)

    if window.catalog.activity_total:
        QTimer.singleShot(0, done)
    else:
        window.catalog.loaded.connect(lambda: QTimer.singleShot(0, done))
        QTimer.singleShot(60_000, give_up)
