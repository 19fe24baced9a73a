"""Hostile backups: every one is refused in words before anything is written, and the data stays
as it was (an empty file list, a zip bomb, a lying size, a huge manifest, a text file or a foreign
database in place of FocalPoint's)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from focalpoint.backup import FORMAT, BackupError, create_backup, restore_backup
from focalpoint.cli import run
from focalpoint.db import open_database
from focalpoint.records import RecordStore

MiB = 1 << 20


def _doc(title: str) -> dict:
    return {"header": {"schema": "capacityBuildingInitiative", "languages": ["en"]}, "title": {"en": title}}


@pytest.fixture
def precious(data_dir):
    """A data folder holding one record; returns a function telling whether it is unchanged."""
    db = open_database(data_dir)
    RecordStore(db).save(_doc("Precious"))
    db.close()
    before = _snapshot(data_dir)

    def untouched() -> bool:
        return _snapshot(data_dir) == before

    return untouched


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(files: dict[str, bytes]) -> dict:
    return {"format": FORMAT, "app_version": "test", "created": "2025-01-01T00:00:00+00:00",
            "schema_revision": None,
            "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                      for name, data in files.items()}}


def _backup(path: Path, files: dict[str, bytes], manifest: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest if manifest is not None else _manifest(files)))
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _refused(source: Path, data_dir: Path, capsys) -> str:
    """Restore through the CLI: it must fail with the backup exit code and a message, no traceback."""
    code = run(["--data-dir", str(data_dir), "restore", str(source)])
    err = capsys.readouterr().err
    assert code == BackupError.exit_code, err
    assert err.startswith("Error: ") and "Traceback" not in err
    return err


def test_a_backup_with_no_files_is_refused_and_the_data_untouched(precious, data_dir, tmp_path, capsys):
    empty = _backup(tmp_path / "empty.zip", {})
    with pytest.raises(BackupError) as info:
        restore_backup(empty, data_dir)
    assert "no database" in str(info.value)
    assert "no database" in _refused(empty, data_dir, capsys)
    only_attachments = _backup(tmp_path / "att.zip", {"attachments/ab12": b"bytes"})
    assert "no database" in _refused(only_attachments, data_dir, capsys)
    assert precious()


def test_a_manifest_that_is_not_a_list_of_files_is_refused(precious, data_dir, tmp_path, capsys):
    for i, manifest in enumerate([[1, 2], {"format": FORMAT, "files": ["focalpoint.sqlite3"]},
                                  {"format": FORMAT, "files": {"focalpoint.sqlite3": {"size": "big"}}}]):
        _refused(_backup(tmp_path / f"m{i}.zip", {"focalpoint.sqlite3": b"x"}, manifest), data_dir, capsys)
    assert precious()


def _file_size_limited(limit: int):
    """While active, this process cannot make any file larger than ``limit`` bytes (POSIX)."""
    resource = pytest.importorskip("resource")
    import signal

    class Limit:
        def __enter__(self):
            self.old_signal = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
            self.old = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, self.old[1]))

        def __exit__(self, *exc):
            resource.setrlimit(resource.RLIMIT_FSIZE, self.old)
            signal.signal(signal.SIGXFSZ, self.old_signal)

    return Limit()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_zip_bomb_is_refused_before_anything_is_unpacked(precious, data_dir, tmp_path, capsys):
    bomb = tmp_path / "bomb.zip"
    zeros = bytes(MiB)
    digest = hashlib.sha256()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("focalpoint.sqlite3", "w") as fh:
            for _ in range(300):
                fh.write(zeros)
                digest.update(zeros)
        manifest = _manifest({})
        manifest["files"]["focalpoint.sqlite3"] = {"sha256": digest.hexdigest(), "size": 300 * MiB}
        zf.writestr("manifest.json", json.dumps(manifest))
    assert bomb.stat().st_size < MiB
    # no file may grow past 4 MiB while restoring: unpacking the bomb would fail with EFBIG (an OSError)
    with _file_size_limited(4 * MiB), pytest.raises(BackupError) as info:
        restore_backup(bomb, data_dir)
    assert "compressed" in str(info.value) and "focalpoint.sqlite3" in str(info.value)
    assert precious()
    assert "focalpoint.sqlite3" in _refused(bomb, data_dir, capsys)
    assert precious()


def test_sizes_declared_beyond_the_limit_are_refused_before_unpacking(precious, data_dir, tmp_path, capsys):
    """A central directory declaring members of 1.5 GiB each (3 GiB in all) is refused on its word."""
    files = {"focalpoint.sqlite3": b"x" * 100, "attachments/a": b"y" * 100}
    manifest = _manifest(files)
    for meta in manifest["files"].values():
        meta["size"] = 3 * 512 * MiB  # the manifest tells the same story as the zip's directory
    backup = _backup(tmp_path / "lie.zip", files, manifest)
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    cd_offset = int.from_bytes(data[-6:-2], "little")  # end of central directory: its offset
    pos = cd_offset
    while data[pos:pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = (int.from_bytes(data[pos + o:pos + o + 2], "little") for o in (28, 30, 32))
        name = data[pos + 46:pos + 46 + name_len].decode()
        if name != "manifest.json":
            data[pos + 24:pos + 28] = (3 * 512 * MiB).to_bytes(4, "little")  # uncompressed size: 1.5 GiB
        pos += 46 + name_len + extra_len + comment_len
    assert set(infos) == {"manifest.json", "focalpoint.sqlite3", "attachments/a"}
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    err = _refused(lying, data_dir, capsys)
    assert "GiB" in err
    assert precious()


def test_a_huge_manifest_is_refused_without_reading_it_whole(precious, data_dir, tmp_path, capsys):
    big = tmp_path / "big-manifest.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("manifest.json", "w") as fh:
            fh.write(b'{"format": "' + FORMAT.encode() + b'", "files": {}')
            spaces = b" " * MiB
            for _ in range(64):
                fh.write(spaces)
            fh.write(b"}")
        zf.writestr("focalpoint.sqlite3", b"x")
    tracemalloc.start()
    try:
        with pytest.raises(BackupError) as info:
            restore_backup(big, data_dir)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "manifest" in str(info.value)
    assert peak < 8 * MiB, f"{peak} bytes held while refusing a 64 MiB manifest"
    assert "manifest" in _refused(big, data_dir, capsys)
    assert precious()


def test_a_text_file_in_place_of_the_database_is_refused_in_words(precious, data_dir, tmp_path, capsys):
    text = _backup(tmp_path / "text.zip", {"focalpoint.sqlite3": b"Dear colleague, this is not a database.\n" * 50})
    with pytest.raises(BackupError) as info:
        restore_backup(text, data_dir)
    assert "not a FocalPoint database" in str(info.value)
    assert "not a FocalPoint database" in _refused(text, data_dir, capsys)
    # an SQLite header on a damaged body is damaged, not a crash
    damaged = _backup(tmp_path / "damaged.zip", {"focalpoint.sqlite3": b"SQLite format 3\x00" + os.urandom(8000)})
    _refused(damaged, data_dir, capsys)
    assert precious()


def test_a_foreign_sqlite_database_is_refused(precious, data_dir, tmp_path, capsys):
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()
    foreign = _backup(tmp_path / "foreign.zip", {"focalpoint.sqlite3": other.read_bytes()})
    assert "not a FocalPoint database" in _refused(foreign, data_dir, capsys)
    assert precious()


def test_a_good_backup_still_restores_after_the_checks(data_dir, tmp_path, capsys):
    db = open_database(data_dir)
    RecordStore(db).save(_doc("In the backup"))
    target = tmp_path / "good.zip"
    create_backup(db, target)
    RecordStore(db).save(_doc("After the backup"))
    db.close()
    assert run(["--data-dir", str(data_dir), "restore", str(target)]) == 0
    db = open_database(data_dir)
    try:
        titles = {r.title["en"] for r in RecordStore(db).list()}
    finally:
        db.close()
    assert "In the backup" in titles and "After the backup" not in titles
    assert not list(data_dir.glob(".fp-restore-*"))


def test_a_good_backup_restores_over_a_damaged_database_and_keeps_its_bytes(data_dir, tmp_path, capsys):
    """Restoring is how one recovers from a damaged database: the damaged file is kept as it was."""
    source_dir = tmp_path / "source"
    db = open_database(source_dir)
    RecordStore(db).save(_doc("Recovered"))
    target = tmp_path / "good.zip"
    create_backup(db, target)
    db.close()
    damaged = b"this was a database once\n" * 40
    (data_dir / "focalpoint.sqlite3").write_bytes(damaged)
    assert run(["--data-dir", str(data_dir), "restore", str(target)]) == 0, capsys.readouterr().err
    kept = list((data_dir / "backups").glob("*before-restore*"))
    assert [p.read_bytes() for p in kept] == [damaged]
    db = open_database(data_dir)
    try:
        assert {r.title["en"] for r in RecordStore(db).list()} == {"Recovered"}
    finally:
        db.close()
