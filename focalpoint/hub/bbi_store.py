"""The Bio-Bridge request store: ``bbiRequest`` documents kept as the CHM keeps them, outside km-documents.

On the real CHM, Bio-Bridge Initiative requests for technical and scientific
cooperation live in a MongoDB-backed store (``/api/v2016/bbi-requests``, see
``docs/chm-compatibility.md, part 5``), not in the documents API: each stored document is
the request's own fields plus ``_id`` (a Mongo ObjectId) and ``meta``
(``createdBy``, ``createdOn``, ``modifiedBy``, ``modifiedOn``, ``status`` —
``draft``, ``workflow`` or ``public`` — ``clientOrg``, ``languages``, ``baseUrl``).

Here one row holds one stored document: the fields (``body``, JSON), the meta
the client owns (``meta_extra``) and the meta the server owns (columns). Queries
are equality on dotted paths (``{"meta.createdBy": 7, "meta.status": "draft"}``);
the indexed ones are answered in SQL, the rest by reading the matching rows, so
any JSON database (SQLite, PostgreSQL) works alike. A removed request keeps its
row with ``status = "deleted"`` and is left out of listings unless asked for.

Functions take a session of the caller's thread (a request's worker thread).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import time
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from focalpoint.hub.accounts import SECRETARIAT, Principal
from focalpoint.hub.context import iso
from focalpoint.hub.errors import HubError, forbidden
from focalpoint.hub.models import HubBase, JsonType


class BbiStatus(StrEnum):
    """A Bio-Bridge request's ``meta.status`` (chm.cbd.int's names), stored as its value."""

    DRAFT = "draft"
    WORKFLOW = "workflow"
    PUBLIC = "public"
    DELETED = "deleted"  # removed: left out of listings unless asked for


#: the statuses a client may set (removal is its own request)
STATUSES = (BbiStatus.DRAFT, BbiStatus.WORKFLOW, BbiStatus.PUBLIC)
#: roles that may edit anyone's request (chm.cbd.int form-loader.js ``canEditBbiRequest``), plus the hub's own
ADMIN_ROLES = frozenset({"Administrator", "ChmAdministrator", "BBiAdministrator", "BbiAdministrator",
                         "ChmDocumentValidationTeamMember", SECRETARIAT})
#: meta fields a client may set; every other meta field belongs to the server
CLIENT_META = ("status", "clientOrg", "languages", "baseUrl")
SORTABLE = {"meta.modifiedOn": "modified_on", "meta.createdOn": "created_on"}
MAX_LIMIT = 1000


class BbiRequestRow(HubBase):
    """One stored Bio-Bridge request."""

    __tablename__ = "hub_bbi_request"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)  # a Mongo ObjectId, 24 hex digits
    identifier: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)  # header.identifier
    status: Mapped[str] = mapped_column(String(20), index=True)  # a BbiStatus
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    meta_extra: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"), index=True)
    created_on: Mapped[dt.datetime] = mapped_column(DateTime)
    modified_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))
    modified_on: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


def new_object_id() -> str:
    """A new id in MongoDB's ObjectId form: 4 bytes of Unix time, 8 random bytes, as hex."""
    return int(time.time()).to_bytes(4, "big").hex() + os.urandom(8).hex()


# ------------------------------------------------------------------ shapes


def stored_document(row: BbiRequestRow) -> dict[str, Any]:
    """The document as the store answers it: fields, ``_id`` and ``meta``."""
    meta = {k: v for k, v in (row.meta_extra or {}).items() if k in CLIENT_META}
    meta.update({"status": row.status, "createdBy": row.created_by, "createdOn": iso(row.created_on),
                 "modifiedBy": row.modified_by, "modifiedOn": iso(row.modified_on)})
    return {**copy.deepcopy(row.body), "_id": row.id, "meta": meta}


def _split(payload: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields, client meta) of a POST/PATCH body; a top-level ``null`` removes that field."""
    if not isinstance(payload, dict):
        raise HubError(400, "Error.InvalidDocument", "The body must be a JSON object (a Bio-Bridge request).")
    meta = payload.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise HubError(400, "Error.InvalidDocument", "meta must be a JSON object.")
    fields = {k: v for k, v in payload.items() if k not in ("_id", "meta", "history", "id") and v is not None}
    client_meta = {k: v for k, v in (meta or {}).items() if k in CLIENT_META}
    status = client_meta.get("status")
    if status is not None and status not in STATUSES:
        raise HubError(400, "Error.InvalidValue", f"meta.status must be one of {', '.join(STATUSES)}.",
                       property="meta.status")
    return fields, client_meta


def _identifier_of(fields: dict[str, Any]) -> str | None:
    header = fields.get("header")
    value = header.get("identifier") if isinstance(header, dict) else None
    return value[:200] if isinstance(value, str) and value else None


# ------------------------------------------------------------------ permissions


def _roles(p: Principal) -> set[str]:
    roles = {p.role}
    roles.update(getattr(p, "roles", ()) or ())
    return roles


def is_admin(p: Principal) -> bool:
    return bool(_roles(p) & ADMIN_ROLES)


def may_edit(p: Principal, row: BbiRequestRow) -> bool:
    """The creator, or an administrator of Bio-Bridge requests."""
    return row.created_by == p.id or is_admin(p)


def may_see(p: Principal, row: BbiRequestRow) -> bool:
    return row.status == BbiStatus.PUBLIC or may_edit(p, row)


def _get(session: Session, p: Principal, request_id: str) -> BbiRequestRow:
    row = session.get(BbiRequestRow, request_id)
    if row is None or row.status == BbiStatus.DELETED or not may_see(p, row):
        raise HubError(404, "Error.NotFound", "The Bio-Bridge request does not exist.")
    return row


# ------------------------------------------------------------------ writes


def create(session: Session, p: Principal, payload: Any, now: dt.datetime) -> dict[str, Any]:
    """POST: store a new request; answers ``{"id": …}``."""
    fields, client_meta = _split(payload)
    status = client_meta.pop("status", None) or BbiStatus.DRAFT
    if status == BbiStatus.PUBLIC and not is_admin(p):
        raise forbidden("Only a Bio-Bridge administrator may publish a request.")
    row = BbiRequestRow(id=new_object_id(), identifier=_identifier_of(fields), status=status, body=fields,
                        meta_extra=client_meta, created_by=p.id, created_on=now, modified_by=p.id,
                        modified_on=now)
    session.add(row)
    session.flush()
    return {"id": row.id}


def update(session: Session, p: Principal, request_id: str, payload: Any, now: dt.datetime) -> dict[str, Any]:
    """PATCH (and PUT): the body's fields replace the stored ones; its client meta is merged."""
    row = _get(session, p, request_id)
    if not may_edit(p, row):
        raise forbidden("Only the person who made this Bio-Bridge request, or a Bio-Bridge administrator, "
                        "may change it.")
    if isinstance(payload, dict) and payload.get("_id") not in (None, request_id):
        raise HubError(400, "Error.InvalidRequest", "The body's _id is not the one in the address.")
    fields, client_meta = _split(payload)
    status = client_meta.pop("status", None)
    if status == BbiStatus.PUBLIC and row.status != BbiStatus.PUBLIC and not is_admin(p):
        raise forbidden("Only a Bio-Bridge administrator may publish a request.")
    if set(payload) - {"_id", "meta", "history", "id"}:  # a body of meta alone changes only the meta
        row.body = fields
        row.identifier = _identifier_of(fields)
    row.meta_extra = {**(row.meta_extra or {}), **client_meta}
    if status is not None:
        row.status = status
    row.modified_by, row.modified_on = p.id, now
    return {"id": row.id}


def remove(session: Session, p: Principal, request_id: str, now: dt.datetime) -> dict[str, Any]:
    """DELETE: the request leaves every listing (its row stays, marked deleted)."""
    row = _get(session, p, request_id)
    if not may_edit(p, row):
        raise forbidden("Only the person who made this Bio-Bridge request, or a Bio-Bridge administrator, "
                        "may remove it.")
    row.status = BbiStatus.DELETED
    row.modified_by, row.modified_on = p.id, now
    return {"id": row.id}


# ------------------------------------------------------------------ reads


def _json_param(raw: str | None, name: str) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise HubError(400, "Error.InvalidQuery", f"The parameter {name} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise HubError(400, "Error.InvalidQuery", f"The parameter {name} must be a JSON object.")
    return value


def _path(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


_MISSING = object()


def project(doc: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Mongo-style projection on top-level names: ``{"history": 0}`` leaves out, ``{"title": 1}`` keeps only."""
    if not fields:
        return doc
    keep = {k.split(".")[0] for k, v in fields.items() if v in (1, True)}
    drop = {k.split(".")[0] for k, v in fields.items() if v in (0, False)}
    if keep:
        return {k: v for k, v in doc.items() if k in keep or k == "_id"}
    return {k: v for k, v in doc.items() if k not in drop}


def read_one(session: Session, p: Principal, request_id: str, f: str | None) -> dict[str, Any]:
    """GET /{_id}: the stored document, projected by ``f``."""
    return project(stored_document(_get(session, p, request_id)), _json_param(f, "f"))


def list_requests(session: Session, p: Principal, q: str | None, sk: int, limit: int, s: str | None,
                  f: str | None) -> list[dict[str, Any]]:
    """GET: the requests the caller may see matching ``q`` (equality on dotted paths), sorted by ``s``."""
    query = _json_param(q, "q")
    for key, value in query.items():
        if isinstance(value, (dict, list)):
            raise HubError(400, "Error.InvalidQuery", f"Only equality is supported in q (at {key}).")
    sort = _json_param(s, "s") or {"meta.modifiedOn": -1}
    if len(sort) != 1 or next(iter(sort)) not in SORTABLE or next(iter(sort.values())) not in (1, -1):
        raise HubError(400, "Error.InvalidQuery",
                       "s sorts on one of meta.modifiedOn, meta.createdOn, with 1 or -1.")
    (sort_key, direction), = sort.items()
    projection = _json_param(f, "f")
    stmt = select(BbiRequestRow)
    column_filters = {"_id": BbiRequestRow.id, "meta.createdBy": BbiRequestRow.created_by,
                      "meta.status": BbiRequestRow.status, "header.identifier": BbiRequestRow.identifier}
    for key, column in column_filters.items():
        if key in query:
            value = query[key]
            kind = int if key == "meta.createdBy" else str
            if not isinstance(value, kind) or isinstance(value, bool):
                return []  # e.g. a user id given as text: no row has it (and PostgreSQL would refuse the cast)
            stmt = stmt.where(column == value)
    if query.get("meta.status") != BbiStatus.DELETED:
        stmt = stmt.where(BbiRequestRow.status != BbiStatus.DELETED)
    if not is_admin(p):
        stmt = stmt.where((BbiRequestRow.created_by == p.id) | (BbiRequestRow.status == BbiStatus.PUBLIC))
    column = getattr(BbiRequestRow, SORTABLE[sort_key])
    stmt = stmt.order_by(column.asc() if direction == 1 else column.desc(),
                         BbiRequestRow.id.asc() if direction == 1 else BbiRequestRow.id.desc())
    rest = {k: v for k, v in query.items() if k not in column_filters}
    out: list[dict[str, Any]] = []
    skipped = 0
    for row in session.scalars(stmt):
        doc = stored_document(row)
        if any(_path(doc, k) != v for k, v in rest.items()):
            continue
        if skipped < sk:
            skipped += 1
            continue
        if len(out) >= limit:
            break
        out.append(project(doc, projection))
    return out
