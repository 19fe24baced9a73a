"""Routes of the FocalPoint extension: ``/api/v2013/focalpoint/...``.

Capabilities (no sign-in needed), the change feed, a record's history, batched
writes and government bundles. A client uses them only when advertised.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from focalpoint.hub import bundles, changes, history
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import JSON_BODY, MAX_POSITION, caller, hub_of, json_body, read, respond
from focalpoint.hub.batch import run_batch
from focalpoint.hub.context import EXTENSIONS, PROTOCOL_VERSION
from focalpoint.hub.responses import JSONResponse

router = APIRouter(prefix="/api/v2013/focalpoint", tags=["focalpoint extension"])


@router.get("/capabilities")
async def capabilities(request: Request) -> JSONResponse:
    """What this hub adds to the CHM API; a real CHM answers 404 here."""
    hub = hub_of(request)
    extensions = list(EXTENSIONS)
    return JSONResponse({"protocol": PROTOCOL_VERSION, "extensions": extensions, "maxBatch": hub.max_batch,
                         "maxBodyBytes": hub.max_body_bytes, "changesLimit": changes.MAX_LIMIT})


@router.get("/changes")
async def change_feed(request: Request, since: int = Query(0, ge=0, le=MAX_POSITION),
                      limit: int = Query(changes.DEFAULT_LIMIT, ge=1, le=changes.MAX_LIMIT),
                      have: str | None = Query(None, max_length=16_000),
                      principal: Principal = Depends(caller)) -> JSONResponse:
    """Changes after ``since``: newest per record, paged by ``limit``, ``last_seq`` to store;
    records named in ``have`` at the revision given there come without their body."""
    held = changes.parse_have(have)  # a malformed pair is a 400 naming it
    return await read(request, changes.changes, principal, since, limit, held)


@router.get("/documents/{uid}/history")
async def record_history(request: Request, uid: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """The record's audit trail: who did what, when, at which revision."""
    return await read(request, history.history, principal, uid)


@router.post("/batch", openapi_extra=JSON_BODY)
async def batch(request: Request, principal: Principal = Depends(caller)) -> JSONResponse:
    """Several writes, each in its own transaction with its ``id`` as Idempotency-Key."""
    payload = await json_body(request)
    realm = request.headers.get("realm") or "CHM"
    return respond(await run_in_threadpool(run_batch, hub_of(request), principal, payload, realm))


@router.get("/bundle")
async def bundle(request: Request, government: str | None = None,
                 principal: Principal = Depends(caller)):
    """An offline bundle of a government's records (see ``focalpoint.sync.bundle``)."""
    return await bundles.bundle_response(hub_of(request), principal, government)
