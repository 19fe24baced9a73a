"""Conflicts the person resolves, field by field (sync invariant 3).

A record in conflict has ``Record.conflict = {"server": <server document>,
"server_revision": N, "fields": [paths]}`` and ``sync_state == "conflict"``;
its queued changes wait, nothing else does. :func:`conflict_details` gives the
UI the three values of every field in question; :func:`resolve_conflict`
writes the person's choices, audits ``conflict_resolved`` and queues the
result against the server's revision, so the next sync sends it.

The special field ``"@deleted"`` means one side deleted the record while the
other changed it: choose ``"mine"`` (keep my side: my edit, or my deletion)
or ``"theirs"`` (take the server's: its copy, or its deletion).

Called from the UI's database worker thread or the CLI's only thread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.models import Record, utcnow
from focalpoint.records import RecordError, RecordView, index_record
from focalpoint.sync.errors import ConflictUnresolved
from focalpoint.sync.merge import MINE, MISSING, THEIRS, UnresolvedFields, apply_choices, get_path, merge3
from focalpoint.sync.rebase import requeue_resolved
from focalpoint.sync.recordstate import DELETED_FIELD, audit, entries_of, settle


@dataclass(frozen=True)
class ConflictField:
    """One field in conflict: its value at the common base, here, and on the server (None: absent)."""

    path: str
    base: Any
    mine: Any
    theirs: Any


def _plain(value: Any) -> Any:
    return None if value is MISSING else copy.deepcopy(value)


def conflict_details(db: Database, identifier: str) -> list[ConflictField]:
    """The fields the person must decide for a record in conflict (empty when there is none)."""
    with db.session() as session:
        rec = session.get(Record, identifier)
        if rec is None or rec.conflict is None:
            return []
        conflict = rec.conflict
        server = conflict.get("server")
        if DELETED_FIELD in conflict.get("fields", []):
            return [ConflictField(DELETED_FIELD, base=_plain(rec.base_document),
                                  mine=None if rec.deleted else copy.deepcopy(rec.document),
                                  theirs=copy.deepcopy(server))]
        result = merge3(rec.base_document, rec.document, server or {})
        return [ConflictField(path, _plain(get_path(rec.base_document, path)),
                              _plain(get_path(rec.document, path)), _plain(get_path(server, path)))
                for path in result.conflicts]


def resolve_conflict(db: Database, identifier: str, choices: dict[str, Any], *,
                     actor: str | None = None) -> RecordView:
    """Apply the person's choice for every conflicting field and queue the result.

    ``choices`` maps each field path to ``"mine"``, ``"theirs"`` or a value
    to use instead (a value that is literally "mine" or "theirs" is given as
    ``{"value": "mine"}``). Raises :class:`ConflictUnresolved` when a field
    has no choice, :class:`RecordError` when the record is not in conflict.
    """
    now = utcnow()
    with db.session(write=True) as session:
        rec = session.get(Record, identifier)
        if rec is None:
            raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
        if rec.conflict is None:
            raise RecordError(_("This record has no conflict to resolve."))
        conflict = rec.conflict
        server = conflict.get("server")
        revision = conflict.get("server_revision")
        if DELETED_FIELD in conflict.get("fields", []):
            choice = choices.get(DELETED_FIELD)
            if choice not in (MINE, THEIRS):
                raise ConflictUnresolved([DELETED_FIELD])
            keep_deleted = (choice == MINE and rec.deleted) or (choice == THEIRS and server is None)
            if keep_deleted and server is None:
                # the server deleted it and the person agrees: nothing to send
                for entry in entries_of(session, identifier):
                    session.delete(entry)
                session.flush()
                rec.conflict = None
                rec.deleted = True
                rec.server_revision = revision
                index_record(session, identifier, None)
                rec.sync_error = None
                settle(session, rec)
            elif keep_deleted:
                requeue_resolved(session, rec, None, server_document=server, server_revision=revision,
                                 delete=True, now=now)
            else:
                document = copy.deepcopy(rec.document if choice == MINE else server)
                # the server deleted it: sending my copy creates it again
                base_rev = revision if server is not None else None
                requeue_resolved(session, rec, document, server_document=server, server_revision=base_rev,
                                 delete=False, now=now)
            fields = [DELETED_FIELD]
        else:
            result = merge3(rec.base_document, rec.document, server or {})
            try:
                document = apply_choices(result, rec.document, server or {}, choices)
            except UnresolvedFields as exc:
                raise ConflictUnresolved(exc.fields) from exc
            requeue_resolved(session, rec, document, server_document=server, server_revision=revision,
                             delete=False, now=now)
            fields = result.conflicts
        audit(session, identifier, "conflict_resolved", revision=revision, now=now, actor=actor,
              details={"fields": fields,
                       "choices": {k: (v if v in (MINE, THEIRS) else "value") for k, v in choices.items()
                                   if k in fields}})
        session.flush()
        return RecordView.of(rec)
