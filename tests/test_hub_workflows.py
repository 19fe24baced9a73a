"""Publication on the hub: the lock, the exact revision, rejection, cancellation, history."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.hubkit import Actor, HubEnv, validation_errors


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def team(hub_env: HubEnv) -> tuple[HubEnv, str, Actor, Actor]:
    gov = hub_env.government()
    return hub_env, gov, hub_env.user("authorized-user", gov), hub_env.user("focal-point", gov)


def test_approval_publishes_the_reviewed_revision(team) -> None:
    env, gov, author, focal_point = team
    doc = env.national(gov, title={"en": "First words", "fr": "Premiers mots"})
    uid = doc["header"]["identifier"]
    assert ok(author.put_draft(doc))["revision"] == 1
    doc["title"] = {"en": "Reviewed words", "fr": "Mots relus"}
    assert ok(author.put_draft(doc, **{"If-Match": "1"}))["revision"] == 2
    wf = ok(author.request_publication(uid, revision=2), 201)
    assert wf["data"]["revision"] == 2 and wf["state"] == "running"

    result = ok(focal_point.approve(wf["_id"], revision=2))
    assert result["state"] == "completed"
    assert result["activities"][0]["result"]["action"] == "approve"

    published = ok(author.client.get(f"/api/v2013/documents/{uid}"))  # the raw document, as on the CHM
    assert published["title"] == {"en": "Reviewed words", "fr": "Mots relus"}
    info = ok(author.client.get(f"/api/v2013/documents/{uid}/info"))
    assert info["revision"] == 3 and "body" not in info  # a publication is a new revision of the record
    assert info["workingDocumentLock"] is None
    assert author.client.get(f"/api/v2013/documents/{uid}/versions/draft").status_code == 404

    history = ok(author.client.get(f"/api/v2013/focalpoint/documents/{uid}/history"))["entries"]
    assert [(e["action"], e["revision"]) for e in history] == [
        ("draftCreated", 1), ("draftSaved", 2), ("publicationRequested", 2), ("approved", 2), ("published", 3)]
    assert history[3]["by"]["email"] == focal_point.email
    assert history[0]["by"]["email"] == author.email
    assert all(e["on"].endswith("Z") for e in history)


def test_a_draft_under_review_is_locked(team) -> None:
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    wf = ok(author.request_publication(uid), 201)["_id"]
    draft = ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))
    assert draft["workingDocumentLock"]["workflowId"] == wf

    doc["title"] = {"en": "Sneaky change", "fr": "Changement discret"}
    response = author.put_draft(doc)
    assert response.status_code == 423, response.text
    assert response.json()["code"] == "Error.Locked" and response.json()["workflowId"] == wf
    assert author.client.delete(f"/api/v2013/documents/{uid}/versions/draft").status_code == 423
    second = author.request_publication(uid)
    assert second.status_code == 423
    # the draft under review is still the one requested
    assert ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))["revision"] == 1


def test_the_reviewing_authority_may_edit_then_approve(team) -> None:
    """As the central CHM allows a publishing authority: correct the draft under review, then approve
    exactly the corrected revision (the one requested is now stale)."""
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    wf = ok(author.request_publication(uid), 201)["_id"]
    doc["title"] = {"en": "Corrected by the focal point", "fr": "Corrigé par le correspondant"}
    # a save that does not say it corrects this request is refused, as on the CHM (an edit made
    # before the request arrived never changes the version under review)
    assert focal_point.put_draft(doc).status_code == 423
    edited = ok(focal_point.put_draft(doc, **{"X-FocalPoint-Review": wf}))
    assert edited["revision"] == 2 and edited["workingDocumentLock"]["workflowId"] == wf
    stale = focal_point.client.put(f"/api/v2013/workflows/{wf}/activities/publishRecord",
                                   json={"action": "approve", "revision": 1})
    assert stale.status_code == 409, stale.text
    ok(focal_point.client.put(f"/api/v2013/workflows/{wf}/activities/publishRecord",
                              json={"action": "approve", "revision": 2}))
    published = ok(author.client.get(f"/api/v2013/documents/{uid}"))
    assert published["title"]["en"] == "Corrected by the focal point"
    history = ok(author.client.get(f"/api/v2013/focalpoint/documents/{uid}/history"))["entries"]
    assert [(e["action"], e["revision"]) for e in history] == [
        ("draftCreated", 1), ("publicationRequested", 1), ("draftEditedInReview", 2), ("approved", 2),
        ("published", 3)]
    assert history[2]["by"]["email"] == focal_point.email


def test_approval_naming_another_revision_is_refused(team) -> None:
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    ok(author.put_draft(doc))
    wf = ok(author.request_publication(uid), 201)["_id"]
    stale = focal_point.approve(wf, revision=1)
    assert stale.status_code == 409
    assert stale.json()["code"] == "Error.StaleRevision"
    assert stale.json()["current"]["revision"] == 2
    assert author.client.get(f"/api/v2013/documents/{uid}").status_code == 404
    assert ok(focal_point.approve(wf, revision=2))["state"] == "completed"


def test_request_for_a_stale_revision_is_refused(team) -> None:
    env, gov, author, _fp = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    ok(author.put_draft(doc))
    response = author.request_publication(uid, revision=1)
    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 2


def test_rejection_needs_a_reason_and_keeps_the_draft(team) -> None:
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    wf = ok(author.request_publication(uid), 201)["_id"]
    for reason in (None, "", "   "):
        response = focal_point.reject(wf, reason=reason)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "Error.ReasonRequired"
    rejected = ok(focal_point.reject(wf, reason="Add the 2025 budget figures."))
    assert rejected["state"] == "completed"
    assert rejected["activities"][0]["result"]["reason"] == "Add the 2025 budget figures."
    draft = ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))
    assert draft["workingDocumentLock"] is None and draft["revision"] == 1
    assert author.client.get(f"/api/v2013/documents/{uid}").status_code == 404
    ok(author.put_draft(doc))  # editable again
    assert focal_point.approve(wf).json()["code"] == "Error.WorkflowClosed"
    history = ok(author.client.get(f"/api/v2013/focalpoint/documents/{uid}/history"))["entries"]
    assert {"action": "rejected", "reason": "Add the 2025 budget figures."}.items() <= history[2].items()


def test_approving_ones_own_request_is_refused(team) -> None:
    env, gov, _author, focal_point = team
    doc = env.national(gov)
    uid = doc["header"]["identifier"]
    ok(focal_point.put_draft(doc))
    wf = ok(focal_point.request_publication(uid), 201)["_id"]
    response = focal_point.approve(wf)
    assert response.status_code == 403
    assert "yourself" in response.json()["message"]
    other_fp = env.user("focal-point", gov)
    assert ok(other_fp.approve(wf))["state"] == "completed"


def test_cancel_unlocks_the_draft(team) -> None:
    env, gov, author, _fp = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    wf = ok(author.request_publication(uid), 201)["_id"]
    assert ok(author.cancel(wf))["state"] == "cancelled"
    assert ok(author.put_draft(doc))["revision"] == 2
    assert author.cancel(wf).status_code == 409


def test_publication_needs_a_valid_document(team) -> None:
    env, gov, author, _fp = team
    doc = env.national(gov)
    del doc["title"]
    uid = doc["header"]["identifier"]
    ok(author.put_draft(doc))  # an incomplete draft may be saved
    assert {"code": "Error.Mandatory", "property": "title"} in validation_errors(author.request_publication(uid))


def test_deletion_workflow_removes_the_record(team) -> None:
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    ok(focal_point.approve(ok(author.request_publication(uid), 201)["_id"]))
    wf = ok(author.client.post("/api/v2013/workflows", json={"type": "deleteRecord", "data": {"identifier": uid}}),
            201)["_id"]
    ok(focal_point.approve(wf))
    assert author.client.get(f"/api/v2013/documents/{uid}").status_code == 404
    listed = ok(author.client.get("/api/v2013/documents", params={"$filter": f"identifier eq '{uid}'"}))
    assert listed["Count"] == 0


def test_deleting_a_published_record_that_has_a_newer_draft_removes_both(team) -> None:
    """The deletion is reviewed on the published version; the newer draft goes with it."""
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    ok(focal_point.approve(ok(author.request_publication(uid), 201)["_id"]))
    published = ok(author.client.get(f"/api/v2013/documents/{uid}/info"))["revision"]
    draft = ok(author.put_draft({**doc, "title": {"en": "A newer draft"}}))
    assert draft["revision"] > published
    wf = ok(author.client.post("/api/v2013/workflows", json={"type": "deleteRecord", "data": {"identifier": uid}}),
            201)
    assert wf["data"]["revision"] == published
    ok(focal_point.approve(wf["_id"]))
    assert author.client.get(f"/api/v2013/documents/{uid}").status_code == 404
    assert author.client.get(f"/api/v2013/documents/{uid}/versions/draft").status_code == 404


def test_reference_records_are_approved_by_the_secretariat(hub_env: HubEnv) -> None:
    gov = hub_env.government()
    author, secretariat = hub_env.user("authorized-user", gov), hub_env.user("secretariat")
    doc = hub_env.reference()
    uid = doc["header"]["identifier"]
    ok(author.put_draft(doc))
    wf = ok(author.request_publication(uid), 201)
    assert wf["type"] == "publishReferenceRecord" and wf["data"]["government"] is None
    ok(secretariat.approve(wf["_id"]))
    # published reference records are visible to everyone
    stranger = hub_env.user("authorized-user", hub_env.government())
    assert ok(stranger.client.get(f"/api/v2013/documents/{uid}"))["title"] == doc["title"]


def test_workflow_queries(team) -> None:
    env, gov, author, focal_point = team
    uids = []
    for _ in range(2):
        doc = env.national(gov)
        ok(author.put_draft(doc))
        uids.append(doc["header"]["identifier"])
    wf1 = ok(author.request_publication(uids[0]), 201)["_id"]
    ok(author.request_publication(uids[1]), 201)
    ok(focal_point.approve(wf1))
    import json

    running = ok(focal_point.client.get("/api/v2013/workflows", params={"q": json.dumps({"state": "running"})}))
    assert [w["data"]["identifier"] for w in running] == [uids[1]]
    one = ok(focal_point.client.get("/api/v2013/workflows", params={"q": json.dumps({"data.identifier": uids[0]})}))
    assert [w["_id"] for w in one] == [wf1]
    outsider = env.user("focal-point", env.government())
    assert ok(outsider.client.get("/api/v2013/workflows", params={"q": json.dumps({"state": "running"})})) == []
    bad = focal_point.client.get("/api/v2013/workflows", params={"q": "{not json"})
    assert bad.status_code == 400 and bad.json()["code"] == "Error.InvalidQuery"


def test_draft_locks_as_the_chm_edit_form_uses_them(team) -> None:
    """A request holds the draft's lock; its author may not lift it; the reviewing authority lifts it,
    saves, puts it back, and the request is still the one to decide (chm.cbd.int editFormUtility)."""
    env, gov, author, focal_point = team
    doc = author.saved_national()
    uid = doc["header"]["identifier"]
    assert ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/locks")) == []
    wf = ok(author.request_publication(uid), 201)["_id"]
    locks = ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/locks"))
    assert [lock["workflowId"] for lock in locks] == [wf]
    lock_path = f"/api/v2013/documents/{uid}/versions/draft/locks/{locks[0]['lockID']}"
    assert ok(author.client.get(lock_path))["lockID"] == locks[0]["lockID"]
    refused = author.client.delete(lock_path)
    assert refused.status_code == 403 and refused.json()["statusCode"] == 403
    ok(focal_point.client.delete(lock_path))
    assert ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))["workingDocumentLock"] is None
    doc["title"] = {"en": "Corrected", "fr": "Corrigé"}
    assert ok(focal_point.put_draft(doc))["revision"] == 2
    ok(focal_point.client.put(lock_path))
    info = ok(author.client.get(f"/api/v2013/documents/{uid}/versions/draft/info"))
    assert info["workingDocumentLock"]["workflowId"] == wf
    assert author.put_draft(doc).status_code == 423  # locked again for its author
    # {"action": "approve"} as real clients send it approves the corrected, locked version
    result = ok(focal_point.client.put(f"/api/v2013/workflows/{wf}/activities/publishRecord",
                                       json={"action": "approve"}))
    assert result["activities"][0]["result"]["revision"] == 2
    assert ok(author.client.get(f"/api/v2013/documents/{uid}"))["title"]["en"] == "Corrected"
    assert author.client.get(lock_path).status_code == 404
