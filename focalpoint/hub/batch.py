"""``POST /api/v2013/focalpoint/batch``: several writes in one round trip.

Each operation runs as if sent alone: its own transaction, its ``id`` as its
Idempotency-Key, its own status. One refused operation does not stop the others.
Any worker thread may call :func:`run_batch`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.exc import DataError

from focalpoint.hub import patch, records, workflows
from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Hub, Reply, WriteContext
from focalpoint.hub.errors import HubError, bad_request, refused_value
from focalpoint.hub.idempotency import fingerprint, perform_write
from focalpoint.hub.models import User
from focalpoint.models import WorkflowAction, WorkflowType

_DRAFT = re.compile(r"^/api/v2013/documents/([^/]+)/versions/draft$")
_WORKFLOWS = re.compile(r"^/api/v2013/workflows$")
_ACTIVITY = re.compile(r"^/api/v2013/workflows/([^/]+)/activities/([^/]+)$")
_WORKFLOW = re.compile(r"^/api/v2013/workflows/([^/]+)$")


#: who made a change carried for someone else (an outbox bundle's entry ``author``): on a batch operation
#: as ``"author"`` or this header, on a single request as this header
AUTHOR_HEADER = "X-FocalPoint-Author"


def is_decision(method: str, route: str, body: Any) -> bool:
    """Whether the write is a decision that only its author may send: an approval or a rejection
    (``PUT /workflows/{id}/activities/…``) or a deletion request (``POST /workflows`` of type
    ``deleteRecord``); ``focalpoint.sync.bundle.PERSONAL_ACTIONS`` on the client."""
    if method == "PUT" and _ACTIVITY.match(route):
        return True
    return method == "POST" and bool(_WORKFLOWS.match(route)) and isinstance(body, dict) \
        and body.get("type") == WorkflowType.DELETE_RECORD


def check_author(ctx: WriteContext, author: str, decision: bool) -> None:
    """Refuse (403 ``Error.ForeignAuthor``) a change whose named author the uploader may not speak for:
    a decision made by anyone but the uploader, or any change by someone who is not a user of this hub
    of the uploader's own government. Runs in the write's transaction."""
    p = ctx.principal
    name = author.strip().lower()
    if decision and name != p.email.strip().lower():
        raise HubError(403, "Error.ForeignAuthor", f"This decision was made by {author.strip()[:320]}; it can "
                       "only be sent by that person, signed in as themselves.", author=author.strip()[:320])
    user = ctx.session.scalar(select(User).where(User.email == name[:320]))
    if user is None or user.government != p.government:
        raise HubError(403, "Error.ForeignAuthor", f"This change was made by {author.strip()[:320]}, who is not "
                       "a user of your government on this hub; it cannot be sent under your name.",
                       author=author.strip()[:320])


def authored(action: Callable[[WriteContext], Reply], author: str | None, decision: bool) -> Callable[[WriteContext], Reply]:
    """``action``, preceded by :func:`check_author` when the write names an author."""
    if author is None:
        return action

    def run(ctx: WriteContext) -> Reply:
        check_author(ctx, author, decision)
        return action(ctx)

    return run


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name and value is not None:
            return str(value)
    return None


def _action(method: str, path: str, headers: dict[str, Any], body: Any) -> Callable[[WriteContext], Reply]:
    parts = urlsplit(path)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    route = parts.path
    if_match, if_none_match = _header(headers, "if-match"), _header(headers, "if-none-match")
    if m := _DRAFT.match(route):
        uid = unquote(m.group(1))
        if method == "PUT":
            review_of = _header(headers, records.REVIEW_HEADER.lower())
            if patch.is_merge_patch(_header(headers, "content-type")):  # extension: a JSON Merge Patch
                return lambda ctx: records.save_draft(ctx, uid, query.get("schema"),
                                                      patch.patched_document(ctx, uid, body, if_match),
                                                      if_match, if_none_match, review_of=review_of)
            return lambda ctx: records.save_draft(ctx, uid, query.get("schema"), body, if_match, if_none_match,
                                                  review_of=review_of)
        if method == "DELETE":
            return lambda ctx: records.delete_draft(ctx, uid, if_match)
    elif _WORKFLOWS.match(route) and method == "POST":
        return lambda ctx: workflows.create_workflow(ctx, body)
    elif m := _ACTIVITY.match(route):
        if method == "PUT":
            wf_id, activity = unquote(m.group(1)), unquote(m.group(2))
            return lambda ctx: workflows.act(ctx, wf_id, activity, body)
    elif (m := _WORKFLOW.match(route)) and method == "DELETE" and query.get("action") == WorkflowAction.CANCEL:
        wf_id = unquote(m.group(1))
        return lambda ctx: workflows.cancel(ctx, wf_id)
    raise HubError(400, "Error.UnsupportedOperation",
                   f"A batch cannot carry {method} {route}; it carries draft saves and deletions and "
                   "workflow requests, decisions and cancellations.")


def run_batch(hub: Hub, principal: Principal, payload: Any, realm: str = "CHM") -> Reply:
    if not isinstance(payload, dict) or not isinstance(payload.get("operations"), list):
        raise bad_request("Error.InvalidRequest", "Send {\"operations\": [...]}.")
    operations = payload["operations"]
    if len(operations) > hub.max_batch:
        raise HubError(413, "Error.BatchTooLarge", f"A batch holds at most {hub.max_batch} operations.",
                       maxBatch=hub.max_batch)
    results = []
    for op in operations:
        op_id = op.get("id") if isinstance(op, dict) else None
        try:
            if not isinstance(op, dict) or not isinstance(op.get("path"), str) \
                    or not isinstance(op.get("method"), str):
                raise bad_request("Error.InvalidRequest", "An operation needs a method and a path.")
            headers = op.get("headers") or {}
            if not isinstance(headers, dict):
                raise bad_request("Error.InvalidRequest", "An operation's headers must be an object.")
            if op_id is not None and not isinstance(op_id, str):
                raise bad_request("Error.InvalidRequest", "An operation's id must be a string.")
            method = op["method"].upper()
            body = op.get("body")
            author = op.get("author") if op.get("author") is not None else _header(headers, AUTHOR_HEADER.lower())
            if author is not None and not isinstance(author, str):
                raise bad_request("Error.InvalidRequest", "An operation's author must be an e-mail address.")
            action = authored(_action(method, op["path"], headers, body), author,
                              is_decision(method, urlsplit(op["path"]).path, body))
            key = op_id or _header(headers, "idempotency-key")
            reply = perform_write(hub, principal, key, fingerprint(method, urlsplit(op["path"]).path, body), action,
                                  realm=realm)
            answer = reply.body
            if 200 <= reply.status < 300 and patch.prefers_minimal(_header(headers, "prefer")):
                answer = patch.minimal(answer)  # Prefer: return=minimal (RFC 7240): no working-document copies
            result = {"id": op_id, "status": reply.status, "body": answer}
            if reply.replay:
                result["replay"] = True
        except HubError as exc:
            result = {"id": op_id, "status": exc.status, "body": exc.body()}
        except (DataError, OverflowError):  # the database refused a value of this operation (rolled back)
            refused = refused_value()
            result = {"id": op_id, "status": refused.status, "body": refused.body()}
        results.append(result)
    return Reply(200, {"results": results})
