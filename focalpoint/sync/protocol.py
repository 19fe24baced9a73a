"""The wire shapes of docs/sync-protocol.md, checked before anything touches the database.

Each ``parse_*`` function takes the JSON the server sent and returns it
checked (and lightly normalized), or raises :class:`MalformedAnswer` naming
what was wrong. Paths of the API live here too, so the engine reads as the
protocol does. Pure functions; any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from focalpoint.i18n import _
from focalpoint.sync.errors import MalformedAnswer

API = "/api/v2013"
CAPABILITIES_PATH = f"{API}/focalpoint/capabilities"
CHANGES_PATH = f"{API}/focalpoint/changes"
BATCH_PATH = f"{API}/focalpoint/batch"
TOKEN_PATH = f"{API}/authentication/token"
USER_PATH = f"{API}/authentication/user"
DOCUMENTS_PATH = f"{API}/documents"
WORKFLOWS_PATH = f"{API}/workflows"

EXTENSIONS = ("changes", "changes-have", "idempotency", "preconditions", "batch", "bundles", "focalpoint-records")
#: the server takes FocalPoint's own record types (needs assessments, QA checklists); the CHM does not
FOCALPOINT_RECORDS = "focalpoint-records"


def draft_path(identifier: str, schema: str | None = None) -> str:
    path = f"{DOCUMENTS_PATH}/{quote(identifier, safe='')}/versions/draft"
    if schema:
        path += f"?schema={quote(schema, safe='')}"
    return path


def published_path(identifier: str) -> str:
    """``GET``: the raw published document (the CHM answers the record JSON itself)."""
    return f"{DOCUMENTS_PATH}/{quote(identifier, safe='')}"


def info_path(identifier: str, *, draft: bool) -> str:
    """``GET``: a version's info (identifier, revision, metadata, workingDocument*), without the document."""
    return (draft_path(identifier) if draft else published_path(identifier)) + "/info"


def locks_path(identifier: str, lock_id: str | None = None) -> str:
    """The draft's locks (``GET`` lists them); with ``lock_id``: ``PUT`` locks, ``DELETE`` unlocks."""
    path = draft_path(identifier) + "/locks"
    return path + f"/{quote(lock_id, safe='')}" if lock_id else path


def workflow_path(workflow_id: str) -> str:
    return f"{WORKFLOWS_PATH}/{quote(workflow_id, safe='')}"


def _fail(what: str) -> MalformedAnswer:
    return MalformedAnswer(what)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(value: Any, where: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, else :class:`MalformedAnswer` naming ``where``."""
    if not isinstance(value, dict):
        raise _fail(_("{where} is not an object").format(where=where))
    return value


def _require(obj: Any, key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    """``obj[key]`` checked to be of ``kind`` (None when absent and ``optional``)."""
    obj = _object(obj, where)
    if key not in obj or obj[key] is None:
        if optional:
            return None
        raise _fail(_("{where} has no {key}").format(where=where, key=key))
    value = obj[key]
    if kind is int:
        ok = _is_int(value)
    else:
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if not ok:
        raise _fail(_("{key} in {where} has the wrong type").format(key=key, where=where))
    return value


@dataclass(frozen=True)
class Capabilities:
    protocol: int = 0
    extensions: frozenset[str] = frozenset()
    max_batch: int = 1

    def has(self, name: str) -> bool:
        return name in self.extensions

    def to_json(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "extensions": sorted(self.extensions), "maxBatch": self.max_batch}


NO_EXTENSIONS = Capabilities()


def parse_capabilities(body: Any) -> Capabilities:
    where = _("the capabilities")
    protocol = _require(body, "protocol", int, where)
    extensions = _require(body, "extensions", list, where)
    if not all(isinstance(e, str) for e in extensions):
        raise _fail(_("extensions in {where} has the wrong type").format(where=where))
    max_batch = _require(body, "maxBatch", int, where, optional=True) or 100
    return Capabilities(protocol=protocol, extensions=frozenset(extensions), max_batch=max(1, max_batch))


def parse_token(body: Any) -> str:
    token: str = _require(body, "authenticationToken", str, _("the sign-in answer"))
    if not token.strip():
        raise _fail(_("an empty sign-in token"))
    return token


def _check_info(doc: dict[str, Any], where: str) -> bool:
    """Check the fields every document info has (the body aside); returns whether it is deleted."""
    _require(doc, "identifier", str, where)
    _require(doc, "revision", int, where)
    deleted = _require(doc, "deleted", bool, where, optional=True)
    _require(doc, "metadata", dict, where, optional=True)
    _require(doc, "workingDocumentLock", dict, where, optional=True)
    for key in ("type", "createdOn", "updatedOn"):
        _require(doc, key, str, where, optional=True)
    return bool(deleted)


def parse_info(body: Any) -> dict[str, Any]:
    """A CHM document info as listings, ``.../info`` and draft saves send it: no ``body`` needed."""
    where = _("a document")
    doc = _object(body, where)
    _check_info(doc, where)
    if doc.get("body") is not None and not isinstance(doc["body"], dict):
        raise _fail(_("body in {where} has the wrong type").format(where=where))
    return doc


def parse_raw_document(body: Any, identifier: str) -> dict[str, Any]:
    """A raw CHM document (``GET /documents/{uid}``, ``.../versions/draft``): an object whose
    ``header.identifier`` is the one asked for."""
    where = _("a document")
    doc = _object(body, where)
    header = _require(doc, "header", dict, where)
    if header.get("identifier") not in (None, identifier):
        raise _fail(_("a document with another identifier"))
    return doc


def with_body(info: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The info completed with its document (the shape the local store applies)."""
    return {**info, "body": body}


def parse_document_info(body: Any, *, allow_tombstone: bool = False) -> dict[str, Any]:
    """A CHM document info: identifier, integer revision, body object (checked).

    With ``allow_tombstone``, a deleted record's info (``deleted: true``, body null) passes too.
    """
    where = _("a document")
    doc = _object(body, where)
    deleted = _check_info(doc, where)
    _require(doc, "body", dict, where, optional=allow_tombstone and deleted)
    return doc


def parse_workflow(body: Any) -> dict[str, Any]:
    where = _("a workflow")
    doc = _object(body, where)
    _require(doc, "_id", str, where)
    _require(doc, "type", str, where)
    _require(doc, "state", str, where)
    data = _require(doc, "data", dict, where)
    _require(data, "identifier", str, where)
    if data.get("revision") is not None and not _is_int(data["revision"]):
        raise _fail(_("revision in {where} has the wrong type").format(where=where))
    activities = _require(doc, "activities", list, where, optional=True) or []
    for activity in activities:
        if not isinstance(activity, dict):
            raise _fail(_("an activity in {where} is not an object").format(where=where))
        result = activity.get("result")
        if result is not None and not isinstance(result, dict):
            raise _fail(_("an activity result in {where} has the wrong type").format(where=where))
    return doc


@dataclass
class Change:
    seq: int | str
    identifier: str
    revision: int | None
    deleted: bool
    info: dict[str, Any] | None
    workflows: list[dict[str, Any]] = field(default_factory=list)
    # the hub left the body out (we named this revision in ``have``): fill it in before applying
    body_omitted: bool = False


@dataclass
class ChangesPage:
    results: list[Change]
    last_seq: int | str
    more: bool


def _seq(value: Any, where: str) -> int | str:
    if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value):
        return value
    raise _fail(_("seq in {where} has the wrong type").format(where=where))


def parse_changes(body: Any) -> ChangesPage:
    where = _("the list of changes")
    results = _require(body, "results", list, where)
    last_seq = _seq(body.get("last_seq"), where)
    more = body.get("more", False)
    if not isinstance(more, bool):
        raise _fail(_("more in {where} has the wrong type").format(where=where))
    changes: list[Change] = []
    for item in results:
        identifier = _require(item, "identifier", str, where)
        seq = _seq(item.get("seq"), where)
        revision = _require(item, "revision", int, where, optional=True)
        deleted = _require(item, "deleted", bool, where, optional=True) or False
        info = item.get("info")
        omitted = isinstance(info, dict) and info.get("bodyOmitted") is True and info.get("body") is None
        if omitted:
            # a copy we said we hold (``have``): everything but the body, which comes from our store
            if deleted or info.get("deleted"):
                raise _fail(_("a change without its document"))
            info = parse_document_info({**info, "body": {}})
            if info["identifier"] != identifier:
                raise _fail(_("a change whose document has another identifier"))
            info = {**info, "body": None}
        elif info is not None:
            info = parse_document_info(info, allow_tombstone=True)
            if info["identifier"] != identifier:
                raise _fail(_("a change whose document has another identifier"))
            if info.get("deleted") or info.get("body") is None:
                deleted = True
                revision = revision if revision is not None else info["revision"]
                info = None
        elif not deleted:
            raise _fail(_("a change without its document"))
        workflows = _require(item, "workflows", list, where, optional=True) or []
        changes.append(Change(seq=seq, identifier=identifier,
                              revision=revision if revision is not None else (info or {}).get("revision"),
                              deleted=deleted or bool((info or {}).get("deleted")), info=info,
                              workflows=[parse_workflow(w) for w in workflows], body_omitted=omitted))
    return ChangesPage(results=changes, last_seq=last_seq, more=more)


def parse_batch(body: Any, ids: list[str]) -> dict[str, tuple[int, Any]]:
    """``{operation id: (status, body)}`` for the operations that were answered."""
    where = _("the batch answer")
    results = _require(body, "results", list, where)
    out: dict[str, tuple[int, Any]] = {}
    wanted = set(ids)
    for item in results:
        op_id = _require(item, "id", str, where)
        status = _require(item, "status", int, where)
        if op_id in wanted:
            out[op_id] = (status, item.get("body"))
    return out


def parse_listing(body: Any) -> tuple[list[dict[str, Any]], int | None]:
    """``{"Count", "Items"}`` of the plain documents API (fallback pull): infos, without body as the
    CHM lists them (a body, when a server sends one, is used). Returns (items, Count)."""
    where = _("the list of documents")
    items = _require(body, "Items", list, where)
    count = _require(body, "Count", int, where, optional=True)
    return [parse_info(i) for i in items], count


def parse_workflows(body: Any) -> list[dict[str, Any]]:
    """``GET /workflows?q=``: a list of workflows (checked one by one)."""
    if not isinstance(body, list):
        raise _fail(_("the list of publication requests is not a list"))
    return [parse_workflow(w) for w in body]


def parse_locks(body: Any) -> list[str]:
    """``GET .../versions/draft/locks``: the lock ids (real clients read ``data[0].lockID``)."""
    if not isinstance(body, list):
        raise _fail(_("the list of locks is not a list"))
    return [_require(item, "lockID", str, _("a lock")) for item in body]


def error_message(body: Any) -> str | None:
    """The server's own message, if it sent one (the CHM's envelope: ``{statusCode, code, message}``)."""
    if isinstance(body, dict):
        for key in ("message", "reason", "code"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return None
