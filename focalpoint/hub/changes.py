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

Pages are sized by bytes as well as by count (extension ``changes-max-bytes``): a page
holds at most ``limit`` records and, after the first, only as many as fit in
``maxBytes`` of uncompressed JSON (default :data:`DEFAULT_MAX_BYTES`, at most
:data:`MAX_MAX_BYTES`). A record larger than the budget comes alone. Each item is
rendered once, as it is produced; its length is what the budget counts, and the page
is those very bytes joined, so nothing is serialized twice. Records are read in
growing chunks, so a page cut short by its budget does not load a thousand bodies.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
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
from focalpoint.jsonsafe import finite

log = logging.getLogger("focalpoint.hub")

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_HAVE = 200  # identifier:revision pairs in one ``have`` parameter
EXTENSION = "changes-max-bytes"  # the ``maxBytes`` parameter
DEFAULT_MAX_BYTES = 512 * 1024  # uncompressed JSON in one page when the caller names no budget
MAX_MAX_BYTES = 8 * 1024 * 1024  # a larger ``maxBytes`` is taken as this
_FIRST_CHUNK, _LAST_CHUNK = 16, 256  # records read per query while a page fills


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


def render(item: Any) -> bytes:
    """``item`` as the hub's JSON answers render it (compact UTF-8, a non-finite number as null,
    see ``focalpoint.hub.responses``). Any thread."""
    try:
        text = json.dumps(item, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        log.warning("a change held a non-finite number; it was sent as null")
        text = json.dumps(finite(item), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def _page(items: list[bytes], last_seq: int, more: bool) -> bytes:
    return b"".join((b'{"results":[', b",".join(items), b'],"last_seq":', str(last_seq).encode("ascii"),
                     b',"more":', b"true" if more else b"false", b"}"))


def changes(session: Session, p: Principal, since: int, limit: int, have: dict[str, int] | None = None,
            max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """One page of the feed after ``since``, as rendered JSON bytes in ``Reply.body``: at most
    ``limit`` records and, past the first, at most ``max_bytes`` of JSON. Worker thread (read
    transaction)."""
    ceiling = session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()
    budget = min(max(1, max_bytes), MAX_MAX_BYTES)
    items: list[bytes] = []
    size = len(_page([], ceiling, False))  # the envelope; last_seq never has more digits than the ceiling
    position, taken, chunk = since, 0, _FIRST_CHUNK
    while taken < limit:
        rows = list(session.scalars(
            select(Record).where(Record.seq > position, Record.seq <= ceiling, record_visibility(p))
            .order_by(Record.seq).limit(min(chunk, limit - taken))))
        if not rows:
            break
        for seq, data in _items(session, p, rows, have):
            if data is not None:
                cost = len(data) + (1 if items else 0)
                if items and size + cost > budget:
                    # full: this record opens the next page; the feed goes on after the last one sent
                    return Reply(200, _page(items, position, True))
                items.append(data)
                size += cost
            position, taken = seq, taken + 1  # a record the caller may not see is passed over
        chunk = min(chunk * 2, _LAST_CHUNK)
    else:
        beyond = session.execute(
            select(Record.seq).where(Record.seq > position, Record.seq <= ceiling, record_visibility(p))
            .limit(1)).first()
        if beyond is not None:  # the count limit is reached before the feed's end
            return Reply(200, _page(items, position, True))
    # the feed is read to its end: the ceiling is the position (past changes the caller may not
    # see, and past the end when ``since`` names a position this hub never gave)
    return Reply(200, _page(items, ceiling, False))


def _items(session: Session, p: Principal, rows: list[Record],
           have: dict[str, int] | None) -> Iterator[tuple[int, bytes | None]]:
    """Each row's sequence number and feed item, rendered when asked for (None: nothing the
    caller may see), so a page that fills early renders no record it does not send."""
    users = users_of_records(session, rows)
    flows = workflows_of(session, [r.identifier for r in rows])
    flow_users = users_of_workflows(session, [w for ws in flows.values() for w in ws])
    for r in rows:
        info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        if info is None:
            yield r.seq, None
            continue
        if have and have.get(r.identifier) == info["revision"] and info.get("body") is not None:
            # the caller holds this very revision (the answer to its own write): no second copy
            info = {**info, "body": None, "bodyOmitted": True}
        yield r.seq, render({
            "seq": r.seq, "identifier": r.identifier, "revision": info["revision"],
            "deleted": r.deleted, "info": info,
            "workflows": [workflow_json(w, flow_users) for w in flows.get(r.identifier, [])
                          if workflow_visible(p, w)],
        })
