"""The action plan listed at start-up, read without SQLAlchemy through a read-only connection
(``focalpoint.plan_read``), is the same plan the catalogue's queries read, and is not read at all
from a file that is missing, damaged, at another schema or without the plan; nothing is written."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from focalpoint.catalog import (
    ensure_catalog,
    glossary_entries,
    list_activities,
    official_languages,
    sections,
    target_groups,
)
from focalpoint.db import open_database
from focalpoint.paths import database_path
from focalpoint.plan_read import HEAD_REVISION, META_OFFICIAL_KEY, quick_snapshot
from focalpoint.ui.catalog_data import load_snapshot

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A data folder whose database holds the shipped action plan (the app closed since)."""
    db = open_database(tmp_path)
    try:
        assert ensure_catalog(db)
    finally:
        db.close()
    return tmp_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_quick_list_is_the_plan_the_queries_read(loaded: Path) -> None:
    path = database_path(loaded)
    quick = quick_snapshot(path)
    assert quick is not None
    assert len(quick.activities) == 110  # the short-term action plan of decision XIII/23
    db = open_database(loaded)
    try:
        assert load_snapshot(db, ensure=False) == quick  # the DB worker reads it the same way
        with db.session() as session:
            assert quick.activities == list_activities(session)
            assert quick.sections == sections(session)
            assert quick.target_groups == target_groups(session)
            assert quick.partners == glossary_entries(session)
            assert quick.official_languages == official_languages(session) == ["zh"]
            spans = {year for a in list_activities(session) for year in _years(a.timeframe)}
        assert set(quick.years) <= spans and quick.years == sorted(quick.years) and 2017 in quick.years
        with db.session(write=True) as session:
            from focalpoint.db import set_meta

            set_meta(session, META_OFFICIAL_KEY, "en,zh")
    finally:
        db.close()
    again = quick_snapshot(path)
    assert again is not None and again.official_languages == ["en", "zh"]


def _years(timeframe: dict[str, str]) -> set[int]:
    """Every four-digit year named in an activity's timeframe text (any language)."""
    import re

    return {int(y) for text in timeframe.values() for y in re.findall(r"20\d\d", text)}


def test_the_quick_read_writes_nothing_to_the_database(loaded: Path) -> None:
    path = database_path(loaded)
    before = _digest(path)
    for _ in range(3):
        assert quick_snapshot(path) is not None
    assert _digest(path) == before


def test_no_quick_list_from_a_missing_damaged_older_or_empty_database(tmp_path: Path, loaded: Path) -> None:
    assert quick_snapshot(database_path(tmp_path / "nowhere")) is None
    assert not (tmp_path / "nowhere").exists()  # nothing created

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    assert quick_snapshot(garbage) is None
    assert garbage.read_bytes() == b"SQLite format 3\x00" + bytes(range(256)) * 16

    not_sqlite = tmp_path / "notes.sqlite3"
    not_sqlite.write_text("not a database", encoding="utf-8")
    assert quick_snapshot(not_sqlite) is None

    path = database_path(loaded)
    with sqlite3.connect(path) as conn:  # a database made by an older FocalPoint: migrated first, listed after
        conn.execute("UPDATE alembic_version SET version_num = '0007_older'")
    assert quick_snapshot(path) is None
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (HEAD_REVISION,))
        conn.execute("DELETE FROM catalog_activity")
    assert quick_snapshot(path) is None  # no plan stored yet: loaded on the DB worker, listed then

    empty = tmp_path / "empty"
    open_database(empty).close()  # at the newest schema, without the plan
    assert quick_snapshot(database_path(empty)) is None


def test_the_modules_imported_off_the_ui_thread_need_no_qt() -> None:
    """The app imports ``PLAIN_PART_MODULES`` on a helper thread: none may bring in PySide6 (Qt's
    types are made on the UI thread)."""
    from focalpoint.ui.main_window import PLAIN_PART_MODULES

    code = ("import sys\n"
            f"for name in {list(PLAIN_PART_MODULES)!r}:\n"
            "    __import__(name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert "focalpoint.db" in PLAIN_PART_MODULES and "sqlalchemy" not in PLAIN_PART_MODULES
