"""Numbers JSON does not allow (NaN, Infinity, 1e999) and absurd nesting are refused wherever JSON
enters: the hub's routes, USB bundles, record imports. A value stored before these checks existed
never makes an answer fail. Through real HTTP on a real hub."""

from __future__ import annotations

import gzip
import hashlib
import json

import httpx
import pytest
from sqlalchemy import select

from focalpoint import jsonsafe
from focalpoint.hub.models import Record as HubRecord
from focalpoint.sync.bundle import FORMAT, VERSION, header_digest, import_bundle
from focalpoint.sync.errors import BundleError
from tests.support.sync import Station, government_codes, needs_assessment

PASSWORD = "json-refused-pw"
_governments = iter([g for g in government_codes() if g != "ws"][160:])
HOSTILE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]


@pytest.fixture
def person(hub):
    gov = next(_governments)
    email = f"author@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    client = httpx.Client(base_url=hub.url, headers={"Authorization": f"Ticket {hub.login(email, PASSWORD)}"},
                          timeout=30)
    yield gov, email, client
    client.close()


@pytest.fixture
def draft(person):
    """A needs assessment the person saved on the hub: (their HTTP client, the document, its identifier)."""
    gov, _email, client = person
    doc = needs_assessment(gov, "Saved before the test")
    uid = doc["header"]["identifier"]
    assert client.put(f"/api/v2013/documents/{uid}/versions/draft", params={"schema": doc["header"]["schema"]},
                      json=doc).status_code == 200
    return client, doc, uid


def _reads_all_answer(client: httpx.Client, uid: str) -> None:
    for path, params in (("/api/v2013/documents", {"collection": "mydraft"}),
                         ("/api/v2013/focalpoint/changes", {"since": 0}),
                         (f"/api/v2013/documents/{uid}/versions/draft", {}),
                         (f"/api/v2013/documents/{uid}/versions/draft/info", {})):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])


@pytest.mark.parametrize("value", HOSTILE)
def test_the_hub_refuses_a_number_json_does_not_allow_and_goes_on_answering(draft, value):
    client, doc, uid = draft
    raw = json.dumps(doc)[:-1] + f', "budget": {value}}}'
    response = client.put(f"/api/v2013/documents/{uid}/versions/draft", params={"schema": doc["header"]["schema"]},
                          content=raw.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "Error.InvalidJson" and "refused" in response.json()["message"]
    _reads_all_answer(client, uid)
    assert "budget" not in client.get(f"/api/v2013/documents/{uid}/versions/draft").json()


def test_deep_nesting_is_refused_with_400_even_on_the_sign_in_route(hub):
    deep = "[" * 2000 + "]" * 2000
    response = httpx.post(hub.url + "/api/v2013/authentication/token", content=deep.encode(),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400, response.text
    assert "nested" in response.json()["message"]


def test_a_value_stored_before_the_checks_never_makes_a_read_fail(hub, draft):
    client, _doc, uid = draft
    with hub.hub.db.write() as (session, _seq):  # what an older hub let in
        record = session.scalars(select(HubRecord).where(HubRecord.identifier == uid)).one()
        record.draft_body = {**record.draft_body, "budget": float("nan"), "ceiling": float("inf")}
    _reads_all_answer(client, uid)
    draft = client.get(f"/api/v2013/documents/{uid}/versions/draft").json()
    assert draft["budget"] is None and draft["ceiling"] is None


def _bundle_bytes(content_text: str, kind: str = "outbox") -> bytes:
    body = content_text.encode()
    header = {"format": FORMAT, "version": VERSION, "kind": kind, "created": "2026-12-04T00:00:00+00:00",
              "meta": {}, "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    header["digest"] = header_digest(header, body)
    return gzip.compress(json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_bundle_holding_such_a_number_is_refused_and_changes_nothing(tmp_path, value):
    station = Station(tmp_path / "here", "http://127.0.0.1:9", "x@ws.org", "pw")
    try:
        doc = needs_assessment("ws", "In a bundle")
        content = {"entries": [{"entry_id": "E1", "record_identifier": doc["header"]["identifier"],
                                "action": "save", "payload": {"document": doc}}],
                   "records": [{"identifier": doc["header"]["identifier"], "schema": doc["header"]["schema"],
                                "document": doc}]}
        text = json.dumps(content)
        text = text.replace('"In a bundle"', value, 1)
        path = tmp_path / "hostile.fpbundle"
        path.write_bytes(_bundle_bytes(text))
        with pytest.raises(BundleError) as refused:
            import_bundle(station.db, path)
        assert "refuses" in str(refused.value)
        assert station.store.count() == 0 and station.store.pending_outbox() == []
    finally:
        station.close()


def test_record_import_refuses_such_a_number_naming_it(tmp_path):
    from focalpoint.records.exchange import ExchangeError, parse_json

    with pytest.raises(ExchangeError) as refused:
        parse_json('{"header": {"identifier": "X"}, "budget": NaN}', source="budget.json")
    assert "budget.json" in str(refused.value) and "NaN" in str(refused.value)


def test_strict_parser_accepts_ordinary_json_and_big_integers():
    assert jsonsafe.loads('{"a": [1, 2.5, -3e10, 12345678901234567890, null, true, "NaN"]}') == \
        {"a": [1, 2.5, -3e10, 12345678901234567890, None, True, "NaN"]}
