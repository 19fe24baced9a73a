"""Idempotency keys, revision preconditions and batches on the hub (sync invariants 2 and 3)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
import pytest

from tests.support.hubkit import Actor, HubEnv


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def author(hub_env: HubEnv) -> tuple[HubEnv, str, Actor]:
    gov = hub_env.government()
    return hub_env, gov, hub_env.user("authorized-user", gov)


def history(actor: Actor, uid: str) -> list[dict[str, Any]]:
    return ok(actor.client.get(f"/api/v2013/focalpoint/documents/{uid}/history"))["entries"]


def test_same_key_twice_makes_one_revision(author) -> None:
    env, gov, user = author
    doc = env.national(gov)
    uid = doc["header"]["identifier"]
    key = str(uuid.uuid4())
    first = user.put_draft(doc, **{"Idempotency-Key": key})
    second = user.put_draft(doc, **{"Idempotency-Key": key})
    assert first.status_code == second.status_code == 200
    assert second.headers.get("Idempotent-Replay") == "true"
    assert "Idempotent-Replay" not in first.headers
    assert first.json() == second.json()
    assert second.headers["ETag"] == '"1"'
    assert [e["action"] for e in history(user, uid)] == ["draftCreated"]
    third = user.put_draft(doc, **{"Idempotency-Key": str(uuid.uuid4())})
    assert third.json()["revision"] == 2
    assert len(history(user, uid)) == 2


def test_same_key_twice_makes_one_workflow(author) -> None:
    env, gov, user = author
    doc = user.saved_national()
    uid = doc["header"]["identifier"]
    key = str(uuid.uuid4())
    first = ok(user.request_publication(uid, **{"Idempotency-Key": key}), 201)
    second = user.request_publication(uid, **{"Idempotency-Key": key})
    assert second.status_code == 201 and second.json()["_id"] == first["_id"]
    listed = ok(user.client.get("/api/v2013/workflows", params={"q": json.dumps({"data.identifier": uid})}))
    assert len(listed) == 1
    # without the key, the same request is a second request, refused by the lock
    assert user.request_publication(uid).status_code == 423


def test_key_reused_for_another_request_is_refused(author) -> None:
    env, gov, user = author
    key = str(uuid.uuid4())
    ok(user.put_draft(env.national(gov), **{"Idempotency-Key": key}))
    other = env.national(gov)
    response = user.put_draft(other, **{"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["code"] == "Error.IdempotencyKeyReused"
    assert user.client.get(f"/api/v2013/documents/{other['header']['identifier']}/versions/draft").status_code == 404


def test_a_colleague_sending_the_same_change_gets_the_first_answer(author) -> None:
    """A change carried by USB stick may reach the hub through two colleagues' computers: the same
    key with the same request is the same change (replayed); a different request under that key
    is a write of its own, evaluated afresh (the key was never this colleague's)."""
    env, gov, user = author
    colleague = env.user("authorized-user", gov)
    doc = env.national(gov)
    key = str(uuid.uuid4())
    ok(user.put_draft(doc, **{"Idempotency-Key": key}))
    second = colleague.put_draft(doc, **{"Idempotency-Key": key})
    assert second.status_code == 200 and second.headers.get("Idempotent-Replay") == "true"
    assert second.json()["revision"] == 1
    changed = dict(doc, title={"en": "Another change", "fr": "Autre"})
    third = colleague.put_draft(changed, **{"Idempotency-Key": key})
    assert third.status_code == 200 and "Idempotent-Replay" not in third.headers
    assert third.json()["revision"] == 2


def test_keys_never_replay_across_governments(author) -> None:
    env, gov, user = author
    doc = env.national(gov)
    key = str(uuid.uuid4())
    ok(user.put_draft(doc, **{"Idempotency-Key": key}))
    other_gov = next(g for g in ("fj", "to", "vu", "ki") if g != gov)
    stranger = env.user("authorized-user", other_gov)
    refused = stranger.put_draft(doc, **{"Idempotency-Key": key})
    assert refused.status_code == 403 and "Idempotent-Replay" not in refused.headers


def test_a_refused_write_is_not_remembered(author) -> None:
    env, gov, user = author
    doc = user.saved_national()
    uid = doc["header"]["identifier"]
    key = str(uuid.uuid4())
    stale = user.put_draft(doc, **{"Idempotency-Key": key, "If-Match": "7"})
    assert stale.status_code == 409
    fixed = user.put_draft(doc, **{"Idempotency-Key": key, "If-Match": "7"})
    assert fixed.status_code == 409  # evaluated afresh, still stale, nothing written
    assert len(history(user, uid)) == 1


def test_concurrent_duplicates_make_one_revision(author) -> None:
    env, gov, user = author
    doc = env.national(gov)
    uid = doc["header"]["identifier"]
    key = str(uuid.uuid4())
    token = user.client.headers["Authorization"]
    statuses: list[int] = []

    def send() -> None:
        with httpx.Client(base_url=env.url, headers={"Authorization": token}, timeout=30) as client:
            statuses.append(client.put(f"/api/v2013/documents/{uid}/versions/draft", json=doc,
                                       headers={"Idempotency-Key": key}).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    assert len(history(user, uid)) == 1


def test_stale_if_match_gets_409_with_current_copy(author) -> None:
    env, gov, user = author
    doc = user.saved_national()
    uid = doc["header"]["identifier"]
    doc["title"] = {"en": "Second", "fr": "Deuxième"}
    second = user.put_draft(doc, **{"If-Match": '"1"'})
    assert second.status_code == 200 and second.headers["ETag"] == '"2"'
    mine = dict(doc, title={"en": "Made against revision 1", "fr": "Fait sur la révision 1"})
    stale = user.put_draft(mine, **{"If-Match": "1"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "Error.Conflict"
    assert body["current"]["revision"] == 2
    assert body["current"]["body"]["title"] == {"en": "Second", "fr": "Deuxième"}
    assert ok(user.client.get(f"/api/v2013/documents/{uid}/versions/draft"))["title"]["en"] == "Second"


def test_if_none_match_star_refuses_an_existing_record(author) -> None:
    env, gov, user = author
    doc = env.national(gov)
    ok(user.put_draft(doc, **{"If-None-Match": "*"}))
    again = user.put_draft(doc, **{"If-None-Match": "*"})
    assert again.status_code == 409
    assert again.json()["current"]["revision"] == 1


def test_if_match_on_a_missing_record(author) -> None:
    env, gov, user = author
    response = user.put_draft(env.national(gov), **{"If-Match": "3"})
    assert response.status_code == 409 and response.json()["current"] is None
    bad = user.put_draft(env.national(gov), **{"If-Match": "three"})
    assert bad.status_code == 400 and bad.json()["code"] == "Error.InvalidPrecondition"


def test_discarding_with_a_stale_revision_is_refused(author) -> None:
    env, gov, user = author
    doc = user.saved_national()
    uid = doc["header"]["identifier"]
    ok(user.put_draft(doc))
    path = f"/api/v2013/documents/{uid}/versions/draft"
    assert user.client.delete(path, headers={"If-Match": "1"}).status_code == 409
    gone = ok(user.client.delete(path, headers={"If-Match": "2"}))
    assert gone["deleted"] is True  # never published: the record is gone
    assert user.client.get(path).status_code == 404


def test_batch_runs_each_operation_alone_and_idempotently(author) -> None:
    env, gov, user = author
    good, locked_doc = env.national(gov), env.national(gov)
    bad = env.national(gov)
    bad["title"] = 42
    ops = [
        {"id": "op-1", "method": "PUT", "path": f"/api/v2013/documents/{good['header']['identifier']}/versions/draft",
         "body": good},
        {"id": "op-2", "method": "PUT", "path": f"/api/v2013/documents/{bad['header']['identifier']}/versions/draft",
         "body": bad},
        {"id": "op-3", "method": "PUT",
         "path": f"/api/v2013/documents/{locked_doc['header']['identifier']}/versions/draft",
         "headers": {"If-Match": "5"}, "body": locked_doc},
        {"id": "op-4", "method": "GET", "path": "/api/v2013/documents"},
    ]
    results = ok(user.client.post("/api/v2013/focalpoint/batch", json={"operations": ops}))["results"]
    assert [(r["id"], r["status"]) for r in results] == [("op-1", 200), ("op-2", 422), ("op-3", 409), ("op-4", 400)]
    assert results[0]["body"]["revision"] == 1
    assert results[1]["body"]["code"] == "Error.Validation"
    again = ok(user.client.post("/api/v2013/focalpoint/batch", json={"operations": ops[:1]}))["results"]
    assert again[0]["status"] == 200 and again[0].get("replay") is True
    assert len(history(user, good["header"]["identifier"])) == 1
    # the same key sent outside a batch is the same write
    direct = user.put_draft(good, **{"Idempotency-Key": "op-1"})
    assert direct.headers.get("Idempotent-Replay") == "true"


def test_batch_size_is_limited(author) -> None:
    env, gov, user = author
    caps = ok(env.anonymous().get("/api/v2013/focalpoint/capabilities"))
    ops = [{"id": str(i), "method": "DELETE", "path": "/api/v2013/documents/AAAAAAAAAAAA/versions/draft"}
           for i in range(caps["maxBatch"] + 1)]
    response = user.client.post("/api/v2013/focalpoint/batch", json={"operations": ops})
    assert response.status_code == 413 and response.json()["code"] == "Error.BatchTooLarge"
