"""The main window builds its Review, Dashboard and Print features itself: the tabs and menu
actions are there on a fresh start, they work, and a feature that cannot be imported stops the
window from being built instead of vanishing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QKeySequence

pytestmark = pytest.mark.gui


def _plain(text: str) -> str:
    return text.replace("&", "")


def _menu(window, title: str):  # noqa: ANN001, ANN202
    for action in window.menuBar().actions():
        if _plain(action.text()) == title:
            return action.menu()
    raise AssertionError(f"no {title!r} menu in {[_plain(a.text()) for a in window.menuBar().actions()]}")


def test_review_and_dashboard_tabs_are_in_the_main_window_and_open_from_the_review_menu(qtbot, main_window):
    from focalpoint.ui.dashboard import DashboardView
    from focalpoint.ui.review.queue_view import ReviewQueueView

    win = main_window
    pages = {type(win.tabs.widget(i)): _plain(win.tabs.tabText(i)) for i in range(win.tabs.count())}
    assert pages[ReviewQueueView] == "Review"
    assert pages[DashboardView] == "Dashboard"

    review_menu = _menu(win, "Review")
    titles = [_plain(a.text()) for a in review_menu.actions() if not a.isSeparator()]
    assert titles == ["Publication requests", "Dashboard", "History of the selected record…"]
    menus = [_plain(a.text()) for a in win.menuBar().actions()]
    assert menus.index("Review") == menus.index("Help") - 1

    queue_action, dashboard_action = review_menu.actions()[:2]
    assert queue_action.shortcut() == QKeySequence("Ctrl+3")
    assert dashboard_action.shortcut() == QKeySequence("Ctrl+4")
    with qtbot.waitSignal(win.review.queue.model.loaded, timeout=10000):
        queue_action.trigger()
    assert isinstance(win.tabs.currentWidget(), ReviewQueueView)
    dashboard_action.trigger()
    assert isinstance(win.tabs.currentWidget(), DashboardView)


def test_print_and_import_are_in_the_file_menu_and_open_their_dialogs(qtbot, main_window):
    from focalpoint.ui.import_pdf_dialog import ImportPdfDialog
    from focalpoint.ui.print_dialog import PrintDialog
    from focalpoint.ui.print_records import PrintRecordsDialog

    win = main_window
    file_menu = _menu(win, "File")
    by_title = {_plain(a.text()): a for a in file_menu.actions() if not a.isSeparator()}
    titles = list(by_title)
    assert titles.index("Print forms…") < titles.index("Print the action plan…") < titles.index(
        "Import filled PDF forms…") < titles.index("Quit")
    assert by_title["Print forms…"].shortcut() == QKeySequence(QKeySequence.StandardKey.Print)

    opened = []
    for title, kind in (("Print forms…", PrintDialog), ("Print the action plan…", PrintRecordsDialog),
                        ("Import filled PDF forms…", ImportPdfDialog)):
        by_title[title].trigger()
        dialogs = [w for w in win.findChildren(kind) if w.isVisible()]
        assert len(dialogs) == 1, title
        opened.append(dialogs[0])
    for dialog in opened:
        dialog.close()


def test_the_sync_menu_offers_sign_in_conflicts_and_waiting_changes(main_window):
    titles = [_plain(a.text()) for a in _menu(main_window, "Sync").actions() if not a.isSeparator()]
    assert titles == ["Sync now", "Sign in…", "Download all attached files after each sync",
                      "Resolve conflicts…", "Changes waiting for you…"]


def test_a_feature_that_cannot_be_imported_stops_the_main_window_loudly(tmp_path):
    """No guard hides a broken feature: the app (its window's frame already shown) stops with the
    feature's error instead of running without it or waiting forever."""
    code = ("import sys\n"
            "sys.modules['focalpoint.ui.review_tabs'] = None  # as if the module were broken or missing\n"
            "from focalpoint.__main__ import main\n"
            f"sys.exit(main(['--data-dir', {str(tmp_path / 'data')!r}]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode != 0
    assert "ModuleNotFoundError: import of focalpoint.ui.review_tabs halted" in result.stderr
