"""The system keyring (Secret Service over D-Bus: it may wait for seconds, or for the person to
unlock it) is never asked on the UI thread: signing in, "Sync now", the automatic sync and the
status bar's sign-in state all look tokens up on a worker. A keyring backend installed for the
test records the thread of every call; a real hub answers on loopback."""

from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import Qt

from tests.support.sync import government_codes

pytestmark = pytest.mark.gui

PASSWORD = "correct horse"


class RecordingKeyring(KeyringBackend):
    """A working keyring (in memory) that notes which thread called it."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str]] = []

    def _note(self, what: str) -> None:
        self.calls.append((what, threading.current_thread().name))

    def get_password(self, service: str, username: str) -> str | None:
        self._note("get")
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note("set")
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._note("delete")
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def recording_keyring():
    previous = keyring.get_keyring()
    backend = RecordingKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_the_ui_thread_never_asks_the_keyring(qtbot, hub, main_window, recording_keyring):
    from focalpoint.ui.signin_dialog import SignInDialog

    win = main_window
    gov = government_codes()[-2]
    email = f"keyring@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    ui_thread = threading.current_thread().name
    assert threading.current_thread() is threading.main_thread()

    # Sign in with the dialog, as a person does: the token goes to the keyring
    dialog = SignInDialog(win.db, win.runner, win)
    dialog.load()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.has_keyring is not None, timeout=10000)
    assert dialog.has_keyring  # the recording keyring is a usable one
    dialog.server.setText(hub.url)
    dialog.email.setText(email)
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=30000) as signed:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert signed.args[0].location == "keyring"
    assert any(what == "set" for what, _thread in recording_keyring.calls)

    # "Sync now" finds the saved token (no dialog), and so does the automatic sync
    win.sync.ask_sign_in = lambda *_a: pytest.fail("a saved sign-in must not be asked for again")
    with qtbot.waitSignal(win.sync.finished, timeout=30000) as done:
        win.sync.action.trigger()
    assert done.args[0] is not None and done.args[0].ok, done.args[0] and done.args[0].error
    with qtbot.waitSignal(win.sync.finished, timeout=30000) as done:
        win.auto_sync.maybe_sync()
    assert done.args[0] is not None and done.args[0].ok

    # the status bar shows the person signed in (the token looked up for it)
    win.refresh_counts()
    qtbot.waitUntil(lambda: win.status.account.toolTip().startswith(f"Signed in as {email}"), timeout=10000)
    win.runner.wait_db_idle()

    gets = [thread for what, thread in recording_keyring.calls if what == "get"]
    assert gets, "the token was never looked up"
    assert [call for call in recording_keyring.calls if call[1] == ui_thread] == []
