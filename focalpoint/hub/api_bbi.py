"""Routes: ``/api/v2016/bbi-requests`` — the Bio-Bridge request store, in the real CHM's shapes.

``POST`` (answers ``{"id"}``), ``GET /{_id}?f=…``, ``PATCH``/``PUT /{_id}``, ``DELETE /{_id}`` and the
listing ``GET ?q=&sk=&l=&s=&f=`` (a JSON array). See :mod:`focalpoint.hub.bbi_store` and
``docs/chm-compatibility.md, part 5``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from focalpoint.hub import bbi_store
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import MAX_POSITION, caller, hub_of, json_body
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import SIGNED_IN, WITH_BODY, BbiId, BbiRequest, body, errors

router = APIRouter(prefix="/api/v2016/bbi-requests", tags=["bio-bridge"])


async def _in_transaction(request: Request, fn: Callable[..., Any], *args: Any, write: bool) -> Any:
    hub = hub_of(request)

    def run() -> Any:
        if write:
            with hub.db.plain_write() as session:
                return fn(session, *args, hub.now())
        with hub.db.read() as session:
            return fn(session, *args)

    return await run_in_threadpool(run)


@router.post("", openapi_extra=body(BbiRequest), response_model=BbiId,
             responses=errors(*WITH_BODY, 403, *SIGNED_IN))
async def create(request: Request, principal: Principal = Depends(caller)) -> JSONResponse:
    """Store a new request (``meta.status`` draft unless said otherwise); answers ``{"id": "<_id>"}``."""
    payload = await json_body(request)
    return JSONResponse(await _in_transaction(request, bbi_store.create, principal, payload, write=True))


@router.get("", response_model=list[BbiRequest], responses=errors(400, *SIGNED_IN))
async def list_(request: Request, q: str | None = None, sk: int = Query(0, ge=0, le=MAX_POSITION),
                l: int = Query(100, ge=0, le=bbi_store.MAX_LIMIT),  # noqa: E741 (the real parameter name)
                s: str | None = None, f: str | None = None,
                principal: Principal = Depends(caller)) -> JSONResponse:
    """The requests the caller may see: ``q`` equality on dotted paths, ``s`` on meta.modifiedOn, ``f`` projection."""
    def run(session: Session) -> Any:
        return bbi_store.list_requests(session, principal, q, sk, l, s, f)

    return JSONResponse(await _in_transaction(request, run, write=False))


@router.get("/{request_id}", response_model=BbiRequest, responses=errors(400, 403, 404, *SIGNED_IN))
async def get(request: Request, request_id: str, f: str | None = None,
              principal: Principal = Depends(caller)) -> JSONResponse:
    """One request with ``_id`` and ``meta``."""
    return JSONResponse(await _in_transaction(request, bbi_store.read_one, principal, request_id, f, write=False))


@router.patch("/{request_id}", openapi_extra=body(BbiRequest), response_model=BbiId,
              responses=errors(*WITH_BODY, 403, 404, *SIGNED_IN))
async def patch(request: Request, request_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """Replace the request's fields with the body's (a top-level ``null`` removes one); merge its meta."""
    payload = await json_body(request)
    return JSONResponse(await _in_transaction(request, bbi_store.update, principal, request_id, payload,
                                              write=True))


@router.put("/{request_id}", openapi_extra=body(BbiRequest), response_model=BbiId,
            responses=errors(*WITH_BODY, 403, 404, *SIGNED_IN))
async def put(request: Request, request_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """As PATCH (chm.cbd.int's ``delMongo`` PUTs ``{meta: {status: "deleted"}, _id}`` to remove one)."""
    payload = await json_body(request)
    if isinstance(payload, dict) and isinstance(payload.get("meta"), dict) \
            and payload["meta"].get("status") == bbi_store.BbiStatus.DELETED:
        return JSONResponse(await _in_transaction(request, bbi_store.remove, principal, request_id, write=True))
    return JSONResponse(await _in_transaction(request, bbi_store.update, principal, request_id, payload,
                                              write=True))


@router.delete("/{request_id}", response_model=BbiId, responses=errors(400, 403, 404, *SIGNED_IN))
async def delete(request: Request, request_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """Remove the request (it leaves every listing)."""
    return JSONResponse(await _in_transaction(request, bbi_store.remove, principal, request_id, write=True))
