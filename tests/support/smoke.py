"""Start-up checks the packaged app runs from this file (it is not in the bundle).

``FOCALPOINT_UI_HOOK=/path/to/tests/support/smoke.py:catalog_then_quit FocalPoint`` starts the app as a
person would, waits for the catalogue to be on screen, prints ``FOCALPOINT_CATALOG <activities> <seconds>``
and quits with 0 (or 3 if the catalogue did not arrive within a minute). UI thread.

The app loads this file by path and runs it with the bundle's own modules, so it imports only
PySide6, the standard library and ``focalpoint``.
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


def tour_then_quit(window) -> None:  # noqa: ANN001
    """Visit what a person would on a first morning, then quit: every main tab, a new capacity needs
    assessment in the editor, the print, PDF import and sign-in dialogs. Prints ``FOCALPOINT_TOUR``
    and the names of what was shown, then quits with 0, or prints the traceback and quits with 3.
    With ``FOCALPOINT_SMOKE_SHOTS=DIR`` each step is also saved as ``DIR/NN-name.png``. UI thread.

    Meant for the frozen bundle: a module the bundle left out fails here, not in a person's hands.
    """
    import os
    import traceback
    from pathlib import Path

    from focalpoint.ui.signin_dialog import SignInDialog

    app = QApplication.instance()
    shots = os.environ.get("FOCALPOINT_SMOKE_SHOTS")
    seen: list[str] = []
    opened: list = []

    def shot(name: str, widget) -> None:  # noqa: ANN001
        seen.append(name)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            widget.grab().save(str(Path(shots) / f"{len(seen):02d}-{name}.png"))

    def steps():
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            yield
            page = window.tabs.widget(index).objectName()
            shot(f"tab{index}-{page}" if page else f"tab{index}", window)
        editor = window.records.new_record("capacityNeedsAssessment") if window.records else None
        if editor is not None:
            opened.append(editor)
            yield
            shot("editor", editor)
        def open_sign_in() -> SignInDialog:
            dialog = SignInDialog(window.db, window.runner, window)
            dialog.load()
            dialog.show()
            return dialog

        for name, make in (("print", window.printing.open_print_dialog),
                           ("import", window.printing.open_import_dialog), ("sign-in", open_sign_in)):
            dialog = make()
            opened.append(dialog)
            yield
            shot(name, dialog)

    walk = steps()

    def step() -> None:
        try:
            next(walk)
        except StopIteration:
            for widget in opened:
                widget.close()
            print("FOCALPOINT_TOUR " + " ".join(seen), flush=True)
            app.exit(0)
            return
        except Exception:  # noqa: BLE001 - the point is to report it
            traceback.print_exc()
            app.exit(3)
            return
        QTimer.singleShot(300, step)

    def start() -> None:
        QTimer.singleShot(0, step)

    if window.catalog.activity_total:
        start()
    else:
        window.catalog.loaded.connect(start)
        QTimer.singleShot(60_000, lambda: (print("FOCALPOINT_TOUR timeout", file=sys.stderr, flush=True),
                                           app.exit(3)))
