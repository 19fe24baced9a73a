"""Idempotent writes: one transaction holding the write and its stored response.

:func:`perform_write` opens a write transaction (which takes the change counter
first, serialising writers), looks up ``(user, key)``; a stored response is
returned as it was, without writing anything (``Idempotent-Replay: true``).
Otherwise the write runs and, if it succeeded (2xx), its response is stored in the
same transaction. A refused write stores nothing: it changed nothing, so a retry
is evaluated afresh. Reusing a key for a different request is refused with 422
``Error.IdempotencyKeyReused``.

Any worker thread may call :func:`perform_write`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Hub, Reply, WriteContext
from focalpoint.hub.errors import HubError
from focalpoint.hub.models import IdempotentResponse

MAX_KEY_LENGTH = 200


def fingerprint(method: str, path: str, body: Any) -> str:
    """A digest of what a request asks for (method, path without query, canonical JSON body)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


class _Replay(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__("replay")
        self.reply = reply


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise HubError(400, "Error.InvalidIdempotencyKey",
                       f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} characters.")
    return key


def _colleagues_answer(session: Session, principal: Principal, key: str,
                       request_fingerprint: str) -> IdempotentResponse | None:
    """The same change (same key, same request) already made by a colleague of the same government.

    FocalPoint's keys are the ids of outbox entries, and an entry carried by USB stick from a
    computer with no link may reach the hub through two colleagues' computers: the second is the
    same change, not a new one, and gets the first answer. Only an identical request is replayed
    (the fingerprint covers method, path and body), and only within one government."""
    if principal.government is None:
        return None
    from sqlalchemy import select

    from focalpoint.hub.models import User

    return session.scalars(
        select(IdempotentResponse).join(User, User.id == IdempotentResponse.user_id)
        .where(IdempotentResponse.key == key, User.government == principal.government,
               IdempotentResponse.fingerprint == request_fingerprint).limit(1)).first()


def perform_write(hub: Hub, principal: Principal, key: str | None, request_fingerprint: str,
                  action: Callable[[WriteContext], Reply], *, realm: str = "CHM") -> Reply:
    """Run ``action`` in one write transaction, at most once per (user, key)."""
    key = check_key(key)
    try:
        with hub.db.write() as (session, seq):
            if key is not None:
                stored = session.get(IdempotentResponse, (principal.id, key)) \
                    or _colleagues_answer(session, principal, key, request_fingerprint)
                if stored is not None:
                    if stored.fingerprint != request_fingerprint:
                        raise HubError(422, "Error.IdempotencyKeyReused",
                                       "This Idempotency-Key was already used for a different request.")
                    raise _Replay(Reply(stored.status, json.loads(stored.body),
                                        etag=int(stored.etag) if stored.etag else None, replay=True))
            ctx = WriteContext(hub=hub, principal=principal, session=session, seq=seq, now=hub.now(),
                               realm=(realm or "CHM")[:40])
            reply = action(ctx)
            if key is not None and 200 <= reply.status < 300:
                session.add(IdempotentResponse(
                    user_id=principal.id, key=key, fingerprint=request_fingerprint, status=reply.status,
                    body=json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False),
                    etag=str(reply.etag) if reply.etag is not None else None, created_on=ctx.now))
            return reply
    except _Replay as replay:
        return replay.reply
