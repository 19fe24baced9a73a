"""``focalpoint sync``: sync, status, resolve and bundles from the command line, against a real hub."""

from __future__ import annotations

import json

import pytest

from focalpoint.cli import run
from tests.support.sync import Station, needs_assessment

PASSWORD = "cli-pw"
GOV = "ws"


@pytest.fixture(scope="module", autouse=True)
def _accounts(hub) -> None:  # noqa: ANN001
    """Ana and Ben on the module's hub."""
    for name in ("ana", "ben"):
        hub.add_user(f"{name}@{GOV}.org", PASSWORD, "authorized-user", GOV)


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("FOCALPOINT_EMAIL", f"ana@{GOV}.org")
    monkeypatch.setenv("FOCALPOINT_PASSWORD", PASSWORD)


def _json(capsys) -> dict:  # noqa: ANN001
    return json.loads(capsys.readouterr().out)


def test_sync_status_resolve_and_bundles(hub, tmp_path, env, capsys):
    data = tmp_path / "ana"
    station = Station(data, hub.url, f"ana@{GOV}.org", PASSWORD)
    view = station.store.save(needs_assessment(GOV, "From the command line"))
    station.close()

    assert run(["--data-dir", str(data), "sync", "status", "--json"]) == 0
    status = _json(capsys)
    assert status["queued"] == 1 and status["conflicts"] == [] and status["errors"] == {}
    assert status["last_sync"] is None

    assert run(["--data-dir", str(data), "sync", "--server", hub.url + "/"]) == 0
    out = capsys.readouterr().out
    assert "Sent 1 change." in out

    # the server is remembered; nothing changed means a quiet, successful sync
    assert run(["--data-dir", str(data), "sync", "--json"]) == 0
    report = _json(capsys)
    assert report["ok"] and report["pushed"] == 0

    assert run(["--data-dir", str(data), "sync", "status", "--json"]) == 0
    status = _json(capsys)
    assert status["queued"] == 0 and status["last_sync"] and status["server"] == hub.url

    # a same-field clash with Ben becomes a conflict, listed by status, decided by resolve
    ben = Station(tmp_path / "ben", hub.url, f"ben@{GOV}.org", PASSWORD)
    try:
        assert ben.sync().ok
        ben.edit_text(view.identifier, "title", "en", "Ben's title")
        assert ben.sync().ok
        station = Station(data, hub.url, f"ana@{GOV}.org", PASSWORD)
        station.edit_text(view.identifier, "title", "en", "Ana's title")
        station.close()
        assert run(["--data-dir", str(data), "sync"]) == 1
        assert f"Conflict in {view.identifier}" in capsys.readouterr().out
        assert run(["--data-dir", str(data), "sync", "status", "--json"]) == 0
        assert _json(capsys)["conflicts"] == [view.identifier]
        assert run(["--data-dir", str(data), "sync", "resolve", view.identifier]) == 1
        listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert listed == [{"field": "title.en", "mine": "Ana's title", "theirs": "Ben's title"}]
        assert run(["--data-dir", str(data), "sync", "resolve", view.identifier, "title.en=theirs"]) == 0
        assert run(["--data-dir", str(data), "sync"]) == 0
        capsys.readouterr()
        assert ben.sync().ok
        assert ben.document(view.identifier)["title"]["en"] == "Ben's title"
    finally:
        ben.close()

    # bundles: export on one machine, import on another; a damaged file is refused
    station = Station(data, hub.url, f"ana@{GOV}.org", PASSWORD)
    station.store.save(needs_assessment(GOV, "Carried on a stick"))
    station.close()
    bundle = tmp_path / "stick" / "changes.fpb"
    assert run(["--data-dir", str(data), "sync", "export-bundle", str(bundle)]) == 0
    assert "1 change written" in capsys.readouterr().out
    other = tmp_path / "other"
    assert run(["--data-dir", str(other), "sync", "import-bundle", str(bundle), "--json"]) == 0
    assert _json(capsys)["imported"] == 1
    assert run(["--data-dir", str(other), "sync", "import-bundle", str(bundle), "--json"]) == 0
    assert _json(capsys)["imported"] == 0
    bundle.write_bytes(bundle.read_bytes()[:-20])
    assert run(["--data-dir", str(other), "sync", "import-bundle", str(bundle)]) == 11
    assert "incomplete or damaged" in capsys.readouterr().err


def test_sync_without_server_or_credentials_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FOCALPOINT_EMAIL", raising=False)
    assert run(["--data-dir", str(tmp_path / "d"), "sync"]) == 2
    assert "--server" in capsys.readouterr().err


def test_unreachable_server_is_exit_8_and_keeps_changes(tmp_path, env, capsys):
    data = tmp_path / "d"
    station = Station(data, "http://127.0.0.1:9", f"ana@{GOV}.org", PASSWORD)
    station.store.save(needs_assessment(GOV, "Kept"))
    station.close()
    assert run(["--data-dir", str(data), "sync", "--server", "http://127.0.0.1:9"]) == 8
    assert "could not be reached" in capsys.readouterr().err
    assert run(["--data-dir", str(data), "sync", "status", "--json"]) == 0
    assert _json(capsys)["queued"] == 1


def test_sync_realm_is_sent_and_remembered(hub, tmp_path, env, capsys):
    """``--realm CHM-DEV``: sent as the Realm header (the hub records it), remembered for later syncs."""
    import httpx

    from focalpoint.db import open_database
    from focalpoint.sync.meta import get_meta
    from focalpoint.sync.session import REALM_META_KEY

    data = tmp_path / "dev"
    station = Station(data, hub.url, f"ana@{GOV}.org", PASSWORD)
    first = station.store.save(needs_assessment(GOV, "Realm one")).identifier
    station.close()
    assert run(["--data-dir", str(data), "sync", "--server", hub.url, "--realm", "CHM-DEV"]) == 0
    station = Station(data, hub.url, f"ana@{GOV}.org", PASSWORD)
    second = station.store.save(needs_assessment(GOV, "Realm two")).identifier
    station.close()
    assert run(["--data-dir", str(data), "sync"]) == 0  # the realm is remembered
    capsys.readouterr()
    db = open_database(data)
    try:
        with db.session() as session:
            assert get_meta(session, REALM_META_KEY) == "CHM-DEV"
    finally:
        db.close()
    token = hub.login(f"ana@{GOV}.org", PASSWORD)
    for uid in (first, second):
        info = httpx.get(f"{hub.url}/api/v2013/documents/{uid}/versions/draft/info",
                         headers={"Authorization": f"Ticket {token}"}).json()
        assert info["realm"] == "CHM-DEV"
