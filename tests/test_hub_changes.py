"""The hub's change feed: paging, checkpoints, newest change per record, government scope, bytes."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.hubkit import Actor, HubEnv


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def checkpoint(actor: Actor) -> int:
    """The feed's current position for this actor (everything before it is not of interest)."""
    feed = actor.changes(0, limit=1000)
    while feed["more"]:
        feed = actor.changes(feed["last_seq"], limit=1000)
    return feed["last_seq"]


def pull_all(actor: Actor, since: int, limit: int) -> tuple[list[dict[str, Any]], int, int]:
    """All changes after ``since``, page by page: (results, last_seq, number of requests)."""
    results, requests = [], 0
    while True:
        page = actor.changes(since, limit)
        requests += 1
        results += page["results"]
        assert page["last_seq"] >= since
        since = page["last_seq"]
        if not page["more"]:
            return results, since, requests


@pytest.fixture
def gov_user(hub_env: HubEnv) -> tuple[HubEnv, str, Actor]:
    gov = hub_env.government()
    return hub_env, gov, hub_env.user("authorized-user", gov)


def test_pages_cover_every_change_once(gov_user) -> None:
    env, gov, user = gov_user
    since = checkpoint(user)
    uids = []
    for _ in range(5):
        doc = env.national(gov)
        ok(user.put_draft(doc))
        uids.append(doc["header"]["identifier"])
    results, last, requests = pull_all(user, since, limit=2)
    assert [r["identifier"] for r in results] == uids
    assert requests == 3
    seqs = [r["seq"] for r in results]
    assert seqs == sorted(seqs) and last == seqs[-1]
    assert all(r["info"]["body"]["header"]["identifier"] == r["identifier"] for r in results)


def test_since_lists_only_later_changes_and_newest_per_record(gov_user) -> None:
    env, gov, user = gov_user
    a, b = env.national(gov), env.national(gov)
    ok(user.put_draft(a))
    ok(user.put_draft(b))
    since = checkpoint(user)
    for title in ("one", "two", "three"):
        a["title"] = {"en": title, "fr": title}
        ok(user.put_draft(a))
    results, _last, _n = pull_all(user, since, limit=50)
    assert [(r["identifier"], r["revision"]) for r in results] == [(a["header"]["identifier"], 4)]
    assert results[0]["info"]["body"]["title"]["en"] == "three"


def test_workflow_changes_appear_in_the_feed(gov_user) -> None:
    env, gov, user = gov_user
    focal_point = env.user("focal-point", gov)
    doc = env.national(gov)
    uid = doc["header"]["identifier"]
    ok(user.put_draft(doc))
    since = checkpoint(focal_point)
    wf = ok(user.request_publication(uid), 201)["_id"]
    results, since, _ = pull_all(focal_point, since, 50)
    assert [r["identifier"] for r in results] == [uid]
    assert results[0]["workflows"][0]["_id"] == wf and results[0]["workflows"][0]["state"] == "running"
    assert results[0]["info"]["workingDocumentLock"]["workflowId"] == wf
    ok(focal_point.approve(wf))
    results, _, _ = pull_all(user, since, 50)
    assert results[0]["info"]["isDraft"] is False and results[0]["revision"] == 2
    assert results[0]["workflows"][0]["state"] == "completed"


def test_deletions_reach_the_feed_as_tombstones(gov_user) -> None:
    env, gov, user = gov_user
    doc = env.national(gov)
    uid = doc["header"]["identifier"]
    ok(user.put_draft(doc))
    since = checkpoint(user)
    ok(user.client.delete(f"/api/v2013/documents/{uid}/versions/draft"))
    results, _, _ = pull_all(user, since, 50)
    assert [(r["identifier"], r["deleted"], r["info"]["body"]) for r in results] == [(uid, True, None)]


def test_feed_is_scoped_to_the_callers_government(gov_user) -> None:
    env, gov, user = gov_user
    other_gov = env.government()
    stranger = env.user("authorized-user", other_gov)
    since = checkpoint(user)
    mine, theirs = env.national(gov), env.national(other_gov)
    ok(user.put_draft(mine))
    ok(stranger.put_draft(theirs))
    ref = env.reference()
    ok(stranger.put_draft(ref))  # a reference draft: only its author (and the secretariat) see it
    results, _, _ = pull_all(user, since, 50)
    assert [r["identifier"] for r in results] == [mine["header"]["identifier"]]
    secretariat = env.user("secretariat")
    seen = {r["identifier"] for r in pull_all(secretariat, since, 50)[0]}
    assert {mine["header"]["identifier"], theirs["header"]["identifier"], ref["header"]["identifier"]} <= seen
    ok(secretariat.approve(ok(stranger.request_publication(ref["header"]["identifier"]), 201)["_id"]))
    results, _, _ = pull_all(user, since, 50)
    assert [r["identifier"] for r in results] == [mine["header"]["identifier"], ref["header"]["identifier"]]


def test_empty_feed_is_one_small_round_trip(gov_user, record_property) -> None:
    env, gov, user = gov_user
    ok(user.put_draft(env.national(gov)))
    since = checkpoint(user)
    request = user.client.build_request("GET", "/api/v2013/focalpoint/changes", params={"since": since})
    head = f"GET {request.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in request.headers.items() if k.lower() != "connection")
    head += "Connection: close\r\n\r\n"
    sent = head.encode()
    url = urlsplit(env.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(sent)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b" 200 " in status_line
    import json

    assert json.loads(body) == {"results": [], "last_seq": since, "more": False}
    record_property("empty_feed_request_bytes", len(sent))
    record_property("empty_feed_response_bytes", len(received))
    record_property("empty_feed_body_bytes", len(body))
    print(f"\nempty change feed: request {len(sent)} B, response {len(received)} B "
          f"(body {len(body)} B), total {len(sent) + len(received)} B")
    assert len(body) <= 60
    assert len(sent) + len(received) < 700


def test_last_seq_moves_past_changes_the_caller_cannot_see(gov_user) -> None:
    env, gov, user = gov_user
    since = checkpoint(user)
    stranger = env.user("authorized-user", env.government())
    ok(stranger.put_draft(env.national(stranger.government)))
    feed = user.changes(since)
    assert feed["results"] == [] and feed["last_seq"] > since
    assert user.changes(feed["last_seq"]) == {"results": [], "last_seq": feed["last_seq"], "more": False}


def test_bad_feed_parameters(gov_user) -> None:
    _env, _gov, user = gov_user
    for params in ({"since": -1}, {"since": "yesterday"}, {"limit": 0}, {"limit": 100000}):
        response = user.client.get("/api/v2013/focalpoint/changes", params=params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "Error.InvalidRequest"


def test_bundle_holds_the_governments_records(gov_user, tmp_path, db) -> None:
    from focalpoint.sync.bundle import read_bundle

    env, gov, user = gov_user
    focal_point = env.user("focal-point", gov)
    drafts = [env.national(gov) for _ in range(2)]
    for doc in drafts:
        ok(user.put_draft(doc))
    ok(focal_point.approve(ok(user.request_publication(drafts[0]["header"]["identifier"]), 201)["_id"]))
    stranger = env.user("authorized-user", env.government())
    ok(stranger.put_draft(env.national(stranger.government)))

    response = user.client.get("/api/v2013/focalpoint/bundle", params={"government": gov})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/gzip")
    path = tmp_path / "records.bundle"
    path.write_bytes(response.content)
    bundle = read_bundle(path)
    assert bundle.kind == "records" and bundle.meta["government"] == gov
    national = [d for d in bundle.content["documents"] if d["metadata"]["government"] == gov]
    assert {d["identifier"]: d["revision"] for d in national} == {
        drafts[0]["header"]["identifier"]: 2, drafts[1]["header"]["identifier"]: 1}
    assert all(d["metadata"]["government"] in (gov, None) for d in bundle.content["documents"])
    assert [w["state"] for w in bundle.content["workflows"]
            if w["data"]["identifier"] == drafts[0]["header"]["identifier"]] == ["completed"]
    assert bundle.meta["last_seq"] == checkpoint(user)
    refused = user.client.get("/api/v2013/focalpoint/bundle", params={"government": stranger.government})
    assert refused.status_code == 403

    # an offline FocalPoint imports it as if it had pulled
    from focalpoint.models import Record
    from focalpoint.sync.bundle import import_bundle

    summary = import_bundle(db, path)
    assert summary.records == len(bundle.content["documents"])
    with db.session() as session:
        assert session.get(Record, drafts[1]["header"]["identifier"]) is not None


def test_concurrent_writers_never_slip_behind_a_checkpoint(gov_user) -> None:
    """Writers and a poller run together; every write must reach the poller exactly once."""
    import threading

    env, gov, user = gov_user
    since = checkpoint(user)
    token = user.client.headers["Authorization"]
    written: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        with httpx.Client(base_url=env.url, headers={"Authorization": token}, timeout=30) as client:
            for _ in range(8):
                doc = env.national(gov)
                uid = doc["header"]["identifier"]
                response = client.put(f"/api/v2013/documents/{uid}/versions/draft", json=doc)
                assert response.status_code == 200, response.text
                with lock:
                    written.append(uid)

    seen: list[str] = []
    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    position = since
    while any(t.is_alive() for t in threads):
        results, position, _ = pull_all(user, position, limit=5)
        seen += [r["identifier"] for r in results]
    for t in threads:
        t.join()
    results, position, _ = pull_all(user, position, limit=5)
    seen += [r["identifier"] for r in results]
    assert sorted(seen) == sorted(written) and len(written) == 32


def test_have_leaves_out_the_bodies_the_caller_holds_and_nothing_else(gov_user) -> None:
    env, gov, user = gov_user
    since = checkpoint(user)
    held, other = env.national(gov), env.national(gov)
    rev_held = ok(user.put_draft(held))["revision"]
    ok(user.put_draft(other))
    uid_held, uid_other = held["header"]["identifier"], other["header"]["identifier"]
    answer = ok(user.client.get("/api/v2013/focalpoint/changes",
                                params={"since": since, "have": f"{uid_held}:{rev_held},{uid_other}:99"}))
    items = {r["identifier"]: r for r in answer["results"]}
    assert items[uid_held]["info"]["body"] is None and items[uid_held]["info"]["bodyOmitted"] is True
    assert items[uid_held]["info"]["revision"] == rev_held  # metadata still comes
    assert items[uid_other]["info"]["body"]["header"]["identifier"] == uid_other  # other revision: full copy
    assert "bodyOmitted" not in items[uid_other]["info"]
    # the saving is real: the same page without ``have`` is bigger
    full = user.client.get("/api/v2013/focalpoint/changes", params={"since": since})
    slim = user.client.get("/api/v2013/focalpoint/changes", params={"since": since, "have": f"{uid_held}:{rev_held}"})
    assert len(slim.content) < len(full.content)


def test_have_is_advertised_and_a_malformed_pair_is_named(gov_user) -> None:
    env, _gov, user = gov_user
    caps = ok(user.client.get("/api/v2013/focalpoint/capabilities"))
    assert "changes-have" in caps["extensions"]
    bad = user.client.get("/api/v2013/focalpoint/changes", params={"since": 0, "have": "ABC:1,no-revision"})
    assert bad.status_code == 400 and "no-revision" in bad.json()["message"]
    many = ",".join(f"ID{i}:1" for i in range(201))
    too_many = user.client.get("/api/v2013/focalpoint/changes", params={"since": 0, "have": many})
    assert too_many.status_code == 400 and "200" in too_many.json()["message"]
