"""Routes: files attached to records, as the CHM has them, and resumable uploads (tus 1.0).

The CHM's routes (``docs/chm-compatibility.md``):

- ``POST`` (or ``PUT``, as SCBD's own clients send it) ``/api/v2013/documents/{uid}/attachments/{filename}``:
  the whole file as the body; answers the attachment (``url``, ``filename``, ``size``, ``sha256`` …);
- ``GET /api/v2013/documents/{uid}/attachments``: ``{"Count", "Items"}`` (``$top``, ``$skip``);
- ``GET``/``HEAD /api/v2013/documents/{uid}/attachments/{attachmentId}/{filename}`` (and the short
  ``.../attachments/{filename}``): the file, with ``Range`` (206, ``Accept-Ranges: bytes``) and
  ``ETag`` = its SHA-256;
- ``PUT /api/v2015/temporary-files`` (a slot), ``PUT`` to the slot's ``url`` (the file), then
  ``POST /api/v2013/documents/{uid}/attachments/persist-temporary/{tempFileId}`` (attach it).

The extension (advertised as ``resumable-uploads``; off on a ``--plain-chm`` hub):
``/api/v2013/focalpoint/uploads``, the tus 1.0 core protocol with the creation, termination and
expiration extensions. ``Upload-Metadata`` names ``uid``, ``filename`` and ``sha256`` (and may name
``filetype``); when the last byte arrives the hub checks the SHA-256 and attaches the file as the
``POST`` route does. The final ``PATCH`` (and a ``HEAD`` afterwards) carries
``X-FocalPoint-Attachment-Url``.

Bodies of these routes are streamed to disk (:func:`is_streamed`; the request-body middleware lets
them through unbuffered) and limited by ``Hub.max_file_bytes``. A client may send the SHA-256 it
expects (``X-FocalPoint-SHA256: <hex>``, ``Digest: sha-256=<base64>`` or
``Repr-Digest: sha-256=:<base64>:``); a body that does not match is refused (422) and nothing is kept.

The tus subset is written here rather than taken from a library: the Python servers for
Starlette/FastAPI bring concatenation (a final upload assembled from other uploads by identifier),
deferred lengths and a raw download route, none bound to the person who created the upload, and
keep their own state files, whereas the hub must bind each upload to its creator, check the record's
permissions before taking a byte, verify the SHA-256 and hand the file to its content store.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import errno
import fcntl
import hashlib
import logging
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, Response, StreamingResponse

from focalpoint import jsonsafe
from focalpoint.fileio import sha256_file
from focalpoint.hub import files
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import caller, hub_of
from focalpoint.hub.context import Hub
from focalpoint.hub.errors import ErrorEnvelope, HubError, not_found
from focalpoint.hub.files import FileStore, Received
from focalpoint.hub.records import check_uid
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import SIGNED_IN, UID, WITH_BODY, errors

log = logging.getLogger("focalpoint.hub")

TUS_VERSION = "1.0.0"
TUS_PATH = "/api/v2013/focalpoint/uploads"
TUS_EXTENSIONS = "creation,termination,expiration"
RESUMABLE_EXTENSION = "resumable-uploads"
ATTACHMENT_URL_HEADER = "X-FocalPoint-Attachment-Url"
SHA256_HEADER = "X-FocalPoint-SHA256"

router = APIRouter(prefix="/api/v2013/documents", tags=["attachments"])
temporary_router = APIRouter(prefix="/api/v2015/temporary-files", tags=["attachments"])
tus_router = APIRouter(prefix=TUS_PATH, tags=["focalpoint extension"])

class Attachment(BaseModel):
    """A file attached to a record, as the hub describes it (CHM fields ``url``, ``name``, ``documentUID``)."""

    model_config = ConfigDict(extra="allow")
    attachmentId: int
    documentUID: str
    filename: str
    name: str
    url: str = Field(description="Where to GET it: /api/v2013/documents/{uid}/attachments/{attachmentId}/{filename}.")
    size: int
    sha256: str
    contentType: str
    createdOn: str


class AttachmentList(BaseModel):
    Count: int
    Items: list[Attachment]


class TemporarySlot(BaseModel):
    model_config = ConfigDict(extra="allow")
    uid: str = Field(description="The tempFileId to persist.")
    url: str = Field(description="Where to PUT the file.")
    contentType: str
    filename: str


class TemporaryFile(BaseModel):
    uid: str
    size: int
    sha256: str


def _why(code: int, text: str) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorEnvelope, "description": text}}


_BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": _BINARY}}}
SLOT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["filename"],
    "properties": {"filename": {"type": "string"}, "contentType": {"type": "string"}}}}}}}
NAME_BODY = {"requestBody": {"required": False, "content": {
    "application/json": {"schema": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {
        "filename": {"type": "string"}}}]}},
    "text/plain": {"schema": {"type": "string"}}}}}
UPLOAD_REFUSALS = {**errors(400, 403, 413, 415, *SIGNED_IN),
                   **_why(422, "The body does not have the SHA-256 the client named; nothing was stored.")}
FILE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file (HEAD: its headers only); ETag is its SHA-256.", "content": {"*/*": _BINARY}},
    206: {"description": "The byte range asked for with Range (If-Range: the ETag).", "content": {"*/*": _BINARY}},
    416: {"description": "The Range asked for is past the end of the file.", "content": {"text/plain": {}}},
    **errors(400, 404, *SIGNED_IN)}
TUS_REFUSALS = {**errors(400, 404, *SIGNED_IN), **_why(412, "Tus-Resumable is missing or not 1.0.0.")}


_STREAMED = (
    (("POST", "PUT"), re.compile(r"^/api/v2013/documents/[^/]+/attachments/[^/]+$")),
    (("PUT",), re.compile(r"^/api/v2015/temporary-files/[^/]+$")),
    (("PATCH",), re.compile(rf"^{TUS_PATH}/[^/]+$")),
)


def is_streamed(method: str, path: str) -> bool:
    """Whether a request's body is a file that the route streams to disk itself (the body
    middleware then neither buffers it nor applies the JSON body limit)."""
    return any(method in methods and pattern.match(path) for methods, pattern in _STREAMED)


def register(app: FastAPI) -> None:
    """Open the file store of ``app.state.hub`` and add the routes (tus only when enabled and not
    a plain CHM). Called once by ``create_app``."""
    hub: Hub = app.state.hub
    store = FileStore(hub.files_dir or files.default_files_dir(hub.db.url), hub.max_file_bytes, hub.files_url)
    store.sweep()
    app.state.files = store
    app.include_router(router)
    app.include_router(temporary_router)
    if resumable(hub):
        app.include_router(tus_router)


def resumable(hub: Hub) -> bool:
    """Whether the hub offers tus uploads (and advertises ``resumable-uploads``)."""
    return hub.resumable_uploads and not hub.plain_chm


def store_of(request: Request) -> FileStore:
    """The hub's file store (set up by ``create_app``)."""
    store: FileStore = request.app.state.files
    return store


# ---------------------------------------------------------------------------------------- bodies


def expected_digest(request: Request) -> str | None:
    """The SHA-256 (hex) the client says the body has, from any of the headers it may use."""
    value = request.headers.get(SHA256_HEADER)
    if value:
        return files.check_sha256(value)
    for header in ("repr-digest", "content-digest", "digest"):
        raw = request.headers.get(header)
        if not raw:
            continue
        for part in raw.split(","):
            algorithm, _, encoded = part.strip().partition("=")
            if algorithm.strip().lower() != "sha-256":
                continue
            try:
                digest = base64.b64decode(encoded.strip().strip(":"), validate=True)
            except (binascii.Error, ValueError):
                digest = b""
            if len(digest) != 32:
                raise HubError(400, "Error.InvalidDigest", f"The {header} header's sha-256 is not a base64 SHA-256.")
            return digest.hex()
    return None


def digest_mismatch() -> HubError:
    return HubError(422, "Error.DigestMismatch",
                    "The file that arrived does not have the SHA-256 the client named; nothing was stored. "
                    "Send it again.")


async def receive_body(request: Request, store: FileStore, expected: str | None) -> Received:
    """Stream the request body to ``incoming/`` while hashing it; 413 past the limit, 422 when it
    does not match ``expected``. Nothing is left behind on any failure."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > store.max_bytes:
        raise store.too_large()
    path = store.new_incoming()
    digest = hashlib.sha256()
    size = 0
    handle = open(path, "wb")  # noqa: SIM115  (closed below on every path)
    try:
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                size += len(chunk)
                if size > store.max_bytes:
                    raise store.too_large()
                digest.update(chunk)
                handle.write(chunk)
        except ClientDisconnect:
            raise HubError(400, "Error.Disconnected", "The connection closed before the whole file arrived.") from None
        handle.close()
    except BaseException:
        handle.close()
        path.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    if expected is not None and sha != expected:
        path.unlink(missing_ok=True)
        raise digest_mismatch()
    return Received(path, sha, size)


def _may_attach(hub: Hub, p: Principal, uid: str) -> str | None:
    with hub.db.read() as session:
        return files.check_may_attach(session, p, uid)


def _store_and_attach(hub: Hub, store: FileStore, p: Principal, uid: str, filename: str, path: Path | None,
                      sha256: str, size: int, content_type: str) -> dict[str, Any]:
    """Move a verified body to its content name (``path`` None: the content is stored already) and
    record the attachment, checking the record's rules again inside the transaction."""
    if path is not None:
        store.adopt(path, sha256)
    for attempt in (1, 2):
        try:
            with hub.db.plain_write() as session:
                government = files.check_may_attach(session, p, uid)
                row = files.attach(session, p, uid, filename, sha256, size, content_type, government, hub.now())
                return files.describe(row)
        except IntegrityError:
            if attempt == 2:
                raise
            # the same name attached at the same moment by another request: read it again
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------- CHM routes


@router.post("/{uid}/attachments/{filename}", operation_id="create_attachment", response_model=Attachment,
             responses=UPLOAD_REFUSALS, openapi_extra=FILE_BODY)
@router.put("/{uid}/attachments/{filename}", operation_id="put_attachment", response_model=Attachment,
            responses=UPLOAD_REFUSALS, openapi_extra=FILE_BODY)
async def upload_attachment(request: Request, uid: UID, filename: str,
                            principal: Principal = Depends(caller)) -> JSONResponse:
    """Attach the body (the whole file) to record ``uid`` under ``filename``."""
    hub, store = hub_of(request), store_of(request)
    check_uid(uid)
    name = files.check_filename(filename)
    expected = expected_digest(request)
    await run_in_threadpool(_may_attach, hub, principal, uid)  # refused before a byte is stored
    received = await receive_body(request, store, expected)
    try:
        described = await run_in_threadpool(
            _store_and_attach, hub, store, principal, uid, name, received.path, received.sha256, received.size,
            files.content_type_for(name, request.headers.get("content-type")))
    finally:
        received.path.unlink(missing_ok=True)  # adopted (gone) or refused
    return JSONResponse(described)


@router.get("/{uid}/attachments", response_model=AttachmentList, responses=errors(400, *SIGNED_IN))
async def list_attachments(request: Request, uid: UID, top: int = Query(100, alias="$top", ge=0, le=1000),
                           skip: int = Query(0, alias="$skip", ge=0, le=2**53),
                           filter_: str | None = Query(None, alias="$filter"),
                           orderby: str | None = Query(None, alias="$orderby"),
                           principal: Principal = Depends(caller)) -> JSONResponse:
    """The record's attachments the caller may read, by file name: ``{"Count", "Items"}``."""
    check_uid(uid)
    if filter_ or orderby:
        raise HubError(400, "Error.NotSupported", "This hub lists attachments by file name only "
                       "($filter and $orderby are not supported); use $top and $skip.")
    hub = hub_of(request)

    def run() -> dict[str, Any]:
        with hub.db.read() as session:
            return files.list_attachments(session, principal, uid, top, skip)

    return JSONResponse(await run_in_threadpool(run))


async def _file_response(request: Request, uid: str, attachment_id: int | None, filename: str,
                         principal: Principal) -> Response:
    hub, store = hub_of(request), store_of(request)
    check_uid(uid)
    name = files.check_filename(filename)

    def run() -> tuple[str, str, str]:
        with hub.db.read() as session:
            row = files.readable_attachment(session, principal, uid, attachment_id, name)
            return row.sha256, row.content_type, row.filename

    sha, content_type, stored_name = await run_in_threadpool(run)
    headers = {"ETag": f'"{sha}"', SHA256_HEADER: sha, "Cache-Control": "private, no-cache"}
    if store.is_remote:
        size = await run_in_threadpool(store.size_of, sha)
        if size is None:
            raise _lost(stored_name, uid, sha)
        return _remote_file_response(request, store, sha, size, content_type, stored_name, headers)
    path = store.content_path(sha)
    if not path.is_file():
        raise _lost(stored_name, uid, sha)
    # Range, If-Range (against this ETag), HEAD and 416 are Starlette's FileResponse
    return FileResponse(path, media_type=content_type, filename=stored_name, headers=headers)


def _lost(stored_name: str, uid: str, sha: str) -> HubError:
    log.error("attachment %s of %s: its content %s is missing from the file store", stored_name, uid, sha)
    return HubError(500, "Error.Internal", "The hub has lost this file's content; it has been logged.")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range (start, end exclusive) a ``Range: bytes=…`` header asks for; None for the whole
    file (no header, another unit, several ranges or a malformed one: RFC 9110 lets a server ignore
    those). A start at or past ``size`` means the range cannot be served (416)."""
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.strip()[6:].strip()
    match = re.fullmatch(r"(\d*)-(\d*)", spec)
    if match is None or match.group(0) == "-":
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
        if last and int(last) < start:
            return None
    else:
        start, end = max(size - int(last), 0), size
        if int(last) == 0:
            start = size
    return start, end  # start >= size: unsatisfiable (416)


def _remote_file_response(request: Request, store: FileStore, sha: str, size: int, content_type: str,
                          stored_name: str, headers: dict[str, str]) -> Response:
    """The content from a remote store (``FileStore.is_remote``), as FileResponse answers a local one:
    ``Accept-Ranges``, one ``Range`` (206, or 416 past the end) unless ``If-Range`` names another ETag,
    ``HEAD`` without the body."""
    quoted = quote(stored_name)
    disposition = (f"attachment; filename*=utf-8''{quoted}" if quoted != stored_name
                   else f'attachment; filename="{stored_name}"')
    headers = {**headers, "Accept-Ranges": "bytes", "Content-Disposition": disposition}
    if_range = request.headers.get("if-range")
    wanted = _byte_range(request.headers.get("range"), size) if if_range in (None, headers["ETag"]) else None
    start, end, status = 0, size, 200
    if wanted is not None and wanted[0] >= size:
        refusal = HubError(416, "Error.RangeNotSatisfiable", f"The file has {size} bytes.")
        return JSONResponse(refusal.body(), status_code=416, headers={"Content-Range": f"bytes */{size}"})
    if wanted is not None:
        (start, end), status = wanted, 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=content_type)
    return StreamingResponse(store.read_range(sha, start, end), status_code=status, headers=headers,
                             media_type=content_type)


@router.get("/{uid}/attachments/{attachment_id}/{filename}", operation_id="get_attachment",
            response_class=Response, responses=FILE_ANSWERS)
@router.head("/{uid}/attachments/{attachment_id}/{filename}", operation_id="attachment_exists",
             response_class=Response, responses=FILE_ANSWERS)
async def get_attachment(request: Request, uid: UID, attachment_id: int, filename: str,
                         principal: Principal = Depends(caller)) -> Response:
    """The file (``HEAD``: whether it exists, with its size and ETag). Honours ``Range``."""
    return await _file_response(request, uid, attachment_id, filename, principal)


@router.get("/{uid}/attachments/{filename}", operation_id="get_attachment_by_name",
            response_class=Response, responses=FILE_ANSWERS)
@router.head("/{uid}/attachments/{filename}", operation_id="attachment_by_name_exists",
             response_class=Response, responses=FILE_ANSWERS)
async def get_attachment_by_name(request: Request, uid: UID, filename: str,
                                 principal: Principal = Depends(caller)) -> Response:
    """The file by its name alone (the form SCBD's own pages link to)."""
    return await _file_response(request, uid, None, filename, principal)


# ---------------------------------------------------------------------------------------- temporary files


def _slot(store: FileStore, slot_id: str, principal: Principal) -> dict[str, Any]:
    state = store.read_state(store.temporary_dir, slot_id)
    if state is None or state.get("owner") != principal.id:
        raise not_found("The temporary file")
    return state


@temporary_router.put("", response_model=TemporarySlot, responses=errors(*WITH_BODY, *SIGNED_IN),
                      openapi_extra=SLOT_BODY)
async def new_temporary_file(request: Request, principal: Principal = Depends(caller)) -> JSONResponse:
    """A slot for one file: ``{"filename", "contentType"}`` in, ``{"uid", "url", "contentType"}`` out;
    the file is then ``PUT`` to ``url``."""
    store = store_of(request)
    raw = await request.body()
    try:
        body = jsonsafe.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise HubError(400, "Error.InvalidJson", "The request body is not valid JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("filename"), str):
        raise HubError(400, "Error.InvalidRequest", 'Send {"filename": "...", "contentType": "..."}.')
    name = files.check_filename(body["filename"])
    declared = body.get("contentType") if isinstance(body.get("contentType"), str) else None
    content_type = files.content_type_for(name, declared)
    slot_id = files.new_id()
    store.write_state(store.temporary_dir, slot_id, {"filename": name, "contentType": content_type,
                                                      "owner": principal.id, "created": time.time()})
    url = str(request.base_url).rstrip("/") + f"{temporary_router.prefix}/{slot_id}"
    return JSONResponse({"uid": slot_id, "url": url, "contentType": content_type, "filename": name})


@temporary_router.put("/{slot_id}", response_model=TemporaryFile, openapi_extra=FILE_BODY,
                      responses={**UPLOAD_REFUSALS, **errors(404)})
async def fill_temporary_file(request: Request, slot_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """The file of a slot (the whole body); kept until persisted or a day has passed."""
    store = store_of(request)
    state = _slot(store, slot_id, principal)
    received = await receive_body(request, store, expected_digest(request))
    try:
        await run_in_threadpool(store.adopt, received.path, received.sha256)
    finally:
        received.path.unlink(missing_ok=True)
    state.update(sha256=received.sha256, size=received.size)
    store.write_state(store.temporary_dir, slot_id, state)
    return JSONResponse({"uid": slot_id, "size": received.size, "sha256": received.sha256})


@router.post("/{uid}/attachments/persist-temporary/{slot_id}", response_model=Attachment, openapi_extra=NAME_BODY,
             responses={**errors(400, 403, 404, 413, 415, *SIGNED_IN),
                        **_why(409, "The temporary file has not been uploaded yet.")})
async def persist_temporary_file(request: Request, uid: UID, slot_id: str,
                                 principal: Principal = Depends(caller)) -> JSONResponse:
    """Attach a filled slot to record ``uid``; the body names the file (a JSON string, or
    ``{"filename"}``, or plain text; empty: the slot's name)."""
    hub, store = hub_of(request), store_of(request)
    check_uid(uid)
    state = _slot(store, slot_id, principal)
    if "sha256" not in state or not await run_in_threadpool(store.has, state["sha256"]):
        raise HubError(409, "Error.NotReady", "The temporary file has not been uploaded yet.")
    raw = (await request.body()).decode("utf-8", "replace").strip()
    name: Any = state["filename"]
    if raw:
        try:
            parsed = jsonsafe.loads(raw)
        except ValueError:
            parsed = raw
        name = parsed.get("filename") if isinstance(parsed, dict) else parsed
        if not isinstance(name, str):
            raise HubError(400, "Error.InvalidFilename", "Name the file as a JSON string or {\"filename\": ...}.")
    name = files.check_filename(name)
    described = await run_in_threadpool(_store_and_attach, hub, store, principal, uid, name, None,
                                        state["sha256"], int(state["size"]), state["contentType"])
    store.remove_state(store.temporary_dir, slot_id)
    return JSONResponse(described)


# ---------------------------------------------------------------------------------------- tus 1.0


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def _check_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise HubError(412, "Error.TusVersion", f"This hub speaks tus {TUS_VERSION}; send Tus-Resumable: {TUS_VERSION}.",
                       tusVersion=TUS_VERSION)


def parse_upload_metadata(value: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs (a key alone means "")."""
    out: dict[str, str] = {}
    for pair in (value or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        try:
            out[key.strip()] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise HubError(400, "Error.InvalidMetadata", f"Upload-Metadata: the value of '{key}' is not base64 UTF-8.") from None
    return out


def _expires(state: dict[str, Any]) -> str:
    return email.utils.formatdate(state["created"] + files.UPLOAD_TTL.total_seconds(), usegmt=True)


def _upload(store: FileStore, upload_id: str, principal: Principal) -> dict[str, Any]:
    state = store.read_state(store.uploads_dir, upload_id)
    if state is None or state.get("owner") != principal.id:
        raise HubError(404, "Error.NotFound", "The upload does not exist or has expired; start it again.")
    return state


def _done_headers(state: dict[str, Any]) -> dict[str, str]:
    return _tus_headers(**{"Upload-Offset": str(state["length"]), "Upload-Length": str(state["length"]),
                           ATTACHMENT_URL_HEADER: state["attachment"]["url"]})


@tus_router.options("", status_code=204, response_class=Response,
                    responses={204: {"description": "Tus-Version, Tus-Extension, Tus-Max-Size."}})
async def tus_options(request: Request) -> Response:
    """What the upload route speaks (no sign-in needed): version, extensions, largest file."""
    return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION,
                                              "Tus-Extension": TUS_EXTENSIONS,
                                              "Tus-Max-Size": str(store_of(request).max_bytes)})


@tus_router.post("", status_code=201, response_class=Response, responses={
    201: {"description": "Created: Location, Upload-Offset (the length when the hub attached known content at "
                         "once, with X-FocalPoint-Attachment-Url), Upload-Expires."},
    **TUS_REFUSALS, **errors(403, 413)})
async def tus_create(request: Request, principal: Principal = Depends(caller)) -> Response:
    """Create an upload (``Upload-Length``, ``Upload-Metadata``: uid, filename, sha256[, filetype])."""
    _check_tus(request)
    hub, store = hub_of(request), store_of(request)
    length_text = request.headers.get("upload-length", "")
    if not length_text.isdigit():
        raise HubError(400, "Error.InvalidLength", "Upload-Length must be the file's size in bytes.")
    length = int(length_text)
    if length > store.max_bytes:
        raise store.too_large()
    meta = parse_upload_metadata(request.headers.get("upload-metadata"))
    missing = [k for k in ("uid", "filename", "sha256") if not meta.get(k)]
    if missing:
        raise HubError(400, "Error.InvalidMetadata", f"Upload-Metadata must name {', '.join(missing)}.")
    uid = check_uid(meta["uid"])
    name = files.check_filename(meta["filename"])
    sha = files.check_sha256(meta["sha256"])
    assert sha is not None
    content_type = files.content_type_for(name, meta.get("filetype") or meta.get("contentType"))

    def check() -> tuple[str | None, bool]:
        with hub.db.read() as session:
            government = files.check_may_attach(session, principal, uid)
            return government, store.has(sha) and files.known_to(session, principal, sha)

    _government, known = await run_in_threadpool(check)
    await run_in_threadpool(store.sweep)
    upload_id = files.new_id()
    state: dict[str, Any] = {"uid": uid, "filename": name, "sha256": sha, "length": length,
                             "contentType": content_type, "owner": principal.id, "created": time.time(),
                             "done": False}
    location = f"{TUS_PATH}/{upload_id}"
    if known or (length == 0 and sha == hashlib.sha256(b"").hexdigest()):
        if not await run_in_threadpool(store.has, sha):  # the empty file
            empty = store.new_incoming()
            empty.write_bytes(b"")
            await run_in_threadpool(store.adopt, empty, sha)
        state["attachment"] = await run_in_threadpool(_store_and_attach, hub, store, principal, uid, name, None,
                                                      sha, length, content_type)
        state["done"] = True
        store.write_state(store.uploads_dir, upload_id, state)
        return Response(status_code=201, headers={**_done_headers(state), "Location": location,
                                                  "Upload-Expires": _expires(state)})
    store.part_path(upload_id).write_bytes(b"")
    store.write_state(store.uploads_dir, upload_id, state)
    return Response(status_code=201, headers=_tus_headers(**{"Location": location, "Upload-Offset": "0",
                                                             "Upload-Expires": _expires(state)}))


@tus_router.head("/{upload_id}", response_class=Response, responses={
    200: {"description": "Upload-Offset, Upload-Length (and X-FocalPoint-Attachment-Url once finished)."},
    **TUS_REFUSALS})
async def tus_head(request: Request, upload_id: str, principal: Principal = Depends(caller)) -> Response:
    """Where the upload stands: ``Upload-Offset`` (bytes the hub holds) and ``Upload-Length``."""
    _check_tus(request)
    store = store_of(request)
    state = _upload(store, upload_id, principal)
    if state["done"]:
        return Response(status_code=200, headers=_done_headers(state))
    part = store.part_path(upload_id)
    offset = part.stat().st_size if part.exists() else 0
    return Response(status_code=200, headers=_tus_headers(**{"Upload-Offset": str(offset),
                                                             "Upload-Length": str(state["length"]),
                                                             "Upload-Expires": _expires(state)}))


@tus_router.patch("/{upload_id}", status_code=204, response_class=Response, responses={
    204: {"description": "Taken: the new Upload-Offset (X-FocalPoint-Attachment-Url after the last byte)."},
    **TUS_REFUSALS, **errors(413, 415),
    **_why(409, "Upload-Offset is not the hub's (uploadOffset says where it stands)."),
    **_why(422, "The finished file does not have the SHA-256 named at creation; nothing was kept."),
    **_why(423, "The upload is still receiving an earlier request; retry after Retry-After.")})
async def tus_patch(request: Request, upload_id: str, principal: Principal = Depends(caller)) -> Response:
    """Append the body (``Content-Type: application/offset+octet-stream``) at ``Upload-Offset``. Bytes
    are kept as they arrive, so a cut connection loses only what was still on the way; the last byte
    triggers the SHA-256 check and the attach."""
    _check_tus(request)
    hub, store = hub_of(request), store_of(request)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/offset+octet-stream":
        raise HubError(415, "Error.UnsupportedMediaType", "Send the bytes as application/offset+octet-stream.")
    state = _upload(store, upload_id, principal)
    if state["done"]:
        return Response(status_code=204, headers=_done_headers(state))
    offset_text = request.headers.get("upload-offset", "")
    if not offset_text.isdigit():
        raise HubError(400, "Error.InvalidOffset", "Upload-Offset must be a byte position.")
    part = store.part_path(upload_id)
    try:
        handle = open(part, "r+b")  # noqa: SIM115  (closed below)
    except FileNotFoundError:
        raise HubError(404, "Error.NotFound", "The upload does not exist or has expired; start it again.") from None
    length = int(state["length"])
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise HubError(423, "Error.Locked", "The upload is still receiving an earlier request; ask "
                           "where it stands (HEAD) and go on.", retryAfter=1) from None
        offset = handle.seek(0, 2)
        if int(offset_text) != offset:
            raise HubError(409, "Error.OffsetMismatch",
                           f"The hub holds {offset} bytes of this upload, not {offset_text}.", uploadOffset=offset)
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                if offset + len(chunk) > length:
                    raise HubError(413, "Error.PayloadTooLarge", "The body goes past Upload-Length.")
                handle.write(chunk)
                offset += len(chunk)
        except ClientDisconnect:
            handle.flush()
            return Response(status_code=400)  # nobody reads it; what arrived is kept
        handle.flush()
        if offset < length:
            return Response(status_code=204, headers=_tus_headers(**{"Upload-Offset": str(offset),
                                                                     "Upload-Expires": _expires(state)}))
        # the last byte: check and attach while still holding the lock (one completion only)
        sha = await run_in_threadpool(sha256_file, part)
        if sha != state["sha256"]:
            store.remove_state(store.uploads_dir, upload_id)
            raise digest_mismatch()
        state["attachment"] = await run_in_threadpool(_store_and_attach, hub, store, principal, state["uid"],
                                                      state["filename"], part, sha, length, state["contentType"])
        state["done"] = True
        store.write_state(store.uploads_dir, upload_id, state)
        return Response(status_code=204, headers=_done_headers(state))
    finally:
        handle.close()


@tus_router.delete("/{upload_id}", status_code=204, response_class=Response,
                   responses={204: {"description": "Abandoned; its bytes are removed."}, **TUS_REFUSALS})
async def tus_delete(request: Request, upload_id: str, principal: Principal = Depends(caller)) -> Response:
    """Abandon an upload (termination): its bytes are removed."""
    _check_tus(request)
    store = store_of(request)
    _upload(store, upload_id, principal)
    store.remove_state(store.uploads_dir, upload_id)
    return Response(status_code=204, headers=_tus_headers())


def advertised(hub: Hub, store: FileStore | None) -> dict[str, Any]:
    """What the capabilities answer says about files (``uploads``), for ``api_extension``."""
    max_bytes = store.max_bytes if store is not None else hub.max_file_bytes
    out: dict[str, Any] = {"maxFileBytes": max_bytes}
    if resumable(hub):
        out["uploads"] = {"protocol": "tus", "version": TUS_VERSION, "url": TUS_PATH,
                          "extensions": TUS_EXTENSIONS.split(","), "maxBytes": max_bytes,
                          "expiresAfterSeconds": int(files.UPLOAD_TTL.total_seconds())}
    return out

