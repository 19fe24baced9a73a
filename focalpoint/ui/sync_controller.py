"""The "Sync now" and "Sign in…" actions and the status bar's sync area, driving ``SyncEngine``.

"Sync now" reads the hub's address and the person's e-mail from the store (the CLI and
the sign-in dialog keep them there) and looks for the saved token on the network worker (the
keyring may answer over D-Bus: never on the UI thread), asks the person to sign in when there is no saved
sign-in (``focalpoint.ui.signin_dialog``: the token goes to the keyring, a private file,
or this session's memory — never the password), and runs ``engine.sync(progress,
cancel)`` on the network worker. Progress crosses to the UI thread by signal; clicking
again while it runs asks it to stop (between requests: nothing is left half-written).
An expired sign-in asks once more and retries.

"Download all attached files after each sync" (a checkable action) shows and changes the
setting ``attachments.download_all`` that the CLI's ``records attachment-settings --download-all``
changes too; it is read and written on the database worker.

``ask_sign_in`` is a dependency (tests answer without a dialog). UI thread only, except
``_run`` (network worker).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from focalpoint.db import Database
from focalpoint.i18n import _, format_number, ngettext
from focalpoint.sync.errors import SignInRequired
from focalpoint.ui.signin_dialog import SavedSignIn, SignInDialog, find_sign_in, saved_sign_in, shared_token_store
from focalpoint.ui.status import SyncStatusWidget
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import error_text, menu_action

if TYPE_CHECKING:
    from focalpoint.sync.credentials import TokenStore
    from focalpoint.sync.report import SyncReport


@dataclass(frozen=True)
class SignIn:
    """Whom to sync as (``password``: only right after the person typed it, for an expired token)."""

    server: str
    email: str
    password: str | None = None


AskSignIn = Callable[[str | None, str | None, str | None], "SignIn | None"]  # (server, email, reason)


def human_size(n: int) -> str:
    """Bytes as a person reads them on a costly link: 850 B, 12.4 KB, 3.1 MB (digits per language)."""
    if n < 1024:
        return _("{n} B").format(n=format_number(n))
    if n < 1024 * 1024:
        return _("{n} KB").format(n=format_number(round(n / 1024, 1)))
    return _("{n} MB").format(n=format_number(round(n / (1024 * 1024), 1)))


def dialog_sign_in(db: Database, runner: TaskRunner, parent: QWidget | None) -> AskSignIn:
    """Ask with the sign-in dialog (it signs in itself and keeps the token: no password comes back)."""
    def ask(server: str | None, email: str | None, reason: str | None) -> SignIn | None:
        dialog = SignInDialog(db, runner, parent)
        if server:
            dialog.server.setText(server)
        if email:
            dialog.email.setText(email)
        if reason:
            dialog.intro.setText(reason)
        dialog.load()
        if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.result_value is None:
            return None
        return SignIn(dialog.result_value.server, dialog.result_value.email, None)
    return ask


class SyncController(QObject):
    """The sync actions and their state; see the module docstring."""

    progress = Signal(int, int, str)
    finished = Signal(object)  # the SyncReport, or None when it could not start

    def __init__(self, db: Database, runner: TaskRunner, widget: SyncStatusWidget,
                 parent: QObject | None = None, ask_sign_in: AskSignIn | None = None,
                 token_store: TokenStore | None = None, client_options: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._widget = widget
        self.ask_sign_in: AskSignIn = ask_sign_in or dialog_sign_in(
            db, runner, parent if isinstance(parent, QWidget) else None)
        self._tokens = token_store
        self._client_options = client_options or {}
        self._cancel: threading.Event | None = None
        self._asked_password = False
        self.last_report: SyncReport | None = None
        self.action = menu_action(self, self.sync_now, "syncNowAction", "Ctrl+Shift+S")
        self.sign_in_action = menu_action(self, self.sign_in, "signInAction")
        self.download_all_action = QAction(self)
        self.download_all_action.setObjectName("downloadAllFilesAction")
        self.download_all_action.setCheckable(True)
        self.download_all_action.setEnabled(False)  # until the setting is read
        self.download_all_action.triggered.connect(self.set_download_all)
        self.progress.connect(self._on_progress)
        widget.set_state(widget.IDLE)
        self.retranslate()
        self.load_download_all()

    def load_download_all(self) -> None:
        """Read the "download all attached files" setting (DB worker) into the action's check."""
        from focalpoint.records.attachments import read_settings

        self._runner.run_db(read_settings, self._db, on_done=lambda s: self._show_download_all(s.download_all))

    def set_download_all(self, on: bool) -> None:
        """Keep the person's choice (DB worker); the check shows what was stored. A failure puts the
        check back and is said in the status bar."""
        self.download_all_action.setEnabled(False)
        self._runner.run_db(_store_download_all, self._db, on, on_done=self._show_download_all,
                            on_error=lambda exc: self._download_all_failed(not on, exc))

    def _show_download_all(self, on: bool) -> None:
        self.download_all_action.setChecked(on)
        self.download_all_action.setEnabled(True)

    def _download_all_failed(self, previous: bool, exc: BaseException) -> None:
        self._show_download_all(previous)
        self._runner.task_failed.emit(error_text(exc))

    @property
    def running(self) -> bool:
        """A sync is under way."""
        return self._cancel is not None

    def tokens(self) -> TokenStore:
        """The process's token store for this data folder (shared with the sign-in dialog). Asking it
        for a token may wait on the keyring: only on a worker."""
        if self._tokens is None:
            self._tokens = shared_token_store(self._db.data_dir)
        return self._tokens

    def sign_in(self) -> None:
        """Sign in (or as someone else), then synchronize at once: the person sees the requests and
        records of that account without a second step."""
        self._runner.run_db(saved_sign_in, self._db,
                            on_done=lambda saved: self.signed_in(self.ask_sign_in(saved[0], saved[1], None)))

    def signed_in(self, answer: SignIn | None) -> None:
        """A sign-in succeeded elsewhere (``answer``; None: cancelled): synchronize now with it."""
        if answer is None or self._cancel is not None:
            return
        self._asked_password = answer.password is not None
        self._start(answer)

    def sync_if_signed_in(self, otherwise: Callable[[], None] | None = None) -> None:
        """Synchronize when a sign-in is saved on this computer (never asks for one); else call
        ``otherwise`` (e.g. read the local data again)."""
        def got(saved: SavedSignIn) -> None:
            if self._cancel is None and saved.has_token:
                self._asked_password = False
                self._start(SignIn(saved.server, saved.email, None))
            elif otherwise is not None:
                otherwise()

        def failed(exc: BaseException) -> None:
            self._failed(exc)
            if otherwise is not None:
                otherwise()

        self._runner.run_net(find_sign_in, self._db, self.tokens(), on_done=got, on_error=failed)

    # -------------------------------------------------------------- start

    def sync_now(self) -> None:
        """Sync > Sync now: start a sync (asking the person to sign in when no token is saved), or
        stop the running one."""
        if self._cancel is not None:
            self._cancel.set()  # a second click stops the running sync
            self._widget.set_state(self._widget.RUNNING, _("stopping…"))
            return
        self._asked_password = False
        self._runner.run_net(find_sign_in, self._db, self.tokens(), on_done=self._got_sign_in,
                             on_error=self._failed)

    def _got_sign_in(self, saved: SavedSignIn) -> None:
        if self._cancel is not None:
            return  # a sync started meanwhile
        if saved.has_token:
            self._start(SignIn(saved.server, saved.email, None))
            return
        self._ask_and_start(saved.server or None, saved.email or None, None)

    def _ask_and_start(self, server: str | None, email: str | None, reason: str | None) -> None:
        answer = self.ask_sign_in(server, email, reason)
        if answer is None:
            self._widget.set_state(self._widget.IDLE)
            self.retranslate()
            self.finished.emit(None)
            return
        self._asked_password = True
        self._start(answer)

    def _start(self, sign_in: SignIn) -> None:
        self._cancel = threading.Event()
        self._widget.set_state(self._widget.RUNNING)
        self._widget.set_progress(0, 0)
        self.retranslate()
        self._runner.run_net(self._run, sign_in, self._cancel,
                             on_done=lambda report: self._done(sign_in, report), on_error=self._failed)

    # --------------------------------------------------------- net worker

    def _run(self, sign_in: SignIn, cancel: threading.Event) -> SyncReport:
        from focalpoint.sync.client import HubClient, normalize_server_url  # httpx: not needed to start
        from focalpoint.sync.engine import SyncEngine, stored_realm

        server = normalize_server_url(sign_in.server)
        tokens = self.tokens()
        client = HubClient(server, token=tokens.get(server, sign_in.email),
                           **{"realm": stored_realm(self._db), **self._client_options})

        def credentials() -> tuple[str, str]:
            if sign_in.password is None:
                raise SignInRequired()
            return sign_in.email, sign_in.password

        def keep_token(token: str) -> None:
            tokens.set(server, sign_in.email, token)

        engine = SyncEngine(self._db, client, credentials=credentials, actor=sign_in.email, on_token=keep_token)

        def report(p: Any) -> None:
            total = p.records_total if p.records_total is not None else 0
            message = str(p.message or "")
            moved = int(getattr(p, "bytes_sent", 0) or 0) + int(getattr(p, "bytes_received", 0) or 0)
            if moved:
                message = _("{message} ({size} so far)").format(message=message, size=human_size(moved))
            self.progress.emit(int(p.records_done), int(total), message)

        try:
            return engine.sync(progress=report, cancel=cancel)
        finally:
            client.close()

    # ------------------------------------------------------------ results

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self._widget.set_progress(done, total)
        if message:
            self._widget.set_state(self._widget.RUNNING, message)

    def _done(self, sign_in: SignIn, report: SyncReport) -> None:
        self._cancel = None
        self.last_report = report
        if report.error_kind == "auth" and not self._asked_password:
            self._ask_and_start(sign_in.server, sign_in.email, report.error)  # sign in again, once
            return
        if report.ok:
            self._widget.set_state(self._widget.DONE, lambda: self.summary(report))
        elif report.cancelled:
            self._widget.set_state(self._widget.IDLE, lambda: _("stopped; nothing was lost"))
        else:
            self._widget.set_state(self._widget.ERROR, report.error or "")
        self.retranslate()
        self.finished.emit(report)

    @staticmethod
    def summary(report: SyncReport) -> str:
        """What a sync did, in words: changes sent, records received, conflicts, errors."""
        parts = [ngettext("{n} change sent", "{n} changes sent", report.pushed).format(n=report.pushed),
                 ngettext("{n} record received", "{n} records received", report.pulled).format(n=report.pulled)]
        if report.conflicts:
            parts.append(ngettext("{n} conflict needs you", "{n} conflicts need you",
                                  len(report.conflicts)).format(n=len(report.conflicts)))
        if report.errors:
            parts.append(ngettext("{n} record could not be sent", "{n} records could not be sent",
                                  len(report.errors)).format(n=len(report.errors)))
        return ", ".join(parts)

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        message = error_text(exc)
        self._widget.set_state(self._widget.ERROR, message)
        self.retranslate()
        self.finished.emit(None)

    def retranslate(self) -> None:
        self.action.setText(_("S&top synchronizing") if self.running else _("&Sync now"))
        self.action.setToolTip(_("Send local changes to the clearing-house and fetch new ones"))
        self.sign_in_action.setText(_("Sign &in…"))
        self.sign_in_action.setEnabled(not self.running)
        self.download_all_action.setText(_("&Download all attached files after each sync"))
        self.download_all_action.setToolTip(_("Fetch every file your records name after each sync (for a "
                                              "good connection); otherwise a file is fetched when you open it"))
        self._widget.retranslate()


def _store_download_all(db: Database, on: bool) -> bool:
    """DB worker: store the "download all attached files" setting; answer what is stored now."""
    from focalpoint.records.attachments import write_settings

    return write_settings(db, download_all=on).download_all
