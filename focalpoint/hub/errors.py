"""Errors the hub answers with, in the real CHM's envelope:
``{"statusCode": 404, "code": "Error.X", "message": "..."}`` (plus extra fields some answers need,
such as ``errors`` or ``current``).

Messages are English on the wire; clients localize by ``code``.
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """An error answer: HTTP status, CHM-style code, English message, extra body fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return envelope(self.status, self.code, self.message, **self.extra)


def envelope(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The CHM's error body (``scbd-common`` api-base reads ``statusCode``, ``code``, ``message``)."""
    return {"statusCode": status, "code": code, "message": message, **extra}


def not_found(what: str = "The record") -> HubError:
    return HubError(404, "Error.NotFound", f"{what} does not exist.")


def forbidden(message: str) -> HubError:
    return HubError(403, "Error.Forbidden", message)


def bad_request(code: str, message: str, **extra: Any) -> HubError:
    return HubError(400, code, message, **extra)
