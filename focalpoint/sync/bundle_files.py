"""The files an offline bundle carries (format 2; see :mod:`focalpoint.sync.bundle`).

The header lists them (``"files": [{"sha256", "size", "filename"}]``, covered by the header's
digest); their bytes follow the JSON content one after the other, inside the same gzip stream.
Writing copies each stored attachment in; reading checks each against its SHA-256 as it comes
and, given a staging folder, keeps it there for the import to put in place.

Same threads as the bundle module (the UI's database worker, the CLI's thread).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from focalpoint.forms.attachments import attachment_path, distinct_files
from focalpoint.i18n import _
from focalpoint.sync.errors import BundleError

_CHUNK = 1 << 20


class DamagedFile(Exception):
    """A carried file (or the list of them) is not what the header says; ``str()`` is the detail."""


@dataclass(frozen=True)
class BundleFile:
    """A file a bundle carries: its content's SHA-256 and size, a name for messages, where it is."""

    sha256: str
    size: int
    filename: str
    path: Path


def bundle_files(data_dir: Path, documents: Iterable[Any]) -> tuple[list[BundleFile], list[dict[str, Any]]]:
    """The files ``documents`` name that are in the data folder (one per content), and the
    attachment values of those that are not (a record pulled without fetching its files)."""
    present: list[BundleFile] = []
    missing: list[dict[str, Any]] = []
    for sha, value in sorted(distinct_files(documents).items()):
        path = attachment_path(data_dir, sha)
        if path.is_file():
            present.append(BundleFile(sha, path.stat().st_size, str(value.get("filename") or sha), path))
        else:
            missing.append(value)
    return present, missing


def file_counts(files: list[BundleFile], missing: list[dict[str, Any]]) -> dict[str, Any]:
    """What an export says about files: how many went in (``files``), how many were missing here
    (``files_missing``) and their names (``missing_names``); nothing when its records name none."""
    if not files and not missing:
        return {}
    return {"files": len(files), "files_missing": len(missing),
            "missing_names": sorted(str(v.get("filename") or v.get("sha256")) for v in missing)}


def header_entries(files: list[BundleFile]) -> list[dict[str, Any]]:
    return [{"sha256": f.sha256, "size": f.size, "filename": f.filename} for f in files]


def write_files(gz: IO[bytes], files: list[BundleFile]) -> None:
    """Copy the files into the (gzip) stream after the content, in the header's order."""
    for item in files:
        copied = 0
        with item.path.open("rb") as src:
            while chunk := src.read(_CHUNK):
                copied += len(chunk)
                gz.write(chunk)
        if copied != item.size:
            raise BundleError(_("The file \"{name}\" changed while it was written to the bundle. Export "
                                "the bundle again.").format(name=item.filename))


def file_list(header: dict[str, Any]) -> list[dict[str, Any]]:
    """The header's list of files, checked for shape (DamagedFile otherwise)."""
    items = header.get("files")
    if not isinstance(items, list):
        raise DamagedFile(_("no list of its files"))
    for item in items:
        size = item.get("size") if isinstance(item, dict) else None
        sha = item.get("sha256") if isinstance(item, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not isinstance(sha, str) \
                or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise DamagedFile(_("an unreadable list of its files"))
    return items


def file_detail(current: dict[str, Any], detail: str) -> str:
    """``detail``, naming the file being read when there is one."""
    if not current:
        return detail
    return _("the file \"{name}\" in it is damaged: {detail}").format(
        name=current.get("filename") or current.get("sha256"), detail=detail)


def read_files(gz: IO[bytes], items: list[dict[str, Any]], stage: Path | None,
               current: dict[str, Any]) -> dict[str, Path]:
    """Read the files after the content, each checked against its SHA-256 (kept in ``stage``
    when given). ``current`` names the file being read (for a message when the stream breaks).
    Raises EOFError for a stream that ends early, DamagedFile for content that does not match."""
    staged: dict[str, Path] = {}
    for item in items:
        current.clear()
        current.update(item)
        sha, left = item["sha256"], item["size"]
        digest = hashlib.sha256()
        out = (stage / sha).open("wb") if stage is not None and sha not in staged else None
        try:
            while left:
                chunk = gz.read(min(left, _CHUNK))
                if not chunk:
                    raise EOFError
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
                left -= len(chunk)
            if out is not None:
                out.flush()
                os.fsync(out.fileno())
        finally:
            if out is not None:
                out.close()
        if digest.hexdigest() != sha:
            raise DamagedFile(file_detail(current, _("its content does not match its checksum")))
        if stage is not None:
            staged[sha] = stage / sha
    current.clear()
    return staged
