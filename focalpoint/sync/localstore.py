"""What sync does to the local database: every function works inside one session's transaction.

Shared by push (:mod:`focalpoint.sync.push`), pull (:mod:`focalpoint.sync.pull`),
conflict resolution and offline bundles, so a record is treated the same
whichever way its server copy arrived:

* :func:`apply_server_copy` — a server copy of a record with nothing pending
  locally replaces the local copy (when it is newer);
* :func:`reconcile` — a server copy that moved past the base of pending local
  edits is three-way merged (sync invariant 3): clean merges are re-queued
  against the new revision and audited ``merged``; clashing fields become a
  conflict the person resolves;
* :func:`save_acknowledged` — the server accepted an outbox entry.

Call from the thread that owns the session (the sync worker).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from focalpoint.db import parse_time as parse_time  # re-exported: the sync modules call ls.parse_time
from focalpoint.i18n import _
from focalpoint.models import (
    DELETE_RECORD,
    AuditEvent,
    Meta,
    OutboxEntry,
    OutboxState,
    Record,
    RecordStatus,
    SyncState,
    Workflow,
)
from focalpoint.records import document_title, government_of, index_row, new_entry_id, write_index_rows
from focalpoint.records import index_record as index_record_text
from focalpoint.sync.merge import merge3

DELETED_FIELD = "@deleted"
SAVE_LIKE = ("save", "delete")


# ------------------------------------------------------------------------ meta


def server_key(url: str) -> str:
    """A short, stable name for a server in Meta keys."""
    key = url.split("://", 1)[-1].rstrip("/").lower()
    if len(key) > 60:
        key = hashlib.sha256(key.encode()).hexdigest()[:20]
    return key


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Meta, key)
    return row.value if row is not None else default


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def get_meta_json(session: Session, key: str) -> Any:
    raw = get_meta(session, key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def set_meta_json(session: Session, key: str, value: Any) -> None:
    set_meta(session, key, json.dumps(value, separators=(",", ":")))


# --------------------------------------------------------------------- helpers




def _who(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("email", "name", "userID"):
            if value.get(key) is not None:
                return str(value[key])[:200]
        return None
    return str(value)[:200] if value is not None else None


def entries_of(session: Session, identifier: str) -> list[OutboxEntry]:
    return list(session.scalars(select(OutboxEntry).where(OutboxEntry.record_identifier == identifier)
                                .order_by(OutboxEntry.seq)))


def pending_identifiers(session: Session, identifiers: Iterable[str]) -> set[str]:
    ids = list(identifiers)
    if not ids:
        return set()
    return set(session.scalars(select(OutboxEntry.record_identifier)
                               .where(OutboxEntry.record_identifier.in_(ids))))


def audit(session: Session, identifier: str, action: str, *, revision: int | None, now: dt.datetime,
          actor: str | None = None, details: dict[str, Any] | None = None, origin: str = "local") -> None:
    session.add(AuditEvent(record_identifier=identifier, action=action, actor=actor, revision=revision,
                           at=now, details=details or {}, origin=origin))


def index_new_record(session: Session, identifier: str, document: dict[str, Any]) -> None:
    """Add a record that is new here to the search index (nothing to delete first)."""
    pending = session.info.get("fts_new")
    row = index_row(identifier, document)
    if pending is not None:
        pending.append(row)  # written together by flush_new_index (no autoflush per record)
    else:
        write_index_rows(session, row)


def defer_new_index(session: Session) -> None:
    """Collect :func:`index_new_record` rows until :func:`flush_new_index` (bulk pulls)."""
    session.info.setdefault("fts_new", [])


def flush_new_index(session: Session) -> None:
    rows = session.info.pop("fts_new", None)
    if rows:
        write_index_rows(session, rows)


def set_document(session: Session, rec: Record, document: dict[str, Any]) -> None:
    """Replace a record's document, keeping title, government and the search index in step."""
    if rec.document == document:
        return
    rec.document = document
    rec.title = document_title(document)
    rec.government = government_of(document) or rec.government
    if not rec.deleted:
        index_record_text(session, rec.identifier, document)


def has_conflict(rec: Record) -> bool:
    """A conflict the person can decide: it names at least one field."""
    return isinstance(rec.conflict, dict) and bool(rec.conflict.get("fields"))


def settle(session: Session, rec: Record) -> None:
    """The one place that decides a record's sync state once nothing is in flight.

    Derived from the record's conflict, its outbox entries and their errors, so that no flag
    outlives its cause: a conflict needs a change waiting to be sent (a save or a deletion) and
    at least one field to decide, else it is cleared and the server's copy is shown; ``error``
    needs an entry that failed or holds an error; ``queued`` needs an entry; otherwise the
    record is ``synced`` (the server has it) or ``local``.
    """
    entries = entries_of(session, rec.identifier)
    waiting = any(e.action in SAVE_LIKE for e in entries)
    if rec.conflict is not None and not (has_conflict(rec) and waiting):
        rec.conflict = None
        if not waiting and isinstance(rec.base_document, dict) and not rec.deleted:
            set_document(session, rec, rec.base_document)  # nothing left to send: the server's copy
    if rec.conflict is not None:
        rec.sync_state = SyncState.CONFLICT
        rec.sync_error = conflict_message(list(rec.conflict.get("fields") or []))
        return
    if not entries:
        rec.sync_state = SyncState.SYNCED if rec.server_revision is not None else SyncState.LOCAL
        rec.sync_error = None
        return
    problem = next((e for e in entries if e.state == "failed"), None) \
        or next((e for e in entries if e.last_error), None)
    if problem is not None:
        rec.sync_state = SyncState.ERROR
        rec.sync_error = problem.last_error or rec.sync_error
    else:
        rec.sync_state = SyncState.QUEUED
        rec.sync_error = None


# ------------------------------------------------------------------ workflows


def workflow_state(workflow: dict[str, Any]) -> tuple[str, str | None]:
    """(running | approved | rejected | cancelled, reason) from a workflow's JSON."""
    state = workflow.get("state")
    reason = None
    result = None
    for activity in workflow.get("activities") or []:
        if isinstance(activity, dict) and isinstance(activity.get("result"), dict):
            result = activity["result"]
    if state == "running":
        return "running", None
    if state == "cancelled":
        return "cancelled", None
    if result is not None:
        reason = result.get("reason") if isinstance(result.get("reason"), str) else None
        if result.get("action") == "reject":
            return "rejected", reason
        if result.get("action") == "approve":
            return "approved", None
    return str(state or "running")[:16], reason


def _audit_decision(session: Session, row: Workflow | None, workflow: dict[str, Any], data: dict[str, Any],
                    state: str, reason: str | None) -> None:
    """A request closed on the hub: the record's history here says who decided, when, on which
    revision — unless this machine made that decision itself (it has its own entry already)."""
    if state not in ("approved", "rejected", "cancelled"):
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
          now=when, actor=_who(result.get("by") or workflow.get("closedBy")), details=details, origin="server")


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
    row.created_by = _who(workflow.get("createdBy"))
    row.reason = reason
    # what this machine added to the workflow (a queued decision, the published copy) survives a pull
    kept = {k: v for k, v in (row.data or {}).items()
            if k in ("localDecision", "publishedBody", "publishedFetched", "reviewEdited")} if isinstance(row.data, dict) else {}
    row.data = {**workflow, **kept}
    return row


def status_from(info: dict[str, Any] | None, workflows: list[dict[str, Any]], current: str | None) -> str:
    """The local status (draft, submitted, removal, published, rejected) a server copy implies."""
    if info is None:
        return current or "draft"
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
    if info.get("workingDocumentLock") or latest_state == "running":
        return "removal" if removal and latest_state == "running" else "submitted"
    if removal:
        # a removal that was refused or withdrawn leaves the record as it was: published, unless a
        # newer draft waits on the server (the info then describes that draft)
        if isinstance(info.get("isDraft"), bool):
            return "draft" if info["isDraft"] else "published"
        return "published" if current in ("published", "removal") else "draft"
    if isinstance(info.get("isDraft"), bool):
        if not info["isDraft"]:
            return "published"
        if latest_state == "rejected" and latest_revision == revision:
            return "rejected"
        return "draft"
    if latest_state == "approved" and latest_revision in (None, revision):
        return "published"
    if latest_state == "rejected" and latest_revision in (None, revision):
        return "rejected"
    if latest is not None:
        return "draft"
    if current in ("published", "rejected", "submitted") and revision is not None:
        return "draft"
    return current or "draft"


WORKFLOW_ACTIONS = ("request_publication", "request_deletion", "cancel_request", "approve", "reject")


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
        if server_status in ("submitted", "removal"):
            return server_status
        return current if current in ("draft", "ready") else "draft"
    if current == "ready" and server_status == "draft":
        return "ready"
    return server_status


def workflows_for(session: Session, identifier: str) -> list[dict[str, Any]]:
    return [w.data for w in session.scalars(select(Workflow).where(Workflow.record_identifier == identifier))
            if isinstance(w.data, dict)]


# ------------------------------------------------------------- server copies


def new_record_from(info: dict[str, Any], status: str, now: dt.datetime) -> Record:
    body = info["body"]
    header = body.get("header") if isinstance(body.get("header"), dict) else {}
    schema = header.get("schema") or info.get("type") or (info.get("metadata") or {}).get("schema") or "unknown"
    government = government_of(body) or ((info.get("metadata") or {}).get("government") or None)
    return Record(identifier=info["identifier"], schema=str(schema)[:64],
                  government=government.lower()[:8] if isinstance(government, str) else None,
                  document=body, title=document_title(body), status=status, local_revision=1,
                  server_revision=info["revision"], base_document=body, sync_state=SyncState.SYNCED,
                  sync_error=None, conflict=None, deleted=bool(info.get("deleted")),
                  created_at=parse_time(info.get("createdOn")) or now,
                  updated_at=parse_time(info.get("updatedOn")) or now)


def apply_server_copy(session: Session, rec: Record | None, info: dict[str, Any],
                      workflows: list[dict[str, Any]], now: dt.datetime) -> tuple[Record, bool]:
    """Take a server copy for a record with no pending local edits. Returns (record, changed)."""
    if rec is None:
        rec = new_record_from(info, status_from(info, workflows, None), now)
        session.add(rec)
        if not rec.deleted:
            index_new_record(session, rec.identifier, rec.document)
        audit(session, rec.identifier, "created", revision=info["revision"], now=now,
              actor=_who(info.get("createdBy")), origin="server")
        return rec, True
    changed = False
    if rec.server_revision is None or info["revision"] > rec.server_revision:
        was_deleted = rec.deleted
        rec.deleted = bool(info.get("deleted"))
        set_document(session, rec, info["body"])
        if rec.deleted and not was_deleted:
            index_record_text(session, rec.identifier, None)
        elif was_deleted and not rec.deleted:
            index_record_text(session, rec.identifier, rec.document)
        if rec.server_revision is None or info["revision"] > rec.server_revision:
            audit(session, rec.identifier, "deleted" if rec.deleted else "edited", revision=info["revision"],
                  now=now, actor=_who(info.get("updatedBy")), origin="server")
        rec.server_revision = max(info["revision"], rec.server_revision or 0)
        rec.base_document = info["body"]
        rec.updated_at = parse_time(info.get("updatedOn")) or now
        changed = True
    before = rec.status
    rec.status = local_status(status_from(info, workflows or workflows_for(session, rec.identifier), rec.status),
                              [], rec.status)
    changed = changed or rec.status != before  # a decision arrived (rejected, published): news too
    rec.conflict = None
    rec.sync_error = None
    rec.sync_state = SyncState.SYNCED
    return rec, changed


def _payload_document(entry: OutboxEntry) -> dict[str, Any] | None:
    payload = entry.payload or {}
    document = payload.get("document")
    return document if isinstance(document, dict) else None


def _rebase_later(session: Session, identifier: str, revision: int) -> None:
    """Entries queued after one the server accepted were made on top of it."""
    session.execute(update(OutboxEntry).where(
        OutboxEntry.record_identifier == identifier, OutboxEntry.attempts == 0,
        OutboxEntry.action.in_(SAVE_LIKE)).values(base_revision=revision))


def save_acknowledged(session: Session, rec: Record | None, entry: OutboxEntry | None,
                      info: dict[str, Any] | None) -> None:
    """The server accepted ``entry`` (a save or delete); ``info`` is its copy, when it sent one."""
    if entry is not None:
        session.delete(entry)
        session.flush()
    if rec is None:
        return
    if info is not None and (rec.server_revision is None or info["revision"] >= rec.server_revision):
        rec.server_revision = info["revision"]
        rec.base_document = info["body"]
        _rebase_later(session, rec.identifier, info["revision"])
        if not entries_of(session, rec.identifier) and not rec.deleted and rec.conflict is None:
            set_document(session, rec, info["body"])  # the server's normalized copy
    rec.sync_error = None
    if rec.sync_state in (SyncState.SYNCING, SyncState.ERROR):
        rec.sync_state = SyncState.QUEUED
    settle(session, rec)


def delete_acknowledged(session: Session, rec: Record | None, entry: OutboxEntry | None,
                        info: dict[str, Any] | None) -> None:
    """The server discarded the draft. ``info`` is what remains there: a tombstone, or the
    published copy (a published record is deleted through a deleteRecord workflow, not here)."""
    if entry is not None:
        session.delete(entry)
        session.flush()
    if rec is None:
        return
    if info is not None and (rec.server_revision is None or info["revision"] >= rec.server_revision):
        rec.server_revision = info["revision"]
        if not info.get("deleted") and isinstance(info.get("body"), dict):
            rec.base_document = info["body"]
            if not entries_of(session, rec.identifier):
                rec.deleted = False
                rec.status = RecordStatus.PUBLISHED if info.get("isDraft") is False else rec.status
                rec.document = {}
                set_document(session, rec, info["body"])
    rec.sync_error = None
    if rec.sync_state in (SyncState.SYNCING, SyncState.ERROR):
        rec.sync_state = SyncState.QUEUED
    settle(session, rec)


def _collapse_saves(session: Session, rec: Record, document: dict[str, Any], base_revision: int | None,
                    now: dt.datetime) -> None:
    """Replace every save entry of a record with one save of ``document`` against ``base_revision``.

    It takes the place (seq) of the first save, so actions queued after the
    edits (a publication request) still come after them. It gets a new entry
    id: the old one named another payload and revision.
    """
    saves = [e for e in entries_of(session, rec.identifier) if e.action == "save"]
    if not saves:
        session.add(OutboxEntry(entry_id=new_entry_id(), record_identifier=rec.identifier, action="save",
                                payload={"document": document}, base_revision=base_revision,
                                local_revision=rec.local_revision, state=OutboxState.PENDING, attempts=0,
                                created_at=now))
        return
    first, *rest = saves
    for entry in rest:
        session.delete(entry)
    first.entry_id = new_entry_id()
    first.payload = {"document": document}
    first.base_revision = base_revision
    first.local_revision = rec.local_revision
    first.state = "pending"
    first.attempts = 0
    first.last_error = None
    first.next_attempt_at = None
    for entry in entries_of(session, rec.identifier):
        if entry.action == "delete" and entry.attempts == 0:
            entry.base_revision = base_revision


def _drop_saves(session: Session, identifier: str) -> None:
    for entry in entries_of(session, identifier):
        if entry.action == "save":
            session.delete(entry)
    session.flush()


def _own_write(session: Session, rec: Record, info: dict[str, Any]) -> OutboxEntry | None:
    """An already-sent save whose payload is exactly the server's copy: it landed, its answer was lost."""
    for entry in entries_of(session, rec.identifier):
        if entry.action == "save" and entry.attempts > 0 and _payload_document(entry) == info["body"]:
            return entry
    return None


def conflict_message(fields: list[str]) -> str:
    if fields == [DELETED_FIELD]:
        return _("Someone deleted or changed this record on the server while you had changes not sent "
                 "yet. Open it to choose: keep your version, or take the server's.")
    return _("Someone else changed the same fields on the server: {fields}. Open the record and choose, "
             "field by field, which version to keep; nothing is sent until you do.").format(
        fields=", ".join(fields))


def reconcile(session: Session, rec: Record, info: dict[str, Any] | None, *, revision: int | None,
              now: dt.datetime, actor: str | None = None) -> str:
    """The server copy moved while ``rec`` has pending edits: merge, or record a conflict.

    ``info`` None means the server has no copy any more (deleted). Returns
    ``"landed"`` (our own earlier write was the change), ``"same"`` (the
    server already has our edits), ``"merged"``, ``"rebased"`` or ``"conflict"``.
    """
    if info is None or info.get("deleted"):
        if rec.deleted:
            # both sides deleted it: nothing to send any more
            for entry in entries_of(session, rec.identifier):
                if entry.action in SAVE_LIKE:
                    session.delete(entry)
            session.flush()
            rec.server_revision = revision if revision is not None else rec.server_revision
            rec.conflict = None
            settle(session, rec)
            return "same"
        rec.conflict = {"server": None, "server_revision": revision, "fields": [DELETED_FIELD]}
        rec.sync_state = SyncState.CONFLICT
        rec.sync_error = conflict_message([DELETED_FIELD])
        return "conflict"
    landed = _own_write(session, rec, info)
    if landed is not None:
        save_acknowledged(session, rec, landed, info)
        return "landed"
    theirs = info["body"]
    rev = info["revision"]
    if rec.deleted:
        if theirs == rec.base_document:
            rec.server_revision = rev
            rec.base_document = theirs
            _rebase_later_all(session, rec.identifier, rev)
            settle(session, rec)
            return "rebased"
        rec.conflict = {"server": theirs, "server_revision": rev, "fields": [DELETED_FIELD]}
        rec.sync_state = SyncState.CONFLICT
        rec.sync_error = conflict_message([DELETED_FIELD])
        return "conflict"
    result = merge3(rec.base_document, rec.document, theirs)
    if not result.clean:
        rec.conflict = {"server": theirs, "server_revision": rev, "fields": result.conflicts,
                        "merged_fields": result.from_theirs}
        rec.sync_state = SyncState.CONFLICT
        rec.sync_error = conflict_message(result.conflicts)
        return "conflict"
    rec.server_revision = rev
    rec.base_document = theirs
    rec.conflict = None
    rec.sync_error = None
    if result.document == theirs:
        _drop_saves(session, rec.identifier)
        set_document(session, rec, theirs)
        _rebase_later_all(session, rec.identifier, rev)
        settle(session, rec)
        return "same"
    set_document(session, rec, result.document)
    _collapse_saves(session, rec, result.document, rev, now)
    if result.from_theirs:
        audit(session, rec.identifier, "merged", revision=rev, now=now, actor=actor,
              details={"fields": result.from_theirs, "local_fields": result.from_mine,
                       "server_revision": rev})
    rec.sync_state = SyncState.QUEUED
    return "merged" if result.from_theirs else "rebased"


def _rebase_later_all(session: Session, identifier: str, revision: int) -> None:
    for entry in entries_of(session, identifier):
        if entry.action in SAVE_LIKE:
            if entry.attempts > 0:
                entry.entry_id = new_entry_id()
                entry.attempts = 0
            entry.base_revision = revision


def requeue_resolved(session: Session, rec: Record, document: dict[str, Any] | None, *,
                     server_document: dict[str, Any] | None, server_revision: int | None,
                     delete: bool, now: dt.datetime) -> None:
    """After the person resolved a conflict: queue the outcome against the server's revision."""
    rec.server_revision = server_revision
    rec.base_document = server_document
    rec.conflict = None
    rec.sync_error = None
    if delete:
        _drop_saves(session, rec.identifier)
        rec.deleted = True
        index_record_text(session, rec.identifier, None)
        if server_revision is not None:
            _rebase_later_all(session, rec.identifier, server_revision)
        if not any(e.action == "delete" for e in entries_of(session, rec.identifier)):
            session.add(OutboxEntry(entry_id=new_entry_id(), record_identifier=rec.identifier,
                                    action="delete", payload={}, base_revision=server_revision,
                                    local_revision=rec.local_revision, state=OutboxState.PENDING, attempts=0,
                                    created_at=now))
        rec.sync_state = SyncState.QUEUED
        return
    assert document is not None
    for entry in entries_of(session, rec.identifier):
        if entry.action == "delete":
            session.delete(entry)
    session.flush()
    was_deleted = rec.deleted
    rec.deleted = False
    rec.local_revision += 1
    set_document(session, rec, document)
    if was_deleted:
        index_record_text(session, rec.identifier, document)
    if server_document is not None and document == server_document:
        _drop_saves(session, rec.identifier)
        if server_revision is not None:
            _rebase_later_all(session, rec.identifier, server_revision)
        settle(session, rec)
        return
    _collapse_saves(session, rec, document, server_revision, now)
    rec.sync_state = SyncState.QUEUED


def add_new_records(session: Session, copies: list[tuple[dict[str, Any], list[dict[str, Any]]]],
                    now: dt.datetime) -> None:
    """Store server copies (``(info, workflows)``) of records this computer does not hold, as
    :func:`apply_server_copy` does one by one, with one INSERT for the records and one for their
    ``created`` audit entries (a first pull's pages). Search index rows join the page's batch."""
    if not copies:
        return
    columns = [attr.key for attr in sa_inspect(Record).column_attrs]
    records, audits = [], []
    for info, workflows in copies:
        rec = new_record_from(info, status_from(info, workflows, None), now)
        records.append({key: getattr(rec, key) for key in columns})
        if not rec.deleted:
            index_new_record(session, rec.identifier, rec.document)
        audits.append({"record_identifier": rec.identifier, "action": "created", "revision": info["revision"],
                       "actor": _who(info.get("createdBy")), "at": now, "details": {}, "origin": "server"})
    session.execute(insert(Record), records)
    session.execute(insert(AuditEvent), audits)
