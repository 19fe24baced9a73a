"""What the review screens ask of the database: plain functions for the DB worker.

Each returns plain data (dataclasses of dicts and strings), never ORM objects, so the
result can cross to the UI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from focalpoint import review
from focalpoint.db import Database, get_meta, parse_time
from focalpoint.models import Record
from focalpoint.review import FieldChange, ReviewItem
from focalpoint.settings_keys import SYNC_EMAIL, SYNC_LAST_SYNC


def reviewer_identity(db: Database) -> str | None:
    """The e-mail of the person signed in on this computer (the actor of a decision), if known. DB worker."""
    with db.session() as session:
        account = review.current_account(session) or {}
        email = account.get("email")
        if isinstance(email, str) and email:
            return email
        return get_meta(session, SYNC_EMAIL) or None


def record_titles(db: Database, identifiers: set[str] | list[str]) -> dict[str, dict[str, str]]:
    """Titles of some records, by identifier (references shown by name). DB worker."""
    if not identifiers:
        return {}
    with db.session() as session:
        rows = session.execute(select(Record.identifier, Record.title)
                               .where(Record.identifier.in_(list(identifiers))))
        return {ident: dict(title or {}) for ident, title in rows}


@dataclass(frozen=True)
class ReviewData:
    """Everything the review screen shows for one pending request."""

    item: ReviewItem
    document: dict[str, Any] | None          # the copy on this computer (None: not received yet)
    local_revision: int | None               # the server revision that copy is
    published: dict[str, Any] | None         # the last published body, when known
    changes: list[FieldChange] = field(default_factory=list)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    actor: str | None = None

    @property
    def revision_mismatch(self) -> bool:
        """The request names another revision than the copy here: sync before deciding."""
        return (self.item.revision is not None and self.local_revision is not None
                and self.item.revision != self.local_revision)

    @property
    def reviewed_revision(self) -> int | None:
        """The revision an approval applies to: the one shown here (sync invariant 6)."""
        return self.item.revision if self.item.revision is not None else self.local_revision


def find_item(db: Database, workflow_id: str, *, now: dt.datetime | None = None) -> ReviewItem | None:
    for item in review.review_queue(db, now=now):
        if item.workflow_id == workflow_id:
            return item
    return None


def load_review(db: Database, workflow_id: str, *, now: dt.datetime | None = None) -> ReviewData | None:
    """The request, the record in full and its changes since the last publication. DB worker."""
    from focalpoint.forms import load_form
    from focalpoint.ui.review.values import reference_ids

    item = find_item(db, workflow_id, now=now)
    if item is None:
        return None
    with db.session() as session:
        rec = session.get(Record, item.identifier)
        document = dict(rec.document) if rec is not None and not rec.deleted else None
        local_revision = rec.server_revision if rec is not None else None
    published = review.published_document(db, item.identifier)
    changes = review.diff_documents(published, document) if document is not None and published is not None else []
    titles: dict[str, dict[str, str]] = {}
    if document is not None:
        try:
            form = load_form(item.schema)
        except KeyError:
            form = None
        if form is not None:
            titles = record_titles(db, reference_ids(form, document) | (
                reference_ids(form, published) if published else set()))
    return ReviewData(item=item, document=document, local_revision=local_revision, published=published,
                      changes=changes, titles=titles, actor=reviewer_identity(db))


def governments_in_queue(db: Database) -> list[str]:
    """The governments with requests the person can decide (for the queue's filter). DB worker."""
    account = review.account_of(db)
    return sorted({i.government for i in review.review_queue(db) if i.government and review.can_decide(account, i)})


@dataclass(frozen=True)
class Queue:
    """The Review tab's content: the requests the person can decide, their own pending requests."""

    items: list[ReviewItem]
    own: list[ReviewItem] = field(default_factory=list)
    role: str | None = None
    last_sync: dt.datetime | None = None


def last_sync(db: Database) -> dt.datetime | None:
    """When this computer last synchronized (naive UTC), if ever. DB worker."""
    with db.session() as session:
        return parse_time(get_meta(session, SYNC_LAST_SYNC))


def review_queue_for_me(db: Database, **filters: Any) -> Queue:
    """Pending requests the person signed in can decide (``review.can_decide``), their own pending
    requests apart, and when this computer last synchronized. DB worker."""
    items = review.review_queue(db, **filters)
    account = review.account_of(db)
    role = review.role_of((account or {}).get("roles") or [])
    mine = [i for i in items if review.can_decide(account, i)]
    own = [i for i in items if review.is_mine(account, i)]
    return Queue(items=mine, own=own, role=role, last_sync=last_sync(db))
