"""After the push and the pull: what the local store needs beside the records themselves.

The published copies pending reviews compare against, the records local ones reference but this
computer lacks, and the CHM vocabularies (at most once a day). Each fetches with no transaction open
and writes its answer in a short write transaction. Runs on the thread running the sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from focalpoint.models import Workflow, WorkflowState
from focalpoint.sync.protocol import info_path, parse_info, parse_raw_document, published_path, with_body
from focalpoint.sync.references import fetch_missing
from focalpoint.sync.thesaurus import refresh_thesaurus

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine


def fetch_missing_references(engine: SyncEngine) -> None:
    """Records referenced by local ones but not on this computer, fetched as published (at most
    100 a sync; one the server does not have or will not show is not asked for again for a week)."""
    def fetch(identifier: str) -> dict[str, Any] | None:
        answer = engine._call("GET", info_path(identifier, draft=False))
        if not answer.ok:  # 404, or 401/403: not published, or not for this person to read
            return None
        info = parse_info(answer.body)
        body = engine._call("GET", published_path(identifier))
        if not body.ok:
            return None
        return with_body(info, parse_raw_document(body.body, identifier))

    fetch_missing(engine.db, fetch, now=engine.clock(), actor=engine.actor, check_cancel=engine._check_cancel)


def fetch_published_for_reviews(engine: SyncEngine) -> None:
    """Keep, with each pending review, the published copy the reviewer compares against.

    One request per review, once (nothing on a sync where nothing changed)."""
    with engine.db.session() as session:
        wanted = [(w.id, w.record_identifier) for w in session.scalars(
            select(Workflow).where(Workflow.state == WorkflowState.RUNNING))
            if isinstance(w.data, dict) and "publishedFetched" not in w.data]
    for workflow_id, identifier in wanted:
        engine._check_cancel()
        answer = engine._call("GET", published_path(identifier))  # the raw published document
        if answer.status == 404:
            body = None
        elif answer.ok:
            body = parse_raw_document(answer.body, identifier)
        else:
            continue  # try again at the next sync
        with engine.db.session(write=True) as session:
            row = session.get(Workflow, workflow_id)
            if row is not None and isinstance(row.data, dict):
                row.data = {**row.data, "publishedFetched": True, "publishedBody": body}


def refresh_vocabularies(engine: SyncEngine) -> None:
    """The CHM vocabularies older than a day, fetched and installed; never fails the sync."""
    refresh_thesaurus(engine._call, engine.db, now=engine.clock())
