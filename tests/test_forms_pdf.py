"""Every form, the new ``resource`` included, prints blank and filled in Arabic and Chinese, and the
printed text carries the form's labels (real PDFs rendered and read back with poppler)."""

from __future__ import annotations

import unicodedata

import pytest

from focalpoint.forms import load_form, schemas, template
from focalpoint.i18n import localize
from focalpoint.pdf import FormOptions, blank_form_pdf, record_report_pdf
from focalpoint.records import RecordStore
from tests.support.poppler import logical_arabic, pdf_text, require_poppler


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def _squash(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def _readable(path, lang: str) -> str:
    text = pdf_text(path)
    return _squash(logical_arabic(text) if lang == "ar" else text)


@pytest.mark.parametrize("lang", ["ar", "zh"])
@pytest.mark.parametrize("schema", sorted(schemas()))
def test_blank_form_prints(tmp_path, schema, lang):
    path = tmp_path / f"{schema}-{lang}.pdf"
    path.write_bytes(blank_form_pdf(schema, FormOptions(lang=lang)))
    text = _readable(path, lang)
    assert f"|{schema}|" in pdf_text(path, first=1, last=1)
    if lang == "zh":  # Arabic shaping makes a label search there unreliable; the form code is enough
        form = load_form(schema)
        assert _squash(localize(form.label, lang)) in text
        printed = [f for f in form.fields if f.printed]
        assert _squash(localize(printed[-1].label, lang)) in text


@pytest.mark.parametrize("lang", ["ar", "zh"])
@pytest.mark.parametrize("schema", sorted(schemas()))
def test_filled_record_prints(db, tmp_path, schema, lang):
    doc = template(schema, languages=[lang])
    view = RecordStore(db, actor="test").save(doc)
    path = tmp_path / f"{schema}-{lang}-filled.pdf"
    path.write_bytes(record_report_pdf(db, view.identifier, lang=lang))
    assert path.stat().st_size > 1000
    if lang == "zh":
        text = _readable(path, lang)
        title_field = next((f for f in load_form(schema).fields if f.localized and f.required), None)
        if title_field is not None and isinstance(doc.get(title_field.name), dict):
            assert _squash(doc[title_field.name][lang])[:6] in text


def test_a_filled_in_resource_form_reads_back_as_a_valid_resource(tmp_path):
    """The new VLR form as a fillable PDF (English and Chinese): typed in as a PDF reader does,
    read back into the document the person meant, GBF targets and the biosafety group included."""
    from pypdf import PdfReader, PdfWriter

    from focalpoint.forms import validate
    from focalpoint.pdf import read_filled_pdf

    blank = tmp_path / "resource.pdf"
    blank.write_bytes(blank_form_pdf("resource", FormOptions(lang="en", lang2="zh", fillable=True)))
    values = {
        "title:en": "Seagrass monitoring handbook", "title:zh": "海草监测手册",
        "resourceTypes=6E27B530-7639-4091-AF58-9D61A77B4A28": "/Yes",
        "authors:en": "A. Diallo; M. Chen", "authors:zh": "A. Diallo; M. Chen",
        "publicationDate": "2024-12",
        "resourceLinks:0:url": "https://www.cbd.int/",
        "summary:en": "How to monitor seagrass.", "summary:zh": "如何监测海草。",
        "gbfTargets=GBF-TARGET-17": "/Yes",
        "cbdSubjects=CBD-SUBJECT-AGR": "/Yes",
        "biosafety:subjects=B18CE475-8D23-4DEC-A9F1-13F0243C9233": "/Yes",
        "biosafety:addressGenes": "/true",
        "biosafety:genes:0": "FE2DAF79-6F81-4040-74C6-BA2057E0BB0C@3",
    }
    writer = PdfWriter(clone_from=PdfReader(str(blank)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    with filled.open("wb") as fh:
        writer.write(fh)

    result = read_filled_pdf(filled)
    doc = result.document
    assert result.error is None, result.error
    assert doc["header"]["schema"] == "resource"
    assert doc["publicationDate"] == "2024-12"
    assert doc["gbfTargets"] == [{"identifier": "GBF-TARGET-17"}]
    assert doc["biosafety"] == {"subjects": [{"identifier": "B18CE475-8D23-4DEC-A9F1-13F0243C9233"}],
                                "addressGenes": True,
                                "genes": [{"identifier": "FE2DAF79-6F81-4040-74C6-BA2057E0BB0C@3"}]}
    doc["header"]["identifier"] = "FILLED-RESOURCE-0001"
    assert validate(doc) == []
