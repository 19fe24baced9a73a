"""Start-up in two steps: the main window's frame is painted before the heavy modules (SQLAlchemy,
the models, the tabs) are imported, then the same window is built and becomes usable; a bad
database still ends the app with its message and exit code, the file untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.ui import write_sample_plan  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gui
HEAVY = ("sqlalchemy", "focalpoint.models", "focalpoint.db", "focalpoint.ui.catalog_browser",
         "focalpoint.ui.records_panel", "focalpoint.ui.sync_controller")

# Runs the real app (``focalpoint.__main__.main``) in a QApplication made here first, watching from
# outside (an application-wide event filter) what the main window looks like, and which modules are
# loaded, when it receives its first paint event (one ``FRAME {json}`` line), and when the action
# plan's list is first painted (``LIST {json}``; with ``SEARCH_FOR=text`` that text is then typed in
# its search box and with ``CHOOSE_ACTIVITY=N`` activity N is chosen, as a person would).
WATCHER = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
HEAVY = HEAVY_NAMES
class Watch(QObject):
    done = False
    listed = False
    def eventFilter(self, obj, event):
        if (not self.listed and event.type() == QEvent.Type.Paint and obj.parent() is not None
                and obj.parent().objectName() == "catalogTree"):
            self.listed = True
            window = obj.window()
            print("LIST " + json.dumps({
                "heavy": [m for m in HEAVY if m in sys.modules], "built": window.built,
                "menus_enabled": window.menuBar().isEnabled(), "activities": window.catalog.activity_total,
                "current_tab": window.tabs.tabText(window.tabs.currentIndex()),
                "sections": window.catalog.tree_model.rowCount(),
                "splitter": window.catalog.splitter.sizes()}), flush=True)
            if os.environ.get("SEARCH_FOR"):
                window.catalog.filter_bar.search.setText(os.environ["SEARCH_FOR"])
            if os.environ.get("CHOOSE_ACTIVITY"):
                window.catalog.show_activity(int(os.environ["CHOOSE_ACTIVITY"]))
                print("CHOSEN " + json.dumps({"detail": window.catalog.placeholder.text()}), flush=True)
        if not self.done and event.type() == QEvent.Type.Paint and obj.objectName() == "mainWindow":
            self.done = True
            bar = obj.menuBar()
            labels = [w for w in obj.findChildren(QLabel, "openingMessage") if w.isVisible()]
            print("FRAME " + json.dumps({
                "heavy": [m for m in HEAVY if m in sys.modules],
                "built": obj.built, "title": obj.windowTitle(),
                "menus": [a.text() for a in bar.actions()], "menus_enabled": bar.isEnabled(),
                "tabs": [obj.tabs.tabText(i) for i in range(obj.tabs.count())],
                "message": [w.text() for w in labels],
                "rtl": app.isRightToLeft(), "size": [obj.width(), obj.height()]}), flush=True)
        return False
watch = Watch()
app.installEventFilter(watch)
from focalpoint.__main__ import main
sys.exit(main(sys.argv[1:]))
""".replace("HEAVY_NAMES", repr(HEAVY))


def hook(window) -> None:  # noqa: ANN001
    """FOCALPOINT_UI_HOOK: once the action plan is listed and the DB worker idle, print what a person
    would find in the window (``READY {json}``) and quit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLabel

    def report() -> None:
        if window.runner.busy:
            window.runner.busy_changed.connect(lambda busy: busy or QTimer.singleShot(0, report))
            return
        window.records.load()  # the Records tab's list, as when a person opens it
        window.runner.wait_db_idle()
        QTimer.singleShot(0, finish)

    def finish() -> None:
        bar = window.menuBar()
        print("READY " + json.dumps({
            "built": window.built, "menus_enabled": bar.isEnabled(),
            "menus": [a.text() for a in bar.actions()],
            "tabs": [window.tabs.tabText(i) for i in range(window.tabs.count())],
            "opening_labels": len(window.findChildren(QLabel, "openingMessage")),
            "activities": window.catalog.activity_total,
            "new_record_types": len(window.new_actions),
            "sync_actions": [a.text() for a in window.sync_menu.actions() if not a.isSeparator()],
            "detail": window.catalog.detail_text(), "listed": window.catalog.table_model.rowCount(),
            "splitter": window.catalog.splitter.sizes()}), flush=True)
        window.close()

    if window.catalog.activity_total:
        QTimer.singleShot(0, report)
    else:
        window.catalog.loaded.connect(lambda: QTimer.singleShot(0, report))


def _run(args: list[str], **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FOCALPOINT_EXIT_AFTER_SHOWN", "FOCALPOINT_UI_HOOK")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "FOCALPOINT_LANG": "en", **env_extra})
    return subprocess.run([sys.executable, "-c", WATCHER, *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def _line(proc: subprocess.CompletedProcess[str], prefix: str) -> dict:
    (line,) = [l for l in proc.stdout.splitlines() if l.startswith(prefix + " ")]
    return json.loads(line[len(prefix) + 1:])


def test_the_frame_is_painted_before_the_heavy_modules_then_the_window_becomes_usable(tmp_path):
    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"  # empty: a first start, the database is created behind the frame
    proc = _run(["--data-dir", str(data)], FOCALPOINT_ACTION_PLAN_DIR=str(plan),
                FOCALPOINT_UI_HOOK="tests.test_ui_startup_frame:hook")
    assert proc.returncode == 0, proc.stderr
    frame = _line(proc, "FRAME")
    assert frame["heavy"] == []  # nothing of the database or the tabs yet
    assert not frame["built"]
    assert frame["title"] == "FocalPoint — capacity-building action plan and records"
    assert frame["menus"] == ["&File", "&Edit", "&View", "&Language", "&Sync", "Re&view", "&Help"]
    assert not frame["menus_enabled"]  # greyed until the window is built
    assert frame["tabs"] == ["&Action plan", "&Records", "Re&view", "&Dashboard"]
    assert frame["message"] == ["Opening the database…"]
    assert frame["size"][0] > 600 and frame["size"][1] > 400
    ready = _line(proc, "READY")
    assert ready["built"] and ready["menus_enabled"]
    assert ready["menus"] == frame["menus"]  # the same menu bar, now filled in
    assert ready["tabs"] == frame["tabs"]  # the same tab bar, now with its pages
    assert ready["opening_labels"] == 0
    assert ready["activities"] > 0
    assert ready["new_record_types"] > 0  # File > New record offers the record types
    assert "Sync now" in [a.replace("&", "") for a in ready["sync_actions"]]
    assert min(ready["splitter"]) > 0  # the action plan and its detail side by side
    assert (data / "focalpoint.sqlite3").exists()


def test_the_frame_speaks_the_persons_language_and_both_moments_are_reported(tmp_path):
    from focalpoint.i18n import _, set_language

    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    proc = _run(["--lang", "ar", "--data-dir", str(data)], FOCALPOINT_ACTION_PLAN_DIR=str(plan),
                FOCALPOINT_EXIT_AFTER_SHOWN="1")
    assert proc.returncode == 0, proc.stderr
    frame = _line(proc, "FRAME")
    assert frame["heavy"] == [] and frame["rtl"]
    set_language("ar")
    try:
        assert frame["message"] == [_("Opening the database…")]
        assert frame["title"] == _("{app} — capacity-building action plan and records").format(app="FocalPoint")
        assert frame["tabs"][0] == _("&Action plan") != "&Action plan"
    finally:
        set_language("en")
    lines = [l.split() for l in proc.stdout.splitlines() if l.startswith("FOCALPOINT_")]
    assert [l[0] for l in lines] == ["FOCALPOINT_SHOWN", "FOCALPOINT_READY"]  # the frame, then the usable window
    shown, ready = lines
    assert 0 < float(shown[1]) <= float(ready[1]) < 60
    assert float(shown[2]) <= float(ready[2])  # CPU seconds used by then
    # the next start lists the stored plan in between
    proc = _run(["--lang", "ar", "--data-dir", str(data)], FOCALPOINT_ACTION_PLAN_DIR=str(plan),
                FOCALPOINT_EXIT_AFTER_SHOWN="1")
    assert proc.returncode == 0, proc.stderr
    lines = [l.split() for l in proc.stdout.splitlines() if l.startswith("FOCALPOINT_")]
    assert [l[0] for l in lines] == ["FOCALPOINT_SHOWN", "FOCALPOINT_LISTED", "FOCALPOINT_READY"]
    assert float(lines[0][1]) <= float(lines[1][1]) <= float(lines[2][1])


def test_a_later_start_lists_the_action_plan_before_the_heavy_modules_load(tmp_path):
    """Once the database holds the plan, the next start lists it from a read-only connection right
    after the frame, before SQLAlchemy is imported; a search typed and an activity chosen then are
    run once the database is open, in the same list, which the built window keeps."""
    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    first = _run(["--data-dir", str(data)], FOCALPOINT_ACTION_PLAN_DIR=str(plan),
                 FOCALPOINT_UI_HOOK="tests.test_ui_startup_frame:hook")
    assert first.returncode == 0, first.stderr
    assert _line(first, "READY")["activities"] == 10
    assert _line(first, "LIST")["built"]  # a first start: listed once the database was created and built

    proc = _run(["--data-dir", str(data)], FOCALPOINT_ACTION_PLAN_DIR=str(plan),
                FOCALPOINT_UI_HOOK="tests.test_ui_startup_frame:hook", CHOOSE_ACTIVITY="13",
                SEARCH_FOR="revised toolkit")
    assert proc.returncode == 0, proc.stderr
    assert _line(proc, "FRAME")["heavy"] == []
    listed = _line(proc, "LIST")
    assert listed["heavy"] == ["focalpoint.ui.catalog_browser"]  # the list, and nothing of SQLAlchemy or the models
    assert not listed["built"] and not listed["menus_enabled"]
    assert listed["activities"] == 10 and listed["sections"] > 0
    assert listed["current_tab"] == "&Action plan"
    assert _line(proc, "CHOSEN")["detail"] == "Opening the database…"
    ready = _line(proc, "READY")
    assert ready["built"] and ready["menus_enabled"] and ready["activities"] == 10
    assert ready["listed"] == 1  # the search typed before the database was open: activity 13 only
    assert ready["tabs"] == ["&Action plan", "&Records", "Re&view", "&Dashboard"]
    assert ready["opening_labels"] == 0
    assert listed["splitter"] == ready["splitter"] and min(ready["splitter"]) > 0  # no jump when built
    from tests.support.ui import sample_plan

    chosen = next(a for a in sample_plan()["activities"] if a["number"] == 13)
    assert chosen["text"]["en"][:40] in ready["detail"]  # the activity chosen before the database was open


def test_a_damaged_database_is_refused_over_the_frame_and_left_untouched(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db_file = data / "focalpoint.sqlite3"
    garbage = os.urandom(4096)
    db_file.write_bytes(garbage)
    proc = _run(["--lang", "fr", "--data-dir", str(data)], FOCALPOINT_EXIT_AFTER_SHOWN="1")
    assert proc.returncode == 5, proc.stderr  # DatabaseCorruptError.exit_code
    assert _line(proc, "FRAME")["heavy"] == []  # the frame showed first
    assert "FOCALPOINT_SHOWN" in proc.stdout and "FOCALPOINT_READY" not in proc.stdout
    from focalpoint.i18n import _, set_language

    set_language("fr")
    try:
        said = _("The database {path} is damaged or is not a FocalPoint database. It has been left "
                 "as it is. Restore a backup with 'focalpoint restore FILE', or move the file away to "
                 "start afresh.").format(path=db_file)
    finally:
        set_language("en")
    assert said in proc.stderr and "damaged or is not a FocalPoint database" not in said
    assert db_file.read_bytes() == garbage
    assert sorted(p.name for p in data.iterdir() if p.name != "settings.ini") == ["focalpoint.sqlite3"]
    assert "main_window/geometry" not in (data / "settings.ini").read_text()  # nothing saved of a window never used


def test_a_frame_closed_before_it_is_built_saves_nothing(qtbot, tmp_path):
    """Closing the frame while the database opens (Alt+F4) closes it at once; no layout of an empty
    window replaces the one remembered."""
    from focalpoint.ui.app import after_first_paint
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.settings import GEOMETRY_KEY, open_settings

    settings = open_settings(tmp_path / "data")
    window = MainWindow.frame(settings=settings)
    qtbot.addWidget(window)
    painted: list[bool] = []
    after_first_paint(window, lambda: painted.append(True))
    window.show()
    qtbot.waitUntil(lambda: painted == [True], timeout=5000)
    assert not window.built and not window.menuBar().isEnabled()
    assert window.close()
    assert not window.isVisible()
    assert settings.value(GEOMETRY_KEY) is None
