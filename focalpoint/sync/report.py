"""What a sync is doing (:class:`SyncProgress`) and what it did (:class:`SyncReport`).

Plain data: made on the thread running the sync, read on any thread once handed over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SyncProgress:
    """Where a sync is, for a progress bar. ``records_total`` is None while unknown (pulling)."""

    phase: str  # "connecting" | "sending" | "receiving" | "done"
    records_done: int
    records_total: int | None
    bytes_sent: int
    bytes_received: int
    message: str


@dataclass
class SyncReport:
    """What one sync did. ``error`` is the person's message when it stopped early."""

    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pushed: int = 0
    pulled: int = 0
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # decisions about requests closed meanwhile: they left the outbox (identifier → why)
    discarded: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    cancelled: bool = False
    error: str | None = None
    error_kind: str | None = None  # network | server | malformed | auth | None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "pushed": self.pushed, "pulled": self.pulled, "merged": self.merged,
                "conflicts": self.conflicts, "errors": self.errors, "discarded": self.discarded,
                "requests": self.requests,
                "bytes_sent": self.bytes_sent, "bytes_received": self.bytes_received,
                "cancelled": self.cancelled, "error": self.error, "error_kind": self.error_kind,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}
