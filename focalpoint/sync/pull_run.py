"""The pull run of a sync: the hub's change feed read page by page from the checkpoint.

Each page is fetched with no transaction open, then applied together with the new checkpoint in one
short write transaction, so a sync stopped at any moment resumes where it was; the next page is
fetched while one is applied. Pages shrink after a connection that breaks during one. Runs on the
thread running the sync (and one helper thread fetching the next page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from focalpoint.i18n import _
from focalpoint.models import Record
from focalpoint.sync import plain
from focalpoint.sync import pull as pulling
from focalpoint.sync.errors import MalformedAnswer, NetworkError, SyncError
from focalpoint.sync.protocol import CHANGES_PATH, Capabilities, ChangesPage, parse_changes
from focalpoint.sync.report import SyncReport

if TYPE_CHECKING:
    from focalpoint.sync.client import Answer
    from focalpoint.sync.engine import SyncEngine

log = logging.getLogger("focalpoint.sync")
MAX_HAVE = 100  # pairs named in one ``have`` (about 4 KB of address)


def pull(engine: SyncEngine, caps: Capabilities, report: SyncReport) -> None:
    """Read the change feed from the checkpoint, page by page; each page is applied, with the new
    checkpoint, in one write transaction opened after its request (a hub without the feed: ``plain``).

    While a page is applied, the next one is already asked for (``engine.fetch_ahead``, on a helper
    thread; one request in flight at a time, in the same order as without it): the hub prepares
    and sends it, and the link carries it, while this thread writes. A page is applied only after
    the one before it."""
    if not caps.has("changes"):
        plain.pull(engine, report)  # the real CHM: listing, raw documents, workflows?q=
        return
    with engine.db.session() as session:
        since = pulling.read_checkpoint(session, engine.server)
    engine._done, engine._total = 0, None
    have = held_copies(engine) if caps.has("changes-have") else {}
    first = True
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="focalpoint-next-page") as fetcher:
        ahead: Future[Answer] | None = None  # the next page, asked for while this one is applied
        while True:
            engine._check_cancel()
            if ahead is None:
                answer = request_page(engine, caps, since, have)
            else:
                answer, ahead = ahead.result(), None
            if answer.status == 404 and first:
                engine.capabilities(refresh=True)
                raise MalformedAnswer(_("the server no longer offers the change feed; sync again"))
            if not answer.ok:
                raise MalformedAnswer(_("HTTP {status} for the list of changes").format(status=answer.status))
            page = parse_changes(answer.body)
            if first and isinstance(since, int) and isinstance(page.last_seq, int) and page.last_seq < since:
                # our checkpoint is past the end of the hub's feed: it never came from this hub (a
                # damaged or altered bundle, a hub restored from a backup); read the feed from the start
                log.warning("pull checkpoint %s is past the end of the feed (%s): reading from the start",
                            since, page.last_seq)
                since = 0
                continue
            first = False
            for change in page.results:
                have.pop(change.identifier, None)
            fill_omitted_bodies(engine, page)
            last = not page.more or page.last_seq == since
            if not last and engine.fetch_ahead:
                ahead = fetcher.submit(request_page, engine, caps, page.last_seq, dict(have))
            if page.results or page.last_seq != since:
                with engine.db.session(write=True) as session:
                    result = pulling.apply_page(session, engine.server, page, now=engine.clock(), actor=engine.actor)
                account_pull(engine, result, report)
                engine._done += len(page.results)
                engine._emit("receiving", _("Receiving changes…"))
            if last:
                break
            since = page.last_seq


def request_page(engine: SyncEngine, caps: Capabilities, since: Any, have: dict[str, int]) -> Answer:
    """Ask the feed for the page after ``since`` (sized by count, and by bytes when the hub
    offers it; naming the copies we hold). The sync's thread, or the helper fetching ahead."""
    params: dict[str, Any] = {"since": since, "limit": engine.page_size}
    if caps.has(pulling.MAX_BYTES_EXTENSION):
        params["maxBytes"] = engine.page_bytes
    if have:
        params["have"] = ",".join(f"{uid}:{rev}" for uid, rev in have.items())
    return engine._call("GET", CHANGES_PATH, params=params, on_retry=smaller_pages(engine, params))


def smaller_pages(engine: SyncEngine, params: dict[str, Any]) -> Callable[[SyncError], None]:
    """After a connection that broke or timed out during a page, ask for pages half the size
    (down to ``pull.MIN_PAGE_BYTES``) for the rest of this engine's syncs: a link that cuts long
    answers still gets every page through."""
    def smaller(error: SyncError) -> None:
        if "maxBytes" in params and isinstance(error, NetworkError) and not error.unreachable:
            engine.page_bytes = max(pulling.MIN_PAGE_BYTES, min(engine.page_bytes, params["maxBytes"]) // 2)
            params["maxBytes"] = engine.page_bytes
    return smaller


def held_copies(engine: SyncEngine) -> dict[str, int]:
    """``{identifier: revision}`` of the records this sync has just written and whose server copy
    we hold exactly (the write's answer): the hub then sends their metadata without the body."""
    if not engine._written:
        return {}
    ids = sorted(engine._written)[: MAX_HAVE]
    with engine.db.session() as session:
        rows = session.execute(select(Record.identifier, Record.server_revision, Record.base_document)
                               .where(Record.identifier.in_(ids))).all()
    return {uid: rev for uid, rev, base in rows if rev is not None and isinstance(base, dict)}


def fill_omitted_bodies(engine: SyncEngine, page: ChangesPage) -> None:
    """Put our own copy into the changes the hub sent without a body; fetch any we do not hold
    at that revision after all (one request each; nothing is applied without its body)."""
    missing = pulling.fill_omitted(engine.db, page.results)
    for change in missing:
        engine._check_cancel()
        # the CHM's shapes: the info at .../info, the raw document beside it
        info = plain.read_version(engine, change.identifier)
        if info is None:
            raise MalformedAnswer(_("HTTP {status} for the list of changes").format(status=404))
        change.info, change.revision, change.body_omitted = info, info["revision"], False


def account_pull(engine: SyncEngine, result: pulling.PageResult, report: SyncReport) -> None:
    """Count one applied page in the report (merged and conflicting records named once)."""
    report.pulled += result.applied
    for ident in result.merged:
        if ident not in report.merged:
            report.merged.append(ident)
    for ident in result.conflicts:
        if ident not in report.conflicts:
            report.conflicts.append(ident)
