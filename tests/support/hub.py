"""A real hub for tests: uvicorn on 127.0.0.1 with a free port, in a background thread.

    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path) as hub:
        hub.add_user("ana@example.org", "secret", "authorized-user", "ws")
        httpx.post(hub.url + "/api/v2013/authentication/token", json={...})

``start_hub`` may be called from any thread; ``stop`` from the thread that started it
(or any other: it only signals the server and joins its thread).
"""

from __future__ import annotations

import datetime as dt
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from focalpoint.hub.accounts import add_user
from focalpoint.hub.app import create_app
from focalpoint.hub.context import DEFAULT_TOKEN_TTL, Hub

TEST_SCRYPT_N = 2**8


class RunningHub:
    """A hub serving over HTTP on loopback until :meth:`stop`. Usable as a context manager."""

    def __init__(self, url: str, app: Any, server: uvicorn.Server, thread: threading.Thread,
                 database_url: str, tmp_dir: tempfile.TemporaryDirectory | None):
        self.url = url
        self.app = app
        self.database_url = database_url
        self._server = server
        self._thread = thread
        self._tmp_dir = tmp_dir

    @property
    def hub(self) -> Hub:
        return self.app.state.hub

    def add_user(self, email: str, password: str, role: str, government: str | None,
                 name: str = "", *, full_strength_hash: bool = False) -> None:
        """Create or replace a user (and its government). Roles: authorized-user, focal-point, secretariat.

        The password hash uses a low scrypt cost (tests make many users) unless
        ``full_strength_hash``; the stored format and the sign-in are the same.
        """
        with self.hub.db.plain_write() as session:
            add_user(session, email=email, password=password, role=role, government=government, name=name,
                     replace=True, hash_cost=None if full_strength_hash else TEST_SCRYPT_N)

    def login(self, email: str, password: str) -> str:
        """A fresh authentication token for the user."""
        response = httpx.post(self.url + "/api/v2013/authentication/token",
                              json={"email": email, "password": password}, timeout=30)
        response.raise_for_status()
        return response.json()["authenticationToken"]

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self.hub.db.dispose()
        if self._tmp_dir is not None:
            self._tmp_dir.cleanup()
            self._tmp_dir = None

    def __enter__(self) -> RunningHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_hub(database_url: str | None = None, tmp_path: Path | str | None = None, *,
              clock: Callable[[], dt.datetime] | None = None,
              token_ttl: dt.timedelta = DEFAULT_TOKEN_TTL, **app_options: Any) -> RunningHub:
    """Start a hub on 127.0.0.1 (free port) and wait until it answers.

    Without ``database_url`` it uses a SQLite file in ``tmp_path`` (or a temporary
    directory removed by :meth:`RunningHub.stop`).
    """
    tmp_dir = None
    if database_url is None:
        if tmp_path is None:
            tmp_dir = tempfile.TemporaryDirectory(prefix="focalpoint-hub-")
            tmp_path = tmp_dir.name
        database_url = f"sqlite:///{Path(tmp_path) / 'hub.sqlite3'}"
    app_options.setdefault("password_cost", TEST_SCRYPT_N)  # throw-away users are hashed cheaply
    app = create_app(database_url, clock=clock, token_ttl=token_ttl, **app_options)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only for
    # such sockets; without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, server_header=False,
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"hub-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("The test hub did not start.")
        time.sleep(0.01)
    return RunningHub(f"http://127.0.0.1:{port}", app, server, thread, database_url, tmp_dir)
