"""The hub's API described for its OpenAPI document: request and response models, status codes.

The models describe the wire as it is: the real CHM's shapes (raw documents, infos, listings,
the error envelope of :mod:`focalpoint.hub.errors`). Routes keep answering with
:class:`~focalpoint.hub.responses.JSONResponse` and keep reading bodies through
``api_common.json_body`` (strict JSON: no NaN, depth and size limits), so these models document the
routes without changing a byte of any answer and without validating more than the hub does:
request bodies are declared with :func:`body` (``openapi_extra``) and their schemas are added to
the document by :func:`install_openapi`.

Documents are open-ended JSON (a CHM form's fields): only their ``header`` is fixed.
Pure declarations; any thread may import them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from focalpoint.hub.errors import ErrorEnvelope

REF = "#/components/schemas/{model}"
#: what ``GET /focalpoint/bundle`` answers (``focalpoint.sync.bundle.MEDIA_TYPE``, not imported: the hub
#: loads the client's sync package only when a bundle is asked for)
BUNDLE_MEDIA_TYPE = "application/gzip"


#: a record identifier, as ``records.check_uid`` checks it (a 400 otherwise): declared, not validated here,
#: so the hub's own check and its ``Error.InvalidIdentifier`` answer stay
IDENTIFIER_PATTERN = r"^[A-Za-z0-9_-]{11,128}$"
SCHEMA_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"  # as hub.validation.check_schema
UID = Annotated[str, Path(description="The record's identifier.",
                          json_schema_extra={"pattern": IDENTIFIER_PATTERN, "maxLength": 128})]


class _Open(BaseModel):
    """A JSON object that may carry more fields than the ones named (as the CHM's do)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---------------------------------------------------------------------- errors


_WHY = {
    400: "The request is not valid (parameters, JSON, identifier, schema, precondition …).",
    401: "Not signed in, or the sign-in has expired (send Authorization: Ticket <token>).",
    403: "Signed in, but not allowed to do this.",
    404: "No such record, draft, lock, workflow or route (or not one the caller may see).",
    409: "Conflict: the record changed, exists already, or the request is closed; carries `current`.",
    412: "The If-Match revision is not the record's (a merge patch applies only to the revision named).",
    413: "The request body (or a batch) is too large.",
    415: "The request body's encoding or media type is not one the hub reads.",
    422: "The document or request breaks a rule (validation errors in `errors`), or an Idempotency-Key was "
         "reused for another request.",
    423: "The draft is locked while a request on it is under review (`workflowId`).",
    428: "A merge patch needs If-Match naming the revision it applies to.",
    429: "Too many failed sign-ins; wait for Retry-After seconds.",
    500: "The hub failed; it has been logged.",
    503: "The hub's database is busy; retry after Retry-After seconds.",
}

#: every route that reads the database may meet a failure (500) or passing contention (503)
SERVER = (500, 503)
#: every signed-in route
SIGNED_IN = (401, *SERVER)
#: every route with a body: JSON refused, too large, unknown encoding
WITH_BODY = (400, 413, 415)
#: every write with an Idempotency-Key: key not valid (400), reused for another request (422)
WRITE = (400, 422)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses, each with the CHM error envelope."""
    return {code: {"model": ErrorEnvelope, "description": _WHY[code]} for code in sorted(set(codes))}


# ---------------------------------------------------------------------- shared shapes


class UserRef(_Open):
    """A person as the CHM names one in infos and workflows."""

    userID: int
    email: str | None = None
    name: str | None = None


class DocumentHeader(_Open):
    """A document's fixed part: its identifier (as in the URL) and schema (a CHM form's name)."""

    identifier: str = Field(description="11 to 128 letters, digits, '_' or '-'; equals the URL's.")
    schema_: str | None = Field(None, alias="schema", pattern=SCHEMA_PATTERN,
                                description="The CHM schema, e.g. capacityNeedsAssessment (or the ?schema= parameter).")


class Document(_Open):
    """A CHM document: ``header`` plus the form's fields (open-ended JSON, checked by the form's rules)."""

    header: DocumentHeader
    government: dict[str, Any] | None = Field(None, description="A national record's {\"identifier\": \"xx\"}.")


class LockRef(_Open):
    lockID: str
    workflowId: str | None = None


class DocumentInfo(_Open):
    """A version's metadata as the CHM answers it (listings, ``…/info``, a save's answer); the change
    feed and conflicts add ``body``."""

    identifier: str
    type: str | None = None
    realm: str | None = None
    revision: int | None = None
    isDraft: bool | None = None
    deleted: bool | None = None
    publishedRevision: int | None = None
    createdOn: str | None = None
    createdBy: UserRef | None = None
    updatedOn: str | None = None
    updatedBy: UserRef | None = None
    metadata: dict[str, Any] | None = None
    workingDocumentLock: LockRef | None = None
    body: dict[str, Any] | None = Field(None, description="The document (change feed and conflicts only).")


class DocumentList(BaseModel):
    """``GET /documents``: a page of infos and the total."""

    Count: int
    Items: list[DocumentInfo]


class ValidationReport(BaseModel):
    errors: list[dict[str, Any]] = Field(description="Problems found ({code, property, …}); empty when valid.")


class Lock(_Open):
    lockID: str
    identifier: str
    workflowId: str
    type: str
    createdOn: str | None = None


class LockLifted(_Open):
    lockID: str
    identifier: str
    deleted: bool


class DraftDiscarded(_Open):
    identifier: str
    deleted: bool = Field(description="True when nothing is left (a record never published).")
    current: DocumentInfo | None = None


# ---------------------------------------------------------------------- authentication


class SignIn(BaseModel):
    email: str
    password: str


class Token(BaseModel):
    authenticationToken: str
    expiration: str | None = None


class SignedInUser(_Open):
    userID: int
    email: str
    name: str | None = None
    government: str | None = None
    roles: list[str]
    userGroups: list[Any]
    isAuthenticated: bool


# ---------------------------------------------------------------------- workflows


class WorkflowData(_Open):
    identifier: str = Field(description="The record's identifier.")
    revision: int | None = Field(None, description="FocalPoint's precondition: the revision asked for.")


class WorkflowRequest(_Open):
    """``POST /workflows``: open a publication or deletion request on a record."""

    type: Literal["publishNationalRecord", "publishReferenceRecord", "deleteRecord"]
    data: WorkflowData


class Decision(_Open):
    """``PUT /workflows/{id}/activities/{activity}``: approve (naming the revision seen) or reject."""

    action: Literal["approve", "reject"]
    revision: int | None = None
    reason: str | None = Field(None, description="Required to reject.")


class Workflow(_Open):
    id: str = Field(alias="_id")
    type: str
    version: str | None = None
    state: str
    createdBy: UserRef | None = None
    createdOn: str | None = None
    closedOn: str | None = None
    data: dict[str, Any]
    activities: list[dict[str, Any]]


# ---------------------------------------------------------------------- FocalPoint extension


class Uploads(BaseModel):
    """The resumable upload route (tus 1.0), when the hub offers it (``resumable-uploads``)."""

    protocol: Literal["tus"]
    version: str = Field(description="The tus version spoken (Tus-Resumable).")
    url: str = Field(description="Where uploads are created (POST), relative to the hub.")
    extensions: list[str] = Field(description="The tus extensions offered (Tus-Extension).")
    maxBytes: int = Field(description="The largest file taken.")
    expiresAfterSeconds: int = Field(description="How long an unfinished upload is kept.")


class Capabilities(BaseModel):
    protocol: int
    extensions: list[str]
    maxBatch: int
    maxBodyBytes: int
    changesLimit: int
    maxFileBytes: int = Field(description="The largest attachment the hub takes (413 beyond).")
    uploads: Uploads | None = Field(None, description="Resumable uploads; absent when not offered.")


class Change(_Open):
    seq: int
    identifier: str
    revision: int | None = None
    deleted: bool
    info: DocumentInfo
    workflows: list[Workflow]


class ChangePage(BaseModel):
    results: list[Change]
    last_seq: int
    more: bool


class HistoryEntry(_Open):
    action: str
    revision: int | None = None
    by: UserRef | None = None
    on: str | None = None
    workflowId: str | None = None


class History(BaseModel):
    identifier: str
    entries: list[HistoryEntry]


class BatchOperation(_Open):
    """One write, as it would be sent alone."""

    id: str | None = Field(None, description="Its Idempotency-Key (FocalPoint sends the outbox entry id).")
    method: str = Field(description="PUT or DELETE of a draft; POST, PUT or DELETE of a workflow.")
    path: str = Field(description="e.g. /api/v2013/documents/{uid}/versions/draft?schema=…")
    headers: dict[str, Any] | None = Field(None, description="If-Match, If-None-Match, X-FocalPoint-Author …")
    body: Any = None


class BatchRequest(BaseModel):
    operations: list[BatchOperation]


class BatchResult(_Open):
    id: Any = Field(None, description="The operation's id, as sent.")
    status: int = Field(description="The status the operation alone would have answered.")
    body: Any = Field(description="Its answer, or its error envelope.")


class BatchReply(BaseModel):
    results: list[BatchResult]


# ---------------------------------------------------------------------- thesaurus


class ThesaurusDomain(_Open):
    identifier: str
    name: str
    title: dict[str, str]


class Term(_Open):
    identifier: str
    name: str | None = None
    title: dict[str, Any] | None = None
    broaderTerms: list[Any] | None = None
    narrowerTerms: list[Any] | None = None


# ---------------------------------------------------------------------- Bio-Bridge


class BbiId(BaseModel):
    id: str


class BbiRequest(_Open):
    """A Bio-Bridge request: open-ended JSON with its ``_id`` and ``meta`` once stored."""


# ---------------------------------------------------------------------- the document


#: models that describe request bodies (routes read them with ``json_body``, not through Pydantic)
REQUEST_MODELS: list[type[BaseModel]] = [SignIn, Document, WorkflowRequest, Decision, BatchRequest, BbiRequest]


def body(model: type[BaseModel], *, required: bool = True, merge_patch: bool = False) -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON request body of ``model`` (read by ``json_body``);
    ``merge_patch``: it may also be a JSON Merge Patch of it (the ``merge-patch`` extension)."""
    assert model in REQUEST_MODELS, model
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
    if merge_patch:
        content["application/merge-patch+json"] = {"schema": {
            "type": "object", "description": "Changes to the document at the If-Match revision (RFC 7396)."}}
    return {"requestBody": {"required": required, "content": content}}


def install_openapi(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document: request-body schemas, the ``Ticket`` sign-in scheme on
    signed-in routes, and no FastAPI-made 422 on routes that never answer it (the hub answers a
    parameter it cannot read with 400 and the error envelope)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = doc.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        _, defs = models_json_schema([(m, "validation") for m in REQUEST_MODELS], ref_template=REF)
        for name, schema in defs.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        components["securitySchemes"] = {"Ticket": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "Authorization: Ticket <authenticationToken of POST /api/v2013/authentication/token>"}}
        for path_item in doc.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                made = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
                if made.get("$ref", "").endswith("/HTTPValidationError"):
                    del responses["422"]
                if "401" in responses:
                    operation["security"] = [{"Ticket": []}]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
