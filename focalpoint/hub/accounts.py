"""Users, governments, roles and authentication tokens.

Roles carry the real CHM's names (``schemas/absch/chm-realm-configuration.json``):
``ChmNrNationalAuthorizedUser`` (national authorized user: drafts and publication
requests for its government), ``ChmNrNationalFocalPoint`` (national focal point,
the publishing authority of its government) and ``ChmAdministrator`` (the
Secretariat: approves reference records; belongs to no government). FocalPoint's
earlier names ``authorized-user``, ``focal-point`` and ``secretariat`` stay
accepted as aliases, so users stored with them keep working; permission checks
use the alias (:attr:`Principal.role`).

Any thread may call these functions with its own session.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, Delete, delete, select
from sqlalchemy.orm import Session

from focalpoint.hub.errors import HubError
from focalpoint.hub.models import Government, LoginFailure, Token, User
from focalpoint.hub.security import (
    burn_time_like_a_login,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

AUTHORIZED_USER = "authorized-user"
FOCAL_POINT = "focal-point"
SECRETARIAT = "secretariat"
ROLES = (AUTHORIZED_USER, FOCAL_POINT, SECRETARIAT)
CHM_AUTHORIZED_USER = "ChmNrNationalAuthorizedUser"
CHM_FOCAL_POINT = "ChmNrNationalFocalPoint"
CHM_ADMINISTRATOR = "ChmAdministrator"
CHM_ROLES = {CHM_AUTHORIZED_USER: AUTHORIZED_USER, CHM_FOCAL_POINT: FOCAL_POINT, CHM_ADMINISTRATOR: SECRETARIAT}
REAL_NAME = {alias: real for real, alias in CHM_ROLES.items()}
ALL_ROLES = (*CHM_ROLES, *ROLES)


def role_alias(role: str) -> str:
    """FocalPoint's own name of a role (``ChmNrNationalFocalPoint`` → ``focal-point``)."""
    return CHM_ROLES.get(role, role)


def role_names(role: str) -> list[str]:
    """Every name a user's role answers to: the CHM's and FocalPoint's (for ``/authentication/user``)."""
    alias = role_alias(role)
    return [REAL_NAME[alias], alias] if alias in REAL_NAME else [role]

_GOVERNMENT_RE = re.compile(r"^[a-z]{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request (plain data, safe across threads)."""

    id: int
    email: str
    name: str
    role: str
    government: str | None

    @property
    def is_secretariat(self) -> bool:
        return self.role == SECRETARIAT


def _principal(user: User) -> Principal:
    return Principal(user.id, user.email, user.name or user.email, role_alias(user.role), user.government)


def normalize_government(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().lower()
    return code or None


def add_user(session: Session, *, email: str, password: str, role: str, government: str | None,
             name: str = "", replace: bool = False, hash_cost: int | None = None) -> User:
    """Create (or with ``replace`` update) a user; the government is created if new."""
    email = email.strip().lower()
    if not _EMAIL_RE.match(email):
        raise ValueError(f"{email!r} is not an e-mail address.")
    if role not in ALL_ROLES:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(ALL_ROLES)}.")
    if not password:
        raise ValueError("The password must not be empty.")
    government = normalize_government(government)
    if role_alias(role) == SECRETARIAT:
        government = None
    elif government is None or not _GOVERNMENT_RE.match(government):
        raise ValueError("A national user needs a government: a two-letter ISO 3166 code such as 'ws'.")
    if government is not None and session.get(Government, government) is None:
        session.add(Government(code=government, name=government.upper()))
        session.flush()
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and not replace:
        raise ValueError(f"A user with the e-mail {email} already exists.")
    if user is None:
        user = User(email=email)
        session.add(user)
    user.name = name or user.name or email
    if user.id is not None and not verify_password(password, user.password_hash):
        end_tokens(session, user.id)  # a changed password ends the old sign-ins
    user.password_hash = hash_password(password, n=hash_cost) if hash_cost else hash_password(password)
    user.role = role
    user.government = government
    user.active = True
    session.flush()
    return user


ACCOUNT_LIMIT = 10  # failed sign-ins of one account ...
ADDRESS_LIMIT = 100  # ... or from one address, within LOGIN_WINDOW, before a pause of LOGIN_BLOCK
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_BLOCK = dt.timedelta(minutes=15)


def login_keys(email: str, address: str | None) -> list[tuple[str, int]]:
    keys = [("account:" + (email or "").strip().lower()[:320], ACCOUNT_LIMIT)]
    if address:
        keys.append(("address:" + address[:64], ADDRESS_LIMIT))
    return keys


def check_login_allowed(session: Session, keys: list[tuple[str, int]], *, now: dt.datetime) -> None:
    """429 ``Error.TooManyAttempts`` (with ``retryAfter`` seconds) while an account or an address
    is paused after too many failed sign-ins."""
    for key, _limit in keys:
        row = session.get(LoginFailure, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            wait = max(1, int((row.blocked_until - now).total_seconds()))
            raise HubError(429, "Error.TooManyAttempts", "Too many failed sign-ins: wait, then try again.",
                           retryAfter=wait)


def note_login_failure(session: Session, keys: list[tuple[str, int]], *, now: dt.datetime) -> None:
    for key, limit in keys:
        row = session.get(LoginFailure, key)
        if row is None:
            row = LoginFailure(key=key, count=0, window_start=now)
            session.add(row)
        if now - row.window_start > LOGIN_WINDOW:
            row.count, row.window_start, row.blocked_until = 0, now, None
        row.count += 1
        if row.count >= limit:
            row.blocked_until = now + LOGIN_BLOCK


def clear_login_failures(session: Session, email: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == login_keys(email, None)[0][0]))


def end_tokens(session: Session, user_id: int) -> int:
    """End every sign-in of a user at once (password changed, account disabled)."""
    return _delete_count(session, delete(Token).where(Token.user_id == user_id))


def revoke_token(session: Session, token: str) -> bool:
    """Sign out: this token stops working now."""
    return bool(_delete_count(session, delete(Token).where(Token.token_hash == token_digest(token))))


def _delete_count(session: Session, statement: Delete) -> int:
    """How many rows a DELETE removed (a DML statement runs to a cursor result, which has a row count)."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


def _user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise ValueError(f"There is no user with the e-mail {email}.")
    return user


def set_active(session: Session, email: str, active: bool) -> User:
    """Enable or disable an account; disabling ends its sign-ins at once."""
    user = _user_by_email(session, email)
    user.active = active
    if not active:
        end_tokens(session, user.id)
    return user


def set_password(session: Session, email: str, password: str, *, hash_cost: int | None = None) -> User:
    """A new password; every sign-in made with the old one ends."""
    if not password:
        raise ValueError("The password must not be empty.")
    user = _user_by_email(session, email)
    user.password_hash = hash_password(password, n=hash_cost) if hash_cost else hash_password(password)
    end_tokens(session, user.id)
    return user


def check_credentials(session: Session, email: str, password: str) -> int:
    """The id of the active user with these credentials; raises 403 ``Error.InvalidCredentials``.

    Call it in a read transaction: the password hash takes tens of milliseconds.
    """
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        burn_time_like_a_login(password or "")
        raise HubError(403, "Error.InvalidCredentials", "The e-mail or the password is wrong.")
    if not verify_password(password or "", user.password_hash):
        raise HubError(403, "Error.InvalidCredentials", "The e-mail or the password is wrong.")
    return user.id


def issue_token(session: Session, user_id: int, *, now: dt.datetime, ttl: dt.timedelta) -> tuple[str, dt.datetime]:
    """A new token for the user (only its digest is stored); drops the user's expired tokens."""
    token = new_token()
    expires = now + ttl
    session.add(Token(token_hash=token_digest(token), user_id=user_id, created_on=now, expires_on=expires))
    session.execute(delete(Token).where(Token.user_id == user_id, Token.expires_on < now))
    return token, expires


def principal_for_token(session: Session, token: str, *, now: dt.datetime) -> Principal | None:
    """The user a token belongs to, or None if it is unknown or expired."""
    row = session.get(Token, token_digest(token))
    if row is None or row.expires_on <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return _principal(user)


def user_refs(session: Session, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    """``{id: {"userID", "email", "name"}}`` for the given user ids (one query; ``None`` ids are skipped)."""
    known = {i for i in ids if i is not None}
    if not known:
        return {}
    rows = session.execute(select(User.id, User.email, User.name).where(User.id.in_(known)))
    return {uid: {"userID": uid, "email": email, "name": name or email} for uid, email, name in rows}
