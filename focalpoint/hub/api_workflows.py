"""Routes: ``/api/v2013/workflows`` (publication and deletion requests)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from focalpoint.hub import workflows
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import MAX_POSITION, caller, json_body, read, write
from focalpoint.hub.errors import HubError
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import SIGNED_IN, WITH_BODY, WRITE, Decision, Workflow, WorkflowRequest, body, errors
from focalpoint.models import WorkflowAction

router = APIRouter(prefix="/api/v2013/workflows", tags=["workflows"])


@router.post("", openapi_extra=body(WorkflowRequest), status_code=201, response_model=Workflow,
             responses=errors(*WITH_BODY, *WRITE, 403, 404, 409, 423, *SIGNED_IN))
async def create(request: Request, principal: Principal = Depends(caller)) -> JSONResponse:
    """Open ``publishNationalRecord``, ``publishReferenceRecord`` or ``deleteRecord``; locks the draft."""
    payload = await json_body(request)
    return await write(request, principal, payload, lambda ctx: workflows.create_workflow(ctx, payload))


@router.get("", response_model=list[Workflow], responses=errors(400, *SIGNED_IN))
async def list_(request: Request, q: str | None = None, top: int | None = Query(None, alias="$top", ge=0, le=1000),
                skip: int | None = Query(None, alias="$skip", ge=0, le=MAX_POSITION), l: int | None = Query(None, ge=0, le=1000),  # noqa: E741
                sk: int | None = Query(None, ge=0, le=MAX_POSITION),
                principal: Principal = Depends(caller)) -> JSONResponse:
    """Workflows the caller may see, filtered by ``q`` (``{"state": "running"}``, ``{"data.identifier": X}``…).

    Paging as real clients send it (``l`` length, ``sk`` skip; scbd-angularjs-services workflows.js)
    or ``$top``/``$skip``."""
    limit = l if l is not None else (top if top is not None else 200)
    offset = sk if sk is not None else (skip or 0)
    return await read(request, workflows.list_workflows, principal, q, limit, offset)


@router.get("/{workflow_id}", response_model=Workflow, responses=errors(400, 404, *SIGNED_IN))
async def get(request: Request, workflow_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    return await read(request, workflows.read_workflow, principal, workflow_id)


@router.put("/{workflow_id}/activities/{activity}", openapi_extra=body(Decision), response_model=Workflow,
            responses=errors(*WITH_BODY, *WRITE, 403, 404, 409, *SIGNED_IN))
async def act(request: Request, workflow_id: str, activity: str,
              principal: Principal = Depends(caller)) -> JSONResponse:
    """``{"action": "approve", "revision": N}`` or ``{"action": "reject", "reason": "…"}``."""
    payload = await json_body(request)
    return await write(request, principal, payload, lambda ctx: workflows.act(ctx, workflow_id, activity, payload))


@router.delete("/{workflow_id}", response_model=Workflow, responses=errors(*WRITE, 403, 404, 409, *SIGNED_IN))
async def cancel(request: Request, workflow_id: str, action: str | None = None,
                 principal: Principal = Depends(caller)) -> JSONResponse:
    """``?action=cancel``: withdraw the request and unlock the draft."""
    if action != WorkflowAction.CANCEL:
        raise HubError(400, "Error.InvalidAction", "Use DELETE /api/v2013/workflows/{id}?action=cancel.")
    return await write(request, principal, None, lambda ctx: workflows.cancel(ctx, workflow_id))
