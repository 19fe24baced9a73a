"""Draft locks (``/documents/{uid}/versions/draft/locks[/{lockID}]``), as on the real CHM.

Opening a publication or deletion request locks the record's draft (its
``lockID`` is ``workflow-<workflow id>``). The publishing authority reviewing the
request edits the locked draft as real clients do (chm.cbd.int editFormUtility):
read the lock, DELETE it, PUT the draft, PUT the lock back, then approve. A PUT
of a lock with a document body saves the draft through the lock in one request.

Any worker thread may call these functions with its own session or write context.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Reply, WriteContext, iso
from focalpoint.hub.errors import HubError, forbidden, not_found
from focalpoint.hub.models import AuditAction, Record, Workflow
from focalpoint.hub.permissions import can_see_draft, may_know_of, may_review
from focalpoint.hub.records import audit, check_uid, get_record, save_draft
from focalpoint.models import ChmWorkflowState

PREFIX = "workflow-"


def lock_id(workflow_id: str) -> str:
    return PREFIX + workflow_id


def _lock_json(record: Record, wf: Workflow) -> dict[str, Any]:
    return {"lockID": lock_id(wf.id), "identifier": record.identifier, "workflowId": wf.id,
            "type": "workflow", "createdOn": iso(wf.created_on)}


def _record(session: Session, p: Principal, uid: str) -> Record:
    record = get_record(session, check_uid(uid))
    if record is None or record.deleted or record.draft_body is None and record.published_body is None:
        raise not_found("The draft")
    if not may_know_of(p, record.government, record.created_by, record.published_body is not None):
        raise not_found("The draft")  # another government's draft: as for an unknown identifier
    if not can_see_draft(p, record.government, record.created_by):
        raise forbidden("You may not see this draft.")
    return record


def list_locks(session: Session, p: Principal, uid: str) -> Reply:
    """``GET .../locks``: ``[lock]`` (empty when the draft is not locked)."""
    record = _record(session, p, uid)
    wf = session.get(Workflow, record.lock_workflow_id) if record.lock_workflow_id else None
    return Reply(200, [_lock_json(record, wf)] if wf is not None else [])


def get_lock(session: Session, p: Principal, uid: str, lock: str) -> Reply:
    record = _record(session, p, uid)
    if not record.lock_workflow_id or lock_id(record.lock_workflow_id) != lock:
        raise not_found("The lock")
    wf = session.get(Workflow, record.lock_workflow_id)
    if wf is None:
        raise not_found("The lock")
    return Reply(200, _lock_json(record, wf))


def _workflow_of(session: Session, p: Principal, record: Record, lock: str) -> Workflow:
    if not may_know_of(p, record.government, record.created_by, record.published_body is not None):
        raise not_found("The draft")  # another government's draft: as for an unknown identifier
    if not can_see_draft(p, record.government, record.created_by):
        raise not_found("The lock")  # its locks are not public: as for a lock that does not exist
    if not lock.startswith(PREFIX):
        raise not_found("The lock")
    wf = session.get(Workflow, lock[len(PREFIX):])
    if wf is None or wf.identifier != record.identifier or wf.state != ChmWorkflowState.RUNNING:
        raise not_found("The lock")
    return wf


def _check_reviewer(p: Principal, wf: Workflow) -> None:
    if not may_review(p, wf.government) or wf.created_by == p.id:
        raise forbidden("Only the publishing authority reviewing this request may change its locked draft.")


def unlock(ctx: WriteContext, uid: str, lock: str) -> Reply:
    """``DELETE .../locks/{lockID}``: the reviewer lifts the lock (the request stays open)."""
    record = get_record(ctx.session, check_uid(uid), for_update=True)
    if record is None or record.deleted:
        raise not_found("The draft")
    wf = _workflow_of(ctx.session, ctx.principal, record, lock)
    _check_reviewer(ctx.principal, wf)
    if record.lock_workflow_id == wf.id:
        record.lock_workflow_id = None
        record.seq = ctx.seq
        audit(ctx, uid, AuditAction.UNLOCKED, record.draft_revision, wf.id)
    return Reply(200, {"lockID": lock, "identifier": uid, "deleted": True})


def put_lock(ctx: WriteContext, uid: str, lock: str, document: Any, schema: str | None) -> Reply:
    """``PUT .../locks/{lockID}``: lock the draft again; with a document body, save it through the lock."""
    session, p = ctx.session, ctx.principal
    record = get_record(session, check_uid(uid), for_update=True)
    if record is None or record.deleted:
        raise not_found("The draft")
    wf = _workflow_of(session, p, record, lock)
    _check_reviewer(p, wf)
    if record.lock_workflow_id not in (None, wf.id):
        raise HubError(423, "Error.Locked", "The draft is locked by another request.",
                       workflowId=record.lock_workflow_id)
    reply = None
    if document is not None:
        record.lock_workflow_id = wf.id  # save_draft lets the reviewer through a held lock
        session.flush()
        reply = save_draft(ctx, uid, schema, document, review_of=wf.id)
    record.lock_workflow_id = wf.id
    record.seq = ctx.seq
    session.flush()
    return reply or Reply(200, _lock_json(record, wf))
