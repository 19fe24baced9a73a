"""The plain-API path: syncing with a server that offers no FocalPoint extension (the real CHM).

What the real CHM gives (``docs/chm-compatibility.md, part 4``): raw documents on
``GET /documents/{uid}`` and ``.../versions/draft``, their infos at ``.../info``,
listings and draft-save answers without ``body``, no change feed, no idempotency
keys, no revision preconditions. So here:

* **pull** reads the whole listing (infos only), downloads the raw document of
  every record whose revision moved, keeps the local copy of the others, and
  takes a record missing from a complete listing as deleted on the server once its
  ``.../info`` says so too;
  publication requests come from ``GET /workflows?q=...``, built as real clients
  build it, plus one ``GET /workflows/{id}`` per request still open here;
* **push** reads before it writes: the current info's revision against the one
  the edit was made on (a conflict, never an overwrite), a current document equal
  to ours is our earlier attempt that landed, an open request for the record is
  ours, a decision already taken by us is done. A reviewer's correction of a
  draft under review goes through its lock as real clients do (read the lock,
  DELETE it, PUT the draft, PUT the lock back).

Answers are handed back as ``{entry id: (status, body)}`` in the extension's
shapes (an info with ``body``, 409 with ``current``), so
:func:`focalpoint.sync.push.apply_answer` judges both paths alike.

Call from the sync worker thread (the engine's).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from focalpoint.i18n import _
from focalpoint.models import DELETE_RECORD, Record, Workflow, WorkflowState
from focalpoint.settings_keys import ACCOUNT_META_KEY
from focalpoint.sync import pull as pulling
from focalpoint.sync import push as pushing
from focalpoint.sync.errors import MalformedAnswer, ServerError
from focalpoint.sync.meta import get_meta_json
from focalpoint.sync.protocol import (
    DOCUMENTS_PATH,
    WORKFLOWS_PATH,
    Change,
    draft_path,
    error_message,
    info_path,
    locks_path,
    parse_info,
    parse_listing,
    parse_locks,
    parse_raw_document,
    parse_workflow,
    parse_workflows,
    published_path,
    with_body,
    workflow_path,
)
from focalpoint.sync.workflows import upsert_workflow, workflow_state

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine
    from focalpoint.sync.report import SyncReport

log = logging.getLogger(__name__)

Answers = dict[str, tuple[int, Any]]


class Refused(MalformedAnswer):
    """A read was refused (4xx). Before a write, that one operation gets this answer and the others
    go on; anywhere else it ends the sync as an answer FocalPoint cannot use."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(_("HTTP {status}: {message}").format(status=status, message=error_message(body) or "-"))
        self.status = status
        self.body = body


def _unexpected(answer: Any, what: str) -> Exception:
    if 400 <= answer.status < 500:
        return Refused(answer.status, answer.body)
    return MalformedAnswer(_("HTTP {status} for {what}").format(status=answer.status, what=what))


# ---------------------------------------------------------------- reading


def read_info(engine: SyncEngine, identifier: str) -> dict[str, Any] | None:
    """The newest version's info (the draft's, else the published one's), or None if none exists."""
    for draft in (True, False):
        answer = engine._call("GET", info_path(identifier, draft=draft))
        if answer.status == 404:
            continue
        if not answer.ok:
            raise _unexpected(answer, _("a document"))
        info = parse_info(answer.body)
        if info["identifier"] != identifier:
            raise MalformedAnswer(_("a document with another identifier"))
        return {**info, "isDraft": info.get("isDraft", draft)}
    return None


def read_body(engine: SyncEngine, identifier: str, *, draft: bool | None) -> dict[str, Any] | None:
    """The raw document of the draft (``draft``), the published version, or either (None: draft
    first). None when it does not exist (any more)."""
    for is_draft in ((True, False) if draft is None else (draft,)):
        answer = engine._call("GET", draft_path(identifier) if is_draft else published_path(identifier))
        if answer.status == 404:
            continue
        if not answer.ok:
            raise _unexpected(answer, _("a document"))
        return parse_raw_document(answer.body, identifier)
    return None


def read_version(engine: SyncEngine, identifier: str, *, draft: bool | None = None) -> dict[str, Any] | None:
    """Info and raw document of the newest version (or the one asked for), as one info with ``body``."""
    info = read_info(engine, identifier) if draft is None else _info_of(engine, identifier, draft)
    if info is None:
        return None
    body = read_body(engine, identifier, draft=info.get("isDraft") is not False)
    return None if body is None else with_body(info, body)


def _info_of(engine: SyncEngine, identifier: str, draft: bool) -> dict[str, Any] | None:
    answer = engine._call("GET", info_path(identifier, draft=draft))
    if answer.status == 404:
        return None
    if not answer.ok:
        raise _unexpected(answer, _("a document"))
    return {**parse_info(answer.body), "isDraft": draft}


def pending_query(realm: str, government: str | None) -> str:
    """The ``q`` of ``GET /workflows`` for the requests still open, as real clients send it: a JSON
    (Mongo-style) filter (chm.cbd.int km-workflows ``query``; field names from the workflow data
    real clients create: ``data.realm``, ``data.metadata.government``)."""
    query: dict[str, Any] = {"state": WorkflowState.RUNNING, "data.realm": realm}
    if government:
        query["data.metadata.government"] = government
    return json.dumps(query, separators=(",", ":"))


def list_workflows(engine: SyncEngine, query: dict[str, Any] | str) -> list[dict[str, Any]]:
    q = query if isinstance(query, str) else json.dumps(query, separators=(",", ":"))
    answer = engine._call("GET", WORKFLOWS_PATH, params={"q": q})
    if not answer.ok:
        raise _unexpected(answer, _("the list of publication requests"))
    return parse_workflows(answer.body)


#: a closed request's state → the decision that closed it
_DECISION_OF: dict[str, str] = {WorkflowState.APPROVED: "approve", WorkflowState.REJECTED: "reject",
                                WorkflowState.CANCELLED: "cancel"}


def _decided(workflow: dict[str, Any]) -> str | None:
    state, _reason = workflow_state(workflow)
    return _DECISION_OF.get(state)


# ---------------------------------------------------------------- sending


def send(engine: SyncEngine, ops: list[pushing.Op]) -> Answers:
    """Send each operation after reading what the server holds (see the module docstring)."""
    answers: Answers = {}
    for op in ops:
        try:
            answers[op.entry_id] = _send_one(engine, op)
        except ServerError as exc:
            answers[op.entry_id] = (exc.status, None)
        except Refused as exc:
            answers[op.entry_id] = (exc.status, exc.body)
    return answers


def _send_one(engine: SyncEngine, op: pushing.Op) -> tuple[int, Any]:
    if op.action in ("save", "delete"):
        return _send_document(engine, op)
    if op.action in ("request_publication", "request_deletion"):
        return _send_request(engine, op)
    if op.action in ("approve", "reject", "cancel_request"):
        return _send_decision(engine, op)
    answer = engine._call(op.method, op.path, json_body=op.body)
    return answer.status, answer.body


def _send_document(engine: SyncEngine, op: pushing.Op) -> tuple[int, Any]:
    current = read_info(engine, op.identifier)
    expected = op.headers.get("If-Match")
    current_rev = str(current["revision"]) if current is not None else None
    if current_rev != expected:
        if current is None:
            return 409, {"code": "Error.Conflict", "current": None}
        body = read_body(engine, op.identifier, draft=current.get("isDraft") is not False)
        full = with_body(current, body) if body is not None else None
        if full is not None and op.body is not None and body == op.body:
            return 200, full  # our earlier attempt landed
        return 409, {"code": "Error.Conflict", "current": full}
    if op.action == "save" and current is not None and current.get("workingDocumentLock"):
        if pushing.REVIEW_HEADER not in op.headers:
            # an edit that is not the reviewer's correction never changes the version under review
            return 423, {"code": "Error.Locked", "message": "The draft is locked for review."}
        return _save_through_lock(engine, op)
    answer = engine._call(op.method, op.path, json_body=op.body)
    return answer.status, answer.body


def _save_through_lock(engine: SyncEngine, op: pushing.Op) -> tuple[int, Any]:
    """A draft under review, corrected by its reviewer: lift the lock, save, lock again (as the
    CHM's own edit form does). Someone who may not lift it gets the server's refusal (423/403)."""
    answer = engine._call("GET", locks_path(op.identifier))
    if not answer.ok:
        return answer.status, answer.body
    lock_ids = parse_locks(answer.body)
    if not lock_ids:
        answer = engine._call(op.method, op.path, json_body=op.body)
        return answer.status, answer.body
    lock_id = lock_ids[0]
    unlocked = engine._call("DELETE", locks_path(op.identifier, lock_id))
    if unlocked.status in (401, 403):
        return 423, {"code": "Error.Locked", "message": error_message(unlocked.body)}
    if not unlocked.ok:
        return unlocked.status, unlocked.body
    try:
        saved = engine._call(op.method, op.path, json_body=op.body)
    finally:  # the request stays under review whatever became of the save
        relocked = engine._call("PUT", locks_path(op.identifier, lock_id))
        if not relocked.ok:
            log.warning("the lock %s of %s could not be put back (HTTP %s)", lock_id, op.identifier,
                        relocked.status)
    return saved.status, saved.body


def _send_request(engine: SyncEngine, op: pushing.Op) -> tuple[int, Any]:
    """A publication or deletion request: an open request for the record is ours (a retry whose
    answer was lost, or one made on another machine); otherwise complete the request with the
    draft's info (documentID, working title, as real clients do) and send it."""
    deletion = op.action == "request_deletion"
    for workflow in list_workflows(engine, {"data.identifier": op.identifier, "state": WorkflowState.RUNNING}):
        if (workflow.get("type") == DELETE_RECORD) == deletion:
            return 200, workflow
    body = json.loads(json.dumps(op.body))
    data = body["data"]
    info = _info_of(engine, op.identifier, draft=not deletion)
    if info is None and deletion:
        info = read_info(engine, op.identifier)
    if info is not None:
        for key, source in (("documentID", "documentID"), ("title", "workingDocumentTitle"),
                            ("abstract", "workingDocumentSummary"), ("metadata", "workingDocumentMetadata")):
            if info.get(source) is not None:
                data[key] = info[source]
    answer = engine._call("POST", WORKFLOWS_PATH, json_body=body)
    return answer.status, answer.body


def _send_decision(engine: SyncEngine, op: pushing.Op) -> tuple[int, Any]:
    """Approve, reject or cancel: a request already closed with this very decision is done."""
    workflow_id = op.path.split("?", 1)[0].removeprefix(WORKFLOWS_PATH + "/").split("/", 1)[0]
    current = engine._call("GET", workflow_path(workflow_id))
    if current.ok:
        workflow = parse_workflow(current.body)
        if workflow.get("state") != WorkflowState.RUNNING:
            wanted = {"approve": "approve", "reject": "reject", "cancel_request": "cancel"}[op.action]
            if _decided(workflow) == wanted:
                return 200, workflow
            return 409, {"code": "Error.WorkflowClosed", "state": workflow.get("state")}
    answer = engine._call(op.method, op.path, json_body=op.body)
    return answer.status, answer.body


# ---------------------------------------------------------------- pulling


def pull(engine: SyncEngine, report: SyncReport) -> None:
    """Bring the local store level with the server through the plain API (one transaction)."""
    items = _full_listing(engine)
    with engine.db.session() as session:
        held = {uid: (rev, base, deleted) for uid, rev, base, deleted in session.execute(
            select(Record.identifier, Record.server_revision, Record.base_document, Record.deleted)
            .where(Record.server_revision.is_not(None)))}
        open_here = [w.id for w in session.scalars(select(Workflow).where(Workflow.state == WorkflowState.RUNNING))]
    workflows = _pull_workflows(engine, open_here)
    by_record: dict[str, list[dict[str, Any]]] = {}
    for workflow in workflows:
        by_record.setdefault(workflow["data"]["identifier"], []).append(workflow)
    changes: list[Change] = []
    for item in items:
        engine._check_cancel()
        uid = item["identifier"]
        rev, base, deleted = held.get(uid, (None, None, False))
        if isinstance(item.get("body"), dict):
            info = item
        elif rev == item["revision"] and isinstance(base, dict) and not deleted:
            info = with_body(item, base)  # unchanged: no download (its status may have moved)
        else:
            body = read_body(engine, uid, draft=None if item.get("isDraft") is None else bool(item["isDraft"]))
            if body is None:
                continue  # gone since the listing; the next sync sees it
            info = with_body(item, body)
        changes.append(Change(seq=0, identifier=uid, revision=item["revision"], deleted=bool(item.get("deleted")),
                              info=info, workflows=by_record.get(uid, [])))
    listed = {item["identifier"] for item in items}
    for uid, (rev, base, deleted) in held.items():
        if uid in listed or deleted:
            continue
        # not listed: deleted on the server, or a version the listing leaves out (which versions the
        # real CHM's listing shows is not documented): ask before taking it as deleted
        engine._check_cancel()
        found = read_info(engine, uid)
        if found is None:
            changes.append(Change(seq=0, identifier=uid, revision=None, deleted=True, info=None,
                                  workflows=by_record.get(uid, [])))
            continue
        if found["revision"] == rev and isinstance(base, dict):
            info = with_body(found, base)
        else:
            body = read_body(engine, uid, draft=found.get("isDraft") is not False)
            if body is None:
                continue
            info = with_body(found, body)
        changes.append(Change(seq=0, identifier=uid, revision=info["revision"], deleted=False, info=info,
                              workflows=by_record.get(uid, [])))
    with engine.db.session(write=True) as session:
        for workflow in workflows:
            upsert_workflow(session, workflow)
        session.flush()
        result = pulling.apply_changes(session, changes, now=engine.clock(), actor=engine.actor)
    engine._account_pull(result, report)
    engine._done += len(items)
    engine._emit("receiving", _("Receiving changes…"))


def _full_listing(engine: SyncEngine) -> list[dict[str, Any]]:
    """Every record the person may see, newest version each (``collection=mydraft``), all pages."""
    items: list[dict[str, Any]] = []
    skip = 0
    while True:
        engine._check_cancel()
        params: dict[str, Any] = {"collection": "mydraft", "$top": engine.page_size, "$skip": skip}
        answer = engine._call("GET", DOCUMENTS_PATH, params=params)
        if not answer.ok:
            raise MalformedAnswer(_("HTTP {status} for the list of documents").format(status=answer.status))
        page, count = parse_listing(answer.body)
        items += page
        skip += len(page)
        if not page or len(page) < engine.page_size or (count is not None and skip >= count):
            return items


def _pull_workflows(engine: SyncEngine, open_here: list[str]) -> list[dict[str, Any]]:
    """Open requests (``GET /workflows?q=``, for reviewers and authors alike) and the fate of every
    request still open on this machine (one ``GET /workflows/{id}`` each)."""
    with engine.db.session() as session:
        account = get_meta_json(session, ACCOUNT_META_KEY) or {}
    government = account.get("government") if isinstance(account, dict) else None
    found = {w["_id"]: w for w in list_workflows(engine, pending_query(engine.client.realm, government))}
    for workflow_id in open_here:
        if workflow_id in found:
            continue
        engine._check_cancel()
        answer = engine._call("GET", workflow_path(workflow_id))
        if answer.status == 404:
            continue
        if not answer.ok:
            raise MalformedAnswer(_("HTTP {status} for a publication request").format(status=answer.status))
        found[workflow_id] = parse_workflow(answer.body)
    return list(found.values())
