"""A record's files: the attachment settings, attaching a file to a record, reading one back.

The settings live in the database's ``meta`` table, so the CLI, the desktop app and the sync
read the same ones: ``attachments.max_bytes`` (the size limit of one file, default
:data:`~focalpoint.forms.attachments.DEFAULT_MAX_BYTES`) and ``attachments.download_all``
(fetch every file after a sync, for good links; default off: a file is fetched when its
record is opened).

Call from the CLI's thread or the UI's database worker (files are read and written whole).
"""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from focalpoint.db import Database, get_meta, set_meta
from focalpoint.forms import model as m
from focalpoint.forms.attachments import (
    DEFAULT_MAX_BYTES,
    attachment_path,
    attachment_values,
    safe_filename,
    store_attachment,
)
from focalpoint.i18n import _
from focalpoint.records import RecordError, RecordStore, RecordView

MAX_BYTES_KEY = "attachments.max_bytes"
DOWNLOAD_ALL_KEY = "attachments.download_all"


@dataclass(frozen=True)
class AttachmentSettings:
    """The size limit of one file (bytes) and whether every file is fetched after a sync."""

    max_bytes: int = DEFAULT_MAX_BYTES
    download_all: bool = False


def read_settings(db: Database) -> AttachmentSettings:
    """The attachment settings of this data folder (defaults when never set). Any thread with
    its own session."""
    with db.session() as session:
        raw_max, raw_all = get_meta(session, MAX_BYTES_KEY), get_meta(session, DOWNLOAD_ALL_KEY)
    max_bytes = int(raw_max) if raw_max and raw_max.isdigit() and int(raw_max) > 0 else DEFAULT_MAX_BYTES
    return AttachmentSettings(max_bytes=max_bytes, download_all=raw_all == "1")


def write_settings(db: Database, *, max_bytes: int | None = None, download_all: bool | None = None) -> \
        AttachmentSettings:
    """Change the settings given (others stay). Raises ValueError for a limit below one byte."""
    if max_bytes is not None and max_bytes < 1:
        raise ValueError(_("The size limit must be at least one byte."))
    with db.session(write=True) as session:
        for key, value in ((MAX_BYTES_KEY, None if max_bytes is None else str(max_bytes)),
                           (DOWNLOAD_ALL_KEY, None if download_all is None else ("1" if download_all else "0"))):
            if value is not None:
                set_meta(session, key, value)
    return read_settings(db)


def attachment_fields(schema: str) -> list[m.Field]:
    """The top-level attachment fields of a record type (empty for an unknown type)."""
    from focalpoint.forms import load_form
    from focalpoint.forms.model import FormDefinitionError

    try:
        form = load_form(schema)
    except (FormDefinitionError, KeyError, FileNotFoundError):
        return []
    return [f for f in form.fields if f.kind == m.ATTACHMENT]


def _pick_field(view: RecordView, name: str | None) -> m.Field:
    fields = attachment_fields(view.schema)
    if not fields:
        raise RecordError(_("A {schema} record has no field for attached files.").format(schema=view.schema))
    if name is None:
        if len(fields) == 1:
            return fields[0]
        raise RecordError(_("This record has several fields for files ({fields}): choose one with --field.").format(
            fields=", ".join(f.name for f in fields)))
    for fld in fields:
        if fld.name == name:
            return fld
    raise RecordError(_("A {schema} record has no field \"{field}\" for files; its fields for files: "
                        "{fields}.").format(schema=view.schema, field=name,
                                            fields=", ".join(f.name for f in fields)))


def attach_to_record(store: RecordStore, identifier: str, path: str | os.PathLike[str], *,
                     field: str | None = None, filename: str | None = None) -> tuple[RecordView, dict[str, Any]]:
    """Check and store ``path`` (size limit, safe name) and add it to the record's attachment
    field (``field``, or the record type's only one), then save the record (queued for sync).

    Returns the record and the attachment value. The same content already in the field is not
    added twice (the record is left as it was). Raises :class:`RecordError` (no such record or
    field, locked record) or :class:`~focalpoint.forms.attachments.AttachmentRefused`."""
    view = store.get(identifier)
    if view is None or view.deleted:
        raise RecordError(_("There is no record {identifier}.").format(identifier=identifier))
    fld = _pick_field(view, field)
    settings = read_settings(store.db)
    value = store_attachment(store.db.data_dir, path, max_bytes=settings.max_bytes, filename=filename)
    document = copy.deepcopy(view.document)
    current = document.get(fld.name)
    if fld.repeat:
        items = list(current) if isinstance(current, list) else []
        if any(isinstance(v, dict) and v.get("sha256") == value["sha256"] for v in items):
            return view, next(v for v in items if isinstance(v, dict) and v.get("sha256") == value["sha256"])
        if fld.max_items is not None and len(items) >= fld.max_items:
            raise RecordError(_("The field \"{field}\" already holds {count} files, its maximum.").format(
                field=fld.name, count=len(items)))
        document[fld.name] = [*items, value]
    else:
        if isinstance(current, dict) and current.get("sha256") == value["sha256"]:
            return view, current
        document[fld.name] = value
    return store.save(document), value


def find_attachment(view: RecordView, name: str) -> dict[str, Any]:
    """The record's attachment called ``name`` (its file name, or its SHA-256, or a prefix of
    it of at least 8 characters). Raises :class:`RecordError` naming the record's files."""
    values = attachment_values(view.document)
    for value in values:
        if value["filename"] == name or value["sha256"] == name.lower():
            return value
    if len(name) >= 8:
        matches = [v for v in values if v["sha256"].startswith(name.lower())]
        if len(matches) == 1:
            return matches[0]
    if not values:
        raise RecordError(_("Record {identifier} has no attached file.").format(identifier=view.identifier))
    raise RecordError(_("Record {identifier} has no file \"{name}\"; its files: {names}.").format(
        identifier=view.identifier, name=name, names=", ".join(v["filename"] for v in values)))


class FileNotHere(RecordError):
    """The record names a file whose content is not on this computer yet (fetch it by syncing)."""


def local_file(data_dir: Path, value: dict[str, Any]) -> Path:
    """The stored content of an attachment value. Raises :class:`FileNotHere` when absent."""
    path = attachment_path(data_dir, value["sha256"])
    if not path.is_file():
        raise FileNotHere(_("The file \"{name}\" is not on this computer yet. Open the record in FocalPoint "
                            "to fetch it from the server, or turn on fetching every file "
                            "(focalpoint records attachment-settings --download-all on) and sync.").format(
            name=value.get("filename")))
    return path


def copy_out(data_dir: Path, value: dict[str, Any], target: str | os.PathLike[str]) -> Path:
    """Write an attachment's content to ``target`` (a file, or a folder: then under its safe
    name), through a temporary file renamed into place. Returns the path written."""
    source = local_file(data_dir, value)
    out = Path(target)
    if out.is_dir():
        out = out / safe_filename(value.get("filename") or value["sha256"])
    tmp = out.with_name(f".{out.name}.part")
    try:
        shutil.copyfile(source, tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def store_for_record(db: Database, path: str | os.PathLike[str]) -> dict[str, Any]:
    """The editor's "Choose a file…": check ``path`` against this data folder's size limit, give it
    a safe name and store it (see :func:`~focalpoint.forms.attachments.store_attachment`). UI's
    database worker."""
    return store_attachment(db.data_dir, path, max_bytes=read_settings(db).max_bytes)


def copy_for_opening(data_dir: Path, value: dict[str, Any]) -> Path:
    """A copy of an attachment under its real (safe) name in a new temporary folder, for another
    program to open (the stored file keeps its content name and is never handed out). Raises
    :class:`FileNotHere` when the content is not on this computer. Any worker thread."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="focalpoint-file-"))
    return copy_out(data_dir, value, folder)


def local_copy_for_opening(data_dir: Path, value: dict[str, Any]) -> Path | None:
    """:func:`copy_for_opening`, or None when the content is not on this computer (fetch it first)."""
    if not attachment_path(data_dir, value["sha256"]).is_file():
        return None
    return copy_for_opening(data_dir, value)
