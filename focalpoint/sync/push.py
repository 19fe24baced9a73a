"""Outbox processing: which entries go next, what request each becomes, what its answer means.

Order: entries of one record go strictly in ``seq`` order (a failed or
conflicting entry holds back only the later entries of the SAME record);
entries of different records are independent and may share a batch.

Before a request leaves, its entries are *claimed* in one transaction:
``attempts`` goes up (so ``RecordStore.save`` never again changes the payload
its idempotency key names) and the record shows ``syncing``. A crash after
that point is harmless: the same key is sent again and the server replays.

Payloads the engine expects from whoever queues entries
(``RecordStore.queue_action``):

=====================  ===========================================================
action                 payload
=====================  ===========================================================
save                   ``{"document": {...}}`` (written by ``RecordStore.save``)
delete                 ``{}``
request_publication    ``{"type": "publishNationalRecord" | "publishReferenceRecord"}``
                       (optional; the revision sent is the record's server revision
                       once the earlier saves are through). Sent as real clients send
                       it (chm.cbd.int editFormUtility): ``{type, version, data: {realm,
                       identifier, title, abstract, metadata}}``, plus FocalPoint's
                       ``data.revision`` (a precondition the extension honours)
request_deletion       ``{"type": "deleteRecord"}`` (a published record's removal from the CHM)
cancel_request         ``{"workflowId": "…"}`` (optional: else the record's running workflow)
approve                ``{"workflowId": "…", "revision": N}`` — N is the revision the
                       reviewer saw (sync invariant 6); required
reject                 ``{"workflowId": "…", "reason": "…"}``
=====================  ===========================================================

Call from the sync worker thread.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import json_merge_patch
from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.forms.messages import field_label
from focalpoint.i18n import N_, _, get_language
from focalpoint.models import (
    DELETE_RECORD,
    OutboxEntry,
    OutboxState,
    Record,
    RecordStatus,
    SyncState,
    Workflow,
    WorkflowState,
)
from focalpoint.records import new_entry_id
from focalpoint.sync.errors import MalformedAnswer
from focalpoint.sync.merge import merge3
from focalpoint.sync.protocol import (
    WORKFLOWS_PATH,
    draft_path,
    error_message,
    parse_document_info,
    parse_info,
    parse_workflow,
    with_body,
    workflow_path,
)
from focalpoint.sync.rebase import reconcile
from focalpoint.sync.recordstate import DECISIONS, SAVE_LIKE, audit, entries_of, set_document, settle, show_error
from focalpoint.sync.server_copies import delete_acknowledged, save_acknowledged
from focalpoint.sync.workflows import upsert_workflow, workflow_state

REVIEW_HEADER = "X-FocalPoint-Review"  # FocalPoint's: this save is the reviewer's correction of request N
MERGE_PATCH_EXTENSION = "merge-patch"  # the hub takes draft saves as JSON Merge Patches (RFC 7396)
MERGE_PATCH_TYPE = "application/merge-patch+json"
DEFAULT_WORKFLOW_TYPE = "publishNationalRecord"
REFERENCE_WORKFLOW_TYPE = "publishReferenceRecord"
#: the workflow type versions real clients send (chm.cbd.int editFormUtility: "0.4" for national
#: records and deletions, none for reference records)
WORKFLOW_VERSIONS = {DEFAULT_WORKFLOW_TYPE: "0.4", DELETE_RECORD: "0.4"}

VALIDATION_WORDS = {
    "Error.Mandatory": N_("is required"),
    "Error.MandatoryAnyOf": N_("needs at least one of its options"),
    "Error.InvalidValue": N_("has a value that is not allowed"),
    "Error.InvalidProperty": N_("is not a field of this kind of record"),
    "Error.UnspecifiedLocale": N_("has text in a language the record does not list"),
    "Error.UnexpectedTerm": N_("uses a term that is not in the list"),
    "Error.InvalidType": N_("has the wrong kind of value"),
}


@dataclass
class Op:
    """One request an outbox entry becomes (plain data, safe across threads)."""

    seq: int
    entry_id: str
    identifier: str
    action: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    document: dict[str, Any] | None = None  # a save sent as a merge patch: the whole document it makes

    def request_headers(self) -> dict[str, str]:
        return {"Idempotency-Key": self.entry_id, **self.headers}

    def batch_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.entry_id, "method": self.method, "path": self.path,
                                "headers": dict(self.headers)}
        if self.body is not None:
            item["body"] = self.body
        return item


@dataclass
class Outcome:
    """What an answer meant for one entry."""

    kind: str  # done | merged | requeued | conflict | failed | later | retry | discarded
    message: str | None = None


# ---------------------------------------------------------------------- claim


def _superseded(head: OutboxEntry, later: list[OutboxEntry]) -> bool:
    """A failed save is replaced by a later save of the same record (the person edited again)."""
    return head.action == "save" and any(e.action == "save" for e in later)


def _next_entry(entries: list[OutboxEntry]) -> OutboxEntry:
    """The entry of a record to send next: the first, except that a reviewer's decision (or a
    withdrawal) goes before edits queued on this computer that it does not depend on — an edit
    sent first would change the version under review, and the decision would then fail. A
    decision made on the reviewer's own edit (``afterEdit``) waits for that edit."""
    for entry in entries:
        if entry.action in DECISIONS and not (entry.payload or {}).get("afterEdit"):
            if all(e.action in SAVE_LIKE for e in entries[:entries.index(entry)]):
                return entry
            break
    return entries[0]


def claim(session: Session, *, exclude: set[str], limit: int, now: dt.datetime,
          respect_backoff: bool = False, realm: str = "CHM",
          merge_patch: bool = False) -> tuple[list[Op], list[tuple[str, str]]]:
    """Pick the head entry of up to ``limit`` records and mark them sent.

    Returns the requests to make and ``(identifier, message)`` for heads that
    cannot become a request (they are marked failed here). ``merge_patch``: the server
    takes saves as merge patches (see :func:`build_op`).
    """
    by_record: dict[str, list[OutboxEntry]] = {}
    for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)):
        by_record.setdefault(entry.record_identifier, []).append(entry)
    ops: list[Op] = []
    refused: list[tuple[str, str]] = []
    for identifier, entries in by_record.items():
        if len(ops) >= limit:
            break
        if identifier in exclude:
            continue
        rec = session.get(Record, identifier)
        if rec is not None and (rec.conflict is not None or rec.sync_state == SyncState.CONFLICT):
            continue
        while len(entries) > 1 and entries[0].state == OutboxState.FAILED and _superseded(entries[0], entries[1:]):
            dropped = entries.pop(0)
            for entry in entries:
                if entry.action in SAVE_LIKE and entry.attempts == 0:
                    entry.base_revision = dropped.base_revision
            session.delete(dropped)
        head = _next_entry(entries)
        if head.state == OutboxState.FAILED:
            continue
        if respect_backoff and head.next_attempt_at is not None and head.next_attempt_at > now:
            continue
        op = build_op(session, head, rec, realm=realm, merge_patch=merge_patch)
        if isinstance(op, str):
            head.state = OutboxState.FAILED
            head.last_error = op
            show_error(rec, op)
            refused.append((identifier, op))
            continue
        head.attempts += 1
        if rec is not None:
            rec.sync_state = SyncState.SYNCING
        ops.append(op)
    return ops, refused


def _running_workflow(session: Session, identifier: str) -> Workflow | None:
    return session.scalars(select(Workflow).where(Workflow.record_identifier == identifier,
                                                  Workflow.state == WorkflowState.RUNNING)
                           .order_by(Workflow.created_at.desc())).first()


def workflow_request(kind: str, rec: Record, realm: str, *, revision: int | None) -> dict[str, Any]:
    """A publication or deletion request as real clients build it (``createWorkflow`` in
    chm.cbd.int editFormUtility): ``{type, version, data: {realm, identifier, title, abstract,
    metadata}}``. ``documentID`` (and the server's working title) are added by the plain-API path,
    which reads the draft's info first. ``data.revision`` is FocalPoint's precondition."""
    document = rec.document if isinstance(rec.document, dict) else {}
    metadata: dict[str, Any] = {"schema": rec.schema}
    if rec.government:
        metadata["government"] = rec.government
    data: dict[str, Any] = {"realm": realm, "identifier": rec.identifier,
                            "title": document.get("title") if "title" in document else document.get("name"),
                            "abstract": document.get("summary"), "metadata": metadata}
    if revision is not None:
        data["revision"] = revision
    body: dict[str, Any] = {"type": kind, "data": data}
    if WORKFLOW_VERSIONS.get(kind):
        body["version"] = WORKFLOW_VERSIONS[kind]
    return body


def merge_patch_for(base: Any, document: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Merge Patch (RFC 7396) that turns ``base`` into ``document``, or None when a patch
    cannot say it exactly (a ``null`` value in the document: a patch's null means "remove")."""
    if not isinstance(base, dict):
        return None
    patch: dict[str, Any] = json_merge_patch.create_patch(base, document)  # two objects give an object
    made = json_merge_patch.merge(copy.deepcopy(base), copy.deepcopy(patch))
    if _canonical(made) != _canonical(document):
        return None
    return patch


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


#: who made a change carried here on a USB stick, for the hub to check against the uploader's rights
AUTHOR_HEADER = "X-FocalPoint-Author"


def build_op(session: Session, entry: OutboxEntry, rec: Record | None, *, realm: str = "CHM",
             merge_patch: bool = False) -> Op | str:
    """The request for an entry, or a message saying why it cannot be sent. A change that came on a
    USB stick names its author (``X-FocalPoint-Author``): it is sent as theirs, not the uploader's."""
    op = _request_for(session, entry, rec, realm=realm, merge_patch=merge_patch)
    author = (entry.payload or {}).get("author")
    if isinstance(op, Op) and isinstance(author, str) and author.strip():
        op.headers[AUTHOR_HEADER] = author.strip()
    return op


def _entry_op(entry: OutboxEntry, method: str, path: str, *, headers: dict[str, str] | None = None,
              body: Any = None, document: dict[str, Any] | None = None) -> Op:
    """The request ``method path`` for ``entry``, carrying the entry's sequence, key, record and action."""
    return Op(seq=entry.seq, entry_id=entry.entry_id, identifier=entry.record_identifier, action=entry.action,
              method=method, path=path, headers=headers if headers is not None else {}, body=body,
              document=document)


def _request_for(session: Session, entry: OutboxEntry, rec: Record | None, *, realm: str,
                 merge_patch: bool) -> Op | str:
    """The request for an entry (see :func:`build_op`).

    With ``merge_patch`` a save made on the revision whose server copy this computer holds
    (``rec.base_document`` at ``rec.server_revision``) goes as a merge patch against it, with
    ``If-Match`` naming it; any other save goes whole."""
    payload = entry.payload or {}
    ident = entry.record_identifier
    if entry.action in ("save", "delete"):
        headers = ({"If-Match": str(entry.base_revision)} if entry.base_revision is not None
                   else {"If-None-Match": "*"})
        if entry.action == "delete":
            return _entry_op(entry, method="DELETE", path=draft_path(ident), headers=headers)
        document = payload.get("document")
        if not isinstance(document, dict):
            return _("This change cannot be sent: it holds no document. Discard it and save the record again.")
        schema = (document.get("header") or {}).get("schema") or (rec.schema if rec else None)
        if payload.get("reviewOf"):
            headers[REVIEW_HEADER] = str(payload["reviewOf"])  # a reviewer's correction of the draft under review
        if merge_patch:
            headers["Prefer"] = "return=minimal"  # the answer's info without the document's title and summary
        if merge_patch and not payload.get("whole") and rec is not None and entry.base_revision is not None \
                and entry.base_revision == rec.server_revision:
            patch = merge_patch_for(rec.base_document, document)
            if patch is not None:
                return _entry_op(entry, method="PUT", path=draft_path(ident, schema),
                                 headers={**headers, "Content-Type": MERGE_PATCH_TYPE}, body=patch, document=document)
        return _entry_op(entry, method="PUT", path=draft_path(ident, schema), headers=headers, body=document)
    if entry.action == "request_deletion":
        if rec is None or rec.server_revision is None:
            return _("The record has not reached the server, so there is nothing to remove from the "
                     "clearing-house. Delete it on this computer instead.")
        # the hub reviews the removal on the published version (a newer draft would go with it)
        return _entry_op(entry, method="POST", path=WORKFLOWS_PATH,
                         body=workflow_request(DELETE_RECORD, rec, realm, revision=None))
    if entry.action == "request_publication":
        if rec is None or rec.server_revision is None:
            return _("The record has not reached the server yet, so its publication cannot be requested. "
                     "Sync the record first, then request publication again.")
        kind = payload.get("type") or (DEFAULT_WORKFLOW_TYPE if rec.government else REFERENCE_WORKFLOW_TYPE)
        return _entry_op(entry, method="POST", path=WORKFLOWS_PATH,
                         body=workflow_request(kind, rec, realm, revision=rec.server_revision))
    workflow_id = payload.get("workflowId")
    if not workflow_id:
        running = _running_workflow(session, ident)
        workflow_id = running.id if running is not None else None
    if not workflow_id:
        return _("There is no publication request for this record on the server any more. Sync again "
                 "to see its current state.")
    if entry.action == "cancel_request":
        return _entry_op(entry, method="DELETE", path=workflow_path(workflow_id) + "?action=cancel")
    row = session.get(Workflow, workflow_id)
    kind = "deleteRecord" if row is not None and row.type == DELETE_RECORD else "publishRecord"
    activity = workflow_path(workflow_id) + f"/activities/{kind}"
    if entry.action == "approve":
        revision = payload.get("revision")
        if payload.get("afterEdit"):
            # the reviewer's edit went first (entries of a record go in order): approve what it made
            revision = rec.server_revision if rec is not None else None
        if not isinstance(revision, int) or isinstance(revision, bool):
            return _("This approval does not say which version was reviewed. Review the record again, "
                     "then approve it.")
        return _entry_op(entry, method="PUT", path=activity, body={"action": "approve", "revision": revision})
    if entry.action == "reject":
        return _entry_op(entry, method="PUT", path=activity,
                         body={"action": "reject", "reason": payload.get("reason") or ""})
    return _("FocalPoint does not know how to send a change of kind {action}. Discard it.").format(
        action=entry.action)


# ----------------------------------------------------------------------- answers


def validation_problems(body: Any, schema: str | None = None) -> str:
    """The fields a server refused, by the names the person sees in the form (``schema``'s labels in
    the interface language), each with what is wrong; at most ten."""
    errors = body.get("errors") if isinstance(body, dict) else None
    parts: list[str] = []
    for err in errors if isinstance(errors, list) else []:
        if not isinstance(err, dict):
            continue
        prop = field_label(schema, str(err["property"]), get_language()) if err.get("property") else "?"
        words = VALIDATION_WORDS.get(str(err.get("code")))
        parts.append(_("{field} {problem}").format(field=prop, problem=_(words)) if words
                     else f"{prop} ({err.get('code')})")
    return "; ".join(parts[:10]) or (error_message(body) or _("no details given"))


def refusal_message(op: Op, status: int, body: Any, schema: str | None = None) -> str:
    """Words for a 4xx answer: what happened and what the person can do next."""
    code = body.get("code") if isinstance(body, dict) else None
    server_says = error_message(body) or ""
    if status == 422 and code == "Error.ReasonRequired":
        return _("A rejection needs a reason. Discard this rejection and reject again with a reason.")
    if status == 422:
        if op.action == "request_publication":
            return _("The server will not start the review: the record is not complete ({problems}). "
                     "Correct it, save it, then request publication again.").format(
                problems=validation_problems(body, schema))
        return _("The server refused this record because some fields need attention: {problems}. "
                 "Correct them and save the record; it will be sent at the next sync.").format(
            problems=validation_problems(body, schema))
    if status == 403 and code == "Error.ForeignAuthor":
        author = op.headers.get(AUTHOR_HEADER) or _("someone else")
        return _("This change came on a USB stick from {author}, whom the server does not accept as a "
                 "colleague of yours. It can only be sent by {author}, signed in on their own computer, or "
                 "discarded here.").format(author=author)
    if status == 403:
        return _("The server does not allow you to do this ({message}). Ask your country's publishing "
                 "authority to check your role, then use Try again, or discard the change.").format(
            message=server_says or _("forbidden"))
    if status == 409 and code == "Error.StaleRevision":
        return _("The record changed after you reviewed it. Sync, review the current version, then "
                 "approve it again.")
    if status == 404 and op.action in DECISIONS:
        return _("This publication request no longer exists on the server. Sync again to see the "
                 "record's current state.")
    return _("The server refused this change (HTTP {status}: {message}). Use Try again, or discard the "
             "change.").format(status=status, message=server_says or _("no details given"))


LOCKED_MESSAGE = N_("This record is locked on the server while it is reviewed for publication. Your change "
                    "stays queued and is sent once the review is over (or cancel the publication request).")


def apply_answer(session: Session, op: Op, status: int, body: Any, *, now: dt.datetime,
                 actor: str | None = None) -> Outcome:
    """Record what the server said about ``op`` (inside the caller's transaction)."""
    entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == op.entry_id)).first()
    rec = session.get(Record, op.identifier)
    if status >= 500 or status in (401, 408, 429):
        return Outcome("retry")
    code = body.get("code") if isinstance(body, dict) else None
    if status == 422 and code == "Error.IdempotencyKeyReused" and entry is not None:
        # this key already named another version of the change (an older build changed a sent
        # entry): the change goes again under a key of its own and meets the server's copy as usual
        entry.entry_id = new_entry_id()
        entry.attempts = 0
        entry.last_error = None
        if rec is not None:
            settle(session, rec)
        return Outcome("requeued")
    if op.action in DECISIONS and entry is not None and _request_closed(op, status, code):
        return _discard_decision(session, op, entry, rec, status, body, now, actor)
    if op.action in ("save", "delete"):
        return _apply_document_answer(session, op, entry, rec, status, body, now, actor)
    return _apply_workflow_answer(session, op, entry, rec, status, body, now)


def _request_closed(op: Op, status: int, code: Any) -> bool:
    """The request a decision (or withdrawal) was about is gone or already decided."""
    return status in (404, 410) or (status == 409 and code == "Error.WorkflowClosed")


def closed_request_message(action: str, state: Any) -> str:
    if action == "cancel_request":
        return _("Your withdrawal was not needed: the request was already closed ({state}) on the server.").format(
            state=state or _("gone"))
    if action == "approve":
        return _("Your approval was not sent: the request had already been closed ({state}) on the server, by "
                 "someone else or withdrawn. Nothing else was changed; see the record's current state.").format(
            state=state or _("gone"))
    return _("Your rejection was not sent: the request had already been closed ({state}) on the server, by "
             "someone else or withdrawn. Nothing else was changed; see the record's current state.").format(
        state=state or _("gone"))


def _discard_decision(session: Session, op: Op, entry: OutboxEntry, rec: Record | None, status: int, body: Any,
                      now: dt.datetime, actor: str | None) -> Outcome:
    """A decision about a closed request can never be taken: it leaves the outbox, and the record's
    history and the sync report say so in words."""
    state = body.get("state") if isinstance(body, dict) else None
    message = closed_request_message(op.action, state)
    workflow_id = (entry.payload or {}).get("workflowId")
    session.delete(entry)
    session.flush()
    if workflow_id:
        row = session.get(Workflow, workflow_id)
        if row is not None and isinstance(row.data, dict) and row.data.get("localDecision"):
            row.data = {k: v for k, v in row.data.items() if k != "localDecision"}
    audit(session, op.identifier, "discarded", revision=rec.server_revision if rec is not None else None,
          now=now, actor=actor, details={"action": op.action, "message": message, "status": status})
    if rec is not None:
        settle(session, rec)  # the status follows with the pull that comes next
    return Outcome("discarded", message)


def _fail(entry: OutboxEntry | None, rec: Record | None, message: str, *, keep_pending: bool = False) -> Outcome:
    if entry is not None:
        entry.last_error = message
        if not keep_pending:
            entry.state = OutboxState.FAILED
    show_error(rec, message)
    return Outcome("later" if keep_pending else "failed", message)


def _apply_document_answer(session: Session, op: Op, entry: OutboxEntry | None, rec: Record | None,
                           status: int, body: Any, now: dt.datetime, actor: str | None) -> Outcome:
    if 200 <= status < 300 and op.action == "save":
        # the CHM answers a draft save with the info WITHOUT the document: it is the one we sent
        info = parse_info(body)
        sent = op.document if op.document is not None else op.body
        info = parse_document_info(info if isinstance(info.get("body"), dict) else with_body(info, sent))
        if info["identifier"] != op.identifier:
            raise MalformedAnswer(_("a saved document with another identifier"))
        save_acknowledged(session, rec, entry, info)
        return Outcome("done")
    if op.action == "delete" and (200 <= status < 300 or status in (404, 410)):
        current = body.get("current") if isinstance(body, dict) else None
        gone = parse_document_info(current, allow_tombstone=True) if isinstance(current, dict) else None
        delete_acknowledged(session, rec, entry, gone)
        return Outcome("done")
    if status in (409, 412) and isinstance(body, dict) and "current" in body:
        current = body.get("current")
        theirs = parse_document_info(current, allow_tombstone=True) if current is not None else None
        if rec is None:
            return _fail(entry, rec, refusal_message(op, status, body, rec.schema if rec is not None else None))
        if entry is not None and op.action == "save":
            _carried_change_meets(session, rec, entry)
        kind = reconcile(session, rec, theirs, revision=theirs["revision"] if theirs else None, now=now,
                         actor=actor)
        if kind == "conflict":
            return Outcome("conflict", rec.sync_error)
        if kind in ("merged", "rebased"):
            return Outcome("requeued" if kind == "rebased" else "merged")
        return Outcome("done")
    if status == 423:
        return _fail(entry, rec, _(LOCKED_MESSAGE), keep_pending=True)
    if status == 415 and op.document is not None and entry is not None:
        # the hub no longer takes merge patches (its capabilities, kept here a day, said it did):
        # the same change goes again, whole (a refused write stored nothing under its key)
        entry.payload = {**(entry.payload or {}), "whole": True}
        if rec is not None:
            settle(session, rec)
        return Outcome("requeued")
    return _fail(entry, rec, refusal_message(op, status, body, rec.schema if rec is not None else None))


def _carried_change_meets(session: Session, rec: Record, entry: OutboxEntry) -> None:
    """A change carried by USB stick from a computer that held an older copy than this one meets
    the server's copy: its three-way merge starts from the version it was made on (``base`` in
    its payload, from the bundle), not from this computer's newer copy — else the server's newer
    fields would look unchanged and the carried edit would be lost, or taken for a conflict."""
    payload = entry.payload or {}
    base, theirs = payload.get("base"), payload.get("document")
    if not isinstance(base, dict) or not isinstance(theirs, dict):
        return
    mine = theirs
    others = [e for e in entries_of(session, rec.identifier)
              if e.action in SAVE_LIKE and e.entry_id != entry.entry_id]
    if others and not rec.deleted and isinstance(rec.document, dict):
        # edits made here after the import: they join the carried change
        mine = merge3(base, theirs, rec.document).document
    rec.base_document = base
    set_document(session, rec, mine)


#: a record's status once the server answered its request: for a removal (approved, the removal
#: arrives with the next pull as a tombstone), and for a publication
_REMOVAL_STATUS: dict[str, RecordStatus] = {WorkflowState.RUNNING: RecordStatus.REMOVAL,
                                            WorkflowState.REJECTED: RecordStatus.PUBLISHED,
                                            WorkflowState.CANCELLED: RecordStatus.PUBLISHED}
_PUBLICATION_STATUS: dict[str, RecordStatus] = {WorkflowState.RUNNING: RecordStatus.SUBMITTED,
                                                WorkflowState.APPROVED: RecordStatus.PUBLISHED,
                                                WorkflowState.REJECTED: RecordStatus.REJECTED,
                                                WorkflowState.CANCELLED: RecordStatus.DRAFT}


def _apply_workflow_answer(session: Session, op: Op, entry: OutboxEntry | None, rec: Record | None,
                           status: int, body: Any, now: dt.datetime) -> Outcome:
    if 200 <= status < 300:
        workflow = parse_workflow(body)
        upsert_workflow(session, workflow)
        if entry is not None:
            session.delete(entry)
            session.flush()
        if rec is not None:
            state, _reason = workflow_state(workflow)
            if workflow.get("type") == DELETE_RECORD:
                rec.status = _REMOVAL_STATUS.get(state, rec.status)
            else:
                rec.status = _PUBLICATION_STATUS.get(state, rec.status)
            settle(session, rec)
        return Outcome("done")
    if status == 423 and op.action == "request_publication":
        # a request is already under review for this (locked, so unchanged) draft: perhaps ours, sent
        # from another machine or by a colleague; what the person asked for is done
        if entry is not None:
            session.delete(entry)
            session.flush()
        if rec is not None:
            rec.status = RecordStatus.SUBMITTED
            settle(session, rec)
        return Outcome("done")
    if status == 409 and op.action == "request_publication" and isinstance(body, dict) \
            and body.get("code") == "Error.StaleRevision":
        return _fail(entry, rec, _("The record changed on the server since you last synced it. It will be "
                                   "sent for review at the next sync, once this computer has the latest "
                                   "version."), keep_pending=True)
    if status == 423 and op.action == "request_deletion":
        return _fail(entry, rec, _("A publication request for this record is under review on the server. Its "
                                   "removal is asked for at a later sync, once that review is over."),
                     keep_pending=True)
    if status == 409 and op.action == "request_deletion" and isinstance(body, dict) \
            and body.get("code") == "Error.NotPublished":
        if rec is not None and rec.status == RecordStatus.REMOVAL:
            rec.status = RecordStatus.DRAFT
        return _fail(entry, rec, _("The record is not published on the clearing-house, so there is nothing to "
                                   "remove there. Discard this change; delete the draft instead."))
    if status == 409 and isinstance(body, dict) and body.get("code") == "Error.WorkflowClosed":
        return _fail(entry, rec, _("This publication request was already closed ({state}) by someone else. "
                                   "Discard this change; sync to see the record's current state.").format(
            state=body.get("state") or "?"))
    return _fail(entry, rec, refusal_message(op, status, body, rec.schema if rec is not None else None))
