"""What the sync status bar and ``focalpoint sync status`` show (read-only, one query each).

Any thread with its own session may call :func:`sync_status` (the UI's database worker).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from focalpoint.db import Database
from focalpoint.models import OutboxEntry, OutboxState, Record, SyncState, WorkflowState
from focalpoint.settings_keys import SYNC_LAST_SYNC, SYNC_SERVER
from focalpoint.sync.meta import get_meta
from focalpoint.sync.recordstate import DECISIONS

SYNC_STATES = tuple(SyncState)


def sync_status(db: Database) -> dict[str, Any]:
    """``{"queued", "queued_records", "conflicts", "errors", "states", "last_sync", "server", ...}``.

    ``queued`` counts outbox entries not yet acknowledged; ``conflicts`` lists the
    identifiers of records waiting for the person; ``errors`` maps identifiers to
    the message shown for them.
    """
    with db.session() as session:
        queued = int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)
        queued_records = int(session.scalar(select(func.count(func.distinct(OutboxEntry.record_identifier))))
                             or 0)
        failed = int(session.scalar(select(func.count()).select_from(OutboxEntry)
                                    .where(OutboxEntry.state == OutboxState.FAILED)) or 0)
        states: dict[str, int] = {state.value: 0 for state in SYNC_STATES}
        for state, count in session.execute(select(Record.sync_state, func.count()).group_by(Record.sync_state)):
            states[state] = int(count)
        conflicts = list(session.scalars(select(Record.identifier).where(Record.sync_state == SyncState.CONFLICT)
                                         .order_by(Record.identifier)))
        errors = {ident: message or "" for ident, message in session.execute(
            select(Record.identifier, Record.sync_error).where(Record.sync_state == SyncState.ERROR)
            .order_by(Record.identifier))}
        server = get_meta(session, SYNC_SERVER)
        last_sync = get_meta(session, SYNC_LAST_SYNC)
    return {"queued": queued, "queued_records": queued_records, "failed": failed, "conflicts": conflicts,
            "errors": errors, "states": states, "last_sync": last_sync, "server": server}




def failed_changes(db: Database) -> list[dict[str, Any]]:
    """The changes that cannot leave without the person: failed entries, and waiting ones that hold
    an error. Each: ``{"entry_id", "identifier", "title", "action", "message", "state",
    "workflow_id", "created_at"}`` (``workflow_id`` for decisions, to open the request)."""
    from focalpoint.models import Workflow

    with db.session() as session:
        entries = list(session.scalars(
            select(OutboxEntry).where((OutboxEntry.state == OutboxState.FAILED) | OutboxEntry.last_error.is_not(None))
            .order_by(OutboxEntry.seq)))
        ids = sorted({e.record_identifier for e in entries})
        titles = {ident: title for ident, title in session.execute(
            select(Record.identifier, Record.title).where(Record.identifier.in_(ids)))} if ids else {}
        out = []
        for entry in entries:
            workflow_id = (entry.payload or {}).get("workflowId")
            if workflow_id is None and entry.action in DECISIONS:
                running = session.scalars(select(Workflow.id).where(
                    Workflow.record_identifier == entry.record_identifier, Workflow.state == WorkflowState.RUNNING)).first()
                workflow_id = running
            out.append({"entry_id": entry.entry_id, "identifier": entry.record_identifier,
                        "title": titles.get(entry.record_identifier) or {}, "action": entry.action,
                        "message": entry.last_error or "", "state": entry.state,
                        "workflow_id": workflow_id,
                        "created_at": entry.created_at.isoformat() if entry.created_at else None})
    return out
