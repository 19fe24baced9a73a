"""Publication and deletion workflows: request, approve, reject, cancel.

Opening a workflow locks the record's draft; an approval publishes exactly the
revision under review (or deletes the record), a rejection keeps the draft,
unlocked, with the reason on the workflow; a cancellation only unlocks.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Reply, WriteContext, iso
from focalpoint.hub.errors import HubError, bad_request, not_found
from focalpoint.hub.info import ACTIVITY, current_revision, users_of_workflows, workflow_json
from focalpoint.hub.models import AuditAction, Record, Workflow
from focalpoint.hub.permissions import check_cancel, check_review, check_write, may_know_of
from focalpoint.hub.records import (
    audit,
    check_uid,
    conflict,
    delete_record,
    get_record,
    publish_draft,
    reference_checker,
)
from focalpoint.hub.validation import raise_if_errors, validation_errors
from focalpoint.models import ChmWorkflowState, WorkflowAction, WorkflowType

ACTIVITY_NAMES = (ACTIVITY, "deleteRecord")  # a deletion request's activity is also taken under that name


def _reply(session: Session, wf: Workflow, status: int = 200) -> Reply:
    return Reply(status, workflow_json(wf, users_of_workflows(session, [wf])))


def _title(body: dict[str, Any] | None) -> Any:
    if not isinstance(body, dict):
        return None
    title = body.get("title") or body.get("name")
    return title if isinstance(title, (dict, str)) else None


def _locked(record: Record) -> HubError:
    return HubError(423, "Error.Locked", "A request on this record is already under review.",
                    workflowId=record.lock_workflow_id)


def create_workflow(ctx: WriteContext, payload: Any) -> Reply:
    """POST /workflows: open a publication or deletion request and lock the draft."""
    p, session = ctx.principal, ctx.session
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise bad_request("Error.InvalidRequest", "The body must be {\"type\": …, \"data\": {\"identifier\": …}}.")
    wf_type = payload.get("type")
    if wf_type not in tuple(WorkflowType):
        raise bad_request("Error.InvalidWorkflowType",
                          f"The workflow type must be one of {', '.join(WorkflowType)}.")
    deletion = wf_type == WorkflowType.DELETE_RECORD
    data = payload["data"]
    uid = data.get("identifier")
    if not isinstance(uid, str):
        raise bad_request("Error.InvalidRequest", "data.identifier must be a record identifier.")
    # data.revision is FocalPoint's precondition (the revision the author asks to publish); real
    # clients send {realm, documentID, identifier, title, abstract, metadata, additionalInfo}
    revision = None if ctx.hub.plain_chm else data.get("revision")
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise bad_request("Error.InvalidRequest", "data.revision must be a whole number.")
    record = get_record(session, check_uid(uid), for_update=True)
    if record is None or record.deleted \
            or not may_know_of(p, record.government, record.created_by, record.published_body is not None):
        raise not_found("The record")  # another government's draft: as for an unknown identifier
    check_write(p, record.government, record.created_by)

    if deletion:
        if record.published_body is None:
            raise HubError(409, "Error.NotPublished", "Only a published record can be deleted through a "
                           "request; discard the draft instead.")
        body = record.published_body
    else:
        national = record.government is not None
        expected = WorkflowType.PUBLISH_NATIONAL if national else WorkflowType.PUBLISH_REFERENCE
        if wf_type != expected:
            raise bad_request("Error.InvalidWorkflowType",
                              f"This record is published with a '{expected}' workflow.")
        if record.draft_body is None:
            raise HubError(409, "Error.NoDraft", "The record has no draft to publish.")
        body = record.draft_body
    # a deletion is reviewed on the published version, even when a newer draft exists (it goes too)
    current = record.published_revision if deletion else current_revision(record)
    if revision is not None and revision != current:
        raise conflict(session, record, f"The record is at revision {current}, not {revision}.",
                       code="Error.StaleRevision")
    if record.lock_workflow_id:
        raise _locked(record)
    if not deletion:
        raise_if_errors(validation_errors(body, reference_checker(session)),
                        "The record cannot be published until its errors are corrected.")

    wf = Workflow(id=uuid.uuid4().hex, type=wf_type, state=ChmWorkflowState.RUNNING, identifier=uid,
                  revision=current, government=record.government, schema=record.schema, title=_title(body),
                  created_by=p.id, created_on=ctx.now, activity_state=ChmWorkflowState.RUNNING)
    session.add(wf)
    record.lock_workflow_id = wf.id
    record.seq = ctx.seq
    session.flush()
    audit(ctx, uid, AuditAction.DELETION_REQUESTED if deletion else AuditAction.PUBLICATION_REQUESTED, current, wf.id)
    return _reply(session, wf, 201)


def _running(session: Session, p: Principal, workflow_id: str) -> tuple[Workflow, Record | None]:
    """The running workflow ``p`` may see and its record, both locked for the update."""
    wf = session.get(Workflow, workflow_id, with_for_update=True)
    if wf is None or not workflow_visible(p, wf):
        raise not_found("The workflow")  # another's request: as for an unknown one (GET answers the same)
    record = get_record(session, wf.identifier, for_update=True)
    if wf.state != ChmWorkflowState.RUNNING:
        raise HubError(409, "Error.WorkflowClosed", f"This request is already {wf.state}.", state=wf.state)
    return wf, record


def _release(record: Record | None, wf: Workflow, seq: int) -> None:
    if record is not None and record.lock_workflow_id == wf.id:
        record.lock_workflow_id = None
    if record is not None:
        record.seq = seq


def _close(ctx: WriteContext, wf: Workflow, state: ChmWorkflowState, result: dict[str, Any]) -> Reply:
    wf.state = state
    wf.activity_state = state
    wf.closed_on = ctx.now
    wf.result = result
    ctx.session.flush()
    return _reply(ctx.session, wf)


def act(ctx: WriteContext, workflow_id: str, activity: str, payload: Any) -> Reply:
    """PUT /workflows/{id}/activities/{activity}: approve, or reject with a reason."""
    p, session = ctx.principal, ctx.session
    if activity not in ACTIVITY_NAMES:
        raise not_found("The activity")
    if not isinstance(payload, dict) or payload.get("action") not in (WorkflowAction.APPROVE, WorkflowAction.REJECT):
        raise bad_request("Error.InvalidAction", "The action must be \"approve\" or \"reject\".")
    wf, record = _running(session, p, workflow_id)
    check_review(p, wf.government, wf.created_by)
    action = WorkflowAction(payload["action"])
    result: dict[str, Any] = {"action": action, "by": p.id, "on": iso(ctx.now)}
    if action == WorkflowAction.REJECT:
        reason = payload.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise HubError(422, "Error.ReasonRequired", "A rejection needs a reason for the author.")
        result["reason"] = reason.strip()
        _release(record, wf, ctx.seq)
        audit(ctx, wf.identifier, AuditAction.REJECTED, wf.revision, wf.id, reason.strip())
    else:
        if record is None or record.deleted:
            raise not_found("The record")
        reviewed_version = record.published_revision if wf.type == WorkflowType.DELETE_RECORD else record.draft_revision
        # {"action": "approve"} (real clients) approves the locked version; FocalPoint's extension
        # names the revision the reviewer saw (sync invariant 6), ignored on a --plain-chm hub
        revision = payload.get("revision") if not ctx.hub.plain_chm else None
        if revision is None:
            revision = reviewed_version
        if not isinstance(revision, int) or isinstance(revision, bool):
            raise bad_request("Error.InvalidRequest", "revision must be a whole number.")
        # The approval names exactly the version it publishes. A locked draft moves on only when the
        # reviewing authority corrected it (edit, then approve); then that corrected version is named.
        if revision != reviewed_version or reviewed_version is None or reviewed_version < wf.revision:
            raise conflict(session, record, f"The request is for revision {wf.revision}; the approval named "
                           f"{revision} and the record is at {current_revision(record)}.",
                           code="Error.StaleRevision")
        result["revision"] = revision
        audit(ctx, wf.identifier, AuditAction.APPROVED, revision, wf.id)
        if wf.type == WorkflowType.DELETE_RECORD:
            delete_record(ctx, record, wf.id)
        else:
            raise_if_errors(validation_errors(record.draft_body or {}, reference_checker(session)),
                            "The record cannot be published until its errors are corrected.")
            publish_draft(ctx, record, wf.id)
            result["publishedRevision"] = record.published_revision
    return _close(ctx, wf, ChmWorkflowState.COMPLETED, result)


def cancel(ctx: WriteContext, workflow_id: str) -> Reply:
    """DELETE /workflows/{id}?action=cancel: withdraw a request; the draft is unlocked."""
    p = ctx.principal
    wf, record = _running(ctx.session, p, workflow_id)
    check_cancel(p, wf.government, wf.created_by)
    _release(record, wf, ctx.seq)
    audit(ctx, wf.identifier, AuditAction.CANCELLED, wf.revision, wf.id)
    return _close(ctx, wf, ChmWorkflowState.CANCELLED,
                  {"action": WorkflowAction.CANCEL, "by": p.id, "on": iso(ctx.now)})


# ------------------------------------------------------------------ reads


def workflow_visible(p: Principal, wf: Workflow) -> bool:
    if p.is_secretariat:
        return True
    if wf.government is not None:
        return wf.government == p.government
    return wf.created_by == p.id


def visibility_clause(p: Principal) -> ColumnElement[bool]:
    """A SQL condition selecting the workflows ``p`` may see."""
    if p.is_secretariat:
        return true()
    return or_(Workflow.government == p.government,
               and_(Workflow.government.is_(None), Workflow.created_by == p.id))


def read_workflow(session: Session, p: Principal, workflow_id: str) -> Reply:
    wf = session.get(Workflow, workflow_id)
    if wf is None or not workflow_visible(p, wf):
        raise not_found("The workflow")
    return _reply(session, wf)


_QUERY_FIELDS = {
    "state": Workflow.state, "type": Workflow.type, "_id": Workflow.id,
    "data.identifier": Workflow.identifier, "data.government": Workflow.government,
    "data.metadata.government": Workflow.government, "data.schema": Workflow.schema,
    "data.metadata.schema": Workflow.schema, "createdBy": Workflow.created_by,
}
_IGNORED_FIELDS = ("data.realm",)  # one realm per hub


def _query_conditions(query: Any) -> list[Any]:
    """SQL conditions of a Mongo-like ``q``: equalities, ``$in`` lists and ``$and`` of those."""
    if not isinstance(query, dict):
        raise bad_request("Error.InvalidQuery", "q must be a JSON object.")
    out: list[Any] = []
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for part in value:
                out.extend(_query_conditions(part))
            continue
        if key in _IGNORED_FIELDS:
            continue
        column = _QUERY_FIELDS.get(key)
        if column is None:
            raise bad_request("Error.InvalidQuery", f"Cannot filter workflows on '{key}'; use one of "
                              f"{', '.join(_QUERY_FIELDS)}.")
        if isinstance(value, dict) and set(value) == {"$in"} and isinstance(value["$in"], list):
            out.append(column.in_(value["$in"]))
        elif isinstance(value, (str, int)) or value is None:
            out.append(column.is_(None) if value is None else column == value)
        else:
            raise bad_request("Error.InvalidQuery", f"Unsupported condition on '{key}'.")
    return out


def list_workflows(session: Session, p: Principal, q: str | None, top: int, skip: int) -> Reply:
    """GET /workflows?q=: a Mongo-like filter (equalities, ``$in``, ``$and``), newest first."""
    stmt = select(Workflow).where(visibility_clause(p))
    if q:
        try:
            query = json.loads(q)
        except ValueError:
            raise bad_request("Error.InvalidQuery", "q must be a JSON object.") from None
        stmt = stmt.where(*_query_conditions(query))
    stmt = stmt.order_by(Workflow.created_on.desc(), Workflow.id).offset(skip).limit(top)
    rows = list(session.scalars(stmt))
    users = users_of_workflows(session, rows)
    return Reply(200, [workflow_json(w, users) for w in rows])


def workflows_of(session: Session, identifiers: list[str]) -> dict[str, list[Workflow]]:
    """Per record: its running workflows and its most recent closed one (for the change feed)."""
    if not identifiers:
        return {}
    out: dict[str, list[Workflow]] = {}
    rows = session.scalars(select(Workflow).where(Workflow.identifier.in_(identifiers))
                           .order_by(Workflow.created_on.desc(), Workflow.id))
    closed_seen: set[str] = set()
    for wf in rows:
        if wf.state != ChmWorkflowState.RUNNING:
            if wf.identifier in closed_seen:
                continue
            closed_seen.add(wf.identifier)
        out.setdefault(wf.identifier, []).append(wf)
    return out
