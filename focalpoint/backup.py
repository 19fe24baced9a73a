"""Backup and restore of a whole data directory: the database and the attachments.

A backup is one zip file: ``focalpoint.sqlite3`` (a consistent copy made with
SQLite's backup API, so it can be taken while the app runs), ``attachments/…``
and ``manifest.json`` (format, app version, schema revision, SHA-256 and size of
every member). It is written to a temporary name and renamed into place.

Restore verifies everything before touching the data directory. A backup may come
from anywhere, so before a byte is unpacked it checks the manifest (read with a
size cap: valid JSON naming the files, the database among them) and every member's
path, declared size, compression method and ratio against the limits below; while
unpacking (into a temporary folder) it counts the bytes and checks every checksum;
then it opens the unpacked database read-only and requires a whole FocalPoint
database (its tables and a schema revision this FocalPoint knows). Only then is the
current database kept in ``backups/`` and replaced atomically. Every refusal is a
:class:`BackupError` in words. Call from one thread (the CLI's, or the UI's
database worker).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import sqlean
from sqlalchemy.exc import SQLAlchemyError

from focalpoint import __version__, jsonsafe
from focalpoint.db import SQLITE_HEADER, Database, DatabaseError, backup_database, make_engine, migrate
from focalpoint.i18n import _
from focalpoint.paths import attachments_dir, backups_dir, database_path

FORMAT = "focalpoint-backup/1"
DB_MEMBER = "focalpoint.sqlite3"
MANIFEST_MEMBER = "manifest.json"

# Limits checked before anything is unpacked (a backup is a file from anywhere: a zip bomb, a
# lying header or a huge manifest must be refused on its word, not discovered on a full disk).
MAX_MANIFEST_BYTES = 4 << 20        # about 190 bytes a file: room for some 20,000 attachments
MAX_UNPACKED_BYTES = 2 << 30        # the whole backup, unpacked
MAX_RATIO = 200                     # uncompressed : compressed, for members over RATIO_FROM bytes
RATIO_FROM = 1 << 20                # a smaller member cannot fill a disk whatever its ratio
FREE_SPACE_MARGIN = 16 << 20
MAX_MEMBERS = 50_000                # entries in the zip (the manifest allows some 20,000 attachments)
MAX_DIRECTORY_BYTES = 16 << 20      # the zip's central directory (about 100 bytes an entry)
REQUIRED_TABLES = frozenset({"alembic_version", "meta", "records"})
_CHUNK = 1 << 20
_SHA256_HEX = frozenset("0123456789abcdef")


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
        revision = migrate.current_revision(db.engine)
        manifest = {
            "format": FORMAT,
            "app_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "schema_revision": revision,
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size}
                      for name, path in members.items()},
        }
        partial = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, path in members.items():
                zf.write(path, name)
        os.replace(partial, target)
    return BackupInfo(path=target, schema_revision=revision, files=len(members),
                      size=target.stat().st_size)


def _gib(size: int) -> str:
    return f"{size / (1 << 30):.1f}"


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def _check_directory(source: Path) -> None:
    """Refuse a zip with too many entries or too large a central directory, on the word of its end
    record, before ``zipfile`` reads that directory into memory (one object per entry: millions of
    entries would take gigabytes). ``zipfile`` has no public way to read these counts first, hence
    this reading of the end record (and its ZIP64 form) as APPNOTE 4.3.14-16 define them."""
    too_many = BackupError(_("The backup {path} holds more than {limit} files: this is not a FocalPoint "
                             "backup. Nothing was restored.").format(path=source, limit=f"{MAX_MEMBERS:,}"))
    with source.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        tail_size = min(size, 22 + 0xFFFF + 20)  # the end record, its comment, the ZIP64 locator
        fh.seek(size - tail_size)
        tail = fh.read(tail_size)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return  # not a zip: zipfile says so in its words
        entries, total, directory_size = struct.unpack("<4s4H2LH", tail[at:at + 22])[3:6]
        locator = tail[at - 20:at] if at >= 20 else b""
        if locator[:4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack("<Q", locator[8:16])
            if 0 <= offset <= size - 56:
                fh.seek(offset)
                record = fh.read(56)
                if record[:4] == _EOCD64:
                    entries, total, directory_size = struct.unpack("<3Q", record[24:48])
    if max(entries, total) > MAX_MEMBERS:
        raise too_many
    if directory_size > MAX_DIRECTORY_BYTES:
        raise too_many


def _read_manifest(zf: zipfile.ZipFile, source: Path) -> dict:
    """The manifest, read with a size cap and checked to name the files of a FocalPoint backup."""
    try:
        info = zf.getinfo(MANIFEST_MEMBER)
    except KeyError:
        raise BackupError(_("{path} is not a FocalPoint backup.").format(path=source)) from None
    too_big = BackupError(_("The manifest of {path} is larger than {limit} MiB: this is not a FocalPoint "
                            "backup.").format(path=source, limit=MAX_MANIFEST_BYTES >> 20))
    if info.file_size > MAX_MANIFEST_BYTES:
        raise too_big
    with zf.open(info) as fh:
        raw = fh.read(MAX_MANIFEST_BYTES + 1)  # never more, whatever the header says
    if len(raw) > MAX_MANIFEST_BYTES:
        raise too_big
    try:
        manifest = jsonsafe.loads(raw)
    except ValueError as exc:  # not JSON, or JSON FocalPoint refuses (JsonRefused)
        raise BackupError(_("The manifest of {path} is damaged ({detail}).").format(
            path=source, detail=str(exc)[:200])) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("{path} is not a FocalPoint backup.").format(path=source))
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError(_("The manifest of {path} is damaged ({detail}).").format(
            path=source, detail="files"))
    for name, meta in files.items():
        if (not isinstance(meta, dict) or type(meta.get("size")) is not int or meta["size"] < 0
                or not isinstance(meta.get("sha256"), str) or len(meta["sha256"]) != 64
                or not set(meta["sha256"]) <= _SHA256_HEX):
            raise BackupError(_("The manifest of {path} is damaged ({detail}).").format(
                path=source, detail=name[:200]))
    if DB_MEMBER not in files:
        raise BackupError(_("The backup {path} holds no database ({member}): there is nothing to "
                            "restore.").format(path=source, member=DB_MEMBER))
    return manifest


def _safe_name(name: str) -> bool:
    """A member restore may unpack: the database, or a file under attachments/, by a plain relative path."""
    if name.startswith("/") or any(ch in name for ch in "\\:\0"):
        return False
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    return name == DB_MEMBER or (parts[0] == "attachments" and len(parts) > 1)


def _check_members(zf: zipfile.ZipFile, files: dict, source: Path, workdir: Path) -> list[zipfile.ZipInfo]:
    """Every listed member, checked on the zip's own word (sizes, ratio, method) before unpacking."""
    members: list[zipfile.ZipInfo] = []
    for name, meta in files.items():
        if not _safe_name(name):
            if name.startswith("/") or ".." in name.replace("\\", "/").split("/"):
                raise BackupError(_("The backup {path} contains an unsafe path.").format(path=source))
            raise BackupError(_("The backup {path} lists {member}, which is not part of a FocalPoint "
                                "backup.").format(path=source, member=name[:200]))
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise BackupError(_("The backup {path} is damaged (member {member}).").format(
                path=source, member=name)) from None
        if (info.is_dir() or info.flag_bits & 0x1 or info.file_size != meta["size"]
                or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
            raise BackupError(_("The backup {path} is damaged (member {member}).").format(
                path=source, member=name))
        members.append(info)
    total = sum(info.file_size for info in members)
    if total > MAX_UNPACKED_BYTES:
        raise BackupError(_("The backup {path} would unpack to {size} GiB; FocalPoint restores at most "
                            "{limit} GiB.").format(path=source, size=_gib(total), limit=_gib(MAX_UNPACKED_BYTES)))
    for info in members:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise BackupError(_("The member {member} of the backup {path} is compressed more than {ratio} to "
                                "1, as a zip bomb is: it was not unpacked.").format(
                member=info.filename, path=source, ratio=MAX_RATIO))
    free = shutil.disk_usage(workdir).free
    if free < total + FREE_SPACE_MARGIN:
        raise BackupError(_("There is not enough free space in {folder} to unpack the backup {path} "
                            "({size} MiB needed).").format(folder=workdir.parent, path=source,
                                                           size=(total + FREE_SPACE_MARGIN) >> 20))
    return members


def _unpack(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], files: dict, source: Path,
            workdir: Path) -> None:
    """Unpack the checked members, counting the bytes as they come and checking each checksum."""
    total = 0
    for info in members:
        target = workdir / info.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        written = 0
        with zf.open(info) as src, target.open("wb") as dst:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                written += len(chunk)
                total += len(chunk)
                if written > info.file_size or total > MAX_UNPACKED_BYTES:  # a header that lied
                    raise BackupError(_("The backup {path} is damaged (member {member}).").format(
                        path=source, member=info.filename))
                digest.update(chunk)
                dst.write(chunk)
        meta = files[info.filename]
        if written != meta["size"] or digest.hexdigest() != meta["sha256"]:
            raise BackupError(_("The backup {path} fails its checksum for {member}: it was altered or "
                                "truncated.").format(path=source, member=info.filename))


def _check_database(db_file: Path, source: Path) -> str:
    """The unpacked database is FocalPoint's, whole; returns its schema revision. Opened read-only."""
    not_ours = BackupError(_("The file {member} inside the backup {path} is not a FocalPoint database.").format(
        member=DB_MEMBER, path=source))
    damaged = BackupError(_("The database inside {path} is damaged.").format(path=source))
    with db_file.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise not_ours
    try:
        conn = sqlean.connect(db_file.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlean.Error as exc:
        raise damaged from exc
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        row = conn.execute("PRAGMA integrity_check").fetchone()
        if row is None or row[0] != "ok":
            raise damaged
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables >= REQUIRED_TABLES:
            raise not_ours
        revisions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlean.Error as exc:
        raise damaged from exc
    finally:
        conn.close()
    if len(revisions) != 1 or not isinstance(revisions[0][0], str):
        raise not_ours
    return revisions[0][0]


def verify_backup(source: Path, workdir: Path) -> dict:
    """Check ``source`` and unpack it into ``workdir``; returns the manifest.

    Everything that can be checked on the zip's word is checked before a byte is unpacked: the
    manifest (at most 1 MiB, JSON naming the files, the database among them), every member's
    path, size, compression method and ratio, the total size and the free space. Unpacking counts
    the bytes and checks every checksum; the database is then opened read-only and must be a whole
    FocalPoint database of a schema this FocalPoint knows. Any failure is a :class:`BackupError`.
    """
    try:
        _check_directory(source)
        with zipfile.ZipFile(source) as zf:
            manifest = _read_manifest(zf, source)
            files = manifest["files"]
            members = _check_members(zf, files, source, workdir)
            _unpack(zf, members, files, source, workdir)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise BackupError(_("{path} is not a readable FocalPoint backup ({detail}).").format(
            path=source, detail=exc)) from exc
    except OSError as exc:
        raise BackupError(_("The backup {path} could not be unpacked into {folder} ({detail}).").format(
            path=source, folder=workdir, detail=exc.strerror or exc)) from exc
    revision = _check_database(workdir / DB_MEMBER, source)
    if not migrate.is_known(revision):
        raise BackupError(_("The backup {path} was made by a newer version of FocalPoint (schema {revision}).").format(
            path=source, revision=revision))
    return manifest


def _keep_current(current: Path, target_dir: Path) -> None:
    """Copy the database about to be replaced into ``target_dir``: consistently when it opens, byte
    for byte when it is damaged (restoring is how one recovers from that). Nothing is replaced
    when no copy can be made."""
    try:
        try:
            engine = make_engine(current)
            try:
                backup_database(engine, current, target_dir, label="before-restore")
            finally:
                engine.dispose()
        except (sqlean.Error, SQLAlchemyError):  # not a database any more: keep its bytes as they are
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            for suffix in ("", "-wal"):
                source = Path(str(current) + suffix)
                if source.exists():
                    final = target_dir / f"focalpoint-{stamp}-before-restore-damaged.sqlite3{suffix}"
                    partial = final.with_name(final.name + ".tmp")
                    try:
                        shutil.copyfile(source, partial)
                        os.replace(partial, final)
                    finally:
                        partial.unlink(missing_ok=True)
    except OSError as exc:
        raise BackupError(_("The current database could not be copied to {folder} before restoring ({detail}). "
                            "Nothing was changed.").format(folder=target_dir, detail=exc.strerror or exc)) from exc


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
            _keep_current(current, backups_dir(data_dir))
        for suffix in ("-wal", "-shm"):
            Path(str(current) + suffix).unlink(missing_ok=True)
        os.replace(work / DB_MEMBER, current)
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
