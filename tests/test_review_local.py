"""Review and publication on one machine, offline: rules reflected early, decisions queued."""

from __future__ import annotations

import datetime as dt
import functools
import json

import pytest
from sqlalchemy import select

from focalpoint import forms
from focalpoint.cli import run
from focalpoint.models import OutboxEntry
from focalpoint.records import RecordError, RecordStore
from focalpoint.review import (
    approve,
    cancel_request,
    diff_documents,
    history,
    reject,
    request_publication,
    review_queue,
)
from focalpoint.review.dashboard import compute
from tests.support.review import complete_assessment, pulled_workflow, sign_in_as

# requests pulled from the hub were made on 1 November unless a test says otherwise
_pulled_workflow = functools.partial(pulled_workflow, created=dt.datetime(2026, 11, 1))


def test_request_publication_needs_a_complete_record(catalog_db):
    store = RecordStore(catalog_db)
    incomplete = store.save({"header": {"schema": "capacityNeedsAssessment", "languages": ["en"]},
                             "title": {"en": "Half done"}})
    with pytest.raises(RecordError) as info:
        request_publication(catalog_db, incomplete.identifier)
    assert "not complete" in str(info.value)
    assert RecordStore(catalog_db).get(incomplete.identifier).status == "draft"

    complete = store.save(complete_assessment())
    view = request_publication(catalog_db, complete.identifier, actor="author@ws.example")
    assert view.status == "submitted"
    with catalog_db.session() as s:
        actions = [e.action for e in s.scalars(select(OutboxEntry).where(
            OutboxEntry.record_identifier == complete.identifier).order_by(OutboxEntry.seq))]
    assert actions == ["save", "request_publication"]
    # the draft is locked while it waits for review
    with pytest.raises(RecordError):
        store.save(RecordStore(catalog_db).get(complete.identifier).document)
    with pytest.raises(RecordError):
        request_publication(catalog_db, complete.identifier)
    cancel_request(catalog_db, complete.identifier)
    assert RecordStore(catalog_db).get(complete.identifier).status == "draft"
    store.save(RecordStore(catalog_db).get(complete.identifier).document)  # editable again


def test_reviewer_rules_reflected_before_going_online(catalog_db):
    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier, author="author@ws.example")
    # the author cannot approve their own request
    sign_in_as(catalog_db, "author@ws.example", ["focal-point"])
    with pytest.raises(RecordError, match="yourself"):
        approve(catalog_db, rec.identifier, actor="author@ws.example")
    # an authorized user cannot approve at all
    sign_in_as(catalog_db, "clerk@ws.example", ["authorized-user"])
    with pytest.raises(RecordError, match="focal point"):
        approve(catalog_db, rec.identifier, actor="clerk@ws.example")
    # a focal point of another government cannot approve
    sign_in_as(catalog_db, "nfp@to.example", ["focal-point"], gov="to")
    with pytest.raises(RecordError, match="another government"):
        approve(catalog_db, rec.identifier, actor="nfp@to.example")
    # rejection without a reason is refused
    sign_in_as(catalog_db, "nfp@ws.example", ["focal-point"])
    with pytest.raises(RecordError, match="why"):
        reject(catalog_db, rec.identifier, "   ", actor="nfp@ws.example")
    with catalog_db.session() as s:
        assert not s.scalars(select(OutboxEntry).where(OutboxEntry.action.in_(["approve", "reject"]))).all()


def test_the_chm_role_names_are_understood(catalog_db):
    """A real CHM describes its users with its own role names only (chm-realm-configuration.json),
    and its workflows name no revision: the approval names the copy this machine holds."""
    from focalpoint.models import Record
    from focalpoint.review import role_of

    assert role_of(["ChmNrNationalFocalPoint"]) == "focal-point"
    assert role_of(["ChmNrNationalAuthorizedUser"]) == "authorized-user"
    assert role_of(["ChmAdministrator"]) == role_of(["BbiAdministrator"]) == "secretariat"
    rec = RecordStore(catalog_db).save(complete_assessment())
    with catalog_db.session() as s:
        s.get(Record, rec.identifier).server_revision = 4  # as pulled from the server
    _pulled_workflow(catalog_db, rec.identifier, author="author@ws.example", revision=None)
    sign_in_as(catalog_db, "clerk@ws.example", ["ChmNrNationalAuthorizedUser"])
    with pytest.raises(RecordError, match="focal point"):
        approve(catalog_db, rec.identifier, actor="clerk@ws.example")
    sign_in_as(catalog_db, "nfp@ws.example", ["ChmNrNationalFocalPoint"])
    approve(catalog_db, rec.identifier, actor="nfp@ws.example")
    with catalog_db.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.action == "approve")).one()
        assert entry.payload["revision"] == 4


def test_approval_names_the_exact_revision_reviewed_and_keeps_the_checklist(catalog_db):
    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier, revision=7)
    sign_in_as(catalog_db, "nfp@ws.example", ["focal-point"])
    checklist = forms.template("qaRecordReview")
    checklist["header"].pop("identifier", None)
    item = approve(catalog_db, rec.identifier, actor="nfp@ws.example", checklist=checklist)
    assert item.decision == "approve" and item.revision == 7
    with catalog_db.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.action == "approve")).one()
        assert entry.payload == {"workflowId": "WF-1", "revision": 7}
    stored = [r for r in RecordStore(catalog_db).list(schema="qaRecordReview")]
    assert len(stored) == 1
    assert stored[0].document["reviewedRecord"]["identifier"].endswith("@7")
    events = history(catalog_db, rec.identifier)
    assert [e["action"] for e in events][-1] == "approved"
    assert events[-1]["actor"] == "nfp@ws.example" and events[-1]["revision"] == 7


def test_review_queue_shows_overdue_requests(catalog_db):
    store = RecordStore(catalog_db)
    old = store.save(complete_assessment("Old request"))
    new = store.save(complete_assessment("New request"))
    now = dt.datetime(2026, 11, 23)
    _pulled_workflow(catalog_db, old.identifier, wf_id="WF-OLD", created=now - dt.timedelta(weeks=13))
    _pulled_workflow(catalog_db, new.identifier, wf_id="WF-NEW", created=now - dt.timedelta(days=3))
    queue = review_queue(catalog_db, now=now)
    assert [i.workflow_id for i in queue] == ["WF-OLD", "WF-NEW"]
    assert queue[0].overdue and not queue[1].overdue
    assert [i.workflow_id for i in review_queue(catalog_db, now=now, overdue_only=True)] == ["WF-OLD"]


def test_cli_review_flow(data_dir, capsys):
    from focalpoint.db import open_database

    assert run(["--data-dir", str(data_dir), "review", "list"]) == 0
    db = open_database(data_dir)
    rec = RecordStore(db).save(complete_assessment())
    _pulled_workflow(db, rec.identifier)
    sign_in_as(db, "nfp@ws.example", ["focal-point"])
    db.close()
    capsys.readouterr()
    assert run(["--data-dir", str(data_dir), "review", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["identifier"] == rec.identifier and listed[0]["revision"] == 3
    assert run(["--data-dir", str(data_dir), "review", "reject", rec.identifier, "--reason", ""]) == 1
    assert "why" in capsys.readouterr().err
    assert run(["--data-dir", str(data_dir), "review", "reject", rec.identifier,
                "--reason", "Contacts are out of date"]) == 0
    capsys.readouterr()
    assert run(["--data-dir", str(data_dir), "records", "history", rec.identifier, "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events[-1]["action"] == "rejected"
    assert events[-1]["details"]["reason"] == "Contacts are out of date"


def test_field_by_field_changes():
    changes = diff_documents({"title": {"en": "Old", "fr": "Vieux"}, "aichiTargets": [{"identifier": "AICHI-TARGET-01"}]},
                             {"title": {"en": "New", "fr": "Vieux"}, "aichiTargets": [{"identifier": "AICHI-TARGET-11"}]})
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("aichiTargets", [{"identifier": "AICHI-TARGET-01"}], [{"identifier": "AICHI-TARGET-11"}]),
        ("title.en", "Old", "New")]


def test_dashboard_counts_needs_against_targets_and_plan(catalog_db):
    store = RecordStore(catalog_db)
    doc = complete_assessment()
    doc["needs"] = [
        {**doc["needs"][0], "aichiTargets": [{"identifier": "AICHI-TARGET-11"}],
         "actionPlanActivities": [{"identifier": "CBD-CB-ACTION-PLAN-2017-7"},
                                  {"identifier": "CBD-CB-ACTION-PLAN-2017-50"}]},
        {**doc["needs"][0], "aichiTargets": [{"identifier": "AICHI-TARGET-11"}, {"identifier": "AICHI-TARGET-19"}],
         "actionPlanActivities": [{"identifier": "CBD-CB-ACTION-PLAN-2017-7"}]},
    ]
    store.save(doc)
    figures = compute(catalog_db)
    assert figures.needs_by_aichi_target[11] == 2 and figures.needs_by_aichi_target[19] == 1
    assert figures.needs_by_aichi_target[1] == 0
    assert figures.activities_covered == 2 and figures.activities_total == 110
    assert figures.needs_by_section["A"] == 2 and figures.needs_by_section["B"] == 1
    assert figures.covered_by_section["A"] == (1, 9)
    assert figures.by_schema["capacityNeedsAssessment"] == 1
