"""What the sync status bar and ``focalpoint sync status`` show (read-only, one query each).

Any thread with its own session may call :func:`sync_status` (the UI's database worker).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from focalpoint.db import Database
from focalpoint.models import OutboxEntry, Record
from focalpoint.sync import localstore as ls

SYNC_STATES = ("local", "queued", "syncing", "synced", "conflict", "error")


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
                                    .where(OutboxEntry.state == "failed")) or 0)
        states = {state: 0 for state in SYNC_STATES}
        for state, count in session.execute(select(Record.sync_state, func.count()).group_by(Record.sync_state)):
            states[state] = int(count)
        conflicts = list(session.scalars(select(Record.identifier).where(Record.sync_state == "conflict")
                                         .order_by(Record.identifier)))
        errors = {ident: message or "" for ident, message in session.execute(
            select(Record.identifier, Record.sync_error).where(Record.sync_state == "error")
            .order_by(Record.identifier))}
        server = ls.get_meta(session, "sync.server")
        last_sync = ls.get_meta(session, "sync.last_sync")
    return {"queued": queued, "queued_records": queued_records, "failed": failed, "conflicts": conflicts,
            "errors": errors, "states": states, "last_sync": last_sync, "server": server}
