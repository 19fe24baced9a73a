"""A USB bundle is trusted no further than it should be: its header is covered by its checksum, a
decision travels only under its author's name, and a checkpoint that no hub gave is not believed.
Real files, a real hub on loopback."""

from __future__ import annotations

import gzip
import json

import pytest

from focalpoint.review import approve, request_publication, review_queue
from focalpoint.sync.bundle import export_outbox_bundle, import_bundle
from focalpoint.sync.errors import BundleError
from focalpoint.sync.pull import read_checkpoint, write_checkpoint
from tests.support.sync import (
    Station,
    government_codes,
    needs_assessment,
    publishable_assessment,
    seed_reference_records,
)

PASSWORD = "bundle-trust-pw"
_governments = iter([g for g in government_codes() if g != "ws"][180:])


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        running.add_user("seeder@example.org", PASSWORD, "authorized-user", "ws")
        seed_reference_records(running.url, running.login("seeder@example.org", PASSWORD))
        yield running


@pytest.fixture
def gov(hub):
    code = next(_governments)
    hub.add_user(f"author@{code}.org", PASSWORD, "authorized-user", code)
    hub.add_user(f"nfp@{code}.org", PASSWORD, "focal-point", code)
    hub.add_user(f"carrier@{code}.org", PASSWORD, "focal-point", code)
    return code


def test_an_edited_header_is_refused_like_a_damaged_file(hub, gov, tmp_path):
    station = Station(tmp_path / "a", hub.url, f"author@{gov}.org", PASSWORD)
    carrier = Station(tmp_path / "c", hub.url, f"carrier@{gov}.org", PASSWORD)
    try:
        station.store.save(needs_assessment(gov, "Header"))
        path = tmp_path / "stick.fpbundle"
        export_outbox_bundle(station.db, path)
        header_line, _, body = gzip.decompress(path.read_bytes()).partition(b"\n")
        header = json.loads(header_line)
        header["meta"]["last_seq"] = 10 ** 9  # the content's own checksum still matches
        path.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + body))
        with pytest.raises(BundleError, match="changed after it was made"):
            import_bundle(carrier.db, path)
        assert carrier.store.count() == 0
    finally:
        station.close()
        carrier.close()


def test_a_decision_travels_only_under_its_authors_name(hub, gov, tmp_path):
    author = Station(tmp_path / "author", hub.url, f"author@{gov}.org", PASSWORD)
    nfp = Station(tmp_path / "nfp", hub.url, f"nfp@{gov}.org", PASSWORD)
    carrier = Station(tmp_path / "carrier", hub.url, f"carrier@{gov}.org", PASSWORD)
    try:
        ident = author.store.save(publishable_assessment(gov, "Approved offline")).identifier
        request_publication(author.db, ident)
        assert author.sync().ok and nfp.sync().ok and carrier.sync().ok
        approve(nfp.db, review_queue(nfp.db)[0].workflow_id, actor=nfp.engine.actor)
        stick = tmp_path / "decision.fpbundle"
        export_outbox_bundle(nfp.db, stick)
        # another focal point's computer: the approval would go out under the carrier's name
        summary = import_bundle(carrier.db, stick)
        assert summary.imported == 0 and ident in summary.skipped
        assert f"nfp@{gov}.org" in summary.skipped[ident]
        assert carrier.store.pending_outbox() == []
        assert carrier.sync().ok and author.sync().ok
        assert author.store.get(ident).status == "submitted"  # nothing published in someone's name
        # the author's own second computer takes it
        twin = Station(tmp_path / "twin", hub.url, f"nfp@{gov}.org", PASSWORD)
        try:
            assert twin.sync().ok
            assert import_bundle(twin.db, stick).imported == 1
            assert twin.sync().ok and author.sync().ok
            assert author.store.get(ident).status == "published"
        finally:
            twin.close()
    finally:
        for station in (author, nfp, carrier):
            station.close()


def test_a_checkpoint_past_the_end_of_the_feed_is_not_believed(hub, gov, tmp_path):
    author = Station(tmp_path / "author", hub.url, f"author@{gov}.org", PASSWORD)
    reader = Station(tmp_path / "reader", hub.url, f"carrier@{gov}.org", PASSWORD)
    try:
        assert reader.sync().ok
        with reader.db.session() as session:
            write_checkpoint(session, reader.engine.server, 10 ** 9)
        ident = author.store.save(needs_assessment(gov, "Written after the bad checkpoint")).identifier
        assert author.sync().ok
        report = reader.sync()
        assert report.ok and reader.store.get(ident) is not None
        with reader.db.session() as session:
            assert read_checkpoint(session, reader.engine.server) < 10 ** 9
    finally:
        author.close()
        reader.close()
