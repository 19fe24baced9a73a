"""One writer for the local database: write transactions on different threads run one after the
other (the ``Database`` writer lock), reads run beside them, and a sync on the network worker never
meets "database is locked" while the database worker saves records."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session

from focalpoint.db import WRITE_OPTION, Database, get_meta, open_database, set_meta
from focalpoint.models import OutboxEntry
from tests.support.sync import Station, government_codes, needs_assessment

PASSWORD = "correct horse"
WAIT = 10.0  # the longest any step may take before the test calls it stuck


@pytest.fixture
def db(data_dir: Path) -> Any:
    database = open_database(data_dir)
    yield database
    database.close()


def _no_busy_wait(db: Database) -> None:
    """From now on SQLite gives up at once on a locked database (no busy timeout): any two write
    transactions that overlap fail with "database is locked" unless the writer lock serializes them."""
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _zero_timeout(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=0")
        cur.close()


def _watch_unlocked_writes(db: Database) -> list[str]:
    """Every write made outside ``session(write=True)`` from now on (an ORM flush with changes, or an
    INSERT/UPDATE/DELETE statement), described; the list stays empty while the writer rule holds."""
    found: list[str] = []

    def is_write_session(session: Session) -> bool:
        return bool(session.connection().get_execution_options().get(WRITE_OPTION))

    @event.listens_for(db.session_factory, "before_flush")
    def _flush(session: Session, _context: Any, _instances: Any) -> None:
        if (session.new or session.dirty or session.deleted) and not is_write_session(session):
            found.append(f"flush of {sorted({type(o).__name__ for o in [*session.new, *session.dirty]})}"
                         f" on {threading.current_thread().name}")

    @event.listens_for(db.session_factory, "do_orm_execute")
    def _execute(state: ORMExecuteState) -> None:
        if (state.is_insert or state.is_update or state.is_delete) and not is_write_session(state.session):
            found.append(f"{state.statement} on {threading.current_thread().name}")

    return found


def test_second_writer_waits_for_the_first_without_touching_sqlite(db: Database) -> None:
    _no_busy_wait(db)
    first_in, release_first, second_in = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    order: list[str] = []

    def first() -> None:
        try:
            with db.session(write=True) as session:
                set_meta(session, "test.writer", "first")
                order.append("first in")
                first_in.set()
                assert release_first.wait(WAIT)
                order.append("first out")
        except BaseException as exc:
            errors.append(exc)

    def second() -> None:
        try:
            assert first_in.wait(WAIT)
            with db.session(write=True) as session:
                order.append("second in")
                second_in.set()
                set_meta(session, "test.writer", "second:" + (get_meta(session, "test.writer") or ""))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_in.wait(WAIT)
    # the second writer is held in the process, before it opens a connection or a transaction
    assert not second_in.wait(0.3)
    assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    release_first.set()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive()
    assert errors == []
    assert order == ["first in", "first out", "second in"]
    with db.session() as session:
        assert get_meta(session, "test.writer") == "second:first"  # the second saw the first's commit


def test_a_reader_is_not_blocked_by_a_writer(db: Database) -> None:
    with db.session(write=True) as session:
        set_meta(session, "test.value", "old")
    writing, done_reading = threading.Event(), threading.Event()
    seen: list[str | None] = []

    def writer() -> None:
        with db.session(write=True) as session:
            set_meta(session, "test.value", "new")
            session.flush()
            writing.set()
            assert done_reading.wait(WAIT)

    def reader() -> None:
        assert writing.wait(WAIT)
        with db.session() as session:
            seen.append(get_meta(session, "test.value"))
        done_reading.set()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "the reader waited for the writer"
    assert seen == ["old"]  # read beside the open write transaction, from the last commit
    with db.session() as session:
        assert get_meta(session, "test.value") == "new"


def test_the_same_thread_may_nest_a_write_inside_a_write_lock(db: Database) -> None:
    with db.write_lock, db.session(write=True) as session:
        set_meta(session, "test.nested", "yes")
    with db.session() as session:
        assert get_meta(session, "test.nested") == "yes"


def test_sync_beside_the_database_worker_saving_records(hub: Any, tmp_path: Path) -> None:
    gov = government_codes()[-1]
    email = f"wren@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    station = Station(tmp_path / "station", hub.url, email, PASSWORD)
    try:
        for index in range(5):
            station.store.save(needs_assessment(gov, f"Before the sync {index}"))
        _no_busy_wait(station.db)
        unlocked = _watch_unlocked_writes(station.db)
        syncing, sync_done = threading.Event(), threading.Event()
        errors: list[BaseException] = []
        reports: list[Any] = []
        saved: list[str] = []
        overlapped: list[bool] = []

        def network_worker() -> None:
            try:
                for _round in range(3):
                    reports.append(station.sync(progress=lambda _p: syncing.set()))
            except BaseException as exc:
                errors.append(exc)
            finally:
                syncing.set()
                sync_done.set()

        def database_worker() -> None:
            try:
                assert syncing.wait(WAIT)
                for index in range(40):  # saved while the syncs run (and write) on the other thread
                    saved.append(station.store.save(needs_assessment(gov, f"During the sync {index}")).identifier)
                overlapped.append(not sync_done.is_set())
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=network_worker, name="network"),
                   threading.Thread(target=database_worker, name="database")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
            assert not thread.is_alive()
        assert errors == []
        assert unlocked == []  # the sync and the saves wrote only in write transactions
        assert overlapped == [True]  # every save happened while a sync was running
        assert len(reports) == 3
        for report in reports:
            assert report.ok, report.error
            assert "locked" not in (report.error or "")
        assert sum(report.pushed for report in reports) >= 5
        final = station.sync()  # what was saved during the last sync goes now
        assert final.ok, final.error
        with station.db.session() as session:
            assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        for identifier in saved:
            record = station.record(identifier)
            assert record is not None and record.sync_state == "synced", identifier
    finally:
        station.close()
