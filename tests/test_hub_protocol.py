"""The hub's HTTP surface: sign-in, tokens, malformed requests, gzip, size limits, lists."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from focalpoint.hub.models import User
from tests.support.hub import start_hub
from tests.support.hubkit import PASSWORD, Actor, HubEnv, validation_errors


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def user(hub_env: HubEnv) -> Actor:
    return hub_env.user("authorized-user", hub_env.government())


# ------------------------------------------------------------------ authentication


def test_sign_in_and_who_am_i(hub_env: HubEnv) -> None:
    gov = hub_env.government()
    actor = hub_env.user("focal-point", gov)
    anon = hub_env.anonymous()
    answer = ok(anon.post("/api/v2013/authentication/token", json={"email": actor.email.upper(),
                                                                   "password": PASSWORD}))
    assert answer["expiration"].endswith("Z") and len(answer["authenticationToken"]) >= 40
    for scheme in ("Ticket", "Bearer"):
        me = ok(anon.get("/api/v2013/authentication/user",
                         headers={"Authorization": f"{scheme} {answer['authenticationToken']}"}))
        assert me["email"] == actor.email and me["government"] == gov and me["roles"] == ["ChmNrNationalFocalPoint", "focal-point"]


def test_wrong_password_and_missing_token(hub_env: HubEnv, user: Actor) -> None:
    anon = hub_env.anonymous()
    wrong = anon.post("/api/v2013/authentication/token", json={"email": user.email, "password": "nope"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "Error.InvalidCredentials"
    unknown = anon.post("/api/v2013/authentication/token", json={"email": "nobody@example.org", "password": "x"})
    assert unknown.status_code == 403 and unknown.json() == wrong.json()
    for headers in ({}, {"Authorization": "Ticket made-up"}, {"Authorization": "Basic abc"}):
        response = anon.get("/api/v2013/documents", headers=headers)
        assert response.status_code == 401 and response.json()["code"] == "Error.Unauthorized"


def test_passwords_are_hashed_with_a_salt(hub_server) -> None:
    hub_server.add_user("twin-a@example.org", "same password", "authorized-user", "zz")
    hub_server.add_user("twin-b@example.org", "same password", "authorized-user", "zz")
    with hub_server.hub.db.read() as session:
        hashes = [u.password_hash for u in session.scalars(
            select(User).where(User.email.in_(["twin-a@example.org", "twin-b@example.org"])))]
    assert len(hashes) == 2 and hashes[0] != hashes[1]
    assert all(h.startswith("scrypt$") and "same password" not in h for h in hashes)


def test_tokens_expire(tmp_path) -> None:
    now = [dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)]
    with start_hub(tmp_path=tmp_path, clock=lambda: now[0], token_ttl=dt.timedelta(hours=2)) as hub:
        hub.add_user("ana@example.org", "pw", "authorized-user", "ws")
        answer = httpx.post(hub.url + "/api/v2013/authentication/token",
                            json={"email": "ana@example.org", "password": "pw"}).json()
        assert answer["expiration"] == "2026-01-01T14:00:00.000Z"
        headers = {"Authorization": "Ticket " + answer["authenticationToken"]}
        assert httpx.get(hub.url + "/api/v2013/authentication/user", headers=headers).status_code == 200
        now[0] += dt.timedelta(hours=2, seconds=1)
        expired = httpx.get(hub.url + "/api/v2013/authentication/user", headers=headers)
        assert expired.status_code == 401


# ------------------------------------------------------------------ malformed requests


def test_bad_json_is_a_clear_400(hub_env: HubEnv, user: Actor) -> None:
    uid = hub_env.uid()
    path = f"/api/v2013/documents/{uid}/versions/draft"
    for content in (b"{not json", b"", "{\"title\": \"\xe9\"}".encode("latin-1")):
        response = user.client.put(path, content=content, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, content
        assert response.json()["code"] == "Error.InvalidJson"
    response = user.client.put(path, json=[1, 2])
    assert response.status_code == 400 and response.json()["code"] == "Error.InvalidDocument"


def test_wrong_types_are_refused_with_the_property(hub_env: HubEnv, user: Actor) -> None:
    doc = hub_env.national(user.government, title=42)
    assert {"code": "Error.InvalidType", "property": "title"} in validation_errors(user.put_draft(doc))
    doc = hub_env.national(user.government)
    doc["government"] = "ws"
    assert user.put_draft(doc).status_code == 422


def test_every_record_type_is_stored_and_a_nameless_one_refused(hub_env: HubEnv, user: Actor) -> None:
    """Issue 12: every CHM record type is welcome (header checked; no form, no form validation)."""
    doc = hub_env.national(user.government)
    doc["header"]["schema"] = "nationalTarget7"
    uid = doc["header"]["identifier"]
    response = user.client.put(f"/api/v2013/documents/{uid}/versions/draft", json=doc)
    assert response.status_code == 200, response.text
    assert ok(user.client.get(f"/api/v2013/documents/{uid}/versions/draft")) == doc
    assert ok(user.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))["type"] == "nationalTarget7"
    validate = user.client.put("/api/v2013/documents/x/validate", params={"schema": "nationalTarget7"}, json=doc)
    assert validate.status_code == 200 and validate.json()["errors"] == []
    nameless = hub_env.national(user.government)
    nameless["header"]["schema"] = "no such thing!"
    response = user.client.put(f"/api/v2013/documents/{nameless['header']['identifier']}/versions/draft",
                               json=nameless)
    assert response.status_code == 400 and response.json()["code"] == "Error.UnknownSchema"
    assert response.json()["statusCode"] == 400  # the CHM's error envelope


def test_identifier_must_match_the_url(hub_env: HubEnv, user: Actor) -> None:
    doc = hub_env.national(user.government)
    response = user.client.put(f"/api/v2013/documents/{hub_env.uid()}/versions/draft", json=doc)
    assert response.status_code == 400 and response.json()["code"] == "Error.InvalidIdentifier"
    short = user.client.get("/api/v2013/documents/abc/versions/draft")
    assert short.status_code == 400 and short.json()["code"] == "Error.InvalidIdentifier"


def test_bad_workflow_requests(hub_env: HubEnv, user: Actor) -> None:
    for payload, code in (({"type": "launchRocket", "data": {"identifier": hub_env.uid()}}, "Error.InvalidWorkflowType"),
                          ({"type": "publishNationalRecord"}, "Error.InvalidRequest"),
                          ({"type": "publishNationalRecord", "data": {"identifier": hub_env.uid(),
                                                                      "revision": "2"}}, "Error.InvalidRequest")):
        response = user.client.post("/api/v2013/workflows", json=payload)
        assert response.status_code == 400 and response.json()["code"] == code, response.text
    missing = user.client.post("/api/v2013/workflows",
                               json={"type": "publishNationalRecord", "data": {"identifier": hub_env.uid()}})
    assert missing.status_code == 404 and missing.json()["code"] == "Error.NotFound"
    wrong_action = user.client.put("/api/v2013/workflows/abc/activities/publishRecord", json={"action": "maybe"})
    assert wrong_action.status_code == 400 and wrong_action.json()["code"] == "Error.InvalidAction"


def test_unknown_route_and_method(user: Actor) -> None:
    response = user.client.get("/api/v2013/nothing-here")
    assert response.status_code == 404 and response.json()["code"] == "Error.NotFound"
    response = user.client.patch("/api/v2013/workflows")
    assert response.status_code == 405 and response.json()["code"] == "Error.MethodNotAllowed"


def test_validate_endpoint_answers_the_forms_errors(hub_env: HubEnv, user: Actor) -> None:
    from focalpoint import forms

    doc = hub_env.national(user.government)
    assert ok(user.client.put("/api/v2013/documents/x/validate", json=doc)) == {"errors": []}
    del doc["title"]
    answer = ok(user.client.put("/api/v2013/documents/x/validate", json=doc))
    assert answer["errors"] == [e.to_json() for e in forms.validate(doc)]
    assert answer["errors"]


# ------------------------------------------------------------------ bytes on the wire


def test_gzip_request_bodies_and_responses(hub_env: HubEnv, user: Actor) -> None:
    doc = hub_env.national(user.government, title={"en": "Compressed " * 50, "fr": "Compressé " * 50})
    uid = doc["header"]["identifier"]
    raw = json.dumps(doc).encode()
    response = user.client.put(f"/api/v2013/documents/{uid}/versions/draft", content=gzip.compress(raw),
                               headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert ok(response)["revision"] == 1 and "body" not in response.json()
    got = user.client.get(f"/api/v2013/documents/{uid}/versions/draft", headers={"Accept-Encoding": "gzip"})
    assert got.headers["content-encoding"] == "gzip"
    assert got.json() == doc
    broken = user.client.put(f"/api/v2013/documents/{uid}/versions/draft", content=b"\x1f\x8b not gzip",
                             headers={"Content-Encoding": "gzip"})
    assert broken.status_code == 400 and broken.json()["code"] == "Error.InvalidEncoding"
    other = user.client.put(f"/api/v2013/documents/{uid}/versions/draft", content=raw,
                            headers={"Content-Encoding": "br"})
    assert other.status_code == 415


def test_bodies_over_the_limit_are_refused(tmp_path) -> None:
    with start_hub(tmp_path=tmp_path, max_body_bytes=10_000) as hub:
        big = b"{" + b" " * 20_000 + b"}"
        response = httpx.put(hub.url + "/api/v2013/documents/x/validate", content=big)
        assert response.status_code == 413 and response.json()["code"] == "Error.PayloadTooLarge"
        bomb = gzip.compress(b" " * 5_000_000)
        assert len(bomb) < 10_000
        response = httpx.put(hub.url + "/api/v2013/documents/x/validate", content=bomb,
                             headers={"Content-Encoding": "gzip"})
        assert response.status_code == 413

        def chunks():
            for _ in range(30):
                yield b" " * 1000

        streamed = httpx.put(hub.url + "/api/v2013/documents/x/validate", content=chunks())
        assert streamed.status_code == 413


# ------------------------------------------------------------------ discovery and lists


def test_capabilities_and_openapi(hub_env: HubEnv) -> None:
    anon = hub_env.anonymous()
    caps = ok(anon.get("/api/v2013/focalpoint/capabilities"))
    assert caps["protocol"] == 1
    assert {"changes", "idempotency", "preconditions", "batch"} <= set(caps["extensions"])
    spec = ok(anon.get("/openapi.json"))
    assert "/api/v2013/documents/{uid}/versions/draft" in spec["paths"]
    assert "/api/v2013/focalpoint/changes" in spec["paths"]


def test_realm_header_is_echoed(user: Actor) -> None:
    response = user.client.get("/api/v2013/authentication/user", headers={"realm": "CHM-DEV"})
    assert response.headers["realm"] == "CHM-DEV"


def test_document_lists_filter_and_page(hub_env: HubEnv) -> None:
    gov = hub_env.government()
    author, focal_point = hub_env.user("authorized-user", gov), hub_env.user("focal-point", gov)
    uids = []
    for _ in range(3):
        doc = hub_env.national(gov)
        ok(author.put_draft(doc))
        uids.append(doc["header"]["identifier"])
    ok(focal_point.approve(ok(author.request_publication(uids[0]), 201)["_id"]))
    national = "type eq 'capacityNeedsAssessment'"  # published reference records are everyone's
    drafts = ok(author.client.get("/api/v2013/documents",
                                  params={"collection": "mydraft", "$top": 2, "$filter": national}))
    assert drafts["Count"] == 3 and len(drafts["Items"]) == 2
    rest = ok(author.client.get("/api/v2013/documents",
                                params={"collection": "mydraft", "$top": 2, "$skip": 2, "$filter": national}))
    assert {i["identifier"] for i in drafts["Items"] + rest["Items"]} == set(uids)
    published = ok(author.client.get("/api/v2013/documents", params={"collection": "my", "$filter": national}))
    assert [i["identifier"] for i in published["Items"]] == [uids[0]]
    stamp = published["Items"][0]["updatedOn"]
    later = ok(author.client.get("/api/v2013/documents", params={
        "collection": "mydraft", "$filter": f"type eq 'capacityNeedsAssessment' and updatedOn gt '{stamp}'"}))
    assert later["Count"] == 0
    bad = author.client.get("/api/v2013/documents", params={"$filter": "title has 'x'"})
    assert bad.status_code == 400 and bad.json()["code"] == "Error.InvalidFilter"
