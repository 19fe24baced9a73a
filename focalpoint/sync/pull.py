"""Applying pulled changes: one page in one transaction, together with its checkpoint.

``apply_page`` writes every record and workflow of a page and moves the
pull checkpoint to the page's ``last_seq`` in the same transaction, so the
checkpoint never runs ahead of what is stored (sync invariant 4): a crash or
an error half-way through a page leaves the checkpoint where it was, and
the page is simply fetched again.

Records with pending local edits are never overwritten: they are merged
(:func:`focalpoint.sync.rebase.reconcile`).

Call from the sync worker thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.db import Database
from focalpoint.models import Record, SyncState
from focalpoint.records import index_record
from focalpoint.sync.meta import get_meta_json, server_key, set_meta_json
from focalpoint.sync.protocol import Change, ChangesPage
from focalpoint.sync.rebase import reconcile
from focalpoint.sync.recordstate import audit, entries_of, pending_identifiers
from focalpoint.sync.server_copies import add_new_records, apply_server_copy, defer_new_index, flush_new_index
from focalpoint.sync.workflows import local_status, status_from, upsert_workflow, workflows_for


@dataclass
class PageResult:
    applied: int = 0
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: int = 0


#: the hub takes ``maxBytes`` on the change feed (pages sized by bytes as well as by count)
MAX_BYTES_EXTENSION = "changes-max-bytes"
#: uncompressed JSON asked for per page (the hub's largest budget): about 500 large six-language
#: records (the page's count limit comes first), some 500 KB once compressed, 16 seconds on a
#: 256 kbit/s line. zstd sees the whole page as its context: pages four times larger come out about
#: 8 % smaller per record. A cut link costs one such page, after which pages halve
#: (:data:`MIN_PAGE_BYTES`), and the 600 ms round trips stay a small share of the time
PAGE_BYTES = 8 * 1024 * 1024
#: the smallest budget the engine lowers to after broken or timed-out pages
MIN_PAGE_BYTES = 64 * 1024


def checkpoint_key(server: str) -> str:
    return f"sync.{server_key(server)}.since"


def read_checkpoint(session: Session, server: str) -> int | str:
    value = get_meta_json(session, checkpoint_key(server))
    return value if isinstance(value, int | str) and not isinstance(value, bool) else 0


def write_checkpoint(session: Session, server: str, seq: int | str) -> None:
    set_meta_json(session, checkpoint_key(server), seq)


def apply_changes(session: Session, changes: list[Change], *, now: dt.datetime,
                  actor: str | None = None) -> PageResult:
    """Store pulled changes (records and their workflows) inside the caller's transaction."""
    result = PageResult()
    defer_new_index(session)
    try:
        _apply(session, changes, result, now=now, actor=actor)
    finally:
        if session.is_active:
            flush_new_index(session)
    return result


def _apply(session: Session, changes: list[Change], result: PageResult, *, now: dt.datetime,
           actor: str | None) -> None:
    ids = [c.identifier for c in changes]
    local: dict[str, Record] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(Record).where(Record.identifier.in_(ids[start:start + 500]))):
            local[row.identifier] = row
    pending = set()
    for start in range(0, len(ids), 500):
        pending |= pending_identifiers(session, ids[start:start + 500])
    new_copies: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}  # one bulk INSERT at the end
    for change in changes:
        if change.body_omitted:  # the engine fills these first (fill_omitted); never store a record without its body
            raise ValueError(f"change of {change.identifier} has no body")
        for workflow in change.workflows:
            upsert_workflow(session, workflow)
        rec = local.get(change.identifier)
        if change.identifier in pending and rec is not None:
            known = max(rec.server_revision or 0, (rec.conflict or {}).get("server_revision") or 0)
            if change.info is not None and not change.deleted:
                # the status follows the hub even while changes wait here (what waits decides how)
                rec.status = local_status(
                    status_from(change.info, change.workflows or workflows_for(session, rec.identifier),
                                rec.status),
                    entries_of(session, rec.identifier), rec.status)
            if change.revision is not None and change.revision <= known and rec.server_revision is not None:
                result.skipped += 1
                continue
            kind = reconcile(session, rec, None if change.deleted else change.info,
                             revision=change.revision, now=now, actor=actor)
            if kind == "conflict":
                result.conflicts.append(rec.identifier)
            elif kind == "merged":
                result.merged.append(rec.identifier)
            result.applied += 1
            continue
        if change.info is None:
            # deleted on the server, no copy sent
            if rec is not None and not rec.deleted:
                rec.deleted = True
                rec.server_revision = change.revision if change.revision is not None else rec.server_revision
                index_record(session, rec.identifier, None)
                audit(session, rec.identifier, "deleted", revision=change.revision, now=now, origin="server")
                rec.sync_state = SyncState.SYNCED
                result.applied += 1
            else:
                result.skipped += 1
            continue
        info = dict(change.info)
        if change.deleted:
            info["deleted"] = True
        if rec is None and not change.deleted and isinstance(info.get("body"), dict):
            # new here: stored with the page's other new records, without per-record ORM work
            earlier = new_copies.get(change.identifier)
            if earlier is None or info["revision"] > earlier[0]["revision"]:
                result.applied += earlier is None
                new_copies[change.identifier] = (info, change.workflows)
            else:
                result.skipped += 1
            continue
        rec, changed = apply_server_copy(session, rec, info, change.workflows, now)
        local[rec.identifier] = rec
        if changed:
            result.applied += 1
        else:
            result.skipped += 1
    add_new_records(session, list(new_copies.values()), now)


def fill_omitted(db: Database, changes: list[Change]) -> list[Change]:
    """Give the changes the hub sent without a body (``have``) our copy of that revision: the
    record's ``base_document`` is the server's body at ``server_revision``. Returns the changes we
    could not fill (the copy moved on meanwhile), for the caller to fetch."""
    wanted = {c.identifier: c for c in changes if c.body_omitted}
    if not wanted:
        return []
    with db.session() as session:
        rows = {uid: (rev, base) for uid, rev, base in session.execute(
            select(Record.identifier, Record.server_revision, Record.base_document)
            .where(Record.identifier.in_(list(wanted))))}
    missing = []
    for uid, change in wanted.items():
        rev, base = rows.get(uid, (None, None))
        if change.info is not None and rev == change.revision and isinstance(base, dict):
            change.info = {k: v for k, v in change.info.items() if k != "bodyOmitted"} | {"body": base}
            change.body_omitted = False
        else:
            missing.append(change)
    return missing


def apply_page(session: Session, server: str, page: ChangesPage, *, now: dt.datetime,
               actor: str | None = None) -> PageResult:
    """Apply a page and move the checkpoint, in the caller's (single) transaction."""
    result = apply_changes(session, page.results, now=now, actor=actor)
    write_checkpoint(session, server, page.last_seq)
    return result
