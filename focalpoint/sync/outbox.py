"""The person's actions on the outbox: "Try again" and "Discard this change".

Each is one short write transaction (``Database.session(write=True)``); call on the UI's database
worker or the CLI's only thread.
"""

from __future__ import annotations

from sqlalchemy import update

from focalpoint.db import Database
from focalpoint.models import OutboxEntry, OutboxState, Record, SyncState
from focalpoint.records import index_record
from focalpoint.sync.recordstate import entries_of, set_document, settle


def retry_record(db: Database, identifier: str) -> None:
    """The person's "Try again": failed entries of a record become pending (UI's database worker)."""
    with db.session(write=True) as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.record_identifier == identifier,
                                                  OutboxEntry.state == OutboxState.FAILED)
                        .values(state=OutboxState.PENDING, next_attempt_at=None, last_error=None))
        rec = session.get(Record, identifier)
        if rec is not None and rec.conflict is None:
            rec.sync_state = SyncState.QUEUED
            rec.sync_error = None
            settle(session, rec)


def discard_failed(db: Database, identifier: str) -> int:
    """The person's "Discard this change": drop the record's failed entries. Returns how many.

    A discarded save takes the record back to the server's copy (when there is one and no
    other save is queued), so what is shown is what the server has.
    """
    with db.session(write=True) as session:
        entries = [e for e in entries_of(session, identifier) if e.state == OutboxState.FAILED]
        for entry in entries:
            session.delete(entry)
        session.flush()
        rec = session.get(Record, identifier)
        if rec is not None:
            remaining = entries_of(session, identifier)
            if any(e.action == "save" for e in entries) and not any(e.action == "save" for e in remaining) \
                    and rec.base_document is not None:
                set_document(session, rec, rec.base_document)
            if any(e.action == "delete" for e in entries) and not any(e.action == "delete" for e in remaining):
                rec.deleted = False
                index_record(session, rec.identifier, rec.document)
            rec.sync_error = None
            rec.sync_state = SyncState.QUEUED
            settle(session, rec)
        return len(entries)
