"""Records referenced by local records but not on this computer: found, then fetched when online.

A draft may name central records (an organization ``UID@2``, a contact, a national target)
that were never synced here. They are kept as they are; :func:`missing_references` lists
them, and the sync fetches each one once (:func:`fetch_missing`), so that the editor and
the review screens can show their names. A record the server does not have (or does not
let this person read) is remembered and not asked for again for a week.

Call from the sync worker thread (or the CLI's only thread).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from focalpoint.db import Database, parse_time
from focalpoint.forms.references import reference_identifiers
from focalpoint.models import Record
from focalpoint.sync import pull as pulling
from focalpoint.sync.meta import get_meta_json, set_meta_json
from focalpoint.sync.protocol import Change

log = logging.getLogger(__name__)

NOT_FOUND_KEY = "references.not_found"  # {identifier: ISO time of the last 404}
RETRY_NOT_FOUND = dt.timedelta(days=7)
MAX_PER_SYNC = 100


def missing_references(db: Database, *, now: dt.datetime) -> list[str]:
    """Identifiers referenced by live local records that are not local records themselves,
    less those the server said it does not have within the last week. Sorted."""
    with db.session() as session:
        local: set[str] = set()
        wanted: set[str] = set()
        for identifier, document, deleted in session.execute(
                select(Record.identifier, Record.document, Record.deleted)):
            local.add(identifier)
            if not deleted and isinstance(document, dict):
                wanted |= reference_identifiers(document)
        not_found = get_meta_json(session, NOT_FOUND_KEY) or {}
    recent = {uid for uid, when in not_found.items()
              if (seen := parse_time(when)) is not None and now - seen < RETRY_NOT_FOUND}
    return sorted(wanted - local - recent)


FetchPublished = Callable[[str], "dict[str, Any] | None"]


def fetch_missing(db: Database, fetch: FetchPublished, *, now: dt.datetime, actor: str | None = None,
                  check_cancel: Callable[[], None] = lambda: None,
                  limit: int = MAX_PER_SYNC) -> int:
    """Fetch up to ``limit`` missing referenced records with ``fetch(uid)``, which answers a
    document info with its ``body`` (identifier, revision, body, metadata), or None when the server
    has no such record. Each fetched record is stored as the server has it, in its own transaction.
    Answers how many were stored."""
    stored = 0
    gone: list[str] = []
    for identifier in missing_references(db, now=now)[:limit]:
        check_cancel()
        info = fetch(identifier)
        if info is None:
            gone.append(identifier)
            continue
        change = Change(seq=0, identifier=info["identifier"], revision=info.get("revision"),
                        deleted=False, info=info)
        with db.session(write=True) as session:
            pulling.apply_changes(session, [change], now=now, actor=actor)
        stored += 1
    if gone:
        _remember_not_found(db, gone, now)
    return stored


def _remember_not_found(db: Database, identifiers: Iterable[str], now: dt.datetime) -> None:
    with db.session(write=True) as session:
        known = dict(get_meta_json(session, NOT_FOUND_KEY) or {})
        for uid in identifiers:
            known[uid] = now.isoformat()
        set_meta_json(session, NOT_FOUND_KEY, known)
    log.info("referenced records not on the server: %s", ", ".join(sorted(identifiers)))
