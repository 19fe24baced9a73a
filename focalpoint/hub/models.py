"""ORM models of the hub's own database (separate from the client's ``focalpoint.models``).

One row per record identifier holds both the draft and the published copy, the
record's revision counter, its lock and the sequence number of its latest change
(the change feed reads that column). Workflows, the audit trail, users, tokens and
stored idempotent responses have their own tables. A single counter row hands out
change sequence numbers; every write transaction takes it first, which serialises
writers (see ``focalpoint.hub.store``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from focalpoint.models import ChmWorkflowState

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Now, as a naive UTC datetime (the form every hub column stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class HubBase(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType}


class Counter(HubBase):
    """Named counters; ``changes`` is the hub-wide change sequence."""

    __tablename__ = "hub_counter"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Government(HubBase):
    __tablename__ = "hub_government"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO 3166 alpha-2, lower case
    name: Mapped[str] = mapped_column(String(200), default="")


class User(HubBase):
    __tablename__ = "hub_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower case
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    government: Mapped[str | None] = mapped_column(ForeignKey("hub_government.code"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Token(HubBase):
    """An authentication token; only its SHA-256 is stored."""

    __tablename__ = "hub_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_user.id", ondelete="CASCADE"), index=True)
    created_on: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_on: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class LoginFailure(HubBase):
    """Failed sign-ins per account (``account:<email>``) and per address (``address:<ip>``), in the
    database so that the limit holds across hub processes."""

    __tablename__ = "hub_login_failure"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Record(HubBase):
    """A record: its draft, its published copy, its revision, lock and latest change."""

    __tablename__ = "hub_record"
    identifier: Mapped[str] = mapped_column(String(200), primary_key=True)
    schema: Mapped[str] = mapped_column(String(100))
    realm: Mapped[str] = mapped_column(String(40), default="CHM")
    government: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)  # None: reference record
    revision: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_workflow_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    created_on: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))

    draft_body: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    draft_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    draft_updated_on: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    draft_updated_by: Mapped[int | None] = mapped_column(ForeignKey("hub_user.id"), nullable=True)

    published_body: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    published_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_on: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("hub_user.id"), nullable=True)

    updated_on: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))


class Workflow(HubBase):
    __tablename__ = "hub_workflow"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), index=True)  # a ChmWorkflowState
    identifier: Mapped[str] = mapped_column(ForeignKey("hub_record.identifier"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    government: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    schema: Mapped[str] = mapped_column(String(100))
    title: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))
    created_on: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_on: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    activity_state: Mapped[str] = mapped_column(String(20), default=ChmWorkflowState.RUNNING)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class AuditAction(StrEnum):
    """What an audit entry records (``AuditEntry.action``, the ``action`` of ``GET .../history``)."""

    DRAFT_CREATED = "draftCreated"
    DRAFT_SAVED = "draftSaved"
    DRAFT_EDITED_IN_REVIEW = "draftEditedInReview"  # by the reviewing authority, under the lock
    DRAFT_DELETED = "draftDeleted"
    PUBLICATION_REQUESTED = "publicationRequested"
    DELETION_REQUESTED = "deletionRequested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    UNLOCKED = "unlocked"
    PUBLISHED = "published"
    DELETED = "deleted"


class AuditEntry(HubBase):
    """Who did what to which record, when, at which revision."""

    __tablename__ = "hub_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(40))  # an AuditAction
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    workflow_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class IdempotentResponse(HubBase):
    """The first successful response to a write carrying an Idempotency-Key."""

    __tablename__ = "hub_idempotency"
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_user.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


Index("ix_hub_record_gov_seq", Record.government, Record.seq)
Index("ix_hub_idempotency_key", IdempotentResponse.key)  # a colleague's same change (USB sticks)
