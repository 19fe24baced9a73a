"""What sync keeps in the local database's ``meta`` table: checkpoints, caches, the account.

Each function works inside the caller's session (and its transaction); call from the thread that
owns the session.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from focalpoint.models import Meta


def server_key(url: str) -> str:
    """A short, stable name for a server in Meta keys."""
    key = url.split("://", 1)[-1].rstrip("/").lower()
    if len(key) > 60:
        key = hashlib.sha256(key.encode()).hexdigest()[:20]
    return key


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    """The value stored under ``key``, or ``default``."""
    row = session.get(Meta, key)
    return row.value if row is not None else default


def set_meta(session: Session, key: str, value: str) -> None:
    """Store ``value`` under ``key`` (added or replaced)."""
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def get_meta_json(session: Session, key: str) -> Any:
    """The JSON value stored under ``key``; None when there is none or it is not JSON."""
    raw = get_meta(session, key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def set_meta_json(session: Session, key: str, value: Any) -> None:
    """Store ``value`` as compact JSON under ``key``."""
    set_meta(session, key, json.dumps(value, separators=(",", ":")))
