"""Where the sign-in token lives. The password is never written anywhere.

1. The operating system's keyring (``keyring``: Secret Service, macOS
   Keychain, Windows Credential Locker).
2. With no keyring backend (a headless machine: ``keyring.errors.NoKeyringError``)
   or a keyring that refuses (locked, no D-Bus), the token lives only in this
   process's memory — the person signs in at every start…
3. …unless the person chose a token file: then it is written there, readable
   only by them (mode 0600, created under a temporary name and renamed into
   place, so no other user ever sees a half-written or wider file). A token
   file that others can read is ignored.

Any thread may use a :class:`TokenStore` (it holds a lock).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors

from focalpoint.fileio import write_atomic

SERVICE = "FocalPoint"


def account_name(server: str, email: str) -> str:
    return f"{email.strip().lower()} @ {server.rstrip('/')}"


class KeyringBackend(Protocol):
    """What a :class:`TokenStore` uses of a keyring backend (``keyring.backend.KeyringBackend``)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class TokenStore:
    """Save, read and forget sign-in tokens, per (server, email)."""

    def __init__(self, *, file_path: Path | str | None = None, backend: KeyringBackend | None = None,
                 service: str = SERVICE) -> None:
        self.file_path = Path(file_path) if file_path else None
        self.backend = backend
        self.service = service
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self.location = "keyring"  # where the last token went: keyring | memory | file

    def _keyring(self) -> KeyringBackend:
        return self.backend if self.backend is not None else keyring.get_keyring()

    # ------------------------------------------------------------------ public

    def get(self, server: str, email: str) -> str | None:
        account = account_name(server, email)
        with self._lock:
            if account in self._memory:
                return self._memory[account]
            try:
                token = self._keyring().get_password(self.service, account)
                if token:
                    return token
            except keyring.errors.KeyringError:
                pass
            return self._read_file().get(account)

    def set(self, server: str, email: str, token: str) -> str:
        """Keep the token; returns where it went: ``"keyring"``, ``"file"`` or ``"memory"``."""
        account = account_name(server, email)
        with self._lock:
            try:
                self._keyring().set_password(self.service, account, token)
                self._memory.pop(account, None)
                self.location = "keyring"
                return self.location
            except keyring.errors.KeyringError:
                pass  # NoKeyringError included: no backend on this machine
            if self.file_path is not None:
                data = self._read_file()
                data[account] = token
                self._write_file(data)
                self.location = "file"
            else:
                self._memory[account] = token
                self.location = "memory"
            return self.location

    def delete(self, server: str, email: str) -> None:
        """Forget the token everywhere (sign out)."""
        account = account_name(server, email)
        with self._lock:
            self._memory.pop(account, None)
            try:
                self._keyring().delete_password(self.service, account)
            except keyring.errors.KeyringError:
                pass
            if self.file_path is not None and self.file_path.exists():
                data = self._read_file()
                if data.pop(account, None) is not None:
                    self._write_file(data)

    # ------------------------------------------------------------------- file

    def _read_file(self) -> dict[str, str]:
        path = self.file_path
        if path is None or not path.exists():
            return {}
        try:
            mode = path.stat().st_mode
            if os.name == "posix" and (mode & (stat.S_IRWXG | stat.S_IRWXO)):
                return {}  # readable by others: not trusted, not used
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(data, dict) else {}

    def _write_file(self, data: dict[str, str]) -> None:
        if self.file_path is None:
            raise ValueError("TokenStore has no token file to write")
        write_atomic(self.file_path, json.dumps(data).encode("utf-8"))  # mode 0600, renamed into place
