"""``focalpoint-hub``: user management and ``serve`` as a real process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from focalpoint.hub.cli import main

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(url: str, *options: str) -> Iterator[tuple[str, list[str]]]:
    """``focalpoint-hub serve`` as a child process on a free port, once it answers: yields its base URL
    and a list that holds what it wrote to standard error once it has stopped."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "focalpoint.hub.cli", "serve", *options, "--port", str(port),
                             "--database-url", url, "--log-level", "warning"],
                            env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/api/v2013/focalpoint/capabilities", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        yield base, errors
    finally:
        proc.terminate()
        errors.append(proc.communicate(timeout=20)[1])


def test_user_add_then_sign_in_through_serve(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["user", "add", "--email", "Ana@Example.org", "--password", "s3cret-pass",
                 "--role", "focal-point", "--government", "WS", "--database-url", url]) == 0
    out = capsys.readouterr()
    assert "ana@example.org" in out.out and "s3cret-pass" not in out.out + out.err
    assert main(["user", "add", "--email", "ana@example.org", "--password", "x", "--role", "focal-point",
                 "--government", "ws", "--database-url", url]) == 2  # exists already
    assert "already exists" in capsys.readouterr().err
    from focalpoint.hub.models import User
    from focalpoint.hub.store import open_hub_database

    db = open_hub_database(url)
    with db.read() as session:
        stored = session.query(User).filter_by(email="ana@example.org").one().password_hash
    db.dispose()
    assert stored.startswith("scrypt$131072$8$1$") and "s3cret-pass" not in stored  # OWASP: N=2^17
    assert main(["user", "add", "--email", "bob@example.org", "--password", "x", "--role", "authorized-user",
                 "--database-url", url]) == 2  # a national user needs a government

    with serving(url) as (base, errors):
        token = httpx.post(base + "/api/v2013/authentication/token",
                           json={"email": "ana@example.org", "password": "s3cret-pass"}).json()
        me = httpx.get(base + "/api/v2013/authentication/user",
                       headers={"Authorization": "Ticket " + token["authenticationToken"]}).json()
        assert me["roles"] == ["ChmNrNationalFocalPoint", "focal-point"] and me["government"] == "ws"
        assert httpx.get(base + "/openapi.json").status_code == 200
        assert httpx.get(base + "/docs").status_code == 404  # off unless serve --docs (its scripts need the Internet)
    assert "s3cret-pass" not in errors[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_serve_refuses_a_public_address_without_public(host: str, tmp_path: Path, capsys) -> None:
    assert main(["serve", "--host", host, "--database-url", f"sqlite:///{tmp_path / 'h.sqlite3'}"]) == 2
    assert "--public" in capsys.readouterr().err
    assert not (tmp_path / "h.sqlite3").exists()


def test_plain_chm_serve_advertises_nothing_and_takes_real_role_names(tmp_path: Path, capsys) -> None:
    """``serve --plain-chm``: the real CHM's routes only; users hold the CHM's own role names."""
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["user", "add", "--email", "nfp@example.org", "--password", "pw-nfp",
                 "--role", "ChmNrNationalFocalPoint", "--government", "ws", "--database-url", url]) == 0
    assert main(["user", "add", "--email", "au@example.org", "--password", "pw-au",
                 "--role", "ChmNrNationalAuthorizedUser", "--government", "ws", "--database-url", url]) == 0
    with pytest.raises(SystemExit):
        main(["user", "add", "--email", "x@example.org", "--password", "pw", "--role", "Admin",
              "--database-url", url])
    capsys.readouterr()
    with serving(url, "--plain-chm") as (base, _errors):
        caps = httpx.get(base + "/api/v2013/focalpoint/capabilities")
        assert caps.status_code == 404 and caps.json() == {"statusCode": 404, "code": "Error.NotFound",
                                                           "message": "Not Found"}
        token = httpx.post(base + "/api/v2013/authentication/token",
                           json={"email": "nfp@example.org", "password": "pw-nfp"}).json()["authenticationToken"]
        headers = {"Authorization": "Ticket " + token, "Realm": "CHM"}
        me = httpx.get(base + "/api/v2013/authentication/user", headers=headers).json()
        assert me["roles"][0] == "ChmNrNationalFocalPoint"
        assert httpx.get(base + "/api/v2013/focalpoint/changes", headers=headers).status_code == 404


def test_user_commands_without_a_password_are_refused_before_the_database(tmp_path: Path, capsys,
                                                                          monkeypatch) -> None:
    """``user add`` and ``user password`` given no password anywhere: exit status 2, the reason on
    standard error, and no database made."""
    monkeypatch.delenv("FOCALPOINT_HUB_PASSWORD", raising=False)
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["user", "add", "--email", "ana@example.org", "--role", "focal-point", "--government", "ws",
                 "--database-url", url]) == 2
    assert main(["user", "password", "--email", "ana@example.org", "--database-url", url]) == 2
    out = capsys.readouterr()
    assert out.err.count("Give a password with --password") == 2 and out.out == ""
    assert not (tmp_path / "hub.sqlite3").exists()
