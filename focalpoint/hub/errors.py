"""Errors the hub answers with, in the real CHM's envelope:
``{"statusCode": 404, "code": "Error.X", "message": "..."}`` (plus extra fields some answers need,
such as ``errors`` or ``current``).

Messages are English on the wire; clients localize by ``code``.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorEnvelope(BaseModel):
    """The CHM's error body: ``statusCode``, ``code`` (clients localize by it), ``message`` (English);
    some answers add fields (``errors`` of a validation, ``current`` copy on a conflict …)."""

    model_config = ConfigDict(extra="allow", title="Error")
    statusCode: int = Field(description="The HTTP status again.")
    code: str = Field(description="Error.* code, e.g. Error.NotFound, Error.Validation, Error.Conflict.")
    message: str = Field(description="What went wrong, in English.")
    errors: list[dict[str, Any]] | None = Field(None, description="Validation errors ({code, property, …}).")
    details: list[dict[str, Any]] | None = Field(None, description="Parameters that are not valid.")
    current: dict[str, Any] | None = Field(None, description="On a conflict: the hub's current info.")
    currentRevision: int | None = None
    workflowId: str | None = Field(None, description="On 423: the request holding the lock.")


class HubError(Exception):
    """An error answer: HTTP status, CHM-style code, English message, extra body fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
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


def safe_message(exc: BaseException) -> str:
    """The first line of a (database) error's message, cut at its first quote: what failed, never the
    value it quotes. A database error may quote the data it refused (SQLite's ``JSON path error near
    '…'``, PostgreSQL's ``CONTEXT: JSON data, line 1: …`` on a later line), and that may be a draft."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    line = text.splitlines()[0] if text else ""
    cut = min((i for i in (line.find("'"), line.find('"'), line.find("`")) if i >= 0), default=-1)
    if cut >= 0:
        line = line[:cut] + "…"
    return line[:200]


def log_failure(log: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an unexpected failure: where it happened (the traceback's frames), the exception's type and
    :func:`safe_message`, never a value it quotes, so a draft's text never reaches the log. Any thread."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    orig = getattr(exc, "orig", None)
    kind = type(exc).__name__ + (f" ({type(orig).__name__})" if orig is not None else "")
    log.error("%s: %s: %s\n%s", what, kind, safe_message(exc), frames.rstrip())


def refused_value() -> HubError:
    """400 for a value the database refused (PostgreSQL: a NUL character, a number out of range)."""
    return HubError(400, "Error.InvalidValue", "The request holds a value the database cannot store "
                    "(such as a NUL character or a number out of range).")


def not_found(what: str = "The record") -> HubError:
    return HubError(404, "Error.NotFound", f"{what} does not exist.")


def forbidden(message: str) -> HubError:
    return HubError(403, "Error.Forbidden", message)


def bad_request(code: str, message: str, **extra: Any) -> HubError:
    return HubError(400, code, message, **extra)
