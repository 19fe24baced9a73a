"""Opening a database already at the newest schema skips Alembic; anything else still goes through it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from focalpoint.db import make_engine, migrate, open_database
from focalpoint.paths import database_path

REPO = Path(__file__).resolve().parent.parent


def test_head_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_current_head() == migrate.HEAD_REVISION
    assert migrate.head_revision() == script.get_current_head()


def test_database_at_head_opens_without_alembic(tmp_path):
    open_database(tmp_path).close()  # created and migrated (Alembic runs here)
    code = ("import sys; from pathlib import Path; from focalpoint.db import open_database, migrate; "
            f"db = open_database(Path({str(tmp_path)!r})); "
            "print(migrate.current_revision(db.engine), 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [migrate.HEAD_REVISION, "False"]


def test_older_database_is_still_migrated(tmp_path):
    engine = make_engine(database_path(tmp_path))
    migrate.upgrade(engine, "0007_normalized_search")
    engine.dispose()
    db = open_database(tmp_path)
    try:
        assert migrate.current_revision(db.engine) == migrate.HEAD_REVISION
        assert list((tmp_path / "backups").glob("*0007_normalized_search*"))  # backed up before migrating
    finally:
        db.close()


def test_a_newer_script_than_the_known_head_sends_the_check_to_alembic(tmp_path, monkeypatch):
    versions = tmp_path / "versions"
    versions.mkdir()
    for script in migrate.VERSIONS_DIR.glob("*.py"):
        (versions / script.name).write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    (versions / "0099_unreleased.py").write_text(
        f'revision = "0099_unreleased"\ndown_revision = "{migrate.HEAD_REVISION}"\n', encoding="utf-8")
    monkeypatch.setattr(migrate, "VERSIONS_DIR", versions)
    migrate._known_head.cache_clear()
    try:
        assert migrate._known_head() is None  # the constant is no longer trusted
        assert not migrate.is_known("0099_not_a_revision")
    finally:
        migrate._known_head.cache_clear()


def test_no_stamp_reads_as_a_new_database(tmp_path):
    engine = make_engine(database_path(tmp_path))
    try:
        assert migrate.current_revision(engine) is None
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        assert migrate.current_revision(engine) is None
    finally:
        engine.dispose()
