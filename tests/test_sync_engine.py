"""Two real data folders sync through a real hub on loopback: converge, merge, conflict, resolve."""

from __future__ import annotations

import copy
import threading

import httpx
import pytest

from focalpoint.models import AuditEvent, OutboxEntry, Workflow
from focalpoint.sync.conflicts import conflict_details, resolve_conflict
from focalpoint.sync.outbox import discard_failed, retry_record
from focalpoint.sync.pull import read_checkpoint
from focalpoint.sync.status import sync_status
from tests.support.sync import Office, Station, government_codes, needs_assessment

PASSWORD = "correct horse"


_governments = iter(government_codes())


def _government() -> str:
    """A fresh government per test, so tests on one hub do not see each other's records."""
    return next(_governments)


@pytest.fixture
def office(hub, tmp_path):
    """A government with Ana and Ben; the computers made are closed at the end."""
    with Office(hub, tmp_path, _government(), PASSWORD, accounts=("ana", "ben")) as group:
        yield group


@pytest.fixture
def pair(office):
    """Ana's and Ben's computers."""
    return office.station("a", user="ana"), office.station("b", user="ben")


def _seven_records_then_a_new_computer(pair, office, name: str) -> Station:  # noqa: ANN001
    """Ana sends seven records; Ben's new computer (folder ``name``) will pull them three a page."""
    a, _b = pair
    for i in range(7):
        a.store.save(needs_assessment(a.gov, f"{name} {i}"))
    assert a.sync().ok
    return office.station(name, user="ben", page_size=3)


def _entries(station: Station) -> list[OutboxEntry]:
    with station.db.session() as session:
        return list(session.query(OutboxEntry).order_by(OutboxEntry.seq))


def _audits(station: Station, identifier: str, action: str) -> list[AuditEvent]:
    with station.db.session() as session:
        return list(session.query(AuditEvent).filter_by(record_identifier=identifier, action=action))


def test_offline_edits_on_two_machines_converge(pair):
    a, b = pair
    first = a.store.save(needs_assessment(a.gov, "Marine planning"))
    second = b.store.save(needs_assessment(b.gov, "Forest inventory"))
    assert a.record(first.identifier).sync_state == "queued"
    report = a.sync()
    assert report.ok, report.error
    assert report.pushed == 1
    assert b.sync().ok
    assert a.sync().ok
    for station in (a, b):
        assert station.store.count() == 2
        assert _entries(station) == []
        for ident in (first.identifier, second.identifier):
            rec = station.record(ident)
            assert rec.sync_state == "synced", (ident, rec.sync_state, rec.sync_error)
            assert rec.server_revision == 1
    assert a.document(second.identifier) == b.document(second.identifier)
    assert a.document(first.identifier)["title"]["en"] == "Marine planning"


def test_edits_to_different_fields_merge_and_say_so(pair):
    a, b = pair
    doc = a.store.save(needs_assessment(a.gov, "Wetlands")).document
    assert a.sync().ok and b.sync().ok
    ident = doc["header"]["identifier"]
    mine = copy.deepcopy(doc)
    mine["title"]["en"] = "Wetlands of Samoa"
    theirs = copy.deepcopy(doc)
    theirs["summary"]["fr"] = "Résumé révisé"
    b.store.save(theirs)
    assert b.sync().ok
    a.store.save(mine)
    report = a.sync()
    assert report.ok, report.error
    assert ident in report.merged
    merged = a.document(ident)
    assert merged["title"]["en"] == "Wetlands of Samoa"
    assert merged["summary"]["fr"] == "Résumé révisé"
    assert a.record(ident).sync_state == "synced"
    events = _audits(a, ident, "merged")
    assert events and events[-1].details["fields"] == ["summary.fr"]
    assert b.sync().ok
    assert b.document(ident) == merged
    assert b.record(ident).server_revision == a.record(ident).server_revision == 3


def test_same_field_edit_becomes_a_conflict_the_person_resolves(pair):
    a, b = pair
    other = a.store.save(needs_assessment(a.gov, "Unrelated"))
    doc = a.store.save(needs_assessment(a.gov, "Coral reefs")).document
    ident = doc["header"]["identifier"]
    assert a.sync().ok and b.sync().ok
    theirs = copy.deepcopy(doc)
    theirs["title"]["en"] = "Coral reefs (Ben)"
    theirs["summary"]["en"] = "Ben's summary"
    b.store.save(theirs)
    assert b.sync().ok
    mine = copy.deepcopy(doc)
    mine["title"]["en"] = "Coral reefs (Ana)"
    mine["title"]["fr"] = "Récifs (Ana)"
    a.store.save(mine)
    unrelated = copy.deepcopy(other.document)
    unrelated["title"]["en"] = "Unrelated, edited"
    a.store.save(unrelated)
    report = a.sync()
    assert report.conflicts == [ident]
    rec = a.record(ident)
    assert rec.sync_state == "conflict"
    assert rec.conflict["fields"] == ["title.en"]
    assert rec.conflict["server_revision"] == 2
    assert rec.conflict["server"]["title"]["en"] == "Coral reefs (Ben)"
    assert "title.en" in rec.sync_error
    # the conflict blocks nothing else
    assert a.record(other.identifier).sync_state == "synced"
    assert a.record(other.identifier).server_revision == 2
    # the server copy was not overwritten
    assert b.sync().ok and b.document(ident)["title"]["en"] == "Coral reefs (Ben)"
    # a second sync changes nothing while the person has not decided
    assert a.sync().ok and a.record(ident).sync_state == "conflict"
    details = conflict_details(a.db, ident)
    assert [(d.path, d.mine, d.theirs) for d in details] == [
        ("title.en", "Coral reefs (Ana)", "Coral reefs (Ben)")]
    view = resolve_conflict(a.db, ident, {"title.en": "Coral reefs (Ana and Ben)"})
    assert view.sync_state == "queued"
    assert view.document["title"] == {"en": "Coral reefs (Ana and Ben)", "fr": "Récifs (Ana)"}
    assert view.document["summary"]["en"] == "Ben's summary"
    assert _audits(a, ident, "conflict_resolved")
    report = a.sync()
    assert report.ok, report.error
    assert a.record(ident).sync_state == "synced"
    assert a.record(ident).server_revision == 3
    assert b.sync().ok
    assert b.document(ident) == a.document(ident)
    assert sync_status(a.db)["conflicts"] == []


def test_resolve_requires_every_field(pair):
    from focalpoint.sync.errors import ConflictUnresolved

    a, b = pair
    doc = a.store.save(needs_assessment(a.gov, "Mangroves")).document
    ident = doc["header"]["identifier"]
    assert a.sync().ok and b.sync().ok
    for station, title, summary in ((b, "B", "b"), (a, "A", "a")):
        edit = copy.deepcopy(doc)
        edit["title"]["en"] = title
        edit["summary"]["en"] = summary
        station.store.save(edit)
    assert b.sync().ok
    assert a.sync().conflicts == [ident]
    with pytest.raises(ConflictUnresolved):
        resolve_conflict(a.db, ident, {"title.en": "mine"})
    resolve_conflict(a.db, ident, {"title.en": "mine", "summary.en": "theirs"})
    assert a.sync().ok
    assert b.sync().ok
    assert b.document(ident)["title"]["en"] == "A" and b.document(ident)["summary"]["en"] == "b"


def test_no_change_sync_is_one_small_request(pair):
    a, _b = pair
    a.store.save(needs_assessment(a.gov, "Once"))
    assert a.sync().ok
    report = a.sync()
    assert report.ok
    assert report.requests == 1
    assert report.bytes_sent + report.bytes_received < 2048
    assert report.pushed == report.pulled == 0


def test_failing_record_does_not_block_others_and_says_what_to_do(pair):
    a, _b = pair
    good = a.store.save(needs_assessment(a.gov, "Good"))
    bad_doc = needs_assessment(a.gov, "Bad")
    bad_doc["startDate"] = 12  # wrong type: refused even as a draft
    bad = a.store.save(bad_doc)
    later = a.store.save(needs_assessment(a.gov, "Later"))
    report = a.sync()
    assert bad.identifier in report.errors
    rec = a.record(bad.identifier)
    assert rec.sync_state == "error"
    # the field as the form names it, not its property name
    assert "Assessment period" in rec.sync_error and "startDate" not in rec.sync_error
    assert "Correct" in rec.sync_error
    for ident in (good.identifier, later.identifier):
        assert a.record(ident).sync_state == "synced"
    assert a.sleep.calls == []  # a refusal is not retried
    # editing the record supersedes the refused save
    fixed = copy.deepcopy(bad.document)
    fixed["startDate"] = "2025-01-01"
    a.store.save(fixed)
    assert a.sync().ok
    assert a.record(bad.identifier).sync_state == "synced"
    assert _entries(a) == []


def test_discard_and_retry_a_failed_change(pair):
    a, _b = pair
    doc = needs_assessment(a.gov, "To discard")
    doc["endDate"] = ["nope"]
    view = a.store.save(doc)
    a.sync()
    assert a.record(view.identifier).sync_state == "error"
    retry_record(a.db, view.identifier)
    assert a.record(view.identifier).sync_state == "queued"
    a.sync()
    assert a.record(view.identifier).sync_state == "error"
    assert discard_failed(a.db, view.identifier) == 1
    assert a.record(view.identifier).sync_state == "local"
    assert _entries(a) == []


def test_server_errors_are_retried_with_backoff(pair, hub):
    from tests.support.sync import FaultProxy

    a, _b = pair
    with FaultProxy(hub.url, rate=0.0) as proxy:
        station = Station(a.data_dir.parent / "c", proxy.url, f"ana@{a.gov}.org", PASSWORD, seed=3)
        try:
            assert station.sync().ok  # sign in, capabilities cached
            view = station.store.save(needs_assessment(a.gov, "Retried"))
            calls = iter(["error_after", "error_before", None])
            proxy.rules.append(lambda method, path: next(calls) if "batch" in path else None)
            report = station.sync()
            assert report.ok, report.error
            assert station.record(view.identifier).server_revision == 1
            assert len(station.sleep.calls) == 2
            assert station.sleep.calls[0] < station.sleep.calls[1] <= 10
            # exactly one record made despite the first attempt committing
            assert station.store.count() == 1
        finally:
            station.close()


def test_expired_token_signs_in_again_once(pair, hub):
    a, _b = pair
    assert a.sync().ok
    a.client.token = "expired-or-unknown"
    a.store.save(needs_assessment(a.gov, "After expiry"))
    report = a.sync()
    assert report.ok, report.error
    assert a.client.token != "expired-or-unknown"


def test_wrong_password_is_a_clear_error(hub, tmp_path):
    gov = _government()
    hub.add_user(f"zoe@{gov}.org", PASSWORD, "authorized-user", gov)
    station = Station(tmp_path / "z", hub.url, f"zoe@{gov}.org", "wrong")
    try:
        view = station.store.save(needs_assessment(gov, "Kept"))
        report = station.sync()
        assert report.error_kind == "auth"
        assert "password" in report.error
        assert station.record(view.identifier).sync_state == "queued"
        assert len(_entries(station)) == 1
    finally:
        station.close()


def test_cancel_between_requests_is_harmless(pair):
    a, b = pair
    views = [a.store.save(needs_assessment(a.gov, f"R{i}")) for i in range(5)]
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.phase == "sending" and p.records_done == 0:
            cancel.set()

    report = a.sync(progress=progress, cancel=cancel)
    assert report.cancelled
    assert all(a.record(v.identifier).sync_state == "queued" for v in views)
    assert len(_entries(a)) == 5
    assert a.sync().ok
    assert b.sync().ok
    assert b.store.count() == 5
    assert seen[0].phase == "connecting"


def test_progress_counts_records_and_bytes(pair):
    a, b = pair
    for i in range(3):
        a.store.save(needs_assessment(a.gov, f"P{i}"))
    assert a.sync().ok
    seen = []
    assert b.sync(progress=seen.append).ok
    receiving = [p for p in seen if p.phase == "receiving"]
    assert receiving and receiving[-1].records_done == 3
    assert receiving[-1].bytes_received > 0
    assert seen[-1].phase == "done"


def test_first_pull_is_paged_and_checkpointed(pair, office):
    station = _seven_records_then_a_new_computer(pair, office, "paged")
    report = station.sync()
    assert report.ok
    assert station.store.count() == 7
    assert report.requests >= 1 + 1 + 3  # token, capabilities, three pages
    with station.db.session() as session:
        assert read_checkpoint(session, station.client.base_url) > 0


def test_checkpoint_moves_only_after_the_page_is_committed(pair):
    a, b = pair
    views = [a.store.save(needs_assessment(a.gov, f"Commit {i}")) for i in range(3)]
    assert a.sync().ok
    assert b.sync().ok
    with b.db.session() as session:
        before = read_checkpoint(session, b.client.base_url)
    edit = copy.deepcopy(views[1].document)
    edit["title"]["en"] = "Changed on A"
    a.store.save(edit)
    assert a.sync().ok
    # a real failure while b applies the page: the database refuses the write
    with b.db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER fail_apply BEFORE UPDATE ON records "
                             "BEGIN SELECT RAISE(ABORT, 'simulated failure while applying'); END")
    report = b.sync()
    assert report.error_kind == "database" and "simulated failure" in report.error
    with b.db.session() as session:
        assert read_checkpoint(session, b.client.base_url) == before
    assert b.document(views[1].identifier)["title"]["en"] == "Commit 1"
    with b.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER fail_apply")
    assert b.sync().ok
    assert b.document(views[1].identifier)["title"]["en"] == "Changed on A"
    with b.db.session() as session:
        assert read_checkpoint(session, b.client.base_url) > before


def test_a_page_that_cannot_be_applied_stops_the_pull_while_the_next_is_fetched_ahead(pair, office):
    """The next page is asked for while one is applied: when the second page's write fails, the
    first stays applied with its checkpoint, nothing of the second or of the page fetched ahead is
    kept, and the next sync carries on from there."""
    station = _seven_records_then_a_new_computer(pair, office, "ahead")  # pages of 3, 3 and 1
    with station.db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER fail_second_page BEFORE INSERT ON records "
                             "WHEN (SELECT count(*) FROM records) >= 3 "
                             "BEGIN SELECT RAISE(ABORT, 'simulated failure on the second page'); END")
    report = station.sync()
    assert report.error_kind == "database" and "second page" in report.error
    assert station.store.count() == 3 and report.pulled == 3
    with station.db.session() as session:
        after_first = read_checkpoint(session, station.client.base_url)
    assert after_first > 0
    with station.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER fail_second_page")
    report = station.sync()
    assert report.ok, report.error
    assert station.store.count() == 7 and report.pulled == 4
    with station.db.session() as session:
        assert read_checkpoint(session, station.client.base_url) > after_first


def test_probe(hub):
    from focalpoint.sync.client import probe

    assert probe(hub.url)
    assert not probe("http://127.0.0.1:9", timeout=1)
    assert probe(hub.url, transport=httpx.HTTPTransport())


def test_publication_request_review_and_status(pair, hub, tmp_path):
    from tests.support.sync import publishable_assessment, seed_reference_records

    a, b = pair
    seed_reference_records(hub.url, hub.login(f"ana@{a.gov}.org", PASSWORD))
    hub.add_user(f"fp@{a.gov}.org", PASSWORD, "focal-point", a.gov)
    view = a.store.save(publishable_assessment(a.gov, "Ready for review"))
    ident = view.identifier
    with a.db.session() as session:
        a.store.queue_action(session, ident, "request_publication")
    report = a.sync()
    assert report.ok, report.error
    assert a.record(ident).status == "submitted", (report.to_json(), a.record(ident).sync_error)
    with a.db.session() as session:
        flows = list(session.query(Workflow).filter_by(record_identifier=ident))
    assert len(flows) == 1 and flows[0].state == "running" and flows[0].revision == 1
    # the focal point pulls, sees the request, approves the exact revision reviewed
    fp = Station(tmp_path / "fp", hub.url, f"fp@{a.gov}.org", PASSWORD)
    try:
        assert fp.sync().ok
        with fp.db.session() as session:
            wf = session.query(Workflow).filter_by(record_identifier=ident).one()
            assert wf.state == "running"
            fp.store.queue_action(session, ident, "approve", {"workflowId": wf.id, "revision": wf.revision})
        report = fp.sync()
        assert report.ok, report.error
        assert fp.record(ident).status == "published"
    finally:
        fp.close()
    assert a.sync().ok
    rec = a.record(ident)
    assert rec.status == "published" and rec.server_revision == 2 and rec.sync_state == "synced"
    with a.db.session() as session:
        flows = list(session.query(Workflow).filter_by(record_identifier=ident))
    assert len(flows) == 1 and flows[0].state == "approved"
    # editing a locked draft while under review waits, then goes once the review is over
    assert b.sync().ok
    assert b.record(ident).status == "published"


@pytest.mark.parametrize("server", ["plain CHM (no extension)", "extension without batch"])
def test_servers_with_fewer_extensions(pair, hub, server):
    import json as _json

    from tests.support.sync import FaultProxy, http_response, national_record

    a, b = pair
    if server.startswith("plain"):
        answer = http_response(404, b'{"code": "Error.NotFound"}')
    else:
        answer = http_response(200, _json.dumps({"protocol": 1, "maxBatch": 100, "extensions": [
            "changes", "idempotency", "preconditions"]}).encode())
    with FaultProxy(hub.url, rate=0.0) as proxy:
        proxy.rules.append(lambda method, path: answer if "capabilities" in path else None)
        c = Station(a.data_dir.parent / "c", proxy.url, f"ana@{a.gov}.org", PASSWORD)
        try:
            # a CHM record type: FocalPoint's own types go only to servers that advertise them
            views = [c.store.save(national_record(a.gov, f"Plain {i}")) for i in range(3)]
            assert c.sync().ok
            assert b.sync().ok and b.store.count() == 3
            ident = views[0].identifier
            b.edit_text(ident, "summary", "fr", "Résumé de Ben")
            assert b.sync().ok
            c.edit_text(ident, "title", "en", "Plain 0, renamed")
            report = c.sync()
            assert report.ok, report.error
            assert c.record(ident).sync_state == "synced"
            assert c.document(ident)["summary"]["fr"] == "Résumé de Ben"
            assert c.document(ident)["title"]["en"] == "Plain 0, renamed"
            assert b.sync().ok and b.document(ident) == c.document(ident)
            paths = {path.split("?")[0] for _m, path, _f in proxy.log}
            assert "/api/v2013/focalpoint/batch" not in paths
            if server.startswith("plain"):
                thesaurus = {p for p in paths if p.startswith("/api/v2013/thesaurus/domains/")}  # real routes too
                documents = set()
                for v in views:  # the real CHM's document routes: raw documents and their infos
                    base = f"/api/v2013/documents/{v.identifier}"
                    documents |= {base, base + "/info", base + "/versions/draft", base + "/versions/draft/info"}
                assert paths - {"/api/v2016/bbi-requests"} <= {
                    "/api/v2013/focalpoint/capabilities", "/api/v2013/authentication/token",
                    "/api/v2013/authentication/user", "/api/v2013/workflows",
                    "/api/v2013/documents"} | documents | thesaurus
        finally:
            c.close()


def test_sign_in_then_engine_for_database(hub, tmp_path):
    from focalpoint.db import open_database
    from focalpoint.review import current_account
    from focalpoint.sync.credentials import TokenStore
    from focalpoint.sync.engine import SyncEngine, sign_in
    from focalpoint.sync.errors import AuthenticationFailed
    from focalpoint.sync.session import NotConfigured

    gov = _government()
    hub.add_user(f"ui@{gov}.org", PASSWORD, "focal-point", gov)
    db = open_database(tmp_path / "ui")
    tokens = TokenStore(file_path=tmp_path / "tokens.json")
    try:
        with pytest.raises(NotConfigured):
            SyncEngine.for_database(db, tokens=tokens)
        with pytest.raises(AuthenticationFailed):
            sign_in(db, hub.url, f"ui@{gov}.org", "wrong", tokens=tokens)
        account = sign_in(db, hub.url, f"ui@{gov}.org", PASSWORD, tokens=tokens)
        assert account["government"] == gov and "focal-point" in account["roles"]
        with db.session() as session:
            assert current_account(session)["email"] == f"ui@{gov}.org"
        engine = SyncEngine.for_database(db, tokens=tokens)
        report = engine.sync()
        assert report.ok, report.error
        # capabilities (first time), the Bio-Bridge requests (first time), changes: no sign-in needed
        assert report.requests == 3
        engine.client.close()
    finally:
        db.close()


def test_forbidden_is_not_retried_and_says_what_to_do(pair):
    a, _b = pair
    elsewhere = a.store.save(needs_assessment("fr" if a.gov != "fr" else "de", "Another country's record"))
    mine = a.store.save(needs_assessment(a.gov, "Mine"))
    report = a.sync()
    assert list(report.errors) == [elsewhere.identifier]
    rec = a.record(elsewhere.identifier)
    assert rec.sync_state == "error" and "not allow" in rec.sync_error and "role" in rec.sync_error
    assert a.record(mine.identifier).sync_state == "synced"
    assert a.sleep.calls == []
    with a.db.session() as session:
        entry = session.query(OutboxEntry).one()
        assert entry.state == "failed" and entry.attempts == 1


def test_interrupted_first_pull_resumes_from_its_checkpoint(pair, office):
    station = _seven_records_then_a_new_computer(pair, office, "resume")
    cancel = threading.Event()

    def progress(p):
        if p.phase == "receiving" and p.records_done >= 3:
            cancel.set()  # the link drops after the first page

    report = station.sync(progress=progress, cancel=cancel)
    assert report.cancelled
    assert station.store.count() == 3
    with station.db.session() as session:
        assert read_checkpoint(session, station.client.base_url) > 0
    report = station.sync()
    assert report.ok
    assert report.pulled == 4  # only what the first pull had not stored
    assert report.requests == 2  # two more pages (3 + 1), no sign-in, no capabilities
    assert station.store.count() == 7


def test_backoff_grows_with_jitter_and_a_cap(tmp_path):
    from focalpoint.db import open_database
    from focalpoint.sync.client import HubClient
    from focalpoint.sync.engine import SyncEngine

    class Fixed:
        def __init__(self, value):
            self.value = value

        def random(self):
            return self.value

    db = open_database(tmp_path / "d")
    try:
        low = SyncEngine(db, HubClient("http://127.0.0.1:9"), rng=Fixed(0.0), backoff_base=1, backoff_cap=30)
        high = SyncEngine(db, HubClient("http://127.0.0.1:9"), rng=Fixed(0.999), backoff_base=1, backoff_cap=30)
        assert [low.backoff_delay(n) for n in (1, 2, 3, 4)] == [0.5, 1, 2, 4]
        assert [round(high.backoff_delay(n), 1) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
        assert low.backoff_delay(20) == 15 and round(high.backoff_delay(20)) == 30
        assert low.backoff_delay(1, retry_after=12) == 12
        assert low.backoff_delay(1, retry_after=3600) == 30
    finally:
        db.close()


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_edit_of_a_record_deleted_on_the_server_asks_the_person(pair, choice):
    a, b = pair
    view = a.store.save(needs_assessment(a.gov, "Deleted elsewhere"))
    assert a.sync().ok and b.sync().ok
    b.store.delete(view.identifier)
    assert b.sync().ok
    edit = copy.deepcopy(view.document)
    edit["title"]["en"] = "Still needed"
    a.store.save(edit)
    report = a.sync()
    assert report.conflicts == [view.identifier]
    rec = a.record(view.identifier)
    assert rec.conflict["fields"] == ["@deleted"] and rec.conflict["server"] is None
    assert "deleted" in rec.sync_error
    resolve_conflict(a.db, view.identifier, {"@deleted": choice})
    assert a.sync().ok
    assert b.sync().ok
    if choice == "mine":
        assert a.record(view.identifier).sync_state == "synced"
        assert b.document(view.identifier)["title"]["en"] == "Still needed"
        assert not b.record(view.identifier).deleted
    else:
        assert a.record(view.identifier).deleted
        assert a.record(view.identifier).sync_state == "synced"
        assert a.store.count() == 0


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_deleting_a_record_someone_else_changed_asks_the_person(pair, choice):
    a, b = pair
    view = a.store.save(needs_assessment(a.gov, "Changed elsewhere"))
    assert a.sync().ok and b.sync().ok
    edit = copy.deepcopy(view.document)
    edit["summary"]["en"] = "Ben still works on it"
    b.store.save(edit)
    assert b.sync().ok
    a.store.delete(view.identifier)
    report = a.sync()
    assert report.conflicts == [view.identifier]
    assert a.record(view.identifier).conflict["fields"] == ["@deleted"]
    resolve_conflict(a.db, view.identifier, {"@deleted": choice})
    assert a.sync().ok and b.sync().ok
    if choice == "mine":
        assert b.record(view.identifier).deleted and a.record(view.identifier).deleted
    else:
        assert not a.record(view.identifier).deleted
        assert a.document(view.identifier)["summary"]["en"] == "Ben still works on it"
        assert a.record(view.identifier).sync_state == "synced"
    with a.db.session() as session:
        assert session.query(OutboxEntry).count() == 0


def _forget_extension(station: Station, name: str) -> None:
    """Make the station believe the hub lacks ``name`` (as an older hub would): edit its cached
    capabilities."""
    from focalpoint.sync.meta import get_meta_json, server_key, set_meta_json

    key = f"sync.{server_key(station.engine.server)}.capabilities"
    with station.db.session() as session:
        cached = get_meta_json(session, key)
        cached["value"]["extensions"] = [e for e in cached["value"]["extensions"] if e != name]
        set_meta_json(session, key, cached)


def _long_assessments(gov: str, n: int, seed: int) -> list[dict]:
    """Assessments with about 2 KB of varied text each (real prose does not compress to nothing)."""
    import random

    words = ["mangrove", "seagrass", "reef", "monitoring", "staff", "training", "equipment", "survey", "taxonomy", "herbarium", "database", "workshop", "community", "fisheries", "invasive", "species", "protected", "area", "budget", "report"]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        text = " ".join(rng.choice(words) + str(rng.randint(0, 999)) for _ in range(250))
        docs.append(needs_assessment(gov, f"Assessment {i}", methodology={"en": text, "fr": text[::-1]}))
    return docs


def test_records_just_sent_are_not_downloaded_again(pair, hub, tmp_path):
    """After sending 20 edits, the pull gets their metadata but not a second copy of their text:
    what a slow, costly link receives drops by more than a third, and both machines agree."""
    a, b = pair
    other = _government()  # c works for another government: it receives none of a's records
    hub.add_user(f"cleo@{other}.org", PASSWORD, "authorized-user", other)
    c = Station(tmp_path / "c", hub.url, f"cleo@{other}.org", PASSWORD)
    c.gov = other
    try:
        for station in (a, b, c):
            assert station.sync().ok  # caught up; capabilities cached
        _forget_extension(c, "changes-have")
        ids = []
        for doc in _long_assessments(a.gov, 20, seed=1):
            ids.append(a.store.save(doc).identifier)
        for doc in _long_assessments(c.gov, 20, seed=2):
            c.store.save(doc)
        with_have, without = a.sync(), c.sync()
        assert with_have.ok and without.ok and with_have.pushed == without.pushed == 20
        assert with_have.bytes_received < 0.65 * without.bytes_received, (with_have.bytes_received,
                                                                           without.bytes_received)
        # nothing lost: a holds the hub's copy, the same that b receives in full
        assert b.sync().ok
        for ident in ids:
            rec = a.record(ident)
            assert rec.sync_state == "synced" and rec.server_revision == 1
            assert a.document(ident) == b.document(ident)
            assert rec.base_document == b.record(ident).base_document
    finally:
        c.close()


def test_a_body_left_out_that_we_do_not_hold_is_fetched(pair, hub, tmp_path):
    """A hub that leaves out a body we do not hold at that revision (it should not) costs one
    request, not the record: the client fetches it and applies it."""
    import json

    from tests.support.sync import FaultProxy, http_response

    a, b = pair
    ident = a.store.save(needs_assessment(a.gov, "Shared")).identifier
    assert a.sync().ok and b.sync().ok
    edited = b.document(ident)
    edited["title"]["en"] = "Shared, edited on b"
    b.store.save(edited)
    assert b.sync().ok
    with FaultProxy(hub.url, rate=0.0) as proxy:
        def strip_body(method: str, path: str):  # noqa: ANN202
            if method != "GET" or "/focalpoint/changes" not in path:
                return None
            real = httpx.get(hub.url + path, headers={"Authorization": f"Ticket {a.client.token}"})
            body = real.json()
            for item in body["results"]:
                if item["identifier"] == ident:
                    item["info"] = {**item["info"], "body": None, "bodyOmitted": True}
            return http_response(200, json.dumps(body).encode())

        proxy.rules.append(strip_body)
        a.use_client(proxy.url)
        report = a.sync()
        fetched = [p for m, p, _f in proxy.log if m == "GET" and f"/documents/{ident}" in p]
    assert report.ok, report.error
    assert a.document(ident)["title"]["en"] == "Shared, edited on b"
    assert a.record(ident).server_revision == 2
    # one copy fetched, in the CHM's shapes: its info, then the raw document
    assert [p.split("?")[0].rsplit(ident, 1)[1] for p in fetched] == ["/versions/draft/info", "/versions/draft"]
