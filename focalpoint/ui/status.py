"""The main window's status bar: where the database is, what it holds, how sync stands.

``status_counts`` runs on the DB worker; the widgets only show plain numbers.
``SyncStatusWidget`` is the hook for ``focalpoint.sync``: it shows an idle/working/
error state and a progress bar that the sync controller drives. UI thread only
(except ``status_counts``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget
from sqlalchemy import func, select

from focalpoint.db import Database
from focalpoint.i18n import _, ngettext
from focalpoint.models import CatalogActivity, OutboxEntry, OutboxState, Record
from focalpoint.settings_keys import SYNC_EMAIL, SYNC_LAST_SYNC, SYNC_SERVER
from focalpoint.ui.widgets import ElidedLabel


@dataclass(frozen=True)
class StatusCounts:
    activities: int
    records: int
    queued: int
    failed: int
    email: str | None = None  # who signs in to sync (Meta sync.email)
    server: str | None = None
    signed_in: bool = False  # a sign-in token is kept for them (keyring or token file)
    last_sync: str | None = None  # ISO time of the last good sync


def status_counts(db: Database) -> StatusCounts:
    """Catalogue, record and outbox counts, and the sign-in. DB worker (the token look-up may
    ask the system keyring, which must not happen on the UI thread)."""
    from focalpoint.sync.meta import get_meta

    with db.session() as session:
        activities = session.scalar(select(func.count()).select_from(CatalogActivity)) or 0
        records = session.scalar(select(func.count()).select_from(Record).where(Record.deleted.is_(False))) or 0
        queued = session.scalar(select(func.count(func.distinct(OutboxEntry.record_identifier)))) or 0
        failed = session.scalar(select(func.count()).select_from(OutboxEntry)
                                .where(OutboxEntry.state == OutboxState.FAILED)) or 0
        email = get_meta(session, SYNC_EMAIL)
        server = get_meta(session, SYNC_SERVER)
        last_sync = get_meta(session, SYNC_LAST_SYNC)
    signed_in = False
    if email and server:
        from focalpoint.ui.signin_dialog import shared_token_store

        signed_in = shared_token_store(db.data_dir).get(server, email) is not None
    return StatusCounts(int(activities), int(records), int(queued), int(failed), email=email, server=server,
                        signed_in=signed_in, last_sync=last_sync)


def last_sync_text(counts: StatusCounts) -> str | None:
    """When the last good sync was, in the person's clock and language (None: never)."""
    from focalpoint.db import parse_time
    from focalpoint.ui.review.labels import when_text

    parsed = parse_time(counts.last_sync) if counts.last_sync else None
    return when_text(parsed, fmt="short") if parsed is not None else None


def account_label(counts: StatusCounts) -> str:
    """Who is signed in and where, short enough for a 1024-pixel status bar."""
    if counts.email and counts.signed_in:
        return _("{email} ({server})").format(email=counts.email, server=_host(counts.server))
    if counts.email:
        return _("Signed out ({email})").format(email=counts.email)
    return _("Not signed in")


def account_text(counts: StatusCounts) -> str:
    """Who is signed in, where, and when the last sync was, in words (the label's tooltip)."""
    when = last_sync_text(counts)
    if counts.email and counts.signed_in:
        text = _("Signed in as {email} ({server})").format(email=counts.email, server=_host(counts.server))
    elif counts.email:
        text = _("Not signed in: sign in again as {email} to sync").format(email=counts.email)
    else:
        text = _("Not signed in")
    if when:
        text += " · " + _("last sync {when}").format(when=when)
    return text


def _host(server: str | None) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(server).netloc or server or "") if server else ""


class SyncStatusWidget(QWidget):
    """Sync state in words, with a progress bar while a sync runs."""

    IDLE, RUNNING, DONE, ERROR, UNAVAILABLE = "idle", "running", "done", "error", "unavailable"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(self, minimum_chars=10)  # the whole state in its tooltip when cut
        self.label.setObjectName("syncStatus")
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        self._state = self.UNAVAILABLE
        self._message: str | Callable[[], str] = ""
        self._last_sync: str | None = None
        self.retranslate()

    def set_last_sync(self, when: str | None) -> None:
        """When the last good sync was (shown while no sync ran in this session)."""
        self._last_sync = when
        self.retranslate()

    def set_state(self, state: str, message: str | Callable[[], str] = "") -> None:
        """``message``: words, or a function giving them (asked again when the language changes, so
        a sync summary never stays in the language it was first shown in)."""
        self._state = state
        self._message = message
        self.progress.setVisible(state == self.RUNNING)
        if state != self.RUNNING:
            self.progress.setRange(0, 1)
        self.retranslate()

    def set_progress(self, done: int, total: int) -> None:
        """Progress of a running sync (``total`` 0 means unknown)."""
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)

    @property
    def state(self) -> str:
        return self._state

    def retranslate(self) -> None:
        texts = {
            self.IDLE: _("Not synchronized in this session"),
            self.RUNNING: _("Synchronizing…"),
            self.DONE: _("Synchronized"),
            self.ERROR: _("Sync failed"),
            self.UNAVAILABLE: _("Sync not set up"),
        }
        text = texts.get(self._state, "")
        if self._state == self.IDLE and self._last_sync and not self._message:
            text = _("Last sync: {when}").format(when=self._last_sync)
        detail = self._message() if callable(self._message) else self._message
        if detail:
            text = _("{state}: {detail}").format(state=text, detail=detail)
        self.label.setText(text)


class StatusArea:
    """Fills a QStatusBar with the database location, the counts and the sync widget."""

    def __init__(self, bar: QStatusBar, db_path: Path) -> None:
        self.bar = bar
        self.db_path = db_path
        # the counts are always shown whole; the location, the account and the sync state give way
        # (each cut one ends in "…" and shows its whole text as a tooltip) on a small screen
        self.location = ElidedLabel(bar, minimum_chars=4)
        self.location.setObjectName("databaseLocation")
        self.counts = QLabel(bar)
        self.counts.setObjectName("statusCounts")
        self.account = ElidedLabel(bar, minimum_chars=8)
        self.account.setObjectName("accountStatus")
        self.account.setContentsMargins(8, 0, 8, 0)
        self.sync = SyncStatusWidget(bar)
        self.counts.setContentsMargins(8, 0, 8, 0)
        self.sync.setContentsMargins(8, 0, 4, 0)
        bar.addWidget(self.location, 1)
        bar.addPermanentWidget(self.account)
        bar.addPermanentWidget(self.counts)
        bar.addPermanentWidget(self.sync)
        # Qt hides the location under a temporary message only if it is visible at that moment (a
        # message shown while the window is hidden left both drawn over each other): follow the message
        bar.messageChanged.connect(lambda message: self.location.setVisible(not message))
        self._counts: StatusCounts | None = None
        self.retranslate()

    def set_counts(self, counts: StatusCounts) -> None:
        self._counts = counts
        self._show_counts()

    def _show_counts(self) -> None:
        c = self._counts
        if c is None:
            self.counts.setText("")
            self.account.setText("")
            return
        self.account.setText(account_label(c))
        self.account.setToolTip(account_text(c))
        self.sync.set_last_sync(last_sync_text(c))
        parts = [
            ngettext("{n} activity", "{n} activities", c.activities).format(n=c.activities),
            ngettext("{n} record", "{n} records", c.records).format(n=c.records),
            ngettext("{n} queued for sync", "{n} queued for sync", c.queued).format(n=c.queued),
        ]
        if c.failed:
            parts.append(ngettext("{n} sync problem", "{n} sync problems", c.failed).format(n=c.failed))
        self.counts.setText(" · ".join(parts))

    def retranslate(self) -> None:
        # a path reads left to right even in an Arabic sentence: left-to-right marks keep its slashes put
        self.location.setText(_("Database: {path}").format(path=f"\u200e{self.db_path}\u200e"))
        self.location.setToolTip(str(self.db_path))
        self._show_counts()
        self.sync.retranslate()
