"""Several hub processes started together on an empty database all come up (tables are created
once, in turn), and the connection pool is sized by configuration. SQLite, and PostgreSQL when
``FOCALPOINT_TEST_POSTGRES_URL`` is set (on a database of its own, made and dropped here)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from focalpoint.hub.store import open_hub_database
from tests.support.hub_fixtures import backends
from tests.support.hubkit import POSTGRES_ENV

PROCESSES = 4
TRIALS = 4
START = "from focalpoint.hub.store import open_hub_database; open_hub_database({url!r}).dispose()"


def _fresh_databases(backend: str, tmp_path, count: int) -> Iterator[list[str]]:  # noqa: ANN001
    if backend == "sqlite":
        yield [f"sqlite:///{tmp_path / f'hub{i}.sqlite3'}" for i in range(count)]
        return
    base = make_url(os.environ[POSTGRES_ENV])
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    names = [f"fp_start_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("backend", backends())
def test_hub_processes_started_together_on_an_empty_database_all_start(backend, tmp_path):
    for urls in _fresh_databases(backend, tmp_path, TRIALS):
        for url in urls:
            procs = [subprocess.Popen([sys.executable, "-c", START.format(url=url)], stderr=subprocess.PIPE,
                                      text=True) for _ in range(PROCESSES)]
            results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
            assert [code for code, _ in results] == [0] * PROCESSES, [err[-400:] for _, err in results]
            db = open_hub_database(url)
            try:
                with db.read() as session:  # one change counter, not one per process
                    assert db.current_seq(session) == 0
                    assert session.execute(text("SELECT count(*) FROM hub_counter")).scalar() == 1
            finally:
                db.dispose()


@pytest.mark.parametrize("backend", backends())
def test_pool_size_is_configurable(backend, tmp_path, monkeypatch):
    if backend == "sqlite":
        with pytest.raises(ValueError, match="FOCALPOINT_HUB_POOL_SIZE"):
            monkeypatch.setenv("FOCALPOINT_HUB_POOL_SIZE", "many")
            from focalpoint.hub.store import _pool_setting

            _pool_setting(None, "FOCALPOINT_HUB_POOL_SIZE", 5)
        return
    for urls in _fresh_databases(backend, tmp_path, 1):
        monkeypatch.setenv("FOCALPOINT_HUB_POOL_SIZE", "2")
        monkeypatch.setenv("FOCALPOINT_HUB_MAX_OVERFLOW", "1")
        db = open_hub_database(urls[0])
        try:
            assert db.write_engine.pool.size() == 2
            assert db.write_engine.pool._max_overflow == 1
        finally:
            db.dispose()
