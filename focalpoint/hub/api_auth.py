"""Routes: ``/api/v2013/authentication/token`` and ``/authentication/user``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from focalpoint.hub.accounts import role_names, Principal, check_credentials, issue_token
from focalpoint.hub.api_common import JSON_BODY, caller, hub_of, json_body
from focalpoint.hub.context import iso
from focalpoint.hub.errors import HubError

router = APIRouter(prefix="/api/v2013/authentication", tags=["authentication"])


@router.post("/token", openapi_extra=JSON_BODY)
async def token(request: Request) -> JSONResponse:
    """Sign in with ``{"email", "password"}``; answers ``{"authenticationToken", "expiration"}``."""
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("email"), str) \
            or not isinstance(body.get("password"), str):
        raise HubError(400, "Error.InvalidRequest", "Send {\"email\": …, \"password\": …}.")
    hub = hub_of(request)

    def run() -> tuple[str, str]:
        with hub.db.read() as session:  # the slow hash check holds no write lock
            user_id = check_credentials(session, body["email"], body["password"])
        with hub.db.plain_write() as session:
            value, expires = issue_token(session, user_id, now=hub.now(), ttl=hub.token_ttl)
        return value, iso(expires)

    value, expiration = await run_in_threadpool(run)
    return JSONResponse({"authenticationToken": value, "expiration": expiration},
                        headers={"Cache-Control": "no-store"})


@router.get("/user")
async def user(principal: Principal = Depends(caller)) -> JSONResponse:
    """The signed-in user: id, e-mail, name, government and roles."""
    return JSONResponse({"userID": principal.id, "email": principal.email, "name": principal.name,
                         "government": principal.government, "roles": role_names(principal.role),
                         "userGroups": [], "isAuthenticated": True})
