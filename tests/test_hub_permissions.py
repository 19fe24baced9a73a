"""The hub's authorization matrix: every role × action × own/other government, over real HTTP.

Each case sets up fresh records as their author (a second authorized user of
government A), then one actor tries one action; the hub must allow or refuse it
exactly as the rules say — on the server, whatever the client does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.hubkit import Actor, HubEnv

AU, FP, SEC = "authorized-user", "focal-point", "secretariat"


@dataclass
class World:
    env: HubEnv
    gov_a: str
    gov_b: str
    actors: dict[str, Actor]
    approver_a: Actor  # a second focal point of A, used to set up published records

    @property
    def author(self) -> Actor:
        return self.actors["author"]


@pytest.fixture(scope="module")
def world(hub_server) -> World:
    env = HubEnv(hub_server)
    gov_a, gov_b = env.government(), env.government()
    actors = {
        "au_own": env.user(AU, gov_a), "fp_own": env.user(FP, gov_a),
        "au_other": env.user(AU, gov_b), "fp_other": env.user(FP, gov_b),
        "sec": env.user(SEC), "author": env.user(AU, gov_a),
    }
    world = World(env, gov_a, gov_b, actors, env.user(FP, gov_a))
    yield world
    env.close()


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


# ------------------------------------------------------------------ set-ups (made by the author)

def national_draft(w: World) -> dict[str, Any]:
    doc = w.env.national(w.gov_a)
    ok(w.author.put_draft(doc))
    return doc


def reference_draft(w: World) -> dict[str, Any]:
    doc = w.env.reference()
    ok(w.author.put_draft(doc))
    return doc


def national_request(w: World, creator: Actor | None = None) -> str:
    doc = national_draft(w)
    return ok((creator or w.author).request_publication(doc["header"]["identifier"]), 201)["_id"]


def reference_request(w: World) -> str:
    doc = reference_draft(w)
    return ok(w.author.request_publication(doc["header"]["identifier"]), 201)["_id"]


def published_national(w: World) -> str:
    doc = national_draft(w)
    uid = doc["header"]["identifier"]
    wf = ok(w.author.request_publication(uid), 201)["_id"]
    ok(w.approver_a.approve(wf))
    return uid


# ------------------------------------------------------------------ actions (made by the actor)

def save_national_new(w: World, a: Actor) -> httpx.Response:
    return a.put_draft(w.env.national(w.gov_a))


def retitled(doc: dict) -> dict:
    doc["title"] = {"en": "Edited", "fr": "Modifié"}
    return doc


def edit_national(w: World, a: Actor) -> httpx.Response:
    return a.put_draft(retitled(national_draft(w)))


def discard_national(w: World, a: Actor) -> httpx.Response:
    doc = national_draft(w)
    return a.client.delete(f"/api/v2013/documents/{doc['header']['identifier']}/versions/draft")


def save_reference_new(w: World, a: Actor) -> httpx.Response:
    return a.put_draft(w.env.reference())


def edit_reference_of_author(w: World, a: Actor) -> httpx.Response:
    return a.put_draft(retitled(reference_draft(w)))


def request_publication(w: World, a: Actor) -> httpx.Response:
    doc = national_draft(w)
    return a.client.post("/api/v2013/workflows", json={
        "type": "publishNationalRecord", "data": {"identifier": doc["header"]["identifier"]}})


def approve_national(w: World, a: Actor) -> httpx.Response:
    return a.approve(national_request(w))


def approve_own_request(w: World, a: Actor) -> httpx.Response:
    if a.role == SEC or a.government != w.gov_a:
        pytest.skip("only a user of government A can make a request there")
    return a.approve(national_request(w, creator=a))


def reject_national(w: World, a: Actor) -> httpx.Response:
    return a.reject(national_request(w))


def cancel_national(w: World, a: Actor) -> httpx.Response:
    return a.cancel(national_request(w))


def request_deletion(w: World, a: Actor) -> httpx.Response:
    uid = published_national(w)
    return a.client.post("/api/v2013/workflows", json={"type": "deleteRecord", "data": {"identifier": uid}})


def approve_reference(w: World, a: Actor) -> httpx.Response:
    return a.approve(reference_request(w))


def reject_reference(w: World, a: Actor) -> httpx.Response:
    return a.reject(reference_request(w))


def cancel_reference(w: World, a: Actor) -> httpx.Response:
    return a.cancel(reference_request(w))


ACTORS = ("au_own", "fp_own", "au_other", "fp_other", "sec", "author")

# action: (set-up + attempt, expected status per actor, in ACTORS order; None = not applicable)
MATRIX: dict[str, tuple[Callable[[World, Actor], httpx.Response], tuple[int | None, ...]]] = {
    "save national draft":            (save_national_new,        (200, 200, 403, 403, 403, None)),
    "edit national draft":            (edit_national,            (200, 200, 403, 403, 403, 200)),
    # another government's draft is not there for them (404, as an unknown identifier: no oracle)
    "discard national draft":         (discard_national,         (200, 200, 404, 404, 403, 200)),
    "save reference draft":           (save_reference_new,       (200, 200, 200, 200, 200, None)),
    "edit another's reference draft": (edit_reference_of_author, (403, 403, 403, 403, 200, 200)),
    # nor are another government's requests (404, as GET /workflows/{id} answers them)
    "request publication":            (request_publication,      (201, 201, 404, 404, 403, 201)),
    "approve national request":       (approve_national,         (403, 200, 404, 404, 403, 403)),
    "approve own national request":   (approve_own_request,      (403, 403, None, None, None, 403)),
    "reject national request":        (reject_national,          (403, 200, 404, 404, 403, 403)),
    "cancel national request":        (cancel_national,          (403, 200, 404, 404, 403, 200)),
    "request deletion":               (request_deletion,         (201, 201, 403, 403, 403, 201)),
    # a request on a reference record is its author's and the secretariat's only
    "approve reference request":      (approve_reference,        (404, 404, 404, 404, 200, 403)),
    "reject reference request":       (reject_reference,         (404, 404, 404, 404, 200, 403)),
    "cancel reference request":       (cancel_reference,         (404, 404, 404, 404, 200, 200)),
}

CASES = [pytest.param(action, actor, expected, id=f"{action}-{actor}")
         for action, (_fn, statuses) in MATRIX.items()
         for actor, expected in zip(ACTORS, statuses, strict=True) if expected is not None]


@pytest.mark.parametrize(("action", "actor", "expected"), CASES)
def test_authorization_matrix(world: World, action: str, actor: str, expected: int) -> None:
    attempt = MATRIX[action][0]
    response = attempt(world, world.actors[actor])
    assert response.status_code == expected, f"{action} by {actor}: {response.status_code} {response.text}"
    if expected == 403:
        assert response.json()["code"] == "Error.Forbidden"
        assert response.json()["message"]


def test_refused_approval_changes_nothing(world: World) -> None:
    wf = national_request(world)
    assert world.actors["au_own"].approve(wf).status_code == 403
    state = ok(world.author.client.get(f"/api/v2013/workflows/{wf}"))
    assert state["state"] == "running"
    uid = state["data"]["identifier"]
    assert world.author.client.get(f"/api/v2013/documents/{uid}").status_code == 404  # not published


def test_other_government_cannot_read_drafts(world: World) -> None:
    doc = national_draft(world)
    uid = doc["header"]["identifier"]
    hidden = world.actors["au_other"].client.get(f"/api/v2013/documents/{uid}/versions/draft")
    unknown = world.actors["au_other"].client.get("/api/v2013/documents/NO-SUCH-RECORD-0001/versions/draft")
    assert hidden.status_code == unknown.status_code == 404  # the same answer: nothing learnt
    assert hidden.json() == unknown.json()
    assert world.actors["fp_own"].client.get(f"/api/v2013/documents/{uid}/versions/draft").status_code == 200


def test_moving_a_record_to_another_government_is_refused(world: World) -> None:
    doc = national_draft(world)
    doc["government"] = {"identifier": world.gov_b}
    response = world.author.put_draft(doc)
    assert response.status_code == 403
