"""What the record lists ask of the database: plain functions for the DB worker.

The lists never load every record: ``record_ids`` answers the ordered identifiers for
the current filters (one narrow query), and ``record_rows`` reads one window of rows
(the few columns a list shows, not the documents) when the view scrolls to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from focalpoint.db import Database
from focalpoint.models import Record, RecordStatus
from focalpoint.records import search_record_ids

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


@dataclass(frozen=True)
class RecordQuery:
    """Filters and order of a record list."""

    schema: str | None = None
    status: str | None = None
    sync_state: str | None = None
    search: str | None = None
    sort: str = "updated"  # updated | title | status | sync | schema
    descending: bool = True
    lang: str = "en"


@dataclass(frozen=True)
class RecordRow:
    """One line of a record list."""

    identifier: str
    schema: str
    title: dict[str, str]
    status: str
    sync_state: str
    sync_error: str | None
    has_conflict: bool
    updated_at: dt.datetime
    decision: dict[str, Any] | None = None  # a rejected record's last decision: state, reason, by, at


def _title_expr(lang: str) -> ColumnElement[str]:
    langs = [lang] + [code for code in ("en", "fr", "es", "ru", "zh", "ar") if code != lang]
    return func.lower(func.coalesce(*[func.json_extract(Record.title, f"$.{code}") for code in langs], ""))


def record_ids(db: Database, query: RecordQuery) -> list[str]:
    """The identifiers of the records matching ``query``, in list order. DB worker."""
    with db.session() as session:
        return _record_ids(session, query)


def _record_ids(session: Session, query: RecordQuery) -> list[str]:
    stmt = select(Record.identifier).where(Record.deleted.is_(False))
    if query.schema:
        stmt = stmt.where(Record.schema == query.schema)
    if query.status:
        stmt = stmt.where(Record.status == query.status)
    if query.sync_state:
        stmt = stmt.where(Record.sync_state == query.sync_state)
    if query.search and query.search.strip():
        ids = search_record_ids(session, query.search)
        if not ids:
            return []
        stmt = stmt.where(Record.identifier.in_(ids))
    key = {
        "title": _title_expr(query.lang),
        "status": Record.status,
        "sync": Record.sync_state,
        "schema": Record.schema,
    }.get(query.sort, Record.updated_at)
    stmt = stmt.order_by(key.desc() if query.descending else key.asc(), Record.identifier)
    return list(session.scalars(stmt))


def record_rows(db: Database, identifiers: list[str]) -> dict[str, RecordRow]:
    """The list columns of some records (no documents). DB worker."""
    if not identifiers:
        return {}
    with db.session() as session:
        rows = list(session.execute(select(Record.identifier, Record.schema, Record.title, Record.status,
                                           Record.sync_state, Record.sync_error, Record.conflict.is_not(None),
                                           Record.updated_at).where(Record.identifier.in_(identifiers))))
        from focalpoint.review import last_decisions

        decisions = last_decisions(session, {r[0] for r in rows if r[3] == RecordStatus.REJECTED})
        return {r[0]: RecordRow(identifier=r[0], schema=r[1], title=dict(r[2] or {}), status=r[3],
                                sync_state=r[4], sync_error=r[5], has_conflict=bool(r[6]), updated_at=r[7],
                                decision=decisions.get(r[0]))
                for r in rows}


def schema_counts(db: Database) -> dict[str, int]:
    """How many (not deleted) records of each type. DB worker."""
    with db.session() as session:
        rows = session.execute(select(Record.schema, func.count()).where(Record.deleted.is_(False))
                               .group_by(Record.schema))
        return {schema: int(n) for schema, n in rows}


def record_choices(db: Database, schemas: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """Identifiers and titles of the records a reference field may point to. DB worker."""
    with db.session() as session:
        stmt = select(Record.identifier, Record.schema, Record.title).where(Record.deleted.is_(False))
        if schemas:
            stmt = stmt.where(Record.schema.in_(list(schemas)))
        stmt = stmt.order_by(Record.updated_at.desc()).limit(5000)
        return [{"identifier": i, "schema": s, "title": dict(t or {})} for i, s, t in session.execute(stmt)]


def analyze(db: Database) -> None:
    """Refresh SQLite's statistics (after bulk imports). DB worker."""
    with db.session() as session:
        session.execute(text("ANALYZE"))
