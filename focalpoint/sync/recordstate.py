"""A record's sync bookkeeping: its outbox entries, its history, its document and its sync state.

:func:`settle` is the one place that decides a record's sync state once nothing is in flight; the
push, the pull, offline bundles and the person's outbox actions all end with it. Every function
works inside the caller's session (and its transaction); call from the thread that owns the session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.i18n import _
from focalpoint.models import AuditEvent, OutboxEntry, OutboxState, Record, SyncState
from focalpoint.records import document_title, government_of
from focalpoint.records import index_record as index_record_text

#: the conflict "field" that says one side deleted the record while the other changed it
DELETED_FIELD = "@deleted"
#: outbox actions that change the document (sent to the documents API)
SAVE_LIKE = ("save", "delete")
#: outbox actions about publication requests
WORKFLOW_ACTIONS = ("request_publication", "request_deletion", "cancel_request", "approve", "reject")
#: a reviewer's decision, or the withdrawal of a request
DECISIONS = ("approve", "reject", "cancel_request")


def who(value: Any) -> str | None:
    """The name to show for a server's ``createdBy``/``updatedBy`` (a user object or a plain value)."""
    if isinstance(value, dict):
        for key in ("email", "name", "userID"):
            if value.get(key) is not None:
                return str(value[key])[:200]
        return None
    return str(value)[:200] if value is not None else None


def entries_of(session: Session, identifier: str) -> list[OutboxEntry]:
    """A record's outbox entries, in the order they go."""
    return list(session.scalars(select(OutboxEntry).where(OutboxEntry.record_identifier == identifier)
                                .order_by(OutboxEntry.seq)))


def pending_identifiers(session: Session, identifiers: Iterable[str]) -> set[str]:
    """Which of ``identifiers`` have something in the outbox."""
    ids = list(identifiers)
    if not ids:
        return set()
    return set(session.scalars(select(OutboxEntry.record_identifier)
                               .where(OutboxEntry.record_identifier.in_(ids))))


def audit(session: Session, identifier: str, action: str, *, revision: int | None, now: dt.datetime,
          actor: str | None = None, details: dict[str, Any] | None = None, origin: str = "local") -> None:
    """Add an entry to a record's history."""
    session.add(AuditEvent(record_identifier=identifier, action=action, actor=actor, revision=revision,
                           at=now, details=details or {}, origin=origin))


def set_document(session: Session, rec: Record, document: dict[str, Any]) -> None:
    """Replace a record's document, keeping title, government and the search index in step."""
    if rec.document == document:
        return
    rec.document = document
    rec.title = document_title(document)
    rec.government = government_of(document) or rec.government
    if not rec.deleted:
        index_record_text(session, rec.identifier, document)


def has_conflict(rec: Record) -> bool:
    """A conflict the person can decide: it names at least one field."""
    return isinstance(rec.conflict, dict) and bool(rec.conflict.get("fields"))


def conflict_message(fields: list[str]) -> str:
    """What a record in conflict says to the person (``fields``: the paths in conflict)."""
    if fields == [DELETED_FIELD]:
        return _("Someone deleted or changed this record on the server while you had changes not sent "
                 "yet. Open it to choose: keep your version, or take the server's.")
    return _("Someone else changed the same fields on the server: {fields}. Open the record and choose, "
             "field by field, which version to keep; nothing is sent until you do.").format(
        fields=", ".join(fields))


def settle(session: Session, rec: Record) -> None:
    """The one place that decides a record's sync state once nothing is in flight.

    Derived from the record's conflict, its outbox entries and their errors, so that no flag
    outlives its cause: a conflict needs a change waiting to be sent (a save or a deletion) and
    at least one field to decide, else it is cleared and the server's copy is shown; ``error``
    needs an entry that failed or holds an error; ``queued`` needs an entry; otherwise the
    record is ``synced`` (the server has it) or ``local``.
    """
    entries = entries_of(session, rec.identifier)
    waiting = any(e.action in SAVE_LIKE for e in entries)
    if rec.conflict is not None and not (has_conflict(rec) and waiting):
        rec.conflict = None
        if not waiting and isinstance(rec.base_document, dict) and not rec.deleted:
            set_document(session, rec, rec.base_document)  # nothing left to send: the server's copy
    if rec.conflict is not None:
        rec.sync_state = SyncState.CONFLICT
        rec.sync_error = conflict_message(list(rec.conflict.get("fields") or []))
        return
    if not entries:
        rec.sync_state = SyncState.SYNCED if rec.server_revision is not None else SyncState.LOCAL
        rec.sync_error = None
        return
    problem = next((e for e in entries if e.state == OutboxState.FAILED), None) \
        or next((e for e in entries if e.last_error), None)
    if problem is not None:
        rec.sync_state = SyncState.ERROR
        rec.sync_error = problem.last_error or rec.sync_error
    else:
        rec.sync_state = SyncState.QUEUED
        rec.sync_error = None


def settle_answered(session: Session, rec: Record) -> None:
    """The server answered the record's change: the error it showed goes, and :func:`settle` decides."""
    rec.sync_error = None
    settle(session, rec)


def show_error(rec: Record | None, message: str) -> None:
    """Show ``message`` on the record (``sync_state`` error) until :func:`settle` clears it."""
    if rec is not None:
        rec.sync_state = SyncState.ERROR
        rec.sync_error = message
