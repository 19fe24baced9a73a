"""Bio-Bridge requests from the store into the local database: this user's requests, page by page.

Called by :func:`focalpoint.sync.bbi.sync_bbi_requests` (the sync worker thread). The local
document is the stored one without ``_id`` and ``meta``; the local status follows ``meta.status``.
A request with changes queued here is left to the push, which reads the stored copy first.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from focalpoint.db import parse_time
from focalpoint.i18n import _
from focalpoint.models import Record, RecordStatus
from focalpoint.records import index_record
from focalpoint.sync.bbi_wire import (
    BBI_SCHEMA,
    LOCAL_STATUS,
    NO_HISTORY,
    STORE_PATH,
    check_stored,
    identifier_of,
    load_book,
    local_document,
    meta_key,
    request_path,
    save_book,
)
from focalpoint.sync.client import Answer
from focalpoint.sync.errors import MalformedAnswer
from focalpoint.sync.meta import get_meta, set_meta
from focalpoint.sync.recordstate import audit, entries_of, settle
from focalpoint.sync.server_copies import apply_server_copy

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine
    from focalpoint.sync.report import SyncReport

#: how often this user's requests are listed when nothing was sent (a sync with nothing to do stays one request
#: between times; see docs/chm-compatibility.md, part 5)
PULL_EVERY = dt.timedelta(hours=1)
PAGE = 100


def pull_due(engine: SyncEngine) -> bool:
    """Whether this computer last listed the store more than ``PULL_EVERY`` ago (or never)."""
    with engine.db.session() as session:
        last = parse_time(get_meta(session, meta_key(engine, "bbi_pulled")))
    return last is None or not dt.timedelta(0) <= engine.clock() - last < PULL_EVERY


def list_page(engine: SyncEngine, user: Any, skip: int) -> Answer:
    """One page of this user's requests, oldest change first (a request changed meanwhile moves to the end)."""
    return engine._call("GET", STORE_PATH, params={
        "q": json.dumps({"meta.createdBy": user}), "s": json.dumps({"meta.modifiedOn": 1}),
        "sk": skip, "l": PAGE, "f": NO_HISTORY})


def pull(engine: SyncEngine, report: SyncReport, user: Any, first: list[Any] | None) -> None:
    """Store or refresh this user's requests (``first``: the first page, when already fetched).

    One this computer knew that is no longer listed is looked up; if the store answers 404 and
    nothing is queued for it here, it is deleted here too."""
    seen: set[str] = set()
    skip = 0
    while True:
        engine._check_cancel()
        if first is not None:
            body, first = first, None
        else:
            answer = list_page(engine, user, skip)
            if not answer.ok or not isinstance(answer.body, list):
                raise MalformedAnswer(_("HTTP {status} for the list of Bio-Bridge requests").format(
                    status=answer.status))
            body = answer.body
        page = [check_stored(item) for item in body]
        with engine.db.session(write=True) as session:
            book = load_book(session, engine)
            by_id = {v["id"]: k for k, v in book.items() if isinstance(v, dict) and isinstance(v.get("id"), str)}
            for stored in page:
                identifier = identifier_of(stored, by_id)
                seen.add(identifier)
                report.pulled += _apply_stored(session, engine, book, identifier, stored)
            save_book(session, engine, book)
        if len(page) < PAGE:
            break
        skip += len(page)
    with engine.db.session() as session:
        book = load_book(session, engine)
    missing = {i: v["id"] for i, v in book.items()
               if i not in seen and isinstance(v, dict) and v.get("by") == user and isinstance(v.get("id"), str)}
    for identifier, request_id in missing.items():
        engine._check_cancel()
        if engine._call("GET", request_path(request_id), params={"f": NO_HISTORY}).status == 404:
            _removed_on_server(engine, identifier)
    with engine.db.session(write=True) as session:
        set_meta(session, meta_key(engine, "bbi_pulled"), engine.clock().isoformat())


def _removed_on_server(engine: SyncEngine, identifier: str) -> None:
    with engine.db.session(write=True) as session:
        rec = session.get(Record, identifier)
        if rec is not None and entries_of(session, identifier):
            return  # queued here: the next push finds out (and says so)
        book = load_book(session, engine)
        book.pop(identifier, None)
        save_book(session, engine, book)
        if rec is not None and not rec.deleted:
            rec.deleted = True
            index_record(session, identifier, None)
            audit(session, identifier, "deleted", revision=rec.server_revision, now=engine.clock(),
                  origin="server")
            settle(session, rec)


def _apply_stored(session: Session, engine: SyncEngine, book: dict[str, Any], identifier: str,
                  stored: dict[str, Any]) -> int:
    """Take one stored request (inside the caller's transaction). Returns 1 when the local copy changed."""
    meta = stored["meta"]
    status = str(meta.get("status") or "draft")
    rec = session.get(Record, identifier)
    if rec is not None and rec.schema != BBI_SCHEMA:
        return 0  # another kind of record has this identifier here: never overwrite it
    book[identifier] = {"id": stored["_id"], "status": status, "by": meta.get("createdBy")}
    if rec is not None and entries_of(session, identifier):
        return 0  # changes queued here: the next push reads the stored copy first
    document = local_document(stored, identifier)
    changed = 0
    if rec is None or rec.base_document != document:
        info = {"identifier": identifier, "revision": (rec.server_revision or 0) + 1 if rec else 1,
                "body": document, "createdOn": meta.get("createdOn"), "updatedOn": meta.get("modifiedOn"),
                "createdBy": meta.get("createdBy"), "updatedBy": meta.get("modifiedBy")}
        rec, _changed = apply_server_copy(session, rec, info, [], engine.clock())
        changed = 1
    local = LOCAL_STATUS.get(status, RecordStatus.DRAFT)
    if not (local == RecordStatus.DRAFT
            and rec.status in (RecordStatus.DRAFT, RecordStatus.READY, RecordStatus.REJECTED)):
        rec.status = local
    return changed
