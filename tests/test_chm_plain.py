"""FocalPoint against a server that speaks only the real CHM API: ``focalpoint-hub --plain-chm``.

The hub answers as api.cbd.int does (raw documents, infos at ``.../info``, listings and draft
saves without body, the ``{statusCode, code, message}`` envelope, the CHM's role names) and
advertises no extension, so the client's plain-API path runs for real over HTTP.
"""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from focalpoint.models import Workflow
from focalpoint.sync.conflicts import conflict_details, resolve_conflict
from tests.support.sync import (
    Station,
    national_record,
    seed_reference_records,
)

PASSWORD = "pw-plain"
API = "/api/v2013"


@pytest.fixture(scope="module")
def plain_hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("plain-hub"), plain_chm=True) as running:
        running.add_user("seed@example.org", PASSWORD, "ChmNrNationalAuthorizedUser", "ws")
        seed_reference_records(running.url, running.login("seed@example.org", PASSWORD))
        yield running


_GOVERNMENTS = iter(["fj", "to", "vu", "ki", "tv", "nr", "pw", "mh", "fm", "sb"])


@pytest.fixture
def team(plain_hub, tmp_path):
    """Two authorized users of a fresh government (two data folders) and its focal point's folder."""
    gov = next(_GOVERNMENTS)
    for name, role in (("ana", "ChmNrNationalAuthorizedUser"), ("ben", "ChmNrNationalAuthorizedUser"),
                       ("nfp", "ChmNrNationalFocalPoint")):
        plain_hub.add_user(f"{name}@{gov}.org", PASSWORD, role, gov)
    stations = [Station(tmp_path / name, plain_hub.url, f"{name}@{gov}.org", PASSWORD)
                for name in ("ana", "ben", "nfp")]
    for station in stations:
        station.gov = gov
    yield stations
    for station in stations:
        station.close()


def _client(hub, email: str) -> httpx.Client:
    token = hub.login(email, PASSWORD)
    return httpx.Client(base_url=hub.url, headers={"Authorization": f"Ticket {token}", "Realm": "CHM"},
                        timeout=30)


def test_the_hub_answers_in_the_real_chm_shapes(plain_hub, team):
    ana = team[0]
    doc = national_record(ana.gov, "Shapes")
    uid = doc["header"]["identifier"]
    with _client(plain_hub, f"ana@{ana.gov}.org") as client:
        # no extension at all
        for path in ("/focalpoint/capabilities", "/focalpoint/changes", "/focalpoint/bundle"):
            missing = client.get(API + path)
            assert missing.status_code == 404
            assert missing.json() == {"statusCode": 404, "code": "Error.NotFound", "message": "Not Found"}
        assert client.post(API + "/focalpoint/batch", json={"operations": []}).status_code == 404
        # a draft save answers the info, without the document
        saved = client.put(f"{API}/documents/{uid}/versions/draft", json=doc,
                           headers={"Idempotency-Key": "k-1", "If-Match": "41"})  # both ignored
        assert saved.status_code == 200, saved.text
        info = saved.json()
        assert "body" not in info and info["identifier"] == uid and info["revision"] == 1
        assert info["workingDocumentTitle"] == doc["title"] and info["workingDocumentLock"] is None
        assert info["metadata"]["government"] == ana.gov and info["realm"] == "CHM"
        # the same key again is no replay on the real API: a second save, a new revision
        again = client.put(f"{API}/documents/{uid}/versions/draft", json=doc, headers={"Idempotency-Key": "k-1"})
        assert again.json()["revision"] == 2 and "idempotent-replay" not in again.headers
        # GET .../versions/draft is the raw document; its info is beside it
        assert client.get(f"{API}/documents/{uid}/versions/draft").json() == doc
        draft_info = client.get(f"{API}/documents/{uid}/versions/draft/info").json()
        assert draft_info["revision"] == 2 and draft_info["isDraft"] is True and "body" not in draft_info
        # a listing carries infos without body
        listing = client.get(f"{API}/documents", params={"collection": "mydraft",
                                                         "$filter": f"identifier eq '{uid}'"}).json()
        assert listing["Count"] == 1 and "body" not in listing["Items"][0]
        # never published: the published routes say so in the CHM's envelope
        for path in (f"{API}/documents/{uid}", f"{API}/documents/{uid}/info"):
            gone = client.get(path)
            assert gone.status_code == 404
            assert set(gone.json()) == {"statusCode", "code", "message"} and gone.json()["statusCode"] == 404
        assert client.get(f"{API}/documents/{uid}/versions/draft/locks").json() == []


def test_the_client_sends_its_realm_on_every_request(plain_hub, tmp_path):
    plain_hub.add_user("dev@ki.org", PASSWORD, "ChmNrNationalAuthorizedUser", "ki")
    seen: list[tuple[str, str | None]] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((request.url.path, request.headers.get("Realm")))
            return super().handle_request(request)

    station = Station(tmp_path / "dev", plain_hub.url, "dev@ki.org", PASSWORD, transport=Recording())
    try:
        station.client.realm = "CHM-DEV"
        uid = station.store.save(national_record("ki", "Realm")).identifier
        report = station.sync()
        assert report.ok, report.error
        assert seen and all(realm == "CHM-DEV" for _path, realm in seen), seen
        with _client(plain_hub, "dev@ki.org") as client:
            assert client.get(f"{API}/documents/{uid}/versions/draft/info").json()["realm"] == "CHM-DEV"
    finally:
        station.close()


def test_two_folders_converge_through_a_plain_chm(team):
    ana, ben, _nfp = team
    views = [ana.store.save(national_record(ana.gov, f"Plain {i}")) for i in range(3)]
    report = ana.sync()
    assert report.ok, report.error
    assert ben.sync().ok and ben.store.count() == 3
    first, second, third = (v.identifier for v in views)
    # edits of different fields on both sides merge by themselves
    ben.edit_text(first, "summary", "fr", "Résumé de Ben")
    assert ben.sync().ok
    ana.edit_text(first, "title", "en", "Plain 0, renamed")
    report = ana.sync()
    assert report.ok, report.error
    assert first in report.merged
    assert ana.document(first)["summary"]["fr"] == "Résumé de Ben"
    assert ana.document(first)["title"]["en"] == "Plain 0, renamed"
    # the same field on both sides is a conflict, never a silent overwrite
    ben.edit_text(second, "title", "en", "Ben's title")
    assert ben.sync().ok
    ana.edit_text(second, "title", "en", "Ana's title")
    report = ana.sync()
    assert report.ok and second in report.conflicts
    assert [d.path for d in conflict_details(ana.db, second)] == ["title.en"]
    resolve_conflict(ana.db, second, {"title.en": "mine"})
    assert ana.sync().ok
    # a deletion travels too
    ana.store.delete(third, confirmed_twice=True)
    assert ana.sync().ok
    assert ben.sync().ok
    assert ben.record(third).deleted
    # both folders hold the same records, at the same revisions, nothing queued
    assert ben.sync().ok and ana.sync().ok
    for ident in (first, second):
        assert ana.document(ident) == ben.document(ident)
        assert ana.record(ident).server_revision == ben.record(ident).server_revision
        assert ana.record(ident).sync_state == ben.record(ident).sync_state == "synced"
    assert ben.document(second)["title"]["en"] == "Ana's title"
    assert not ana.store.pending_outbox() and not ben.store.pending_outbox()


def test_review_with_the_real_role_names(plain_hub, team):
    from focalpoint import review

    ana, _ben, nfp = team
    ident = ana.store.save(national_record(ana.gov, "Ready for the CHM")).identifier
    assert ana.sync().ok
    review.request_publication(ana.db, ident, actor=f"ana@{ana.gov}.org")
    report = ana.sync()
    assert report.ok, report.error
    assert ana.record(ident).status == "submitted"
    with _client(plain_hub, f"nfp@{ana.gov}.org") as client:
        # the request as real clients build it, listed as they query it
        pending = client.get(f"{API}/workflows", params={"q": json.dumps(
            {"state": "running", "data.realm": "CHM", "data.metadata.government": ana.gov})}).json()
        assert [w["data"]["identifier"] for w in pending] == [ident]
        assert pending[0]["type"] == "publishNationalRecord" and pending[0]["version"] == "0.4"
        assert client.get(f"{API}/documents/{ident}/versions/draft/locks").json()[0]["lockID"]
    # the focal point (ChmNrNationalFocalPoint) sees it in the review queue and approves it
    assert nfp.sync().ok
    queue = review.review_queue(nfp.db)
    assert [item.identifier for item in queue] == [ident]
    review.approve(nfp.db, ident, actor=f"nfp@{ana.gov}.org")
    report = nfp.sync()
    assert report.ok, report.error
    assert not review.review_queue(nfp.db)
    # the author learns it is published
    assert ana.sync().ok
    assert ana.record(ident).status == "published"
    with ana.db.session() as session:
        flows = session.query(Workflow).filter_by(record_identifier=ident).all()
    assert [f.state for f in flows] == ["approved"]
    # an authorized user may not decide: the role names are enforced by the hub
    with _client(plain_hub, f"ana@{ana.gov}.org") as client:
        doc = national_record(ana.gov, "Second")
        uid = doc["header"]["identifier"]
        assert client.put(f"{API}/documents/{uid}/versions/draft", json=doc).status_code == 200
        wf = client.post(f"{API}/workflows", json={"type": "publishNationalRecord", "version": "0.4", "data": {
            "realm": "CHM", "identifier": uid, "title": doc["title"], "abstract": None,
            "metadata": {"government": ana.gov}}})
        assert wf.status_code == 201, wf.text
        refused = client.put(f"{API}/workflows/{wf.json()['_id']}/activities/publishRecord", json={"action": "approve"})
        assert refused.status_code == 403 and refused.json()["statusCode"] == 403


def test_a_reviewer_corrects_a_locked_draft_through_its_lock(plain_hub, team):
    from focalpoint import review

    ana, _ben, nfp = team
    ident = ana.store.save(national_record(ana.gov, "To be corrected")).identifier
    assert ana.sync().ok
    review.request_publication(ana.db, ident, actor=f"ana@{ana.gov}.org")
    assert ana.sync().ok
    assert nfp.sync().ok
    corrected = copy.deepcopy(nfp.document(ident))
    corrected["title"]["en"] = "Corrected by the focal point"
    review.save_review_edit(nfp.db, ident, corrected, actor=f"nfp@{ana.gov}.org")
    review.approve(nfp.db, ident, actor=f"nfp@{ana.gov}.org")
    report = nfp.sync()
    assert report.ok, report.error
    assert ana.sync().ok
    assert ana.record(ident).status == "published"
    assert ana.document(ident)["title"]["en"] == "Corrected by the focal point"
    with _client(plain_hub, f"ana@{ana.gov}.org") as client:
        assert client.get(f"{API}/documents/{ident}").json()["title"]["en"] == "Corrected by the focal point"
    from focalpoint.hub.models import AuditEntry

    with plain_hub.hub.db.read() as session:
        actions = [e.action for e in session.query(AuditEntry).filter_by(identifier=ident).order_by(AuditEntry.id)]
    # as the CHM's own edit form does: lift the lock, save, (lock again), approve
    assert "unlocked" in actions, actions
    assert actions[actions.index("unlocked"):] == ["unlocked", "draftSaved", "approved", "published"], actions


def test_malformed_answers_and_the_error_envelope(plain_hub, team):
    """A raw document that is no document is refused with a clear message (nothing local changes);
    a refusal's ``message`` in the CHM's envelope reaches the person."""
    from tests.support.sync import FaultProxy, http_response

    ana, ben, _nfp = team
    ident = ana.store.save(national_record(ana.gov, "Malformed")).identifier
    assert ana.sync().ok
    with FaultProxy(plain_hub.url, rate=0.0) as proxy:
        proxy.rules.append(lambda method, path: http_response(200, b'{"title": {"en": "no header"}}')
                           if method == "GET" and path.endswith(f"/{ident}/versions/draft") else None)
        ben.use_client(proxy.url)
        report = ben.sync()
        assert report.error_kind == "malformed" and "cannot read" in report.error
        assert ben.store.get(ident) is None
        proxy.rules.clear()
        envelope = json.dumps({"statusCode": 403, "code": "Error.Forbidden",
                               "message": "ChmNrNationalAuthorizedUser may not edit this record"}).encode()
        proxy.rules.append(lambda method, path: http_response(403, envelope) if method == "PUT" else None)
        assert ben.sync().ok and ben.store.get(ident) is not None
        doc = copy.deepcopy(ben.document(ident))
        doc["title"]["en"] = "Refused"
        ben.store.save(doc)
        report = ben.sync()
        assert ident in report.errors
        assert "ChmNrNationalAuthorizedUser may not edit this record" in ben.record(ident).sync_error


def test_a_record_the_listing_leaves_out_is_not_taken_for_deleted(plain_hub, team):
    """Which versions the real CHM lists is not documented: a held record missing from the listing is
    deleted here only once its ``.../info`` says it is gone too."""
    from tests.support.sync import FaultProxy, http_response

    ana, ben, _nfp = team
    kept, gone = (ana.store.save(national_record(ana.gov, title)).identifier for title in ("Kept", "Gone"))
    assert ana.sync().ok and ben.sync().ok
    ana.store.delete(gone, confirmed_twice=True)
    assert ana.sync().ok
    token = ben.client.token

    def without_kept(method: str, path: str):  # noqa: ANN202
        if method != "GET" or not path.startswith(f"{API}/documents?"):
            return None
        real = httpx.get(plain_hub.url + path, headers={"Authorization": f"Ticket {token}"}).json()
        real["Items"] = [i for i in real["Items"] if i["identifier"] != kept]
        real["Count"] = len(real["Items"])
        return http_response(200, json.dumps(real).encode())

    with FaultProxy(plain_hub.url, rate=0.0) as proxy:
        proxy.rules.append(without_kept)
        ben.use_client(proxy.url)
        report = ben.sync()
        assert report.ok, report.error
    assert not ben.record(kept).deleted and ben.document(kept) == ana.document(kept)
    assert ben.record(gone).deleted


def test_focalpoint_records_stay_here_against_the_chm_and_go_to_a_focalpoint_hub(plain_hub, hub, team, tmp_path):
    """A needs assessment (FocalPoint's own type) is never sent to a server that does not advertise
    FocalPoint records: it stays queued with a word on it, while a national target goes; the same
    person's needs assessment reaches a FocalPoint hub."""
    from tests.support.sync import needs_assessment

    ana = team[0]
    needs = ana.store.save(needs_assessment(ana.gov, "Our needs")).identifier
    target = ana.store.save(national_record(ana.gov, "Our target")).identifier
    report = ana.sync()
    assert report.ok, report.error
    assert report.pushed == 1 and needs not in report.errors
    record = ana.record(needs)
    assert record.sync_state == "queued" and record.server_revision is None
    assert "does not take FocalPoint's own record types" in record.sync_error
    with _client(plain_hub, f"ana@{ana.gov}.org") as client:
        assert client.get(f"{API}/documents/{needs}/versions/draft/info").status_code == 404
        assert client.get(f"{API}/documents/{target}/versions/draft/info").status_code == 200
    assert ana.sync().ok and ana.record(needs).server_revision is None  # still here, nothing refused

    hub.add_user(f"ana@{ana.gov}.fp.org", PASSWORD, "authorized-user", ana.gov)
    full = Station(tmp_path / "full", hub.url, f"ana@{ana.gov}.fp.org", PASSWORD)
    try:
        full.store.save(needs_assessment(ana.gov, "Needs for the FocalPoint hub"))
        report = full.sync()
        assert report.ok and report.pushed == 1, report.error
    finally:
        full.close()


def test_a_referenced_record_not_on_this_computer_is_fetched_by_the_sync(plain_hub, team, tmp_path):
    """Someone of another government drafts a record that names a published national target of
    this one (``UID@revision``): it is kept as it is, and the next sync brings the target here."""
    from focalpoint import review

    ana, _ben, nfp = team
    target = ana.store.save(national_record(ana.gov, "Mangroves by 2030")).identifier
    assert ana.sync().ok
    review.request_publication(ana.db, target, actor=f"ana@{ana.gov}.org")
    assert ana.sync().ok and nfp.sync().ok
    review.approve(nfp.db, target, actor=f"nfp@{ana.gov}.org")
    assert nfp.sync().ok
    published = ana.sync() and ana.record(target).server_revision

    other_gov = "ck" if ana.gov != "ck" else "nu"
    plain_hub.add_user(f"eve@{other_gov}.org", PASSWORD, "ChmNrNationalAuthorizedUser", other_gov)
    eve = Station(tmp_path / "eve", plain_hub.url, f"eve@{other_gov}.org", PASSWORD)
    try:
        draft = national_record(other_gov, "Regional mangrove target")
        draft["linkedTargets"] = [{"identifier": f"{target}@{published}"}]
        eve.store.save(draft)
        assert eve.record(target) is None
        report = eve.sync()
        assert report.ok, report.error
        fetched = eve.record(target)
        assert fetched is not None and fetched.status == "published"
        assert fetched.document["title"]["en"] == "Mangroves by 2030"
        assert eve.document(draft["header"]["identifier"])["linkedTargets"] == draft["linkedTargets"]
        # a reference the server does not have is asked for once, then left alone for a week
        missing = national_record(other_gov, "Names a record nobody has")
        missing["linkedTargets"] = [{"identifier": "0D0E0A0D-0000-4000-8000-000000000000@1"}]
        eve.store.save(missing)
        from focalpoint.sync.references import missing_references

        assert missing_references(eve.db, now=eve.engine.clock()) == ["0D0E0A0D-0000-4000-8000-000000000000"]
        assert eve.sync().ok
        assert missing_references(eve.db, now=eve.engine.clock()) == []
        assert eve.document(missing["header"]["identifier"])["linkedTargets"] == missing["linkedTargets"]
    finally:
        eve.close()
