"""Shared test set-up: offscreen Qt, English by default, a fresh data directory per test."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FOCALPOINT_LANG"] = "en"
os.environ.pop("FOCALPOINT_DATA_DIR", None)
# never touch a real keyring from the tests
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import pytest  # noqa: E402

# hub_server / hub_env: a real hub per backend for the session, fresh users per test
# (the repository root is on sys.path through pyproject's pytest ``pythonpath``)
pytest_plugins = ("tests.support.hub_fixtures",)


@pytest.fixture(autouse=True)
def _english_interface():
    from focalpoint import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A real hub on loopback over HTTP (SQLite), one per test module; modules that need users or
    records made once define their own ``hub``."""
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        yield running


PREVIOUS_RELEASE_RECORDS = {
    "1AC4C360-B9BD-4F9D-BB9D-412425CD1379": ("contact", "Losana"),
    "D9B6933C-216E-468C-A1EF-8E5AFE85AE6D": ("organization", "生物多样性研究中心"),
    "3432024B-52F7-4565-8BE3-A1D8F0E23A29": ("capacityNeedsAssessment", "تقييم احتياجات القدرات الوطنية"),
}


@pytest.fixture
def previous_release_data_dir(tmp_path: Path) -> Path:
    """A data directory written by an earlier FocalPoint (schema 0002; see tests/fixtures/README.md)."""
    import lzma

    path = tmp_path / "old-data"
    path.mkdir()
    src = Path(__file__).parent / "fixtures" / "datadir-0002.sqlite3.xz"
    (path / "focalpoint.sqlite3").write_bytes(lzma.decompress(src.read_bytes()))
    return path


@pytest.fixture
def db(data_dir: Path):
    from focalpoint.db import open_database

    database = open_database(data_dir)
    yield database
    database.close()


@pytest.fixture
def catalog_db(db):
    from focalpoint.catalog import ensure_catalog

    ensure_catalog(db)
    return db


@pytest.fixture
def sample_plan_dir(tmp_path: Path) -> Path:
    """A folder with the small real action plan of tests.support.ui (the one ``main_window`` shows)."""
    from tests.support.ui import write_sample_plan

    return write_sample_plan(tmp_path / "plan")


@pytest.fixture
def main_window(qtbot, tmp_path, sample_plan_dir):
    """The real main window on a fresh store with a small sample plan, data loaded, timers quiet.

    Its database and task runner are ``main_window.db`` and ``main_window.runner``. No garbage
    collection runs while its worker threads do (tests.support.ui.controlled_gc); dialogs and
    editors still open are closed at the end."""
    from PySide6.QtWidgets import QDialog

    from tests.support.ui import close_main_window, controlled_gc, make_database, open_main_window

    gc_control = controlled_gc()
    next(gc_control)
    win = open_main_window(qtbot, make_database(tmp_path / "data", sample_plan_dir), sample_plan_dir)
    win.auto_sync.stop()
    yield win
    for dialog in win.findChildren(QDialog):
        dialog.close()
    close_main_window(win)
    for _ in gc_control:
        pass


@pytest.fixture
def gc_when_threads_stop():
    """No automatic garbage collection while the test's worker threads run, one full collection
    afterwards (tests.support.ui.controlled_gc); widget modules ask for it in ``pytestmark``."""
    from tests.support.ui import controlled_gc

    yield from controlled_gc()


# A task runner for widget tests, and `hold`: keep widgets alive until its workers are idle.
@pytest.fixture
def runner(qtbot):
    from focalpoint.ui.compat import protect_none_refcount
    from focalpoint.ui.tasks import TaskRunner

    protect_none_refcount()
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def hold(runner):
    """Keeps the test's widgets alive until the workers are idle, then deletes them on this thread.

    A worker that drops the last reference to a widget's bound method would otherwise
    delete the widget on the worker thread.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    kept: list = []

    def keep(widget):  # noqa: ANN001, ANN202
        kept.append(widget)
        return widget

    yield keep
    runner.wait_db_idle()
    QCoreApplication.processEvents()
    for widget in kept:
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    kept.clear()
