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

Layout: the requests, sign-in and capabilities are in :mod:`focalpoint.sync.session`, the push
run in :mod:`~focalpoint.sync.push_run`, the pull run in :mod:`~focalpoint.sync.pull_run`, what
follows them (references, published copies for reviews, vocabularies) in
:mod:`~focalpoint.sync.reconcile`, the outbox actions in :mod:`~focalpoint.sync.outbox`; this
module puts them in order. Every database write is a ``Database.session(write=True)``
transaction opened after the request it records, so the single writer lock is never held
across a network call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.settings_keys import ACCOUNT_META_KEY, SYNC_EMAIL, SYNC_LAST_SYNC, SYNC_SERVER, server_last_sync_key
from focalpoint.sync import pull as pulling
from focalpoint.sync import pull_run, push_run, reconcile
from focalpoint.sync.attachments import download_needed
from focalpoint.sync.bbi import sync_bbi_requests
from focalpoint.sync.client import DEFAULT_REALM, HubClient
from focalpoint.sync.errors import (
    AuthenticationFailed,
    Cancelled,
    MalformedAnswer,
    NetworkError,
    ServerError,
    SyncError,
)
from focalpoint.sync.meta import get_meta, get_meta_json, server_key, set_meta
from focalpoint.sync.report import SyncProgress, SyncReport
from focalpoint.sync.session import (
    REALM_META_KEY,
    Credentials,
    HubSession,
    NotConfigured,
)


class SyncEngine(HubSession):
    """Syncs one local store with one hub. Use from one thread at a time.

    The requests, sign-in and capabilities come from :class:`~focalpoint.sync.session.HubSession`;
    the runs live in ``push_run``, ``pull_run`` and ``reconcile``; ``sync`` puts them in order."""

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
            server = get_meta(session, SYNC_SERVER)
            email = get_meta(session, SYNC_EMAIL)
            realm = get_meta(session, REALM_META_KEY) or DEFAULT_REALM
        if not server or not email:
            raise NotConfigured()
        tokens = tokens or TokenStore()
        client = HubClient(server, transport=transport, token=tokens.get(server, email), realm=realm)
        return cls(db, client, credentials=credentials, actor=email,
                   on_token=lambda token: tokens.set(server, email, token), **options)

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
        push_run.release_syncing(self)
        try:
            self._emit("connecting", _("Connecting to the server…"))
            if self.client.token is None:
                self._authenticate()
            caps = self.capabilities()
            self.client.negotiate(caps.extensions)  # zstd with a shared dictionary, else gzip
            held = sync_bbi_requests(self, report) | push_run.hold_focalpoint_records(self, caps)
            push_run.push(self, caps, report, exclude=held)
            pull_run.pull(self, caps, report)
            download_needed(self, report)  # only with the setting "download all attachments"
            reconcile.fetch_published_for_reviews(self)
            if report.pushed or report.pulled or report.merged:  # nothing changed: nothing new referenced
                reconcile.fetch_missing_references(self)
            with self.db.session(write=True) as session:
                set_meta(session, server_last_sync_key(server_key(self.server)), self.clock().isoformat())
                set_meta(session, SYNC_LAST_SYNC, self.clock().isoformat())
                set_meta(session, SYNC_SERVER, self.server)
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
                push_run.release_syncing(self)
            except SQLAlchemyError:
                pass
            stats = self.client.stats
            report.requests = stats.requests - start_stats.requests
            report.bytes_sent = stats.bytes_sent - start_stats.bytes_sent
            report.bytes_received = stats.bytes_received - start_stats.bytes_received
            report.finished_at = self.clock()
            self._cancel = None
        if report.ok and not report.cancelled:  # the CHM vocabularies, at most once a day; never fails the sync
            reconcile.refresh_vocabularies(self)
        self._emit("done", _("Sync finished.") if report.ok else (report.error or _("Sync cancelled.")))
        self._progress = None
        return report

    # ------------------------------------------------ used by the other sync modules

    def _account_pull(self, result: pulling.PageResult, report: SyncReport) -> None:
        pull_run.account_pull(self, result, report)


# ----------------------------------------------------------------- conveniences


def stored_realm(db: Database) -> str:
    """The ``Realm`` this machine sends (Meta ``sync.realm``; ``CHM`` until set). Any thread with
    its own session (the database worker, the network worker)."""
    with db.session() as session:
        return get_meta(session, REALM_META_KEY) or DEFAULT_REALM


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
        account: dict[str, Any] | None = get_meta_json(session, ACCOUNT_META_KEY)
        return account


__all__ = ["SyncEngine", "sign_in", "stored_realm"]
