"""First start (welcome dialog), where the person left off, and File > Back up / Restore."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.ui import close_main_window, make_database, open_main_window, write_sample_plan  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]


@pytest.fixture(autouse=True)
def _left_to_right_after():
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _run_app(qtbot, data: Path, plan: Path, driver, monkeypatch) -> int:  # noqa: ANN001
    """Run the real ``run_gui`` on ``data``; ``driver(window, welcome_dialogs)`` is polled every 50 ms
    and returns True when it has finished (it closes the window itself)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from focalpoint.ui.app import run_gui
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.welcome import WelcomeDialog

    monkeypatch.setenv("FOCALPOINT_ACTION_PLAN_DIR", str(plan))
    monkeypatch.delenv("FOCALPOINT_EXIT_AFTER_SHOWN", raising=False)
    monkeypatch.delenv("FOCALPOINT_UI_HOOK", raising=False)
    timer = QTimer()
    timer.setInterval(50)
    state = {"ticks": 0}

    def tick() -> None:
        state["ticks"] += 1
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible() and w.built]  # its frame shows first
        if not windows:
            return
        dialogs = [w for w in QApplication.allWidgets() if isinstance(w, WelcomeDialog) and w.isVisible()]
        if driver(windows[0], dialogs) or state["ticks"] > 400:  # 20 s safety net
            timer.stop()
            for dialog in dialogs:
                dialog.reject()
            windows[0].close()

    timer.timeout.connect(tick)
    timer.start()
    code = run_gui(argparse.Namespace(data_dir=str(data)))
    timer.stop()
    return code


def test_welcome_on_first_start_then_not_again(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    seen: dict[str, object] = {}

    def first(window, dialogs) -> bool:  # noqa: ANN001
        if "offline" not in seen:
            if not dialogs:
                return False
            dialog = dialogs[0]
            seen["welcome"] = True
            dialog.language_buttons["ar"].click()
            seen["rtl"] = QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
            seen["dialog_rtl"] = dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
            dialog.language_buttons["en"].click()
            dialog.offline_button.click()
            seen["offline"] = True
            return False
        if window.catalog.activity_total == 0:
            return False
        seen["catalogue"] = window.catalog.activity_total
        seen["dialog_gone"] = not dialogs
        return True

    assert _run_app(qtbot, data, plan, first, monkeypatch) == 0
    assert seen.get("welcome") is True
    assert seen["rtl"] and seen["dialog_rtl"]
    assert seen["dialog_gone"] and seen["catalogue"] > 0
    assert "first_start_done=true" in (data / "settings.ini").read_text()

    second: dict[str, object] = {}

    def again(window, dialogs) -> bool:  # noqa: ANN001
        if window.catalog.activity_total == 0:
            second["dialogs"] = second.get("dialogs", False) or bool(dialogs)
            return False
        second["dialogs"] = second.get("dialogs", False) or bool(dialogs)
        return True

    assert _run_app(qtbot, data, plan, again, monkeypatch) == 0
    assert second["dialogs"] is False


def test_choosing_arabic_sets_rtl_and_stores_language(qtbot, db):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from focalpoint import i18n
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.settings import open_settings, stored_language
    from focalpoint.ui.tasks import TaskRunner
    from focalpoint.ui.welcome import WelcomeDialog

    settings = open_settings(db.data_dir)
    controller = LanguageController(QApplication.instance(), settings)
    runner = TaskRunner()
    try:
        dialog = WelcomeDialog(db, runner, controller, settings)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.grab().save("/tmp/welcome_en.png")
        dialog.language_buttons["ar"].click()
        assert i18n.get_language() == "ar"
        assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert stored_language(settings) == "ar"
        assert dialog.language_buttons["ar"].isChecked()
        qtbot.wait(50)  # the re-layout after the direction change is a posted event
        dialog.grab().save("/tmp/welcome_ar.png")
        dialog.offline_button.click()
        assert not dialog.isVisible()
        assert str(settings.value("first_start_done")).lower() == "true"
    finally:
        controller.detach()
        runner.shutdown(wait=True)


def test_sign_in_from_welcome_uses_the_sign_in_dialog_hook(qtbot, db):
    from focalpoint.ui.tasks import TaskRunner
    from focalpoint.ui.welcome import WelcomeDialog

    runner = TaskRunner()
    try:
        dialog = WelcomeDialog(db, runner)
        qtbot.addWidget(dialog)
        calls = []
        dialog.open_sign_in = lambda d, r, parent: calls.append(parent) or ("https://hub.example", "a@b.org")
        dialog.show()
        dialog.sign_in_button.click()
        assert calls == [dialog]
        assert "a@b.org" in dialog.signed_in_label.text()
        assert dialog.offline_button.text() == "Continue"
    finally:
        runner.shutdown(wait=True)


# ------------------------------------------------------------------ backup / restore


@pytest.fixture
def window(qtbot, tmp_path):
    from focalpoint.ui.settings import open_settings

    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "wdata"
    db = make_database(data, plan)
    win = open_main_window(qtbot, db, plan, timeout=15000, settings=open_settings(data))
    messages: list[tuple[str, str]] = []
    actions = win.backup_actions
    actions.inform = lambda parent, title, text: messages.append(("info", text))
    actions.warn = lambda parent, title, text: messages.append(("error", text))
    actions.confirm = lambda parent, title, text: True
    win.test_messages = messages
    yield win
    close_main_window(win)


def test_file_menu_back_up_writes_a_verified_zip(qtbot, window, tmp_path):
    from focalpoint.backup import verify_backup

    actions = window.backup_actions
    assert actions.backup_action in window.file_menu.actions()
    assert actions.restore_action in window.file_menu.actions()
    target = tmp_path / "out" / "my backup.zip"
    actions.ask_save_path = lambda parent, suggested: target
    with qtbot.waitSignal(actions.backup_done, timeout=15000):
        actions.backup_action.trigger()
    assert target.is_file()
    assert window.test_messages and window.test_messages[-1][0] == "info"
    assert str(target) in window.test_messages[-1][1]
    work = tmp_path / "verify"
    work.mkdir()
    manifest = verify_backup(target, work)
    assert "focalpoint.sqlite3" in manifest["files"]


def test_restore_from_bad_file_shows_error_and_changes_nothing(qtbot, window, tmp_path):
    actions = window.backup_actions
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip file" * 50)
    total = window.catalog.activity_total
    from sqlalchemy import text

    with window.db.session() as session:  # data entered before the failed restore
        session.execute(text("CREATE TABLE zz_marker (x INTEGER)"))
        session.execute(text("INSERT INTO zz_marker VALUES (42)"))
    actions.ask_open_path = lambda parent, folder: bad
    with qtbot.waitSignal(actions.failed, timeout=15000):
        actions.restore_action.trigger()
    kind, message = window.test_messages[-1]
    assert kind == "error"
    assert "Nothing was restored" in message and "bad.zip" in message
    with window.db.session() as session:
        assert session.execute(text("SELECT x FROM zz_marker")).scalar_one() == 42
    assert not any((window.db.data_dir / "backups").glob("*before-restore*"))
    # the database still works, with the same data
    with qtbot.waitSignal(window.catalog.loaded, timeout=15000):
        window.catalog.load()
    assert window.catalog.activity_total == total


def test_restore_replaces_data_and_window_reloads(qtbot, window, tmp_path):
    from sqlalchemy import text

    actions = window.backup_actions
    target = tmp_path / "good.zip"
    actions.ask_save_path = lambda parent, suggested: target
    with qtbot.waitSignal(actions.backup_done, timeout=15000):
        actions.backup_action.trigger()
    # change the data after the backup: a marker setting row in the store
    with window.db.session() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS zz_marker (x INTEGER)"))
    confirmations: list[str] = []
    actions.confirm = lambda parent, title, body: confirmations.append(body) or True
    actions.ask_open_path = lambda parent, folder: target
    with qtbot.waitSignal(actions.restore_done, timeout=15000):
        actions.restore_action.trigger()
    assert len(confirmations) == 2
    assert window.test_messages[-1][0] == "info"
    with window.db.session() as session:
        names = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "zz_marker" not in names
    assert any((window.db.data_dir / "backups").iterdir())
    with qtbot.waitSignal(window.catalog.loaded, timeout=15000):
        window.catalog.load()
    assert window.catalog.activity_total > 0


def test_restore_cancelled_at_second_confirmation_changes_nothing(qtbot, window, tmp_path):
    actions = window.backup_actions
    answers = iter([True, False])
    actions.confirm = lambda parent, title, body: next(answers)
    actions.ask_open_path = lambda parent, folder: tmp_path / "whatever.zip"
    actions.restore_action.trigger()
    assert not actions.busy and window.test_messages == []


def test_last_tab_and_activity_are_remembered(qtbot, window):
    from focalpoint.ui.welcome import ACTIVITY_KEY, TAB_KEY

    first = next(iter(sorted(window.catalog._by_number)))
    with qtbot.waitSignal(window.catalog.activity_shown, timeout=5000, raising=False):
        window.catalog.show_activity(first)
    if window.records is not None:
        window.tabs.setCurrentWidget(window.records)
    window.save_state()
    assert int(window.settings.value(ACTIVITY_KEY)) == first
    assert int(window.settings.value(TAB_KEY)) == window.tabs.currentIndex()
