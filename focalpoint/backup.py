"""Backup and restore of a whole data directory: the database and the attachments.

A backup is one zip file: ``focalpoint.sqlite3`` (a consistent copy made with
SQLite's backup API, so it can be taken while the app runs), ``attachments/…``
and ``manifest.json`` (format, app version, schema revision, SHA-256 and size of
every member). It is written to a temporary name and renamed into place.

Restore verifies everything before touching the data directory: the zip, every
checksum, the database's integrity and that its schema is not newer than this
FocalPoint. The current database is then kept in ``backups/`` and replaced
atomically. Call from one thread (the CLI's, or the UI's database worker).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sqlean

from focalpoint import __version__
from focalpoint.db import Database, DatabaseError, backup_database, make_engine
from focalpoint.db import migrate
from focalpoint.i18n import _
from focalpoint.paths import attachments_dir, backups_dir, database_path

FORMAT = "focalpoint-backup/1"


class BackupError(DatabaseError):
    exit_code = 8


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    schema_revision: str | None
    files: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create_backup(db: Database, target: Path) -> BackupInfo:
    """Write a backup of ``db``'s data directory to ``target`` (a .zip file)."""
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fp-backup-") as tmp:
        snapshot = backup_database(db.engine, db.path, Path(tmp), label="snapshot")
        members: dict[str, Path] = {"focalpoint.sqlite3": snapshot}
        att = attachments_dir(db.data_dir)
        if att.is_dir():
            for file in sorted(att.rglob("*")):
                if file.is_file():
                    members[f"attachments/{file.relative_to(att).as_posix()}"] = file
        manifest = {
            "format": FORMAT,
            "app_version": __version__,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "schema_revision": migrate.current_revision(db.engine),
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size}
                      for name, path in members.items()},
        }
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, path in members.items():
                zf.write(path, name)
        os.replace(partial, target)
    return BackupInfo(path=target, schema_revision=manifest["schema_revision"], files=len(members),
                      size=target.stat().st_size)


def verify_backup(source: Path, workdir: Path) -> dict:
    """Unpack ``source`` into ``workdir`` and check it whole. Returns the manifest."""
    try:
        with zipfile.ZipFile(source) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise BackupError(_("The backup {path} is damaged (member {member}).").format(path=source, member=bad))
            manifest = json.loads(zf.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise BackupError(_("{path} is not a FocalPoint backup.").format(path=source))
            for name in manifest["files"]:
                if name.startswith("/") or ".." in Path(name).parts:
                    raise BackupError(_("The backup {path} contains an unsafe path.").format(path=source))
            zf.extractall(workdir, members=list(manifest["files"]))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise BackupError(_("{path} is not a readable FocalPoint backup ({detail}).").format(
            path=source, detail=exc)) from exc
    for name, meta in manifest["files"].items():
        path = workdir / name
        if not path.is_file() or path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
            raise BackupError(_("The backup {path} fails its checksum for {member}: it was altered or "
                                "truncated.").format(path=source, member=name))
    db_file = workdir / "focalpoint.sqlite3"
    conn = sqlean.connect(str(db_file))
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(_("The database inside {path} is damaged.").format(path=source))
    finally:
        conn.close()
    revision = manifest.get("schema_revision")
    if revision and not migrate.is_known(revision):
        raise BackupError(_("The backup {path} was made by a newer version of FocalPoint (schema {revision}).").format(
            path=source, revision=revision))
    return manifest


def restore_backup(source: Path, data_dir: Path) -> dict:
    """Replace the data directory's database and attachments with a verified backup.

    The database being replaced is first copied to ``backups/``. Nothing changes
    if verification fails. The app must not have the database open elsewhere.
    """
    source = source.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".fp-restore-") as tmp:
        work = Path(tmp)
        manifest = verify_backup(source, work)
        current = database_path(data_dir)
        if current.exists() and current.stat().st_size:
            engine = make_engine(current)
            try:
                backup_database(engine, current, backups_dir(data_dir), label="before-restore")
            finally:
                engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(str(current) + suffix).unlink(missing_ok=True)
        os.replace(work / "focalpoint.sqlite3", current)
        restored_att = work / "attachments"
        att = attachments_dir(data_dir)
        if restored_att.is_dir():
            att.mkdir(parents=True, exist_ok=True)
            for file in restored_att.rglob("*"):
                if file.is_file():
                    dest = att / file.relative_to(restored_att)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(file, dest)
        shutil.rmtree(work, ignore_errors=True)
    return manifest
