"""Filled records as PDF reports: needs with their action-plan activities, a review's checklist
and decision, the audit trail, user text printed literally, missing glyphs reported."""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata

import pytest

from focalpoint.forms import template
from focalpoint.models import Workflow
from focalpoint.pdf import MissingGlyphError, record_report_pdf
from focalpoint.records import RecordStore
from tests.support.poppler import logical_arabic, pdf_fonts, pdf_text, require_poppler

HIEROGLYPH = "\U00013000"


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _assessment(store: RecordStore, title: dict[str, str]) -> str:
    doc = template("capacityNeedsAssessment")
    doc["header"]["languages"] = sorted(title)
    doc["title"] = title
    need = doc["needs"][0]
    need["actionPlanActivities"] = [{"identifier": "CBD-CB-ACTION-PLAN-2017-45"},
                                    {"identifier": "CBD-CB-ACTION-PLAN-2017-1"}]
    for key, value in list(need.items()):
        if isinstance(value, dict) and set(value) <= {"en", "fr"}:
            need[key] = {lang: value.get("en", "x") for lang in title}
    for key, value in list(doc.items()):
        if isinstance(value, dict) and set(value) <= {"en", "fr"} and value and key != "title":
            doc[key] = {lang: value.get("en", "x") for lang in title}
    return store.save(doc).identifier


def test_needs_print_with_their_activities_from_the_catalogue(catalog_db, tmp_path):
    from focalpoint.catalog import activity_detail

    store = RecordStore(catalog_db, actor="focal.point@example.org")
    uid = _assessment(store, {"en": "Needs of Samoa"})
    path = tmp_path / "r.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid, lang="en"))
    text = _squash(pdf_text(path))
    with catalog_db.session() as session:
        act45 = activity_detail(session, 45)["text"]["en"]
    assert "Activity 45" in text and _squash(act45)[:80] in text
    assert "Activity 1:" in text
    assert "Needs of Samoa" in text
    # the history of the record, with who did it
    assert "History of this record" in text and "created" in text and "focal.point@example.org" in text


def test_user_markup_prints_literally_in_a_report(catalog_db, tmp_path):
    store = RecordStore(catalog_db)
    title = "<b>Not bold</b> & <font name=\"Courier\">x</font> &amp;"
    uid = _assessment(store, {"en": title})
    path = tmp_path / "r.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid, lang="en"))
    assert title in pdf_text(path)


def test_arabic_report_prints_joined_text_with_embedded_fonts(catalog_db, tmp_path):
    store = RecordStore(catalog_db)
    uid = _assessment(store, {"ar": "تقييم الاحتياجات من القدرات"})
    path = tmp_path / "r.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid))  # the record's own language: Arabic
    lines = pdf_text(path).splitlines()
    assert any("تقييم الاحتياجات من القدرات" in logical_arabic(line) for line in lines)
    assert all(f.embedded for f in pdf_fonts(path))
    assert "NotoSansArabic" in " ".join(f.name for f in pdf_fonts(path))


def test_a_character_without_glyph_is_reported_not_dropped(catalog_db, tmp_path):
    store = RecordStore(catalog_db)
    uid = _assessment(store, {"en": f"Workshop {HIEROGLYPH} notes"})
    with pytest.raises(MissingGlyphError) as err:
        record_report_pdf(catalog_db, uid, lang="en")
    assert err.value.char == HIEROGLYPH
    path = tmp_path / "r.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid, lang="en", on_missing="mark"))
    assert "Workshop [U+13000] notes" in pdf_text(path)


def test_review_checklist_and_decision_print(catalog_db, tmp_path):
    from focalpoint import review

    store = RecordStore(catalog_db, actor="author@example.org")
    uid = _assessment(store, {"en": "Needs to review"})
    with catalog_db.session() as session:
        session.add(Workflow(id="WF-1", record_identifier=uid, type="publishNationalRecord", state="running",
                             revision=1, government="ws", created_by="author@example.org",
                             created_at=dt.datetime(2025, 3, 1, 9, 30), data={}))
    checklist = template("qaRecordReview")
    checklist["header"]["languages"] = ["en"]
    for key, value in list(checklist.items()):
        if isinstance(value, dict) and "comment" in value:
            value["comment"] = {"en": f"{key} looks fine"}
    checklist["linksWorking"] = {"result": {"identifier": "QA-FAIL"}, "comment": {"en": "Two dead links"}}
    checklist["overallComment"] = {"en": "Fix the links"}
    checklist.pop("reviewedRecord", None)
    review.reject(catalog_db, "WF-1", "Two links are broken", actor="reviewer@example.org",
                  checklist=copy.deepcopy(checklist))
    with catalog_db.session() as session:
        checklist_id = session.get(Workflow, "WF-1").data["localDecision"]["checklist"]

    path = tmp_path / "checklist.pdf"
    path.write_bytes(record_report_pdf(catalog_db, checklist_id, lang="en"))
    text = _squash(pdf_text(path))
    assert "Links are working" in text or "links" in text.lower()
    assert "Fail" in text and "Two dead links" in text and "Pass" in text
    assert "Decision: rejected. Reason: Two links are broken" in text
    assert f"Record reviewed: {uid}" in text

    path = tmp_path / "record.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid, lang="en"))
    text = _squash(pdf_text(path))
    assert "Decision: rejected. Reason: Two links are broken" in text
    assert "rejected" in text and "reviewer@example.org" in text  # the audit trail row


def test_unknown_record_is_a_key_error(catalog_db):
    with pytest.raises(KeyError):
        record_report_pdf(catalog_db, "NO-SUCH-RECORD-0000")
