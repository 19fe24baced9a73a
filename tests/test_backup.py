"""Backup and restore: consistent while in use, verified on restore, nothing lost on a bad file."""

from __future__ import annotations

import zipfile

import pytest

from focalpoint.backup import BackupError, create_backup, restore_backup
from focalpoint.cli import run
from focalpoint.db import open_database
from focalpoint.paths import attachments_dir
from focalpoint.records import RecordStore


def _doc(title: str) -> dict:
    return {"header": {"schema": "capacityBuildingInitiative", "languages": ["en"]}, "title": {"en": title}}


def test_backup_and_restore_round_trip(data_dir, tmp_path):
    db = open_database(data_dir)
    store = RecordStore(db)
    kept = store.save(_doc("Kept in the backup"))
    (attachments_dir(data_dir)).mkdir(parents=True, exist_ok=True)
    (attachments_dir(data_dir) / "ab12").write_bytes(b"attachment bytes")
    target = tmp_path / "out" / "backup.zip"
    # taken while a session holds the database open with an uncommitted write
    with db.session() as session:
        store.save(_doc("Not yet committed"), session=session)
        info = create_backup(db, target)
    assert info.path == target and target.exists()
    store.save(_doc("Made after the backup"))
    db.close()

    restore_backup(target, data_dir)
    db = open_database(data_dir)
    titles = {r.title["en"] for r in RecordStore(db).list()}
    assert "Kept in the backup" in titles and "Made after the backup" not in titles
    assert RecordStore(db).get(kept.identifier) is not None
    assert (attachments_dir(data_dir) / "ab12").read_bytes() == b"attachment bytes"
    assert list((data_dir / "backups").glob("*before-restore*"))  # the replaced copy was kept
    db.close()


def test_altered_or_truncated_backup_is_refused_and_data_untouched(data_dir, tmp_path):
    db = open_database(data_dir)
    RecordStore(db).save(_doc("Precious"))
    target = tmp_path / "b.zip"
    create_backup(db, target)
    db.close()
    before = (data_dir / "focalpoint.sqlite3").read_bytes()

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    with pytest.raises(BackupError):
        restore_backup(truncated, data_dir)

    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(altered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "focalpoint.sqlite3":
                data = data[:-10] + b"0123456789"
            dst.writestr(item, data)
    with pytest.raises(BackupError) as info:
        restore_backup(altered, data_dir)
    assert "checksum" in str(info.value)
    assert (data_dir / "focalpoint.sqlite3").read_bytes() == before


def test_cli_backup_restore(data_dir, tmp_path, capsys):
    file = tmp_path / "cli.zip"
    assert run(["--data-dir", str(data_dir), "backup", str(file)]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert run(["--data-dir", str(data_dir), "restore", str(file)]) == 0
    bad = tmp_path / "nothing.zip"
    bad.write_bytes(b"not a zip")
    assert run(["--data-dir", str(data_dir), "restore", str(bad)]) == BackupError.exit_code
