"""Server copies of records arriving here, whichever way they came (push answer, pull, bundle).

* :func:`apply_server_copy` — a server copy of a record with nothing pending locally replaces
  the local copy (when it is newer); :func:`add_new_records` stores a page of records new here
  in bulk;
* :func:`save_acknowledged`, :func:`delete_acknowledged` — the server accepted an outbox entry.

A server copy that meets pending local edits is :func:`focalpoint.sync.rebase.reconcile`'s.
Every function works inside the caller's session (and its transaction); call from the thread that
owns the session (the sync worker).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from focalpoint.db import parse_time
from focalpoint.models import AuditEvent, OutboxEntry, Record, RecordStatus, SyncState
from focalpoint.records import document_title, government_of, index_row, write_index_rows
from focalpoint.records import index_record as index_record_text
from focalpoint.sync.recordstate import SAVE_LIKE, audit, entries_of, set_document, settle_answered, who
from focalpoint.sync.workflows import local_status, status_from, workflows_for

# ------------------------------------------------------------------ search index


def index_new_record(session: Session, identifier: str, document: dict[str, Any]) -> None:
    """Add a record that is new here to the search index (nothing to delete first)."""
    pending = session.info.get("fts_new")
    row = index_row(identifier, document)
    if pending is not None:
        pending.append(row)  # written together by flush_new_index (no autoflush per record)
    else:
        write_index_rows(session, row)


def defer_new_index(session: Session) -> None:
    """Collect :func:`index_new_record` rows until :func:`flush_new_index` (bulk pulls)."""
    session.info.setdefault("fts_new", [])


def flush_new_index(session: Session) -> None:
    """Write the search index rows :func:`defer_new_index` collected."""
    rows = session.info.pop("fts_new", None)
    if rows:
        write_index_rows(session, rows)


# ------------------------------------------------------------------ server copies


def new_record_from(info: dict[str, Any], status: str, now: dt.datetime) -> Record:
    """A record (not yet added to the session) holding the server copy ``info``."""
    body = info["body"]
    header = body.get("header") if isinstance(body.get("header"), dict) else {}
    schema = header.get("schema") or info.get("type") or (info.get("metadata") or {}).get("schema") or "unknown"
    government = government_of(body) or ((info.get("metadata") or {}).get("government") or None)
    return Record(identifier=info["identifier"], schema=str(schema)[:64],
                  government=government.lower()[:8] if isinstance(government, str) else None,
                  document=body, title=document_title(body), status=status, local_revision=1,
                  server_revision=info["revision"], base_document=body, sync_state=SyncState.SYNCED,
                  sync_error=None, conflict=None, deleted=bool(info.get("deleted")),
                  created_at=parse_time(info.get("createdOn")) or now,
                  updated_at=parse_time(info.get("updatedOn")) or now)


def apply_server_copy(session: Session, rec: Record | None, info: dict[str, Any],
                      workflows: list[dict[str, Any]], now: dt.datetime) -> tuple[Record, bool]:
    """Take a server copy for a record with no pending local edits. Returns (record, changed)."""
    if rec is None:
        rec = new_record_from(info, status_from(info, workflows, None), now)
        session.add(rec)
        if not rec.deleted:
            index_new_record(session, rec.identifier, rec.document)
        audit(session, rec.identifier, "created", revision=info["revision"], now=now,
              actor=who(info.get("createdBy")), origin="server")
        return rec, True
    changed = False
    if rec.server_revision is None or info["revision"] > rec.server_revision:
        was_deleted = rec.deleted
        rec.deleted = bool(info.get("deleted"))
        set_document(session, rec, info["body"])
        if rec.deleted and not was_deleted:
            index_record_text(session, rec.identifier, None)
        elif was_deleted and not rec.deleted:
            index_record_text(session, rec.identifier, rec.document)
        if rec.server_revision is None or info["revision"] > rec.server_revision:
            audit(session, rec.identifier, "deleted" if rec.deleted else "edited", revision=info["revision"],
                  now=now, actor=who(info.get("updatedBy")), origin="server")
        rec.server_revision = max(info["revision"], rec.server_revision or 0)
        rec.base_document = info["body"]
        rec.updated_at = parse_time(info.get("updatedOn")) or now
        changed = True
    before = rec.status
    rec.status = local_status(status_from(info, workflows or workflows_for(session, rec.identifier), rec.status),
                              [], rec.status)
    changed = changed or rec.status != before  # a decision arrived (rejected, published): news too
    rec.conflict = None
    rec.sync_error = None
    rec.sync_state = SyncState.SYNCED
    return rec, changed


def add_new_records(session: Session, copies: list[tuple[dict[str, Any], list[dict[str, Any]]]],
                    now: dt.datetime) -> None:
    """Store server copies (``(info, workflows)``) of records this computer does not hold, as
    :func:`apply_server_copy` does one by one, with one INSERT for the records and one for their
    ``created`` audit entries (a first pull's pages). Search index rows join the page's batch."""
    if not copies:
        return
    columns = [attr.key for attr in sa_inspect(Record).column_attrs]
    records, audits = [], []
    for info, workflows in copies:
        rec = new_record_from(info, status_from(info, workflows, None), now)
        records.append({key: getattr(rec, key) for key in columns})
        if not rec.deleted:
            index_new_record(session, rec.identifier, rec.document)
        audits.append({"record_identifier": rec.identifier, "action": "created", "revision": info["revision"],
                       "actor": who(info.get("createdBy")), "at": now, "details": {}, "origin": "server"})
    session.execute(insert(Record), records)
    session.execute(insert(AuditEvent), audits)


# ------------------------------------------------------------------ acknowledgements


def _leave_outbox(session: Session, entry: OutboxEntry | None) -> None:
    """The accepted ``entry`` leaves the outbox."""
    if entry is not None:
        session.delete(entry)
        session.flush()


def _copy_taken(rec: Record, info: dict[str, Any] | None) -> dict[str, Any] | None:
    """``info`` when it is at least as new as the record's server revision (which it becomes), else None."""
    if info is None or (rec.server_revision is not None and info["revision"] < rec.server_revision):
        return None
    rec.server_revision = info["revision"]
    return info


def save_acknowledged(session: Session, rec: Record | None, entry: OutboxEntry | None,
                      info: dict[str, Any] | None) -> None:
    """The server accepted ``entry`` (a save or delete); ``info`` is its copy, when it sent one."""
    _leave_outbox(session, entry)
    if rec is None:
        return
    taken = _copy_taken(rec, info)
    if taken is not None:
        rec.base_document = taken["body"]
        # entries queued after the accepted one were made on top of it
        session.execute(update(OutboxEntry).where(
            OutboxEntry.record_identifier == rec.identifier, OutboxEntry.attempts == 0,
            OutboxEntry.action.in_(SAVE_LIKE)).values(base_revision=taken["revision"]))
        if not entries_of(session, rec.identifier) and not rec.deleted and rec.conflict is None:
            set_document(session, rec, taken["body"])  # the server's normalized copy
    settle_answered(session, rec)


def delete_acknowledged(session: Session, rec: Record | None, entry: OutboxEntry | None,
                        info: dict[str, Any] | None) -> None:
    """The server discarded the draft. ``info`` is what remains there: a tombstone, or the
    published copy (a published record is deleted through a deleteRecord workflow, not here)."""
    _leave_outbox(session, entry)
    if rec is None:
        return
    taken = _copy_taken(rec, info)
    if taken is not None and not taken.get("deleted") and isinstance(taken.get("body"), dict):
        rec.base_document = taken["body"]
        if not entries_of(session, rec.identifier):
            rec.deleted = False
            rec.status = RecordStatus.PUBLISHED if taken.get("isDraft") is False else rec.status
            rec.document = {}
            set_document(session, rec, taken["body"])
    settle_answered(session, rec)
