"""Alembic, driven from code: the migration scripts ship inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic configuration for the shipped scripts; with ``engine``, migrations run on it
    (``migrations/env.py`` reads it). Pure; any thread."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest schema revision this FocalPoint ships. Reads the scripts once; any thread."""
    head = _script().get_current_head()
    assert head is not None
    return head


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of this FocalPoint's migrations (False: a newer FocalPoint
    made the database, or the revision is garbage). Any thread."""
    if not revision:
        return False
    try:
        return _script().get_revision(revision) is not None
    except CommandError:  # Alembic's "Can't locate revision identified by ..."
        return False


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, None for a new (empty) one. Opens its own
    connection; called by ``open_database`` before the workers start."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run migrations up to ``target`` in one transaction (all or nothing; errors propagate).

    Called by ``open_database`` after a backup, before any other connection is in use."""
    command.upgrade(alembic_config(engine), target)
