"""Local CHM records: save, delete, list — every change with its outbox entry.

A save writes the record, its full-text row, an audit event and an outbox
entry in one SQLite transaction (sync invariant 1). An outbox entry that has
never been sent is updated in place by the next save of the same record
(autosave would otherwise queue hundreds of entries); one that has been
attempted is never changed, so its idempotency key always names one payload.

Functions here are called from the database worker thread (UI) or the CLI's
only thread; they take plain data and return plain data (``RecordView``).
"""

from __future__ import annotations

import builtins
import copy
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.models import AuditEvent, OutboxEntry, OutboxState, Record, RecordStatus, SyncState, utcnow
from focalpoint.textsearch import index_body
from focalpoint.textsearch import search as text_search

STATUSES = tuple(RecordStatus)
#: a request waits for review: the record is locked here and on the hub
LOCKED_STATUSES = (RecordStatus.SUBMITTED, RecordStatus.REMOVAL)


def locked_delete_message() -> str:
    """The translated refusal for deleting a record that waits for review (same words everywhere).
    Any thread; in the current interface language."""
    return _("This record is waiting for review, so it cannot be deleted. Withdraw the request first.")

SYNC_STATES = tuple(SyncState)


class RecordError(Exception):
    """A record operation the person asked for cannot be done; the message says why."""


def new_identifier() -> str:
    """A new CHM-style identifier (an upper-case UUID4; matches ``[A-Za-z0-9-_]{11,128}``). Any thread."""
    return str(uuid.uuid4()).upper()


def new_entry_id() -> str:
    """A new outbox entry id (32 hex digits), sent to the hub as the entry's idempotency key. Any thread."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class RecordView:
    """A record as plain data, safe to hand to another thread."""

    identifier: str
    schema: str
    government: str | None
    document: dict[str, Any]
    title: dict[str, str]
    status: str
    local_revision: int
    server_revision: int | None
    sync_state: str
    sync_error: str | None
    has_conflict: bool
    deleted: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, rec: Record) -> RecordView:
        """Copy an ORM record (document deep-copied) inside its session, on the thread that owns it."""
        return cls(
            identifier=rec.identifier,
            schema=rec.schema,
            government=rec.government,
            document=copy.deepcopy(rec.document),
            title=dict(rec.title or {}),
            status=rec.status,
            local_revision=rec.local_revision,
            server_revision=rec.server_revision,
            sync_state=rec.sync_state,
            sync_error=rec.sync_error,
            has_conflict=rec.conflict is not None,
            deleted=rec.deleted,
            created_at=rec.created_at,
            updated_at=rec.updated_at,
        )


def document_title(document: dict[str, Any]) -> dict[str, str]:
    """The record's title as a language map (CHM types use title, name, or first/last name);
    ``{}`` when the document has none. Pure; any thread."""
    for key in ("title", "name"):
        value = document.get(key)
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if isinstance(v, str)}
        if isinstance(value, str):
            return {"en": value}
    first, last = document.get("firstName"), document.get("lastName")
    if isinstance(first, str) or isinstance(last, str):
        return {"en": " ".join(p for p in (first, last) if isinstance(p, str))}
    return {}


def document_text(value: Any) -> Iterator[str]:
    """Every string inside a document except its header, for the full-text index. Pure; any thread."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("header",):
                continue
            yield from document_text(item)
    elif isinstance(value, list):
        for item in value:
            yield from document_text(item)


def fts_rowid(identifier: str) -> int:
    """The search-index row of a record: 63 bits of the identifier's SHA-256, so that replacing a
    record's row is a lookup by rowid, never a scan of the index. Pure; any thread."""
    return int.from_bytes(hashlib.sha256(identifier.encode("utf-8")).digest()[:8], "big") >> 1


def index_row(identifier: str, document: dict[str, Any]) -> dict[str, Any]:
    """Parameters for ``INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)``: the
    body is the document's text normalized for search (``focalpoint.textsearch.index_body``).
    Pure; any thread (bulk imports build rows off the database worker)."""
    return {"r": fts_rowid(identifier), "i": identifier,
            "b": index_body(document_text(document), distinct_words=True)}


INDEX_INSERT = text("INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)")
#: each index row's identifier by rowid (table made by migration 0007): a search that finds thousands
#: of records reads this small table, not the text of each (a row missing here is read from the index)
INDEX_KEY_INSERT = text("INSERT OR REPLACE INTO record_fts_ids (rowid, identifier) VALUES (:r, :i)")


def write_index_rows(session: Session, rows: dict[str, Any] | list[dict[str, Any]]) -> None:
    """Insert :func:`index_row` parameters (one or a list) into the search index, in the
    caller's transaction (the rows must not be there yet). Database worker."""
    session.execute(INDEX_INSERT, rows)
    session.execute(INDEX_KEY_INSERT, rows)


def index_record(session: Session, identifier: str, document: dict[str, Any] | None, *,
                 new: bool = False) -> None:
    """Put a record's text in the search index (``None``: take it out), in the caller's
    transaction. ``new`` skips the delete of the old row. Database worker."""
    if not new:
        session.execute(text("DELETE FROM record_fts WHERE rowid = :r"), {"r": fts_rowid(identifier)})
    if document is not None:
        write_index_rows(session, index_row(identifier, document))
    elif not new:
        session.execute(text("DELETE FROM record_fts_ids WHERE rowid = :r"), {"r": fts_rowid(identifier)})




def _schema_of(document: dict[str, Any]) -> str:
    header = document.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("schema"), str):
        raise RecordError(_("The document has no header.schema: FocalPoint cannot tell what kind of record it is."))
    schema: str = header["schema"]
    return schema


def ensure_header(document: dict[str, Any]) -> dict[str, Any]:
    """Give a document an identifier and a languages list when it lacks them; changes it in
    place and returns it. Pure; any thread."""
    header = document.setdefault("header", {})
    if not header.get("identifier"):
        header["identifier"] = new_identifier()
    header.setdefault("languages", ["en"])
    return document


def government_of(document: dict[str, Any]) -> str | None:
    """The document's government code in lower case (``ws``), None when it names none. Pure; any thread."""
    gov = document.get("government")
    if isinstance(gov, dict) and isinstance(gov.get("identifier"), str):
        identifier: str = gov["identifier"]
        return identifier.lower()
    return None


class RecordStore:
    """Reads and writes local records. Dependencies are passed in (database, clock, actor).

    Every method opens its own transaction unless given a ``session``; call them on the database
    worker (or the CLI's only thread). Writes take SQLite's write lock at once (``write=True``).
    """

    def __init__(self, db: Database, *, actor: str | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock

    # ------------------------------------------------------------------ writes

    def save(self, document: dict[str, Any], *, status: str | None = None,
             session: Session | None = None) -> RecordView:
        """Create or update a record from a CHM-shaped document and queue it for sync.

        The record, its search-index row, an audit event and the outbox entry are written in
        one transaction (``session``'s, or a new one). Raises :class:`RecordError` for a document
        without ``header.schema``, a change of schema, or a record locked for review (unless a
        ``status`` is given). Database worker."""
        if session is None:
            with self.db.session(write=True) as s:
                return self.save(document, status=status, session=s)
        document = ensure_header(copy.deepcopy(document))
        schema = _schema_of(document)
        identifier = document["header"]["identifier"]
        now = self.clock()
        rec = session.get(Record, identifier)
        if rec is None:
            rec = Record(identifier=identifier, schema=schema, document=document,
                         title=document_title(document), status=status or RecordStatus.DRAFT,
                         local_revision=1, sync_state=SyncState.QUEUED, deleted=False,
                         created_at=now, updated_at=now)
            session.add(rec)
            self._audit(session, identifier, "created", 1, now)
        else:
            if rec.schema != schema:
                raise RecordError(_("Record {identifier} is a {old}, not a {new}.").format(
                    identifier=identifier, old=rec.schema, new=schema))
            if rec.status == RecordStatus.SUBMITTED and status is None:
                raise RecordError(_("This record is waiting for review and is locked. Cancel the "
                                    "publication request to edit it."))
            if rec.status == RecordStatus.REMOVAL and status is None:
                raise RecordError(_("The removal of this record from the clearing-house is waiting for review, "
                                    "so it is locked. Withdraw the removal request to edit it."))
            rec.document = document
            rec.title = document_title(document)
            rec.local_revision += 1
            rec.deleted = False
            rec.updated_at = now
            if status:
                rec.status = status
            elif rec.status in (RecordStatus.PUBLISHED, RecordStatus.REJECTED):
                rec.status = RecordStatus.DRAFT
            if rec.sync_state not in (SyncState.CONFLICT,):
                rec.sync_state = SyncState.QUEUED
            self._audit(session, identifier, "edited", rec.local_revision, now)
        rec.government = government_of(document)
        index_record(session, identifier, document)
        self._queue(session, rec, "save", {"document": document}, now)
        session.flush()
        return RecordView.of(rec)

    def delete(self, identifier: str, *, confirmed_twice: bool = False,
               session: Session | None = None) -> None:
        """Delete a record. A record that never reached the server is removed outright only
        when the person confirmed twice (sync invariant 7); otherwise the deletion is queued.
        Raises :class:`RecordError` for an unknown record, one locked for review, or an
        unconfirmed loss. One transaction; database worker."""
        if session is None:
            with self.db.session(write=True) as s:
                return self.delete(identifier, confirmed_twice=confirmed_twice, session=s)
        rec = session.get(Record, identifier)
        if rec is None:
            raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
        if rec.status in LOCKED_STATUSES:
            raise RecordError(locked_delete_message())
        now = self.clock()
        if rec.server_revision is None:
            if not confirmed_twice:
                raise RecordError(_("This record has never reached the server; deleting it loses it "
                                    "for good. Confirm twice to delete it."))
            session.execute(delete(OutboxEntry).where(OutboxEntry.record_identifier == identifier))
            index_record(session, identifier, None)
            session.delete(rec)
            self._audit(session, identifier, "deleted", rec.local_revision, now)
            return
        rec.deleted = True
        rec.updated_at = now
        rec.sync_state = SyncState.QUEUED
        index_record(session, identifier, None)
        self._audit(session, identifier, "deleted", rec.local_revision, now)
        self._queue(session, rec, "delete", {}, now)

    def undelete(self, identifier: str) -> RecordView:
        """Undo a queued deletion that has not been sent yet (its outbox entry is dropped).
        Raises :class:`RecordError` for an unknown record. One transaction; database worker."""
        with self.db.session(write=True) as session:
            rec = session.get(Record, identifier)
            if rec is None:
                raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
            pending = session.scalars(select(OutboxEntry).where(
                OutboxEntry.record_identifier == identifier, OutboxEntry.action == "delete",
                OutboxEntry.attempts == 0)).all()
            for entry in pending:
                session.delete(entry)
            rec.deleted = False
            index_record(session, identifier, rec.document)
            if not session.scalar(select(func.count()).select_from(OutboxEntry).where(
                    OutboxEntry.record_identifier == identifier)):
                rec.sync_state = SyncState.SYNCED if rec.server_revision is not None else SyncState.LOCAL
            return RecordView.of(rec)

    def _queue(self, session: Session, rec: Record, action: str, payload: dict[str, Any],
               now: dt.datetime) -> OutboxEntry:
        if action == "save":
            # coalesce with a save that has not been sent yet
            last = session.scalars(select(OutboxEntry).where(
                OutboxEntry.record_identifier == rec.identifier).order_by(OutboxEntry.seq.desc()).limit(1)).first()
            if last is not None and last.action == "save" and last.attempts == 0:
                last.payload = payload
                last.local_revision = rec.local_revision
                return last
        entry = OutboxEntry(entry_id=new_entry_id(), record_identifier=rec.identifier, action=action,
                            payload=payload, base_revision=rec.server_revision,
                            local_revision=rec.local_revision, state=OutboxState.PENDING, attempts=0,
                            created_at=now)
        session.add(entry)
        return entry

    def queue_action(self, session: Session, identifier: str, action: str,
                     payload: dict[str, Any] | None = None) -> OutboxEntry:
        """Queue a non-save action (request_publication, cancel_request, approve, reject) in the
        caller's transaction and mark the record queued. Raises :class:`RecordError` for an
        unknown record. Database worker."""
        rec = session.get(Record, identifier)
        if rec is None:
            raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
        rec.sync_state = SyncState.QUEUED if rec.sync_state != SyncState.CONFLICT else rec.sync_state
        return self._queue(session, rec, action, payload or {}, self.clock())

    def _audit(self, session: Session, identifier: str, action: str, revision: int | None,
               now: dt.datetime, details: dict[str, Any] | None = None) -> None:
        session.add(AuditEvent(record_identifier=identifier, action=action, actor=self.actor,
                               revision=revision, at=now, details=details or {}, origin="local"))

    # ------------------------------------------------------------------- reads

    def get(self, identifier: str) -> RecordView | None:
        """The record ``identifier`` (deleted ones too), None when there is none. Database worker."""
        with self.db.session() as session:
            rec = session.get(Record, identifier)
            return RecordView.of(rec) if rec else None

    def list(self, *, schema: str | None = None, status: str | None = None,
             include_deleted: bool = False, search: str | None = None,
             limit: int | None = None, offset: int = 0) -> list[RecordView]:
        """Records, newest change first, filtered by schema, status and search words (see
        :func:`search_record_ids`); deleted ones only with ``include_deleted``. Database worker."""
        with self.db.session() as session:
            query = select(Record)
            if schema:
                query = query.where(Record.schema == schema)
            if status:
                query = query.where(Record.status == status)
            if not include_deleted:
                query = query.where(Record.deleted.is_(False))
            if search:
                ids = search_record_ids(session, search)
                query = query.where(Record.identifier.in_(ids))
            query = query.order_by(Record.updated_at.desc(), Record.identifier).offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return [RecordView.of(r) for r in session.scalars(query)]

    def count(self, *, schema: str | None = None) -> int:
        """How many records are not deleted (of ``schema``, if given). Database worker."""
        with self.db.session() as session:
            query = select(func.count()).select_from(Record).where(Record.deleted.is_(False))
            if schema:
                query = query.where(Record.schema == schema)
            return int(session.scalar(query) or 0)

    def pending_outbox(self) -> builtins.list[OutboxEntry]:
        """Every outbox entry in queue order, detached from its session (read-only use; the CLI
        and tests). Database worker."""
        with self.db.session() as session:
            return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


#: the fts5vocab table listing the trigrams of ``record_fts`` (made by migration 0007)
RECORD_TERMS = "record_fts_terms"
# the identifier from record_fts_ids: reading it from the index would read each record's text
_RECORD_SOURCE = "record_fts AS f LEFT JOIN record_fts_ids AS k ON k.rowid = f.rowid"
_RECORD_KEY = "coalesce(k.identifier, f.identifier)"


def search_record_ids(session: Session, query: str) -> list[str]:
    """Identifiers of records whose text contains every word of ``query``, in any order (any
    script; case, accents, Arabic hamza/harakat/tatweel folded; see ``focalpoint.textsearch``).
    Words of three characters or more are looked up in the trigram index; shorter ones, such as
    two Chinese characters, through the index's term list and checked with LIKE. Reads in the
    caller's transaction; database worker."""
    return text_search(session, _RECORD_SOURCE, _RECORD_KEY, query, terms_table=RECORD_TERMS)
