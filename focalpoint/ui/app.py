"""Start-up of the desktop app: ``run_gui(args) -> int``.

Three steps, so that a window is on screen as soon as a bare Qt window would be, and the
action plan readable right after:

1. the frame: QApplication → the settings → language (command line or ``FOCALPOINT_LANG``,
   else the settings, else the system locale, else English) → the bundled fonts that
   language needs → Qt's own translations and the layout direction → the main window's
   frame (``MainWindow.frame``: title, geometry, menu titles, tab bar, "Opening the
   database…"), shown. Nothing of the database, the models or the tabs is imported yet.
2. once that frame is painted (a zero timer after its first paint event): the action plan
   stored in the database is read on a helper thread through a read-only ``sqlite3``
   connection (``focalpoint.plan_read.quick_snapshot``: no SQLAlchemy) and listed in its tab
   (``MainWindow.show_catalogue``), where it can be read, scrolled and searched while the rest
   loads. Not on a first start, nor when the schema must be migrated or the file is not
   readable: the usual way below checks the file and explains.
3. once that list is painted: the other fonts; on a helper thread, the database opens
   (SQLite's quick check, the schema revision) and the modules without Qt are imported
   (SQLAlchemy, the models, the forms: ``PLAIN_PART_MODULES``); then, on this thread, the
   window's own modules one at a time, and the same window is built (``MainWindow.build``,
   the listed action plan kept and given the database) and starts loading its data on the DB
   worker: the catalogue (loaded from the shipped plan when it changed), the thesaurus terms
   kept from earlier syncs, the records.
   A ``DatabaseError`` is shown over the frame in the person's language and ends the app with
   its exit code, the file untouched; any other failure ends the event loop and is raised.

Heavy modules (the sync client, the keyring, Alembic when the database is already at the
newest schema, PDF and printing) are imported on first use, not here.

Environment hooks, for tests and benchmarks:

- ``FOCALPOINT_EXIT_AFTER_SHOWN=1``: print ``FOCALPOINT_SHOWN <seconds since process
  start> <CPU seconds the process has used>`` once the main window's frame is on screen,
  painted (a zero timer queued by the window's first paint event has fired: the whole first
  paint pass is done), ``FOCALPOINT_LISTED <seconds> <CPU seconds>`` once the action plan is
  listed in it (step 2; not printed when it was not), then ``FOCALPOINT_READY <seconds> <CPU
  seconds>`` once the window is built, the action plan listed and the window painted again,
  then quit; ``bench/bench_ui.py`` times a bare ``QMainWindow`` the same way;
- ``FOCALPOINT_UI_HOOK=module:function`` (or ``file.py:function``): call ``function(window)`` once it
  is built and has started loading its data;
- either of the two above also skips the first-start welcome dialog
  (``focalpoint.ui.welcome``), which otherwise opens over the window on an empty data folder;
- ``FOCALPOINT_ACTION_PLAN_DIR``: read the action plan from another folder;
- ``FOCALPOINT_NO_DIALOGS=1``: never open a modal message box (also the case on the
  ``offscreen`` and ``minimal`` Qt platforms): errors go to stderr only.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from focalpoint.db import Database, DatabaseError
    from focalpoint.plan_read import CatalogSnapshot
    from focalpoint.ui.compat import GarbageCollector
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.tasks import TaskRunner

_T0 = time.perf_counter()


def seconds_since_process_start() -> float:
    """Wall time since this process began (Linux /proc), else since this module was imported."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _T0


def headless(app: QApplication) -> bool:
    return os.environ.get("FOCALPOINT_NO_DIALOGS") == "1" or app.platformName() in ("offscreen", "minimal")


def choose_language(args: argparse.Namespace, stored: str | None) -> str:
    """Command line, then FOCALPOINT_LANG, then the stored choice, then the system's, then English."""
    from focalpoint.i18n import normalize_language, system_language

    return (normalize_language(getattr(args, "lang", None))
            or normalize_language(os.environ.get("FOCALPOINT_LANG"))
            or normalize_language(stored)
            or system_language())


def show_database_error(app: QApplication, exc: DatabaseError, parent: QWidget | None = None) -> int:
    """Tell the person why the database cannot be opened (in a message box over ``parent``
    unless headless); returns the exit code. UI thread."""
    from focalpoint.i18n import _

    message = exc.user_message
    print(_("Error: {message}").format(message=message), file=sys.stderr)
    if not headless(app):
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, _("FocalPoint cannot open its database"), message,
                          QMessageBox.StandardButton.Close, parent)
        box.exec()
    return exc.exit_code


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> QObject:
    """Call ``callback`` once ``window`` has painted for the first time (on a zero timer queued by
    its first paint event, so the whole paint pass, children included, is done). Returns the
    event filter (owned by ``window``). UI thread."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        painted = False

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if not self.painted and event.type() == QEvent.Type.Paint:
                self.painted = True
                QTimer.singleShot(0, callback)
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    return watcher


def _call_hook(spec: str, window: QWidget) -> None:
    """Call ``FOCALPOINT_UI_HOOK``'s function with the shown window. UI thread.

    The spec is ``module:function`` or ``path/to/file.py:function`` (the packaged app runs
    the tests' start-up checks from their file; ``function`` defaults to ``hook``)."""
    target, func_name = spec, "hook"
    if not spec.endswith(".py"):
        head, sep, tail = spec.rpartition(":")
        if sep and "/" not in tail and "\\" not in tail:
            target, func_name = head, tail
    if target.endswith(".py"):
        loaded = importlib.util.spec_from_file_location(Path(target).stem, target)
        if loaded is None or loaded.loader is None:
            raise ImportError(f"FOCALPOINT_UI_HOOK: cannot load {target}")
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    getattr(module, func_name)(window)


def run_gui(args: argparse.Namespace) -> int:
    """Run the desktop app until its window closes. Returns the process exit code. UI thread."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from focalpoint import APP_NAME
    from focalpoint.paths import resolve_data_dir
    from focalpoint.ui.fonts import install_application_font
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.settings import open_settings, stored_language

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_NAME)
    # fractional screen scales are used as they are (Qt 6's default rounding policy, PassThrough); no
    # enum of the Qt namespace is touched before the frame is painted (see focalpoint.ui.language)
    QApplication.setDesktopFileName("org.focalpoint.FocalPoint")  # `focalpoint desktop-entry install`
    existing = QApplication.instance()
    if existing is None:
        app = QApplication(sys.argv[:1])
    elif isinstance(existing, QApplication):
        app = existing
    else:  # a console-only or GUI-only application object cannot show widgets
        raise RuntimeError(f"FocalPoint's window needs a QApplication, but this process runs a "
                           f"{type(existing).__name__}")
    from focalpoint.ui.compat import protect_none_refcount

    protect_none_refcount()
    from PySide6.QtGui import QIcon

    from focalpoint.resources import resource_path

    icon = resource_path("icons", "focalpoint.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    try:
        settings = open_settings(data_dir)
    except OSError:
        settings = None  # the database check below explains what is wrong with the folder
    lang = choose_language(args, stored_language(settings) if settings is not None else None)
    install_application_font(app, languages=(lang,))  # the other scripts' fonts once the frame shows
    language = LanguageController(app, settings)
    language.apply(lang)

    plan_dir = os.environ.get("FOCALPOINT_ACTION_PLAN_DIR")
    window = MainWindow.frame(language=language, settings=settings, plan_folder=Path(plan_dir) if plan_dir else None)
    startup = _Startup(app, window, language, settings, data_dir)
    after_first_paint(window, startup.frame_painted)
    window.show()
    try:
        code = app.exec()
    finally:
        startup.finish()
    if startup.failure is not None:
        raise startup.failure
    return startup.exit_code if startup.exit_code is not None else int(code)


def open_in_background(data_dir: Path) -> Database:
    """Open the database in ``data_dir`` (``focalpoint.db.open_database``), then import the window's
    modules that need no Qt. The app's helper thread."""
    from focalpoint.db import open_database
    from focalpoint.ui.main_window import import_plain_parts

    db = open_database(data_dir)
    try:
        import_plain_parts()
    except BaseException:
        db.close()
        raise
    return db


class _Startup(QObject):
    """The desktop app's start after its window's frame is painted: open the database (on a
    helper thread, while the window's modules are imported here), then build the window, load
    its data, and run the hook or the welcome dialog. UI thread (``opened`` is emitted from the
    helper thread and delivered on the UI thread)."""

    plan_read = Signal(object)  # the Future of plan_read.quick_snapshot
    opened = Signal(object)  # the Future of open_database

    def __init__(self, app: QApplication, window: MainWindow, language: LanguageController,
                 settings: QSettings | None, data_dir: Path) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.language = language
        self.settings = settings
        self.data_dir = data_dir
        self.exit_after_shown = os.environ.get("FOCALPOINT_EXIT_AFTER_SHOWN") == "1"
        self.hook = os.environ.get("FOCALPOINT_UI_HOOK")
        self.exit_code: int | None = None  # a database error's
        self.failure: BaseException | None = None  # raised by run_gui once the event loop has ended
        self.database_existed = False
        self.opener: ThreadPoolExecutor | None = None
        self.opening: Future[Database] | None = None
        self.db: Database | None = None
        self.runner: TaskRunner | None = None
        self._parts: list[str] = []  # the window's modules still to import
        self.collector: GarbageCollector | None = None
        self.plan_read.connect(self._plan_read)  # queued: emitted on the helper thread
        self.opened.connect(self._database_opened)  # queued: emitted on the helper thread

    def _fail(self, exc: BaseException) -> None:
        """Starting failed unexpectedly: end the event loop; run_gui raises ``exc`` (no half-started app)."""
        self.failure = exc
        self.app.exit(1)

    def frame_painted(self) -> None:
        """The frame is on screen: report it when asked; read the action plan stored in the database
        on the helper thread (read-only, without SQLAlchemy: a few milliseconds)."""
        if self.exit_after_shown:
            print(f"FOCALPOINT_SHOWN {seconds_since_process_start():.4f} {time.process_time():.4f}", flush=True)
        try:
            from concurrent.futures import ThreadPoolExecutor

            from focalpoint.paths import database_path
            from focalpoint.plan_read import quick_snapshot

            self.opener = ThreadPoolExecutor(max_workers=1, thread_name_prefix="focalpoint-open")
            reading = self.opener.submit(quick_snapshot, database_path(self.data_dir))
            reading.add_done_callback(self.plan_read.emit)  # queued to this thread
        except BaseException as exc:  # noqa: BLE001 - re-raised by run_gui
            self._fail(exc)

    def _plan_read(self, reading: Future[CatalogSnapshot | None]) -> None:
        """List the plan read and, once that is painted, open the database; without a plan to list
        (a first start, a schema to migrate, a file the usual way must check and explain), open it now."""
        try:
            snapshot = reading.result()
            if snapshot is None:
                self._open()
                return
            self.window.show_catalogue(snapshot)
            # the helper thread's imports would hold Python's lock while the list paints: opened after
            after_first_paint(self.window.catalog.tree.viewport(), self._listed)
        except BaseException as exc:  # noqa: BLE001 - re-raised by run_gui
            self._fail(exc)

    def _listed(self) -> None:
        """The action plan is listed and painted: report it when asked, then open the database."""
        if self.exit_after_shown:
            print(f"FOCALPOINT_LISTED {seconds_since_process_start():.4f} {time.process_time():.4f}", flush=True)
        try:
            self._open()
        except BaseException as exc:  # noqa: BLE001 - re-raised by run_gui
            self._fail(exc)

    def _open(self) -> None:
        from PySide6.QtCore import QCoreApplication

        from focalpoint import __version__
        from focalpoint.paths import database_path
        from focalpoint.ui.fonts import install_application_font

        install_application_font(self.app)  # every script now: records may hold any
        QCoreApplication.setApplicationVersion(__version__)
        self.database_existed = database_path(self.data_dir).exists()
        # SQLite's quick check, the schema revision and the modules without Qt (SQLAlchemy, the
        # models…) on the helper thread: this one stays free for the person (the action plan listed)
        assert self.opener is not None  # made by frame_painted, which reads the plan on it first
        self.opening = self.opener.submit(open_in_background, self.data_dir)
        # called on the helper thread (the signal is then queued to this one)
        self.opening.add_done_callback(self.opened.emit)

    def _database_opened(self, opening: Future[Database]) -> None:
        from focalpoint.db import DatabaseError
        from focalpoint.ui.main_window import PART_MODULES

        try:
            try:
                self.db = opening.result()
            except DatabaseError as exc:
                self.exit_code = show_database_error(self.app, exc, parent=self.window)
                self.language.detach()  # after the message: its buttons in the person's language
                self.app.exit(self.exit_code)
                return
            self._parts = list(PART_MODULES)
            self._import_next_part()
        except BaseException as exc:  # noqa: BLE001 - re-raised by run_gui
            self._fail(exc)

    def _import_next_part(self) -> None:
        """Import the window's modules one at a time (the person's clicks and keys are handled in
        between), then build the window."""
        try:
            if self._parts:
                importlib.import_module(self._parts.pop(0))
                QTimer.singleShot(0, self._import_next_part)
                return
            self._build()
        except BaseException as exc:  # noqa: BLE001 - re-raised by run_gui
            self._fail(exc)

    def _build(self) -> None:
        from focalpoint.ui.compat import GarbageCollector
        from focalpoint.ui.tasks import TaskRunner

        assert self.db is not None
        window, db = self.window, self.db
        self.runner = runner = TaskRunner()
        self.collector = GarbageCollector(runner, self.app)
        window.build(db, runner)
        if self.exit_after_shown:
            window.catalog.loaded.connect(self._catalogue_loaded)
        window.start()
        if self.exit_after_shown:
            return
        if self.hook:
            _call_hook(self.hook, window)
        elif os.environ.get("FOCALPOINT_EXIT_AFTER_SHOWN") is None:
            from focalpoint.ui.welcome import show_welcome, welcome_needed

            if welcome_needed(self.settings, self.database_existed):
                show_welcome(window)  # over the window, while the catalogue loads behind it

    def _catalogue_loaded(self) -> None:
        self.window.catalog.loaded.disconnect(self._catalogue_loaded)
        QTimer.singleShot(0, self._ready)

    def _ready(self) -> None:
        """Built, the action plan listed and painted: report it (FOCALPOINT_EXIT_AFTER_SHOWN) and quit."""
        self.window.repaint()
        print(f"FOCALPOINT_READY {seconds_since_process_start():.4f} {time.process_time():.4f}", flush=True)
        QTimer.singleShot(0, self.window.close)

    def finish(self) -> None:
        """After the event loop: stop the workers and close the database (also one opened too late to
        be used, the window closed first). UI thread."""
        self.window.hide()  # still shown when a database error or a failure ended the event loop
        try:
            if self.opener is not None:
                self.opener.shutdown(wait=True)
                if self.db is None and self.opening is not None and self.opening.exception() is None:
                    self.db = self.opening.result()
            if self.runner is not None:
                self.runner.shutdown(wait=True)
            if self.collector is not None:
                self.collector.stop()
        finally:
            self.language.detach()
            if self.db is not None:
                self.db.close()
