"""The CLI sync killed with SIGKILL mid-sync, then run again: outbox intact, no duplicates, converged.

Against the full hub (the extension: batch, change feed) and against a ``--plain-chm`` hub (the real
CHM's API: one draft save at a time, read before write, the documents listing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from focalpoint.models import OutboxEntry
from tests.support.sync import FaultProxy, Station, hub_get, national_record, needs_assessment

PASSWORD = "kill-pw"
REPO = Path(__file__).resolve().parent.parent


def _cli(data_dir: Path, server: str, email: str) -> subprocess.Popen:
    env = dict(os.environ, FOCALPOINT_EMAIL=email, FOCALPOINT_PASSWORD=PASSWORD,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", FOCALPOINT_LANG="en")
    return subprocess.Popen([sys.executable, "-m", "focalpoint", "--data-dir", str(data_dir), "sync",
                             "--server", server, "--json"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def plain_hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("plain-hub"), plain_chm=True) as running:
        yield running


NEEDLES = {  # the request the CLI is killed in, once the hub has committed it
    "token": lambda method, path: "/authentication/token" in path,
    "batch": lambda method, path: "/focalpoint/batch" in path,
    "changes": lambda method, path: "/focalpoint/changes" in path,
    "save": lambda method, path: method == "PUT" and "/versions/draft" in path,
    "listing": lambda method, path: method == "GET" and path.startswith("/api/v2013/documents?"),
}


@pytest.mark.parametrize("server,stage,gov", [
    ("full", "token", "fj"), ("full", "batch", "to"), ("full", "changes", "vu"),
    ("plain", "token", "ki"), ("plain", "save", "tv"), ("plain", "listing", "nr")])
def test_sigkill_mid_sync_then_restart(request, tmp_path, server, stage, gov):
    hub = request.getfixturevalue("hub" if server == "full" else "plain_hub")
    make = needs_assessment if server == "full" else national_record  # the CHM takes CHM types only
    email, other = f"ana@{gov}.org", f"ben@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    hub.add_user(other, PASSWORD, "authorized-user", gov)
    # someone else's records, for the pull to bring
    ben = Station(tmp_path / "ben", hub.url, other, PASSWORD)
    theirs = [ben.store.save(make(gov, f"Ben {i}")).identifier for i in range(3)]
    assert ben.sync().ok
    # five offline records, one of them edited twice
    ana = Station(tmp_path / "ana", hub.url, email, PASSWORD)
    mine = [ana.store.save(make(gov, f"Ana {i}")) for i in range(5)]
    edited = dict(mine[0].document, title={"en": "Ana 0, edited", "fr": "Ana 0, modifiée"})
    ana.store.save(edited)
    before = {v.identifier: ana.document(v.identifier) for v in mine}
    ana.close()

    proxy = FaultProxy(hub.url, rate=0.0)
    needle = NEEDLES[stage]
    proxy.rules.append(lambda method, path: "hold" if needle(method, path) else None)
    try:
        process = _cli(tmp_path / "ana", proxy.url, email)
        try:
            assert proxy.held.wait(60), process.communicate(timeout=5)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    finally:
        proxy.rules.clear()
        proxy.release()
        proxy.stop()

    ana = Station(tmp_path / "ana", hub.url, email, PASSWORD)
    try:
        # nothing lost: every queued change is still there, every document as it was
        with ana.db.session() as session:
            entries = session.query(OutboxEntry).all()
        if stage in ("changes", "listing"):
            # killed while pulling: the push had finished; the pulled page never arrived
            assert entries == []
            assert ana.store.count() == 5
        else:
            assert {e.record_identifier for e in entries} == set(before)
            assert len(entries) == 5
        if stage in ("batch", "save"):
            assert all(e.attempts == 1 for e in entries)  # claimed once: the server has one or all of them
        for ident, document in before.items():
            assert ana.document(ident) == document

        # the restarted CLI converges
        process = _cli(tmp_path / "ana", hub.url, email)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        with ana.db.session() as session:
            assert session.query(OutboxEntry).count() == 0
        for ident, document in before.items():
            rec = ana.record(ident)
            assert rec.sync_state == "synced" and rec.document == document
            assert rec.server_revision == 1  # applied once, not twice
        assert ana.store.count() == 8
        assert {ident for ident in theirs} <= {v.identifier for v in ana.store.list()}

        # the hub holds each record once, at revision 1
        token = hub.login(email, PASSWORD)
        listing = hub_get(hub.url, token, "/api/v2013/documents", collection="mydraft", **{"$top": 50})
        revisions = {item["identifier"]: item["revision"] for item in listing["Items"]}
        assert len(listing["Items"]) == len(revisions) == 8
        assert all(revisions[ident] == 1 for ident in before)
        assert ben.sync().ok
        assert ben.store.count() == 8
    finally:
        ana.close()
        ben.close()
