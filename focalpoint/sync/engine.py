"""The sync engine: sign in, push the outbox, pull the change feed — safe to stop at any moment.

``SyncEngine.sync()`` runs in the UI's network worker thread (or the CLI's
only thread) and returns a :class:`SyncReport`; it does not raise for
network, server or sign-in problems (the report says what happened in words
for the person). Progress goes to a callback on the same thread; the UI
forwards it to the UI thread by signal.

Cancelling (``cancel.set()`` from any thread) takes effect between requests
and during back-off waits; nothing is left half-written, because every
database change is one transaction and every request is idempotent.

Requests when nothing changed: one (the change feed), once the capabilities
are cached in Meta and a token is held.

Files: the attachments a save names go to the server before the save
(:func:`focalpoint.sync.attachments.send_files_first`); with the setting "download all
attachments" the files local records lack are fetched after the pull. Their bytes count in
the progress and the report.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from focalpoint.db import Database
from focalpoint.forms.model import is_focalpoint_only
from focalpoint.i18n import _
from focalpoint.models import OutboxEntry, Record, utcnow
from focalpoint.records import index_record
from focalpoint.settings_keys import (
    ACCOUNT_META_KEY,
    SYNC_EMAIL,
    SYNC_LAST_SYNC,
    SYNC_REALM,
    SYNC_SERVER,
    server_last_sync_key,
)
from focalpoint.sync import localstore as ls
from focalpoint.sync import plain
from focalpoint.sync import pull as pulling
from focalpoint.sync import push as pushing
from focalpoint.sync.attachments import download_needed, send_files_first
from focalpoint.sync.bbi import sync_bbi_requests
from focalpoint.sync.client import DEFAULT_REALM, Answer, HubClient
from focalpoint.sync.errors import (
    AuthenticationFailed,
    Cancelled,
    MalformedAnswer,
    NetworkError,
    ServerError,
    SignInRequired,
    SyncError,
)
from focalpoint.sync.protocol import (
    BATCH_PATH,
    CAPABILITIES_PATH,
    CHANGES_PATH,
    FOCALPOINT_RECORDS,
    NO_EXTENSIONS,
    TOKEN_PATH,
    USER_PATH,
    Capabilities,
    error_message,
    info_path,
    parse_batch,
    parse_capabilities,
    parse_changes,
    parse_info,
    parse_raw_document,
    parse_token,
    published_path,
    with_body,
)

log = logging.getLogger("focalpoint.sync")
CAPABILITIES_TTL = dt.timedelta(hours=24)
REALM_META_KEY = SYNC_REALM  # the name other modules and tests import


class NotConfigured(SyncError):
    """No hub signed in to yet."""

    def __init__(self) -> None:
        super().__init__(_("Sync is not set up yet: sign in to your hub first (Sync > Sign in…, or "
                           "'focalpoint sync --server URL')."))


class RandomSource(Protocol):
    def random(self) -> float: ...


@dataclass(frozen=True)
class SyncProgress:
    """Where a sync is, for a progress bar. ``records_total`` is None while unknown (pulling)."""

    phase: str  # "connecting" | "sending" | "receiving" | "done"
    records_done: int
    records_total: int | None
    bytes_sent: int
    bytes_received: int
    message: str


@dataclass
class SyncReport:
    """What one sync did. ``error`` is the person's message when it stopped early."""

    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pushed: int = 0
    pulled: int = 0
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # decisions about requests closed meanwhile: they left the outbox (identifier → why)
    discarded: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    cancelled: bool = False
    error: str | None = None
    error_kind: str | None = None  # network | server | malformed | auth | None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "pushed": self.pushed, "pulled": self.pulled, "merged": self.merged,
                "conflicts": self.conflicts, "errors": self.errors, "discarded": self.discarded,
                "requests": self.requests,
                "bytes_sent": self.bytes_sent, "bytes_received": self.bytes_received,
                "cancelled": self.cancelled, "error": self.error, "error_kind": self.error_kind,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}


Credentials = Callable[[], tuple[str, str]]


class SyncEngine:
    """Syncs one local store with one hub. Use from one thread at a time."""

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
                 respect_backoff: bool = False):
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
        self.server = client.base_url
        self._cancel: threading.Event | None = None
        self._progress: Callable[[SyncProgress], None] | None = None
        self._reauthenticated = False
        self._done = 0
        self._total: int | None = None
        self._phase = "connecting"

    # ------------------------------------------------------------------ public

    @classmethod
    def for_database(cls, db: Database, *, tokens: Any = None, credentials: Credentials | None = None,
                     transport: Any = None, **options: Any) -> SyncEngine:
        """An engine for the hub this store last signed in to (Meta ``sync.server``/``sync.email``),
        with the token saved by :class:`~focalpoint.sync.credentials.TokenStore`.

        Raises :class:`NotConfigured` when nobody has signed in yet. Without ``credentials`` an
        expired token ends the sync with ``error_kind == "auth"`` (ask the person to sign in again).
        """
        from focalpoint.sync.credentials import TokenStore

        with db.session() as session:
            server = ls.get_meta(session, SYNC_SERVER)
            email = ls.get_meta(session, SYNC_EMAIL)
            realm = ls.get_meta(session, REALM_META_KEY) or DEFAULT_REALM
        if not server or not email:
            raise NotConfigured()
        tokens = tokens or TokenStore()
        client = HubClient(server, transport=transport, token=tokens.get(server, email), realm=realm)
        return cls(db, client, credentials=credentials, actor=email,
                   on_token=lambda token: tokens.set(server, email, token), **options)

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
        with self.db.session() as session:
            ls.set_meta(session, SYNC_SERVER, self.server)
            ls.set_meta(session, SYNC_EMAIL, email)
            ls.set_meta(session, REALM_META_KEY, self.client.realm)
            if account is not None:
                ls.set_meta_json(session, ACCOUNT_META_KEY, account)
        return token

    def sync(self, progress: Callable[[SyncProgress], None] | None = None,
             cancel: threading.Event | None = None) -> SyncReport:
        """Push the outbox, then pull what changed. Never raises for sync problems; see the report."""
        self._cancel = cancel
        self._progress = progress
        self._reauthenticated = False
        self._done, self._total = 0, None
        self._written: set[str] = set()  # records this sync wrote to the hub (``have`` at the pull)
        start_stats = self.client.stats.copy()
        report = SyncReport(started_at=self.clock())
        self._release_syncing()
        try:
            self._emit("connecting", _("Connecting to the server…"))
            if self.client.token is None:
                self._authenticate()
            caps = self.capabilities()
            self.client.negotiate(caps.extensions)  # zstd with a shared dictionary, else gzip
            held = sync_bbi_requests(self, report) | self._hold_focalpoint_records(caps)
            self._push(caps, report, exclude=held)
            self._pull(caps, report)
            download_needed(self, report)  # only with the setting "download all attachments"
            self._fetch_published_for_reviews()
            if report.pushed or report.pulled or report.merged:  # nothing changed: nothing new referenced
                self._fetch_missing_references()
            with self.db.session() as session:
                ls.set_meta(session, server_last_sync_key(ls.server_key(self.server)), self.clock().isoformat())
                ls.set_meta(session, SYNC_LAST_SYNC, self.clock().isoformat())
                ls.set_meta(session, SYNC_SERVER, self.server)
        except Cancelled:
            report.cancelled = True
        except NetworkError as exc:
            self._fail(report, exc, "network")
        except ServerError as exc:
            self._fail(report, exc, "server")
        except MalformedAnswer as exc:
            self._fail(report, exc, "malformed")
        except AuthenticationFailed as exc:
            self._fail(report, exc, "auth")
        except SyncError as exc:
            self._fail(report, exc, "other")
        except SQLAlchemyError as exc:
            report.error = _("FocalPoint could not store what the server sent in its database ({detail}). "
                             "Nothing already saved was lost and the sync can simply be run again; if "
                             "this keeps happening, check the free disk space.").format(
                detail=str(getattr(exc, "orig", None) or exc).splitlines()[0][:200])
            report.error_kind = "database"
        finally:
            try:
                self._release_syncing()
            except SQLAlchemyError:
                pass
            stats = self.client.stats
            report.requests = stats.requests - start_stats.requests
            report.bytes_sent = stats.bytes_sent - start_stats.bytes_sent
            report.bytes_received = stats.bytes_received - start_stats.bytes_received
            report.finished_at = self.clock()
            self._cancel = None
        if report.ok and not report.cancelled:  # the CHM vocabularies, at most once a day; never fails the sync
            from focalpoint.sync.thesaurus import refresh_thesaurus
            refresh_thesaurus(self._call, self.db, now=self.clock())
        self._emit("done", _("Sync finished.") if report.ok else (report.error or _("Sync cancelled.")))
        self._progress = None
        return report

    def capabilities(self, *, refresh: bool = False) -> Capabilities:
        """The server's extensions, from the Meta cache when fresh (no request)."""
        key = f"sync.{ls.server_key(self.server)}.capabilities"
        now = self.clock()
        if not refresh:
            with self.db.session() as session:
                cached = ls.get_meta_json(session, key)
            if isinstance(cached, dict):
                fetched = ls.parse_time(cached.get("fetched"))
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
        with self.db.session() as session:
            ls.set_meta_json(session, key, {"value": caps.to_json(), "fetched": now.isoformat()})
        return caps

    # --------------------------------------------------------------- plumbing

    def _fail(self, report: SyncReport, exc: SyncError, kind: str) -> None:
        report.error = exc.user_message
        report.error_kind = kind

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()

    def _emit(self, phase: str, message: str) -> None:
        self._phase = phase
        if self._progress is None:
            return
        stats = self.client.stats
        self._progress(SyncProgress(phase=phase, records_done=self._done, records_total=self._total,
                                    bytes_sent=stats.bytes_sent, bytes_received=stats.bytes_received,
                                    message=message))

    def _wait(self, seconds: float) -> None:
        self._check_cancel()
        if self._sleep is not None:
            self._sleep(seconds)
        elif self._cancel is not None:
            self._cancel.wait(seconds)
        else:
            time.sleep(seconds)
        self._check_cancel()

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential back-off with jitter: between half and all of base·2^(attempt-1), capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
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

    def _release_syncing(self) -> None:
        """Records left 'syncing' (a crash, a cancel) go back to queued or whatever they are."""
        with self.db.session(write=True) as session:
            ids = list(session.scalars(select(Record.identifier).where(Record.sync_state == "syncing")))
            if not ids:
                return
            for rec in session.scalars(select(Record).where(Record.identifier.in_(ids))):
                rec.sync_state = "queued"
                ls.settle(session, rec)

    # ------------------------------------------------------------------- push

    def _push(self, caps: Capabilities, report: SyncReport, exclude: set[str] | None = None) -> None:
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(OutboxEntry)
                                   .where(OutboxEntry.state == "pending")) or 0
        if not total:
            return
        self._done, self._total = 0, int(total)
        self._emit("sending", _("Sending your changes…"))
        batch = caps.has("batch") and caps.has("idempotency")
        limit = caps.max_batch if batch else 8
        exclude = set(exclude or ())
        transient: dict[str, int] = {}
        requeues: dict[str, int] = {}
        while True:
            self._check_cancel()
            now = self.clock()
            with self.db.session() as session:
                ops, refused = pushing.claim(session, exclude=exclude, limit=limit, now=now,
                                             respect_backoff=self.respect_backoff, realm=self.client.realm,
                                             merge_patch=caps.has(pushing.MERGE_PATCH_EXTENSION))
            for identifier, message in refused:
                report.errors[identifier] = message
                exclude.add(identifier)
            if not ops:
                break
            ops = send_files_first(self, ops, report, exclude)  # a record's files go before it
            if not ops:
                continue
            if batch:
                answers = self._send_batch(ops)
            elif not caps.has("preconditions"):
                answers = plain.send(self, ops)  # the real CHM: read before write
            else:
                answers = self._send_each(ops, report, exclude)
            retry_round = 0
            with self.db.session(write=True) as session:
                for op in ops:
                    # an operation the server left unanswered is tried again, like a 503
                    status, body = answers.get(op.entry_id, (503, None))
                    outcome = pushing.apply_answer(session, op, status, body, now=self.clock(), actor=self.actor)
                    self._account(op, outcome, report, exclude, transient, requeues, session)
                    if outcome.kind == "retry":
                        retry_round = max(retry_round, transient.get(op.entry_id, 0))
            self._done = min(self._total or 0, self._done + len(ops))
            self._emit("sending", _("Sending your changes…"))
            if retry_round:
                self._wait(self.backoff_delay(retry_round))

    def _account(self, op: pushing.Op, outcome: pushing.Outcome, report: SyncReport, exclude: set[str],
                 transient: dict[str, int], requeues: dict[str, int], session) -> None:  # noqa: ANN001
        ident = op.identifier
        self._note_delivery(session, op, outcome)
        if outcome.kind == "done":
            report.pushed += 1
            report.errors.pop(ident, None)
            self._written.add(ident)
        elif outcome.kind in ("merged", "requeued"):
            if outcome.kind == "merged" and ident not in report.merged:
                report.merged.append(ident)
            requeues[ident] = requeues.get(ident, 0) + 1
            if requeues[ident] >= 3:
                exclude.add(ident)
        elif outcome.kind == "conflict":
            if ident not in report.conflicts:
                report.conflicts.append(ident)
            exclude.add(ident)
        elif outcome.kind == "discarded":
            report.discarded[ident] = outcome.message or ""
            report.errors.pop(ident, None)
        elif outcome.kind in ("failed", "later"):
            report.errors[ident] = outcome.message or ""
            exclude.add(ident)
        elif outcome.kind == "retry":
            count = transient.get(op.entry_id, 0) + 1
            transient[op.entry_id] = count
            if count >= self.max_attempts:
                message = _(
                    "The server could not take this change just now. It stays queued and is sent at "
                    "the next sync; if this keeps happening, tell the hub administrator.")
                rec = session.get(Record, ident)
                if rec is not None:
                    rec.sync_state = "error"
                    rec.sync_error = message
                entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entry_id == op.entry_id)).first()
                if entry is not None:
                    entry.last_error = message
                    entry.next_attempt_at = self.clock() + dt.timedelta(seconds=self.backoff_delay(count))
                report.errors[ident] = message
                exclude.add(ident)

    @staticmethod
    def _note_delivery(session, op: pushing.Op, outcome: pushing.Outcome) -> None:  # noqa: ANN001
        """A change carried here by USB stick: what became of it goes back with the next records
        bundle, so that its computer drops it from its outbox (nothing is carried twice)."""
        from focalpoint.sync.bundle import record_delivery

        result = {"done": "applied", "merged": "merged", "requeued": "merged", "conflict": "conflict",
                  "failed": "failed", "discarded": "discarded"}.get(outcome.kind)
        if result is None:
            return
        revision = None
        if result == "applied" and op.action == "save":
            rec = session.get(Record, op.identifier)
            revision = rec.server_revision if rec is not None else None
        record_delivery(session, op.entry_id, result, revision=revision, message=outcome.message)

    def _send_batch(self, ops: list[pushing.Op]) -> dict[str, tuple[int, Any]]:
        answer = self._call("POST", BATCH_PATH, json_body={"operations": [op.batch_item() for op in ops]})
        if answer.status == 404:
            self.capabilities(refresh=True)
            raise MalformedAnswer(_("the server no longer offers batch sending; sync again"))
        if not answer.ok:
            raise MalformedAnswer(_("HTTP {status} for a batch").format(status=answer.status))
        return parse_batch(answer.body, [op.entry_id for op in ops])

    def _send_each(self, ops: list[pushing.Op], report: SyncReport,
                   exclude: set[str]) -> dict[str, tuple[int, Any]]:
        answers: dict[str, tuple[int, Any]] = {}
        for op in ops:
            try:
                answer = self._call(op.method, op.path, json_body=op.body, headers=op.request_headers())
            except ServerError as exc:
                answers[op.entry_id] = (exc.status, None)
                continue
            answers[op.entry_id] = (answer.status, answer.body)
        return answers

    # ------------------------------------------------------------------- pull

    def _pull(self, caps: Capabilities, report: SyncReport) -> None:
        if not caps.has("changes"):
            plain.pull(self, report)  # the real CHM: listing, raw documents, workflows?q=
            return
        with self.db.session() as session:
            since = pulling.read_checkpoint(session, self.server)
        self._done, self._total = 0, None
        have = self._held_copies() if caps.has("changes-have") else {}
        first = True
        while True:
            self._check_cancel()
            params: dict[str, Any] = {"since": since, "limit": self.page_size}
            if caps.has(pulling.MAX_BYTES_EXTENSION):
                params["maxBytes"] = self.page_bytes
            if have:
                params["have"] = ",".join(f"{uid}:{rev}" for uid, rev in have.items())
            answer = self._call("GET", CHANGES_PATH, params=params, on_retry=self._smaller_pages(params))
            if answer.status == 404 and first:
                self.capabilities(refresh=True)
                raise MalformedAnswer(_("the server no longer offers the change feed; sync again"))
            if not answer.ok:
                raise MalformedAnswer(_("HTTP {status} for the list of changes").format(status=answer.status))
            page = parse_changes(answer.body)
            if first and isinstance(since, int) and isinstance(page.last_seq, int) and page.last_seq < since:
                # our checkpoint is past the end of the hub's feed: it never came from this hub (a
                # damaged or altered bundle, a hub restored from a backup); read the feed from the start
                log.warning("pull checkpoint %s is past the end of the feed (%s): reading from the start",
                            since, page.last_seq)
                since = 0
                continue
            first = False
            for change in page.results:
                have.pop(change.identifier, None)
            self._fill_omitted_bodies(page)
            if page.results or page.last_seq != since:
                with self.db.session() as session:
                    result = pulling.apply_page(session, self.server, page, now=self.clock(), actor=self.actor)
                self._account_pull(result, report)
                self._done += len(page.results)
                self._emit("receiving", _("Receiving changes…"))
            if not page.more or page.last_seq == since:
                break
            since = page.last_seq

    def _smaller_pages(self, params: dict[str, Any]) -> Callable[[SyncError], None]:
        """After a connection that broke or timed out during a page, ask for pages half the size
        (down to ``pull.MIN_PAGE_BYTES``) for the rest of this engine's syncs: a link that cuts long
        answers still gets every page through."""
        def smaller(error: SyncError) -> None:
            if "maxBytes" in params and isinstance(error, NetworkError) and not error.unreachable:
                self.page_bytes = max(pulling.MIN_PAGE_BYTES, min(self.page_bytes, params["maxBytes"]) // 2)
                params["maxBytes"] = self.page_bytes
        return smaller

    MAX_HAVE = 100  # pairs named in one ``have`` (about 4 KB of address)

    def _held_copies(self) -> dict[str, int]:
        """``{identifier: revision}`` of the records this sync has just written and whose server copy
        we hold exactly (the write's answer): the hub then sends their metadata without the body."""
        if not self._written:
            return {}
        ids = sorted(self._written)[: self.MAX_HAVE]
        with self.db.session() as session:
            rows = session.execute(select(Record.identifier, Record.server_revision, Record.base_document)
                                   .where(Record.identifier.in_(ids))).all()
        return {uid: rev for uid, rev, base in rows if rev is not None and isinstance(base, dict)}

    def _fill_omitted_bodies(self, page) -> None:  # noqa: ANN001
        """Put our own copy into the changes the hub sent without a body; fetch any we do not hold
        at that revision after all (one request each; nothing is applied without its body)."""
        missing = pulling.fill_omitted(self.db, page.results)
        for change in missing:
            self._check_cancel()
            # the CHM's shapes: the info at .../info, the raw document beside it
            info = plain.read_version(self, change.identifier)
            if info is None:
                raise MalformedAnswer(_("HTTP {status} for the list of changes").format(status=404))
            change.info, change.revision, change.body_omitted = info, info["revision"], False

    def _hold_focalpoint_records(self, caps: Capabilities) -> set[str]:
        """FocalPoint's own record types (needs assessments, QA checklists) go only to a server that
        advertises them (``focalpoint-records``): against the central CHM they stay queued here, with a
        word on the record, and travel by USB bundle or through a FocalPoint hub instead."""
        if caps.has(FOCALPOINT_RECORDS):
            return set()
        message = _("Kept on this computer: this server (the central clearing-house) does not take "
                    "FocalPoint's own record types. Carry it by USB bundle, or sync with a FocalPoint hub.")
        held: set[str] = set()
        with self.db.session() as session:
            pending = set(session.scalars(select(OutboxEntry.record_identifier)
                                          .where(OutboxEntry.state == "pending")))
            rows = session.execute(select(Record.identifier, Record.schema, Record.sync_error)
                                   .where(Record.identifier.in_(sorted(pending)))).all() if pending else []
            to_mark = []
            for identifier, schema, error in rows:
                if is_focalpoint_only(schema):
                    held.add(identifier)
                    if error != message:
                        to_mark.append(identifier)
            if to_mark:
                session.execute(update(Record).where(Record.identifier.in_(to_mark)).values(sync_error=message))
        return held

    def _fetch_missing_references(self) -> None:
        """Records referenced by local ones but not on this computer, fetched as published (at most
        100 a sync; one the server does not have or will not show is not asked for again for a week)."""
        from focalpoint.sync.references import fetch_missing

        def fetch(identifier: str) -> dict[str, Any] | None:
            answer = self._call("GET", info_path(identifier, draft=False))
            if not answer.ok:  # 404, or 401/403: not published, or not for this person to read
                return None
            info = parse_info(answer.body)
            body = self._call("GET", published_path(identifier))
            if not body.ok:
                return None
            return with_body(info, parse_raw_document(body.body, identifier))

        fetch_missing(self.db, fetch, now=self.clock(), actor=self.actor, check_cancel=self._check_cancel)

    def _fetch_published_for_reviews(self) -> None:
        """Keep, with each pending review, the published copy the reviewer compares against.

        One request per review, once (nothing on a sync where nothing changed)."""
        from sqlalchemy import select

        from focalpoint.models import Workflow

        with self.db.session() as session:
            wanted = [(w.id, w.record_identifier) for w in session.scalars(
                select(Workflow).where(Workflow.state == "running"))
                if isinstance(w.data, dict) and "publishedFetched" not in w.data]
        for workflow_id, identifier in wanted:
            self._check_cancel()
            answer = self._call("GET", published_path(identifier))  # the raw published document
            if answer.status == 404:
                body = None
            elif answer.ok:
                body = parse_raw_document(answer.body, identifier)
            else:
                continue  # try again at the next sync
            with self.db.session(write=True) as session:
                row = session.get(Workflow, workflow_id)
                if row is not None and isinstance(row.data, dict):
                    row.data = {**row.data, "publishedFetched": True, "publishedBody": body}

    def _account_pull(self, result: pulling.PageResult, report: SyncReport) -> None:
        report.pulled += result.applied
        for ident in result.merged:
            if ident not in report.merged:
                report.merged.append(ident)
        for ident in result.conflicts:
            if ident not in report.conflicts:
                report.conflicts.append(ident)


def _retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("retry-after")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


# ----------------------------------------------------------------- conveniences


def outbox_size(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def retry_record(db: Database, identifier: str) -> None:
    """The person's "Try again": failed entries of a record become pending (UI's database worker)."""
    with db.session(write=True) as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.record_identifier == identifier,
                                                  OutboxEntry.state == "failed")
                        .values(state="pending", next_attempt_at=None, last_error=None))
        rec = session.get(Record, identifier)
        if rec is not None and rec.conflict is None:
            rec.sync_state = "queued"
            rec.sync_error = None
            ls.settle(session, rec)


def discard_failed(db: Database, identifier: str) -> int:
    """The person's "Discard this change": drop the record's failed entries. Returns how many.

    A discarded save takes the record back to the server's copy (when there is one and no
    other save is queued), so what is shown is what the server has.
    """
    with db.session(write=True) as session:
        entries = [e for e in ls.entries_of(session, identifier) if e.state == "failed"]
        for entry in entries:
            session.delete(entry)
        session.flush()
        rec = session.get(Record, identifier)
        if rec is not None:
            remaining = ls.entries_of(session, identifier)
            if any(e.action == "save" for e in entries) and not any(e.action == "save" for e in remaining) \
                    and rec.base_document is not None:
                ls.set_document(session, rec, rec.base_document)
            if any(e.action == "delete" for e in entries) and not any(e.action == "delete" for e in remaining):
                rec.deleted = False
                index_record(session, rec.identifier, rec.document)
            rec.sync_error = None
            rec.sync_state = "queued"
            ls.settle(session, rec)
        return len(entries)


def stored_realm(db: Database) -> str:
    """The ``Realm`` this machine sends (Meta ``sync.realm``; ``CHM`` until set). Any thread with
    its own session (the database worker, the network worker)."""
    with db.session() as session:
        return ls.get_meta(session, REALM_META_KEY) or DEFAULT_REALM


def sign_in(db: Database, server: str, email: str, password: str, *, tokens: Any = None,
            transport: Any = None, realm: str | None = None) -> dict[str, Any] | None:
    """The sign-in dialog's action (network worker): get a token, keep it, remember server and email.

    Returns the account as the hub describes it (or None). Raises
    :class:`AuthenticationFailed`, :class:`NetworkError`… with ``user_message``.
    """
    from focalpoint.sync.credentials import TokenStore

    tokens = tokens or TokenStore()
    realm = realm or stored_realm(db)
    with HubClient(server, transport=transport, realm=realm) as client:
        engine = SyncEngine(db, client, on_token=lambda token: tokens.set(client.base_url, email, token),
                            actor=email, max_attempts=2)
        engine.sign_in(email, password)
    with db.session() as session:
        return ls.get_meta_json(session, ACCOUNT_META_KEY)


__all__ = ["SyncEngine", "SyncProgress", "SyncReport", "NotConfigured", "retry_record", "discard_failed", "stored_realm",
           "outbox_size", "sign_in"]
