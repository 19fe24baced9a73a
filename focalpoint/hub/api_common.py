"""What every route shares: the caller's identity, JSON bodies, writes, responses.

Route functions are ``async``; database work runs in Starlette's thread pool
(``run_in_threadpool``), one transaction per call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from focalpoint import jsonsafe
from focalpoint.hub.accounts import Principal, principal_for_token
from focalpoint.hub.batch import AUTHOR_HEADER, authored, is_decision
from focalpoint.hub.context import Hub, Reply, WriteContext
from focalpoint.hub.errors import HubError
from focalpoint.hub.idempotency import fingerprint, perform_write
from focalpoint.hub.responses import JSONResponse

JSON_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}}


def hub_of(request: Request) -> Hub:
    """The hub the application serving ``request`` was made for."""
    hub = request.app.state.hub
    assert isinstance(hub, Hub)
    return hub


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("ticket", "bearer") and value.strip():
        return value.strip()
    return None


def _lookup(hub: Hub, token: str) -> Principal | None:
    with hub.db.read() as session:
        return principal_for_token(session, token, now=hub.now())


async def caller(request: Request) -> Principal:
    """The authenticated user (a FastAPI dependency); 401 when the token is absent, unknown or expired."""
    token = _token(request)
    if token is None:
        raise HubError(401, "Error.Unauthorized", "Sign in first: send Authorization: Ticket <token>.")
    principal = await run_in_threadpool(_lookup, hub_of(request), token)
    if principal is None:
        raise HubError(401, "Error.Unauthorized", "The sign-in has expired or is not valid; sign in again.")
    return principal


MAX_POSITION = 2**53  # positions and offsets fit a 64-bit column (and a JavaScript number)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        if not raw:
            raise ValueError("empty")
        return jsonsafe.loads(raw.decode("utf-8"))
    except jsonsafe.JsonRefused as exc:
        raise HubError(400, "Error.InvalidJson", f"The request body is refused: {exc}.") from None
    except (ValueError, UnicodeDecodeError):
        raise HubError(400, "Error.InvalidJson", "The request body is not valid JSON.") from None


def respond(reply: Reply) -> JSONResponse:
    headers = dict(reply.headers)
    if reply.etag is not None:
        headers["ETag"] = f'"{reply.etag}"'
    if reply.replay:
        headers["Idempotent-Replay"] = "true"
    return JSONResponse(reply.body, status_code=reply.status, headers=headers)


async def write(request: Request, principal: Principal, body: Any,
                action: Callable[[WriteContext], Reply]) -> JSONResponse:
    """Run a write in a transaction with the request's Idempotency-Key (and, when the request names
    who made the change, ``X-FocalPoint-Author``, the check that the caller may send it)."""
    hub = hub_of(request)
    author = request.headers.get(AUTHOR_HEADER)
    if author is not None:
        action = authored(action, author, is_decision(request.method, request.url.path, body))
    key = None if hub.plain_chm else request.headers.get("idempotency-key")
    fp = fingerprint(request.method, request.url.path, body)
    realm = request.headers.get("realm") or "CHM"
    reply = await run_in_threadpool(perform_write, hub, principal, key, fp, action, realm=realm)
    return respond(reply)


def precondition(request: Request, name: str) -> str | None:
    """An ``If-Match``/``If-None-Match`` header (the extension's revision precondition); None on a
    ``--plain-chm`` hub, which ignores them as the real CHM does."""
    if hub_of(request).plain_chm:
        return None
    return request.headers.get(name)


async def read(request: Request, fn: Callable[..., Reply], *args: Any) -> JSONResponse:
    """Run ``fn(session, *args)`` in a read transaction."""
    hub = hub_of(request)

    def run() -> Reply:
        with hub.db.read() as session:
            return fn(session, *args)

    return respond(await run_in_threadpool(run))
