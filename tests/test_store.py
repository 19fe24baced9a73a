"""The local store: creation, migrations with backups, and every bad-database case."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from focalpoint.db import (
    DatabaseCorruptError,
    DatabaseNewerError,
    DatabaseReadOnlyError,
    DiskFullError,
    make_engine,
    migrate,
    open_database,
)
from focalpoint.paths import database_path
from focalpoint.records import RecordStore


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_new_store_is_wal_with_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_data_dir_precedence(tmp_path, monkeypatch):
    from focalpoint.paths import resolve_data_dir

    monkeypatch.setenv("FOCALPOINT_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == (tmp_path / "env").resolve()
    assert resolve_data_dir(str(tmp_path / "cli")) == (tmp_path / "cli").resolve()
    monkeypatch.delenv("FOCALPOINT_DATA_DIR")
    assert "FocalPoint" in str(resolve_data_dir(None))


def _store_at_the_first_schema(data_dir, key: str, value: str) -> int:  # noqa: ANN001
    """A store of the first schema (catalogue only) in ``data_dir`` with one meta row; returns its
    size in pages."""
    engine = make_engine(database_path(data_dir))
    migrate.upgrade(engine, "0001_catalogue")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES (:key, :value)"), {"key": key, "value": value})
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()
    return pages


def test_migration_from_previous_schema_keeps_data_and_backs_up(data_dir):
    """A store made by the previous schema (catalogue only) upgrades with its data and a backup."""
    _store_at_the_first_schema(data_dir, "ui.last_activity", "42")

    db = open_database(data_dir)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key='ui.last_activity'")).scalar() == "42"
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    backups = list((data_dir / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and "0001_catalogue" in backups[0].name
    # the backup is a real, readable copy at the old schema
    old = make_engine(backups[0])
    assert migrate.current_revision(old) == "0001_catalogue"
    old.dispose()
    # the new schema works
    RecordStore(db).save({"header": {"schema": "contact"}, "firstName": "Ana"})
    db.close()
    # opening again at head makes no new backup
    open_database(data_dir).close()
    assert len(list((data_dir / "backups").glob("*.sqlite3"))) == 1


def test_database_from_newer_app_is_refused_untouched(data_dir):
    open_database(data_dir).close()
    path = database_path(data_dir)
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999_future'"))
    engine.dispose()
    before = _bytes(path)
    with pytest.raises(DatabaseNewerError) as info:
        open_database(data_dir)
    assert "newer version of FocalPoint" in str(info.value)
    assert _bytes(path) == before
    assert not (data_dir / "backups").exists()


def test_corrupt_file_is_refused_untouched(data_dir):
    path = database_path(data_dir)
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 50)
    before = _bytes(path)
    with pytest.raises(DatabaseCorruptError) as info:
        open_database(data_dir)
    assert str(path) in str(info.value)
    assert _bytes(path) == before


def test_damaged_pages_are_refused_untouched(data_dir):
    db = open_database(data_dir)
    store = RecordStore(db)
    for i in range(200):
        store.save({"header": {"schema": "contact"}, "firstName": f"Person {i}" * 20})
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    path = database_path(data_dir)
    raw = bytearray(path.read_bytes())
    # keep the header, scribble over the b-tree pages
    for offset in range(4096, len(raw), 4096):
        raw[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(raw))
    before = _bytes(path)
    with pytest.raises(DatabaseCorruptError):
        open_database(data_dir)
    assert _bytes(path) == before


@contextlib.contextmanager
def _as_an_ordinary_user() -> Iterator[None]:
    """Root ignores file permissions: under root, become ``nobody`` (real and effective ids, no groups).

    Root stays the saved user id, which is what allows taking root back afterwards."""
    if os.geteuid() != 0:
        yield
        return
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(65534, 65534, 0)
    os.setresuid(65534, 65534, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


def test_read_only_file_is_refused_for_an_ordinary_user(tmp_path, capsys):
    """The command line on a read-only database: clear message, its exit code, the file untouched.

    Runs in this process (as ``nobody`` under root), so nothing of the checkout or the virtual
    environment needs to be readable by another user."""
    from focalpoint.cli import run

    command = ["catalog", "search", "x"]
    # once on a writable folder: every module the command needs is imported before the ids change
    assert run(["--data-dir", str(tmp_path / "writable"), *command]) == 0
    capsys.readouterr()
    data_dir = tmp_path / "data"
    open_database(data_dir).close()
    path = database_path(data_dir)
    before = _bytes(path)
    data_dir.chmod(0o755)
    path.chmod(0o444)
    if os.geteuid() == 0:  # nobody must reach the folder (pytest's temporary folders are private)
        for parent in [data_dir, *data_dir.parents]:
            if not os.stat(parent).st_mode & 0o001:
                parent.chmod(os.stat(parent).st_mode | 0o005)
    with _as_an_ordinary_user():
        code = run(["--data-dir", str(data_dir), *command])
    err = capsys.readouterr().err
    assert code == DatabaseReadOnlyError.exit_code, err
    assert "read-only" in err
    assert _bytes(path) == before


def test_full_disk_during_migration_leaves_file_untouched(data_dir):
    """SQLite's own 'database or disk is full' (page limit) mid-migration: clear error, old file intact."""
    path = database_path(data_dir)
    pages = _store_at_the_first_schema(data_dir, "keep", "me")

    from sqlalchemy import event

    real_make_engine = make_engine

    def tight_engine(p, **kw):
        eng = real_make_engine(p, **kw)

        @event.listens_for(eng, "connect")
        def _limit(conn, _rec):
            conn.execute(f"PRAGMA max_page_count={pages}")

        return eng

    import focalpoint.db as dbmod

    original = dbmod.make_engine
    dbmod.make_engine = tight_engine
    try:
        with pytest.raises(DiskFullError) as info:
            open_database(data_dir)
    finally:
        dbmod.make_engine = original
    assert "full" in str(info.value)
    engine = make_engine(path)
    assert migrate.current_revision(engine) == "0001_catalogue"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key='keep'")).scalar() == "me"
    engine.dispose()


def test_full_disk_on_a_real_tiny_filesystem(tmp_path):
    """A real full filesystem (a 1 MiB tmpfs) where root may mount one; otherwise skipped with a reason."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                             capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (not root or no permission)")
    try:
        data_dir = mnt / "data"
        open_database(data_dir).close()
        # pretend to be old so that opening needs a backup and a migration, then fill the disk
        path = database_path(data_dir)
        engine = make_engine(path)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num='0001_catalogue'"))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        filler = mnt / "filler"
        with open(filler, "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        before = _bytes(path)
        with pytest.raises(DiskFullError):
            open_database(data_dir)
        assert _bytes(path) == before
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_cli_reports_corrupt_database_with_exit_code(data_dir):
    path = database_path(data_dir)
    path.write_bytes(b"garbage" * 100)
    result = subprocess.run([sys.executable, "-m", "focalpoint", "--data-dir", str(data_dir),
                             "catalog", "export"], capture_output=True, text=True, timeout=60)
    assert result.returncode == DatabaseCorruptError.exit_code
    assert "damaged" in result.stderr
    assert path.read_bytes() == b"garbage" * 100


def test_core_never_imports_pyside6():
    """The core, sync and hub packages import with PySide6 made unimportable."""
    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'PySide6' or name.startswith('PySide6.'):\n"
        "            raise ImportError('PySide6 is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import focalpoint\n"
        "skipped = []\n"
        "for mod in pkgutil.walk_packages(focalpoint.__path__, 'focalpoint.'):\n"
        "    if mod.name.startswith('focalpoint.ui'):\n"
        "        continue\n"
        "    importlib.import_module(mod.name)\n"
        "from focalpoint.cli import build_parser\n"
        "build_parser()\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_records_indexed_by_the_previous_schema_stay_searchable(data_dir):
    """0002 -> 0003 re-keys the search index: old records are found once, and edits replace them."""
    from focalpoint.records import search_record_ids

    path = database_path(data_dir)
    engine = make_engine(path)
    migrate.upgrade(engine, "0002_records")
    doc = '{"header":{"identifier":"OLD-RECORD-0001","schema":"contact"},"firstName":"Mahamoud"}'
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO records (identifier, schema, document, title, status, local_revision, sync_state,"
            " deleted, created_at, updated_at) VALUES ('OLD-RECORD-0001', 'contact', :d, '{}', 'draft', 1,"
            " 'local', 0, '2026-01-01', '2026-01-01')"), {"d": doc})
        conn.execute(text("INSERT INTO record_fts (identifier, body) VALUES ('OLD-RECORD-0001', 'Mahamoud')"))
    engine.dispose()

    db = open_database(data_dir)
    with db.session() as s:
        assert search_record_ids(s, "Mahamoud") == ["OLD-RECORD-0001"]
    store = RecordStore(db)
    view = store.get("OLD-RECORD-0001")
    store.save({**view.document, "firstName": "Mahmoud"})
    with db.session() as s:
        assert search_record_ids(s, "Mahamoud") == []
        assert search_record_ids(s, "Mahmoud") == ["OLD-RECORD-0001"]
    db.close()


def test_data_directory_of_the_previous_release_upgrades_with_its_records(previous_release_data_dir):
    """A database written by an earlier build (schema 0002, not made by today's migrations) opens
    with its three drafts intact and findable, after a backup of the old database."""
    from conftest import PREVIOUS_RELEASE_RECORDS

    from focalpoint.records import search_record_ids

    data = previous_release_data_dir

    def rows_of(path):
        engine = make_engine(path)
        try:
            with engine.connect() as conn:
                return migrate.current_revision(engine), conn.execute(
                    text("SELECT identifier, document FROM records ORDER BY identifier")).all()
        finally:
            engine.dispose()

    copy = data.parent / "untouched.sqlite3"
    copy.write_bytes(database_path(data).read_bytes())
    original = rows_of(copy)
    assert original[0] == "0002_records" and len(original[1]) == 3
    db = open_database(data)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        store = RecordStore(db)
        for identifier, (schema, words) in PREVIOUS_RELEASE_RECORDS.items():
            view = store.get(identifier)
            assert view.schema == schema
            with db.session() as s:
                assert search_record_ids(s, words) == [identifier], words
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM catalog_activity")).scalar() == 110
    finally:
        db.close()
    backups = list((data / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and "0002_records" in backups[0].name
    assert rows_of(backups[0]) == original  # the backup is the old database as it was


def test_documents_are_stored_as_readable_utf8(db):
    store = RecordStore(db)
    store.save({"header": {"schema": "capacityBuildingInitiative", "languages": ["ar", "zh"]},
                "title": {"ar": "بناء القدرات", "zh": "能力建设"}})
    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT document FROM records")).scalar()
    assert "بناء القدرات" in raw and "能力建设" in raw and "\\u" not in raw
