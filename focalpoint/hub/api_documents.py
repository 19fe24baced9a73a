"""Routes: ``/api/v2013/documents`` (drafts, published records, lists, validation)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from focalpoint.hub import listing, locks, patch, records
from focalpoint.hub.accounts import Principal
from focalpoint.hub.api_common import MAX_POSITION, caller, json_body, precondition, read, respond, write
from focalpoint.hub.context import Reply
from focalpoint.hub.errors import HubError
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import (
    SIGNED_IN,
    UID,
    WITH_BODY,
    WRITE,
    Document,
    DocumentInfo,
    DocumentList,
    DraftDiscarded,
    Lock,
    LockLifted,
    ValidationReport,
    body,
    errors,
)
from focalpoint.hub.validation import check_schema, validation_errors

router = APIRouter(prefix="/api/v2013/documents", tags=["documents"])


@router.get("", response_model=DocumentList, responses=errors(400, *SIGNED_IN))
async def list_documents(request: Request, collection: str | None = None,
                         filter_: str | None = Query(None, alias="$filter"),
                         top: int = Query(100, alias="$top", ge=0, le=1000),
                         skip: int = Query(0, alias="$skip", ge=0, le=MAX_POSITION),
                         principal: Principal = Depends(caller)) -> JSONResponse:
    """``{"Count", "Items"}``: ``collection=my`` (published) or ``mydraft`` (drafts), ``$filter``, paging."""
    return await read(request, listing.list_documents, principal, collection, filter_, top, skip)


@router.put("/x/validate", openapi_extra=body(Document), response_model=ValidationReport,
            responses=errors(*WITH_BODY, *SIGNED_IN))
async def validate(request: Request, schema: str | None = None,
                   principal: Principal = Depends(caller)) -> JSONResponse:
    """Validate a document with the same rules as the client: ``{"errors": [...]}``."""
    document = await json_body(request)
    if not isinstance(document, dict):
        raise HubError(400, "Error.InvalidDocument", "The body must be a JSON object (a CHM document).")
    header = document.get("header")
    if not isinstance(header, dict):
        header = {}
    check_schema(header.get("schema") or schema)
    return respond(Reply(200, {"errors": validation_errors(document)}))


@router.get("/{uid}", response_model=Document, responses=errors(400, 404, *SIGNED_IN))
async def get_published(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The published version of a record, the raw document (404 if never published)."""
    return await read(request, records.read_published, principal, uid)


@router.get("/{uid}/info", response_model=DocumentInfo, responses=errors(400, 404, *SIGNED_IN))
async def get_published_info(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The published version's info (identifier, revision, metadata ...), without the document."""
    return await read(request, records.read_published_info, principal, uid)


@router.get("/{uid}/versions/draft", response_model=Document, responses=errors(400, 404, *SIGNED_IN))
async def get_draft(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The draft of a record, the raw document (404 if none)."""
    return await read(request, records.read_draft, principal, uid)


@router.get("/{uid}/versions/draft/info", response_model=DocumentInfo,
            responses=errors(400, 404, *SIGNED_IN))
async def get_draft_info(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The draft's info (revision, workingDocument*, workingDocumentLock ...), without the document."""
    return await read(request, records.read_draft_info, principal, uid)


@router.get("/{uid}/versions/draft/locks", response_model=list[Lock], responses=errors(400, 403, 404, *SIGNED_IN))
async def list_locks(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """The draft's locks: ``[{"lockID", ...}]`` (a running publication or deletion request holds one)."""
    return await read(request, locks.list_locks, principal, uid)


@router.get("/{uid}/versions/draft/locks/{lock_id}", response_model=Lock,
            responses=errors(400, 403, 404, *SIGNED_IN))
async def get_lock(request: Request, uid: UID, lock_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    return await read(request, locks.get_lock, principal, uid, lock_id)


@router.put("/{uid}/versions/draft/locks/{lock_id}", openapi_extra=body(Document, required=False),
            response_model=DocumentInfo | Lock, responses=errors(*WITH_BODY, *WRITE, 403, 404, 409, 423, *SIGNED_IN))
async def put_lock(request: Request, uid: UID, lock_id: str, schema: str | None = None,
                   principal: Principal = Depends(caller)) -> JSONResponse:
    """Lock the draft again (the reviewer, after an edit); with a document body, save it through the lock."""
    raw = await request.body()
    document = await json_body(request) if raw.strip() else None
    return await write(request, principal, document, lambda ctx: locks.put_lock(ctx, uid, lock_id, document, schema))


@router.delete("/{uid}/versions/draft/locks/{lock_id}", response_model=LockLifted,
               responses=errors(*WRITE, 403, 404, *SIGNED_IN))
async def delete_lock(request: Request, uid: UID, lock_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
    """Lift the lock (the reviewer, to edit the draft under review); the request stays open."""
    return await write(request, principal, None, lambda ctx: locks.unlock(ctx, uid, lock_id))


@router.put("/{uid}/versions/draft", openapi_extra=body(Document, merge_patch=True), response_model=DocumentInfo,
            responses=errors(*WITH_BODY, *WRITE, 403, 409, 412, 423, 428, *SIGNED_IN))
async def put_draft(request: Request, uid: UID, schema: str | None = None,
                    principal: Principal = Depends(caller)) -> JSONResponse:
    """Save a draft. Honours ``If-Match: <revision>``, ``If-None-Match: *`` and ``Idempotency-Key``."""
    document = await json_body(request)
    if_match = precondition(request, "if-match")
    if_none_match = precondition(request, "if-none-match")
    review_of = request.headers.get(records.REVIEW_HEADER)
    merge = patch.wants_patch(request)  # a JSON Merge Patch against the If-Match revision (extension)
    return await write(request, principal, document,
                       lambda ctx: records.save_draft(ctx, uid, schema,
                                                      patch.patched_document(ctx, uid, document, if_match)
                                                      if merge else document, if_match, if_none_match,
                                                      review_of=review_of))


@router.delete("/{uid}/versions/draft", response_model=DraftDiscarded,
               responses=errors(*WRITE, 403, 404, 409, 423, *SIGNED_IN))
async def delete_draft(request: Request, uid: UID, principal: Principal = Depends(caller)) -> JSONResponse:
    """Discard a draft (a never-published record is deleted)."""
    if_match = precondition(request, "if-match")
    return await write(request, principal, None, lambda ctx: records.delete_draft(ctx, uid, if_match))
