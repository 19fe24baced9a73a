"""``GET /api/v2013/focalpoint/bundle?government=XX``: a government's records in one file.

The file is a ``records`` bundle of :mod:`focalpoint.sync.bundle` (the sync
developer's format): the newest version of each live record the caller may see —
the government's national records and the reference records visible to the
caller — with their recent workflows, exactly as the change feed would list them
from ``since=0``. ``meta.last_seq`` is the change-feed position the bundle
reflects, so a machine that imported it can later pull from there.

The bundle also carries the files its records name (their attachments), from the hub's content
store (:mod:`focalpoint.hub.files`): only contents the caller may read as an attachment of some
record (the rule of the download routes), so naming a digest in a record never reveals a file.
A content missing from the store is logged and counted in ``meta.filesMissing``. The bundle is
written to a file in the store's ``incoming/`` folder and streamed from there (files can be
large), then removed; with a remote content store (``FileStore.is_remote``) the files it carries
are first fetched to that folder, and removed once the bundle is written. The database is read in
one short transaction that ends before any file is fetched: a slow store never holds it open.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.responses import FileResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from focalpoint.hub.accounts import Principal, normalize_government
from focalpoint.hub.context import Hub, iso
from focalpoint.hub.errors import HubError, forbidden
from focalpoint.hub.files import Attachment, FileStore, may_read
from focalpoint.hub.info import current_info, users_of_records, users_of_workflows, workflow_json
from focalpoint.hub.listing import record_visibility
from focalpoint.hub.models import Counter, IdempotentResponse, Record, User
from focalpoint.hub.permissions import can_see_draft
from focalpoint.hub.store import CHANGES
from focalpoint.hub.workflows import workflow_visible, workflows_of

if TYPE_CHECKING:
    from focalpoint.sync.bundle_files import BundleFile

log = logging.getLogger(__name__)


def collect(session: Session, p: Principal, government: str) -> tuple[list[dict[str, Any]], int]:
    """Change-feed items (``{"info", "workflows"}``) of the bundle, and the feed position."""
    ceiling = session.execute(select(Counter.value).where(Counter.name == CHANGES)).scalar_one()
    rows = list(session.scalars(
        select(Record).where(Record.seq <= ceiling, Record.deleted.is_(False), record_visibility(p),
                             or_(Record.government == government, Record.government.is_(None)))
        .order_by(Record.seq)))
    users = users_of_records(session, rows)
    flows = workflows_of(session, [r.identifier for r in rows])
    flow_users = users_of_workflows(session, [w for ws in flows.values() for w in ws])
    items = []
    for r in rows:
        info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        if info is None or info["deleted"]:
            continue
        items.append({"info": info, "workflows": [workflow_json(w, flow_users) for w in flows.get(r.identifier, [])
                                                  if workflow_visible(p, w)]})
    return items, ceiling


ACK_DAYS = 60  # how far back the bundle says which changes arrived


def delivered(session: Session, government: str, since: dt.datetime) -> list[dict[str, Any]]:
    """Acknowledgements of the writes the government's people made (their ``Idempotency-Key``s, which
    are FocalPoint's outbox entry ids): a computer with no link that sent its changes by USB stick
    learns from them that they arrived, and with which revision."""
    rows = session.execute(
        select(IdempotentResponse.key, IdempotentResponse.etag)
        .join(User, User.id == IdempotentResponse.user_id)
        .where(User.government == government, IdempotentResponse.created_on >= since,
               IdempotentResponse.status < 300)).all()
    acks = []
    for key, etag in rows:
        ack: dict[str, Any] = {"entry_id": key, "result": "applied"}
        if etag is not None and str(etag).isdigit():
            ack["revision"] = int(etag)
        acks.append(ack)
    return acks


def readable_files(session: Session, p: Principal, items: list[dict[str, Any]]) -> dict[str, str]:
    """``{sha256: file name}`` of the files the bundle's records name that ``p`` may read (as an
    attachment of any record), one per content, in digest order. Reads the database only."""
    from focalpoint.forms.attachments import distinct_files

    named = distinct_files(item["info"].get("body") for item in items)
    shas = sorted(named)
    readable: set[str] = set()
    for start in range(0, len(shas), 500):
        for row in session.scalars(select(Attachment).where(Attachment.sha256.in_(shas[start:start + 500]))):
            if row.sha256 not in readable and may_read(session, p, row):
                readable.add(row.sha256)
    return {sha: str(named[sha].get("filename") or sha) for sha in shas if sha in readable}


def fetch_files(store: FileStore, wanted: dict[str, str]) -> tuple[list[BundleFile], int]:
    """Local files of the ``wanted`` contents (see :func:`readable_files`), fetched to ``incoming/``
    from a remote store (the caller removes those copies); and how many the store has lost. Blocks
    on the store: call it outside any database transaction, from a worker thread."""
    from focalpoint.sync.bundle_files import BundleFile

    files: list[BundleFile] = []
    lost = 0
    try:
        for sha, filename in wanted.items():
            try:
                path = store.local_copy(sha)
            except FileNotFoundError:
                log.error("bundle: the content %s named by a record is missing from the file store", sha)
                lost += 1
                continue
            files.append(BundleFile(sha, path.stat().st_size, filename, path))
    except BaseException:
        _remove_copies(store, files)
        raise
    return files, lost


def _remove_copies(store: FileStore, files: list[BundleFile]) -> None:
    if store.is_remote:  # the copies fetched from the store (a local store's files are its own)
        for item in files:
            item.path.unlink(missing_ok=True)


async def bundle_response(hub: Hub, store: FileStore, principal: Principal,
                          government: str | None) -> FileResponse:
    """The bundle as a file answer (written in a worker thread, removed once sent)."""
    from focalpoint.sync.bundle import MEDIA_TYPE, write_records_bundle

    government = normalize_government(government) or principal.government
    if government is None:
        raise HubError(400, "Error.InvalidRequest", "Name the government: ?government=XX.")
    if not principal.is_secretariat and government != principal.government:
        raise forbidden("You may only export your own government's records.")

    def build() -> Path:
        with hub.db.read() as session:
            items, last_seq = collect(session, principal, government)
            acks = delivered(session, government, hub.now() - dt.timedelta(days=ACK_DAYS))
            wanted = readable_files(session, principal, items)
        files, lost = fetch_files(store, wanted)  # the read transaction has ended
        try:
            meta: dict[str, Any] = {"government": government, "last_seq": last_seq,
                                    "exportedBy": principal.email, "exportedOn": iso(hub.now()),
                                    "records": len(items), "files": len(files)}
            if lost:
                meta["filesMissing"] = lost
            target = store.new_incoming()  # written beside it, then renamed: never half a bundle there
            write_records_bundle(target, items, meta, acks=acks, files=files)
            return target
        finally:
            _remove_copies(store, files)

    path = await run_in_threadpool(build)
    stamp = dt.date.today().isoformat()
    return FileResponse(path, media_type=MEDIA_TYPE, filename=f"focalpoint-{government}-{stamp}.bundle",
                        headers={"Content-Encoding": "identity"},  # already gzip: GZipMiddleware leaves it alone
                        background=BackgroundTask(path.unlink, missing_ok=True))
