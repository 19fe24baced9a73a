"""Files attached to records: stored once by content, named per record, guarded like the record.

On disk (``Hub.files_dir``; by default a folder beside the SQLite database, or
``./focalpoint-hub-files`` for PostgreSQL)::

    content/ab/abcdef…   one file per SHA-256, written once, never changed
    incoming/            bodies being received (random names; renamed into content/ once verified)
    uploads/<id>.json    resumable (tus) uploads: their state …
    uploads/<id>.part    … and the bytes received so far (never under a content name)
    temporary/<id>.json  the CHM's temporary-file slots (``/api/v2015/temporary-files``)

A file reaches ``content/`` only through :meth:`FileStore.adopt`: after its SHA-256 was
computed (and compared with the one the client named), fsynced, then renamed atomically, so
a crash or a cut never leaves a partial file under a content name. Partial uploads and slots
expire after :data:`UPLOAD_TTL`.

The finished contents may instead live in any fsspec URL (``Hub.files_url``: ``s3://bucket/prefix``
with s3fs installed, ``file:///srv/files``, ``memory://`` in tests), under the same
``ab/abcdef…`` names. Bodies being received, tus uploads and slots stay on local disk (they need
appends and renames); a verified file is then put to the store: on a file system to a temporary
name renamed into place, on an object store with one PUT (atomic per object), its size checked.

The table ``hub_attachment`` maps (record identifier, file name) to a content, its size and
type. Who may write or read follows the record (:func:`check_may_attach`, :func:`may_read`).

Functions taking a ``Session`` run in a worker thread (the routes use ``run_in_threadpool``);
:class:`FileStore` methods are plain file operations, safe from any thread.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import fsspec
from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapped, Session, mapped_column

from focalpoint.fileio import fsync_dir
from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import MAX_FILE_BYTES, iso
from focalpoint.hub.errors import HubError, not_found
from focalpoint.hub.models import HubBase, Record
from focalpoint.hub.permissions import can_see_draft, check_write

#: how long an unfinished resumable upload or an unused temporary slot is kept
UPLOAD_TTL = dt.timedelta(days=1)
API_PREFIX = "/api/v2013/documents"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_NAME_BYTES = 255
_FORBIDDEN = set('/\\\x00')


class Attachment(HubBase):
    """A file attached to a record: the record's identifier and the file's name point to a content."""

    __tablename__ = "hub_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # the CHM's attachmentId
    document_uid: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    # who owns it while the record is not (yet) on the hub: the uploader's government (None:
    # a reference record or the secretariat) and the uploader
    government: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))
    created_on: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("document_uid", "filename", name="uq_hub_attachment_name"),)


Index("ix_hub_attachment_document", Attachment.document_uid)


# ---------------------------------------------------------------------------------------- names


def check_filename(name: str) -> str:
    """The file name as sent, or 400 when it cannot be one (folders, control characters, too long)."""
    name = unicodedata.normalize("NFC", name or "")
    if (not name.strip() or name in (".", "..") or any(c in _FORBIDDEN for c in name)
            or any(unicodedata.category(c) == "Cc" for c in name)
            or len(name.encode("utf-8")) > MAX_NAME_BYTES):
        raise HubError(400, "Error.InvalidFilename",
                       "A file name must be 1 to 255 bytes, without '/', '\\' or control characters.")
    return name


def check_sha256(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not SHA256_RE.match(value):
        raise HubError(400, "Error.InvalidDigest", "A SHA-256 is 64 hexadecimal digits.")
    return value


def content_type_for(filename: str, declared: str | None) -> str:
    """The declared type when it says something (not octet-stream), else a guess from the name."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream" and len(declared) <= 200 \
            and re.match(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$", declared):
        return declared
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def attachment_url(uid: str, attachment_id: int, filename: str) -> str:
    """The CHM's download path of an attachment."""
    return f"{API_PREFIX}/{quote(uid, safe='')}/attachments/{attachment_id}/{quote(filename, safe='')}"


def describe(row: Attachment) -> dict[str, Any]:
    """An attachment as the hub answers it (CHM fields ``url``, ``name``, ``filename``, ``documentUID``)."""
    return {"attachmentId": row.id, "documentUID": row.document_uid, "filename": row.filename,
            "name": row.filename, "url": attachment_url(row.document_uid, row.id, row.filename),
            "size": row.size, "sha256": row.sha256, "contentType": row.content_type, "createdOn": iso(row.created_on)}


# ---------------------------------------------------------------------------------------- disk


def default_files_dir(database_url: str) -> Path:
    """Beside a SQLite database (``hub.sqlite3`` → ``hub-files``); else ``./focalpoint-hub-files``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database).resolve()
        return db.with_name(db.stem + "-files")
    return Path("focalpoint-hub-files").resolve()


@dataclass(frozen=True)
class Received:
    """A body written to ``incoming/``: its path, SHA-256 and size."""

    path: Path
    sha256: str
    size: int


class FileStoreError(ValueError):
    """The content store's URL cannot be opened (unknown scheme, library not installed, refused)."""


#: fsspec protocols with a real rename: content is written to a temporary name, then moved
_RENAMING = {"file", "local"}
_CHUNK = 1 << 20


class FileStore:
    """The hub's files: local disk, or finished contents in an fsspec URL (see the module docstring).

    ``root`` holds the bodies being received, tus uploads and slots (and, without ``url``, the
    contents). Methods are plain file or store operations, safe from any thread; those reaching a
    remote store block, so routes call them through ``run_in_threadpool``."""

    def __init__(self, root: Path | str, max_bytes: int = MAX_FILE_BYTES, url: str | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.url = url
        self.content_dir = self.root / "content"
        self.incoming_dir = self.root / "incoming"
        self.uploads_dir = self.root / "uploads"
        self.temporary_dir = self.root / "temporary"
        folders = [self.incoming_dir, self.uploads_dir, self.temporary_dir]
        self.remote: fsspec.AbstractFileSystem | None = None
        self._remote_root = ""
        if url:
            try:
                self.remote, self._remote_root = fsspec.core.url_to_fs(url)
                self.remote.makedirs(self._remote_root, exist_ok=True)
            except (ImportError, ValueError, OSError) as exc:
                raise FileStoreError(f"The file store {url!r} cannot be opened: {exc}") from exc
            self._remote_root = self._remote_root.rstrip("/")
        else:
            folders.append(self.content_dir)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def is_remote(self) -> bool:
        """Whether contents live in a URL's store rather than under ``root/content``."""
        return self.remote is not None

    def content_path(self, sha256: str) -> Path:
        """The content's file on local disk (only for a store without a URL; see :meth:`is_remote`)."""
        if not SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        if self.remote is not None:
            raise RuntimeError("the contents are in a remote store; use size_of/read_range/local_copy")
        return self.content_dir / sha256[:2] / sha256

    def content_key(self, sha256: str) -> str:
        """The content's path inside the remote store."""
        if not SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{self._remote_root}/{sha256[:2]}/{sha256}"

    def has(self, sha256: str) -> bool:
        """Whether the content is stored."""
        return self.size_of(sha256) is not None

    def size_of(self, sha256: str) -> int | None:
        """The stored content's size in bytes, or None when the store does not hold it."""
        if self.remote is None:
            try:
                path = self.content_path(sha256)
                return path.stat().st_size if path.is_file() else None
            except FileNotFoundError:
                return None
        try:
            return int(self.remote.size(self.content_key(sha256)))
        except FileNotFoundError:
            return None

    def read_range(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The content's bytes ``start`` to ``end`` (exclusive; None: to the end), in chunks.
        FileNotFoundError when it is not stored."""
        if self.remote is None:
            handle: Any = open(self.content_path(sha256), "rb")  # noqa: SIM115  (closed below)
        else:
            handle = self.remote.open(self.content_key(sha256), "rb")
        with handle:
            handle.seek(start)
            left = None if end is None else end - start
            while left is None or left > 0:
                chunk = handle.read(_CHUNK if left is None else min(_CHUNK, left))
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def local_copy(self, sha256: str) -> Path:
        """A local file with the content: its own file for a local store, else a copy fetched to
        ``incoming/`` that the caller removes. FileNotFoundError when it is not stored."""
        if self.remote is None:
            path = self.content_path(sha256)
            if not path.is_file():
                raise FileNotFoundError(path)
            return path
        target = self.new_incoming()
        try:
            self.remote.get_file(self.content_key(sha256), str(target))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def new_incoming(self) -> Path:
        """A fresh name in ``incoming/`` (the caller creates the file)."""
        return self.incoming_dir / f"in-{secrets.token_hex(12)}"

    def too_large(self) -> HubError:
        return HubError(413, "Error.PayloadTooLarge",
                        f"The file is larger than this hub's limit of {_megabytes(self.max_bytes)}.",
                        maxBytes=self.max_bytes)

    def adopt(self, path: Path, sha256: str) -> None:
        """Move a verified file (whose SHA-256 is ``sha256``) to its content name; when that content
        is already stored the file is simply removed (one copy per content)."""
        if self.remote is not None:
            self._put_remote(path, sha256)
            return
        target = self.content_path(sha256)
        if target.is_file():
            path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(path, target)
        fsync_dir(target.parent)

    def _put_remote(self, path: Path, sha256: str) -> None:
        remote = self.remote
        assert remote is not None
        size = path.stat().st_size
        key = self.content_key(sha256)
        if self.size_of(sha256) == size:
            path.unlink(missing_ok=True)
            return
        protocols = {remote.protocol} if isinstance(remote.protocol, str) else set(remote.protocol)
        if protocols & _RENAMING:
            # a file system: never a partial file under the content name
            remote.makedirs(key.rsplit("/", 1)[0], exist_ok=True)
            temporary = f"{key}.tmp-{secrets.token_hex(8)}"
            try:
                remote.put_file(str(path), temporary)
                remote.mv(temporary, key)
            except BaseException:
                if remote.exists(temporary):
                    remote.rm_file(temporary)
                raise
        else:
            remote.put_file(str(path), key)  # an object store: one PUT, visible whole or not at all
        stored = self.size_of(sha256)
        if stored != size:
            if stored is not None:
                remote.rm_file(key)
            raise OSError(f"The file store kept {stored} bytes of content {sha256} instead of {size}.")
        path.unlink(missing_ok=True)

    def stored_contents(self) -> list[str]:
        """The SHA-256 of every stored content (for checks and tests; lists the whole store)."""
        if self.remote is None:
            return sorted(p.name for p in self.content_dir.glob("??/*") if SHA256_RE.match(p.name))
        names = self.remote.find(self._remote_root)
        return sorted(name.rsplit("/", 1)[-1] for name in names if SHA256_RE.match(name.rsplit("/", 1)[-1]))

    def sweep(self, now: float | None = None) -> int:
        """Remove expired partial uploads, unused temporary slots and orphaned incoming bodies;
        returns how many files went."""
        now = time.time() if now is None else now
        ttl = UPLOAD_TTL.total_seconds()
        removed = 0
        for folder in (self.uploads_dir, self.temporary_dir, self.incoming_dir):
            for path in folder.iterdir():
                try:
                    if now - path.stat().st_mtime > ttl:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    # ------------------------------------------------------------------ state files (uploads, slots)

    def _state_path(self, folder: Path, ident: str) -> Path:
        if not _ID_RE.match(ident or ""):
            raise not_found("The upload")
        return folder / f"{ident}.json"

    def read_state(self, folder: Path, ident: str) -> dict[str, Any] | None:
        path = self._state_path(folder, ident)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if not isinstance(state, dict):
            raise ValueError(f"The upload state {path.name} is not a JSON object.")
        if time.time() - path.stat().st_mtime > UPLOAD_TTL.total_seconds() and not state.get("done"):
            return None  # expired; the next sweep removes it
        return state

    def write_state(self, folder: Path, ident: str, state: dict[str, Any]) -> None:
        path = self._state_path(folder, ident)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, path)

    def remove_state(self, folder: Path, ident: str) -> None:
        self._state_path(folder, ident).unlink(missing_ok=True)
        (folder / f"{ident}.part").unlink(missing_ok=True)

    def part_path(self, ident: str) -> Path:
        self._state_path(self.uploads_dir, ident)  # checks the identifier
        return self.uploads_dir / f"{ident}.part"


def _megabytes(value: int) -> str:
    return f"{value / (1024 * 1024):.0f} MB" if value >= 1024 * 1024 else f"{value} bytes"


def new_id() -> str:
    return secrets.token_urlsafe(24)


# ---------------------------------------------------------------------------------------- rules


def check_may_attach(session: Session, p: Principal, uid: str) -> str | None:
    """Raise 403 unless ``p`` may add files to record ``uid``; returns the government that owns
    the files (the record's; for a record not yet on the hub, the uploader's: its files are
    uploaded before the record that names them)."""
    record = session.get(Record, uid)
    if record is not None:
        check_write(p, record.government, record.created_by)
        return record.government
    if p.is_secretariat:
        return None
    return p.government


def may_read(session: Session, p: Principal, row: Attachment) -> bool:
    """Files of a published record are readable by anyone signed in (as the record is); files of a
    draft only by those who see the draft; files of a record not yet on the hub by their uploader's
    government (or the uploader, for a reference record)."""
    record = session.get(Record, row.document_uid)
    if record is not None:
        if not record.deleted and record.published_body is not None:
            return True
        return can_see_draft(p, record.government, record.created_by)
    return can_see_draft(p, row.government, row.created_by)


def attach(session: Session, p: Principal, uid: str, filename: str, sha256: str, size: int,
           content_type: str, government: str | None, now: dt.datetime) -> Attachment:
    """Name stored content ``filename`` on record ``uid``. The same name with the same content is
    left as it is (a repeated upload); with other content it becomes a new attachment (new id)."""
    row = session.scalars(select(Attachment).where(Attachment.document_uid == uid,
                                                   Attachment.filename == filename)).first()
    if row is not None:
        if row.sha256 == sha256:
            return row
        session.delete(row)
        session.flush()
    row = Attachment(document_uid=uid, filename=filename, sha256=sha256, size=size, content_type=content_type,
                     government=government, created_by=p.id, created_on=now)
    session.add(row)
    session.flush()
    return row


def readable_attachment(session: Session, p: Principal, uid: str, attachment_id: int | None,
                        filename: str) -> Attachment:
    """The attachment, or 404 (also when ``p`` may not read it: no oracle)."""
    query = select(Attachment).where(Attachment.document_uid == uid, Attachment.filename == filename)
    if attachment_id is not None:
        query = query.where(Attachment.id == attachment_id)
    row = session.scalars(query).first()
    if row is None or not may_read(session, p, row):
        raise not_found("The attachment")
    return row


def list_attachments(session: Session, p: Principal, uid: str, top: int, skip: int) -> dict[str, Any]:
    """``{"Count", "Items"}`` of the record's attachments the caller may read (by name)."""
    rows = [r for r in session.scalars(select(Attachment).where(Attachment.document_uid == uid)
                                       .order_by(Attachment.filename))
            if may_read(session, p, r)]
    return {"Count": len(rows), "Items": [describe(r) for r in rows[skip:skip + top]]}


def known_to(session: Session, p: Principal, sha256: str) -> bool:
    """Whether ``p`` may already read some stored file with this content (then it need not be sent
    again; to anyone else the hub does not say what it holds)."""
    return any(may_read(session, p, row)
               for row in session.scalars(select(Attachment).where(Attachment.sha256 == sha256).limit(50)))
