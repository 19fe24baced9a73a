"""Alembic, driven from code: the migration scripts ship inside the package.

Opening a database that is already at the newest revision (every start but the first after an
upgrade) needs no Alembic at all: the stamped revision is read with one query and compared with
``HEAD_REVISION``; Alembic is imported only to migrate, or when the shipped scripts and
``HEAD_REVISION`` disagree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from focalpoint import plan_read

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"

#: The newest script in ``migrations/versions`` (named after its revision id), kept in
#: ``focalpoint.plan_read`` (read there without SQLAlchemy at start-up). At run time it is trusted
#: only while it is still the newest script shipped (else Alembic is asked).
HEAD_REVISION = plan_read.HEAD_REVISION


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic configuration for the shipped scripts; with ``engine``, migrations run on it
    (``migrations/env.py`` reads it). Pure; any thread."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


@lru_cache(maxsize=1)
def _known_head() -> str | None:
    """``HEAD_REVISION`` when it is the newest script in the versions folder, else None."""
    names = {entry.name.split(".", 1)[0] for entry in VERSIONS_DIR.iterdir()
             if entry.is_file() and entry.suffix in (".py", ".pyc") and not entry.name.startswith("_")}
    return HEAD_REVISION if names and max(names) == HEAD_REVISION else None


def head_revision() -> str:
    """The newest schema revision this FocalPoint ships. Reads the scripts once; any thread."""
    known = _known_head()
    if known is not None:
        return known
    head = _script().get_current_head()
    assert head is not None
    return head


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of this FocalPoint's migrations (False: a newer FocalPoint
    made the database, or the revision is garbage). Any thread."""
    if not revision:
        return False
    if revision == _known_head():
        return True
    from alembic.util.exc import CommandError

    try:
        return _script().get_revision(revision) is not None
    except CommandError:  # Alembic's "Can't locate revision identified by ..."
        return False


def stored_revision(conn: Connection) -> str | None:
    """The revision stamped in ``alembic_version`` (Alembic's table), None when there is none;
    Alembic itself reads a table holding several (and raises). On ``conn``'s thread."""
    table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").first()
    if table is None:
        return None
    rows = [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    if len(rows) > 1:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    return rows[0] if rows else None


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, None for a new (empty) one. Opens its own
    connection; called by ``open_database`` before the workers start."""
    with engine.connect() as conn:
        return stored_revision(conn)


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run migrations up to ``target`` in one transaction (all or nothing; errors propagate).

    Called by ``open_database`` after a backup, before any other connection is in use."""
    from alembic import command

    command.upgrade(alembic_config(engine), target)
