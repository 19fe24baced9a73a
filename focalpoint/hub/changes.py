"""The change feed: ``GET /api/v2013/focalpoint/changes?since=<seq>&limit=<n>``.

One row per record holds the sequence number of its latest change, so the feed
lists only the newest change per identifier. The hub-wide counter is read first
and bounds the query: every change up to it is committed (writers commit in
sequence order, see ``focalpoint.hub.store``), so ``last_seq`` is safe to store
as a checkpoint even when the caller saw nothing, and the next poll skips the
changes it is not allowed to see.

``have`` (extension ``changes-have``) lists records the caller already holds at a
given revision, typically those it has just written: such an item comes without
its body (``"body": null, "bodyOmitted": true``); its metadata and workflows still
come, so a status change is never missed. This roughly halves what a sync right
after sending many edits receives.
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
from focalpoint.hub.workflows import workflow_visible, workflows_of

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_HAVE = 200  # identifier:revision pairs in one ``have`` parameter


def parse_have(value: str | None) -> dict[str, int]:
    """``have=UID:REV,UID:REV``: copies the caller already holds (the answers to its own writes).

    Raises ``HubError`` 400 naming the first malformed pair."""
    from focalpoint.hub.errors import bad_request

    if not value:
        return {}
    pairs: dict[str, int] = {}
    for part in value.split(","):
        uid, sep, rev = part.strip().rpartition(":")
        # ASCII digits only: "²".isdigit() is true, and int("²") fails
        if not sep or not uid or not (rev.isascii() and rev.isdigit()) or len(rev) > 15:
            raise bad_request("Error.InvalidRequest", f"'have' takes identifier:revision pairs; {part!r} is not one.")
        pairs[uid] = int(rev)
    if len(pairs) > MAX_HAVE:
        raise bad_request("Error.InvalidRequest", f"'have' names at most {MAX_HAVE} records.")
    return pairs


def changes(session: Session, p: Principal, since: int, limit: int, have: dict[str, int] | None = None) -> Reply:
    ceiling = session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()
    rows = list(session.scalars(
        select(Record).where(Record.seq > since, Record.seq <= ceiling, record_visibility(p))
        .order_by(Record.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        # a ``since`` past the feed's end names no position this hub ever gave (a hand-edited
        # checkpoint or bundle): the answer says where the feed really ends, and the client restarts
        return Reply(200, {"results": [], "last_seq": ceiling, "more": False})
    users = users_of_records(session, rows)
    flows = workflows_of(session, [r.identifier for r in rows])
    flow_users = users_of_workflows(session, [w for ws in flows.values() for w in ws])
    results: list[dict[str, Any]] = []
    for r in rows:
        info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        if info is None:
            continue
        if have and have.get(r.identifier) == info["revision"] and info.get("body") is not None:
            # the caller holds this very revision (the answer to its own write): no second copy
            info = {**info, "body": None, "bodyOmitted": True}
        results.append({
            "seq": r.seq, "identifier": r.identifier, "revision": info["revision"],
            "deleted": r.deleted, "info": info,
            "workflows": [workflow_json(w, flow_users) for w in flows.get(r.identifier, [])
                          if workflow_visible(p, w)],
        })
    last_seq = rows[-1].seq if more else ceiling
    return Reply(200, {"results": results, "last_seq": last_seq, "more": more})
