"""Tokens: the OS keyring when there is one; memory, or a 0600 file the person chose, when not."""

from __future__ import annotations

import os
import stat

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from focalpoint.sync.credentials import TokenStore

SERVER = "https://hub.example.org"


class MemoryKeyring(KeyringBackend):
    """Stands in for the OS keyring (Secret Service, Keychain), which we do not ship."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        return self.items.get((service, username))

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        self.items[(service, username)] = password

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        raise keyring.errors.KeyringLocked("locked")


def test_token_goes_to_the_keyring(tmp_path):
    backend = MemoryKeyring()
    store = TokenStore(backend=backend, file_path=tmp_path / "tokens.json")
    assert store.set(SERVER, "Ana@Example.org", "tok-1") == "keyring"
    assert store.get(SERVER, "ana@example.org") == "tok-1"
    assert not (tmp_path / "tokens.json").exists()
    store.delete(SERVER, "ana@example.org")
    assert store.get(SERVER, "ana@example.org") is None


def test_no_keyring_keeps_the_token_in_memory_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = TokenStore()  # the real default backend: the tests force keyring's "fail" backend
    assert isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
    assert store.set(SERVER, "ana@example.org", "tok-2") == "memory"
    assert store.get(SERVER, "ana@example.org") == "tok-2"
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere
    assert TokenStore().get(SERVER, "ana@example.org") is None  # gone with the process


def test_chosen_file_is_private_and_atomic(tmp_path):
    path = tmp_path / "private" / "tokens.json"
    store = TokenStore(file_path=path)
    assert store.set(SERVER, "ana@example.org", "tok-3") == "file"
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temporary left behind
    assert TokenStore(file_path=path).get(SERVER, "ana@example.org") == "tok-3"
    store.set(SERVER, "ben@example.org", "tok-4")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TokenStore(file_path=path).get(SERVER, "ana@example.org") == "tok-3"
    store.delete(SERVER, "ana@example.org")
    assert TokenStore(file_path=path).get(SERVER, "ana@example.org") is None
    assert "password" not in path.read_text()


def test_a_file_others_can_read_is_not_trusted(tmp_path):
    path = tmp_path / "tokens.json"
    TokenStore(file_path=path).set(SERVER, "ana@example.org", "tok-5")
    os.chmod(path, 0o644)
    assert TokenStore(file_path=path).get(SERVER, "ana@example.org") is None


def test_locked_keyring_falls_back(tmp_path):
    store = TokenStore(backend=LockedKeyring(), file_path=tmp_path / "t.json")
    assert store.set(SERVER, "ana@example.org", "tok-6") == "file"
    assert store.get(SERVER, "ana@example.org") == "tok-6"


def test_sync_package_never_imports_qt():
    import subprocess
    import sys

    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import focalpoint.sync, focalpoint.sync.engine, focalpoint.sync.bundle, focalpoint.sync.conflicts,"
            " focalpoint.sync.credentials, focalpoint.sync.status, focalpoint.cli.sync\n"
            "assert not any(m.startswith('PySide6') and sys.modules[m] is not None for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
