"""Review and publication, offline first.

An author asks for publication (queued; on sync the hub opens a
``publishNationalRecord`` or ``publishReferenceRecord`` workflow and locks the
draft). A publishing authority reviews the record against the QA checklist and
approves — exactly the revision reviewed (sync invariant 6) — or rejects with a
reason. Decisions are queued in the outbox like any change and reach the hub on
the next sync; the hub enforces the rules, the client reflects them early so
that a focal point hears about a refusal before going online.

Outbox payloads follow ``focalpoint.sync.push``. Call from the database worker
thread or the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.db import Database, get_meta, parse_time
from focalpoint.i18n import N_, _, localize
from focalpoint.models import (
    DELETE_RECORD,
    AuditEvent,
    OutboxEntry,
    Record,
    RecordStatus,
    SyncState,
    Workflow,
    WorkflowState,
    utcnow,
)
from focalpoint.records import RecordError, RecordStore, RecordView
from focalpoint.settings_keys import ACCOUNT_META_KEY

#: The central CHM's default workflow age: a request open longer is overdue.
REVIEW_AGE_LIMIT = dt.timedelta(weeks=12)


#: The real CHM's role names (schemas/absch/chm-realm-configuration.json) and FocalPoint's own.
PUBLISHING_ROLES = frozenset({"ChmNrNationalFocalPoint", "focal-point"})
# reference-record publishing authorities of the CHM realm (ChmAdministrator, BbiAdministrator, ...)
SECRETARIAT_ROLES = frozenset({"ChmAdministrator", "ChmDocumentValidationAdministrator", "BbiAdministrator",
                               "LifeWebAdmin", "Administrator", "secretariat"})
AUTHORIZED_USER_ROLES = frozenset({"ChmNrNationalAuthorizedUser", "authorized-user"})


def role_of(roles: Any) -> str | None:
    """FocalPoint's role for a list of role names, real or FocalPoint's: ``secretariat``,
    ``focal-point`` (publishing authority of its government), ``authorized-user``, or None.
    Pure; any thread."""
    names = {r for r in roles if isinstance(r, str)} if isinstance(roles, (list, tuple, set, frozenset)) else set()
    if names & SECRETARIAT_ROLES:
        return "secretariat"
    if names & PUBLISHING_ROLES:
        return "focal-point"
    if names & AUTHORIZED_USER_ROLES:
        return "authorized-user"
    return None


def current_account(session: Session) -> dict[str, Any] | None:
    """The signed-in person as the hub described them ({"email", "government", "roles"}), None
    when nobody signed in or the stored account is unreadable. Reads in the caller's transaction;
    database worker."""
    raw = get_meta(session, ACCOUNT_META_KEY)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _workflow_type(schema: str) -> str:
    from focalpoint.forms import is_national, schemas

    national = is_national(schema) if schema in schemas() else True  # no form: the server decides
    return "publishNationalRecord" if national else "publishReferenceRecord"


def _audit(session: Session, identifier: str, action: str, revision: int | None, actor: str | None,
           details: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(record_identifier=identifier, action=action, actor=actor, revision=revision,
                           at=utcnow(), details=details or {}, origin="local"))


def _record(session: Session, identifier: str) -> Record:
    rec = session.get(Record, identifier)
    if rec is None or rec.deleted:
        raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
    return rec


def request_publication(db: Database, identifier: str, *, actor: str | None = None) -> RecordView:
    """Ask for publication of a record (queued until the next sync); the record is locked.

    Raises :class:`RecordError` when the record is unknown, already submitted, in conflict, or
    not valid (the first problem is named). One transaction; database worker."""
    from focalpoint.forms import validate

    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        rec = _record(session, identifier)
        if rec.status == RecordStatus.SUBMITTED:
            raise RecordError(_("Publication of this record has already been requested."))
        if rec.sync_state == SyncState.CONFLICT:
            raise RecordError(_("Resolve the conflict on this record before asking for publication."))
        errors = validate(rec.document)
        if errors:
            first = errors[0]
            raise RecordError(_("This record is not complete: {count} problems, the first at {property} "
                                "({message}). Correct it before asking for publication.").format(
                count=len(errors), property=first.property, message=first.message()))
        rec.status = RecordStatus.SUBMITTED
        store.queue_action(session, identifier, "request_publication", {"type": _workflow_type(rec.schema)})
        _audit(session, identifier, "requested", rec.local_revision, actor)
        session.flush()
        return RecordView.of(rec)


def request_deletion(db: Database, identifier: str, *, actor: str | None = None) -> RecordView:
    """Ask for a published record to be removed from the clearing-house (queued until the next sync).

    The hub opens a ``deleteRecord`` workflow; a publishing authority approves or rejects it like a
    publication request. Until then the record stays published and is locked here. Raises
    :class:`RecordError` for a draft, a conflict or a repeated request. One transaction; database worker."""
    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        rec = _record(session, identifier)
        if rec.status == RecordStatus.REMOVAL:
            raise RecordError(_("Removal of this record has already been requested."))
        if rec.status != RecordStatus.PUBLISHED or rec.server_revision is None:
            raise RecordError(_("Only a record published on the clearing-house can be removed from it; "
                                "a draft is deleted on this computer instead."))
        if rec.sync_state == SyncState.CONFLICT:
            raise RecordError(_("Resolve the conflict on this record before asking for its removal."))
        rec.status = RecordStatus.REMOVAL
        store.queue_action(session, identifier, "request_deletion", {"type": DELETE_RECORD})
        _audit(session, identifier, "removal_requested", rec.server_revision, actor)
        session.flush()
        return RecordView.of(rec)


def _running_workflow(session: Session, identifier: str) -> Workflow | None:
    return session.scalars(select(Workflow).where(Workflow.record_identifier == identifier,
                                                  Workflow.state == WorkflowState.RUNNING)
                           .order_by(Workflow.created_at.desc())).first()


def cancel_request(db: Database, identifier: str, *, actor: str | None = None) -> RecordView:
    """Withdraw a pending publication (or removal) request; the record can be edited again.

    The local workflow is marked cancelled and the withdrawal is queued for the hub. Raises
    :class:`RecordError` when the record is not waiting for review. One transaction; database worker."""
    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        rec = _record(session, identifier)
        if rec.status not in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL):
            raise RecordError(_("This record is not waiting for review."))
        workflow = _running_workflow(session, identifier)
        payload = {"workflowId": workflow.id} if workflow else {}
        rec.status = RecordStatus.PUBLISHED if rec.status == RecordStatus.REMOVAL else RecordStatus.DRAFT
        store.queue_action(session, identifier, "cancel_request", payload)
        if workflow is not None:
            workflow.state = WorkflowState.CANCELLED
        _audit(session, identifier, "cancelled", rec.local_revision, actor)
        session.flush()
        return RecordView.of(rec)


@dataclass(frozen=True)
class ReviewItem:
    """A pending publication request, as a reviewer's queue shows it."""

    workflow_id: str
    identifier: str
    schema: str
    title: dict[str, str]
    author: str | None
    government: str | None
    requested_at: dt.datetime
    revision: int | None
    age: dt.timedelta
    decision: str | None  # a decision queued here and not yet synced: approve | reject
    removal: bool = False  # the request is to remove the published record (deleteRecord), not to publish
    kind: str = ""  # the workflow type: publishNationalRecord | publishReferenceRecord | deleteRecord

    @property
    def overdue(self) -> bool:
        """Whether the request has waited longer than ``REVIEW_AGE_LIMIT`` (12 weeks)."""
        return self.age > REVIEW_AGE_LIMIT

    @property
    def reference(self) -> bool:
        """A reference record (contact, organization…): the Secretariat decides, not a focal point."""
        if self.kind == "publishReferenceRecord":
            return True
        if self.kind == "publishNationalRecord":
            return False
        return reviewer_of(self.schema) == "secretariat" if self.schema else False


def review_queue(db: Database, *, now: dt.datetime | None = None, government: str | None = None,
                 schema: str | None = None, overdue_only: bool = False,
                 sort: str = "age") -> list[ReviewItem]:
    """Pending requests pulled from the hub (and kept for offline review), filtered and sorted
    by ``sort`` (age, title, type or government). Read-only; database worker."""
    now = now or utcnow()
    items: list[ReviewItem] = []
    with db.session() as session:
        query = select(Workflow).where(Workflow.state == WorkflowState.RUNNING)
        if government:
            query = query.where(Workflow.government == government.lower())
        for wf in session.scalars(query):
            rec = session.get(Record, wf.record_identifier)
            data = wf.data.get("data", {}) if isinstance(wf.data, dict) else {}
            rec_schema = rec.schema if rec else str(data.get("schema") or "")
            if schema and rec_schema != schema:
                continue
            title = rec.title if rec else (data.get("title") if isinstance(data.get("title"), dict) else {})
            decision = (wf.data or {}).get("localDecision", {}).get("action") if isinstance(wf.data, dict) else None
            item = ReviewItem(workflow_id=wf.id, identifier=wf.record_identifier, schema=rec_schema,
                              title=dict(title or {}), author=wf.created_by, government=wf.government,
                              requested_at=wf.created_at, revision=wf.revision, age=now - wf.created_at,
                              decision=decision, removal=wf.type == DELETE_RECORD, kind=wf.type or "")
            if overdue_only and not item.overdue:
                continue
            items.append(item)
    keys = {
        "age": lambda i: i.requested_at,
        "title": lambda i: localize(i.title).casefold(),
        "type": lambda i: (i.schema, i.requested_at),
        "government": lambda i: (i.government or "", i.requested_at),
    }
    items.sort(key=keys.get(sort, keys["age"]))
    return items


def reviewer_of(schema: str) -> str:
    """Who reviews a publication request for a record of ``schema``: ``secretariat`` (reference
    records: contacts, organizations…) or ``focal-point`` (national records). Pure; any thread."""
    return "secretariat" if _workflow_type(schema) == "publishReferenceRecord" else "focal-point"


def can_decide(account: dict[str, Any] | None, item: ReviewItem) -> bool:
    """Whether the person signed in (``current_account``) can approve or reject ``item``.

    A national focal point: requests on its own government's national records, not its own
    requests; the Secretariat: reference records; an authorized user: nothing. With no account
    known (never signed in), every request is shown, as before. Pure; any thread."""
    if not account:
        return True
    me = account.get("email") if isinstance(account.get("email"), str) else None
    if me and item.author and me.casefold() == item.author.casefold():
        return False
    roles = account.get("roles") or []
    role = role_of(roles)
    if role == "secretariat":
        return item.reference
    if role == "focal-point":
        gov = account.get("government") if isinstance(account.get("government"), str) else None
        if item.reference:
            return False
        return not (gov and item.government and gov.lower() != item.government.lower())
    if role == "authorized-user":
        return False
    return not roles  # no role named: the hub decides, as _check_reviewer does


def is_mine(account: dict[str, Any] | None, item: ReviewItem) -> bool:
    """Whether ``item`` is a request the person signed in made. Pure; any thread."""
    me = (account or {}).get("email")
    return bool(isinstance(me, str) and me and item.author and me.casefold() == item.author.casefold())


def account_of(db: Database) -> dict[str, Any] | None:
    """The signed-in person (``current_account``) in a transaction of its own. Database worker."""
    with db.session() as session:
        return current_account(session)


def _who(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("email", "name", "userID"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    return str(value) if value not in (None, "") else None


def decision_of(wf: Workflow) -> dict[str, Any]:
    """A closed workflow's outcome as plain data: {"state", "reason", "by", "at"} (naive UTC).
    Reads only ``wf``'s loaded columns; on the thread that owns its session."""
    data = wf.data if isinstance(wf.data, dict) else {}
    result: dict[str, Any] = {}
    for activity in data.get("activities") or []:
        if isinstance(activity, dict) and isinstance(activity.get("result"), dict):
            result = activity["result"]
    raw_local = data.get("localDecision")
    local: dict[str, Any] = raw_local if isinstance(raw_local, dict) else {}
    reason = wf.reason or (result.get("reason") if isinstance(result.get("reason"), str) else None) \
        or (local.get("reason") if isinstance(local.get("reason"), str) else None)
    return {"state": wf.state, "reason": reason, "by": _who(result.get("by") or data.get("closedBy")),
            "at": parse_time(result.get("on") or data.get("closedOn") or data.get("updatedOn"))}


def last_decisions(session: Session, identifiers: list[str] | set[str]) -> dict[str, dict[str, Any]]:
    """The latest closed (approved or rejected) request of each record, by identifier (``decision_of``).
    Reads in the caller's transaction; database worker."""
    if not identifiers:
        return {}
    out: dict[str, dict[str, Any]] = {}
    rows = session.scalars(select(Workflow).where(Workflow.record_identifier.in_(list(identifiers)),
                                                  Workflow.state.in_((WorkflowState.APPROVED, WorkflowState.REJECTED)))
                           .order_by(Workflow.created_at))
    for wf in rows:
        out[wf.record_identifier] = decision_of(wf)  # the newest wins
    return out


def last_decision(db: Database, identifier: str) -> dict[str, Any] | None:
    """The latest closed request of one record (``decision_of``), if any. DB worker."""
    with db.session() as session:
        return last_decisions(session, [identifier]).get(identifier)


def _find_workflow(session: Session, key: str) -> Workflow:
    wf = session.get(Workflow, key)
    if wf is None:
        wf = _running_workflow(session, key)
    if wf is None:
        raise RecordError(_("There is no pending publication request for {key}. Sync to fetch the latest "
                            "requests.").format(key=key))
    if wf.state != WorkflowState.RUNNING:
        raise RecordError(_("This request is no longer pending (it is {state}).").format(state=wf.state))
    return wf


def _check_reviewer(session: Session, wf: Workflow, actor: str | None) -> None:
    account = current_account(session) or {}
    me = actor or account.get("email")
    if me and wf.created_by and me.casefold() == wf.created_by.casefold():
        raise RecordError(_("You asked for this publication yourself: another publishing authority must "
                            "review it."))
    roles = account.get("roles") or []
    role = role_of(roles)
    if roles and role not in ("focal-point", "secretariat"):
        raise RecordError(_("Only a national focal point (publishing authority) can approve or reject "
                            "publication requests."))
    gov = account.get("government")
    if gov and wf.government and role != "secretariat" and gov.lower() != wf.government.lower():
        raise RecordError(_("This request belongs to another government; its own focal point reviews it."))


def _store_checklist(session: Session, store: RecordStore, wf: Workflow, checklist: dict[str, Any] | None,
                     revision: int | None) -> str | None:
    """Keep the reviewer's checklist as a record, always pointing at the revision decided on."""
    if not checklist:
        return None
    doc = json.loads(json.dumps(checklist))
    header = doc.setdefault("header", {})
    header.setdefault("schema", "qaRecordReview")
    target = f"{wf.record_identifier}@{revision}" if revision is not None else wf.record_identifier
    doc["reviewedRecord"] = {"identifier": target}
    view = store.save(doc, session=session)
    return view.identifier


def approve(db: Database, key: str, *, actor: str | None = None, revision: int | None = None,
            checklist: dict[str, Any] | None = None) -> ReviewItem:
    """Approve the request for record or workflow ``key``, for exactly the revision reviewed.

    Stores the reviewer's checklist (as a ``qaRecordReview`` record), queues the approval and
    audits it in one transaction. Raises :class:`RecordError` when no request is pending, the
    person may not decide it, or the reviewed revision is unknown. Database worker."""
    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        wf = _find_workflow(session, key)
        _check_reviewer(session, wf, actor)
        edited = _edited_in_review(wf)
        reviewed = revision if revision is not None else wf.revision
        if reviewed is None:
            # the real CHM's workflows name no revision: the one reviewed is the copy held here
            rec = session.get(Record, wf.record_identifier)
            reviewed = rec.server_revision if rec is not None else None
        if reviewed is None and not edited:
            raise RecordError(_("FocalPoint does not know which revision was reviewed. Sync, then review again."))
        checklist_id = _store_checklist(session, store, wf, checklist, reviewed)
        # after the reviewer's own edit, the approval applies to the revision that edit makes on the hub
        payload = {"workflowId": wf.id, "afterEdit": True} if edited else {"workflowId": wf.id, "revision": reviewed}
        store.queue_action(session, wf.record_identifier, "approve", payload)
        wf.data = {**(wf.data or {}), "localDecision": {"action": "approve", "revision": reviewed,
                                                        "afterEdit": edited, "checklist": checklist_id}}
        _audit(session, wf.record_identifier, "approved", reviewed, actor,
               {"workflow": wf.id, "checklist": checklist_id, "edited_before_approval": edited})
    return _item(db, wf.id)


def reject(db: Database, key: str, reason: str, *, actor: str | None = None,
           checklist: dict[str, Any] | None = None) -> ReviewItem:
    """Reject the request for record or workflow ``key``; the reason is mandatory.

    Queues the rejection with the checklist and audits it in one transaction. Raises
    :class:`RecordError` for an empty reason, no pending request, or a person who may not
    decide it. Database worker."""
    if not reason or not reason.strip():
        raise RecordError(_("Say why the record is rejected: the author needs the reason to correct it."))
    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        wf = _find_workflow(session, key)
        _check_reviewer(session, wf, actor)
        checklist_id = _store_checklist(session, store, wf, checklist, wf.revision)
        store.queue_action(session, wf.record_identifier, "reject", {"workflowId": wf.id, "reason": reason.strip()})
        wf.data = {**(wf.data or {}), "localDecision": {"action": "reject", "reason": reason.strip(),
                                                        "checklist": checklist_id}}
        _audit(session, wf.record_identifier, "rejected", wf.revision, actor,
               {"workflow": wf.id, "reason": reason.strip(), "checklist": checklist_id})
    return _item(db, wf.id)


def _edited_in_review(wf: Workflow) -> bool:
    """Whether the reviewer corrected the record here before deciding (see save_review_edit)."""
    return isinstance(wf.data, dict) and bool(wf.data.get("reviewEdited"))


def save_review_edit(db: Database, key: str, document: dict[str, Any], *, actor: str | None = None) -> RecordView:
    """A publishing authority's correction of a record under review, before approving it.

    The record stays submitted (and locked for its author); the approval that follows applies to
    the revision this edit makes on the hub. Raises :class:`RecordError` when the document is
    not the record under review or the person may not review it. One transaction; database worker."""
    store = RecordStore(db, actor=actor)
    with db.session(write=True) as session:
        wf = _find_workflow(session, key)
        _check_reviewer(session, wf, actor)
        if document.get("header", {}).get("identifier") != wf.record_identifier:
            raise RecordError(_("This document is not the record under review."))
        wf.data = {**(wf.data or {}), "reviewEdited": True}
        view = store.save(document, status=RecordStatus.SUBMITTED, session=session)
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.record_identifier == wf.record_identifier,
                                                          OutboxEntry.action == "save")
                                .order_by(OutboxEntry.seq.desc())).first()
        if entry is not None:  # sent as the correction of this request (the only save a locked draft takes)
            entry.payload = {**(entry.payload or {}), "reviewOf": wf.id}
        return view


def _item(db: Database, workflow_id: str) -> ReviewItem:
    for item in review_queue(db):
        if item.workflow_id == workflow_id:
            return item
    raise RecordError(_("There is no pending publication request for {key}.").format(key=workflow_id))


# ------------------------------------------------------------------------ history


#: What a record's history says of each action (English; translated where shown).
AUDIT_ACTIONS = {
    "created": N_("created"), "edited": N_("edited"), "requested": N_("publication requested"),
    "approved": N_("approved"), "rejected": N_("rejected"), "cancelled": N_("request cancelled"),
    "conflict_resolved": N_("conflict resolved"), "merged": N_("merged with the server's changes"),
    "deleted": N_("deleted"), "published": N_("published"),
    "removal_requested": N_("removal from the clearing-house requested"),
}


def audit_action_label(action: str) -> str:
    """The translated words for an audit action (``approved`` …); an unknown action as it is. Any thread."""
    return _(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


def history(db: Database, identifier: str) -> list[dict[str, Any]]:
    """Who did what to a record, when, on which revision (local and server events), oldest first,
    as plain dicts. Read-only; database worker."""
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.record_identifier == identifier)
                                 .order_by(AuditEvent.at, AuditEvent.id)).all()
        return [{"at": e.at.isoformat(timespec="seconds"), "action": e.action, "actor": e.actor,
                 "revision": e.revision, "origin": e.origin, "details": e.details or {}} for e in events]


def history_csv(events: list[dict[str, Any]]) -> str:
    """``history`` events as CSV text with a header row (details as JSON). Pure; any thread."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["at", "action", "actor", "revision", "origin", "details"])
    for e in events:
        writer.writerow([e["at"], e["action"], e["actor"] or "", e["revision"] if e["revision"] is not None else "",
                         e["origin"], json.dumps(e["details"], ensure_ascii=False)])
    return buf.getvalue()


# ------------------------------------------------------------------ field changes


@dataclass(frozen=True)
class FieldChange:
    """One changed value between two documents: its property path, the old and the new value."""

    path: str
    before: Any
    after: Any


def diff_documents(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """Field-by-field changes between two documents (localized maps per language), header ignored.
    Pure; any thread."""
    changes: list[FieldChange] = []
    before = before or {}

    def walk(a: Any, b: Any, path: str) -> None:
        if a == b:
            return
        localized = (isinstance(a, dict) or a is None) and isinstance(b, dict) and b and all(
            isinstance(v, str) and len(k) == 2 for k, v in b.items())
        if isinstance(a, dict) and isinstance(b, dict) and not ("identifier" in a or "identifier" in b) or localized:
            a = a or {}
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else key)
            return
        changes.append(FieldChange(path, a, b))

    for key in sorted((set(before) | set(after)) - {"header"}):
        walk(before.get(key), after.get(key), key)
    return changes


def published_document(db: Database, identifier: str) -> dict[str, Any] | None:
    """The last published body known locally (kept with the workflow by sync), if any.
    Read-only; database worker."""
    with db.session() as session:
        for wf in session.scalars(select(Workflow).where(Workflow.record_identifier == identifier)
                                  .order_by(Workflow.created_at.desc())):
            body = (wf.data or {}).get("publishedBody") if isinstance(wf.data, dict) else None
            if isinstance(body, dict):
                return body
    return None
