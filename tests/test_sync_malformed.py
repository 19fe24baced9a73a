"""Malformed answers from the server: a clear error, and the local data exactly as it was."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from focalpoint.models import Meta, OutboxEntry, Record, Workflow
from tests.support.sync import FaultProxy, Station, government_codes, http_response, needs_assessment

PASSWORD = "malformed-pw"
_governments = iter(government_codes())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A hub with records to pull, and a proxy whose rules rewrite chosen answers."""
    from tests.support.hub import start_hub

    tmp = tmp_path_factory.mktemp("malformed")
    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as hub, FaultProxy(hub.url, rate=0.0) as proxy:
        yield hub, proxy, tmp


def _snapshot(station: Station) -> dict:
    with station.db.session() as session:
        return {
            "records": sorted((r.identifier, json.dumps(r.document, sort_keys=True), r.server_revision,
                               json.dumps(r.base_document, sort_keys=True), r.sync_state, r.status, r.deleted)
                              for r in session.query(Record)),
            "outbox": sorted((e.entry_id, json.dumps(e.payload, sort_keys=True), e.base_revision, e.state)
                             for e in session.query(OutboxEntry)),
            "workflows": session.query(Workflow).count(),
            "meta": sorted((m.key, m.value) for m in session.query(Meta) if ".since" in m.key),
        }


def _json(status: int, body) -> bytes:  # noqa: ANN001
    return http_response(status, json.dumps(body).encode())


CHANGE = {"seq": 99, "identifier": "X", "revision": 1, "deleted": False}
HUGE = json.dumps({"results": [], "last_seq": 1, "more": False, "pad": "x" * 300_000}).encode()

CASES = {
    "not json": ("changes", http_response(200, b'{"results": [', "application/json")),
    "html instead of json": ("changes", http_response(200, b"<html>Hotel Wi-Fi login</html>", "text/html")),
    "wrong types": ("changes", _json(200, {"results": "none", "last_seq": 5, "more": False})),
    "more is not a boolean": ("changes", _json(200, {"results": [], "last_seq": 5, "more": "no"})),
    "a change without its document": ("changes", _json(200, {"results": [CHANGE], "last_seq": 99, "more": False})),
    "a document body of the wrong type": ("changes", _json(200, {"results": [
        dict(CHANGE, info={"identifier": "X", "revision": 1, "body": "text"})], "last_seq": 99, "more": False})),
    "a revision that is text": ("changes", _json(200, {"results": [
        dict(CHANGE, info={"identifier": "X", "revision": "1", "body": {}})], "last_seq": 99, "more": False})),
    "too big": ("changes", http_response(200, HUGE)),
    "damaged gzip": ("changes", http_response(200, b"\x1f\x8b\x08\x00garbage", "application/json",
                                              {"Content-Encoding": "gzip"})),
    "gzip bomb": ("changes", http_response(200, gzip.compress(b" " * 5_000_000), "application/json",
                                           {"Content-Encoding": "gzip"})),
    "batch results not a list": ("batch", _json(200, {"results": {"a": 1}})),
    "batch status that is text": ("batch", None),  # filled in below: needs the entry id
    "saved document missing its revision": ("batch", None),
    "capabilities of the wrong shape": ("capabilities", _json(200, {"protocol": "one", "extensions": []})),
    "token answer without a token": ("token", _json(200, {"expiration": "soon"})),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_answer_is_a_clear_error_and_changes_nothing(world, tmp_path, case):
    hub, proxy, _tmp = world
    gov = next(_governments)
    hub.add_user(f"ana@{gov}.org", PASSWORD, "authorized-user", gov)
    hub.add_user(f"ben@{gov}.org", PASSWORD, "authorized-user", gov)
    ben = Station(tmp_path / "ben", hub.url, f"ben@{gov}.org", PASSWORD)
    ana = Station(tmp_path / "ana", proxy.url, f"ana@{gov}.org", PASSWORD, max_body=100_000)
    try:
        shared = ana.store.save(needs_assessment(gov, "Shared"))
        assert ana.sync().ok
        assert ben.sync().ok
        ben.store.save(needs_assessment(gov, "From Ben"))
        edit = copy.deepcopy(ben.document(shared.identifier))
        edit["summary"]["en"] = "Ben's summary"
        ben.store.save(edit)
        assert ben.sync().ok
        where, raw = CASES[case]
        # a bad change feed is met with nothing to send (the push, which comes first, would
        # rightly change the local data); the other answers with local edits waiting
        local_edits = where != "changes"
        if local_edits:
            local_edit = copy.deepcopy(ana.document(shared.identifier))
            local_edit["title"]["en"] = "Ana's title"
            ana.store.save(local_edit)
            ana.store.save(needs_assessment(gov, "New on Ana"))
        if where == "capabilities":
            with ana.db.session() as session:
                session.query(Meta).filter(Meta.key.like("%capabilities")).delete(synchronize_session=False)
        if where == "token":
            ana.client.token = None
        if raw is None:
            with ana.db.session() as session:
                ids = [e.entry_id for e in session.query(OutboxEntry)]
            if case == "batch status that is text":
                raw = _json(200, {"results": [{"id": i, "status": "200", "body": {}} for i in ids]})
            else:
                raw = _json(200, {"results": [{"id": i, "status": 200, "body": {"identifier": "Y", "body": {}}}
                                              for i in ids]})
        before = _snapshot(ana)
        needle = {"changes": "/focalpoint/changes", "batch": "/focalpoint/batch",
                  "capabilities": "/focalpoint/capabilities", "token": "/authentication/token"}[where]
        proxy.rules.append(lambda method, path: raw if needle in path else None)
        try:
            report = ana.sync()
        finally:
            proxy.rules.clear()
        assert report.error_kind == "malformed", (report.error_kind, report.error)
        assert "cannot read" in report.error and "Nothing on this computer has been changed" in report.error
        assert _snapshot(ana) == before
        # once the server answers properly again, everything goes through
        report = ana.sync()
        assert report.ok, report.error
        if local_edits:
            assert ana.record(shared.identifier).document["title"]["en"] == "Ana's title"
        assert ana.record(shared.identifier).document["summary"]["en"] == "Ben's summary"
        assert ana.store.count() == (3 if local_edits else 2)
    finally:
        ana.close()
        ben.close()


def test_the_size_limit_counts_what_arrives_not_what_is_declared(world, tmp_path):
    hub, proxy, _tmp = world
    gov = next(_governments)
    hub.add_user(f"ana@{gov}.org", PASSWORD, "authorized-user", gov)
    ana = Station(tmp_path / "ana", proxy.url, f"ana@{gov}.org", PASSWORD, max_body=1000)
    try:
        assert ana.sync().ok  # small answers pass
        body = json.dumps({"results": [], "last_seq": 1, "more": False, "pad": "y" * 5000}).encode()
        lying = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + body)
        proxy.rules.append(lambda method, path: lying if "changes" in path else None)
        try:
            report = ana.sync()
        finally:
            proxy.rules.clear()
        assert report.error_kind == "malformed" and "limit" in report.error
    finally:
        ana.close()
