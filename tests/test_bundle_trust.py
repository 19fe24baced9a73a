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
from tests.support.sync import Office, government_codes, needs_assessment, publishable_assessment

PASSWORD = "bundle-trust-pw"
_governments = iter([g for g in government_codes() if g != "ws"][180:])


pytestmark = pytest.mark.usefixtures("reference_records")


@pytest.fixture
def office(hub, tmp_path):
    """A government with an author, a focal point and a carrier (another focal point); their
    computers are closed at the end."""
    with Office(hub, tmp_path, next(_governments), PASSWORD,
                accounts=("author", ("nfp", "focal-point"), ("carrier", "focal-point"))) as group:
        yield group


def test_an_edited_header_is_refused_like_a_damaged_file(office, tmp_path):
    station = office.station("a", user="author")
    carrier = office.station("c", user="carrier")
    station.store.save(needs_assessment(office.gov, "Header"))
    path = tmp_path / "stick.fpbundle"
    export_outbox_bundle(station.db, path)
    header_line, _, body = gzip.decompress(path.read_bytes()).partition(b"\n")
    header = json.loads(header_line)
    header["meta"]["last_seq"] = 10 ** 9  # the content's own checksum still matches
    path.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + body))
    with pytest.raises(BundleError, match="changed after it was made"):
        import_bundle(carrier.db, path)
    assert carrier.store.count() == 0


def test_a_decision_travels_only_under_its_authors_name(office, tmp_path):
    author = office.station("author", user="author")
    nfp = office.station("nfp", user="nfp")
    carrier = office.station("carrier", user="carrier")
    ident = author.store.save(publishable_assessment(office.gov, "Approved offline")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok and carrier.sync().ok
    approve(nfp.db, review_queue(nfp.db)[0].workflow_id, actor=nfp.engine.actor)
    stick = tmp_path / "decision.fpbundle"
    export_outbox_bundle(nfp.db, stick)
    # another focal point's computer: the approval would go out under the carrier's name
    summary = import_bundle(carrier.db, stick)
    assert summary.imported == 0 and ident in summary.skipped
    assert f"nfp@{office.gov}.org" in summary.skipped[ident]
    assert carrier.store.pending_outbox() == []
    assert carrier.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "submitted"  # nothing published in someone's name
    # the author's own second computer takes it
    twin = office.station("twin", user="nfp")
    assert twin.sync().ok
    assert import_bundle(twin.db, stick).imported == 1
    assert twin.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "published"


def test_a_checkpoint_past_the_end_of_the_feed_is_not_believed(office):
    author = office.station("author", user="author")
    reader = office.station("reader", user="carrier")
    assert reader.sync().ok
    with reader.db.session() as session:
        write_checkpoint(session, reader.engine.server, 10 ** 9)
    ident = author.store.save(needs_assessment(office.gov, "Written after the bad checkpoint")).identifier
    assert author.sync().ok
    report = reader.sync()
    assert report.ok and reader.store.get(ident) is not None
    with reader.db.session() as session:
        assert read_checkpoint(session, reader.engine.server) < 10 ** 9
