"""Review and publication end to end: two data folders, a real hub on loopback, offline in between.

Author (authorized user) works offline, asks for publication, syncs; the focal point (publishing
authority) syncs, reviews offline against the checklist, decides, syncs; the author sees the outcome.
"""

from __future__ import annotations

import pytest

from focalpoint import forms
from focalpoint.models import Workflow
from focalpoint.review import (
    approve,
    cancel_request,
    history,
    published_document,
    reject,
    request_publication,
    review_queue,
)
from tests.support.sync import Office, Station, government_codes, publishable_assessment

PASSWORD = "correct horse"
_governments = iter([g for g in reversed(government_codes()) if g != "ws"])


pytestmark = pytest.mark.usefixtures("reference_records")


@pytest.fixture
def people(hub, tmp_path):
    office = Office(hub, tmp_path, next(_governments), PASSWORD)
    yield office.station("author"), office.station("nfp", "focal-point")
    office.close()


def _checklist(verdict: str) -> dict:
    doc = forms.template("qaRecordReview")
    doc["header"].pop("identifier", None)
    return doc


def _workflows(station: Station, identifier: str) -> list[Workflow]:
    with station.db.session() as session:
        return list(session.query(Workflow).filter_by(record_identifier=identifier).order_by(Workflow.created_at))


def test_request_review_approve_publish_seen_by_the_author(people):
    author, nfp = people
    view = author.store.save(publishable_assessment(author.gov, "Needs of 2026"))
    ident = view.identifier
    request_publication(author.db, ident, actor=author.engine.actor)  # offline: queued
    assert author.sync().ok
    assert author.store.get(ident).status == "submitted"

    assert nfp.sync().ok  # the reviewer takes the request home
    queue = review_queue(nfp.db)
    assert [i.identifier for i in queue] == [ident]
    assert queue[0].author == f"author@{author.gov}.org" and queue[0].revision is not None
    reviewed_revision = queue[0].revision
    assert published_document(nfp.db, ident) is None  # never published: everything is new
    approve(nfp.db, ident, actor=nfp.engine.actor, checklist=_checklist("pass"))  # offline
    report = nfp.sync()
    assert report.ok, report.error
    assert nfp.store.get(ident).status == "published"

    assert author.sync().ok
    rec = author.store.get(ident)
    assert rec.status == "published" and rec.sync_state == "synced"
    assert rec.server_revision > reviewed_revision  # the published version of exactly that draft
    assert [w.state for w in _workflows(author, ident)] == ["approved"]
    actions = [e["action"] for e in history(nfp.db, ident)]
    assert "approved" in actions
    # the author's own history says who approved, from the hub
    seen_by_author = [e for e in history(author.db, ident) if e["action"] == "approved"]
    assert seen_by_author and seen_by_author[-1]["actor"] == f"nfp@{author.gov}.org", history(author.db, ident)
    assert seen_by_author[-1]["origin"] == "server"
    # the checklist the reviewer filled went to the hub as its own record, naming the revision
    checklists = nfp.store.list(schema="qaRecordReview")
    assert len(checklists) == 1
    assert checklists[0].document["reviewedRecord"]["identifier"] == f"{ident}@{reviewed_revision}"
    assert checklists[0].sync_state == "synced"


def test_rejection_reason_reaches_the_author_who_resubmits(people):
    author, nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "First try")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    reject(nfp.db, ident, "The contact's e-mail is out of date", actor=nfp.engine.actor)
    assert nfp.sync().ok
    assert author.sync().ok
    rec = author.store.get(ident)
    assert rec.status == "rejected"
    flows = _workflows(author, ident)
    assert flows[-1].state == "rejected" and flows[-1].reason == "The contact's e-mail is out of date"
    # the author corrects the record and asks again
    doc = rec.document
    doc["title"] = {lang: f"Second try ({lang})" for lang in doc["header"]["languages"]}
    author.store.save(doc)
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    queue = review_queue(nfp.db)
    assert [i.identifier for i in queue] == [ident]
    approve(nfp.db, ident, actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "published"
    assert [w.state for w in _workflows(author, ident)] == ["rejected", "approved"]


def test_approval_of_a_revision_that_moved_on_is_refused_and_the_new_one_shown(people):
    author, nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "Moving target")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    old = review_queue(nfp.db)[0]
    # meanwhile the author withdraws the request, edits, and asks again (a new revision)
    cancel_request(author.db, ident)
    doc = author.store.get(ident).document
    doc["title"] = {lang: f"Changed after the request ({lang})" for lang in doc["header"]["languages"]}
    author.store.save(doc)
    request_publication(author.db, ident)
    assert author.sync().ok
    # the reviewer, still offline, approves what they saw
    approve(nfp.db, old.workflow_id, actor=nfp.engine.actor)
    report = nfp.sync()
    # the request it was about is closed: the approval can never be taken, so it leaves the
    # outbox, and the report (and the record's history) say so in words
    assert ident not in report.errors
    assert "approval was not sent" in report.discarded[ident] and "closed" in report.discarded[ident]
    rec = nfp.store.get(ident)
    assert rec.sync_state == "synced" and not rec.sync_error
    assert nfp.store.pending_outbox() == []
    assert author.sync().ok
    assert author.store.get(ident).status == "submitted"  # nothing was published behind its back
    # after the sync the reviewer sees the new request, for the new revision
    queue = review_queue(nfp.db)
    assert [i.identifier for i in queue] == [ident]
    assert queue[0].workflow_id != old.workflow_id and queue[0].revision > old.revision
    assert nfp.store.get(ident).document["title"]["en"].startswith("Changed after the request")


def test_the_reviewer_compares_with_the_published_version(people):
    author, nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "Published once")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    approve(nfp.db, ident, actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    doc = author.store.get(ident).document
    doc["title"] = {lang: f"Published twice ({lang})" for lang in doc["header"]["languages"]}
    author.store.save(doc)
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    published = published_document(nfp.db, ident)
    assert published is not None and published["title"]["en"].startswith("Published once")
    from focalpoint.review import diff_documents

    changes = {c.path for c in diff_documents(published, nfp.store.get(ident).document)}
    assert "title.en" in changes


def test_the_focal_point_corrects_then_approves_offline(people):
    """Edit-then-approve, as the central CHM allows a publishing authority, offline in between."""
    from focalpoint.records import RecordError
    from focalpoint.review import save_review_edit

    author, nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "Needs with a typo")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    requested = review_queue(nfp.db)[0].revision
    doc = nfp.store.get(ident).document
    doc["title"] = {lang: f"Needs, corrected by the focal point ({lang})" for lang in doc["header"]["languages"]}
    save_review_edit(nfp.db, ident, doc, actor=nfp.engine.actor)  # offline
    assert nfp.store.get(ident).status == "submitted"  # still under review, still locked for the author
    with pytest.raises(RecordError):
        author.store.save(author.store.get(ident).document)  # the author cannot edit meanwhile
    approve(nfp.db, ident, actor=nfp.engine.actor)
    report = nfp.sync()
    assert report.ok and not report.errors, (report.error, report.errors)
    assert nfp.store.get(ident).status == "published"
    assert author.sync().ok
    rec = author.store.get(ident)
    assert rec.status == "published"
    assert rec.document["title"]["en"] == "Needs, corrected by the focal point (en)"
    assert rec.server_revision > requested + 1  # the correction, then its publication


def _published(author: Station, nfp: Station, title: str) -> str:
    ident = author.store.save(publishable_assessment(author.gov, title)).identifier
    request_publication(author.db, ident, actor=author.engine.actor)
    assert author.sync().ok and nfp.sync().ok
    approve(nfp.db, ident, actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "published"
    return ident


def test_removing_a_published_record_goes_through_the_focal_point(people):
    """Delete on a published record asks for its removal (the CHM's deleteRecord workflow); the
    focal point approves it offline; then it is gone on both machines and on the hub."""
    from focalpoint.records import RecordError
    from focalpoint.review import request_deletion

    author, nfp = people
    ident = _published(author, nfp, "To be removed")
    request_deletion(author.db, ident, actor=author.engine.actor)  # offline
    view = author.store.get(ident)
    assert view.status == "removal" and not view.deleted  # still published until approved
    with pytest.raises(RecordError, match="removal"):
        author.store.save({**view.document, "title": {"en": "edited while locked"}})
    assert author.sync().ok

    assert nfp.sync().ok
    queue = review_queue(nfp.db)
    assert [(i.identifier, i.removal) for i in queue] == [(ident, True)]
    assert nfp.store.get(ident).status == "removal"
    approve(nfp.db, ident, actor=nfp.engine.actor)  # offline
    report = nfp.sync()
    assert report.ok, report.error
    assert nfp.store.get(ident) is None or nfp.store.get(ident).deleted

    assert author.sync().ok
    gone = author.store.get(ident)
    assert gone is None or gone.deleted
    import httpx

    gone_on_hub = httpx.get(f"{author.client.base_url}/api/v2013/documents/{ident}",
                            headers={"Authorization": f"Ticket {author.client.token}"})
    assert gone_on_hub.status_code == 404
    actions = [e["action"] for e in history(author.db, ident)]
    assert "removal_requested" in actions


def test_a_withdrawn_or_refused_removal_leaves_the_record_published(people):
    from focalpoint.review import request_deletion

    author, nfp = people
    ident = _published(author, nfp, "Stays")
    request_deletion(author.db, ident, actor=author.engine.actor)
    view = cancel_request(author.db, ident, actor=author.engine.actor)  # changed their mind, still offline
    assert view.status == "published"
    assert author.sync().ok and author.store.get(ident).status == "published"

    request_deletion(author.db, ident, actor=author.engine.actor)
    assert author.sync().ok and nfp.sync().ok
    reject(nfp.db, ident, "This record is still in use.", actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    view = author.store.get(ident)
    assert view.status == "published" and not view.deleted
    assert [w.state for w in _workflows(author, ident)][-1] == "rejected"


def test_only_a_published_record_can_be_removed(people):
    from focalpoint.records import RecordError
    from focalpoint.review import request_deletion

    author, _nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "Just a draft")).identifier
    with pytest.raises(RecordError, match="Only a record published"):
        request_deletion(author.db, ident)
