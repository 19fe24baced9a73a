"""Sync with a hub: outbox processing, change feed, three-way merge, offline bundles.

The public API for the UI and the CLI (no PySide6 here, ever):

* :class:`SyncEngine` (``focalpoint.sync.engine``) — ``sync(progress, cancel) -> SyncReport``;
* :class:`HubClient` and :func:`probe` (``focalpoint.sync.client``);
* :func:`resolve_conflict`, :func:`conflict_details` (``focalpoint.sync.conflicts``);
* :func:`retry_record`, :func:`discard_failed` (the person's "Try again" / "Discard");
* :func:`sync_status` (``focalpoint.sync.status``): counts for a status bar;
* offline bundles in ``focalpoint.sync.bundle``, credentials in ``focalpoint.sync.credentials``.

Names are imported lazily so that ``import focalpoint.sync.merge`` stays light.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "SyncEngine": "focalpoint.sync.engine",
    "SyncProgress": "focalpoint.sync.report",
    "SyncReport": "focalpoint.sync.report",
    "retry_record": "focalpoint.sync.outbox",
    "discard_failed": "focalpoint.sync.outbox",
    "sign_in": "focalpoint.sync.engine",
    "NotConfigured": "focalpoint.sync.session",
    "HubClient": "focalpoint.sync.client",
    "Timeouts": "focalpoint.sync.client",
    "probe": "focalpoint.sync.client",
    "resolve_conflict": "focalpoint.sync.conflicts",
    "conflict_details": "focalpoint.sync.conflicts",
    "sync_status": "focalpoint.sync.status",
    "SyncError": "focalpoint.sync.errors",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
