"""The change feed: ``GET /api/v2013/focalpoint/changes?since=<seq>&limit=<n>``.

One row per record holds the sequence number of its latest change, so the feed
lists only the newest change per identifier. The hub-wide counter is read first
and bounds the query: every change up to it is committed (writers commit in
sequence order, see ``focalpoint.hub.store``), so ``last_seq`` is safe to store
as a checkpoint even when the caller saw nothing, and the next poll skips the
changes it is not allowed to see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Reply
from focalpoint.hub.info import current_info, users_of_records, users_of_workflows, workflow_json
from focalpoint.hub.listing import record_visibility
from focalpoint.hub.models import Counter, Record
from focalpoint.hub.permissions import can_see_draft
from focalpoint.hub.store import CHANGES
from focalpoint.hub.workflows import workflow_visible
from focalpoint.hub.workflows import workflows_of

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000


def changes(session: Session, p: Principal, since: int, limit: int) -> Reply:
    ceiling = session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()
    rows = list(session.scalars(
        select(Record).where(Record.seq > since, Record.seq <= ceiling, record_visibility(p))
        .order_by(Record.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Reply(200, {"results": [], "last_seq": max(ceiling, since), "more": False})
    users = users_of_records(session, rows)
    flows = workflows_of(session, [r.identifier for r in rows])
    flow_users = users_of_workflows(session, [w for ws in flows.values() for w in ws])
    results: list[dict[str, Any]] = []
    for r in rows:
        info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        if info is None:
            continue
        results.append({
            "seq": r.seq, "identifier": r.identifier, "revision": info["revision"],
            "deleted": r.deleted, "info": info,
            "workflows": [workflow_json(w, flow_users) for w in flows.get(r.identifier, [])
                          if workflow_visible(p, w)],
        })
    last_seq = rows[-1].seq if more else max(ceiling, since)
    return Reply(200, {"results": results, "last_seq": last_seq, "more": more})
