"""The hub's JSON answers: never a server error for a value already stored.

Starlette renders with ``allow_nan=False``, so a non-finite number stored before the hub refused
them (``focalpoint.jsonsafe``) would make every answer that includes it fail with 500, for every
user of that government. Here such a value renders as ``null`` and the problem is logged once per
answer, without the document.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.responses import JSONResponse as _StarletteJSON

from focalpoint.jsonsafe import finite

log = logging.getLogger("focalpoint.hub")


class JSONResponse(_StarletteJSON):
    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except ValueError:
            log.warning("an answer held a non-finite number; it was sent as null")
            return super().render(finite(content))
