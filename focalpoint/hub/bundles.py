"""Government bundles for machines with no connectivity (format: ``focalpoint.sync.bundle``)."""

from __future__ import annotations

from fastapi.responses import Response

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Hub
from focalpoint.hub.errors import HubError


async def bundle_response(hub: Hub, principal: Principal, government: str | None) -> Response:
    raise HubError(501, "Error.NotImplemented", "Bundles are not available on this hub yet.")
