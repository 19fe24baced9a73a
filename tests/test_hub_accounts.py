"""Ending sign-ins and limiting guesses, through real HTTP on a real hub (SQLite, and PostgreSQL
when configured): sign-out, password change, disabled accounts, failed sign-in limits that hold
across processes (they live in the database), OWASP-strength password hashes raised at sign-in."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from focalpoint.hub.accounts import ACCOUNT_LIMIT, set_active, set_password
from focalpoint.hub.models import User
from focalpoint.hub.security import SCRYPT_N, hash_password

PASSWORD = "accounts-pw-1"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as hub:
        yield hub


_n = iter(range(10_000))


@pytest.fixture
def email(running):
    address = f"user{next(_n)}@ws.org"
    running.add_user(address, PASSWORD, "authorized-user", "ws")
    return address


def _sign_in(hub, email: str, password: str = PASSWORD) -> httpx.Response:  # noqa: ANN001
    return httpx.post(hub.url + "/api/v2013/authentication/token", json={"email": email, "password": password},
                      timeout=30)


def _me(hub, token: str) -> int:  # noqa: ANN001
    return httpx.get(hub.url + "/api/v2013/authentication/user", headers={"Authorization": f"Ticket {token}"},
                     timeout=30).status_code


def test_sign_out_ends_the_token_at_once(running, email):
    token = _sign_in(running, email).json()["authenticationToken"]
    other = _sign_in(running, email).json()["authenticationToken"]
    assert _me(running, token) == 200
    response = httpx.delete(running.url + "/api/v2013/authentication/token",
                            headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert response.status_code == 204
    assert _me(running, token) == 401
    assert _me(running, other) == 200  # another computer stays signed in


def test_a_new_password_or_a_disabled_account_ends_every_sign_in(running, email):
    tokens = [_sign_in(running, email).json()["authenticationToken"] for _ in range(2)]
    with running.hub.db.plain_write() as session:
        set_password(session, email, "accounts-pw-2", hash_cost=2**8)
    assert [_me(running, t) for t in tokens] == [401, 401]
    assert _sign_in(running, email).status_code == 403
    token = _sign_in(running, email, "accounts-pw-2").json()["authenticationToken"]
    with running.hub.db.plain_write() as session:
        set_active(session, email, False)
    assert _me(running, token) == 401
    assert _sign_in(running, email, "accounts-pw-2").status_code == 403
    with running.hub.db.plain_write() as session:
        set_active(session, email, True)
    assert _sign_in(running, email, "accounts-pw-2").status_code == 200


def test_hub_cli_disables_enables_and_sets_passwords(running, email, tmp_path):
    token = _sign_in(running, email).json()["authenticationToken"]
    cli = [sys.executable, "-m", "focalpoint.hub.cli"]
    url = ["--database-url", running.database_url]
    done = subprocess.run([*cli, "user", "disable", "--email", email, *url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "disabled" in done.stdout and _me(running, token) == 401
    assert subprocess.run([*cli, "user", "enable", "--email", email, *url], capture_output=True,
                          timeout=120).returncode == 0
    token = _sign_in(running, email).json()["authenticationToken"]
    changed = subprocess.run([*cli, "user", "password", "--email", email, "--password-stdin", *url],
                             input="a-brand-new-pass\n", capture_output=True, text=True, timeout=120)
    assert changed.returncode == 0, changed.stderr
    assert _me(running, token) == 401
    assert _sign_in(running, email, "a-brand-new-pass").status_code == 200
    unknown = subprocess.run([*cli, "user", "disable", "--email", "nobody@ws.org", *url], capture_output=True,
                             text=True, timeout=120)
    assert unknown.returncode == 2 and "nobody@ws.org" in unknown.stderr


def test_failed_sign_ins_are_limited_per_account_with_retry_after(running, email):
    for _ in range(ACCOUNT_LIMIT):
        assert _sign_in(running, email, "wrong").status_code == 403
    refused = _sign_in(running, email, "wrong")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0 and refused.json()["code"] == "Error.TooManyAttempts"
    # even the right password waits: the pause protects the account, not the guesser
    assert _sign_in(running, email).status_code == 429


def test_a_weak_stored_hash_is_raised_to_the_hubs_strength_at_sign_in(tmp_path):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path, password_cost=2**12) as hub:
        hub.add_user("old@ws.org", PASSWORD, "authorized-user", "ws")  # hashed at 2**8
        assert _sign_in(hub, "old@ws.org").status_code == 200
        with hub.hub.db.read() as session:
            stored = session.scalar(select(User.password_hash).where(User.email == "old@ws.org"))
        assert stored.startswith("scrypt$4096$")
        assert _sign_in(hub, "old@ws.org").status_code == 200


def test_new_passwords_use_owasps_scrypt_parameters():
    assert SCRYPT_N >= 2**17
    assert hash_password("x").startswith(f"scrypt${SCRYPT_N}$8$1$")
