"""Who may do what to a record: the rules the hub enforces on every request.

A *national* record carries a government; a *reference* record does not.

- Drafts of a national record: its government's ``authorized-user`` and
  ``focal-point`` users; never another government's, never the secretariat.
- Drafts of a reference record: anyone may create one; afterwards its author and
  the secretariat may change it.
- Approving or rejecting a workflow: a ``focal-point`` of the record's government
  (national) or the ``secretariat`` (reference), and never the workflow's creator.
- Cancelling a workflow: its creator, or someone who could approve it.

Pure functions of plain data; any thread may call them.
"""

from __future__ import annotations

from focalpoint.hub.accounts import FOCAL_POINT, Principal
from focalpoint.hub.errors import forbidden


def check_write(p: Principal, government: str | None, creator_id: int | None) -> None:
    """Raise 403 unless ``p`` may save or discard a draft of such a record."""
    if government is not None:
        if p.is_secretariat:
            raise forbidden("The secretariat does not edit national records.")
        if p.government != government:
            raise forbidden("You may only edit records of your own government.")  # names no government
    elif creator_id is not None and creator_id != p.id and not p.is_secretariat:
        raise forbidden("Only the author of a reference record or the secretariat may change it.")


def may_review(p: Principal, government: str | None) -> bool:
    """Whether ``p`` holds the authority that approves records of this kind (ignoring authorship)."""
    if government is not None:
        return p.role == FOCAL_POINT and p.government == government
    return p.is_secretariat


def check_review(p: Principal, government: str | None, workflow_creator: int) -> None:
    """Raise 403 unless ``p`` may approve or reject a workflow on such a record."""
    if not may_review(p, government):
        if government is not None:
            raise forbidden("Only a national focal point (publishing authority) of the record's government "
                            "may approve or reject this request.")
        raise forbidden("Only the secretariat may approve or reject requests on reference records.")
    if workflow_creator == p.id:
        raise forbidden("You cannot approve or reject a request you made yourself; another "
                        "publishing authority must review it.")


def check_cancel(p: Principal, government: str | None, workflow_creator: int) -> None:
    """Raise 403 unless ``p`` may cancel a workflow on such a record."""
    if workflow_creator == p.id or may_review(p, government):
        return
    raise forbidden("Only the person who made the request or a publishing authority may cancel it.")


def can_see_record(p: Principal, government: str | None, creator_id: int, published: bool) -> bool:
    """Whether ``p`` may see the record at all (its draft included when it may edit it)."""
    if p.is_secretariat:
        return True
    if government is not None:
        return p.government == government
    return published or creator_id == p.id


def may_know_of(p: Principal, government: str | None, creator_id: int | None, published: bool) -> bool:
    """Whether ``p`` may learn that such a record exists: a published record is public, a draft only
    to those who may see it. Where this is false, a route answers exactly as for an identifier nobody
    used (404), so refusals are no oracle of other governments' drafts."""
    return published or can_see_draft(p, government, creator_id)


def can_see_draft(p: Principal, government: str | None, creator_id: int | None) -> bool:
    if p.is_secretariat:
        return True
    if government is not None:
        return p.government == government
    return creator_id == p.id
