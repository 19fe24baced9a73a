"""The sync engine's connection to one hub: sign-in and tokens, the capabilities, and each request
with retries, back-off and one re-sign-in.

:class:`HubSession` holds what one engine keeps between requests (client, clock, back-off settings,
the cancel event and the progress callback); :class:`~focalpoint.sync.engine.SyncEngine` builds the
push, the pull and the reconciling on it. Use from one thread at a time: the UI's network worker, or
the CLI's only thread.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from typing import Any, Protocol

from focalpoint.db import Database, parse_time
from focalpoint.i18n import _
from focalpoint.models import utcnow
from focalpoint.settings_keys import ACCOUNT_META_KEY, SYNC_EMAIL, SYNC_REALM, SYNC_SERVER
from focalpoint.sync import pull as pulling
from focalpoint.sync.client import Answer, HubClient
from focalpoint.sync.errors import (
    AuthenticationFailed,
    MalformedAnswer,
    NetworkError,
    ServerError,
    SignInRequired,
    SyncError,
    pause,
    raise_if_cancelled,
)
from focalpoint.sync.meta import get_meta_json, server_key, set_meta, set_meta_json
from focalpoint.sync.protocol import (
    CAPABILITIES_PATH,
    NO_EXTENSIONS,
    TOKEN_PATH,
    USER_PATH,
    Capabilities,
    error_message,
    parse_capabilities,
    parse_token,
)
from focalpoint.sync.report import SyncProgress, SyncReport

CAPABILITIES_TTL = dt.timedelta(hours=24)
REALM_META_KEY = SYNC_REALM  # the name other modules and tests import


class NotConfigured(SyncError):
    """No hub signed in to yet."""

    def __init__(self) -> None:
        super().__init__(_("Sync is not set up yet: sign in to your hub first (Sync > Sign in…, or "
                           "'focalpoint sync --server URL')."))


class RandomSource(Protocol):
    def random(self) -> float: ...


Credentials = Callable[[], tuple[str, str]]


class HubSession:
    """One local store's session with one hub: requests, sign-in, capabilities, progress and cancel.

    Use from one thread at a time (the thread running the sync)."""

    def __init__(self, db: Database, client: HubClient, *,
                 clock: Callable[[], dt.datetime] = utcnow,
                 sleep: Callable[[float], None] | None = None,
                 rng: RandomSource | None = None,
                 credentials: Credentials | None = None,
                 on_token: Callable[[str], None] | None = None,
                 actor: str | None = None,
                 page_size: int = 500,
                 page_bytes: int = pulling.PAGE_BYTES,
                 max_attempts: int = 5,
                 backoff_base: float = 1.0,
                 backoff_cap: float = 60.0,
                 respect_backoff: bool = False,
                 fetch_ahead: bool = True) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self._sleep = sleep
        self.rng = rng or random.Random()
        self.credentials = credentials
        self.on_token = on_token
        self.actor = actor
        self.page_size = page_size
        self.page_bytes = page_bytes  # sent as ``maxBytes`` when the hub advertises it
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.respect_backoff = respect_backoff
        self.fetch_ahead = fetch_ahead  # ask for the next feed page while one is applied (pull_run)
        self.server = client.base_url
        self._cancel: threading.Event | None = None
        self._progress: Callable[[SyncProgress], None] | None = None
        self._reauthenticated = False
        self._done = 0
        self._total: int | None = None
        self._phase = "connecting"

    def sign_in(self, email: str, password: str) -> str:
        """Exchange email and password for a token (kept on the client and given to ``on_token``;
        the password is not kept). Remembers the server and email in Meta, and the account the
        hub describes (``account.user``: email, government, roles) for the review screens."""
        answer = self._call("POST", TOKEN_PATH, json_body={"email": email, "password": password},
                            auth=False, reauth=False)
        if answer.status in (401, 403):
            raise AuthenticationFailed()
        if not answer.ok:
            raise AuthenticationFailed(_("The server refused the sign-in (HTTP {status}: {message}).").format(
                status=answer.status, message=error_message(answer.body) or ""))
        token = parse_token(answer.body)
        self.client.token = token
        if self.on_token is not None:
            self.on_token(token)
        account = None
        try:
            user = self._call("GET", USER_PATH, reauth=False)
            if user.ok and isinstance(user.body, dict):
                account = {k: user.body.get(k) for k in ("userID", "email", "name", "government", "roles")}
        except (NetworkError, ServerError, MalformedAnswer):
            pass  # the account is only informative; the sync goes on
        with self.db.session(write=True) as session:
            set_meta(session, SYNC_SERVER, self.server)
            set_meta(session, SYNC_EMAIL, email)
            set_meta(session, REALM_META_KEY, self.client.realm)
            if account is not None:
                set_meta_json(session, ACCOUNT_META_KEY, account)
        return token

    def capabilities(self, *, refresh: bool = False) -> Capabilities:
        """The server's extensions, from the Meta cache when fresh (no request)."""
        key = f"sync.{server_key(self.server)}.capabilities"
        now = self.clock()
        if not refresh:
            with self.db.session() as session:
                cached = get_meta_json(session, key)
            if isinstance(cached, dict):
                fetched = parse_time(cached.get("fetched"))
                if fetched is not None and dt.timedelta(0) <= now - fetched < CAPABILITIES_TTL:
                    try:
                        return parse_capabilities(cached.get("value"))
                    except MalformedAnswer:
                        pass
        answer = self._call("GET", CAPABILITIES_PATH, auth=False)
        if answer.status == 404:
            caps = NO_EXTENSIONS
        elif answer.ok:
            caps = parse_capabilities(answer.body)
        else:
            raise MalformedAnswer(_("HTTP {status} for the capabilities").format(status=answer.status))
        with self.db.session(write=True) as session:
            set_meta_json(session, key, {"value": caps.to_json(), "fetched": now.isoformat()})
        return caps

    # --------------------------------------------------------------- plumbing

    def _fail(self, report: SyncReport, exc: SyncError, kind: str) -> None:
        report.error = exc.user_message
        report.error_kind = kind

    def _check_cancel(self) -> None:
        raise_if_cancelled(self._cancel)

    def _emit(self, phase: str, message: str) -> None:
        self._phase = phase
        if self._progress is None:
            return
        stats = self.client.stats
        self._progress(SyncProgress(phase=phase, records_done=self._done, records_total=self._total,
                                    bytes_sent=stats.bytes_sent, bytes_received=stats.bytes_received,
                                    message=message))

    def _wait(self, seconds: float) -> None:
        pause(seconds, self._cancel, self._sleep)

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential back-off with jitter: between half and all of base·2^(attempt-1), capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * float(2 ** max(0, attempt - 1)))
        delay = ceiling / 2 + self.rng.random() * ceiling / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_cap))
        return delay

    def _call(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, auth: bool = True, reauth: bool = True,
              retry: bool = True, on_retry: Callable[[SyncError], None] | None = None) -> Answer:
        """One request with retries for transient failures and one re-sign-in on 401.
        ``on_retry`` sees each failure that is retried (it may change ``params`` for the retry)."""
        attempt = 0
        while True:
            self._check_cancel()
            retry_after: float | None = None
            try:
                answer = self.client.request(method, path, json_body=json_body, params=params,
                                             headers=headers, auth=auth)
            except NetworkError as exc:
                error: SyncError = exc
                if exc.unreachable and attempt >= 1:
                    raise  # a second refused connection: offline, no point in waiting longer
            else:
                if answer.status == 401 and auth and reauth:
                    if self._reauthenticated:
                        raise SignInRequired()
                    self._reauthenticated = True
                    self._authenticate(force=True)
                    continue
                if answer.status >= 500 or answer.status == 429:
                    error = ServerError(answer.status)
                    retry_after = _retry_after(answer)
                else:
                    return answer
            attempt += 1
            if not retry or attempt >= self.max_attempts:
                raise error
            if on_retry is not None:
                on_retry(error)
            self._wait(self.backoff_delay(attempt, retry_after))

    def _authenticate(self, force: bool = False) -> None:
        if self.credentials is None:
            raise SignInRequired()
        email, password = self.credentials()
        self.client.token = None
        self.sign_in(email, password)


def _retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("retry-after")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
