"""Fillable forms: filled in as a PDF reader does (pypdf writing /V, as readers save), read back
by ``focalpoint import-pdf`` into a new draft equal to what was typed, in any script."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from focalpoint.pdf import FormOptions, blank_form_pdf, read_filled_pdf
from tests.support.pdf_forms import fill_form
from tests.support.poppler import ink_ratio, require_poppler

SCHEMA = "capacityNeedsAssessment"

# What a participant types and ticks, by field name, and the document it must become.
FILLED = {
    "government": "Samoa",
    "title:en": "Needs <b>& priorities</b> 2025",
    "title:ar": "تقييم الاحتياجات 2025 (CBD)",
    "startDate": "2025-01-01",
    "endDate": "2026-06-30",
    "responsibleOrganization": "EXAMPLE-ORGANIZATION-0001",
    "contacts:0": "EXAMPLE-CONTACT-0001",
    "summary:en": "Line one\nЛиния два — 第三行",
    "needs:0:title:en": "Taxonomy training",
    "needs:0:title:ar": "تدريب على التصنيف",
    "needs:0:cbdSubjects=CBD-SUBJECT-AGR": "/Yes",
    "needs:0:cbdSubjects=CBD-SUBJECT-FOR": "/Yes",
    "needs:0:aichiTargets=AICHI-TARGET-19": "/Yes",
    "needs:0:actionPlanActivities": "12, 45",
    "needs:0:gap:en": "No trained taxonomists",
    "needs:0:gap:ar": "لا يوجد خبراء",
    "needs:0:capacityLevel": "/CAPACITY-NONE",
    "needs:0:priority": "/PRIORITY-HIGH",
    "needs:0:assistanceTypes=ASSISTANCE-TRAINING": "/Yes",
    "needs:0:estimatedCost:amount": "25000",
    "needs:0:estimatedCost:currency": "USD",
    "needs:0:coFinancingAvailable": "/false",
    "relevantDocuments:0:url": "https://www.cbd.int/",
}
EXPECTED = {
    "header": {"schema": SCHEMA, "languages": ["en", "ar"]},
    "government": {"identifier": "ws"},
    "title": {"en": "Needs <b>& priorities</b> 2025", "ar": "تقييم الاحتياجات 2025 (CBD)"},
    "startDate": "2025-01-01",
    "endDate": "2026-06-30",
    "responsibleOrganization": {"identifier": "EXAMPLE-ORGANIZATION-0001"},
    "contacts": [{"identifier": "EXAMPLE-CONTACT-0001"}],
    "summary": {"en": "Line one\nЛиния два — 第三行"},
    "needs": [{
        "title": {"en": "Taxonomy training", "ar": "تدريب على التصنيف"},
        "cbdSubjects": [{"identifier": "CBD-SUBJECT-AGR"}, {"identifier": "CBD-SUBJECT-FOR"}],
        "aichiTargets": [{"identifier": "AICHI-TARGET-19"}],
        "actionPlanActivities": [{"identifier": "CBD-CB-ACTION-PLAN-2017-12"},
                                 {"identifier": "CBD-CB-ACTION-PLAN-2017-45"}],
        "gap": {"en": "No trained taxonomists", "ar": "لا يوجد خبراء"},
        "capacityLevel": {"identifier": "CAPACITY-NONE"},
        "priority": {"identifier": "PRIORITY-HIGH"},
        "assistanceTypes": [{"identifier": "ASSISTANCE-TRAINING"}],
        "estimatedCost": {"amount": 25000, "currency": "USD"},
        "coFinancingAvailable": False,
    }],
    "relevantDocuments": [{"url": "https://www.cbd.int/"}],
}


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fillable") / "cna-en-ar.pdf"
    path.write_bytes(blank_form_pdf(SCHEMA, FormOptions(lang="en", lang2="ar", fillable=True)))
    return path


def _without_identifier(document: dict) -> dict:
    doc = copy.deepcopy(document)
    doc["header"].pop("identifier", None)
    return doc


def test_fields_are_named_after_properties_and_carry_the_form_code(blank):
    reader = PdfReader(str(blank))
    fields = reader.get_fields()
    for name in ("title:en", "title:ar", "needs:0:gap:ar", "needs:2:priority", "needs:0:cbdSubjects=CBD-SUBJECT-AGR",
                 "needs:0:estimatedCost:currency"):
        assert name in fields, name
    assert fields["fp:code"]["/V"] == f"FP1|{SCHEMA}|1|en|ar"
    acro = reader.trailer["/Root"]["/AcroForm"]
    assert acro["/NeedAppearances"] is True or bool(acro["/NeedAppearances"])
    font = acro["/DR"]["/Font"]["/FPSans"].get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    descendant = font["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded whole, for any typed character
    widgets = {annot.get_object().get("/T"): annot.get_object() for annot in reader.pages[0]["/Annots"]}
    assert {"title:ar", "title:en"} <= widgets.keys(), sorted(map(str, widgets))
    assert widgets["title:ar"]["/DA"].startswith("/FPSans") and widgets["title:ar"]["/Q"] == 2  # right-aligned
    assert widgets["title:en"]["/DA"].startswith("/FPSans") and widgets["title:en"].get("/Q", 0) == 0


def test_filled_form_round_trips_through_import_pdf(blank, tmp_path, data_dir, capsys):
    from focalpoint.cli import run
    from focalpoint.db import open_database
    from focalpoint.records import RecordStore

    filled = fill_form(blank, FILLED, tmp_path / "filled.pdf")
    code = run(["--data-dir", str(data_dir), "import-pdf", "--json", str(filled)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report[0]["notRead"] == []
    identifier = report[0]["identifier"]
    db = open_database(data_dir)
    try:
        view = RecordStore(db).get(identifier)
    finally:
        db.close()
    assert view is not None and view.status == "draft"
    assert _without_identifier(view.document) == EXPECTED


def test_what_cannot_be_read_is_reported_not_guessed(blank, tmp_path):
    values = dict(FILLED, **{"startDate": "1 March 2025", "needs:0:actionPlanActivities": "12, 999",
                             "government": "Atlantis", "needs:0:estimatedCost:amount": "lots"})
    result = read_filled_pdf(fill_form(blank, values, tmp_path / "bad.pdf"))
    reasons = {(n.field, n.value) for n in result.not_read}
    assert ("startDate", "1 March 2025") in reasons
    assert ("needs:0:actionPlanActivities", "999") in reasons
    assert ("government", "Atlantis") in reasons
    assert ("needs:0:estimatedCost:amount", "lots") in reasons
    assert "startDate" not in result.document
    assert result.document["needs"][0]["actionPlanActivities"] == [{"identifier": "CBD-CB-ACTION-PLAN-2017-12"}]


def test_a_printed_form_or_a_foreign_pdf_is_refused(tmp_path, data_dir):
    from focalpoint.db import open_database
    from focalpoint.pdf import import_filled_pdfs

    printed = tmp_path / "printed.pdf"
    printed.write_bytes(blank_form_pdf("contact", FormOptions(lang="en")))
    foreign = tmp_path / "foreign.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with foreign.open("wb") as fh:
        writer.write(fh)
    db = open_database(data_dir)
    try:
        report = import_filled_pdfs(db, [printed, foreign, tmp_path / "missing.pdf"])
    finally:
        db.close()
    assert not report.ok and report.imported == []
    assert all(f.error for f in report.files)


def test_poppler_draws_cyrillic_typed_into_a_field_with_the_embedded_font(tmp_path):
    """poppler (Evince, Okular) rebuilds field appearances (NeedAppearances) with the /DA font:
    our embedded DejaVu Sans, so Cyrillic typed in a field shows; with Helvetica it would not."""
    form = tmp_path / "qa.pdf"
    form.write_bytes(blank_form_pdf("qaRecordReview", FormOptions(lang="ru", fillable=True)))
    writer = PdfWriter(clone_from=PdfReader(str(form)))
    long_text = "Оценка потребностей " * 12
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"mandatoryFieldsComplete:comment:ru": long_text},
                                             auto_regenerate=True)
    # drop pypdf's own appearance so the picture is poppler's, built from /DA and /DR
    for annot in writer.pages[0]["/Annots"]:
        annot = annot.get_object()
        if annot.get("/T") == "mandatoryFieldsComplete:comment:ru" and "/AP" in annot:
            del annot["/AP"]
    filled = tmp_path / "qa-filled.pdf"
    with filled.open("wb") as fh:
        writer.write(fh)
    assert ink_ratio(filled, dpi=50) > ink_ratio(form, dpi=50) + 0.002


def _type_with_pdfium(source: Path, target: Path, entries: list[tuple[str, str]]) -> None:
    """Click into each field and type, key by key, in PDFium (the engine of Chrome and Edge)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(source))
    pdf.init_forms()
    form = pdf.formenv.raw
    page = pdf[0]
    raw.FORM_OnAfterLoadPage(page.raw, form)
    rects = {}
    for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, i)
        size = raw.FPDFAnnot_GetFormFieldName(form, annot, None, 0)
        buf = (ctypes.c_ushort * (size // 2 + 1))()
        raw.FPDFAnnot_GetFormFieldName(form, annot, buf, size)
        rect = raw.FS_RECTF()
        raw.FPDFAnnot_GetRect(annot, rect)
        rects[bytes(buf)[:size - 2].decode("utf-16-le")] = rect
    for name, text in entries:
        rect = rects[name]
        x, y = (rect.left + rect.right) / 2, (rect.bottom + rect.top) / 2
        raw.FORM_ForceToKillFocus(form)
        raw.FORM_OnMouseMove(form, page.raw, 0, x, y)
        raw.FORM_OnLButtonDown(form, page.raw, 0, x, y)
        raw.FORM_OnLButtonUp(form, page.raw, 0, x, y)
        for ch in text:
            raw.FORM_OnChar(form, page.raw, 0x0D if ch == "\n" else ord(ch), 0)
    raw.FORM_ForceToKillFocus(form)
    pdf.save(str(target))
    page.close()
    pdf.close()


@pytest.mark.parametrize("lang,typed", [
    ("ar", "تقييم الاحتياجات 2019 (CBD)\nسطر ثان"),
    ("zh", "能力建设需求评估 CBD 2019"),
    ("ru", "Оценка потребностей\nвторая строка"),
])
def test_text_typed_in_pdfium_imports_exactly(tmp_path, lang, typed):
    pytest.importorskip("pypdfium2", reason="pypdfium2 (PDFium, Chrome's PDF engine) is a test-only extra")
    form = tmp_path / "qa.pdf"
    form.write_bytes(blank_form_pdf("qaRecordReview", FormOptions(lang=lang, fillable=True)))
    typed_pdf = tmp_path / "typed.pdf"
    _type_with_pdfium(form, typed_pdf, [(f"mandatoryFieldsComplete:comment:{lang}", typed),
                                        ("reviewDate", "2025-05-04")])
    result = read_filled_pdf(typed_pdf)
    assert result.error is None and result.not_read == []
    assert result.document["mandatoryFieldsComplete"] == {"comment": {lang: typed}}
    assert result.document["reviewDate"] == "2025-05-04"
    assert result.document["header"]["languages"] == [lang]
