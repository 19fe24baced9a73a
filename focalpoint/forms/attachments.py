"""Attachments: files copied into the data directory, named by their SHA-256.

``store_attachment`` is the one way a file becomes an attachment, for the editor, the CLI and
the sync: it checks the file (a regular file, at most the size limit), gives it a safe name
(:func:`safe_filename`: no folder parts, no control characters, no names Windows reserves) and
copies it to ``<data_dir>/attachments/<sha256>`` through a temporary file and an atomic rename,
so a crash never leaves a half-written file under a content name; storing the same content
twice keeps one copy. :func:`store_verified` does the same for bytes that arrive from elsewhere
(a USB bundle) and must match a SHA-256 named in advance.

Call from a worker thread (it reads and writes whole files), never the UI thread.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from focalpoint.i18n import _
from focalpoint.paths import attachments_dir

_CHUNK = 1 << 20
#: the size limit of one attachment when the person has set none (the CHM takes up to 1 GB, but a
#: focal point's link rarely carries more than this in one sitting)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_NAME_BYTES = 255  # what every common file system takes for one name (UTF-8)
INCOMING_PREFIX = ".incoming-"
# Windows refuses these names whatever their extension; the CHM's users open files there too
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|CLOCK\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = set('<>:"/\\|?*')


class AttachmentRefused(ValueError):
    """A file that cannot become an attachment; ``str()`` is the person's message (translated)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # too-big | not-a-file | unreadable | corrupt


def attachment_path(data_dir: str | os.PathLike[str], sha256: str) -> Path:
    """Where the content with this SHA-256 lives in the data directory."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return attachments_dir(Path(data_dir)) / sha256


def has_attachment(data_dir: str | os.PathLike[str], sha256: str) -> bool:
    """The content with this SHA-256 is in the data directory."""
    return attachment_path(data_dir, sha256).is_file()


def safe_filename(name: str) -> str:
    """The name an attachment is shown and sent under: the last part of ``name`` (no folders),
    NFC-normalized, without control or format characters, without characters Windows refuses,
    never a name Windows reserves (``CON``, ``NUL.txt``…), no leading or trailing dots or spaces,
    at most 255 bytes in UTF-8 (the extension kept). Never empty."""
    text = unicodedata.normalize("NFC", str(name))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join("_" if ch in _FORBIDDEN else ch for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    text = " ".join(text.split())  # tabs and runs of spaces become one space
    text = text.strip(" .")
    if not text:
        text = _("file")
    if _RESERVED.match(text):
        text = "_" + text
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = text.rpartition(".")
        if not dot or len(ext.encode("utf-8")) > 16:
            stem, ext = text, ""
        room = MAX_NAME_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
        text = f"{stem}.{ext}" if ext else stem
    return text


def too_big_message(filename: str, size: int, limit: int) -> str:
    """The person's message for a file over the size limit (names the file and the limit)."""
    return _("The file \"{name}\" is {size}, more than the limit of {limit} for one attachment. "
             "Attach a smaller file (a compressed PDF, for instance), or raise the limit in the "
             "attachment settings.").format(name=filename, size=human_size(size), limit=human_size(limit))


def human_size(size: int) -> str:
    """``1.5 MB``, ``12 KB``, ``300 bytes`` in the interface language's number format."""
    from focalpoint.i18n import format_number

    if size < 1024:
        return _("{n} bytes").format(n=format_number(size))
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_number(round(size / 1024, 1)))
    return _("{n} MB").format(n=format_number(round(size / 1024 / 1024, 1)))


def _copy_in(data_dir: Path, source: IO[bytes], *, limit: int | None, name: str,
             expected: str | None = None, expected_size: int | None = None) -> tuple[str, int]:
    """Copy a stream into ``attachments/`` under its SHA-256 (temp file, fsync, rename)."""
    target_dir = attachments_dir(data_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=INCOMING_PREFIX, dir=target_dir)
    try:
        with os.fdopen(fd, "wb") as dst:
            while True:
                want = _CHUNK if expected_size is None else min(_CHUNK, expected_size - size)
                chunk = source.read(want) if want > 0 else b""
                if not chunk:
                    break
                size += len(chunk)
                if limit is not None and size > limit:
                    raise AttachmentRefused(too_big_message(name, size, limit), reason="too-big")
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        sha = digest.hexdigest()
        if expected is not None and (sha != expected or (expected_size is not None and size != expected_size)):
            raise AttachmentRefused(_("The file \"{name}\" is damaged: its content does not match its "
                                      "checksum.").format(name=name), reason="corrupt")
        final = target_dir / sha
        if final.exists() and final.stat().st_size == size:
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return sha, size


def store_attachment(data_dir: str | os.PathLike[str], path: str | os.PathLike[str], *,
                     max_bytes: int | None = DEFAULT_MAX_BYTES, filename: str | None = None) -> dict[str, Any]:
    """Check and copy ``path`` into the data directory; answer the document value
    ``{"sha256", "filename", "size"}`` for an attachment field.

    ``filename`` (default: the file's own name) goes through :func:`safe_filename`. Raises
    :class:`AttachmentRefused` for a file over ``max_bytes`` (``None``: no limit), a folder or a
    file that cannot be read; nothing is left behind then."""
    source = Path(path)
    name = safe_filename(filename if filename is not None else source.name)
    try:
        info = source.stat()
    except OSError as exc:
        raise AttachmentRefused(_("The file \"{path}\" cannot be read: {detail}").format(
            path=source, detail=exc.strerror or exc), reason="unreadable") from exc
    if not source.is_file():
        raise AttachmentRefused(_("\"{path}\" is not a file: choose a file to attach.").format(path=source),
                                reason="not-a-file")
    if max_bytes is not None and info.st_size > max_bytes:
        raise AttachmentRefused(too_big_message(name, info.st_size, max_bytes), reason="too-big")
    try:
        with source.open("rb") as src:
            sha, size = _copy_in(Path(data_dir), src, limit=max_bytes, name=name)
    except OSError as exc:
        raise AttachmentRefused(_("The file \"{path}\" cannot be read: {detail}").format(
            path=source, detail=exc.strerror or exc), reason="unreadable") from exc
    return {"sha256": sha, "filename": name, "size": size}


def store_verified(data_dir: str | os.PathLike[str], source: IO[bytes], sha256: str, size: int, *,
                   name: str | None = None) -> Path:
    """Copy exactly ``size`` bytes from ``source`` into the data directory, keeping them only when
    their SHA-256 is ``sha256`` (else :class:`AttachmentRefused`, ``reason="corrupt"``, and
    nothing is stored). Returns the stored file's path."""
    attachment_path(data_dir, sha256)  # a well-formed digest, or ValueError
    _copy_in(Path(data_dir), source, limit=None, name=name or sha256, expected=sha256, expected_size=size)
    return attachment_path(data_dir, sha256)


def attachment_values(document: Any) -> list[dict[str, Any]]:
    """Every attachment value in a document, wherever it sits (a field, a repeated field, a group
    member): the objects holding a well-formed ``sha256`` and a ``filename``."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            sha = value.get("sha256")
            if isinstance(sha, str) and len(sha) == 64 and isinstance(value.get("filename"), str) \
                    and all(c in "0123456789abcdef" for c in sha):
                found.append(value)
                return
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return found


def distinct_files(documents: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """``{sha256: value}`` of the attachments named by ``documents`` (one value per content)."""
    files: dict[str, dict[str, Any]] = {}
    for document in documents:
        for value in attachment_values(document):
            files.setdefault(value["sha256"], value)
    return files
