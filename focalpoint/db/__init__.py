"""The local SQLite store: opening, checking, backing up and migrating it.

SQLite comes from ``sqlean.py`` (a current SQLite with a working trigram
tokenizer); the database file lives in the data directory. ``open_database``
refuses, with a clear message and without touching the file, a database made
by a newer FocalPoint, a corrupt file, a read-only file and a full disk.
Before any migration the file is copied to ``backups/``.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlean
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from focalpoint.i18n import _
from focalpoint.models import Meta
from focalpoint.paths import backups_dir, database_path

SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """A problem with the local database that the person must hear about."""

    exit_code = 3

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path

    @property
    def user_message(self) -> str:
        """The translated message to show the person (what went wrong and what to do)."""
        return str(self)


class DatabaseNewerError(DatabaseError):
    """The database was made by a newer FocalPoint (an unknown schema revision); it is left untouched."""

    exit_code = 4


class DatabaseCorruptError(DatabaseError):
    """The file is not a SQLite database or fails SQLite's quick check; it is left untouched."""

    exit_code = 5


class DatabaseReadOnlyError(DatabaseError):
    """The database file or its folder cannot be read or written with the current permissions."""

    exit_code = 6


class DiskFullError(DatabaseError):
    """The disk holding the database is full; nothing has been changed."""

    exit_code = 7


LOW_SPACE_BYTES = 512 * 1024


def _is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """True when ``exc`` comes from a full disk (SQLite reports some of those as I/O errors)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if "database or disk is full" in text or "no space left" in text:
        return True
    if folder is not None and ("disk i/o error" in text or "unable to open" in text):
        try:
            return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
        except OSError:
            return False
    return False


def _disk_full(path: Path) -> DiskFullError:
    return DiskFullError(
        _("The disk holding {path} is full. Free some space and start FocalPoint again; "
          "your data has not been changed.").format(path=path),
        path,
    )


WRITE_OPTION = "focalpoint_write"


def _json_dumps(value: object) -> str:
    """JSON as stored: compact, and UTF-8 text as it is (Arabic, Cyrillic and Chinese unescaped)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def prepare_sqlite_connection(dbapi_conn: Any, *, wal: bool, busy_timeout_ms: int) -> None:
    """Set up a new SQLite connection as every FocalPoint database wants it (the local store and
    the hub's): no implicit transactions (the engine's ``begin`` listener emits BEGIN), the WAL
    journal when ``wal``, foreign keys, ``busy_timeout_ms``, synchronous=NORMAL. Called from an
    engine's ``connect`` event, on whichever thread opens the connection."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        if wal:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        cur.close()


def make_engine(path: Path | str, *, read_only: bool = False) -> Engine:
    """An engine on a SQLite file with WAL, foreign keys and a busy timeout.

    Transactions are real: BEGIN is emitted by us (pysqlite's own handling skips
    it before DDL), so a migration either happens whole or not at all. Opens no
    connection yet; any thread may call it (``open_database`` is the usual way in).
    """
    url = f"sqlite:///{path}"
    connect_args = {"check_same_thread": False, "timeout": 10}
    if read_only:
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    engine = create_engine(url, module=sqlean, connect_args=connect_args,
                           json_serializer=_json_dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        prepare_sqlite_connection(dbapi_conn, wal=not read_only, busy_timeout_ms=10000)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a write transaction takes the write lock at once, so it never fails half-way with
        # "database is locked" when another thread wrote between its read and its write
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """An open, migrated local store, and its single writer.

    The object may be shared between threads, but each session belongs to the thread that
    opened it. In the desktop app the UI's reads and writes run on the database worker
    (``TaskRunner.run_db``) and the sync engine's on the network worker; the CLI uses its only thread.

    The writer rule: every transaction that writes is opened with ``session(write=True)``. It
    holds the store's one in-process writer lock (``write_lock``, a re-entrant lock) for its whole
    duration and starts with BEGIN IMMEDIATE, so writers on different threads run one after the
    other in this process and never wait on SQLite's busy timeout for each other. Reads
    (``session()``) take no lock and run beside a writer (WAL). Keep write transactions short:
    no network request, file transfer or wait inside one; fetch first, then write.
    """

    path: Path
    data_dir: Path
    engine: Engine
    session_factory: sessionmaker[Session]
    write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        ``write=True`` is for every transaction that writes: it holds ``write_lock`` from before
        BEGIN until after the commit or rollback, and takes SQLite's write lock when the
        transaction starts (BEGIN IMMEDIATE). Without it the session is for reading.
        Errors from the block propagate after the rollback. Call on the thread that uses the session.
        """
        if not write:
            with self.session_factory.begin() as session:
                yield session
            return
        with self.write_lock, self.session_factory.begin() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    def close(self) -> None:
        """Close every pooled connection. Call once no session is open (at shutdown, after the workers stop)."""
        self.engine.dispose()


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if not os.access(path, os.R_OK):
        raise DatabaseReadOnlyError(
            _("FocalPoint cannot read its database {path}. Check the file's permissions.").format(path=path),
            path,
        )
    size = path.stat().st_size
    if size:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise DatabaseCorruptError(
                _("The database {path} is damaged or is not a FocalPoint database. It has been left "
                  "as it is. Restore a backup with 'focalpoint restore FILE', or move the file away to "
                  "start afresh.").format(path=path),
                path,
            )
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseReadOnlyError(
            _("The database {path} is read-only. FocalPoint needs to write to it and to its folder: "
              "check the permissions, or choose another data folder with --data-dir.").format(path=path),
            path,
        )


def _quick_check(engine: Engine, path: Path) -> None:
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
    except Exception as exc:  # sqlean.DatabaseError and friends, wrapped by SQLAlchemy
        if _is_disk_full(exc, path.parent):
            raise _disk_full(path) from exc
        raise DatabaseCorruptError(
            _("The database {path} is damaged ({detail}). It has been left as it is. Restore a backup "
              "or move the file away to start afresh.").format(path=path, detail=_short(exc)),
            path,
        ) from exc
    if result != "ok":
        raise DatabaseCorruptError(
            _("The database {path} is damaged ({detail}). It has been left as it is. Restore a backup "
              "or move the file away to start afresh.").format(path=path, detail=result),
            path,
        )


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0][:200]


def backup_database(engine: Engine, path: Path, target_dir: Path, label: str) -> Path:
    """Copy the database consistently (SQLite's backup API) into ``target_dir``.

    Written to a temporary name and renamed into place, so a failed backup
    leaves no half file. Returns the backup's path. Raises ``OSError`` (ENOSPC) when
    the target disk has less than twice the database's size free. Reads the database
    through its own connection, so it may run beside the database worker (not on the UI thread).
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    final = target_dir / f"focalpoint-{stamp}-{label}.sqlite3"
    tmp = final.with_suffix(".tmp")
    try:
        free = shutil.disk_usage(target_dir).free
        if free < path.stat().st_size * 2 + 1_000_000:
            raise OSError(errno.ENOSPC, "not enough free space for a backup")
        raw = engine.raw_connection()
        try:
            dest = sqlean.connect(str(tmp))
            try:
                driver = raw.driver_connection
                assert driver is not None  # a pooled connection that is open
                driver.backup(dest)
            finally:
                dest.close()
        finally:
            raw.close()
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def open_database(data_dir: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the store in ``data_dir``.

    Before a migration the existing file is backed up to ``backups/``; the migration runs in
    one transaction. Raises a :class:`DatabaseError` subclass (newer, corrupt, read-only, disk
    full) with a message for the person, leaving the file as it was. Called once at start-up,
    before the workers start (the app's UI thread, or the CLI's only thread).
    """
    from focalpoint.db import migrate as migrations

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if _is_disk_full(exc):
            raise _disk_full(data_dir) from exc
        raise DatabaseReadOnlyError(
            _("FocalPoint cannot create its data folder {path} ({detail}). Choose another folder "
              "with --data-dir.").format(path=data_dir, detail=exc.strerror or exc),
            data_dir,
        ) from exc
    path = database_path(data_dir)
    existed = path.exists() and path.stat().st_size > 0
    _check_file(path)
    if not existed and not os.access(data_dir, os.W_OK):
        raise DatabaseReadOnlyError(
            _("The data folder {path} is read-only. Choose another folder with --data-dir.").format(path=data_dir),
            data_dir,
        )
    engine = make_engine(path)
    try:
        if existed:
            _quick_check(engine, path)
        try:
            current = migrations.current_revision(engine)
        except Exception as exc:
            if _is_disk_full(exc, data_dir):
                raise _disk_full(path) from exc
            raise
        if current is not None and not migrations.is_known(current):
            raise DatabaseNewerError(
                _("The database {path} was made by a newer version of FocalPoint (schema {revision}). "
                  "Install the newer version to open it; nothing has been changed.").format(
                    path=path, revision=current),
                path,
            )
        if migrate and current != migrations.head_revision():
            if existed:
                try:
                    backup_database(engine, path, backups_dir(data_dir), label=current or "empty")
                except Exception as exc:
                    if _is_disk_full(exc, data_dir):
                        raise _disk_full(path) from exc
                    raise
            try:
                migrations.upgrade(engine)
            except DatabaseError:
                raise
            except Exception as exc:
                if _is_disk_full(exc, data_dir):
                    raise _disk_full(path) from exc
                if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
                    raise DatabaseReadOnlyError(
                        _("The database {path} is read-only. FocalPoint needs to write to it and to its "
                          "folder: check the permissions, or choose another data folder with --data-dir.").format(path=path),
                        path,
                    ) from exc
                raise
    except BaseException:
        engine.dispose()
        raise
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(path=path, data_dir=data_dir, engine=engine, session_factory=factory)


# ------------------------------------------------------------------ small facts kept in ``meta``


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    """The value kept under ``key`` in the ``meta`` table, or ``default``. Reads in the caller's
    transaction; call on the thread that owns ``session`` (the database worker in the app)."""
    row = session.get(Meta, key)
    return row.value if row is not None else default


def set_meta(session: Session, key: str, value: str) -> None:
    """Keep ``value`` under ``key`` in the ``meta`` table (insert or replace), in the caller's
    transaction: it is written when that transaction commits. Database worker (or the CLI)."""
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time (a trailing ``Z`` allowed) as naive UTC, the form the local store keeps;
    None for anything that is not such a string. Pure; any thread."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed
