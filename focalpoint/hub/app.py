"""``create_app``: the hub as an ASGI application (FastAPI)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from focalpoint.hub import (
    api_attachments,
    api_auth,
    api_bbi,
    api_documents,
    api_extension,
    api_thesaurus,
    api_workflows,
)
from focalpoint.hub.body_middleware import RequestBodyMiddleware
from focalpoint.hub.context import DEFAULT_TOKEN_TTL, MAX_BATCH, MAX_BODY_BYTES, MAX_FILE_BYTES, Hub, system_clock
from focalpoint.hub.errors import HubError, envelope, log_failure, refused_value, safe_message
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import install_openapi
from focalpoint.hub.security import SCRYPT_N
from focalpoint.hub.store import HubDatabase, open_hub_database
from focalpoint.hub.zstd_middleware import ZstdMiddleware

log = logging.getLogger("focalpoint.hub")

TRANSIENT = ("database is locked", "database table is locked", "could not serialize", "deadlock detected",
             "canceling statement due to lock timeout", "too many connections", "the database system is starting")


def is_transient(exc: OperationalError) -> bool:
    """A failure that a retry may not meet again (contention, a restart), as opposed to a broken
    schema or disk."""
    text = str(exc.orig or exc).lower()
    return any(part in text for part in TRANSIENT)


# lean on purpose: they travel with every answer over a paid link (framing is refused by the
# policy's frame-ancestors; X-Frame-Options only for the /docs page, which has no such policy)
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS_FRAME = (b"x-frame-options", b"DENY")


class SecurityHeadersMiddleware:
    """Headers every answer carries: no MIME sniffing, no framing, no referrer; a strict content
    policy on everything but the optional /docs page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "") in ("/docs", "/docs/oauth2-redirect")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                headers.append(DOCS_FRAME if docs else API_CSP)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Ticket"} if status == 401 else None
    return JSONResponse(envelope(status, code, message, **extra), status_code=status, headers=headers)


def create_app(database_url: str | None = None, *, clock: Callable[[], dt.datetime] | None = None,
               token_ttl: dt.timedelta = DEFAULT_TOKEN_TTL, max_body_bytes: int = MAX_BODY_BYTES,
               max_batch: int = MAX_BATCH, database: HubDatabase | None = None,
               plain_chm: bool = False, password_cost: int | None = None, docs: bool = False,
               merge_patch: bool = True, zstd: bool = True, files_dir: str | Path | None = None,
               max_file_bytes: int = MAX_FILE_BYTES, resumable_uploads: bool = True,
               files_url: str | None = None) -> FastAPI:
    """The hub application on ``database_url`` (default ``sqlite:///./focalpoint-hub.sqlite3``).

    ``clock`` returns the current (UTC) time; tests pass a fake one to expire tokens.
    ``plain_chm``: answer as the real CHM does and nothing more (no capabilities, no extension
    route, idempotency keys and revision preconditions ignored), so clients use their fallback.
    ``merge_patch``/``zstd``: the extension's delta saves and zstd compression (on by default).
    ``files_dir``/``files_url``/``max_file_bytes``/``resumable_uploads``: attachments (see
    ``focalpoint.hub.files``; ``files_url``: an fsspec URL for the finished contents).
    """
    db = database or open_hub_database(database_url)
    hub = Hub(db=db, clock=clock or system_clock, token_ttl=token_ttl, max_body_bytes=max_body_bytes,
              max_batch=max_batch, plain_chm=plain_chm, password_cost=password_cost or SCRYPT_N,
              merge_patch=merge_patch, zstd=zstd and not plain_chm,
              files_dir=Path(files_dir) if files_dir else None, max_file_bytes=max_file_bytes,
              resumable_uploads=resumable_uploads, files_url=files_url or None)
    # the interactive /docs page loads its scripts from a CDN (blank on an offline national network):
    # off unless asked for (``serve --docs``); the description itself is always at /openapi.json
    app = FastAPI(title="FocalPoint hub", version="1", docs_url="/docs" if docs else None, redoc_url=None,
                  description="A CHM-compatible clearing-house server with the FocalPoint sync extension.")
    app.state.hub = hub
    install_openapi(app)  # request bodies, sign-in scheme, only the status codes the hub answers
    db.prune(hub.now())
    for module in (api_auth, api_documents, api_workflows, api_extension, api_thesaurus, api_bbi):
        if plain_chm and module is api_extension:
            continue  # --plain-chm: every extension route answers 404, as on the real CHM
        app.include_router(module.router)
    api_attachments.register(app)  # files of records (CHM routes; tus unless plain CHM)

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        extra = dict(exc.extra)
        retry_after = extra.pop("retryAfter", None)
        response = _error(exc.status, exc.code, exc.message, **extra)
        if retry_after is not None:
            response.headers["Retry-After"] = str(int(retry_after))
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"location": ".".join(str(x) for x in e.get("loc", ())), "problem": e.get("msg", "")}
                   for e in exc.errors()]
        return _error(400, "Error.InvalidRequest", "The request's parameters are not valid.", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "Error.NotFound", 405: "Error.MethodNotAllowed"}
        return _error(exc.status_code, codes.get(exc.status_code, f"Error.Http{exc.status_code}"),
                      str(exc.detail))

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _refused_data(_request: Request, exc: DataError | OverflowError) -> JSONResponse:
        # the database refused a value of the request (PostgreSQL: a NUL character, a number out of
        # range; SQLite: an integer past 64 bits, in a filter): the caller's to correct, and the log
        # names the kind of error, never the value
        log.warning("the database refused a value of a request (%s)",
                    type(getattr(exc, "orig", None) or exc).__name__)
        refused = refused_value()
        return _error(refused.status, refused.code, refused.message)

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        # only a passing contention is "busy, retry"; a missing table or a disk error is not
        first_line = safe_message(exc)  # never a value it quotes (a draft's text)
        if not is_transient(exc):
            log.error("database error (%s): %s", type(exc.orig).__name__, first_line)
            return _error(500, "Error.Internal", "The hub's database failed; it has been logged.")
        log.warning("database busy: %s", first_line)
        response = _error(503, "Error.Busy", "The hub is busy; try again shortly.")
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        log_failure(log, "unexpected error", exc)  # without the message: it may quote a draft
        return _error(500, "Error.Internal", "The hub failed to handle the request; it has been logged.")

    app.add_middleware(GZipMiddleware, minimum_size=256)  # small answers count on a paid link too
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestBodyMiddleware, max_bytes=max_body_bytes, streamed=api_attachments.is_streamed)
    app.add_middleware(ZstdMiddleware, max_bytes=max_body_bytes, enabled=hub.zstd)  # outermost: unpacks first
    return app
