"""Sync that stays right on the USB and review paths: each scenario as people meet it.

A computer with no link ("offline") sends its changes by USB stick through a connected one (a
"carrier") and gets back a records bundle, from the carrier (``sync export-records``) or from the
hub; reviewers decide offline. Every scenario runs against a real hub on loopback over HTTP.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys

import httpx
import pytest

from focalpoint.models import AuditEvent, OutboxEntry
from focalpoint.review import approve, reject, request_deletion, request_publication, review_queue
from focalpoint.sync.bundle import export_outbox_bundle, export_records_bundle, import_bundle
from focalpoint.sync.status import failed_changes, sync_status
from tests.support.sync import (
    Office,
    Station,
    government_codes,
    hub_get,
    needs_assessment,
    publishable_assessment,
)

PASSWORD = "usb-review-pw"
_governments = iter([g for g in government_codes() if g not in ("ws",)][40:])


pytestmark = pytest.mark.usefixtures("reference_records")


@pytest.fixture
def people(hub, tmp_path):
    with Office(hub, tmp_path, next(_governments), PASSWORD) as group:
        yield group


def _stick(station: Station, tmp_path, name: str):  # noqa: ANN001, ANN202
    path = tmp_path / "usb" / name
    export_outbox_bundle(station.db, path)
    return path


def _records_back(carrier: Station, tmp_path, name: str):  # noqa: ANN001, ANN202
    path = tmp_path / "usb" / name
    export_records_bundle(carrier.db, path, government=carrier.gov)
    return path


def _outbox(station: Station) -> list[OutboxEntry]:
    with station.db.session() as session:
        return list(session.query(OutboxEntry).order_by(OutboxEntry.seq))


def _edit(station: Station, ident: str, **fields) -> None:  # noqa: ANN003
    doc = copy.deepcopy(station.document(ident))
    for key, value in fields.items():
        doc[key] = value
    station.store.save(doc)


def _hub_draft(people: Office, ident: str, email: str) -> dict:
    token = people.hub.login(email, PASSWORD)
    return hub_get(people.hub.url, token, f"/api/v2013/documents/{ident}/versions/draft")


def _hub_revision(people: Office, ident: str, email: str) -> int:
    token = people.hub.login(email, PASSWORD)
    return hub_get(people.hub.url, token, f"/api/v2013/documents/{ident}/versions/draft/info")["revision"]


# ------------------------------------------------------------------------ F1


def test_f1_a_conflict_whose_cause_is_gone_does_not_block_the_record(people, tmp_path):
    """A carried change conflicts on one carrier; the same content reaches the hub from another:
    the first carrier's conflict goes away by itself and later edits are sent."""
    offline, a1, a2, colleague = (people.station(n) for n in ("off", "a1", "a2", "col"))
    ident = offline.store.save(needs_assessment(people.gov, "Shared")).identifier
    assert offline.sync().ok and colleague.sync().ok
    _edit(offline, ident, title={"en": "Offline title", "fr": "Titre hors ligne"})
    stick = _stick(offline, tmp_path, "f1.fpb")
    _edit(colleague, ident, title={"en": "Colleague title", "fr": "Titre collègue"})
    assert colleague.sync().ok
    for carrier in (a1, a2):
        assert import_bundle(carrier.db, stick).imported == 1
        report = carrier.sync()
        assert report.conflicts == [ident]
    # on a2, the person keeps the offline version: the hub now holds exactly that payload
    from focalpoint.sync.conflicts import resolve_conflict

    resolve_conflict(a2.db, ident, {"title.en": "mine", "title.fr": "mine"})
    assert a2.sync().ok
    assert _hub_draft(people, ident, "a2@" + people.gov + ".org")["title"]["en"] == "Offline title"

    report = a1.sync()
    assert report.ok and report.conflicts == []
    rec = a1.record(ident)
    assert rec.conflict is None and rec.sync_state == "synced"
    assert sync_status(a1.db)["conflicts"] == []
    assert a1.document(ident)["title"]["en"] == "Offline title"
    # and the record is not blocked: a later edit leaves at the next sync
    _edit(a1, ident, summary={"en": "Edited later on a1", "fr": "Modifié"})
    report = a1.sync()
    assert report.ok and report.pushed == 1 and _outbox(a1) == []


# ------------------------------------------------------------------------ F2


def test_f2_acknowledgements_travel_back_and_nothing_is_carried_twice(people, tmp_path):
    offline, carrier, colleague = (people.station(n) for n in ("off", "car", "col"))
    ident = offline.store.save(needs_assessment(people.gov, "Before the trip")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "Written offline", "fr": "Écrit hors ligne"})
    [entry] = _outbox(offline)
    import_bundle(carrier.db, _stick(offline, tmp_path, "f2-1.fpb"))
    assert carrier.sync().ok
    assert colleague.sync().ok
    _edit(colleague, ident, summary={"en": "Colleague's summary", "fr": "Résumé"})
    assert colleague.sync().ok and carrier.sync().ok

    summary = import_bundle(offline.db, _records_back(carrier, tmp_path, "f2-back.fpb"))
    assert summary.acknowledged == 1
    assert _outbox(offline) == []  # delivered: it left the outbox
    doc = offline.document(ident)
    assert doc["title"]["en"] == "Written offline" and doc["summary"]["en"] == "Colleague's summary"
    assert offline.record(ident).sync_state == "synced" and offline.record(ident).conflict is None
    assert export_outbox_bundle(offline.db, tmp_path / "usb" / "f2-2.fpb")["entries"] == 0
    with offline.db.session() as session:
        delivered = [e for e in session.query(AuditEvent).filter_by(record_identifier=ident, action="delivered")]
    assert [e.details["entry"] for e in delivered] == [entry.entry_id]


def test_f2_a_later_stick_never_takes_a_carrier_back_in_time(people, tmp_path):
    """The offline computer sends the same change again before it learns it arrived; a second
    computer of the same person, which never saw the first stick, holds a newer copy."""
    offline, carrier, colleague = (people.station(n) for n in ("off", "car", "col"))
    twin = people.station("twin", user="car")  # same account, another computer
    ident = offline.store.save(needs_assessment(people.gov, "Trip")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "Offline edit", "fr": "Hors ligne"})
    import_bundle(carrier.db, _stick(offline, tmp_path, "f2b-1.fpb"))
    assert carrier.sync().ok
    assert colleague.sync().ok
    _edit(colleague, ident, summary={"en": "Newer summary", "fr": "Plus récent"})
    assert colleague.sync().ok
    assert twin.sync().ok
    newest = twin.document(ident)
    revision = _hub_revision(people, ident, colleague.engine.actor)

    second = _stick(offline, tmp_path, "f2b-2.fpb")  # the same entry, carried again
    summary = import_bundle(twin.db, second)
    assert summary.imported == 1
    assert twin.document(ident) == newest  # the older snapshot did not replace the newer copy
    report = twin.sync()
    assert report.ok, report.error
    assert twin.document(ident) == newest and twin.record(ident).sync_state == "synced"
    assert twin.record(ident).server_revision == revision
    assert _hub_revision(people, ident, colleague.engine.actor) == revision  # nothing written twice
    assert _outbox(twin) == []


def test_f2_the_hubs_bundle_acknowledges_the_delivered_changes_too(people, tmp_path):
    offline, carrier = people.station("off"), people.station("car")
    ident = offline.store.save(needs_assessment(people.gov, "Hub bundle")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "Through the hub", "fr": "Par le hub"})
    import_bundle(carrier.db, _stick(offline, tmp_path, "f2c.fpb"))
    assert carrier.sync().ok
    token = people.hub.login(carrier.engine.actor, PASSWORD)
    response = httpx.get(people.hub.url + "/api/v2013/focalpoint/bundle", params={"government": people.gov},
                         headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    summary = import_bundle(offline.db, io.BytesIO(response.content))
    assert summary.acknowledged == 1 and _outbox(offline) == []
    assert offline.document(ident)["title"]["en"] == "Through the hub"
    assert offline.record(ident).sync_state == "synced"


# ------------------------------------------------------------------------ F3


def test_f3_an_edit_after_the_export_is_a_new_change_and_both_arrive(people, tmp_path):
    offline, carrier = people.station("off"), people.station("car")
    ident = offline.store.save(needs_assessment(people.gov, "Edited twice")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "First offline edit", "fr": "Premier"})
    first = _stick(offline, tmp_path, "f3-1.fpb")
    [exported] = _outbox(offline)
    _edit(offline, ident, summary={"en": "Second offline edit", "fr": "Second"})
    entries = _outbox(offline)
    assert len(entries) == 2 and entries[0].entry_id == exported.entry_id
    assert entries[0].payload == exported.payload  # the stick's change was not rewritten
    second = _stick(offline, tmp_path, "f3-2.fpb")

    assert import_bundle(carrier.db, first).imported == 1
    assert carrier.sync().ok
    summary = import_bundle(carrier.db, second)
    assert summary.imported == 1 and summary.already == 1
    report = carrier.sync()
    assert report.ok and not report.errors and not report.conflicts, report.to_json()
    draft = _hub_draft(people, ident, carrier.engine.actor)
    assert draft["title"]["en"] == "First offline edit" and draft["summary"]["en"] == "Second offline edit"


def test_f3_a_reused_key_is_sent_again_under_a_new_one_not_called_a_field_problem(people, tmp_path):
    """An older build could change a change already sent: the hub refuses the reused key; the
    change goes again under a key of its own instead of failing as "fields need attention"."""
    station = people.station("old")
    ident = station.store.save(needs_assessment(people.gov, "Key reuse")).identifier
    assert station.sync().ok
    _edit(station, ident, title={"en": "Sent once", "fr": "Envoyé"})
    [entry] = _outbox(station)
    key = entry.entry_id
    assert station.sync().ok
    _edit(station, ident, title={"en": "Then changed", "fr": "Changé"})
    with station.db.session() as session:  # what an older build did: the same key, a new payload
        row = session.query(OutboxEntry).one()
        row.entry_id, row.attempts, row.base_revision = key, 1, 1
    report = station.sync()
    assert report.ok and not report.errors, report.to_json()
    assert _hub_draft(people, ident, station.engine.actor)["title"]["en"] == "Then changed"
    assert _outbox(station) == []


# ------------------------------------------------------------------------ F4


def test_f4_no_false_conflict_and_a_colleagues_correction_stands(people, tmp_path):
    offline, carrier, colleague = (people.station(n) for n in ("off", "car", "col"))
    ident = offline.store.save(needs_assessment(people.gov, "Correct me")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "Typo tilte", "fr": "Faute"})
    import_bundle(carrier.db, _stick(offline, tmp_path, "f4-1.fpb"))
    assert carrier.sync().ok and colleague.sync().ok
    _edit(colleague, ident, title={"en": "Typo title", "fr": "Corrigé"})  # the correction
    assert colleague.sync().ok and carrier.sync().ok
    # meanwhile the offline computer changed another field (not yet on any stick)
    _edit(offline, ident, summary={"en": "Offline summary", "fr": "Résumé hors ligne"})

    summary = import_bundle(offline.db, _records_back(carrier, tmp_path, "f4-back.fpb"))
    assert summary.conflicts == [] and summary.acknowledged == 1
    rec = offline.record(ident)
    assert rec.conflict is None and rec.sync_state == "queued"
    doc = offline.document(ident)
    assert doc["title"]["en"] == "Typo title"  # the colleague's correction stands
    assert doc["summary"]["en"] == "Offline summary"  # and the later offline edit waits to be sent
    import_bundle(carrier.db, _stick(offline, tmp_path, "f4-2.fpb"))
    report = carrier.sync()
    assert report.ok and not report.conflicts
    draft = _hub_draft(people, ident, carrier.engine.actor)
    assert draft["title"]["en"] == "Typo title" and draft["summary"]["en"] == "Offline summary"


# ------------------------------------------------------------------------ F5


@pytest.mark.parametrize("outcome", ["rejected", "withdrawn"])
def test_f5_a_refused_removal_leaves_a_newer_draft_as_a_draft(people, outcome):
    author, colleague = people.station("author"), people.station("col")
    nfp = people.station("nfp", "focal-point")
    ident = author.store.save(publishable_assessment(people.gov, "Published, then edited")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    approve(nfp.db, ident, actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok and colleague.sync().ok
    assert author.store.get(ident).status == "published"
    _edit(colleague, ident, title={"en": "A newer draft", "fr": "Un brouillon plus récent"})
    assert colleague.sync().ok
    request_deletion(author.db, ident)  # the author has not seen the newer draft yet
    assert author.sync().ok
    if outcome == "rejected":
        assert nfp.sync().ok
        reject(nfp.db, ident, "Keep it published", actor=nfp.engine.actor)
        assert nfp.sync().ok
    else:
        from focalpoint.review import cancel_request

        cancel_request(author.db, ident)
    assert author.sync().ok and colleague.sync().ok
    for station in (author, colleague):
        view = station.store.get(ident)
        assert view.status == "draft", (station.engine.actor, view.status)
        assert view.document["title"]["en"] == "A newer draft"


# ------------------------------------------------------------------------ F6


def test_f6_a_failed_decision_is_listed_retried_or_discarded(people, tmp_path):
    author = people.station("author")
    nfp = people.station("nfp", "focal-point")
    ident = author.store.save(publishable_assessment(people.gov, "Moved on")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    item = review_queue(nfp.db)[0]
    approve(nfp.db, item.workflow_id, actor=nfp.engine.actor, revision=item.revision - 1)  # not what is under review
    report = nfp.sync()
    assert ident in report.errors
    [failed] = failed_changes(nfp.db)
    assert failed["identifier"] == ident and failed["action"] == "approve"
    assert failed["workflow_id"] == item.workflow_id and failed["message"]

    env = {**os.environ, "FOCALPOINT_DATA_DIR": str(nfp.data_dir), "FOCALPOINT_LANG": "en"}
    listed = subprocess.run([sys.executable, "-m", "focalpoint", "sync", "failed", "--json"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 1, listed.stderr
    assert [i["identifier"] for i in json.loads(listed.stdout)] == [ident]
    refused = subprocess.run([sys.executable, "-m", "focalpoint", "sync", "discard", ident],
                             env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert refused.returncode != 0 and "--yes" in refused.stderr  # not without confirmation
    assert len(_outbox(nfp)) == 1
    retried = subprocess.run([sys.executable, "-m", "focalpoint", "sync", "retry", ident],
                             env=env, capture_output=True, text=True, timeout=120)
    assert retried.returncode == 0, retried.stderr
    assert failed_changes(nfp.db) == [] and _outbox(nfp)[0].state == "pending"
    assert ident in nfp.sync().errors  # still the wrong revision: it fails again
    discarded = subprocess.run([sys.executable, "-m", "focalpoint", "sync", "discard", ident, "--yes"],
                               env=env, capture_output=True, text=True, timeout=120)
    assert discarded.returncode == 0, discarded.stderr
    assert _outbox(nfp) == [] and failed_changes(nfp.db) == []
    # the record follows the hub again, and the right approval goes through
    assert nfp.sync().ok
    assert nfp.store.get(ident).status == "submitted"
    approve(nfp.db, item.workflow_id, actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "published"


def test_f6_a_decision_goes_before_the_reviewers_own_unsent_edit(people):
    author = people.station("author")
    nfp = people.station("nfp", "focal-point")
    ident = author.store.save(publishable_assessment(people.gov, "Reviewed while edited")).identifier
    assert author.sync().ok and nfp.sync().ok
    _edit(nfp, ident, summary={"en": "The reviewer's own later idea", "fr": "Idée"})  # unsent
    request_publication(author.db, ident)
    assert author.sync().ok
    report = nfp.sync()  # the edit cannot go (the record is locked for review); the request arrives
    assert nfp.store.get(ident).status == "submitted"  # the status follows the hub while the edit waits
    item = review_queue(nfp.db)[0]
    approve(nfp.db, item.workflow_id, actor=nfp.engine.actor)
    report = nfp.sync()
    assert ident not in report.errors, report.to_json()
    assert author.sync().ok
    published = author.store.get(ident)
    assert published.status in ("published", "draft")  # draft: the reviewer's edit followed as a new draft
    token = people.hub.login(author.engine.actor, PASSWORD)
    assert hub_get(people.hub.url, token, f"/api/v2013/documents/{ident}")["title"]["en"] == \
        "Reviewed while edited"  # what was reviewed is what was published


# ------------------------------------------------------------------------ F7


def test_f7_a_reference_to_a_colleagues_unpublished_contact_is_kept(people):
    from focalpoint.forms.templates import template

    colleague, author = people.station("col"), people.station("nfp", "focal-point")
    contact = template("contact")
    contact_id = contact["header"]["identifier"]
    colleague.store.save(contact)
    assert colleague.sync().ok  # a draft on the hub, never on the author's computer
    doc = publishable_assessment(people.gov, "Refers to a colleague's contact")
    doc["contactPerson"] = [{"identifier": contact_id}]
    ident = author.store.save(doc).identifier
    report = author.sync()
    assert report.ok and not report.errors, report.to_json()
    draft = _hub_draft(people, ident, author.engine.actor)
    assert draft["contactPerson"] == [{"identifier": contact_id}]
    assert author.document(ident)["contactPerson"] == [{"identifier": contact_id}]


def test_a_decision_that_arrives_counts_as_received(people):
    """The author's sync summary said "0 records received" when the reviewer's rejection arrived:
    a record whose status changed was received."""
    author = people.station("author")
    nfp = people.station("nfp", "focal-point")
    ident = author.store.save(publishable_assessment(people.gov, "Rejected while away")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    reject(nfp.db, ident, "Please add the French summary", actor=nfp.engine.actor)
    assert nfp.sync().ok
    report = author.sync()
    assert report.ok and report.pulled >= 1
    assert author.store.get(ident).status == "rejected"


# ------------------------------------------------------------------------ carried authors


def test_a_carried_change_goes_as_its_authors_and_the_hub_refuses_an_author_it_does_not_know(people, tmp_path):
    """A stick's changes are sent under their author's name (X-FocalPoint-Author), not the
    carrier's: a change whose author is no user of the carrier's government is refused by the hub
    and nothing of it is applied; a colleague's change goes through as before."""
    from focalpoint.settings_keys import SYNC_EMAIL
    from focalpoint.sync.meta import set_meta

    offline, carrier = people.station("off2"), people.station("car2")
    ident = offline.store.save(needs_assessment(people.gov, "Carried")).identifier
    assert offline.sync().ok
    _edit(offline, ident, title={"en": "Edited offline", "fr": "Modifié hors ligne"})
    good = _stick(offline, tmp_path, "good.fpb")
    assert import_bundle(carrier.db, good).imported == 1
    sent = [e.payload.get("author") for e in _outbox(carrier)]
    assert sent == [offline.store.actor]
    assert carrier.sync().ok
    assert _hub_draft(people, ident, carrier.store.actor)["title"]["en"] == "Edited offline"

    _edit(offline, ident, title={"en": "Forged", "fr": "Falsifié"})
    with offline.db.session(write=True) as session:
        set_meta(session, SYNC_EMAIL, "someone@elsewhere.example")
    forged = _stick(offline, tmp_path, "forged.fpb")
    assert import_bundle(carrier.db, forged).imported == 1
    report = carrier.sync()
    assert report.pushed == 0 and "USB stick from someone@elsewhere.example" in report.errors[ident]
    assert _hub_draft(people, ident, carrier.store.actor)["title"]["en"] == "Edited offline"
    problems = failed_changes(carrier.db)
    assert len(problems) == 1 and "someone@elsewhere.example" in json.dumps(problems, default=str)
