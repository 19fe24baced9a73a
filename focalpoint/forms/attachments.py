"""Attachments: files copied into the data directory, named by their SHA-256.

``store_attachment`` copies a file to ``<data_dir>/attachments/<sha256>`` through a
temporary file and an atomic rename, so a crash never leaves a half-written file
under a content name; storing the same content twice keeps one copy.

Call from a worker thread (it reads and writes whole files), never the UI thread.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from focalpoint.paths import attachments_dir

_CHUNK = 1 << 20


def attachment_path(data_dir: str | os.PathLike[str], sha256: str) -> Path:
    """Where the content with this SHA-256 lives in the data directory."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return attachments_dir(Path(data_dir)) / sha256


def store_attachment(data_dir: str | os.PathLike[str], path: str | os.PathLike[str]) -> dict[str, Any]:
    """Copy ``path`` into the data directory; answer the document value
    ``{"sha256", "filename", "size"}`` for an attachment field."""
    source = Path(path)
    target_dir = attachments_dir(Path(data_dir))
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target_dir)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while True:
                chunk = src.read(_CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        sha = digest.hexdigest()
        final = target_dir / sha
        if final.exists() and final.stat().st_size == size:
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return {"sha256": sha, "filename": source.name, "size": size}
