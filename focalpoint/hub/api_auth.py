"""Routes: ``/api/v2013/authentication/token`` and ``/authentication/user``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from focalpoint.hub.accounts import (
    Principal,
    check_credentials,
    check_login_allowed,
    clear_login_failures,
    issue_token,
    login_keys,
    note_login_failure,
    revoke_token,
    role_names,
)
from focalpoint.hub.api_common import caller, hub_of, json_body
from focalpoint.hub.context import iso
from focalpoint.hub.errors import HubError
from focalpoint.hub.models import User
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import SERVER, SIGNED_IN, WITH_BODY, SignedInUser, SignIn, Token, body, errors
from focalpoint.hub.security import hash_password, needs_rehash

router = APIRouter(prefix="/api/v2013/authentication", tags=["authentication"])


@router.post("/token", openapi_extra=body(SignIn), response_model=Token,
             responses=errors(*WITH_BODY, 403, 429, *SERVER))
async def token(request: Request) -> JSONResponse:
    """Sign in with ``{"email", "password"}``; answers ``{"authenticationToken", "expiration"}``."""
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("email"), str) \
            or not isinstance(body.get("password"), str):
        raise HubError(400, "Error.InvalidRequest", "Send {\"email\": …, \"password\": …}.")
    hub = hub_of(request)
    keys = login_keys(body["email"], request.client.host if request.client else None)

    def run() -> tuple[str, str]:
        with hub.db.read() as session:
            check_login_allowed(session, keys, now=hub.now())
        try:
            with hub.db.read() as session:  # the slow hash check holds no write lock
                user_id = check_credentials(session, body["email"], body["password"])
                stored = session.get(User, user_id).password_hash  # type: ignore[union-attr]
        except HubError:
            with hub.db.plain_write() as session:
                note_login_failure(session, keys, now=hub.now())
            raise
        rehashed = hash_password(body["password"], n=hub.password_cost) \
            if needs_rehash(stored, n=hub.password_cost) else None
        with hub.db.plain_write() as session:
            clear_login_failures(session, body["email"])
            if rehashed is not None:
                user = session.get(User, user_id)
                if user is not None and user.password_hash == stored:
                    user.password_hash = rehashed  # raised to the current parameters at sign-in
            value, expires = issue_token(session, user_id, now=hub.now(), ttl=hub.token_ttl)
        return value, iso(expires)

    value, expiration = await run_in_threadpool(run)
    return JSONResponse({"authenticationToken": value, "expiration": expiration},
                        headers={"Cache-Control": "no-store"})


@router.delete("/token", status_code=204, response_class=Response, responses=errors(*SIGNED_IN))
async def sign_out(request: Request, principal: Principal = Depends(caller)) -> Response:
    """Sign out: the token of this request stops working at once."""
    hub = hub_of(request)
    header = request.headers.get("authorization") or ""
    token = header.split(" ", 1)[1].strip() if " " in header else ""

    def run() -> None:
        with hub.db.plain_write() as session:
            revoke_token(session, token)

    await run_in_threadpool(run)
    return Response(status_code=204)


@router.get("/user", response_model=SignedInUser, responses=errors(*SIGNED_IN))
async def user(principal: Principal = Depends(caller)) -> JSONResponse:
    """The signed-in user: id, e-mail, name, government and roles."""
    return JSONResponse({"userID": principal.id, "email": principal.email, "name": principal.name,
                         "government": principal.government, "roles": role_names(principal.role),
                         "userGroups": [], "isAuthenticated": True})
