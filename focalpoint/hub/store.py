"""The hub's database: engines, transactions and the change sequence.

SQLite (the default) runs in WAL mode; write transactions start with
``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade, while reads
use a second engine with ordinary deferred transactions. PostgreSQL is used
through ``postgresql+psycopg://`` URLs.

Every write transaction starts by incrementing the ``changes`` counter row
(:meth:`HubDatabase.write`). On PostgreSQL that row lock is held until commit,
so writers commit in the order of their sequence numbers: a change-feed reader
that has seen sequence *n* can never later find a smaller one appear. The same
lock makes "check the idempotency key, then write" safe against a concurrent
duplicate.

Any thread may call these methods; a session belongs to the thread that opened it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from focalpoint.db import prepare_sqlite_connection
from focalpoint.hub.models import Counter, HubBase

if TYPE_CHECKING:
    import sqlite3

    from alembic.config import Config

DEFAULT_DATABASE_URL = "sqlite:///./focalpoint-hub.sqlite3"
CHANGES = "changes"
IDEMPOTENCY_RETENTION = dt.timedelta(days=180)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           hide_parameters=True)  # an error never logs a document

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        prepare_sqlite_connection(dbapi_conn, wal=True, busy_timeout_ms=30000)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class HubDatabase:
    """The hub's open database. Use :meth:`write` for writes and :meth:`read` for reads."""

    url: str
    write_engine: Engine
    read_engine: Engine

    def __post_init__(self) -> None:
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.write_engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[tuple[Session, int]]:
        """A write transaction and its change sequence number; committed on success.

        The counter increment comes first, so writers are serialised (see module
        docstring). A transaction that fails rolls back and gives its number back.
        """
        with self._write_sessions.begin() as session:
            seq = session.execute(
                update(Counter).where(Counter.name == CHANGES).values(value=Counter.value + 1)
                .returning(Counter.value)
            ).scalar_one()
            yield session, seq

    @contextmanager
    def plain_write(self) -> Iterator[Session]:
        """A write transaction that takes no sequence number (logins, user admin)."""
        with self._write_sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (a consistent snapshot on SQLite)."""
        with self._read_sessions.begin() as session:
            yield session

    def current_seq(self, session: Session) -> int:
        return session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()

    def prune(self, now: dt.datetime, *, keep_idempotency: dt.timedelta = IDEMPOTENCY_RETENTION) -> None:
        """Forget expired tokens and idempotent responses older than ``keep_idempotency``.

        A retry older than that is still safe: it names the revision it was made
        against, and the record has moved on (409, then the client compares).
        """
        from focalpoint.hub.models import IdempotentResponse, Token

        with self.plain_write() as session:
            session.execute(delete(Token).where(Token.expires_on < now))
            session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_on < now - keep_idempotency))

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


SCHEMA_LOCK = 0x46504855  # "FPHU": PostgreSQL advisory lock held while tables are created
POOL_SIZE_ENV = "FOCALPOINT_HUB_POOL_SIZE"
MAX_OVERFLOW_ENV = "FOCALPOINT_HUB_MAX_OVERFLOW"


def _pool_setting(value: int | None, env: str, default: int) -> int:
    if value is not None:
        return value
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"{env} must be a whole number, not {raw!r}.")
    return int(raw)


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: indexes added after the first hub databases were made (a pre-migration database gets them here)
LATE_INDEXES = ("CREATE INDEX IF NOT EXISTS ix_hub_idempotency_key ON hub_idempotency (key)",)


def _alembic_config(connection: Connection | None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def schema_revision(engine: Engine) -> str | None:
    """The hub schema revision recorded in the database (None: none yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_schema_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _migrate(conn: Connection) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from focalpoint.hub import bbi_store  # noqa: F401  (its table belongs to the metadata too)

    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables and "hub_record" not in tables:
        # a revision recorded for tables that are gone (dropped by hand): start again from nothing
        conn.execute(text("DELETE FROM alembic_version"))
        conn.commit()
    if "alembic_version" not in tables and "hub_record" in tables:
        # made before the hub had migrations: complete it, then record where it stands
        HubBase.metadata.create_all(conn)
        for statement in LATE_INDEXES:
            conn.execute(text(statement))
        conn.commit()
        command.stamp(_alembic_config(conn), "hub_0001_schema")
        conn.commit()
    command.upgrade(_alembic_config(conn), "head")
    conn.commit()


def create_tables(engine: Engine) -> None:
    """Bring the hub's schema to the newest revision (Alembic migrations in
    ``focalpoint/hub/migrations``). On PostgreSQL, processes starting together take turns (an
    advisory lock held for the duration), so none fails on another's half-made schema."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
            conn.commit()
        try:
            _migrate(conn)
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
                conn.commit()


def open_hub_database(url: str | None = None, *, pool_size: int | None = None,
                      max_overflow: int | None = None) -> HubDatabase:
    """Open (and create the tables of) the hub database at ``url``.

    On PostgreSQL each process keeps at most ``pool_size`` + ``max_overflow`` connections
    (default 5 + 5; or ``FOCALPOINT_HUB_POOL_SIZE`` / ``FOCALPOINT_HUB_MAX_OVERFLOW``): with
    several processes, keep their sum below the server's ``max_connections``."""
    url = url or DEFAULT_DATABASE_URL
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        with _sqlite_setup_lock(url):
            write_engine = _sqlite_engine(url, immediate=True)
            read_engine = _sqlite_engine(url, immediate=False)
            create_tables(write_engine)
            return _with_counter(HubDatabase(url, write_engine, read_engine))
    else:
        write_engine = create_engine(url, pool_pre_ping=True, hide_parameters=True,
                                     pool_size=_pool_setting(pool_size, POOL_SIZE_ENV, 5),
                                     max_overflow=_pool_setting(max_overflow, MAX_OVERFLOW_ENV, 5))
        read_engine = write_engine
    create_tables(write_engine)
    return _with_counter(HubDatabase(url, write_engine, read_engine))


@contextmanager
def _sqlite_setup_lock(url: str) -> Iterator[None]:
    """Processes opening one SQLite file at the same moment set it up in turn (switching it to
    WAL and creating tables can otherwise meet "database is locked" at once): an exclusive lock
    on a file beside it, held only while the database is opened."""
    database = make_url(url).database
    if not database or database == ":memory:" or os.name != "posix":
        yield
        return
    import fcntl

    with open(f"{database}.setup-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _with_counter(db: HubDatabase) -> HubDatabase:
    try:
        with db.plain_write() as session:
            if session.get(Counter, CHANGES) is None:
                session.add(Counter(name=CHANGES, value=0))
    except IntegrityError:  # another hub process created it at the same moment
        pass
    return db
