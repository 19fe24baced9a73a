"""Offline bundles on a USB stick: round trip, idempotent imports, damaged files refused."""

from __future__ import annotations

import copy
import gzip
import io
import json

import pytest

from focalpoint.models import Meta, OutboxEntry, Record
from focalpoint.sync.bundle import (
    export_outbox_bundle,
    import_bundle,
    read_bundle,
    write_records_bundle,
)
from focalpoint.sync.errors import BundleError
from tests.support.sync import Office, Station, government_codes, hub_get, needs_assessment

PASSWORD = "bundle-pw"
_governments = iter(government_codes())


@pytest.fixture
def office(hub, tmp_path):
    """A government with the accounts "off" and "con"; the computers made are closed at the end."""
    with Office(hub, tmp_path, next(_governments), PASSWORD, accounts=("off", "con")) as group:
        yield group


@pytest.fixture
def gov(office) -> str:
    return office.gov


def _snapshot(station: Station):
    with station.db.session() as session:
        return (sorted((r.identifier, json.dumps(r.document, sort_keys=True), r.sync_state)
                       for r in session.query(Record)),
                sorted((e.entry_id, e.attempts) for e in session.query(OutboxEntry)),
                sorted((m.key, m.value) for m in session.query(Meta) if m.key.startswith("sync.")))


def _entries(station: Station) -> list[OutboxEntry]:
    with station.db.session() as session:
        return list(session.query(OutboxEntry).order_by(OutboxEntry.seq))


def test_outbox_bundle_round_trip_and_push_from_both_machines(hub, gov, office, tmp_path):
    offline = office.station("offline", user="off")
    connected = office.station("connected", user="con")
    shared = offline.store.save(needs_assessment(gov, "Synced before the trip"))
    assert offline.sync().ok
    # the connection goes; work continues
    new = [offline.store.save(needs_assessment(gov, f"Written offline {i}")) for i in range(3)]
    edit = copy.deepcopy(shared.document)
    edit["title"]["en"] = "Edited offline"
    offline.store.save(edit)
    bundle = tmp_path / "usb" / "focalpoint-changes.fpb"
    counts = export_outbox_bundle(offline.db, bundle)
    assert counts == {"entries": 4, "records": 4}

    summary = import_bundle(connected.db, bundle)
    assert summary.kind == "outbox" and summary.imported == 4 and summary.records == 4
    offline_ids = {e.entry_id for e in _entries(offline)}
    assert {e.entry_id for e in _entries(connected)} == offline_ids  # the SAME entry ids
    # a second import (same stick, twice) changes nothing
    before = _snapshot(connected)
    again = import_bundle(connected.db, bundle)
    assert again.imported == 0 and again.already == 4
    assert _snapshot(connected) == before

    report = connected.sync()
    assert report.ok, report.error
    assert report.pushed == 4
    assert connected.document(shared.identifier)["title"]["en"] == "Edited offline"
    # importing the stick again after the push still changes nothing
    assert import_bundle(connected.db, bundle).imported == 0
    assert _entries(connected) == []

    token = hub.login(f"con@{gov}.org", PASSWORD)
    listing = hub_get(hub.url, token, "/api/v2013/documents", collection="mydraft", **{"$top": 50})
    revisions = {i["identifier"]: i["revision"] for i in listing["Items"]}
    assert len(revisions) == 4
    assert revisions[shared.identifier] == 2 and all(revisions[v.identifier] == 1 for v in new)

    # back online, the offline machine pushes the same entries: nothing is written twice
    report = offline.sync()
    assert report.ok, report.error
    assert _entries(offline) == []
    listing = hub_get(hub.url, token, "/api/v2013/documents", collection="mydraft", **{"$top": 50})
    assert {i["identifier"]: i["revision"] for i in listing["Items"]} == revisions
    for view in [shared, *new]:
        assert offline.record(view.identifier).sync_state == "synced"
        assert offline.document(view.identifier) == connected.document(view.identifier)


def test_import_skips_a_record_with_its_own_unsent_changes(hub, gov, office, tmp_path):
    offline = office.station("offline", user="off")
    connected = office.station("connected", user="con")
    shared = offline.store.save(needs_assessment(gov, "Both edit"))
    assert offline.sync().ok and connected.sync().ok
    for station, title in ((offline, "Offline"), (connected, "Connected")):
        doc = copy.deepcopy(station.document(shared.identifier))
        doc["title"]["en"] = title
        station.store.save(doc)
    other = offline.store.save(needs_assessment(gov, "Only offline"))
    bundle = io.BytesIO()
    export_outbox_bundle(offline.db, bundle)
    bundle.seek(0)
    summary = import_bundle(connected.db, bundle)
    assert list(summary.skipped) == [shared.identifier]
    assert "Sync this computer first" in summary.skipped[shared.identifier]
    assert connected.document(shared.identifier)["title"]["en"] == "Connected"
    assert connected.record(other.identifier) is not None
    # sync, then import again: now the skipped record comes in (and meets the other edit)
    assert connected.sync().ok
    bundle.seek(0)
    summary = import_bundle(connected.db, bundle)
    assert summary.imported == 1 and not summary.skipped
    report = connected.sync()
    assert shared.identifier in report.conflicts  # the same field: the person decides


def _write_sample(station: Station, gov: str, path) -> None:  # noqa: ANN001
    for i in range(3):
        station.store.save(needs_assessment(gov, f"Sample {i}"))
    export_outbox_bundle(station.db, path)


def test_truncated_bundle_is_refused_and_changes_nothing(hub, gov, office, tmp_path):
    source = office.station("source", user="off")
    target = office.station("target", user="con")
    path = tmp_path / "changes.fpb"
    _write_sample(source, gov, path)
    data = path.read_bytes()
    before = _snapshot(target)
    for cut in (len(data) - 1, len(data) // 2, 30, 5, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(BundleError) as info:
            import_bundle(target.db, path)
        assert "Nothing was imported" in str(info.value) or "There is no file" in str(info.value)
        assert _snapshot(target) == before


def _rewrite(path, edit) -> None:  # noqa: ANN001
    raw = gzip.decompress(path.read_bytes())
    header, _, body = raw.partition(b"\n")
    header, body = edit(header, body)
    path.write_bytes(gzip.compress(header + b"\n" + body))


@pytest.mark.parametrize("alteration", ["one byte of a document", "entry id", "length", "format version",
                                        "not a bundle"])
def test_altered_bundle_is_refused_and_changes_nothing(hub, gov, office, tmp_path, alteration):
    source = office.station("source", user="off")
    target = office.station("target", user="con")
    path = tmp_path / "changes.fpb"
    _write_sample(source, gov, path)
    if alteration == "one byte of a document":
        _rewrite(path, lambda h, b: (h, b.replace(b"Sample 1", b"Sample 7", 1)))
    elif alteration == "entry id":
        entry = _entries(source)[0].entry_id.encode()
        _rewrite(path, lambda h, b: (h, b.replace(entry, entry[::-1])))
    elif alteration == "length":
        _rewrite(path, lambda h, b: (h, b + b" "))
    elif alteration == "format version":
        _rewrite(path, lambda h, b: (h.replace(b'"version":1', b'"version":2'), b))
    else:
        path.write_bytes(gzip.compress(b"PK\x03\x04 a zip file, not a bundle"))
    before = _snapshot(target)
    with pytest.raises(BundleError) as info:
        import_bundle(target.db, path)
    message = str(info.value)
    if alteration == "format version":
        assert "another version of FocalPoint" in message
    else:
        assert "incomplete or damaged" in message and "Nothing was imported" in message
    assert _snapshot(target) == before


def test_records_bundle_from_a_hub_imported_on_an_offline_machine(hub, gov, office, tmp_path):
    author = office.station("author", user="con")
    offline = office.station("offline", user="off")
    views = [author.store.save(needs_assessment(gov, f"On the hub {i}")) for i in range(4)]
    assert author.sync().ok
    # the offline machine had pulled one of them once, and edited it since
    assert offline.sync().ok
    offline.edit_text(views[0].identifier, "summary", "fr", "Modifié hors ligne")
    author.edit_text(views[0].identifier, "title", "en", "Renamed on the hub")
    assert author.sync().ok
    # what the hub exports for the government (its change feed items)
    token = hub.login(f"con@{gov}.org", PASSWORD)
    feed = hub_get(hub.url, token, "/api/v2013/focalpoint/changes", since=0)
    path = tmp_path / "hub-export.fpb"
    write_records_bundle(path, feed["results"], {"government": gov, "server": hub.url})
    assert read_bundle(path).kind == "records"

    summary = import_bundle(offline.db, path)
    assert summary.kind == "records" and summary.records == 4
    assert summary.merged == [views[0].identifier]
    merged = offline.document(views[0].identifier)
    assert merged["title"]["en"] == "Renamed on the hub"  # theirs
    assert merged["summary"]["fr"] == "Modifié hors ligne"  # mine, not overwritten
    assert offline.record(views[0].identifier).server_revision == 2
    # importing the same export again changes nothing
    before = _snapshot(offline)
    import_bundle(offline.db, path)
    assert _snapshot(offline) == before
    # and when the connection comes back, the merged edit goes up
    assert offline.sync().ok
    assert author.sync().ok
    assert author.document(views[0].identifier) == merged


def test_hub_bundle_endpoint_gives_a_file_another_computer_imports(hub, gov, office, tmp_path):
    """The hub's bundle of a government's records (any answer but 200 fails: the endpoint is always there)."""
    import httpx

    author = office.station("author", user="con")
    offline = office.station("offline", user="off")
    saved = [author.store.save(needs_assessment(gov, f"Exported {i}")) for i in range(2)]
    assert author.sync().ok
    token = hub.login(f"con@{gov}.org", PASSWORD)
    response = httpx.get(hub.url + "/api/v2013/focalpoint/bundle", params={"government": gov},
                         headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    summary = import_bundle(offline.db, io.BytesIO(response.content))
    assert summary.records == 2
    assert offline.store.count() == 2
    for view in saved:
        assert offline.document(view.identifier)["title"] == author.document(view.identifier)["title"]


def test_records_bundle_from_the_same_person_and_server_seeds_the_pull_checkpoint(hub, gov, office, tmp_path):
    from focalpoint.sync.engine import sign_in

    author = office.station("author", user="con")
    offline = office.station("offline", user="off")
    for i in range(3):
        author.store.save(needs_assessment(gov, f"Seeded {i}"))
    assert author.sync().ok
    sign_in(offline.db, hub.url, f"off@{gov}.org", PASSWORD)  # signed in once, never pulled
    token = hub.login(f"off@{gov}.org", PASSWORD)
    feed = hub_get(hub.url, token, "/api/v2013/focalpoint/changes", since=0)
    path = tmp_path / "export.fpb"
    write_records_bundle(path, feed["results"], {"server": hub.url, "exportedBy": f"off@{gov}.org",
                                                  "last_seq": feed["last_seq"]})
    assert import_bundle(offline.db, path).records == 3
    from focalpoint.sync.pull import read_checkpoint

    with offline.db.session() as session:
        assert read_checkpoint(session, hub.url) == feed["last_seq"]
    report = offline.sync()
    # sign-in, account, capabilities, the Bio-Bridge requests (first time), one empty page
    assert report.ok and report.requests == 5
    # nothing downloaded twice: no record came in, and five answers' headers (the hub's security
    # headers included) and the empty page stay under 2 KB
    assert report.pulled == 0 and report.bytes_received < 2000
    # a bundle someone else exported does not move the checkpoint
    other = office.station("other", user="off")
    sign_in(other.db, hub.url, f"off@{gov}.org", PASSWORD)
    write_records_bundle(path, feed["results"], {"server": hub.url, "exportedBy": f"con@{gov}.org",
                                                  "last_seq": feed["last_seq"]})
    import_bundle(other.db, path)
    with other.db.session() as session:
        assert read_checkpoint(session, hub.url) == 0
