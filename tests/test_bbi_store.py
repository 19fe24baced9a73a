"""Bio-Bridge requests through the CHM's own store (``/api/v2016/bbi-requests``), over HTTP on loopback.

A real hub; stations are real data folders; faults come from the FaultProxy (we do not ship a network).
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from focalpoint.models import OutboxEntry
from focalpoint.records import new_identifier
from focalpoint.sync.bbi_wire import STORE_PATH, fields_of
from tests.support.sync import FaultProxy, Station, http_response, hub_get

PASSWORD = "bio-bridge-secret"
ANA = "ana@bbi.example.org"
BEN = "ben@bbi.example.org"
ADMIN = "bbi-admin@example.org"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        running.add_user(ANA, PASSWORD, "authorized-user", "ws")
        running.add_user(BEN, PASSWORD, "authorized-user", "ws")
        running.add_user(ADMIN, PASSWORD, "secretariat", None)
        yield running


@pytest.fixture
def stations(hub, tmp_path):
    made: list[Station] = []

    def make(name: str, url: str | None = None, email: str = ANA) -> Station:
        station = Station(tmp_path / name, url or hub.url, email, PASSWORD)
        made.append(station)
        return station

    yield make
    for station in made:
        station.close()


def bbi_request(title: str) -> dict:
    return {"header": {"identifier": new_identifier(), "schema": "bbiRequest", "languages": ["en", "fr"]},
            "title": {"en": title, "fr": title + " (fr)"},
            "country": {"identifier": "ws"},
            "problem": {"en": "Seagrass beds are not mapped.", "fr": "Les herbiers ne sont pas cartographiés."},
            "organization": {"identifier": "ABCDEF0123456789ABCDEF01@2"},
            "startDate": "2027-01-15",
            "laterCHMField": {"kept": [1, {"exactly": "as it was"}]}}


def send_new_request(station: Station, title: str) -> dict:
    """The station saves a new Bio-Bridge request and syncs (the sync must go through); returns it."""
    doc = bbi_request(title)
    station.store.save(doc)
    report = station.sync()
    assert report.ok, report.error
    return doc


def stored_requests(hub, identifier: str, email: str = ANA) -> list[dict]:
    token = hub.login(email, PASSWORD)
    return hub_get(hub.url, token, STORE_PATH, q=json.dumps({"header.identifier": identifier}),
                   f=json.dumps({"history": 0}))


def user_id(hub, email: str) -> int:
    return hub_get(hub.url, hub.login(email, PASSWORD), "/api/v2013/authentication/user")["userID"]


def outbox(station: Station) -> list[OutboxEntry]:
    with station.db.session() as session:
        return list(session.query(OutboxEntry))


def request_publication(station: Station, identifier: str) -> None:
    """What focalpoint.review.request_publication queues once the record validates."""
    from focalpoint.models import Record

    with station.db.session(write=True) as session:
        session.get(Record, identifier).status = "submitted"
        station.store.queue_action(session, identifier, "request_publication", {"type": "publishReferenceRecord"})


def test_a_saved_request_is_stored_in_the_chm_shape(hub, stations):
    a = stations("a")
    doc = send_new_request(a, "Seagrass mapping")
    [stored] = stored_requests(hub, doc["header"]["identifier"])
    assert re.fullmatch(r"[0-9a-f]{24}", stored["_id"])
    assert stored["meta"]["status"] == "draft"
    assert stored["meta"]["createdBy"] == user_id(hub, ANA)
    assert stored["meta"]["languages"] == ["en", "fr"] and stored["meta"]["clientOrg"] == 0
    assert stored["meta"]["createdOn"] and stored["meta"]["modifiedOn"]
    assert fields_of(stored) == doc  # header, CHM fields and the unknown field, exactly
    # not sent through the documents API as well
    token = hub.login(ANA, PASSWORD)
    answer = httpx.get(f"{hub.url}/api/v2013/documents/{doc['header']['identifier']}/versions/draft",
                       headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert answer.status_code == 404
    rec = a.record(doc["header"]["identifier"])
    assert rec.sync_state == "synced" and rec.status == "draft" and outbox(a) == []
    quiet = a.sync()  # nothing queued, the store listed minutes ago: only the change feed
    assert quiet.ok and quiet.requests == 1


def test_an_edit_updates_the_same_request_even_when_the_first_answer_was_lost(hub, stations):
    with FaultProxy(hub.url, rate=0) as proxy:
        dropped: list[str] = []

        def drop_first_post(method: str, path: str):  # noqa: ANN202
            if method == "POST" and path.startswith(STORE_PATH) and not dropped:
                dropped.append(path)
                return "drop_after"  # the hub stores it; the answer never arrives
            return None

        proxy.rules.append(drop_first_post)
        a = stations("a", proxy.url)
        doc = send_new_request(a, "Coral reef monitoring")
        ident = doc["header"]["identifier"]
        assert dropped, "the fault was not applied"
        [first] = stored_requests(hub, ident)
        assert [p for m, p, _f in proxy.log if m == "POST" and p.startswith(STORE_PATH)] == [STORE_PATH]

        edited = json.loads(json.dumps(doc))
        edited["title"]["en"] = "Coral reef monitoring, phase 2"
        del edited["problem"]
        a.store.save(edited)
        assert a.sync().ok
        [second] = stored_requests(hub, ident)
        assert second["_id"] == first["_id"]
        assert fields_of(second) == edited  # the removed field is gone there too
        assert ("PATCH", f"{STORE_PATH}/{first['_id']}") in [(m, p.split("?")[0]) for m, p, _f in proxy.log]
        assert [p for m, p, _f in proxy.log if m == "POST" and p.startswith(STORE_PATH)] == [STORE_PATH]
        assert a.record(ident).sync_state == "synced" and outbox(a) == []


def test_publication_request_sets_workflow_and_another_folder_pulls_it(hub, stations):
    a = stations("a")
    doc = send_new_request(a, "Invasive species early warning")
    ident = doc["header"]["identifier"]
    request_publication(a, ident)
    report = a.sync()
    assert report.ok, report.error
    [stored] = stored_requests(hub, ident)
    assert stored["meta"]["status"] == "workflow"
    assert a.record(ident).status == "submitted" and outbox(a) == []

    b = stations("b")  # the same person on a second computer
    report = b.sync()
    assert report.ok, report.error
    assert b.document(ident) == doc
    rec = b.record(ident)
    assert rec.status == "submitted" and rec.sync_state == "synced" and rec.schema == "bbiRequest"

    # the Bio-Bridge team publishes it; the second computer learns it at its next listing
    admin = hub.login(ADMIN, PASSWORD)
    answer = httpx.patch(f"{hub.url}{STORE_PATH}/{stored['_id']}", json={"meta": {"status": "public"}},
                         headers={"Authorization": f"Ticket {admin}"}, timeout=30)
    assert answer.status_code == 200
    b.clock.advance(2 * 3600)
    assert b.sync().ok
    assert b.record(ident).status == "published" and b.document(ident) == doc


def test_edits_from_two_folders_merge_field_by_field(hub, stations):
    a, b = stations("a"), stations("b")
    doc = send_new_request(a, "Wetland restoration")
    ident = doc["header"]["identifier"]
    assert b.sync().ok
    mine = b.document(ident)
    mine["title"]["en"] = "Wetland restoration (b)"
    b.store.save(mine)
    assert b.sync().ok
    theirs = a.document(ident)
    theirs["startDate"] = "2027-03-01"
    a.store.save(theirs)
    report = a.sync()
    assert report.ok, report.error
    assert report.merged == [ident]
    [stored] = stored_requests(hub, ident)
    assert stored["title"]["en"] == "Wetland restoration (b)" and stored["startDate"] == "2027-03-01"


def test_a_request_removed_on_the_server_says_so_on_the_record(hub, stations):
    from focalpoint.sync.outbox import retry_record

    a = stations("a")
    doc = send_new_request(a, "Dry forest inventory")
    ident = doc["header"]["identifier"]
    [stored] = stored_requests(hub, ident)
    admin = hub.login(ADMIN, PASSWORD)
    assert httpx.delete(f"{hub.url}{STORE_PATH}/{stored['_id']}", headers={"Authorization": f"Ticket {admin}"},
                        timeout=30).status_code == 200
    edited = a.document(ident)
    edited["title"]["en"] = "Dry forest inventory, revised"
    a.store.save(edited)
    report = a.sync()
    rec = a.record(ident)
    assert rec.sync_state == "error" and "no longer on the server" in rec.sync_error and "Try again" in rec.sync_error
    assert report.errors[ident] == rec.sync_error
    assert [e.state for e in outbox(a)] == ["failed"]  # kept: nothing the person did is lost
    retry_record(a.db, ident)
    assert a.sync().ok
    [again] = stored_requests(hub, ident)
    assert again["_id"] != stored["_id"] and fields_of(again) == edited
    assert a.record(ident).sync_state == "synced" and outbox(a) == []


def _sent_request(hub, stations, title: str) -> tuple[dict, dict]:  # noqa: ANN001
    """Ana's computer saves a new request and sends it: (the request, what the store holds)."""
    doc = send_new_request(stations("a"), title)
    [stored] = stored_requests(hub, doc["header"]["identifier"])
    return doc, stored


def _taken_over_by_ben(hub, stored: dict) -> httpx.Response:  # noqa: ANN001
    """Ben (another user of the same government) patches Ana's stored request with his title."""
    ben = hub.login(BEN, PASSWORD)
    return httpx.patch(f"{hub.url}{STORE_PATH}/{stored['_id']}", json={**fields_of(stored), "title": {"en": "Taken over"}},
                       headers={"Authorization": f"Ticket {ben}"}, timeout=30)


def test_the_store_refuses_a_change_by_someone_else(hub, stations):
    doc, stored = _sent_request(hub, stations, "Pollinator survey")
    answer = _taken_over_by_ben(hub, stored)
    assert answer.status_code in (403, 404)  # not even visible to him while it is a draft
    ben = hub.login(BEN, PASSWORD)
    answer = httpx.get(f"{hub.url}{STORE_PATH}", params={"q": json.dumps({"_id": stored["_id"]})},
                       headers={"Authorization": f"Ticket {ben}"}, timeout=30)
    assert answer.status_code == 200 and answer.json() == []
    [after] = stored_requests(hub, doc["header"]["identifier"])
    assert fields_of(after) == doc


def test_the_store_refuses_a_patch_of_a_public_request_by_another_user(hub, stations):
    doc, stored = _sent_request(hub, stations, "Mangrove nursery")
    admin = hub.login(ADMIN, PASSWORD)
    assert httpx.patch(f"{hub.url}{STORE_PATH}/{stored['_id']}", json={"meta": {"status": "public"}},
                       headers={"Authorization": f"Ticket {admin}"}, timeout=30).status_code == 200
    answer = _taken_over_by_ben(hub, stored)
    assert answer.status_code == 403
    assert answer.json()["code"] == "Error.Forbidden"
    [after] = stored_requests(hub, doc["header"]["identifier"])
    assert fields_of(after) == doc


def test_without_the_store_requests_go_through_the_documents_api(hub, stations):
    with FaultProxy(hub.url, rate=0) as proxy:
        proxy.rules.append(lambda method, path: http_response(404, b'{"code":"Error.NotFound"}', reason="Not Found")
                           if path.startswith("/api/v2016/") else None)
        a = stations("a", proxy.url)
        ident = send_new_request(a, "Seed bank")["header"]["identifier"]
        assert stored_requests(hub, ident) == []
        token = hub.login(ANA, PASSWORD)
        assert hub_get(hub.url, token, f"/api/v2013/documents/{ident}/versions/draft") is not None
        assert a.record(ident).sync_state == "synced"
        probes = [p for _m, p, _f in proxy.log if p.startswith("/api/v2016/")]
        assert len(probes) == 1
        assert a.sync().ok  # the answer is remembered: no second probe the same day
        assert len([p for _m, p, _f in proxy.log if p.startswith("/api/v2016/")]) == 1


# ---------------------------------------------------------------- the hub's store alone (SQLite and PostgreSQL)

def test_hub_store_routes_answer_in_the_real_shapes(hub_env):
    gov = hub_env.government()
    ana, ben = hub_env.user("authorized-user", gov), hub_env.user("authorized-user", gov)
    admin = hub_env.user("secretariat")
    ident = new_identifier()
    doc = {"header": {"identifier": ident, "schema": "bbiRequest", "languages": ["en"]},
           "title": {"en": "Marine spatial planning"}, "country": {"identifier": gov}}
    created = ana.client.post(STORE_PATH, json={**doc, "meta": {"clientOrg": 0, "status": "draft",
                                                                "languages": ["en"], "baseUrl": "www.cbd.int"}})
    assert created.status_code == 200, created.text
    request_id = created.json()["id"]
    stored = ana.client.get(f"{STORE_PATH}/{request_id}", params={"f": json.dumps({"history": 0})}).json()
    assert stored["_id"] == request_id and fields_of(stored) == doc
    assert stored["meta"]["createdBy"] == ana.user_id and stored["meta"]["status"] == "draft"
    assert stored["meta"]["baseUrl"] == "www.cbd.int" and stored["meta"]["clientOrg"] == 0

    def listed(who, **q) -> list[str]:  # noqa: ANN001
        answer = who.client.get(STORE_PATH, params={"q": json.dumps(q), "s": json.dumps({"meta.modifiedOn": -1}),
                                                    "sk": 0, "l": 100})
        assert answer.status_code == 200, answer.text
        return [item["_id"] for item in answer.json()]

    assert listed(ana, **{"meta.createdBy": ana.user_id, "meta.status": "draft"}) == [request_id]
    assert listed(ana, **{"title.en": "Marine spatial planning", "meta.createdBy": ana.user_id}) == [request_id]
    assert listed(ana, **{"meta.createdBy": str(ana.user_id)}) == []
    assert listed(ben, **{"header.identifier": ident}) == []  # someone else's draft is not shown
    bad = ana.client.get(STORE_PATH, params={"q": json.dumps({"meta.modifiedOn": {"$gt": "2020"}})})
    assert bad.status_code == 400

    assert ben.client.patch(f"{STORE_PATH}/{request_id}", json={"meta": {"status": "workflow"}}).status_code == 404
    assert ana.client.patch(f"{STORE_PATH}/{request_id}", json={"meta": {"status": "public"}}).status_code == 403
    assert ana.client.patch(f"{STORE_PATH}/{request_id}",
                            json={"_id": request_id, **doc, "meta": {"status": "workflow"}}).status_code == 200
    assert admin.client.patch(f"{STORE_PATH}/{request_id}", json={"meta": {"status": "public"}}).status_code == 200
    refused = ben.client.patch(f"{STORE_PATH}/{request_id}", json={**doc, "title": {"en": "Mine now"}})
    assert refused.status_code == 403 and refused.json()["code"] == "Error.Forbidden"
    assert listed(ben, **{"header.identifier": ident}) == [request_id]  # published: everyone sees it
    assert ben.client.delete(f"{STORE_PATH}/{request_id}").status_code == 403
    assert ana.client.delete(f"{STORE_PATH}/{request_id}").status_code == 200
    assert ana.client.get(f"{STORE_PATH}/{request_id}").status_code == 404
    assert listed(ana, **{"header.identifier": ident}) == []
