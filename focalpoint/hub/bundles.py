"""``GET /api/v2013/focalpoint/bundle?government=XX``: a government's records in one file.

The file is a ``records`` bundle of :mod:`focalpoint.sync.bundle` (the sync
developer's format): the newest version of each live record the caller may see —
the government's national records and the reference records visible to the
caller — with their recent workflows, exactly as the change feed would list them
from ``since=0``. ``meta.last_seq`` is the change-feed position the bundle
reflects, so a machine that imported it can later pull from there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.responses import Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from focalpoint.hub.accounts import Principal, normalize_government
from focalpoint.hub.context import Hub, iso
from focalpoint.hub.errors import HubError, forbidden
from focalpoint.hub.info import current_info, users_of_records, users_of_workflows, workflow_json
from focalpoint.hub.listing import record_visibility
from focalpoint.hub.models import Counter, IdempotentResponse, Record, User
from focalpoint.hub.permissions import can_see_draft
from focalpoint.hub.store import CHANGES
from focalpoint.hub.workflows import workflow_visible, workflows_of


def collect(session: Session, p: Principal, government: str) -> tuple[list[dict[str, Any]], int]:
    """Change-feed items (``{"info", "workflows"}``) of the bundle, and the feed position."""
    ceiling = session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()
    rows = list(session.scalars(
        select(Record).where(Record.seq <= ceiling, Record.deleted.is_(False), record_visibility(p),
                             or_(Record.government == government, Record.government.is_(None)))
        .order_by(Record.seq)))
    users = users_of_records(session, rows)
    flows = workflows_of(session, [r.identifier for r in rows])
    flow_users = users_of_workflows(session, [w for ws in flows.values() for w in ws])
    items = []
    for r in rows:
        info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        if info is None or info["deleted"]:
            continue
        items.append({"info": info, "workflows": [workflow_json(w, flow_users) for w in flows.get(r.identifier, [])
                                                  if workflow_visible(p, w)]})
    return items, ceiling


ACK_DAYS = 60  # how far back the bundle says which changes arrived


def delivered(session: Session, government: str, since: dt.datetime) -> list[dict[str, Any]]:
    """Acknowledgements of the writes the government's people made (their ``Idempotency-Key``s, which
    are FocalPoint's outbox entry ids): a computer with no link that sent its changes by USB stick
    learns from them that they arrived, and with which revision."""
    rows = session.execute(
        select(IdempotentResponse.key, IdempotentResponse.etag)
        .join(User, User.id == IdempotentResponse.user_id)
        .where(User.government == government, IdempotentResponse.created_on >= since,
               IdempotentResponse.status < 300)).all()
    acks = []
    for key, etag in rows:
        ack: dict[str, Any] = {"entry_id": key, "result": "applied"}
        if etag is not None and str(etag).isdigit():
            ack["revision"] = int(etag)
        acks.append(ack)
    return acks


async def bundle_response(hub: Hub, principal: Principal, government: str | None) -> Response:
    from focalpoint.sync.bundle import MEDIA_TYPE, bundle_bytes

    government = normalize_government(government) or principal.government
    if government is None:
        raise HubError(400, "Error.InvalidRequest", "Name the government: ?government=XX.")
    if not principal.is_secretariat and government != principal.government:
        raise forbidden("You may only export your own government's records.")

    def build() -> bytes:
        with hub.db.read() as session:
            items, last_seq = collect(session, principal, government)
            acks = delivered(session, government, hub.now() - dt.timedelta(days=ACK_DAYS))
        meta = {"government": government, "last_seq": last_seq, "exportedBy": principal.email,
                "exportedOn": iso(hub.now()), "records": len(items)}
        return bundle_bytes(items, meta, acks=acks)

    data = await run_in_threadpool(build)
    stamp = dt.date.today().isoformat()
    return Response(data, media_type=MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="focalpoint-{government}-{stamp}.bundle"',
        "Content-Encoding": "identity"})  # already gzip: GZipMiddleware leaves it alone
