"""Sign in to a hub: server address, e-mail, password (never stored).

One sign-in path: :func:`sign_in` (network worker) calls ``focalpoint.sync.engine.sign_in``,
which exchanges the password for a token (the password is then dropped) and keeps the server,
the e-mail, the realm and the account the hub describes (roles, government) in the database's
Meta table (``focalpoint.settings_keys``) — the one account record. The token goes to
``focalpoint.sync.credentials.TokenStore``: the system keyring, or — on a computer without one —
this process's memory only, unless the person ticks "remember on this computer in a file only I
can read" (mode 0600, in the data folder).

The keyring may answer over D-Bus and wait: it is only asked on the network worker
(:func:`find_sign_in`, :func:`keyring_usable`, :func:`sign_in`), never on the UI thread.
``focalpoint.ui.sync_controller`` opens this dialog when "Sync now" finds no saved sign-in.
UI thread, except the functions marked for a worker.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _
from focalpoint.settings_keys import SYNC_EMAIL, SYNC_SERVER
from focalpoint.sync.meta import get_meta
from focalpoint.ui.review.record_view import alive
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import TaskDialog

if TYPE_CHECKING:  # the sync client (httpx) and the keyring load on first use, not at start-up
    from PySide6.QtGui import QShowEvent

    from focalpoint.sync.credentials import TokenStore

TOKEN_FILE_NAME = "sign-in-token.json"

_stores: dict[str, TokenStore] = {}
_stores_lock = threading.Lock()


def token_file(data_dir: Path) -> Path:
    """Where the token is kept when the person chose a file (no keyring). Any thread."""
    return Path(data_dir) / TOKEN_FILE_NAME


def shared_token_store(data_dir: Path) -> TokenStore:
    """The one token store of this process for a data folder (memory-only tokens live in it). Any thread."""
    from focalpoint.sync.credentials import TokenStore

    key = str(Path(data_dir).resolve())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            path = token_file(data_dir)
            store = TokenStore(file_path=path if path.exists() else None)
            _stores[key] = store
        return store


def keyring_usable() -> bool:
    """True when the operating system offers a keyring (the token goes there). Any thread."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 — a broken keyring set-up is no keyring
        return False
    if isinstance(backend, fail.Keyring):
        return False
    if getattr(backend, "backends", None) == []:  # the chainer with nothing to chain
        return False
    try:
        return float(getattr(backend, "priority", 1)) > 0
    except Exception:  # noqa: BLE001
        return True


@dataclass(frozen=True)
class SignInResult:
    """A sign-in that worked: where the token went, and the account the hub described."""

    server: str
    email: str
    location: str               # where the token went: keyring | file | memory
    account: dict[str, Any] | None


class _TokenKeeper:
    """Keeps a new token where the person chose (``TokenStore.set``'s signature, for the engine):
    an older token for the same account is forgotten first, wherever it was."""

    def __init__(self, tokens: TokenStore, file_path: Path | None) -> None:
        self.tokens = tokens
        self.file_path = file_path
        self.location = ""

    def set(self, server: str, email: str, token: str) -> str:
        self.tokens.delete(server, email)  # a file the person no longer wants, say
        self.tokens.file_path = self.file_path
        self.location = self.tokens.set(server, email, token)
        return self.location


def sign_in(db: Database, server: str, email: str, password: str, *, remember_in_file: bool,
            tokens: TokenStore | None = None, transport: Any = None) -> SignInResult:
    """Sign in with ``focalpoint.sync.engine.sign_in`` (the token, and the server, e-mail and account
    in Meta), keeping the token in the keyring, else in a file when ``remember_in_file``, else in
    memory. Network worker.

    Raises ``focalpoint.sync.errors.SyncError`` (with the person's message) when the hub
    refuses or cannot be reached.
    """
    from focalpoint.sync.client import normalize_server_url
    from focalpoint.sync.engine import sign_in as engine_sign_in

    server = normalize_server_url(server)
    email = email.strip()
    keeper = _TokenKeeper(tokens or shared_token_store(db.data_dir),
                          token_file(db.data_dir) if remember_in_file else None)
    account = engine_sign_in(db, server, email, password, tokens=keeper, transport=transport)
    return SignInResult(server=server, email=email, location=keeper.location, account=account)


def saved_sign_in(db: Database) -> tuple[str, str]:
    """The server and e-mail used last (empty strings when none). DB worker (or any worker with its
    own session)."""
    with db.session() as session:
        return get_meta(session, SYNC_SERVER) or "", get_meta(session, SYNC_EMAIL) or ""


@dataclass(frozen=True)
class SavedSignIn:
    """The sign-in saved on this computer: server and e-mail ("" when none), and whether a token is kept."""

    server: str
    email: str
    has_token: bool


def find_sign_in(db: Database, tokens: TokenStore) -> SavedSignIn:
    """The saved sign-in and whether its token is still kept (the keyring may answer over D-Bus).
    Network worker, never the UI thread."""
    server, email = saved_sign_in(db)
    has_token = bool(server and email and tokens.get(server, email))
    return SavedSignIn(server, email, has_token)


# ------------------------------------------------------------------ the dialog


class SignInDialog(TaskDialog):
    """Ask for the hub, the e-mail and the password; sign in on the network worker."""

    signed_in = Signal(object)  # SignInResult
    PREFERRED_WIDTH = 560

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None, *,
                 tokens: TokenStore | None = None, transport: Any = None) -> None:
        super().__init__("signInMessage", parent)
        self.setObjectName("signInDialog")
        self.db = db
        self.runner = runner
        self.tokens = tokens
        self.transport = transport
        self.has_keyring: bool | None = None
        self.result_value: SignInResult | None = None
        self._default_intro = ""

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.server = QLineEdit(self)
        self.server.setObjectName("serverUrl")
        self.server.setPlaceholderText("https://")
        self.email = QLineEdit(self)
        self.email.setObjectName("email")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = QFormLayout()
        self.server_label, self.email_label, self.password_label = QLabel(self), QLabel(self), QLabel(self)
        for label, field in ((self.server_label, self.server), (self.email_label, self.email),
                             (self.password_label, self.password)):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.storage_note = QLabel(self)
        self.storage_note.setObjectName("storageNote")
        self.storage_note.setWordWrap(True)
        self.remember = QCheckBox(self)
        self.remember.setObjectName("rememberInFile")
        self.remember.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.cancel_button.clicked.connect(self.reject)
        for field in (self.server, self.email, self.password):
            field.textChanged.connect(lambda _t: self._update())
        # Everything but the buttons scrolls: a long message wraps and never squashes the fields,
        # and on a small screen the buttons stay in view.
        for field in (self.server, self.email, self.password):
            field.setMinimumHeight(max(field.sizeHint().height(), field.fontMetrics().height() + 10, 24))
            field.setMinimumWidth(220)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.body = QWidget(self)
        self.body.setObjectName("signInBody")
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.intro)
        body_layout.addLayout(self.form)
        body_layout.addWidget(self.storage_note)
        body_layout.addWidget(self.remember)
        body_layout.addWidget(self.message)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("signInScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.body)
        layout = self.main_layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._update()
        self._fit()

    def load(self) -> None:
        """Fill in the last server and e-mail (DB worker) and find out whether a keyring exists."""
        self.runner.run_db(saved_sign_in, self.db, on_done=self._prefill, on_error=self._failed)
        self.runner.run_net(keyring_usable, on_done=self._keyring_known)

    def _prefill(self, saved: tuple[str, str]) -> None:
        if not alive(self):
            return
        server, email = saved
        if server and not self.server.text():
            self.server.setText(server)
        if email and not self.email.text():
            self.email.setText(email)
        (self.password if server and email else self.server).setFocus()

    def _keyring_known(self, usable: bool) -> None:
        if not alive(self):
            return
        self.has_keyring = bool(usable)
        self.remember.setVisible(not usable)
        remembered = token_file(self.db.data_dir).exists()
        if not usable and remembered:
            self.remember.setChecked(True)
        self.retranslate()

    def _update(self) -> None:
        ready = bool(self.server.text().strip() and self.email.text().strip() and self.password.text())
        self.sign_in_button.setEnabled(ready and not self.busy)
        for field in (self.server, self.email, self.password, self.remember):
            field.setEnabled(not self.busy)

    def sign_in(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        self.busy = True
        self._update()
        self._say(_("Signing in…"))
        password = self.password.text()
        self.runner.run_net(sign_in, self.db, self.server.text().strip(), self.email.text().strip(), password,
                            remember_in_file=self.remember.isVisible() and self.remember.isChecked(),
                            tokens=self.tokens, transport=self.transport,
                            on_done=self._signed_in, on_error=self._failed)

    def _signed_in(self, result: SignInResult) -> None:
        if not alive(self):
            return
        self.password.clear()
        self.busy = False
        self.result_value = result
        where = {
            "keyring": _("The sign-in is kept in the system keyring."),
            "file": _("The sign-in is kept in a file only you can read: {path}").format(
                path=token_file(self.db.data_dir)),
            "memory": _("The sign-in is kept in memory only: you will sign in again after FocalPoint restarts."),
        }.get(result.location, "")
        self._say(_("Signed in as {email}.").format(email=result.email) + " " + where)
        self._update()
        self.signed_in.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        super()._failed(exc)
        if alive(self):
            self.password.setFocus()
            self.password.selectAll()

    def _say(self, text: str, *, error: bool = False) -> None:
        super()._say(text, error=error)
        self._fit()

    def _fit(self) -> None:
        """As tall as the texts need at this width (a message wraps onto more lines), never taller than the
        screen: what does not fit scrolls, the buttons stay in view."""
        from focalpoint.ui.screen_fit import FRAME_RESERVE, available_geometry

        available = available_geometry(self)
        room_w = available.width() - FRAME_RESERVE.left() - FRAME_RESERVE.right()
        room_h = available.height() - FRAME_RESERVE.top() - FRAME_RESERVE.bottom()
        width = min(max(self.width() if self.isVisible() else 0, self.PREFERRED_WIDTH), room_w)
        margins = self.main_layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        body_height = self.body.heightForWidth(inner) if self.body.hasHeightForWidth() else -1
        body_height = max(body_height, self.body.minimumSizeHint().height())
        height = (body_height + self.buttons.sizeHint().height() + self.main_layout.spacing()
                  + margins.top() + margins.bottom())
        self.setMinimumSize(min(520, room_w), min(height, room_h))  # never squashed; scrolls on a tiny screen
        if not self.isVisible():
            self.resize(width, min(height, room_h))
        elif self.height() < min(height, room_h):
            self.resize(self.width(), min(height, room_h))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self._fit()
        super().showEvent(event)
        from focalpoint.ui.screen_fit import keep_on_screen

        keep_on_screen(self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Sign in to the clearing-house"))
        intro = _("Sign in with your clearing-house account to send your changes and receive others'. "
                  "Your password is used once to sign in and is never stored.")
        if self.intro.text() in ("", self._default_intro):  # a caller's reason ("expired…") is kept
            self.intro.setText(intro)
        self._default_intro = intro
        self.server_label.setText(_("&Server address:"))
        self.email_label.setText(_("&E-mail:"))
        self.password_label.setText(_("&Password:"))
        if self.has_keyring is None:
            self.storage_note.setText("")
        elif self.has_keyring:
            self.storage_note.setText(_("After signing in, FocalPoint keeps a sign-in token (not your password) "
                                        "in the system keyring, so you stay signed in."))
        else:
            self.storage_note.setText(_("This computer has no system keyring. The sign-in token (not your "
                                        "password) is kept in memory only: you will sign in again each time "
                                        "FocalPoint starts — unless you tick the box below."))
        self.remember.setText(_("&Remember on this computer in a file only I can read"))
        self.sign_in_button.setText(_("&Sign in"))
        self.storage_note.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        if hasattr(self, "main_layout"):  # not while the constructor builds the dialog
            self._fit()
