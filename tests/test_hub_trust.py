"""Who may send what, what a refusal gives away, and what reaches the log. Real hub, real HTTP.

- A change carried for someone else (an outbox bundle's entry, sent by the person who imported it)
  names its author; the hub refuses a decision that is not the uploader's own and any change by
  someone who is not of the uploader's government, each entry with its own 403, the others applied.
- Another government's unpublished draft and its requests are not there for an outsider: the
  answer is the one an unknown identifier gets, and no refusal names a government.
- No draft's text reaches the hub's log when its database refuses the draft.
"""

from __future__ import annotations

import json
import logging
import re
import uuid

import httpx
import pytest
from sqlalchemy import text

from tests.support.hubkit import HubEnv, new_uid

AU, FP = "authorized-user", "focal-point"
AUTHOR = "X-FocalPoint-Author"


def _draft_path(uid: str) -> str:
    return f"/api/v2013/documents/{uid}/versions/draft"


def _op(method: str, path: str, body=None, **extra) -> dict:  # noqa: ANN001
    op = {"id": f"entry-{uuid.uuid4().hex}", "method": method, "path": path, **extra}
    if body is not None:
        op["body"] = body
    return op


def _batch(client: httpx.Client, *operations: dict) -> list[dict]:
    response = client.post("/api/v2013/focalpoint/batch", json={"operations": list(operations)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _running_request(env: HubEnv, gov: str) -> tuple[str, str]:
    author = env.user(AU, gov)
    doc = env.national(gov)
    assert author.put_draft(doc).status_code == 200
    uid = doc["header"]["identifier"]
    response = author.request_publication(uid)
    assert response.status_code == 201, response.text
    return uid, response.json()["_id"]


def test_a_decision_made_by_someone_else_is_refused_and_the_uploaders_own_goes_through(hub_env: HubEnv):
    gov = hub_env.government()
    uploader, colleague = hub_env.user(FP, gov), hub_env.user(FP, gov)
    uid, wf = _running_request(hub_env, gov)
    approve = f"/api/v2013/workflows/{wf}/activities/publishRecord"

    # the colleague's approval, carried on a stick and sent by the uploader: refused, nothing changes
    refused = _batch(uploader.client, _op("PUT", approve, {"action": "approve"}, author=colleague.email))
    assert refused[0]["status"] == 403 and refused[0]["body"]["code"] == "Error.ForeignAuthor"
    assert colleague.email in refused[0]["body"]["message"]
    assert uploader.client.get(f"/api/v2013/workflows/{wf}").json()["state"] == "running"
    assert uploader.client.get(f"/api/v2013/documents/{uid}").status_code == 404  # not published

    # the same as a single request with the header
    single = uploader.client.put(approve, json={"action": "reject", "reason": "no"},
                                 headers={AUTHOR: colleague.email})
    assert single.status_code == 403 and single.json()["code"] == "Error.ForeignAuthor"
    assert uploader.client.get(f"/api/v2013/workflows/{wf}").json()["state"] == "running"

    # the uploader's own decision, named as such, goes through
    own = _batch(uploader.client, _op("PUT", approve, {"action": "approve"}, headers={AUTHOR: uploader.email}))
    assert own[0]["status"] == 200, own
    assert uploader.client.get(f"/api/v2013/documents/{uid}").status_code == 200  # published


def test_a_deletion_request_by_someone_else_is_refused(hub_env: HubEnv):
    gov = hub_env.government()
    uploader, colleague, reviewer = hub_env.user(FP, gov), hub_env.user(AU, gov), hub_env.user(FP, gov)
    uid, wf = _running_request(hub_env, gov)
    assert reviewer.approve(wf).status_code == 200
    deletion = {"type": "deleteRecord", "data": {"identifier": uid}}
    results = _batch(uploader.client, _op("POST", "/api/v2013/workflows", deletion, author=colleague.email))
    assert results[0]["status"] == 403 and results[0]["body"]["code"] == "Error.ForeignAuthor"
    assert uploader.client.get(f"/api/v2013/documents/{uid}/versions/draft/locks").json() == []  # no request


def test_saves_by_an_author_of_another_government_are_refused_each_on_its_own(hub_env: HubEnv):
    gov, other_gov = hub_env.government(), hub_env.government()
    uploader, colleague = hub_env.user(AU, gov), hub_env.user(AU, gov)
    foreigner = hub_env.user(AU, other_gov)
    foreign_doc, colleague_doc, stranger_doc = (hub_env.national(gov) for _ in range(3))

    def save(doc: dict, author: str) -> dict:
        uid = doc["header"]["identifier"]
        return _op("PUT", f"{_draft_path(uid)}?schema={doc['header']['schema']}", doc, author=author)

    results = _batch(uploader.client, save(foreign_doc, foreigner.email), save(colleague_doc, colleague.email),
                     save(stranger_doc, "nobody-here@example.org"))
    assert [r["status"] for r in results] == [403, 200, 403], results
    assert results[0]["body"]["code"] == results[2]["body"]["code"] == "Error.ForeignAuthor"
    for doc, status in ((foreign_doc, 404), (colleague_doc, 200), (stranger_doc, 404)):
        uid = doc["header"]["identifier"]
        assert uploader.client.get(_draft_path(uid)).status_code == status


# ---------------------------------------------------------------------- no existence oracle


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.json()) == (b.status_code, b.json()), (a.text, b.text)


def _names_a_government(response: httpx.Response, gov: str) -> bool:
    return re.search(rf"\b{re.escape(gov)}\b", response.json().get("message", ""), re.IGNORECASE) is not None


def test_another_governments_draft_answers_as_an_unknown_identifier(hub_env: HubEnv):
    gov, other_gov = hub_env.government(), hub_env.government()
    uid, wf = _running_request(hub_env, gov)
    outsider = hub_env.user(FP, other_gov).client
    unknown_uid, unknown_wf = new_uid(), uuid.uuid4().hex
    lock = f"workflow-{wf}"

    def both(method: str, path_of, **kwargs) -> None:  # noqa: ANN001
        _same(outsider.request(method, path_of(uid, wf), **kwargs),
              outsider.request(method, path_of(unknown_uid, unknown_wf), **kwargs))

    _same(outsider.post("/api/v2013/workflows", json={"type": "publishNationalRecord", "data": {"identifier": uid}}),
          outsider.post("/api/v2013/workflows",
                        json={"type": "publishNationalRecord", "data": {"identifier": unknown_uid}}))
    both("PUT", lambda u, w: f"/api/v2013/workflows/{w}/activities/publishRecord", json={"action": "approve"})
    both("PUT", lambda u, w: f"/api/v2013/workflows/{w}/activities/publishRecord",
         json={"action": "reject", "reason": "no"})
    both("DELETE", lambda u, w: f"/api/v2013/workflows/{w}", params={"action": "cancel"})
    both("GET", lambda u, w: f"/api/v2013/workflows/{w}")
    both("PUT", lambda u, w: f"/api/v2013/documents/{u}/versions/draft/locks/workflow-{w}")
    both("DELETE", lambda u, w: f"/api/v2013/documents/{u}/versions/draft/locks/workflow-{w}")
    both("GET", lambda u, w: f"/api/v2013/documents/{u}/versions/draft/locks")
    both("GET", lambda u, w: f"/api/v2013/documents/{u}/versions/draft/locks/workflow-{w}")
    both("GET", lambda u, w: f"/api/v2013/focalpoint/documents/{u}/history")
    both("DELETE", lambda u, w: _draft_path(u))
    both("GET", lambda u, w: _draft_path(u))
    both("PUT", lambda u, w: _draft_path(u), content=b'{"title": {"en": "patched"}}',
         headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'})
    assert outsider.put(f"/api/v2013/documents/{uid}/versions/draft/locks/{lock}").status_code == 404

    # a save over it cannot succeed; its refusal names no government
    doc = hub_env.national(other_gov, uid=uid)
    refused = outsider.put(_draft_path(uid), params={"schema": doc["header"]["schema"]}, json=doc)
    assert refused.status_code == 403
    assert not _names_a_government(refused, gov) and not _names_a_government(refused, other_gov)


def test_refusals_on_a_published_record_name_no_government(hub_env: HubEnv):
    gov, other_gov = hub_env.government(), hub_env.government()
    uid, wf = _running_request(hub_env, gov)
    assert hub_env.user(FP, gov).approve(wf).status_code == 200
    outsider = hub_env.user(FP, other_gov).client
    assert outsider.get(f"/api/v2013/documents/{uid}").status_code == 200  # public, as on the CHM
    refusals = [outsider.post("/api/v2013/workflows", json={"type": "deleteRecord", "data": {"identifier": uid}}),
                outsider.put(_draft_path(uid), params={"schema": "capacityNeedsAssessment"},
                             json=hub_env.national(gov, uid=uid))]
    for refused in refusals:
        assert refused.status_code == 403, refused.text
        assert not _names_a_government(refused, gov), refused.text


# ---------------------------------------------------------------------- no document in the log


@pytest.fixture
def own_hub(tmp_path):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path) as hub:
        hub.add_user("a@ws.org", "trust-pw", AU, "ws")
        yield hub


def test_a_database_error_quoting_the_draft_logs_no_part_of_it(own_hub, caplog):
    from tests.support.hubkit import make_document

    token = own_hub.login("a@ws.org", "trust-pw")
    with own_hub.hub.db.plain_write() as session:  # a database whose error message quotes the data it refused
        session.execute(text("CREATE TRIGGER quoting BEFORE UPDATE OF draft_body ON hub_record "
                             "BEGIN SELECT json_extract('{}', NEW.draft_body); END"))
        session.execute(text("CREATE TRIGGER quoting_insert BEFORE INSERT ON hub_record "
                             "BEGIN SELECT json_extract('{}', NEW.draft_body); END"))
    doc = make_document("capacityNeedsAssessment", new_uid(), "ws")
    rest = {k: v for k, v in doc.items() if k not in ("header", "title")}
    doc = {"header": doc["header"], "title": {"en": "SECRET-7f3a it's private"}, **rest}  # early in the text
    with caplog.at_level(logging.DEBUG):
        response = httpx.put(f"{own_hub.url}{_draft_path(doc['header']['identifier'])}",
                             params={"schema": doc["header"]["schema"]}, json=doc,
                             headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert response.status_code == 500, response.text
    assert "SECRET-7f3a" not in response.text
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") + str(r.exc_text or "") for r in caplog.records)
    assert "JSON path error" in logged  # what failed is still told
    assert "SECRET-7f3a" not in logged and "private" not in logged


def test_an_invalid_request_with_a_draft_logs_no_part_of_it(own_hub, caplog):
    from tests.support.hubkit import make_document

    token = own_hub.login("a@ws.org", "trust-pw")
    doc = make_document("capacityNeedsAssessment", new_uid(), "ws", title={"en": "SECRET-91bc"})
    with caplog.at_level(logging.DEBUG):
        for params in ({"schema": "capacityNeedsAssessment", "x": "1"}, {"schema": "not a schema!"}):
            response = httpx.put(f"{own_hub.url}/api/v2013/documents/bad%20id/versions/draft", params=params,
                                 json=doc, headers={"Authorization": f"Ticket {token}"}, timeout=30)
            assert response.status_code == 400
            assert "SECRET-91bc" not in response.text
        listing = httpx.get(f"{own_hub.url}/api/v2013/documents", params={"$top": "SECRET-91bc"},
                            headers={"Authorization": f"Ticket {token}"}, timeout=30)
        assert listing.status_code == 400 and "SECRET-91bc" not in listing.text
    hub_records = [r for r in caplog.records if r.name.startswith(("focalpoint", "uvicorn", "sqlalchemy"))]
    assert all("SECRET-91bc" not in r.getMessage() for r in hub_records)  # (the test's own client logs its URLs)


def test_nul_characters_are_refused_or_stored_never_a_server_error(hub_env: HubEnv):
    gov = hub_env.government()
    user = hub_env.user(AU, gov)
    doc = hub_env.national(gov, title={"en": "nul \u0000 inside"})
    saved = user.put_draft(doc)
    assert saved.status_code in (200, 400), saved.text  # SQLite stores it; PostgreSQL's JSON cannot
    other = hub_env.national(gov, title={"en": "nul \u0000 again"})
    uid, schema = other["header"]["identifier"], other["header"]["schema"]
    fine = hub_env.national(gov)
    results = _batch(user.client, _op("PUT", f"{_draft_path(uid)}?schema={schema}", other),
                     _op("PUT", f"{_draft_path(fine['header']['identifier'])}?schema={schema}", fine))
    assert results[0]["status"] in (200, 400) and results[1]["status"] == 200, results  # each on its own
    for path in ("/api/v2013/workflows/a\u0000b", "/api/v2016/bbi-requests/a\u0000b"):
        assert user.client.get(path.replace("\u0000", "%00")).status_code in (400, 404)
    assert user.client.get("/api/v2013/workflows", params={"q": '{"state": "a\\u0000b"}'}).status_code in (200, 400)
    assert user.client.get("/api/v2013/documents",
                           params={"$filter": "government eq 'a\u0000b'"}).status_code in (200, 400)


@pytest.mark.parametrize("params", [{"$skip": str(10 ** 22)}, {"q": json.dumps({"createdBy": 10 ** 22})}])
def test_numbers_past_the_databases_range_are_refused_not_a_server_error(hub_env: HubEnv, params):
    user = hub_env.user(AU, hub_env.government())
    response = user.client.get("/api/v2013/workflows", params=params)
    assert response.status_code == 400, response.text
    assert user.client.get("/api/v2013/workflows").status_code == 200
