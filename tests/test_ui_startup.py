"""Start-up of the desktop app: a bad database is refused with its exit code, untouched; the window shows."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.ui import make_database, write_sample_plan  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _gc_only_when_threads_stop():
    """No garbage collection while worker threads run (see focalpoint.ui.compat.GarbageCollector)."""
    from tests.support.ui import controlled_gc

    yield from controlled_gc()


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "FOCALPOINT_LANG": "en"})
    env.update(extra)
    return env


def test_garbage_database_gives_exit_code_and_is_left_untouched(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db_file = data / "focalpoint.sqlite3"
    garbage = os.urandom(4096)
    db_file.write_bytes(garbage)
    proc = subprocess.run([sys.executable, "-m", "focalpoint", "--data-dir", str(data), "gui"],
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 5  # DatabaseCorruptError.exit_code
    assert "damaged or is not a FocalPoint database" in proc.stderr
    assert db_file.read_bytes() == garbage
    assert sorted(p.name for p in data.iterdir() if p.name != "settings.ini") == ["focalpoint.sqlite3"]


def test_database_error_in_the_persons_language(qtbot, tmp_path, capsys):
    from focalpoint.ui.app import run_gui

    data = tmp_path / "data"
    data.mkdir()
    (data / "focalpoint.sqlite3").write_bytes(b"not a database at all" * 10)
    code = run_gui(argparse.Namespace(data_dir=str(data), lang="fr"))
    assert code == 5
    err = capsys.readouterr().err
    assert str(data / "focalpoint.sqlite3") in err
    from focalpoint.i18n import _, set_language

    set_language("fr")
    source = ("The database {path} is damaged or is not a FocalPoint database. It has been left "
              "as it is. Restore a backup with 'focalpoint restore FILE', or move the file away to "
              "start afresh.")
    expected = _(source).format(path=data / "focalpoint.sqlite3")
    assert expected in err
    assert expected != source.format(path=data / "focalpoint.sqlite3")  # said in French, not English


def test_newer_database_is_refused(tmp_path):
    from focalpoint.db import open_database

    data = tmp_path / "data"
    db = open_database(data)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    db.close()
    before = (data / "focalpoint.sqlite3").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "focalpoint", "--data-dir", str(data)],
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4
    assert "newer version of FocalPoint" in proc.stderr
    assert (data / "focalpoint.sqlite3").read_bytes() == before


def test_window_is_shown_and_the_hook_reports_it(tmp_path):
    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    make_database(data, plan).close()
    proc = subprocess.run([sys.executable, "-m", "focalpoint", "--data-dir", str(data)],
                          env=_env(FOCALPOINT_EXIT_AFTER_SHOWN="1", FOCALPOINT_ACTION_PLAN_DIR=str(plan)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = next(l for l in proc.stdout.splitlines() if l.startswith("FOCALPOINT_SHOWN "))
    assert 0 < float(line.split()[1]) < 30
    assert (data / "settings.ini").exists()


def test_first_start_language_follows_the_system_then_the_settings(tmp_path):
    from PySide6.QtCore import QSettings

    from focalpoint.ui.app import choose_language

    assert choose_language(argparse.Namespace(lang=None), None) in ("en", "ar", "es", "fr", "ru", "zh")
    env = {k: v for k, v in os.environ.items() if k != "FOCALPOINT_LANG"}
    try:
        os.environ.pop("FOCALPOINT_LANG", None)
        os.environ["LANGUAGE"] = "ru_RU.UTF-8"
        assert choose_language(argparse.Namespace(lang=None), None) == "ru"  # first start: the system's
        assert choose_language(argparse.Namespace(lang=None), "zh") == "zh"  # then what was chosen
        assert choose_language(argparse.Namespace(lang="ar"), "zh") == "ar"  # --lang wins
        os.environ["LANGUAGE"] = "de_DE"
        os.environ["LANG"] = "de_DE.UTF-8"
        os.environ.pop("LC_ALL", None)
        os.environ.pop("LC_MESSAGES", None)
        assert choose_language(argparse.Namespace(lang=None), None) == "en"  # not a UN language: English
    finally:
        os.environ.clear()
        os.environ.update(env)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    from focalpoint.ui.settings import store_language, stored_language

    store_language(settings, "fr")
    assert stored_language(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)) == "fr"
