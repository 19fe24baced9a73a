"""Document info and workflow objects in the CHM's JSON shapes.

An *info* is the CHM's metadata of one version (identifier, revision, metadata,
createdOn/updatedOn, workingDocument* ...). The real CHM answers it at
``.../info`` and in listings and draft-save answers WITHOUT the document
(:func:`without_body`); the raw document is at ``GET /documents/{uid}`` and
``.../versions/draft``. FocalPoint's extension (change feed, 409 ``current``,
deletion answers) carries infos with ``body``.

Functions take ORM rows plus a ``{user id: user ref}`` map (see
``focalpoint.hub.accounts.user_refs``) so a page of results costs one user query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from focalpoint.hub.accounts import user_refs
from focalpoint.hub.context import iso
from focalpoint.hub.models import Record, Workflow
from focalpoint.models import WorkflowType

ACTIVITY = "publishRecord"


def current_revision(record: Record | None) -> int | None:
    """The revision of the newest version that exists: draft, else published, else the tombstone."""
    if record is None:
        return None
    if record.deleted:
        return record.revision
    if record.draft_body is not None:
        return record.draft_revision
    return record.published_revision


def users_of_records(session: Session, records: list[Record]) -> dict[int, dict[str, Any]]:
    ids: set[int | None] = set()
    for r in records:
        ids.update({r.created_by, r.updated_by, r.draft_updated_by, r.published_by})
    return user_refs(session, ids)


def users_of_workflows(session: Session, workflows: list[Workflow]) -> dict[int, dict[str, Any]]:
    ids: set[int] = set()
    for w in workflows:
        ids.add(w.created_by)
        if w.result and w.result.get("by") is not None:
            ids.add(w.result["by"])
    return user_refs(session, ids)


def _user(users: dict[int, dict[str, Any]], user_id: int | None) -> dict[str, Any] | None:
    """The user ref of ``user_id``; ``None`` when there is no such user (or no id)."""
    return users.get(user_id) if user_id is not None else None


def _lock(record: Record) -> dict[str, Any] | None:
    if not record.lock_workflow_id:
        return None
    return {"lockID": f"workflow-{record.lock_workflow_id}", "workflowId": record.lock_workflow_id}


def _base(record: Record, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "identifier": record.identifier,
        "type": record.schema,
        "realm": record.realm,
        "createdOn": iso(record.created_on),
        "createdBy": users.get(record.created_by),
        "metadata": {"government": record.government, "schema": record.schema},
        "workingDocumentLock": _lock(record),
    }


def without_body(info: dict[str, Any]) -> dict[str, Any]:
    """The info as the real CHM sends it: everything but the document."""
    return {k: v for k, v in info.items() if k != "body"}


def working_document(record: Record) -> dict[str, Any]:
    """``workingDocumentTitle/Summary/Metadata`` of the draft: what real clients copy from a draft's
    info (``.../versions/draft/info``, a draft save's answer) into a workflow request. Left out of
    the change feed and listings (bytes)."""
    body = record.draft_body
    body = body if isinstance(body, dict) else {}
    title = body.get("title") if "title" in body else body.get("name")
    metadata: dict[str, Any] = {"schema": record.schema}
    if record.government:
        metadata["government"] = record.government
    return {"workingDocumentTitle": title, "workingDocumentSummary": body.get("summary"),
            "workingDocumentMetadata": metadata, "workingDocumentCreatedOn": iso(record.created_on),
            "workingDocumentUpdatedOn": iso(record.draft_updated_on)}


def _version_info(record: Record, users: dict[int, dict[str, Any]], revision: int | None,
                  updated_on: dt.datetime | None, updated_by: int | None, body: dict[str, Any] | None, *,
                  is_draft: bool = False, deleted: bool = False) -> dict[str, Any]:
    """The info of one version of ``record``: what every version shares, then that version's own."""
    return {**_base(record, users), "revision": revision, "updatedOn": iso(updated_on),
            "updatedBy": _user(users, updated_by), "isDraft": is_draft,
            "publishedRevision": None if deleted else record.published_revision, "body": body,
            "deleted": deleted}


def draft_info(record: Record, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The info of the record's draft, with the document."""
    return _version_info(record, users, record.draft_revision, record.draft_updated_on,
                         record.draft_updated_by, record.draft_body, is_draft=True)


def published_info(record: Record, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The info of the record's published version, with the document."""
    return _version_info(record, users, record.published_revision, record.published_on,
                         record.published_by, record.published_body)


def tombstone_info(record: Record, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The info of a deleted record: its last revision, no document."""
    return _version_info(record, users, record.revision, record.updated_on, record.updated_by, None,
                         deleted=True)


def current_info(record: Record, users: dict[int, dict[str, Any]], *, with_draft: bool = True) -> dict[str, Any] | None:
    """The newest version's info (the draft only when ``with_draft``); None if nothing is visible."""
    if record.deleted:
        return tombstone_info(record, users)
    if with_draft and record.draft_body is not None:
        return draft_info(record, users)
    if record.published_body is not None:
        return published_info(record, users)
    return None


def wf_version(wf: Workflow) -> str | None:
    """The workflow type's version as real clients send it ("0.4" for national records and
    deletions; none for reference records: chm.cbd.int editFormUtility)."""
    return None if wf.type == WorkflowType.PUBLISH_REFERENCE else "0.4"


def workflow_json(wf: Workflow, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
    result = None
    if wf.result:
        result = dict(wf.result)
        if result.get("by") is not None:
            result["by"] = users.get(result["by"], {"userID": result["by"]})
    return {
        "_id": wf.id,
        "type": wf.type,
        "version": wf_version(wf),
        "state": wf.state,
        "createdBy": users.get(wf.created_by),
        "createdOn": iso(wf.created_on),
        "closedOn": iso(wf.closed_on),
        "data": {"realm": "CHM", "identifier": wf.identifier, "revision": wf.revision,
                 "government": wf.government, "schema": wf.schema, "title": wf.title,
                 "metadata": {k: v for k, v in (("government", wf.government), ("schema", wf.schema)) if v}},
        "activities": [{"name": ACTIVITY, "state": wf.activity_state, "result": result}],
    }
