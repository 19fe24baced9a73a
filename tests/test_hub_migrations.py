"""The hub's schema by Alembic migrations: a new database is made at the newest revision, one made
before the hub had migrations is completed (tables, indexes) without losing a row, and
``focalpoint-hub migrate`` reports where it stands."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from sqlalchemy import create_engine, inspect

from focalpoint.hub.models import HubBase
from focalpoint.hub.store import head_schema_revision, open_hub_database, schema_revision


def test_a_new_database_is_made_at_the_newest_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    db = open_hub_database(url)
    try:
        assert schema_revision(db.write_engine) == head_schema_revision()
        assert "hub_login_failure" in inspect(db.write_engine).get_table_names()
    finally:
        db.dispose()


def test_a_database_from_before_migrations_is_completed_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    old_tables = [t for name, t in HubBase.metadata.tables.items() if name != "hub_login_failure"]
    HubBase.metadata.create_all(engine, tables=old_tables)
    engine.dispose()
    with sqlite3.connect(path) as conn:  # as an older hub left it: no key index, a government
        conn.execute("DROP INDEX IF EXISTS ix_hub_idempotency_key")
        conn.execute("INSERT INTO hub_government (code, name) VALUES ('ws', 'WS')")
    db = open_hub_database(f"sqlite:///{path}")
    try:
        assert schema_revision(db.write_engine) == head_schema_revision()
        inspector = inspect(db.write_engine)
        assert "hub_login_failure" in inspector.get_table_names()
        assert "ix_hub_idempotency_key" in {i["name"] for i in inspector.get_indexes("hub_idempotency")}
    finally:
        db.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT code FROM hub_government").fetchall() == [("ws",)]


def test_hub_cli_migrate_reports_the_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "focalpoint.hub.cli", "migrate", "--database-url", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert head_schema_revision() in done.stdout
