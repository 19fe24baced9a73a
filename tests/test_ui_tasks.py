"""The UI's background work: one DB worker in order, a separate network worker, results on the UI thread."""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]


def test_db_tasks_run_in_order_off_the_ui_thread_and_answer_on_it(qtbot):
    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()
    ui_thread = threading.current_thread()
    ran_on, answered_on, order = [], [], []

    def job(i):
        ran_on.append(threading.current_thread().name)
        time.sleep(0.01 if i % 2 else 0)
        order.append(i)
        return i * 10

    results = []
    for i in range(6):
        runner.run_db(job, i, on_done=lambda r: (results.append(r), answered_on.append(threading.current_thread())))
    qtbot.waitUntil(lambda: len(results) == 6, timeout=5000)
    assert order == list(range(6)) and results == [0, 10, 20, 30, 40, 50]
    assert set(ran_on) == {ran_on[0]} and ran_on[0].startswith("focalpoint-db")
    assert all(t is ui_thread for t in answered_on)
    runner.shutdown()


def test_a_slow_network_task_never_delays_a_save(qtbot):
    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()
    release = threading.Event()
    saved = []
    runner.run_net(release.wait, 10)
    runner.run_db(lambda: "saved", on_done=saved.append)
    qtbot.waitUntil(lambda: saved == ["saved"], timeout=2000)
    release.set()
    runner.shutdown()


def test_errors_reach_the_ui_thread(qtbot):
    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()
    errors = []
    runner.run_db(lambda: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=2000)
    assert isinstance(errors[0], ZeroDivisionError)
    with qtbot.waitSignal(runner.task_failed, timeout=2000):
        runner.run_db(lambda: [][1])
    runner.shutdown()
    runner.run_db(lambda: None)  # after shutdown (window closing): dropped, not raised


def test_tests_can_swap_in_a_synchronous_runner(qtbot, tmp_path):
    from focalpoint.ui.catalog_browser import CatalogBrowser
    from focalpoint.ui.tasks import SynchronousTaskRunner
    from tests.support.ui import make_database, write_sample_plan

    plan = write_sample_plan(tmp_path / "plan")
    db = make_database(tmp_path / "data", plan)
    browser = CatalogBrowser(db, SynchronousTaskRunner(), plan_folder=plan)
    qtbot.addWidget(browser)
    browser.load()  # done when it returns: no waiting
    assert browser.table_model.rowCount() == 10
    browser.filter_bar.section.setCurrentIndex(browser.filter_bar.section.findData("C"))
    assert sorted(browser.table_model.numbers()) == [90, 96]
    browser.show_activity(90)
    assert "IDLO" in browser.detail_text()
    db.close()


def test_garbage_is_collected_on_the_ui_thread_only_when_workers_are_idle(qtbot):
    import gc

    from focalpoint.ui.compat import GarbageCollector
    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()
    collector = GarbageCollector(runner)
    try:
        assert not gc.isenabled()  # no collection can start in a worker thread
        release = threading.Event()
        runner.run_db(release.wait, 5)
        assert collector.collect_if_idle() is False  # a worker is busy: wait for the next tick
        release.set()
        qtbot.waitUntil(lambda: not runner.busy, timeout=2000)
        assert collector.collect_if_idle() is True
    finally:
        collector.stop()
        runner.shutdown()


def test_an_answer_for_a_view_closed_meanwhile_is_dropped_quietly(qtbot):
    """Closing an editor while its query runs must not raise into the event loop when the answer
    comes back; other errors in a callback still do."""
    from PySide6.QtWidgets import QListWidget

    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()
    release = threading.Event()
    view = QListWidget()
    runner.run_db(release.wait, 5, on_done=lambda _r: view.clear())
    view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken_valid(view), timeout=2000)
    release.set()
    runner.wait_db_idle()
    qtbot.wait(50)  # the answer is delivered; pytest-qt fails the test if it raised

    with pytest.raises(ValueError):
        from focalpoint.ui.tasks import _answer

        _answer(lambda _v: int("x"), None)
    runner.shutdown()


def shiboken_valid(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
