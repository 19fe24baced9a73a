"""The push run of a sync: the outbox sent to the hub and the answers recorded.

Each round claims a few records' head entries in one short write transaction, sends them with no
transaction open (files first, then a batch, single requests, or the real CHM's read-before-write),
and records every answer in a second write transaction. Runs on the thread running the sync.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from focalpoint.forms.model import is_focalpoint_only
from focalpoint.i18n import _
from focalpoint.models import OutboxEntry, OutboxState, Record, SyncState
from focalpoint.sync import plain
from focalpoint.sync import push as pushing
from focalpoint.sync.attachments import send_files_first
from focalpoint.sync.errors import MalformedAnswer, ServerError
from focalpoint.sync.protocol import BATCH_PATH, FOCALPOINT_RECORDS, Capabilities, parse_batch
from focalpoint.sync.recordstate import settle, show_error
from focalpoint.sync.report import SyncReport

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine


def release_syncing(engine: SyncEngine) -> None:
    """Records left 'syncing' (a crash, a cancel) go back to queued or whatever they are."""
    with engine.db.session(write=True) as session:
        ids = list(session.scalars(select(Record.identifier).where(Record.sync_state == SyncState.SYNCING)))
        if not ids:
            return
        for rec in session.scalars(select(Record).where(Record.identifier.in_(ids))):
            rec.sync_state = SyncState.QUEUED
            settle(session, rec)


def hold_focalpoint_records(engine: SyncEngine, caps: Capabilities) -> set[str]:
    """FocalPoint's own record types (needs assessments, QA checklists) go only to a server that
    advertises them (``focalpoint-records``): against the central CHM they stay queued here, with a
    word on the record, and travel by USB bundle or through a FocalPoint hub instead."""
    if caps.has(FOCALPOINT_RECORDS):
        return set()
    message = _("Kept on this computer: this server (the central clearing-house) does not take "
                "FocalPoint's own record types. Carry it by USB bundle, or sync with a FocalPoint hub.")
    held: set[str] = set()
    with engine.db.session(write=True) as session:
        pending = set(session.scalars(select(OutboxEntry.record_identifier)
                                      .where(OutboxEntry.state == OutboxState.PENDING)))
        rows = session.execute(select(Record.identifier, Record.schema, Record.sync_error)
                               .where(Record.identifier.in_(sorted(pending)))).all() if pending else []
        to_mark = []
        for identifier, schema, error in rows:
            if is_focalpoint_only(schema):
                held.add(identifier)
                if error != message:
                    to_mark.append(identifier)
        if to_mark:
            session.execute(update(Record).where(Record.identifier.in_(to_mark)).values(sync_error=message))
    return held


def push(engine: SyncEngine, caps: Capabilities, report: SyncReport, exclude: set[str] | None = None) -> None:
    """Send the outbox, a few records at a time: claim (one write transaction), send (no transaction
    open), record the answers (one write transaction); ``exclude`` names records not to send now."""
    with engine.db.session() as session:
        total = session.scalar(select(func.count()).select_from(OutboxEntry)
                               .where(OutboxEntry.state == OutboxState.PENDING)) or 0
    if not total:
        return
    engine._done, engine._total = 0, int(total)
    engine._emit("sending", _("Sending your changes…"))
    batch = caps.has("batch") and caps.has("idempotency")
    limit = caps.max_batch if batch else 8
    exclude = set(exclude or ())
    transient: dict[str, int] = {}
    requeues: dict[str, int] = {}
    while True:
        engine._check_cancel()
        now = engine.clock()
        with engine.db.session(write=True) as session:
            ops, refused = pushing.claim(session, exclude=exclude, limit=limit, now=now,
                                         respect_backoff=engine.respect_backoff, realm=engine.client.realm,
                                         merge_patch=caps.has(pushing.MERGE_PATCH_EXTENSION))
        for identifier, message in refused:
            report.errors[identifier] = message
            exclude.add(identifier)
        if not ops:
            break
        ops = send_files_first(engine, ops, report, exclude)  # a record's files go before it
        if not ops:
            continue
        if batch:
            answers = send_batch(engine, ops)
        elif not caps.has("preconditions"):
            answers = plain.send(engine, ops)  # the real CHM: read before write
        else:
            answers = send_each(engine, ops, report, exclude)
        retry_round = 0
        with engine.db.session(write=True) as session:
            for op in ops:
                # an operation the server left unanswered is tried again, like a 503
                status, body = answers.get(op.entry_id, (503, None))
                outcome = pushing.apply_answer(session, op, status, body, now=engine.clock(), actor=engine.actor)
                account(engine, op, outcome, report, exclude, transient, requeues, session)
                if outcome.kind == "retry":
                    retry_round = max(retry_round, transient.get(op.entry_id, 0))
        engine._done = min(engine._total or 0, engine._done + len(ops))
        engine._emit("sending", _("Sending your changes…"))
        if retry_round:
            engine._wait(engine.backoff_delay(retry_round))


def account(engine: SyncEngine, op: pushing.Op, outcome: pushing.Outcome, report: SyncReport, exclude: set[str],
            transient: dict[str, int], requeues: dict[str, int], session: Session) -> None:
    """Count one answered operation in the report; one that keeps failing stops being tried this sync."""
    ident = op.identifier
    note_delivery(session, op, outcome)
    if outcome.kind == "done":
        report.pushed += 1
        report.errors.pop(ident, None)
        engine._written.add(ident)
    elif outcome.kind in ("merged", "requeued"):
        if outcome.kind == "merged" and ident not in report.merged:
            report.merged.append(ident)
        requeues[ident] = requeues.get(ident, 0) + 1
        if requeues[ident] >= 3:
            exclude.add(ident)
    elif outcome.kind == "conflict":
        if ident not in report.conflicts:
            report.conflicts.append(ident)
        exclude.add(ident)
    elif outcome.kind == "discarded":
        report.discarded[ident] = outcome.message or ""
        report.errors.pop(ident, None)
    elif outcome.kind in ("failed", "later"):
        report.errors[ident] = outcome.message or ""
        exclude.add(ident)
    elif outcome.kind == "retry":
        count = transient.get(op.entry_id, 0) + 1
        transient[op.entry_id] = count
        if count >= engine.max_attempts:
            message = _(
                "The server could not take this change just now. It stays queued and is sent at "
                "the next sync; if this keeps happening, tell the hub administrator.")
            show_error(session.get(Record, ident), message)
            entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == op.entry_id)).first()
            if entry is not None:
                entry.last_error = message
                entry.next_attempt_at = engine.clock() + dt.timedelta(seconds=engine.backoff_delay(count))
            report.errors[ident] = message
            exclude.add(ident)


def note_delivery(session: Session, op: pushing.Op, outcome: pushing.Outcome) -> None:
    """A change carried here by USB stick: what became of it goes back with the next records
    bundle, so that its computer drops it from its outbox (nothing is carried twice)."""
    from focalpoint.sync.bundle import record_delivery

    result = {"done": "applied", "merged": "merged", "requeued": "merged", "conflict": "conflict",
              "failed": "failed", "discarded": "discarded"}.get(outcome.kind)
    if result is None:
        return
    revision = None
    if result == "applied" and op.action == "save":
        rec = session.get(Record, op.identifier)
        revision = rec.server_revision if rec is not None else None
    record_delivery(session, op.entry_id, result, revision=revision, message=outcome.message)


def send_batch(engine: SyncEngine, ops: list[pushing.Op]) -> dict[str, tuple[int, Any]]:
    """The operations in one ``batch`` request (a hub advertising batch and idempotency)."""
    answer = engine._call("POST", BATCH_PATH, json_body={"operations": [op.batch_item() for op in ops]})
    if answer.status == 404:
        engine.capabilities(refresh=True)
        raise MalformedAnswer(_("the server no longer offers batch sending; sync again"))
    if not answer.ok:
        raise MalformedAnswer(_("HTTP {status} for a batch").format(status=answer.status))
    return parse_batch(answer.body, [op.entry_id for op in ops])


def send_each(engine: SyncEngine, ops: list[pushing.Op], report: SyncReport,
              exclude: set[str]) -> dict[str, tuple[int, Any]]:
    """One request per operation (a hub with preconditions but no batch)."""
    answers: dict[str, tuple[int, Any]] = {}
    for op in ops:
        try:
            answer = engine._call(op.method, op.path, json_body=op.body, headers=op.request_headers())
        except ServerError as exc:
            answers[op.entry_id] = (exc.status, None)
            continue
        answers[op.entry_id] = (answer.status, answer.body)
    return answers
