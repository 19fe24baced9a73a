"""Routes of the FocalPoint extension: ``/api/v2013/focalpoint/...``.

Capabilities (no sign-in needed), the change feed, a record's history, batched
writes and government bundles. A client uses them only when advertised.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from focalpoint import compression
from focalpoint.hub import api_attachments, bundles, changes, history, patch
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import MAX_POSITION, caller, hub_of, json_body, read, respond
from focalpoint.hub.batch import run_batch
from focalpoint.hub.context import EXTENSIONS, PROTOCOL_VERSION, Reply
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import (
    BUNDLE_MEDIA_TYPE,
    SIGNED_IN,
    UID,
    WITH_BODY,
    BatchReply,
    BatchRequest,
    Capabilities,
    ChangePage,
    History,
    body,
    errors,
)

router = APIRouter(prefix="/api/v2013/focalpoint", tags=["focalpoint extension"])


@router.get("/capabilities", response_model=Capabilities)
async def capabilities(request: Request) -> JSONResponse:
    """What this hub adds to the CHM API; a real CHM answers 404 here."""
    hub = hub_of(request)
    extensions = [*EXTENSIONS, changes.EXTENSION]
    if hub.merge_patch:
        extensions.append(patch.EXTENSION)
    if hub.zstd:
        extensions += compression.advertised()  # "zstd" and "zstd-dictionary:<id>" per shipped dictionary
    files = api_attachments.advertised(hub, getattr(request.app.state, "files", None))
    if "uploads" in files:
        extensions.append(api_attachments.RESUMABLE_EXTENSION)  # tus 1.0 at files["uploads"]["url"]
    return JSONResponse({"protocol": PROTOCOL_VERSION, "extensions": extensions, "maxBatch": hub.max_batch,
                         "maxBodyBytes": hub.max_body_bytes, "changesLimit": changes.MAX_LIMIT, **files})


@router.get("/changes", response_model=ChangePage, responses=errors(400, *SIGNED_IN))
async def change_feed(request: Request, since: int = Query(0, ge=0, le=MAX_POSITION),
                      limit: int = Query(changes.DEFAULT_LIMIT, ge=1, le=changes.MAX_LIMIT),
                      have: str | None = Query(None, max_length=16_000),
                      max_bytes: int = Query(changes.DEFAULT_MAX_BYTES, alias="maxBytes", ge=1, le=MAX_POSITION,
                                             description="Uncompressed JSON per page (more than 8 MiB is "
                                                         "taken as 8 MiB); a larger record comes alone."),
                      principal: Principal = Depends(caller)) -> Response:
    """Changes after ``since``: newest per record, paged by ``limit`` and ``maxBytes``, ``last_seq``
    to store; records named in ``have`` at the revision given there come without their body."""
    held = changes.parse_have(have)  # a malformed pair is a 400 naming it
    hub = hub_of(request)

    def page() -> Reply:
        with hub.db.read() as session:
            return changes.changes(session, principal, since, limit, held, max_bytes)

    reply = await run_in_threadpool(page)  # the page comes rendered (each item once, as it was measured)
    return Response(reply.body, status_code=reply.status, media_type="application/json")


@router.get("/documents/{uid}/history", response_model=History, responses=errors(400, 404, *SIGNED_IN))
async def record_history(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The record's audit trail: who did what, when, at which revision."""
    return await read(request, history.history, principal, uid)


@router.post("/batch", openapi_extra=body(BatchRequest), response_model=BatchReply,
             responses=errors(*WITH_BODY, *SIGNED_IN))
async def batch(request: Request, principal: Principal = Depends(caller)) -> JSONResponse:
    """Several writes, each in its own transaction with its ``id`` as Idempotency-Key."""
    payload = await json_body(request)
    realm = request.headers.get("realm") or "CHM"
    return respond(await run_in_threadpool(run_batch, hub_of(request), principal, payload, realm))


@router.get("/bundle", response_class=Response, responses={
    200: {"description": "The bundle (gzip; see focalpoint.sync.bundle).",
          "content": {BUNDLE_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
    **errors(400, 403, *SIGNED_IN)})
async def bundle(request: Request, government: str | None = None,
                 principal: Principal = Depends(caller)) -> Response:
    """An offline bundle of a government's records (see ``focalpoint.sync.bundle``)."""
    return await bundles.bundle_response(hub_of(request), api_attachments.store_of(request), principal,
                                         government)
