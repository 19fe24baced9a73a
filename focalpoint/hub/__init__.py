"""focalpoint-hub: a CHM-compatible central server with the FocalPoint sync extension.

It speaks the SCBD clearing-house API shapes (``/api/v2013/...``: tokens, drafts,
published documents, validation, publication workflows) and adds, under
``/api/v2013/focalpoint/``, a change feed, idempotency keys, revision
preconditions, batched writes, record history and bundles (see
``docs/sync-protocol.md``). It shares only ``focalpoint.forms`` validation with the
client; its database models are its own (``focalpoint.hub.models``).

Entry points: :func:`focalpoint.hub.app.create_app` and the ``focalpoint-hub``
console script (:mod:`focalpoint.hub.cli`); the tests run it on loopback
(``tests/support/hub.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    """See :func:`focalpoint.hub.app.create_app` (imported lazily: FastAPI is heavy)."""
    from focalpoint.hub.app import create_app as _create_app

    return _create_app(*args, **kwargs)
