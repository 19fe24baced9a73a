"""A record's audit trail: who did what, when, at which revision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal, user_refs
from focalpoint.hub.context import Reply, iso
from focalpoint.hub.errors import not_found
from focalpoint.hub.models import AuditEntry
from focalpoint.hub.permissions import can_see_record
from focalpoint.hub.records import check_uid, get_record


def history(session: Session, p: Principal, uid: str) -> Reply:
    record = get_record(session, check_uid(uid))
    if record is None:
        raise not_found("The record")
    if not can_see_record(p, record.government, record.created_by, record.published_body is not None):
        raise not_found("The record")  # another government's draft: as for an unknown identifier
    rows = list(session.scalars(select(AuditEntry).where(AuditEntry.identifier == uid)
                                .order_by(AuditEntry.id)))
    users = user_refs(session, {r.user_id for r in rows})
    entries = []
    for r in rows:
        entry = {"action": r.action, "revision": r.revision, "by": users.get(r.user_id), "on": iso(r.at),
                 "workflowId": r.workflow_id}
        if r.detail:
            entry["reason"] = r.detail
        entries.append(entry)
    return Reply(200, {"identifier": uid, "entries": entries})
