"""The hub's runtime: database, clock, settings; and the shapes its services share.

A :class:`Hub` is made once per application by ``create_app``; services receive a
:class:`WriteContext` (one write transaction) or a read session, plus the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from sqlalchemy.orm import Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.store import HubDatabase

DEFAULT_TOKEN_TTL = dt.timedelta(hours=24)
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_BATCH = 100
MAX_FILE_BYTES = 200 * 1024 * 1024  # the CHM takes up to 1 GB; a hub's disk and links are smaller
PROTOCOL_VERSION = 1
EXTENSIONS = ("changes", "changes-have", "idempotency", "preconditions", "batch", "bundles", "history",
              "focalpoint-records")


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Hub:
    """Everything a request handler needs; shared by all worker threads (read-only after start)."""

    db: HubDatabase
    clock: Callable[[], dt.datetime] = system_clock
    token_ttl: dt.timedelta = DEFAULT_TOKEN_TTL
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch: int = MAX_BATCH
    plain_chm: bool = False  # no extension: keys and preconditions ignored, extension routes off
    password_cost: int = 2**17  # scrypt N that sign-ins rehash weaker stored passwords to
    merge_patch: bool = True  # draft saves may be JSON Merge Patches (the ``merge-patch`` extension)
    zstd: bool = True  # zstd with the shipped dictionary for clients that ask (``focalpoint.compression``)
    files_dir: Path | None = None  # attachments' files (None: beside the SQLite database; see hub.files)
    files_url: str | None = None  # finished contents in an fsspec URL instead of files_dir/content
    max_file_bytes: int = MAX_FILE_BYTES  # the largest attachment taken (413 beyond)
    resumable_uploads: bool = True  # the tus 1.0 upload route (the ``resumable-uploads`` extension)

    def now(self) -> dt.datetime:
        """Now as naive UTC (the form stored in the database)."""
        value = self.clock()
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        # milliseconds, so a time the hub sent back in a filter compares equal
        return value.replace(microsecond=value.microsecond // 1000 * 1000)


@dataclass
class WriteContext:
    """One write: the caller, its transaction, its change sequence number and time."""

    hub: Hub
    principal: Principal
    session: Session
    seq: int
    now: dt.datetime
    realm: str = "CHM"


@dataclass
class Reply:
    """A service's answer: HTTP status, JSON body, optional ETag revision."""

    status: int
    body: Any
    etag: int | None = None
    replay: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@overload
def iso(value: dt.datetime) -> str: ...
@overload
def iso(value: None) -> None: ...
@overload
def iso(value: dt.datetime | None) -> str | None: ...


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, milliseconds precision (the CHM's form)."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> dt.datetime:
    """Naive UTC datetime from ISO 8601 text (``Z`` or an offset allowed)."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
