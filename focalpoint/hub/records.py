"""Drafts and published records: reading, saving and discarding, with their rules.

Write functions take a :class:`~focalpoint.hub.context.WriteContext` (one
transaction, serialised with every other write) and return a
:class:`~focalpoint.hub.context.Reply`; refusals raise
:class:`~focalpoint.hub.errors.HubError`. Each accepted write bumps the record's
change ``seq`` and adds an audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal, normalize_government
from focalpoint.hub.context import Reply, WriteContext
from focalpoint.hub.errors import HubError, not_found
from focalpoint.hub.info import (
    current_info,
    current_revision,
    draft_info,
    published_info,
    users_of_records,
    without_body,
    working_document,
)
from focalpoint.hub.models import AuditAction, AuditEntry, Record
from focalpoint.hub.permissions import can_see_draft, check_write
from focalpoint.hub.validation import check_schema, is_national_schema, raise_if_errors, structural_errors
from focalpoint.models import ChmWorkflowState

_UID_RE = re.compile(r"^[A-Za-z0-9_-]{11,128}$")  # as focalpoint.forms.validation.IDENTIFIER_RE


def check_uid(uid: str) -> str:
    if not _UID_RE.match(uid or ""):
        raise HubError(400, "Error.InvalidIdentifier",
                       "A record identifier is 11 to 128 letters, digits, '_' or '-'.")
    return uid


def audit(ctx: WriteContext, identifier: str, action: AuditAction, revision: int | None,
          workflow_id: str | None = None, detail: str = "") -> None:
    """Add the audit entry of a write to its transaction."""
    ctx.session.add(AuditEntry(identifier=identifier, action=action, revision=revision,
                               user_id=ctx.principal.id, at=ctx.now, workflow_id=workflow_id,
                               detail=detail))


def conflict(session: Session, record: Record | None, message: str, code: str = "Error.Conflict") -> HubError:
    """409 with the current copy of the record (None when there is none)."""
    current = None
    if record is not None:
        current = current_info(record, users_of_records(session, [record]))
    return HubError(409, code, message, current=current, currentRevision=current_revision(record))


def parse_if_match(value: str | None) -> int | None:
    """The revision named by an ``If-Match`` header (``3``, ``"3"`` or ``W/"3"``)."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError:
        raise HubError(400, "Error.InvalidPrecondition",
                       "If-Match must name a revision number, such as If-Match: \"3\".") from None


def check_preconditions(session: Session, record: Record | None, if_match: str | None,
                        if_none_match: str | None) -> None:
    current = current_revision(record)
    exists = record is not None and not record.deleted
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise HubError(400, "Error.InvalidPrecondition", "Only If-None-Match: * is supported.")
        if exists:
            raise conflict(session, record, "The record already exists; it was not overwritten.")
    expected = parse_if_match(if_match)
    if expected is not None and expected != current:
        if record is None:
            raise conflict(session, None, "The record does not exist on the hub.")
        raise conflict(session, record,
                       f"The record changed on the hub (now revision {current}, not {expected}).")


def _document_government(document: dict[str, Any]) -> str | None:
    gov = document.get("government")
    if gov is None:
        return None
    if not isinstance(gov, dict) or not isinstance(gov.get("identifier"), str) or not gov["identifier"].strip():
        raise HubError(422, "Error.Validation", "The government must be a term such as {\"identifier\": \"ws\"}.",
                       errors=[{"code": "Error.InvalidType", "property": "government"}])
    return normalize_government(gov["identifier"])


def check_document(uid: str, schema_param: str | None, document: Any) -> tuple[str, str | None]:
    """Check a document's shape; returns its schema and government (None: reference record)."""
    if not isinstance(document, dict):
        raise HubError(400, "Error.InvalidDocument", "The body must be a JSON object (a CHM document).")
    header = document.get("header")
    if not isinstance(header, dict):
        raise HubError(400, "Error.InvalidDocument", "The document has no header object.")
    if header.get("identifier") != uid:
        raise HubError(400, "Error.InvalidIdentifier",
                       "header.identifier must equal the identifier in the URL.")
    schema = header.get("schema")
    if schema_param and schema and schema_param != schema:
        raise HubError(400, "Error.UnknownSchema",
                       f"The schema parameter '{schema_param}' differs from header.schema '{schema}'.")
    schema = check_schema(schema or schema_param)
    national = is_national_schema(schema, document)
    if not national:  # a reference record may name a country in "government"; it stays unowned
        return schema, None
    government = _document_government(document)
    if government is None:
        raise HubError(422, "Error.Validation", "A national record needs a government.",
                       errors=[{"code": "Error.Mandatory", "property": "government"}])
    return schema, government


def reference_checker(session: Session) -> Callable[[str], bool]:
    """``reference_exists`` for validation: the identifier (``UID`` of ``UID@rev``) is a live record."""
    def exists(identifier: str) -> bool:
        record = session.get(Record, identifier.split("@", 1)[0])
        return record is not None and not record.deleted
    return exists


def get_record(session: Session, uid: str, *, for_update: bool = False) -> Record | None:
    return session.get(Record, uid, with_for_update=for_update or None)


def _reply_info(session: Session, record: Record, *, draft: bool, status: int = 200) -> Reply:
    """The version's info as the CHM answers it (no ``body``)."""
    users = users_of_records(session, [record])
    info = draft_info(record, users) if draft else published_info(record, users)
    if draft:
        info.update(working_document(record))
    return Reply(status, without_body(info), etag=info["revision"])


# ------------------------------------------------------------------ reads


def _visible_draft(session: Session, p: Principal, uid: str) -> Record:
    record = get_record(session, check_uid(uid))
    if record is None or record.deleted or record.draft_body is None:
        raise not_found("The draft")
    if not can_see_draft(p, record.government, record.created_by):
        raise not_found("The draft")  # the same answer as for an identifier nobody used: no oracle
    return record


def _visible_published(session: Session, p: Principal, uid: str) -> Record:
    """A published record, for any signed-in person: as on the CHM, what is published is public
    (a draft, and the listings and the change feed, stay with its government)."""
    record = get_record(session, check_uid(uid))
    if record is None or record.deleted or record.published_body is None:
        raise not_found("The published record")
    return record


def read_draft(session: Session, p: Principal, uid: str) -> Reply:
    """``GET .../versions/draft``: the raw draft document (as the CHM answers)."""
    record = _visible_draft(session, p, uid)
    return Reply(200, record.draft_body, etag=record.draft_revision)


def read_draft_info(session: Session, p: Principal, uid: str) -> Reply:
    """``GET .../versions/draft/info``: the draft's info, without the document."""
    return _reply_info(session, _visible_draft(session, p, uid), draft=True)


def read_published(session: Session, p: Principal, uid: str) -> Reply:
    """``GET /documents/{uid}``: the raw published document."""
    record = _visible_published(session, p, uid)
    return Reply(200, record.published_body, etag=record.published_revision)


def read_published_info(session: Session, p: Principal, uid: str) -> Reply:
    """``GET /documents/{uid}/info``: the published version's info, without the document."""
    return _reply_info(session, _visible_published(session, p, uid), draft=False)


# ------------------------------------------------------------------ writes


REVIEW_HEADER = "X-FocalPoint-Review"


def save_draft(ctx: WriteContext, uid: str, schema_param: str | None, document: Any,
               if_match: str | None = None, if_none_match: str | None = None,
               review_of: str | None = None) -> Reply:
    """Create or replace the draft of ``uid`` (PUT .../versions/draft).

    A draft under review (locked) takes only its reviewer's correction, and only when the write
    says it is one: ``review_of`` (the ``X-FocalPoint-Review`` header, or the lock route) names the
    request under review. Any other save is refused with 423, as the CHM refuses a locked draft,
    so an edit made before the request arrived can never change the version being reviewed."""
    p, session = ctx.principal, ctx.session
    check_uid(uid)
    schema, government = check_document(uid, schema_param, document)
    record = get_record(session, uid, for_update=True)
    live = record if record is not None and not record.deleted else None
    if live is not None:
        check_write(p, live.government, live.created_by)
    check_write(p, government, live.created_by if live is not None else None)
    check_preconditions(session, record, if_match, if_none_match)
    reviewer_edit = False
    if live is not None and live.lock_workflow_id:
        # the CHM lets the publishing authority reviewing the request edit, then approve
        if review_of != live.lock_workflow_id or not _may_edit_under_review(session, p, live):
            raise HubError(423, "Error.Locked", "The draft is locked while its publication request is "
                           "under review; cancel the request to edit it.", workflowId=live.lock_workflow_id)
        reviewer_edit = True
    raise_if_errors(structural_errors(document), "The document does not have the form's structure.")

    created = record is None
    if record is None:
        record = Record(identifier=uid, revision=0, created_on=ctx.now, created_by=p.id)
        session.add(record)
    elif record.deleted:  # a new life for a deleted identifier
        record.deleted = False
        record.created_on, record.created_by = ctx.now, p.id
    record.schema = schema
    record.realm = ctx.realm
    record.government = government
    record.revision += 1
    record.seq = ctx.seq
    record.draft_body = document
    record.draft_revision = record.revision
    record.draft_updated_on = ctx.now
    record.draft_updated_by = p.id
    record.updated_on, record.updated_by = ctx.now, p.id
    session.flush()
    audit(ctx, uid, AuditAction.DRAFT_CREATED if created
          else (AuditAction.DRAFT_EDITED_IN_REVIEW if reviewer_edit else AuditAction.DRAFT_SAVED),
          record.revision)
    return _reply_info(session, record, draft=True)


def _may_edit_under_review(session: Session, p: Principal, record: Record) -> bool:
    """The person who may decide the running request (and did not make it) may edit the draft."""
    from focalpoint.hub.models import Workflow
    from focalpoint.hub.permissions import may_review

    workflow = session.get(Workflow, record.lock_workflow_id)
    return (workflow is not None and workflow.state == ChmWorkflowState.RUNNING and workflow.created_by != p.id
            and may_review(p, workflow.government))


def delete_draft(ctx: WriteContext, uid: str, if_match: str | None = None) -> Reply:
    """Discard the draft (DELETE .../versions/draft); a never-published record becomes a tombstone."""
    p, session = ctx.principal, ctx.session
    record = get_record(session, check_uid(uid), for_update=True)
    if record is None or record.deleted or record.draft_body is None \
            or not can_see_draft(p, record.government, record.created_by):
        raise not_found("The draft")
    check_write(p, record.government, record.created_by)
    check_preconditions(session, record, if_match, None)
    if record.lock_workflow_id:
        raise HubError(423, "Error.Locked", "The draft is locked while its publication request is "
                       "under review; cancel the request first.", workflowId=record.lock_workflow_id)
    discarded = record.draft_revision
    record.draft_body = None
    record.draft_revision = None
    record.draft_updated_on = None
    record.draft_updated_by = None
    record.seq = ctx.seq
    record.updated_on, record.updated_by = ctx.now, p.id
    if record.published_body is None:
        record.revision += 1
        record.deleted = True
    session.flush()
    audit(ctx, uid, AuditAction.DRAFT_DELETED, discarded)
    info = current_info(record, users_of_records(session, [record]))
    return Reply(200, {"identifier": uid, "deleted": record.deleted, "current": info},
                 etag=current_revision(record))


def publish_draft(ctx: WriteContext, record: Record, workflow_id: str) -> None:
    """Make the draft the published version, as a new revision (called by an approval)."""
    record.revision += 1
    record.published_body = record.draft_body
    record.published_revision = record.revision
    record.published_on = ctx.now
    record.published_by = ctx.principal.id
    record.draft_body = None
    record.draft_revision = None
    record.draft_updated_on = None
    record.draft_updated_by = None
    record.lock_workflow_id = None
    record.seq = ctx.seq
    record.updated_on, record.updated_by = ctx.now, ctx.principal.id
    audit(ctx, record.identifier, AuditAction.PUBLISHED, record.revision, workflow_id)


def delete_record(ctx: WriteContext, record: Record, workflow_id: str) -> None:
    """Delete the record (called by an approved deleteRecord workflow); a tombstone stays."""
    record.revision += 1
    record.deleted = True
    record.draft_body = record.published_body = None
    record.draft_revision = record.published_revision = None
    record.draft_updated_on = record.published_on = None
    record.draft_updated_by = record.published_by = None
    record.lock_workflow_id = None
    record.seq = ctx.seq
    record.updated_on, record.updated_by = ctx.now, ctx.principal.id
    audit(ctx, record.identifier, AuditAction.DELETED, record.revision, workflow_id)
