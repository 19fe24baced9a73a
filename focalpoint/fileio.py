"""Writing files so that nothing is ever half-written: a temporary file in the same folder,
flushed to disk, then renamed into place; and a file's SHA-256. Any thread may call these functions."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Flush ``folder``'s entries to disk, so that a file just renamed or created in it survives a
    power cut. Does nothing where directories cannot be opened (Windows); raises ``OSError``
    when the folder cannot be opened on POSIX."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 (hex) of a file's content, read in pieces (``hashlib.file_digest``). Any thread."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` (creating its folder) and return the path; on any failure the
    old file (if any) is left as it was and the error propagates.

    The file is readable and writable by its owner only (``mkstemp``'s mode 0600), and both it
    and its folder entry are flushed to disk before this returns.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(folder)
    return target
