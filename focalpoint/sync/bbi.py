"""Bio-Bridge requests (``bbiRequest``) through the CHM's own store, when the server has one.

On the real CHM a Bio-Bridge request is not a km-document: it lives in the
``/api/v2016/bbi-requests`` store (``docs/chm-compatibility.md, part 5``), a stored document
being the request's fields plus ``_id`` and ``meta`` (``status``: ``draft``,
``workflow`` — sent for review — or ``public``). :func:`sync_bbi_requests` is
called by ``SyncEngine.sync()`` before the documents push:

* it learns once a day (cached in Meta) whether the server has the store: the
  first page of the user's listing (or a ``GET`` of the list with ``l=1``)
  answers 200 (yes) or 404 (no). Without it nothing changes: bbiRequest records
  go through the documents API as before;
* it sends the outbox entries of bbiRequest records there: a save creates
  (``POST``) or updates (``PATCH`` the ``_id`` remembered for the record) the
  stored document with ``meta.status`` draft; a publication request sets
  ``workflow``, withdrawing it sets ``draft`` again, a deletion ``DELETE``\\ s it.
  The document keeps its CHM shape, header included;
* there are no idempotency keys in this store, so every write is checked first:
  before a ``POST`` it looks for a stored document whose ``header.identifier`` is
  ours (an earlier ``POST`` whose answer was lost), and before a ``PATCH`` it
  reads the stored copy: already ours → nothing to send; changed by someone
  else since our last sync → merged three-way, or a conflict for the person
  (sync invariant 3), exactly as for documents;
* at most once an hour (``PULL_EVERY``) it lists this user's requests and
  stores or refreshes them locally (the
  local document is the stored one without ``_id`` and ``meta``; the status
  follows ``meta.status``).

Each entry handled leaves the outbox in the same transaction as the record's
new state and the remembered ``_id`` (Meta ``sync.<server>.bbi``). The store
has no revisions: the record's ``server_revision`` counts the copies this
computer has taken from or given to the store.

Call from the sync worker thread (the thread running ``SyncEngine.sync``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.db import parse_time
from focalpoint.i18n import _
from focalpoint.models import OutboxEntry, OutboxState, Record, SyncState
from focalpoint.sync import push as pushing
from focalpoint.sync.bbi_pull import list_page, pull, pull_due
from focalpoint.sync.bbi_wire import (
    BBI_SCHEMA,
    LOCAL_STATUS,
    NO_HISTORY,
    STORE_PATH,
    check_stored,
    fields_of,
    load_book,
    local_document,
    meta_key,
    request_path,
    save_book,
    stored_id,
    user_id,
    wire_body,
)
from focalpoint.sync.client import Answer
from focalpoint.sync.errors import MalformedAnswer, NetworkError, ServerError
from focalpoint.sync.meta import get_meta_json, set_meta_json
from focalpoint.sync.rebase import reconcile
from focalpoint.sync.recordstate import entries_of, set_document, settle_answered, show_error
from focalpoint.sync.server_copies import delete_acknowledged

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine
    from focalpoint.sync.report import SyncReport

STORE_TTL = dt.timedelta(hours=24)
MAX_ROUNDS = 8  # entries of one record sent in one sync (merges included)

__all__ = ["known_store", "sync_bbi_requests"]


# ------------------------------------------------------------------ detection


def known_store(engine: SyncEngine) -> bool | None:
    """The cached answer to "has the server the Bio-Bridge store?" (None: not asked in the last day)."""
    with engine.db.session() as session:
        cached = get_meta_json(session, meta_key(engine, "bbi_store"))
    value = cached.get("value") if isinstance(cached, dict) else None
    if isinstance(cached, dict) and isinstance(value, bool):
        fetched = parse_time(cached.get("fetched"))
        if fetched is not None and dt.timedelta(0) <= engine.clock() - fetched < STORE_TTL:
            return value
    return None


def _remember_store(engine: SyncEngine, value: bool) -> None:
    with engine.db.session(write=True) as session:
        set_meta_json(session, meta_key(engine, "bbi_store"),
                      {"value": value, "fetched": engine.clock().isoformat()})


# ------------------------------------------------------------------ the entry point


def sync_bbi_requests(engine: SyncEngine, report: SyncReport) -> set[str]:
    """Send the bbiRequest outbox entries to the Bio-Bridge store and pull this user's requests.

    Returns the identifiers of the records handled here (or held back): the engine's documents
    push leaves them alone. An empty set when the server has no store (or nothing to do).

    Requests: none when nothing is queued and the last listing is under ``PULL_EVERY`` old; the
    first listing page also tells whether the store exists (200 or 404, cached a day). Raises what
    ``engine._call`` raises for a broken link (the engine reports it)."""
    with engine.db.session() as session:
        candidates = _candidates(session, load_book(session, engine))
    store = known_store(engine)
    due = pull_due(engine)
    if store is False or (store is None and not candidates and not due):
        return set()
    user = user_id(engine)
    first: list[dict[str, Any]] | None = None
    if store is None:
        answer = list_page(engine, user, 0) if user is not None else engine._call(
            "GET", STORE_PATH, params={"l": 1, "f": json.dumps({"_id": 1})})
        if answer.status == 404:
            _remember_store(engine, False)
            return set()
        if not answer.ok or not isinstance(answer.body, list):
            return candidates  # the server could not say: send them neither here nor as documents
        _remember_store(engine, True)
        first = answer.body if user is not None else None
    pushed = report.pushed
    for identifier in sorted(candidates):
        engine._check_cancel()
        try:
            _push_record(engine, identifier, report, user)
        except ServerError as exc:
            _hold(engine, identifier, exc.user_message, report)
    if user is not None and (due or first is not None):
        pull(engine, report, user, first if report.pushed == pushed else None)
    return candidates


def _candidates(session: Session, book: dict[str, Any]) -> set[str]:
    """bbiRequest records with queued entries bound for the store: in it already, or never sent anywhere
    (a record that reached the documents API before this store was known stays there)."""
    rows = session.execute(select(Record.identifier, Record.server_revision)
                           .where(Record.schema == BBI_SCHEMA,
                                  Record.identifier.in_(select(OutboxEntry.record_identifier)))).all()
    return {ident for ident, revision in rows if ident in book or revision is None}


# ------------------------------------------------------------------ push


@dataclass
class _Claim:
    entry_id: str
    action: str
    document: dict[str, Any] | None  # a save's payload, or the record's document for status changes
    base: dict[str, Any] | None


def _claim(engine: SyncEngine, identifier: str) -> _Claim | None:
    """Mark the record's first entry as sent (so a save made meanwhile queues a new entry); None if none."""
    with engine.db.session(write=True) as session:
        rec = session.get(Record, identifier)
        entries = entries_of(session, identifier)
        if rec is None or not entries or rec.conflict is not None:
            return None
        while len(entries) > 1 and entries[0].state == OutboxState.FAILED and entries[0].action == "save" \
                and any(e.action == "save" for e in entries[1:]):
            session.delete(entries.pop(0))  # the person saved again: the failed save is superseded
        head = entries[0]
        if head.state == OutboxState.FAILED or (engine.respect_backoff and head.next_attempt_at is not None
                                                and head.next_attempt_at > engine.clock()):
            return None
        head.attempts += 1
        rec.sync_state = SyncState.SYNCING
        payload = head.payload or {}
        document = payload.get("document") if head.action == "save" else rec.document
        return _Claim(head.entry_id, head.action, copy.deepcopy(document) if isinstance(document, dict) else None,
                      copy.deepcopy(rec.base_document))


def _push_record(engine: SyncEngine, identifier: str, report: SyncReport, user: Any) -> None:
    for _round in range(MAX_ROUNDS):
        claim = _claim(engine, identifier)
        if claim is None:
            return
        if not _send(engine, identifier, claim, report, user):
            return


def _find(engine: SyncEngine, identifier: str) -> dict[str, Any] | None:
    """A stored request whose ``header.identifier`` is ours (an earlier POST that landed)."""
    answer = engine._call("GET", STORE_PATH, params={"q": json.dumps({"header.identifier": identifier}),
                                                     "l": 1, "f": NO_HISTORY})
    if not answer.ok or not isinstance(answer.body, list):
        raise MalformedAnswer(_("HTTP {status} for the list of Bio-Bridge requests").format(status=answer.status))
    return check_stored(answer.body[0]) if answer.body else None


def _post(engine: SyncEngine, identifier: str, document: dict[str, Any]) -> Answer | dict[str, Any]:
    """POST a new request, never twice: after a lost or failed answer, look for it before trying again.

    Returns the answer, or the stored request when an attempt had landed."""
    attempt = 0
    while True:
        try:
            return engine._call("POST", STORE_PATH, json_body=wire_body(document, "draft", None), retry=False)
        except (NetworkError, ServerError):
            attempt += 1
            if attempt >= engine.max_attempts:
                raise
            engine._wait(engine.backoff_delay(attempt))
            found = _find(engine, identifier)
            if found is not None:
                return found


def _send(engine: SyncEngine, identifier: str, claim: _Claim, report: SyncReport, user: Any) -> bool:
    """Send one claimed entry and record the outcome. True when the record's next entry may follow.

    ``user`` is the signed-in user's id (the creator of what is POSTed), None when unknown."""
    if claim.action not in ("save", "request_publication", "cancel_request", "delete"):
        _refuse(engine, identifier, claim, _(
            "Bio-Bridge requests are reviewed by the Bio-Bridge team, not through the clearing-house's "
            "publication requests, so this change cannot be sent. Discard it."), report)
        return False
    request_id = stored_id(engine, identifier)
    current: dict[str, Any] | None = None
    if request_id is None:
        current = _find(engine, identifier)
        request_id = current["_id"] if current is not None else None
    if claim.action == "delete":
        if request_id is not None:
            answer = engine._call("DELETE", request_path(request_id))
            if not answer.ok and answer.status != 404:
                return _refuse_answer(engine, identifier, claim, answer, report)
        _ack_delete(engine, identifier, claim, report)
        return True
    if claim.document is None:
        _refuse(engine, identifier, claim, _("This change cannot be sent: it holds no document. Discard it "
                                             "and save the record again."), report)
        return False
    if request_id is None:
        if claim.action != "save":
            _refuse(engine, identifier, claim, _(
                "The request has not reached the server yet, so it cannot be sent for review. Sync the "
                "record first, then send it for review again."), report)
            return False
        posted = _post(engine, identifier, claim.document)
        if isinstance(posted, dict):  # an attempt whose answer was lost had landed
            current, request_id = posted, posted["_id"]
        else:
            if not posted.ok:
                return _refuse_answer(engine, identifier, claim, posted, report)
            new_id = posted.body.get("id") if isinstance(posted.body, dict) else None
            if not isinstance(new_id, str) or not new_id:
                raise MalformedAnswer(_("a new Bio-Bridge request without its id"))
            _ack(engine, identifier, claim, new_id, "draft", report, user)
            return True
    if current is None:
        answer = engine._call("GET", request_path(request_id), params={"f": NO_HISTORY})
        if answer.status == 404:
            _gone(engine, identifier, claim, report)
            return False
        if not answer.ok:
            return _refuse_answer(engine, identifier, claim, answer, report)
        current = check_stored(answer.body)
    server_status = str(current["meta"].get("status") or "draft")
    stored = local_document(current, identifier)
    mine = fields_of(claim.document)
    status = {"save": "draft", "request_publication": "workflow", "cancel_request": "draft"}[claim.action]
    if claim.action == "cancel_request" and server_status == "public":
        status = "public"  # published meanwhile: nothing left to withdraw
    if claim.action != "save":
        claim.document = mine = stored  # a status change sends the stored fields: nobody's edit is undone
    if stored != mine and claim.action == "save" and claim.base is not None and stored != claim.base:
        return _reconcile(engine, identifier, claim, request_id, current, report)
    if stored != mine or server_status != status:
        answer = engine._call("PATCH", request_path(request_id), json_body={
            **wire_body(claim.document, status, current), "_id": request_id})
        if answer.status == 404:
            _gone(engine, identifier, claim, report)
            return False
        if not answer.ok:
            return _refuse_answer(engine, identifier, claim, answer, report)
    _ack(engine, identifier, claim, request_id, status, report, current["meta"].get("createdBy"))
    return True


# ------------------------------------------------------------------ outcomes (one transaction each)


def _ack(engine: SyncEngine, identifier: str, claim: _Claim, request_id: str, status: str,
         report: SyncReport, creator: Any) -> None:
    """The store holds ``claim.document`` with ``status``: the entry leaves the outbox."""
    with engine.db.session(write=True) as session:
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == claim.entry_id)).first()
        if entry is not None:
            session.delete(entry)
            session.flush()
        book = load_book(session, engine)
        book[identifier] = {"id": request_id, "status": status, "by": creator}
        save_book(session, engine, book)
        rec = session.get(Record, identifier)
        if rec is not None:
            taken = fields_of(claim.document or {})
            if claim.action == "save" or taken != rec.base_document:
                rec.server_revision = (rec.server_revision or 0) + 1
                rec.base_document = taken
                if claim.action != "save" and not entries_of(session, identifier) and not rec.deleted:
                    set_document(session, rec, taken)  # someone else's edit, taken with the new status
            if claim.action != "save":
                rec.status = LOCAL_STATUS[status]
            settle_answered(session, rec)
    report.pushed += 1
    report.errors.pop(identifier, None)


def _ack_delete(engine: SyncEngine, identifier: str, claim: _Claim, report: SyncReport) -> None:
    with engine.db.session(write=True) as session:
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == claim.entry_id)).first()
        book = load_book(session, engine)
        book.pop(identifier, None)
        save_book(session, engine, book)
        delete_acknowledged(session, session.get(Record, identifier), entry, None)
    report.pushed += 1
    report.errors.pop(identifier, None)


def _reconcile(engine: SyncEngine, identifier: str, claim: _Claim, request_id: str, current: dict[str, Any],
               report: SyncReport) -> bool:
    """Someone else changed the stored request since our copy: merge, or leave a conflict to the person."""
    with engine.db.session(write=True) as session:
        rec = session.get(Record, identifier)
        if rec is None:
            return False
        book = load_book(session, engine)
        book[identifier] = {"id": request_id, "status": current["meta"].get("status") or "draft",
                            "by": current["meta"].get("createdBy")}
        save_book(session, engine, book)
        revision = (rec.server_revision or 0) + 1
        kind = reconcile(session, rec, {"identifier": identifier, "revision": revision,
                                        "body": local_document(current, identifier)},
                         revision=revision, now=engine.clock(), actor=engine.actor)
        if kind == "conflict":
            if identifier not in report.conflicts:
                report.conflicts.append(identifier)
            return False
        if kind == "merged" and identifier not in report.merged:
            report.merged.append(identifier)
    return True


def _gone(engine: SyncEngine, identifier: str, claim: _Claim, report: SyncReport) -> None:
    """The remembered request is no longer in the store: forget its id (the record stays bound to the
    store); Try again makes a new one."""
    with engine.db.session(write=True) as session:
        book = load_book(session, engine)
        book[identifier] = {**book.get(identifier, {}), "id": None}
        save_book(session, engine, book)
    _refuse(engine, identifier, claim, _(
        "This Bio-Bridge request is no longer on the server (it was removed there). Use Try again to "
        "send it as a new request, or discard the change."), report)


def _refuse_answer(engine: SyncEngine, identifier: str, claim: _Claim, answer: Answer,
                   report: SyncReport) -> bool:
    op = pushing.Op(seq=0, entry_id=claim.entry_id, identifier=identifier, action=claim.action,
                    method="PATCH", path=STORE_PATH)
    _refuse(engine, identifier, claim, pushing.refusal_message(op, answer.status, answer.body), report)
    return False


def _refuse(engine: SyncEngine, identifier: str, claim: _Claim, message: str, report: SyncReport) -> None:
    """The entry needs the person: it stays in the outbox, failed, with the reason on the record."""
    _note_error(engine, identifier, message, report, failed_entry=claim.entry_id)


def _hold(engine: SyncEngine, identifier: str, message: str, report: SyncReport) -> None:
    """A server problem: the entry stays queued for the next sync, the reason shown on the record."""
    _note_error(engine, identifier, message, report, failed_entry=None)


def _note_error(engine: SyncEngine, identifier: str, message: str, report: SyncReport, *,
                failed_entry: str | None) -> None:
    """``message`` on the record and in the report. The entry ``failed_entry`` (an entry id) fails;
    without one, the record's pending entries hold the message and stay queued."""
    with engine.db.session(write=True) as session:
        for entry in entries_of(session, identifier):
            if entry.entry_id == failed_entry:
                entry.state = OutboxState.FAILED
                entry.last_error = message
            elif failed_entry is None and entry.state == OutboxState.PENDING:
                entry.last_error = message
        show_error(session.get(Record, identifier), message)
    report.errors[identifier] = message


