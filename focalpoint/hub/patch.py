"""Draft saves sent as a JSON Merge Patch (RFC 7396), FocalPoint's ``merge-patch`` extension.

A client that holds the server's copy of a record at revision N may send only what it
changed: ``PUT .../versions/draft`` with ``Content-Type: application/merge-patch+json``
and ``If-Match: N``. The hub applies the patch to the document it stores at revision N
and saves the result exactly as a whole document (same validation, permissions, locks,
review header, idempotency and answer). A patch made on a revision that is no longer the
current one answers 412 ``Error.PreconditionFailed`` with the current copy, as a stale
whole save answers 409, so the client merges and sends again.

Merging itself is ``json_merge_patch`` (a maintained implementation of the RFC).
Any worker thread may call these functions (inside a write transaction for :func:`patched_document`).
"""

from __future__ import annotations

import copy
from typing import Any

import json_merge_patch
from fastapi import Request

from focalpoint.hub.context import Hub, WriteContext
from focalpoint.hub.errors import HubError
from focalpoint.hub.info import current_info, current_revision, users_of_records
from focalpoint.hub.permissions import check_write, may_know_of
from focalpoint.hub.records import check_uid, get_record, parse_if_match

MERGE_PATCH_TYPE = "application/merge-patch+json"
EXTENSION = "merge-patch"


def enabled(hub: Hub) -> bool:
    """Whether this hub takes merge patches (on unless ``create_app(merge_patch=False)`` or plain CHM)."""
    return hub.merge_patch and not hub.plain_chm


def refuse_if_disabled(hub: Hub) -> None:
    """415 when this hub does not take merge patches."""
    if not enabled(hub):
        raise HubError(415, "Error.UnsupportedMediaType",
                       "This hub does not take merge patches; send the whole document as application/json.")


def is_merge_patch(content_type: str | None) -> bool:
    """True for ``application/merge-patch+json`` (parameters such as ``charset`` allowed)."""
    return (content_type or "").split(";")[0].strip().lower() == MERGE_PATCH_TYPE


def wants_patch(request: Request) -> bool:
    """True when the request body is a merge patch this hub takes; 415 when the hub does not take them."""
    if not is_merge_patch(request.headers.get("content-type")):
        return False
    refuse_if_disabled(request.app.state.hub)
    return True


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``target`` with ``patch`` applied (``target`` itself is left unchanged)."""
    return json_merge_patch.merge(copy.deepcopy(target), copy.deepcopy(patch))


def patched_document(ctx: WriteContext, uid: str, patch: Any, if_match: str | None) -> Any:
    """The document a merge patch makes of the record's copy at the revision ``If-Match`` names.

    428 without ``If-Match``; 412 (with ``current``, the record's current copy) when that revision
    is not the current one or the record is gone; 403/404 as a whole save when the caller may not
    write the record. Call inside the write transaction that saves the result.
    """
    refuse_if_disabled(ctx.hub)
    expected = parse_if_match(if_match)
    if expected is None:
        raise HubError(428, "Error.PreconditionRequired",
                       "A merge patch must name the revision it was made on: send If-Match: \"N\".")
    record = get_record(ctx.session, check_uid(uid), for_update=True)
    if record is None or not may_know_of(ctx.principal, record.government, record.created_by,
                                         record.published_body is not None):
        # another government's unpublished draft answers as an identifier nobody used: no oracle
        raise HubError(412, "Error.PreconditionFailed", "The record does not exist on the hub.",
                       current=None, currentRevision=None)
    check_write(ctx.principal, record.government, record.created_by)
    current = current_revision(record)
    base = None if record.deleted else (record.draft_body if record.draft_body is not None
                                        else record.published_body)
    if expected != current or not isinstance(base, dict):
        info = current_info(record, users_of_records(ctx.session, [record]))
        raise HubError(412, "Error.PreconditionFailed",
                       f"The patch was made on revision {expected}; the record is now at revision {current}.",
                       current=info, currentRevision=current)
    return apply_merge_patch(base, patch)


#: what a draft save's answer carries for the CHM's editors (the document's title and summary again)
WORKING_DOCUMENT_FIELDS = ("workingDocumentTitle", "workingDocumentSummary", "workingDocumentMetadata",
                           "workingDocumentCreatedOn", "workingDocumentUpdatedOn")


def prefers_minimal(prefer: str | None) -> bool:
    """True for ``Prefer: return=minimal`` (RFC 7240), among other preferences."""
    return any(part.strip().lower().replace(" ", "") == "return=minimal" for part in (prefer or "").split(","))


def minimal(body: Any) -> Any:
    """A draft-save answer without the working document's copies (the client holds the document)."""
    if not isinstance(body, dict):
        return body
    return {k: v for k, v in body.items() if k not in WORKING_DOCUMENT_FIELDS}
