"""ORM models of the local store.

Localized text is kept as JSON maps from UN language code to text. The
catalogue tables hold the shipped action plan; records hold CHM-shaped JSON
documents; the outbox holds every change not yet acknowledged by the server,
written in the same transaction as the change itself (sync invariant 1).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Now, as naive UTC (how every time is stored). Any thread."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# The states below are stored as their string values (and sent as such): a member compares equal
# to its string, so rows written before these enums existed read the same.


class RecordStatus(StrEnum):
    """Where a record is in its life (``Record.status``)."""

    DRAFT = "draft"
    READY = "ready"
    SUBMITTED = "submitted"  # publication requested, waiting for a decision
    PUBLISHED = "published"
    REMOVAL = "removal"  # removal from the CHM requested
    REJECTED = "rejected"


class SyncState(StrEnum):
    """Where a record's local copy stands with the server (``Record.sync_state``)."""

    LOCAL = "local"  # never sent, nothing waiting
    QUEUED = "queued"  # a change waits in the outbox
    SYNCING = "syncing"  # being sent right now
    SYNCED = "synced"
    CONFLICT = "conflict"  # changed here and on the server in the same places: the person decides
    ERROR = "error"


class OutboxState(StrEnum):
    """Where a change waiting to be sent stands (``OutboxEntry.state``)."""

    PENDING = "pending"
    FAILED = "failed"  # needs the person
    BLOCKED = "blocked"  # waits on an earlier entry


class WorkflowState(StrEnum):
    """A publication request's state (``Workflow.state``), as the CHM names it."""

    RUNNING = "running"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class ChmWorkflowState(StrEnum):
    """A workflow's ``state`` (and its activity's) as the CHM and the hub send and store it: a
    completed request was approved or rejected, which its result's ``action`` says (the client
    keeps that finer answer as a :class:`WorkflowState`)."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkflowType(StrEnum):
    """A workflow's ``type`` on the wire (the CHM's names)."""

    PUBLISH_NATIONAL = "publishNationalRecord"
    PUBLISH_REFERENCE = "publishReferenceRecord"
    DELETE_RECORD = "deleteRecord"


class WorkflowAction(StrEnum):
    """What closed a workflow, as its result's ``action`` says on the wire."""

    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    """Small key/value settings: catalogue data hash, pull checkpoint, UI state."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------- catalogue


class CatalogSection(Base):
    __tablename__ = "catalog_section"
    code: Mapped[str] = mapped_column(String(1), primary_key=True)  # A–D
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)


class CatalogTargetGroup(Base):
    """An Aichi Biodiversity Target heading in the action plan table."""

    __tablename__ = "catalog_target_group"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(ForeignKey("catalog_section.code"))
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    targets: Mapped[list[Any]] = mapped_column(JSON)  # list[int]
    position: Mapped[int] = mapped_column(Integer)


class CatalogActivity(Base):
    __tablename__ = "catalog_activity"
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(ForeignKey("catalog_section.code"), index=True)
    target_group_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_target_group.id"))
    aichi_targets: Mapped[list[Any]] = mapped_column(JSON)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    secretariat: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[dict[str, Any]] = mapped_column(JSON)
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON)
    timeframe: Mapped[dict[str, Any]] = mapped_column(JSON)
    timeframe_start: Mapped[int | None] = mapped_column(Integer)
    timeframe_end: Mapped[int | None] = mapped_column(Integer)
    outputs: Mapped[list[Any]] = mapped_column(JSON)
    indicators: Mapped[list[Any]] = mapped_column(JSON)
    partners: Mapped[list[Any]] = mapped_column(JSON)  # [{"text": {...}, "glossary": ["UNDP"]}]
    footnotes: Mapped[list[Any]] = mapped_column(JSON)
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)

    target_group: Mapped[CatalogTargetGroup | None] = relationship()


class CatalogParagraph(Base):
    __tablename__ = "catalog_paragraph"
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[dict[str, Any]] = mapped_column(JSON)
    items: Mapped[list[Any]] = mapped_column(JSON)  # [{"label": "a", "text": {...}}]


class CatalogGlossary(Base):
    __tablename__ = "catalog_glossary"
    abbreviation: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(Text)


# ----------------------------------------------------------------------- records


class Record(Base):
    """One CHM record (draft or published) as the person sees it locally."""

    __tablename__ = "records"
    identifier: Mapped[str] = mapped_column(String(128), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64), index=True)
    government: Mapped[str | None] = mapped_column(String(8), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    title: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=RecordStatus.DRAFT, index=True)  # a RecordStatus
    local_revision: Mapped[int] = mapped_column(Integer, default=1)
    # the server revision this local copy was last based on (None: never on a server)
    server_revision: Mapped[int | None] = mapped_column(Integer)
    # the server's document at server_revision: the base of a three-way merge
    base_document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    sync_state: Mapped[str] = mapped_column(String(16), default=SyncState.LOCAL, index=True)  # a SyncState
    sync_error: Mapped[str | None] = mapped_column(Text)
    # {"server": document | None, "server_revision": N, "fields": [paths]}; SQL NULL when none
    # (never the JSON text ``null``, which ``IS NOT NULL`` would take for a conflict)
    conflict: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OutboxEntry(Base):
    """A change waiting to reach the server. ``entry_id`` is the idempotency key."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(64), unique=True)
    record_identifier: Mapped[str] = mapped_column(String(128), index=True)
    # save | request_publication | request_deletion | cancel_request | approve | reject | delete
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_revision: Mapped[int | None] = mapped_column(Integer)
    local_revision: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING, index=True)  # an OutboxState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what to a record, when, on which revision."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_identifier: Mapped[str] = mapped_column(String(128), index=True)
    # created | edited | requested | approved | rejected | cancelled | conflict_resolved | merged | deleted
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(200))
    revision: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(8), default="local")  # local | server


class Attachment(Base):
    """A file copied into the data directory, named by its SHA-256."""

    __tablename__ = "attachment"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


#: The CHM workflow that removes a published record (the others publish: publishNationalRecord, …)
DELETE_RECORD = "deleteRecord"


class Workflow(Base):
    """A publication workflow as last seen locally (pulled, or requested offline)."""

    __tablename__ = "workflow"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_identifier: Mapped[str] = mapped_column(String(128), index=True)
    type: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), default=WorkflowState.RUNNING)  # a WorkflowState
    revision: Mapped[int | None] = mapped_column(Integer)
    government: Mapped[str | None] = mapped_column(String(8))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
