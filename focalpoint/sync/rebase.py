"""A server copy meets pending local edits: rebase, three-way merge, or a conflict (sync invariant 3).

* :func:`reconcile` — a server copy that moved past the base of pending local edits is three-way
  merged: clean merges are re-queued against the new revision and audited ``merged``; clashing
  fields become a conflict the person resolves;
* :func:`requeue_resolved` — the person resolved the conflict: the outcome is queued against the
  server's revision.

Every function works inside the caller's session (and its transaction); call from the thread that
owns the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy.orm import Session

from focalpoint.models import OutboxEntry, OutboxState, Record, SyncState
from focalpoint.records import index_record as index_record_text
from focalpoint.records import new_entry_id
from focalpoint.sync.merge import merge3
from focalpoint.sync.recordstate import (
    DELETED_FIELD,
    SAVE_LIKE,
    audit,
    conflict_message,
    entries_of,
    set_document,
    settle,
)
from focalpoint.sync.server_copies import save_acknowledged

#: what :func:`reconcile` did
Meeting = Literal["landed", "same", "merged", "rebased", "conflict"]


def _payload_document(entry: OutboxEntry) -> dict[str, Any] | None:
    payload = entry.payload or {}
    document = payload.get("document")
    return document if isinstance(document, dict) else None


def _collapse_saves(session: Session, rec: Record, document: dict[str, Any], base_revision: int | None,
                    now: dt.datetime) -> None:
    """Replace every save entry of a record with one save of ``document`` against ``base_revision``.

    It takes the place (seq) of the first save, so actions queued after the
    edits (a publication request) still come after them. It gets a new entry
    id: the old one named another payload and revision.
    """
    saves = [e for e in entries_of(session, rec.identifier) if e.action == "save"]
    if not saves:
        session.add(OutboxEntry(entry_id=new_entry_id(), record_identifier=rec.identifier, action="save",
                                payload={"document": document}, base_revision=base_revision,
                                local_revision=rec.local_revision, state=OutboxState.PENDING, attempts=0,
                                created_at=now))
        return
    first, *rest = saves
    for entry in rest:
        session.delete(entry)
    first.entry_id = new_entry_id()
    first.payload = {"document": document}
    first.base_revision = base_revision
    first.local_revision = rec.local_revision
    first.state = OutboxState.PENDING
    first.attempts = 0
    first.last_error = None
    first.next_attempt_at = None
    for entry in entries_of(session, rec.identifier):
        if entry.action == "delete" and entry.attempts == 0:
            entry.base_revision = base_revision


def _drop_entries(session: Session, identifier: str, actions: tuple[str, ...]) -> None:
    """Remove a record's outbox entries of the given actions."""
    for entry in entries_of(session, identifier):
        if entry.action in actions:
            session.delete(entry)
    session.flush()


def _own_write(session: Session, rec: Record, info: dict[str, Any]) -> OutboxEntry | None:
    """An already-sent save whose payload is exactly the server's copy: it landed, its answer was lost."""
    for entry in entries_of(session, rec.identifier):
        if entry.action == "save" and entry.attempts > 0 and _payload_document(entry) == info["body"]:
            return entry
    return None


def _rebase_later_all(session: Session, identifier: str, revision: int) -> None:
    """A record's saves and deletions now go against ``revision``; those already sent get a new key."""
    for entry in entries_of(session, identifier):
        if entry.action in SAVE_LIKE:
            if entry.attempts > 0:
                entry.entry_id = new_entry_id()
                entry.attempts = 0
            entry.base_revision = revision


def _conflict(rec: Record, server: dict[str, Any] | None, revision: int | None, fields: list[str],
              **extra: Any) -> Meeting:
    rec.conflict = {"server": server, "server_revision": revision, "fields": fields, **extra}
    rec.sync_state = SyncState.CONFLICT
    rec.sync_error = conflict_message(fields)
    return "conflict"


def reconcile(session: Session, rec: Record, info: dict[str, Any] | None, *, revision: int | None,
              now: dt.datetime, actor: str | None = None) -> Meeting:
    """The server copy moved while ``rec`` has pending edits: merge, or record a conflict.

    ``info`` None means the server has no copy any more (deleted). Returns
    ``"landed"`` (our own earlier write was the change), ``"same"`` (the
    server already has our edits), ``"merged"``, ``"rebased"`` or ``"conflict"``.
    """
    if info is None or info.get("deleted"):
        if rec.deleted:
            # both sides deleted it: nothing to send any more
            _drop_entries(session, rec.identifier, SAVE_LIKE)
            rec.server_revision = revision if revision is not None else rec.server_revision
            rec.conflict = None
            settle(session, rec)
            return "same"
        return _conflict(rec, None, revision, [DELETED_FIELD])
    landed = _own_write(session, rec, info)
    if landed is not None:
        save_acknowledged(session, rec, landed, info)
        return "landed"
    theirs = info["body"]
    rev = info["revision"]
    if rec.deleted:
        if theirs == rec.base_document:
            rec.server_revision = rev
            rec.base_document = theirs
            _rebase_later_all(session, rec.identifier, rev)
            settle(session, rec)
            return "rebased"
        return _conflict(rec, theirs, rev, [DELETED_FIELD])
    result = merge3(rec.base_document, rec.document, theirs)
    if not result.clean:
        return _conflict(rec, theirs, rev, result.conflicts, merged_fields=result.from_theirs)
    rec.server_revision = rev
    rec.base_document = theirs
    rec.conflict = None
    rec.sync_error = None
    if result.document == theirs:
        _drop_entries(session, rec.identifier, ("save",))
        set_document(session, rec, theirs)
        _rebase_later_all(session, rec.identifier, rev)
        settle(session, rec)
        return "same"
    set_document(session, rec, result.document)
    _collapse_saves(session, rec, result.document, rev, now)
    if result.from_theirs:
        audit(session, rec.identifier, "merged", revision=rev, now=now, actor=actor,
              details={"fields": result.from_theirs, "local_fields": result.from_mine,
                       "server_revision": rev})
    rec.sync_state = SyncState.QUEUED
    return "merged" if result.from_theirs else "rebased"


def requeue_resolved(session: Session, rec: Record, document: dict[str, Any] | None, *,
                     server_document: dict[str, Any] | None, server_revision: int | None,
                     delete: bool, now: dt.datetime) -> None:
    """After the person resolved a conflict: queue the outcome against the server's revision."""
    rec.server_revision = server_revision
    rec.base_document = server_document
    rec.conflict = None
    rec.sync_error = None
    if delete:
        _drop_entries(session, rec.identifier, ("save",))
        rec.deleted = True
        index_record_text(session, rec.identifier, None)
        if server_revision is not None:
            _rebase_later_all(session, rec.identifier, server_revision)
        if not any(e.action == "delete" for e in entries_of(session, rec.identifier)):
            session.add(OutboxEntry(entry_id=new_entry_id(), record_identifier=rec.identifier,
                                    action="delete", payload={}, base_revision=server_revision,
                                    local_revision=rec.local_revision, state=OutboxState.PENDING, attempts=0,
                                    created_at=now))
        rec.sync_state = SyncState.QUEUED
        return
    if document is None:
        raise ValueError("requeue_resolved: a resolution that keeps the record needs its document")
    _drop_entries(session, rec.identifier, ("delete",))
    was_deleted = rec.deleted
    rec.deleted = False
    rec.local_revision += 1
    set_document(session, rec, document)
    if was_deleted:
        index_record_text(session, rec.identifier, document)
    if server_document is not None and document == server_document:
        _drop_entries(session, rec.identifier, ("save",))
        if server_revision is not None:
            _rebase_later_all(session, rec.identifier, server_revision)
        settle(session, rec)
        return
    _collapse_saves(session, rec, document, server_revision, now)
    rec.sync_state = SyncState.QUEUED
