"""What can go wrong while syncing, each with a message a focal point understands.

Every exception here carries ``user_message``: what happened and what to do
next, already translated. ``transient`` tells the engine whether trying the
same request again later may succeed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from focalpoint.i18n import _


class SyncError(Exception):
    """Base of every sync problem. ``str(exc)`` is the person's message."""

    transient = False

    @property
    def user_message(self) -> str:
        return str(self)


class NetworkError(SyncError):
    """The server could not be reached, or the connection broke or timed out."""

    transient = True

    def __init__(self, detail: str = "", *, unreachable: bool = False) -> None:
        super().__init__(_("The server could not be reached ({detail}). Your changes are kept on this "
                           "computer and will be sent at the next sync. Check the Internet connection, "
                           "or carry an offline bundle to a connected computer.").format(
            detail=detail or _("no answer")))
        self.detail = detail
        self.unreachable = unreachable  # no connection could be made at all (offline, refused, DNS)


class ServerError(SyncError):
    """The server answered 5xx (or 429): it may work again a little later."""

    transient = True

    def __init__(self, status: int) -> None:
        super().__init__(_("The server had a problem (HTTP {status}). Your changes are kept on this "
                           "computer; FocalPoint will try again at the next sync. If this keeps "
                           "happening, tell the hub administrator.").format(status=status))
        self.status = status


class MalformedAnswer(SyncError):
    """The server's answer is not what the protocol promises (bad JSON, wrong types, too big…)."""

    def __init__(self, detail: str) -> None:
        super().__init__(_("The server sent an answer FocalPoint cannot read ({detail}). Nothing on this "
                           "computer has been changed. Try again later; if this keeps happening, check the "
                           "server address or tell the hub administrator.").format(detail=detail))
        self.detail = detail


class AuthenticationFailed(SyncError):
    """The email or password was refused, or the token expired and no password is at hand."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The server did not accept your email and password. Check them "
                                      "and sign in again."))


class SignInRequired(AuthenticationFailed):
    """The saved sign-in expired and the engine has no way to ask for the password."""

    def __init__(self) -> None:
        super().__init__(_("Your sign-in has expired. Sign in again to sync; your changes are kept on "
                           "this computer."))


class Cancelled(SyncError):
    """The person cancelled the sync; whatever was half done is retried next time."""

    def __init__(self) -> None:
        super().__init__(_("Sync cancelled. Anything not finished will be sent at the next sync."))


def raise_if_cancelled(cancel: threading.Event | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` is set. The thread running the sync."""
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def pause(seconds: float, cancel: threading.Event | None, sleep: Callable[[float], None] | None) -> None:
    """Wait ``seconds`` (through ``sleep`` when given, else until ``cancel`` is set), raising
    :class:`Cancelled` if the sync is cancelled before or during the wait. The thread running the sync."""
    raise_if_cancelled(cancel)
    if sleep is not None:
        sleep(seconds)
    elif cancel is not None:
        cancel.wait(seconds)
    else:
        time.sleep(seconds)
    raise_if_cancelled(cancel)


class ConflictUnresolved(SyncError):
    """``resolve_conflict`` was not given a choice for every conflicting field."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(_("Choose a version for every field in conflict: {fields}.").format(
            fields=", ".join(fields)))
        self.fields = fields


class BundleError(SyncError):
    """An offline bundle cannot be read or imported; nothing was changed."""
