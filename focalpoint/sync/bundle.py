"""Offline bundles: one checksummed file to carry on a USB stick.

Two kinds:

* ``outbox`` — the unsent changes of a machine with no connectivity
  (:func:`export_outbox_bundle`). A connected machine imports it
  (:func:`import_bundle`): the entries join its own outbox with the SAME entry
  ids, so a double import, or a push from both machines, never makes a second
  record or workflow (the ids are the idempotency keys).
* ``records`` — a government's records as a hub exports them
  (:func:`write_records_bundle`, called by the hub); an offline machine
  imports them exactly as if they had been pulled.

File format (version 1): a gzip stream holding one line of JSON — the header
``{"format": "focalpoint-bundle", "version": 1, "kind", "created", "meta",
"length", "sha256"}`` — then a newline, then ``length`` bytes of UTF-8 JSON
content whose SHA-256 is ``sha256``. A truncated file fails gzip's own length
and CRC checks; an altered one fails the SHA-256; either is refused with a
clear message before anything is written (the import is one transaction).

Version 2 is version 1 plus the files the records name (their attachments): the header lists
them (``"files": [{"sha256", "size", "filename"}]``, covered by the header's digest) and their
bytes follow the content, one after the other. Each file is checked against its SHA-256 as it
is read; a damaged one is named and nothing at all is imported. Files are put in place under
their content name (a file already here is kept) before the records that name them. A bundle
without files is still written as version 1.

Functions here run on the UI's database worker or the CLI's thread; the hub
calls :func:`write_records_bundle` from its request handler.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint import jsonsafe
from focalpoint.db import Database, parse_time
from focalpoint.forms.attachments import attachment_path
from focalpoint.i18n import _
from focalpoint.models import OutboxEntry, OutboxState, Record, RecordStatus, SyncState, utcnow
from focalpoint.records import index_record
from focalpoint.settings_keys import SYNC_EMAIL, SYNC_SERVER
from focalpoint.sync.bundle_files import (
    BundleFile,
    DamagedFile,
    bundle_files,
    file_counts,
    file_detail,
    file_list,
    header_entries,
    read_files,
    write_files,
)
from focalpoint.sync.errors import BundleError, MalformedAnswer
from focalpoint.sync.meta import get_meta, set_meta, set_meta_json
from focalpoint.sync.protocol import Change, parse_document_info, parse_workflow
from focalpoint.sync.recordstate import audit, entries_of, set_document, settle
from focalpoint.sync.server_copies import save_acknowledged
from focalpoint.sync.workflows import upsert_workflow

FORMAT = "focalpoint-bundle"
VERSION = 1
FILES_VERSION = 2  # a bundle that carries files
MAX_CONTENT = 1024 * 1024 * 1024  # 1 GiB of JSON
MEDIA_TYPE = "application/gzip"

PathOrFile = str | os.PathLike[str] | IO[bytes]


@dataclass
class Bundle:
    kind: str
    meta: dict[str, Any]
    content: dict[str, Any]
    sha256: str
    created: str | None = None
    files: dict[str, Path] = field(default_factory=dict)  # sha256 → where it was staged (import)


@dataclass
class ImportSummary:
    kind: str
    imported: int = 0  # entries (outbox) or records (records)
    already: int = 0  # entries already here, or records already up to date
    records: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # identifier → why
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    # changes of this computer that the bundle says were delivered (they left the outbox)
    acknowledged: int = 0
    # identifier → what happened to a change of this computer on the computer that carried it
    elsewhere: dict[str, str] = field(default_factory=dict)
    files: int = 0  # files the bundle carried (checked)
    files_new: int = 0  # of them, new on this computer

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "imported": self.imported, "already": self.already, "records": self.records,
                "skipped": self.skipped, "merged": self.merged, "conflicts": self.conflicts,
                "acknowledged": self.acknowledged, "elsewhere": self.elsewhere, "files": self.files,
                "files_new": self.files_new}


# ---------------------------------------------------------------------- writing


def header_digest(header: dict[str, Any], body: bytes) -> str:
    """SHA-256 over the header (all but this digest, canonical JSON) and the content: a change to
    either, such as a hand-edited ``meta.last_seq``, is refused like a damaged file."""
    rest = {k: v for k, v in header.items() if k != "digest"}
    canonical = json.dumps(rest, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8") + b"\n" + body).hexdigest()


def _encode(kind: str, content: dict[str, Any], meta: dict[str, Any], created: str,
            files: list[BundleFile] = ()) -> tuple[bytes, bytes]:  # type: ignore[assignment]
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str,
                      allow_nan=False).encode("utf-8")
    header: dict[str, Any] = {"format": FORMAT, "version": FILES_VERSION if files else VERSION, "kind": kind,
                              "created": created, "meta": meta, "length": len(body),
                              "sha256": hashlib.sha256(body).hexdigest()}
    if files:
        header["files"] = header_entries(files)
    header["digest"] = header_digest(header, body)
    return json.dumps(header, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"), body


def _pack(out: IO[bytes], header: bytes, body: bytes, files: list[BundleFile]) -> None:
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(header + b"\n")
        gz.write(body)
        write_files(gz, files)  # type: ignore[arg-type]


def _write(target: PathOrFile, kind: str, content: dict[str, Any], meta: dict[str, Any],
           files: list[BundleFile] = ()) -> str:  # type: ignore[assignment]
    created = dt.datetime.now(dt.UTC).isoformat()
    header, body = _encode(kind, content, meta, created, list(files))
    digest = hashlib.sha256(body).hexdigest()
    if hasattr(target, "write"):
        _pack(target, header, body, list(files))  # type: ignore[arg-type]
        return digest
    final = Path(target)
    folder = final.parent if str(final.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=folder)
    try:  # a temporary file in the same folder, then a rename: never half a bundle under its name
        with os.fdopen(fd, "wb") as out:
            _pack(out, header, body, list(files))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def write_records_bundle(path_or_fileobj: PathOrFile, documents: list[dict[str, Any]],
                         meta: dict[str, Any] | None = None, *,
                         workflows: Iterable[dict[str, Any]] = (),
                         acks: Iterable[dict[str, Any]] = (),
                         files: Iterable[BundleFile] = ()) -> str:
    """Write a ``records`` bundle (for the hub). Returns the content's SHA-256.

    ``documents`` are CHM document info dicts (``identifier``, ``revision``,
    ``body``, …), or change-feed items (``{"info": …, "workflows": […]}``);
    ``meta`` is free-form (``government``, ``server``, ``exportedBy``…);
    ``workflows`` are workflow dicts for those records; ``acks`` say which carried changes were
    delivered (``{"entry_id", "result": applied | merged | conflict | failed | discarded,
    "revision"?, "message"?}``); ``files`` are the attachments the records name (see
    :func:`bundle_files`).
    """
    infos: list[dict[str, Any]] = []
    flows: dict[str, dict[str, Any]] = {}
    for item in documents:
        if "info" in item and isinstance(item.get("info"), dict):
            infos.append(item["info"])
            for wf in item.get("workflows") or []:
                flows[wf["_id"]] = wf
        else:
            infos.append(item)
    for wf in workflows:
        flows[wf["_id"]] = wf
    return _write(path_or_fileobj, "records", {"documents": infos, "workflows": list(flows.values()),
                                               "acks": list(acks)}, dict(meta or {}), list(files))


def export_outbox_bundle(db: Database, path_or_fileobj: PathOrFile, *,
                         meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write every unsent change, with its record and the files it names, to a bundle. Returns
    ``{"entries", "records"}``, and ``"files", "files_missing", "missing_names"`` when the records
    name files."""
    with db.session(write=True) as session:
        entries = list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))
        for entry in entries:
            # frozen: the stick holds this payload under this key; a later edit makes a new entry
            entry.attempts = max(1, entry.attempts or 0)
        ids = sorted({e.record_identifier for e in entries})
        records = {r.identifier: r for r in session.scalars(select(Record).where(Record.identifier.in_(ids)))} \
            if ids else {}
        author = get_meta(session, SYNC_EMAIL)
        content = {
            "entries": [{"entry_id": e.entry_id, "record_identifier": e.record_identifier, "action": e.action,
                         # a change carried here from another computer stays its author's
                         "author": (e.payload or {}).get("author") or author,
                         "payload": e.payload, "base_revision": e.base_revision,
                         "local_revision": e.local_revision, "attempts": e.attempts,
                         "created_at": e.created_at.isoformat() if e.created_at else None}
                        for e in entries],
            "records": [{"identifier": r.identifier, "schema": r.schema, "government": r.government,
                         "document": r.document, "base_document": r.base_document,
                         "server_revision": r.server_revision, "status": r.status,
                         "local_revision": r.local_revision, "deleted": r.deleted}
                        for r in records.values()],
        }
        all_meta = {"server": get_meta(session, SYNC_SERVER), "author": author, **(meta or {})}
        files, missing = bundle_files(db.data_dir, [e["payload"] for e in content["entries"]]
                                      + [r["document"] for r in content["records"]])
        # frozen only once the file is written
        _write(path_or_fileobj, "outbox", content, all_meta, files)
    return {"entries": len(content["entries"]), "records": len(content["records"]),
            **file_counts(files, missing)}


# ---------------------------------------------------------------------- reading


def _name(source: PathOrFile) -> str:
    return str(source) if not hasattr(source, "read") else _("the bundle")


def _damaged(source: PathOrFile, detail: str) -> BundleError:
    return BundleError(_("The bundle {name} is incomplete or damaged ({detail}). Nothing was imported. "
                         "Copy it again from the other computer, or export a new one there.").format(
        name=_name(source), detail=detail))


def read_bundle(source: PathOrFile, *, stage: Path | None = None) -> Bundle:
    """Read and check a bundle (gzip integrity, length, SHA-256, shape, and each file it carries
    against its SHA-256). Raises :class:`BundleError` (naming a damaged file).

    With ``stage`` (a folder), the files are kept there under their SHA-256 (``Bundle.files``);
    without, they are only checked."""
    current: dict[str, Any] = {}  # the file being read, for the message when the stream breaks
    try:
        with (gzip.open(Path(source), "rb") if isinstance(source, (str, os.PathLike))
              else gzip.GzipFile(fileobj=source, mode="rb")) as gz:
            header = _parse_header(source, gz.readline(1024 * 1024))
            files: dict[str, Path] = {}
            if header.get("version") == VERSION:
                body = gz.read(MAX_CONTENT + 1)
                _check_body(source, header, body)
            else:
                length = header.get("length")
                if not isinstance(length, int) or isinstance(length, bool) or not 0 <= length <= MAX_CONTENT:
                    raise _damaged(source, _("too big"))
                body = gz.read(length)
                _check_body(source, header, body)  # the list of files is trusted only after this
                try:
                    files = read_files(gz, file_list(header), stage, current)  # type: ignore[arg-type]
                except DamagedFile as exc:
                    raise _damaged(source, str(exc)) from exc
                if gz.read(1):
                    raise _damaged(source, _("data after its last file"))
    except FileNotFoundError as exc:
        raise BundleError(_("There is no file {name}.").format(name=_name(source))) from exc
    except EOFError as exc:
        raise _damaged(source, file_detail(current, _("the file ends too early"))) from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise _damaged(source, file_detail(
            current, _("not a FocalPoint bundle, or its checksum does not match"))) from exc
    try:
        content = jsonsafe.loads(body)
    except jsonsafe.JsonRefused as exc:
        raise _damaged(source, _("it holds a value FocalPoint refuses: {problem}").format(problem=exc)) from exc
    except ValueError as exc:
        raise _damaged(source, _("unreadable content")) from exc
    kind = header.get("kind")
    if kind not in ("outbox", "records") or not isinstance(content, dict):
        raise _damaged(source, _("unknown kind of bundle"))
    raw_meta = header.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    return Bundle(kind=kind, meta=meta, content=content, sha256=hashlib.sha256(body).hexdigest(),
                  created=header.get("created"), files=files)


def _parse_header(source: PathOrFile, header_line: bytes) -> dict[str, Any]:
    try:
        header = jsonsafe.loads(header_line)
    except ValueError as exc:
        raise _damaged(source, _("no bundle header")) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _damaged(source, _("not a FocalPoint bundle"))
    # a version 2 header lists the files that follow; without that list it is no bundle of ours
    if header.get("version") != VERSION and not (header.get("version") == FILES_VERSION
                                                 and isinstance(header.get("files"), list)):
        raise BundleError(_("The bundle {name} was made by another version of FocalPoint (format {version}). "
                            "Update FocalPoint on both computers, then export it again.").format(
            name=_name(source), version=header.get("version")))
    return header


def _check_body(source: PathOrFile, header: dict[str, Any], body: bytes) -> None:
    if len(body) > MAX_CONTENT:
        raise _damaged(source, _("too big"))
    if header.get("length") != len(body):
        raise _damaged(source, _("{got} bytes instead of {expected}").format(got=len(body),
                                                                            expected=header.get("length")))
    digest = hashlib.sha256(body).hexdigest()
    if header.get("sha256") != digest or header.get("digest") != header_digest(header, body):
        raise _damaged(source, _("its checksum does not match: it was changed after it was made"))


# ---------------------------------------------------------------------- importing


def import_bundle(db: Database, source: PathOrFile) -> ImportSummary:
    """Check and import a bundle of either kind, all in one transaction, after the files it
    carries (checked first, every one, then put in place under their content name; those new
    here are taken away again if the records cannot be imported)."""
    from focalpoint.paths import attachments_dir

    folder = attachments_dir(db.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".incoming-bundle-", dir=folder))
    placed: list[Path] = []
    try:
        bundle = read_bundle(source, stage=stage)
        for sha, staged in bundle.files.items():
            final = attachment_path(db.data_dir, sha)
            if final.is_file() and final.stat().st_size == staged.stat().st_size:
                continue  # the same content is here already (idempotent import)
            os.replace(staged, final)
            placed.append(final)
        if bundle.kind == "outbox":
            summary = _import_outbox(db, bundle, source)
        else:
            summary = _import_records(db, bundle, source)
        summary.files = len(bundle.files)
        summary.files_new = len(placed)
        placed = []
        return summary
    finally:
        for path in placed:
            path.unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)


def _check_outbox(bundle: Bundle, source: PathOrFile) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    entries = bundle.content.get("entries")
    records = bundle.content.get("records")
    if not isinstance(entries, list) or not isinstance(records, list):
        raise _damaged(source, _("no changes in it"))
    by_id: dict[str, dict[str, Any]] = {}
    for rec in records:
        if not isinstance(rec, dict) or not isinstance(rec.get("identifier"), str) \
                or not isinstance(rec.get("document"), dict) or not isinstance(rec.get("schema"), str):
            raise _damaged(source, _("a record without its document"))
        by_id[rec["identifier"]] = rec
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("entry_id"), str) \
                or entry.get("record_identifier") not in by_id or not isinstance(entry.get("action"), str) \
                or not isinstance(entry.get("payload", {}), dict):
            raise _damaged(source, _("a change without its record"))
    return entries, by_id


def imported_key(entry_id: str) -> str:
    return f"sync.imported.{entry_id}"


#: actions a bundle carries only for their author (the hub would take them as the importer's)
PERSONAL_ACTIONS = ("approve", "reject", "request_deletion")


def delivered_key(entry_id: str) -> str:
    """Meta key: what became of a change carried here by USB stick (an ack for its computer)."""
    return f"sync.delivered.{entry_id}"


def _import_outbox(db: Database, bundle: Bundle, source: PathOrFile) -> ImportSummary:
    entries, records = _check_outbox(bundle, source)
    summary = ImportSummary(kind="outbox")
    now = utcnow()
    with db.session(write=True) as session:
        importer = (get_meta(session, SYNC_EMAIL) or "").strip().lower()
        by_record: dict[str, list[dict[str, Any]]] = {}
        for entry in entries:
            by_record.setdefault(entry["record_identifier"], []).append(entry)
        for identifier, items in list(by_record.items()):
            # a decision is its author's: it is sent only under the name of the person who made it
            foreign = [e for e in items if e["action"] in PERSONAL_ACTIONS
                       and str(e.get("author") or "").strip().lower() != importer]
            if foreign:
                del by_record[identifier]
                who = foreign[0].get("author") or _("someone who had not signed in")
                summary.skipped[identifier] = _(
                    "This stick holds a decision (an approval, a rejection or a removal request) made by "
                    "{author}. It can only be sent under that person's name: sign in as {author} on this "
                    "computer, or carry the stick to that person's computer. Nothing of this record was "
                    "imported.").format(author=who)
        for identifier, items in by_record.items():
            known = set(session.scalars(select(OutboxEntry.entry_id).where(
                OutboxEntry.entry_id.in_([e["entry_id"] for e in items]))))
            fresh = [e for e in items if e["entry_id"] not in known
                     and get_meta(session, imported_key(e["entry_id"])) is None]
            summary.already += len(items) - len(fresh)
            if not fresh:
                continue
            theirs = set(e["entry_id"] for e in items)
            own = [e for e in entries_of(session, identifier) if e.entry_id not in theirs]
            if own:
                summary.skipped[identifier] = _(
                    "This record also has changes not yet sent from this computer. Sync this computer "
                    "first, then import the bundle again.")
                continue
            snap = records[identifier]
            rec = session.get(Record, identifier)
            snap_revision = snap.get("server_revision") if isinstance(snap.get("server_revision"), int) else None
            newer_here = rec is not None and rec.server_revision is not None \
                and (snap_revision is None or rec.server_revision > snap_revision)
            if rec is None:
                rec = Record(identifier=identifier, schema=snap["schema"][:64], document=snap["document"],
                             title={}, status=RecordStatus.DRAFT, local_revision=0, created_at=now,
                             updated_at=now, deleted=False, sync_state=SyncState.QUEUED)
                session.add(rec)
                rec.document = {}
            if not newer_here:
                # the stick's copy is as new as this computer's, or newer: it is the record here now
                rec.base_document = snap.get("base_document")
                rec.server_revision = snap_revision
                rec.status = str(snap.get("status") or rec.status or RecordStatus.DRAFT)[:16]
                rec.deleted = bool(snap.get("deleted"))
                rec.conflict = None
                rec.local_revision = max((rec.local_revision or 0) + 1, int(snap.get("local_revision") or 1))
                rec.updated_at = now
                set_document(session, rec, snap["document"])
                if rec.deleted:
                    index_record(session, identifier, None)
                rec.government = snap.get("government") or rec.government
            # else: this computer holds a newer server copy than the stick's; it is never replaced by
            # the older one. The carried changes go on their own keys and meet the server's copy
            # like any write (the hub replays one it already has; a new one is merged from its base).
            base = snap.get("base_document") if isinstance(snap.get("base_document"), dict) else None
            for item in fresh:
                payload = dict(item.get("payload") or {})
                if isinstance(item.get("author"), str) and item["author"].strip():
                    payload["author"] = item["author"].strip()  # sent as theirs (X-FocalPoint-Author)
                if item["action"] == "save" and base is not None and item.get("base_revision") == snap_revision:
                    payload["base"] = base  # the version it was made on, for its three-way merge
                session.add(OutboxEntry(
                    entry_id=item["entry_id"], record_identifier=identifier, action=item["action"],
                    payload=payload, base_revision=item.get("base_revision"),
                    local_revision=item.get("local_revision"), state=OutboxState.PENDING,
                    # never 0: a later local save must not change the payload this id names
                    attempts=max(1, int(item.get("attempts") or 0)),
                    created_at=parse_time(item.get("created_at")) or now))
                set_meta(session, imported_key(item["entry_id"]), now.isoformat())
            session.flush()
            audit(session, identifier, "edited", revision=rec.local_revision, now=now,
                  details={"bundle": bundle.sha256[:16], "entries": len(fresh),
                           **({"olderThanHere": snap_revision} if newer_here else {})})
            settle(session, rec)
            summary.imported += len(fresh)
            summary.records += 1
    return summary


def record_delivery(session: Session, entry_id: str, result: str, *, revision: int | None = None,
                    message: str | None = None) -> None:
    """Remember what became of a change that came on a USB stick (no-op for this computer's own
    changes), for the records bundle that goes back to the computer it came from."""
    if get_meta(session, imported_key(entry_id)) is None:
        return
    ack: dict[str, Any] = {"entry_id": entry_id, "result": result, "at": utcnow().isoformat()}
    if revision is not None:
        ack["revision"] = revision
    if message:
        ack["message"] = message
    set_meta_json(session, delivered_key(entry_id), ack)


ACK_KEEP_DAYS = 60  # as long as the hub keeps its own acknowledgements


def delivered_acks(session: Session, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The recorded deliveries of carried changes of the last :data:`ACK_KEEP_DAYS` days (see
    :func:`record_delivery`); older ones are forgotten here (when the session writes)."""
    from focalpoint.models import Meta

    limit = (now or utcnow()) - dt.timedelta(days=ACK_KEEP_DAYS)
    acks: list[dict[str, Any]] = []
    for row in session.scalars(select(Meta).where(Meta.key.like("sync.delivered.%"))):
        try:
            ack = json.loads(row.value)
        except ValueError:
            continue
        if not isinstance(ack, dict) or not isinstance(ack.get("entry_id"), str):
            continue
        when = parse_time(ack.get("at"))
        if when is not None and when < limit:
            session.delete(row)
            continue
        acks.append({k: v for k, v in ack.items() if k != "at"})
    return acks


def export_records_bundle(db: Database, path_or_fileobj: PathOrFile, *,
                          government: str | None = None) -> dict[str, Any]:
    """Write this computer's server copies of records (never its unsent edits), their workflows,
    the files they name (those on this computer), and what became of the changes carried here by
    USB stick, for a computer with no link. Returns ``{"records", "acks"}``, and when the records name
    files ``"files", "files_missing", "missing_names"`` (files this computer has not fetched, so not
    carried, and their names)."""
    from focalpoint.models import Workflow

    with db.session(write=True) as session:
        query = select(Record).where(Record.server_revision.is_not(None))
        if government:
            query = query.where((Record.government == government.lower()) | Record.government.is_(None))
        infos = []
        for rec in session.scalars(query.order_by(Record.identifier)):
            if not isinstance(rec.base_document, dict):
                continue
            infos.append({"identifier": rec.identifier, "revision": rec.server_revision,
                          "type": rec.schema, "deleted": bool(rec.deleted and not rec.conflict
                                                               and not entries_of(session, rec.identifier)),
                          "isDraft": rec.status not in (RecordStatus.PUBLISHED, RecordStatus.REMOVAL),
                          "body": rec.base_document,
                          "metadata": {"schema": rec.schema, "government": rec.government}})
        ids = [i["identifier"] for i in infos]
        flows = [w.data for w in session.scalars(select(Workflow).where(Workflow.record_identifier.in_(ids)))
                 if isinstance(w.data, dict) and "_id" in w.data] if ids else []
        flows = [{k: v for k, v in w.items() if k not in ("localDecision", "publishedBody", "publishedFetched",
                                                          "reviewEdited")} for w in flows]
        acks = delivered_acks(session)
        meta = {"server": get_meta(session, SYNC_SERVER), "exportedBy": get_meta(session, SYNC_EMAIL),
                "government": government, "records": len(infos), "from": "computer"}
    files, missing = bundle_files(db.data_dir, [i["body"] for i in infos if not i["deleted"]])
    write_records_bundle(path_or_fileobj, infos, meta, workflows=flows, acks=acks, files=files)
    return {"records": len(infos), "acks": len(acks), **file_counts(files, missing)}


def _import_records(db: Database, bundle: Bundle, source: PathOrFile) -> ImportSummary:
    from focalpoint.sync.pull import apply_changes

    documents = bundle.content.get("documents")
    workflows = bundle.content.get("workflows") or []
    if not isinstance(documents, list) or not isinstance(workflows, list):
        raise _damaged(source, _("no records in it"))
    try:
        infos = [parse_document_info(d) for d in documents]
        flows = [parse_workflow(w) for w in workflows]
    except MalformedAnswer as exc:
        raise _damaged(source, exc.detail) from exc
    flows_by_record: dict[str, list[dict[str, Any]]] = {}
    for wf in flows:
        flows_by_record.setdefault(wf["data"]["identifier"], []).append(wf)
    changes = [Change(seq=0, identifier=i["identifier"], revision=i["revision"], deleted=bool(i.get("deleted")),
                      info=i, workflows=flows_by_record.pop(i["identifier"], [])) for i in infos]
    acks = bundle.content.get("acks") or []
    if not isinstance(acks, list) or not all(isinstance(a, dict) and isinstance(a.get("entry_id"), str)
                                             for a in acks):
        raise _damaged(source, _("unreadable acknowledgements"))
    summary = ImportSummary(kind="records")
    now = utcnow()
    with db.session(write=True) as session:
        # first: delivered changes are no longer "ours"
        _apply_acks(session, acks, summary, now, copies={i["identifier"]: i for i in infos})
        result = apply_changes(session, changes, now=now)
        for leftover in flows_by_record.values():
            for wf in leftover:
                upsert_workflow(session, wf)
        _seed_checkpoint(session, bundle.meta)
    summary.imported = result.applied
    summary.records = len(changes)
    summary.already = result.skipped
    summary.merged = result.merged
    summary.conflicts = result.conflicts
    return summary


ACK_RESULTS = ("applied", "merged", "conflict", "failed", "discarded")


def _apply_acks(session: Session, acks: list[dict[str, Any]], summary: ImportSummary, now: dt.datetime,
                copies: dict[str, dict[str, Any]] | None = None) -> None:
    """Changes of this computer that reached the hub (or a computer that carried them there) leave
    its outbox, so that they are never carried twice. One the hub accepted moves the record's base
    to the revision it made: the server copy that follows is then no conflict with it. That copy is
    the bundle's own when it holds the record at that revision (``copies``: what the server made of
    the change, such as its files' links), else the change as it was sent."""
    wanted = {a["entry_id"]: a for a in acks if a.get("result") in ACK_RESULTS}
    if not wanted:
        return
    ids = list(wanted)
    found: list[OutboxEntry] = []
    for start in range(0, len(ids), 500):
        found += session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id.in_(ids[start:start + 500])))
    for entry in sorted(found, key=lambda e: e.seq):
        ack = wanted[entry.entry_id]
        rec = session.get(Record, entry.record_identifier)
        revision = ack.get("revision") if isinstance(ack.get("revision"), int) else None
        document = (entry.payload or {}).get("document")
        server_copy = (copies or {}).get(entry.record_identifier)
        if server_copy is not None and server_copy.get("revision") == revision \
                and isinstance(server_copy.get("body"), dict):
            document = server_copy["body"]
        result = ack["result"]
        if result == "applied" and entry.action == "save" and revision is not None and isinstance(document, dict):
            save_acknowledged(session, rec, entry, {"revision": revision, "body": document})
        else:
            session.delete(entry)
            session.flush()
            if rec is not None:
                settle(session, rec)
        summary.acknowledged += 1
        details: dict[str, Any] = {"entry": entry.entry_id, "action": entry.action, "result": result}
        if result != "applied":
            message = ack_message(result, ack.get("message"))
            summary.elsewhere[entry.record_identifier] = message
            details["message"] = message
        audit(session, entry.record_identifier, "delivered", revision=revision, now=now, details=details)


def ack_message(result: str, detail: Any) -> str:
    if result == "merged":
        return _("Your change reached the clearing-house through the computer that carried it, merged with "
                 "changes made there meanwhile.")
    if result == "conflict":
        return _("Your change reached the computer that carried it, but someone had changed the same fields "
                 "meanwhile: it waits there for a decision, field by field.")
    if result == "discarded":
        return _("Your decision was not needed any more: {detail}").format(detail=detail or "")
    return _("Your change reached the computer that carried it, but the server refused it: {detail}").format(
        detail=detail or _("no details given"))


def _seed_checkpoint(session: Session, meta: dict[str, Any]) -> None:
    """Start the next pull where the bundle ends — only when it is certainly the same feed:
    the same server (``meta.server``) and exported by the person signed in here, whose
    change feed it is (``meta.exportedBy``). Otherwise the first pull simply starts at 0."""
    from focalpoint.sync.client import normalize_server_url
    from focalpoint.sync.pull import read_checkpoint, write_checkpoint

    server, last_seq, by = meta.get("server"), meta.get("last_seq"), meta.get("exportedBy")
    if not isinstance(server, str) or not isinstance(last_seq, int) or isinstance(last_seq, bool) \
            or not isinstance(by, str):
        return
    here = get_meta(session, SYNC_SERVER)
    email = get_meta(session, SYNC_EMAIL)
    if not here or not email or normalize_server_url(server) != normalize_server_url(here) \
            or by.strip().lower() != email.strip().lower():
        return
    current = read_checkpoint(session, here)
    if isinstance(current, int) and current < last_seq:
        write_checkpoint(session, here, last_seq)
