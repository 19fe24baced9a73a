"""Publication requests (workflows) as the server sends them, and the record status they imply.

* :func:`upsert_workflow` stores a workflow (one row per id) and writes a decision made elsewhere
  into the record's history;
* :func:`status_from` is the status a server copy and its workflows imply, :func:`local_status`
  what is shown here once the outbox is taken into account.

Every function works inside the caller's session (and its transaction); call from the thread that
owns the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.db import parse_time
from focalpoint.models import DELETE_RECORD, OutboxEntry, RecordStatus, Workflow, WorkflowState
from focalpoint.sync.recordstate import SAVE_LIKE, WORKFLOW_ACTIONS, audit, who

#: what this machine adds to a workflow's JSON (a queued decision, the published copy): kept by a pull
LOCAL_KEYS = ("localDecision", "publishedBody", "publishedFetched", "reviewEdited")


def workflow_state(workflow: dict[str, Any]) -> tuple[str, str | None]:
    """(running | approved | rejected | cancelled, reason) from a workflow's JSON."""
    state = workflow.get("state")
    reason = None
    result = None
    for activity in workflow.get("activities") or []:
        if isinstance(activity, dict) and isinstance(activity.get("result"), dict):
            result = activity["result"]
    if state == WorkflowState.RUNNING:
        return WorkflowState.RUNNING, None
    if state == WorkflowState.CANCELLED:
        return WorkflowState.CANCELLED, None
    if result is not None:
        reason = result.get("reason") if isinstance(result.get("reason"), str) else None
        if result.get("action") == "reject":
            return WorkflowState.REJECTED, reason
        if result.get("action") == "approve":
            return WorkflowState.APPROVED, None
    return str(state or WorkflowState.RUNNING)[:16], reason


def _audit_decision(session: Session, row: Workflow | None, workflow: dict[str, Any], data: dict[str, Any],
                    state: str, reason: str | None) -> None:
    """A request closed on the hub: the record's history here says who decided, when, on which
    revision — unless this machine made that decision itself (it has its own entry already)."""
    if state not in (WorkflowState.APPROVED, WorkflowState.REJECTED, WorkflowState.CANCELLED):
        return
    if row is not None and (row.state == state or (isinstance(row.data, dict) and row.data.get("localDecision"))):
        return
    result: dict[str, Any] = {}
    for activity in workflow.get("activities") or []:
        if isinstance(activity, dict) and isinstance(activity.get("result"), dict):
            result = activity["result"]
    revision = workflow.get("result", {}).get("revision") if isinstance(workflow.get("result"), dict) else None
    when = parse_time(result.get("on") or workflow.get("closedOn")) or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    details: dict[str, Any] = {"workflow": workflow.get("_id")}
    if reason:
        details["reason"] = reason
    audit(session, data["identifier"], state, revision=revision if isinstance(revision, int) else data.get("revision"),
          now=when, actor=who(result.get("by") or workflow.get("closedBy")), details=details, origin="server")


def upsert_workflow(session: Session, workflow: dict[str, Any]) -> Workflow:
    """Store a workflow as the server sent it (one row per workflow id, never two)."""
    data = workflow.get("data") or {}
    state, reason = workflow_state(workflow)
    row = session.get(Workflow, workflow["_id"])
    _audit_decision(session, row, workflow, data, state, reason)
    if row is None:
        row = Workflow(id=workflow["_id"], record_identifier=data["identifier"],
                       created_at=parse_time(workflow.get("createdOn")) or dt.datetime.now(dt.UTC).replace(tzinfo=None))
        session.add(row)
    row.record_identifier = data["identifier"]
    row.type = str(workflow.get("type"))[:40]
    row.state = state
    row.revision = data.get("revision") if isinstance(data.get("revision"), int) else row.revision
    # FocalPoint's data.government, or the CHM's data.metadata.government (real clients' requests)
    raw_metadata = data.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    government = data.get("government") or metadata.get("government")
    row.government = str(government).lower()[:8] if isinstance(government, str) and government else None
    row.created_by = who(workflow.get("createdBy"))
    row.reason = reason
    kept = {k: v for k, v in (row.data or {}).items() if k in LOCAL_KEYS} if isinstance(row.data, dict) else {}
    row.data = {**workflow, **kept}
    return row


def status_from(info: dict[str, Any] | None, workflows: list[dict[str, Any]], current: str | None) -> str:
    """The local status (draft, submitted, removal, published, rejected) a server copy implies."""
    if info is None:
        return current or RecordStatus.DRAFT
    revision = info.get("revision")
    latest = None
    for wf in workflows:
        if (wf.get("data") or {}).get("identifier") != info.get("identifier"):
            continue
        if latest is None or str(wf.get("createdOn") or "") >= str(latest.get("createdOn") or ""):
            latest = wf
    latest_state, latest_revision = (None, None)
    if latest is not None:
        latest_state, _reason = workflow_state(latest)
        latest_revision = (latest.get("data") or {}).get("revision")
    removal = latest is not None and latest.get("type") == DELETE_RECORD
    if info.get("workingDocumentLock") or latest_state == WorkflowState.RUNNING:
        return RecordStatus.REMOVAL if removal and latest_state == WorkflowState.RUNNING else RecordStatus.SUBMITTED
    if removal:
        # a removal that was refused or withdrawn leaves the record as it was: published, unless a
        # newer draft waits on the server (the info then describes that draft)
        if isinstance(info.get("isDraft"), bool):
            return RecordStatus.DRAFT if info["isDraft"] else RecordStatus.PUBLISHED
        return RecordStatus.PUBLISHED if current in (RecordStatus.PUBLISHED, RecordStatus.REMOVAL) \
            else RecordStatus.DRAFT
    if isinstance(info.get("isDraft"), bool):
        if not info["isDraft"]:
            return RecordStatus.PUBLISHED
        if latest_state == WorkflowState.REJECTED and latest_revision == revision:
            return RecordStatus.REJECTED
        return RecordStatus.DRAFT
    if latest_state == WorkflowState.APPROVED and latest_revision in (None, revision):
        return RecordStatus.PUBLISHED
    if latest_state == WorkflowState.REJECTED and latest_revision in (None, revision):
        return RecordStatus.REJECTED
    if latest is not None:
        return RecordStatus.DRAFT
    if current in (RecordStatus.PUBLISHED, RecordStatus.REJECTED, RecordStatus.SUBMITTED) and revision is not None:
        return RecordStatus.DRAFT
    return current or RecordStatus.DRAFT


def local_status(server_status: str, entries: list[OutboxEntry], current: str | None) -> str:
    """The status shown here, from what the server's copy implies and what waits in the outbox.

    * a request or decision waiting to be sent: the status the person's action gave stays until
      the server answers it;
    * an edit waiting to be sent: ``draft`` (``ready`` stays ready), unless the record is locked
      for a review on the server;
    * nothing waiting: the server's word, except that ``ready`` (a mark of this computer's)
      survives a server copy that is simply a draft.
    """
    actions = {e.action for e in entries}
    if actions & set(WORKFLOW_ACTIONS):
        return current or server_status
    if actions & set(SAVE_LIKE):
        if server_status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL):
            return server_status
        return current if current in (RecordStatus.DRAFT, RecordStatus.READY) else RecordStatus.DRAFT
    if current == RecordStatus.READY and server_status == RecordStatus.DRAFT:
        return RecordStatus.READY
    return server_status


def workflows_for(session: Session, identifier: str) -> list[dict[str, Any]]:
    """The JSON of the workflows stored here about a record."""
    return [w.data for w in session.scalars(select(Workflow).where(Workflow.record_identifier == identifier))
            if isinstance(w.data, dict)]
