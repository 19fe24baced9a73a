"""Files that travel with records: sent before the record that names them, fetched once by content.

Push (:func:`send_files_first`, called by the engine between claiming outbox entries and sending
them): every attachment a save names (``{"sha256", "filename", "size"}``) must be on the server
before the save leaves. A file the server is known to hold (table ``server_file``: uploaded from
here, or checked with the CHM's ``HEAD .../attachments/...``) is not sent again, whichever record
names it; any other is uploaded from ``<data_dir>/attachments/<sha256>`` (resumable where the server
advertises it, see :mod:`focalpoint.sync.transfer`). The document sent then carries the server's
link for each file (``url``) beside its ``sha256``. A save whose file cannot be sent does not leave:
on a network problem the sync stops (the entry stays queued, the upload resumes next time); when
the file is missing here or the server refuses it, that record's change waits with a message
(other records go on).

Pull: nothing is fetched unless asked. :func:`fetch_attachment` gets one file when a record is
opened (the UI's network worker); :func:`download_needed` gets every file local records name but
this computer lacks, after a sync, when the setting ``attachments.download_all`` is on. Each file
is fetched once, by content, verified by SHA-256, and renamed into place only then.

Progress: file bytes are added to the client's byte counts and reported through the engine's
progress callback (so the sync progress shows them); ``cancel`` stops between chunks.

Call from the sync worker thread (the network worker in the UI, the CLI's thread).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import httpx
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from focalpoint.forms.attachments import attachment_path, attachment_values, human_size
from focalpoint.i18n import _
from focalpoint.models import OutboxEntry, OutboxState, Record, utcnow
from focalpoint.paths import attachments_dir
from focalpoint.sync import transfer
from focalpoint.sync.errors import MalformedAnswer, NetworkError, ServerError, SignInRequired
from focalpoint.sync.meta import server_key
from focalpoint.sync.recordstate import show_error

if TYPE_CHECKING:
    from focalpoint.db import Database
    from focalpoint.sync.engine import SyncEngine
    from focalpoint.sync.push import Op
    from focalpoint.sync.report import SyncReport

#: files each server is known to hold (made by migration 0008_server_files)
server_file = Table(
    "server_file", MetaData(),
    Column("server", String(200), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("size", Integer),
    Column("recorded_at", DateTime, nullable=False),
)

RESUMABLE_EXTENSION = "resumable-uploads"


# ------------------------------------------------------------------ what the server holds


def server_name(server: str) -> str:
    """The key a server's files are kept under (its address, as Meta keys name it)."""
    return server_key(server)


def known_files(session: Session, server: str, shas: Iterable[str]) -> dict[str, str]:
    """``{sha256: url}`` of the given contents the server is known to hold."""
    wanted = sorted(set(shas))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(server_file.c.sha256, server_file.c.url).where(
            server_file.c.server == server_name(server), server_file.c.sha256.in_(wanted[start:start + 500])))
        found.update({sha: url for sha, url in rows})
    return found


def remember_file(session: Session, server: str, sha256: str, url: str, size: int | None = None) -> None:
    """Note that ``server`` holds ``sha256`` at ``url`` (inside the caller's transaction)."""
    key = server_name(server)
    exists = session.execute(select(server_file.c.url).where(server_file.c.server == key,
                                                             server_file.c.sha256 == sha256)).first()
    if exists is None:
        session.execute(server_file.insert().values(server=key, sha256=sha256, url=url, size=size,
                                                    recorded_at=utcnow()))
    elif exists[0] != url:
        session.execute(server_file.update().where(server_file.c.server == key, server_file.c.sha256 == sha256)
                        .values(url=url, size=size, recorded_at=utcnow()))


def with_links(document: dict[str, Any], urls: dict[str, str]) -> dict[str, Any]:
    """A copy of ``document`` whose attachment values carry the server's ``url`` for their content."""
    out = copy.deepcopy(document)
    for value in attachment_values(out):
        url = urls.get(value["sha256"])
        if url:
            value["url"] = url
    return out


# ----------------------------------------------------------------------------- HTTP


def _http(engine: SyncEngine) -> httpx.Client:
    # the engine's own connection (its transport, timeouts, pool); transfers add their headers
    return engine.client._http


def _headers(engine: SyncEngine) -> dict[str, str]:
    headers = {"Realm": engine.client.realm}
    if engine.client.token:
        headers["Authorization"] = f"Ticket {engine.client.token}"
    return headers


def _retry(engine: SyncEngine) -> transfer.RetryPolicy:
    return transfer.RetryPolicy(max_attempts=engine.max_attempts, backoff_base=engine.backoff_base,
                                backoff_cap=engine.backoff_cap)


class _Progress:
    """Adds the file bytes that really travel to the client's counts, and tells the engine's
    progress callback where a transfer stands.

    A transfer reports positions: ``done`` bytes of ``total`` are with the other side. Steps of at
    most one piece (:data:`PIECE`) are bytes that just went over the link; a bigger jump is where a
    resumed transfer starts (those bytes went earlier, or the server already had the content), and
    a step back is a transfer starting over."""

    PIECE = 64 * 1024  # the largest step a transfer reports for bytes it has just moved

    def __init__(self, engine: SyncEngine, phase: str, sent: bool, label: str, start: int = 0) -> None:
        self.engine, self.phase, self.sent, self.label = engine, phase, sent, label
        self.seen = start

    def __call__(self, done: int, total: int = 0) -> None:
        delta = done - self.seen
        self.seen = done
        if 0 < delta <= self.PIECE:
            stats = self.engine.client.stats
            if self.sent:
                stats.bytes_sent += delta
            else:
                stats.bytes_received += delta
        size = human_size(total) if total else "?"
        template = _("Sending {name}: {done} of {size}…") if self.sent else _("Receiving {name}: {done} of {size}…")
        self.engine._emit(self.phase, template.format(name=self.label, done=human_size(done), size=size))


def _resumable(engine: SyncEngine) -> bool:
    return transfer.server_supports_resumable(engine.capabilities())


def _with_sign_in(engine: SyncEngine, action: Callable[[], Any]) -> Any:
    """Run a transfer; on an expired sign-in sign in again once (as the engine's JSON requests
    do) and run it again (an upload resumes where it was)."""
    for attempt in (1, 2):
        engine._check_cancel()
        try:
            return action()
        except SignInRequired:
            if attempt == 2 or engine.credentials is None:
                raise
            engine._authenticate(force=True)
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- upload


def _refuse(session: Session, op: Op, message: str) -> None:
    entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == op.entry_id)).first()
    if entry is not None:
        entry.state = OutboxState.FAILED
        entry.last_error = message
    show_error(session.get(Record, op.identifier), message)


def _server_has(engine: SyncEngine, url: str, *, signed_in_again: bool = False) -> bool:
    """The CHM's ``HEAD`` on an attachment's address: is it there? (No body is read: a file's
    ``Content-Length`` may be past the limit of a JSON answer.)"""
    engine._check_cancel()
    engine.client.stats.requests += 1
    try:
        response = _http(engine).head(url, headers=_headers(engine))
    except httpx.TransportError as exc:
        raise NetworkError(_("the connection broke")) from exc
    if response.status_code == 401 and engine.credentials is not None and not signed_in_again:
        engine._authenticate(force=True)
        return _server_has(engine, url, signed_in_again=True)
    if response.status_code >= 500 or response.status_code == 429:
        raise ServerError(response.status_code)
    return response.is_success


def upload_file(engine: SyncEngine, identifier: str, value: dict[str, Any]) -> str:
    """Upload one stored file as an attachment of record ``identifier``; answer its ``url``
    (remembered in ``server_file``). Raises the sync errors (NetworkError, Cancelled…) or
    :class:`~focalpoint.sync.transfer.TransferRefused`."""
    sha, name = value["sha256"], value["filename"]
    path = attachment_path(engine.db.data_dir, sha)
    progress = _Progress(engine, "sending", True, name)
    state_dir = engine.db.data_dir / "uploads"
    resumable = _resumable(engine)

    def send() -> dict[str, Any]:
        return transfer.upload_file(_http(engine), engine.client.base_url, identifier, name, path, sha,
                                    resumable=resumable, on_progress=progress, cancel=engine._cancel,
                                    state_dir=state_dir, headers=_headers(engine), retry=_retry(engine),
                                    sleep=engine._sleep)

    answer = _with_sign_in(engine, send)
    url = answer.get("url") if isinstance(answer, dict) else None
    if not isinstance(url, str) or not url:
        raise MalformedAnswer(_("an uploaded file without its address"))
    with engine.db.session(write=True) as session:
        remember_file(session, engine.server, sha, url, path.stat().st_size)
    return url


def _own_link(url: Any, identifier: str) -> TypeGuard[str]:
    """A server address of an attachment of record ``identifier`` itself (the CHM's form)."""
    return isinstance(url, str) and url.startswith(f"/api/v2013/documents/{identifier}/attachments/")


def _named(op: Op) -> list[dict[str, Any]]:
    """The attachment values a save sends: in its body, and in the whole document when the body
    is a merge patch against the server's copy (``Op.document``)."""
    values = attachment_values(op.body) if isinstance(op.body, dict) else []
    document = getattr(op, "document", None)
    if isinstance(document, dict):
        values += attachment_values(document)
    return values


def send_files_first(engine: SyncEngine, ops: list[Op], report: SyncReport, exclude: set[str]) -> list[Op]:
    """Put on the server what the claimed saves name; answer the ops to send, their documents
    carrying each file's ``url``.

    A file already linked to the record on the server costs nothing (known here, or checked with
    one ``HEAD``). Content the server holds for another record is attached to this one without
    sending its bytes again where the server takes resumable uploads (it recognizes the SHA-256),
    and linked where it does not. Anything else is uploaded. A save whose file is missing here, or
    refused by the server, stays queued with a message (in ``report.errors``; its record joins
    ``exclude``); a network problem stops the sync (nothing of the record was sent)."""
    saves = [op for op in ops if op.action == "save" and _named(op)]
    if not saves:
        return ops
    shas = {v["sha256"] for op in saves for v in _named(op)}
    with engine.db.session() as session:
        held = known_files(session, engine.server, shas)  # content the server holds: sha → a url of it
    resumable = None
    blocked: dict[str, str] = {}  # identifier → why
    for op in saves:
        links: dict[str, str] = {}
        for value in _named(op):
            sha, linked = value["sha256"], value.get("url")
            if sha in links:
                continue
            if _own_link(linked, op.identifier) and (held.get(sha) == linked or _server_has(engine, linked)):
                links[sha] = linked
                if sha not in held:
                    with engine.db.session(write=True) as session:
                        remember_file(session, engine.server, sha, linked, value.get("size"))
                    held[sha] = linked
                continue
            here = attachment_path(engine.db.data_dir, sha).is_file()
            if sha in held:
                if resumable is None:
                    resumable = _resumable(engine)
                if not resumable or not here:  # link the copy the server holds (nothing sent again)
                    links[sha] = held[sha]
                    continue
            elif not here:
                blocked[op.identifier] = _(
                    "The file \"{name}\" of this record is not on this computer, so the record cannot be sent "
                    "yet. Attach the file again, or remove it from the record.").format(name=value["filename"])
                break
            try:  # the server recognizes content it holds: then no byte goes again
                links[sha] = held[sha] = upload_file(engine, op.identifier, value)
            except transfer.TransferRefused as exc:
                blocked[op.identifier] = _(
                    "The file \"{name}\" could not be sent: {reason} The record waits on this computer until "
                    "the file is replaced or removed and the record saved again.").format(
                    name=value["filename"], reason=exc.user_message)
                break
        if op.identifier not in blocked:
            op.body = with_links(op.body, links)
            if isinstance(op.document, dict):  # a save sent as a merge patch
                op.document = with_links(op.document, links)
    if blocked:
        with engine.db.session(write=True) as session:
            for op in ops:
                if op.identifier in blocked:
                    _refuse(session, op, blocked[op.identifier])
                    report.errors[op.identifier] = blocked[op.identifier]
                    exclude.add(op.identifier)
    return [op for op in ops if op.identifier not in blocked]


# ------------------------------------------------------------------------- download


def missing_files(db: Database) -> list[dict[str, Any]]:
    """The attachment values local records name (with the server's ``url``) whose content is not
    on this computer: one per content."""
    data_dir = db.data_dir
    with db.session() as session:
        documents = list(session.scalars(select(Record.document).where(Record.deleted.is_(False))))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for document in documents:
        for value in attachment_values(document):
            sha = value["sha256"]
            if sha in seen or not isinstance(value.get("url"), str) or not value["url"]:
                continue
            seen.add(sha)
            if not attachment_path(data_dir, sha).is_file():
                out.append(value)
    return out


def download_file(engine: SyncEngine, value: dict[str, Any]) -> Path:
    """Fetch one attachment into the data folder (resumed where a cut left it, verified, renamed
    into place under its SHA-256). Raises the sync errors or :class:`~focalpoint.sync.transfer.TransferRefused`."""
    sha = value["sha256"]
    target = attachment_path(engine.db.data_dir, sha)
    if target.is_file():
        return target
    folder = attachments_dir(engine.db.data_dir)
    partial = folder / f"{transfer.PARTIAL_PREFIX}{sha}"  # what an earlier cut left: resumed, not counted
    progress = _Progress(engine, "receiving", False, value.get("filename") or sha[:12],
                         start=partial.stat().st_size if partial.is_file() else 0)
    folder.mkdir(parents=True, exist_ok=True)

    def fetch() -> Path:
        return transfer.download_file(_http(engine), engine.client.base_url, value["url"], folder, sha,
                                      on_progress=progress, cancel=engine._cancel, headers=_headers(engine),
                                      retry=_retry(engine), sleep=engine._sleep)

    path = _with_sign_in(engine, fetch)
    with engine.db.session(write=True) as session:
        remember_file(session, engine.server, sha, value["url"], value.get("size"))
    return Path(path)


def download_needed(engine: SyncEngine, report: SyncReport) -> int:
    """After a sync with the setting "download all attachments" on: fetch every file local
    records name and this computer lacks. A file the server cannot give is noted in the report
    (its record's identifier); a network problem stops the sync like any other. Returns how many
    files arrived."""
    from focalpoint.records.attachments import read_settings

    if not read_settings(engine.db).download_all:
        return 0
    wanted = missing_files(engine.db)
    if not wanted:
        return 0
    owners = _owners(engine.db, {v["sha256"] for v in wanted})
    count = 0
    for value in wanted:
        engine._check_cancel()
        try:
            download_file(engine, value)
        except transfer.TransferRefused as exc:
            message = _("The file \"{name}\" could not be fetched: {reason}").format(
                name=value.get("filename"), reason=exc.user_message)
            for ident in owners.get(value["sha256"], []):
                report.errors.setdefault(ident, message)
            continue
        count += 1
    return count


def _owners(db: Database, shas: set[str]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    with db.session() as session:
        for ident, document in session.execute(select(Record.identifier, Record.document)
                                               .where(Record.deleted.is_(False))):
            for value in attachment_values(document):
                if value["sha256"] in shas:
                    owners.setdefault(value["sha256"], []).append(ident)
    return owners


def fetch_attachment(db: Database, value: dict[str, Any], *, tokens: Any = None, transport: Any = None,
                     cancel: Any = None, progress: Callable[[Any], None] | None = None) -> Path:
    """One attachment's content, from the data folder or else from the server this computer syncs
    with (the record is being opened). For the UI's network worker. Raises
    :class:`~focalpoint.sync.errors.SyncError` subclasses (with ``user_message``) or
    :class:`~focalpoint.records.attachments.FileNotHere` when the record has no server link."""
    from focalpoint.records.attachments import FileNotHere
    from focalpoint.sync.engine import SyncEngine

    path = attachment_path(db.data_dir, value["sha256"])
    if path.is_file():
        return path
    if not isinstance(value.get("url"), str) or not value["url"]:
        raise FileNotHere(_("The file \"{name}\" is not on this computer, and the record does not say where "
                            "the server keeps it.").format(name=value.get("filename")))
    engine = SyncEngine.for_database(db, tokens=tokens, transport=transport)
    engine._cancel = cancel
    engine._progress = progress
    try:
        try:
            return download_file(engine, value)
        except transfer.TransferRefused as exc:
            raise FileNotHere(_("The file \"{name}\" could not be fetched: {reason}").format(
                name=value.get("filename"), reason=exc.user_message)) from exc
    finally:
        engine.client.close()
