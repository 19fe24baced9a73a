"""Batch printing (the print dialog's engine) and ``focalpoint print``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from focalpoint.pdf import BatchJob, print_batch
from tests.support.poppler import page_count, pdf_text, require_poppler


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def test_one_pdf_with_copies_and_languages(tmp_path):
    single = tmp_path / "one.pdf"
    print_batch([BatchJob(schemas=["contact"], languages=["en"], output=single)])
    per_copy = page_count(single)
    out = tmp_path / "all.pdf"
    seen = []
    written = print_batch([BatchJob(schemas=["contact", "organization"], languages=["en", "es"], copies=2,
                                    output=out)], progress=lambda done, total, what: seen.append((done, total)))
    assert written == [out]
    assert seen[-1] == (4, 4)
    assert page_count(out) > 4 * per_copy  # contact + organization, two languages, twice
    assert not list(tmp_path.glob(".*tmp"))


def test_one_pdf_per_language_on_letter(tmp_path):
    out = tmp_path / "forms.pdf"
    written = print_batch([BatchJob(schemas=["qaQualityStandard"], languages=["ar", "zh", "ru"], paper="letter",
                                    per_language=True, output=out)])
    assert [p.name for p in written] == ["forms-ar.pdf", "forms-zh.pdf", "forms-ru.pdf"]
    for path, lang in zip(written, ["ar", "zh", "ru"], strict=True):
        assert f"|qaQualityStandard|1|{lang}" in pdf_text(path, first=1, last=1)
        box = PdfReader(str(path)).pages[0].mediabox
        assert round(float(box.width)) == 612


def test_cancel_stops_between_forms_and_leaves_no_partial_file(tmp_path):
    out = tmp_path / "forms.pdf"
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 2  # after the first file's form

    written = print_batch([BatchJob(schemas=["contact"], languages=["en", "fr", "es"], per_language=True,
                                    output=out)], cancel=cancel)
    assert written == [tmp_path / "forms-en.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms-en.pdf"]


def test_fillable_jobs_keep_field_names_unique():
    with pytest.raises(ValueError):
        BatchJob(schemas=["contact", "organization"], languages=["en"], fillable=True, output=Path("x.pdf"))
    job = BatchJob(schemas=["contact"], languages=["en", "fr"], fillable=True, output=Path("x.pdf"))
    assert job.per_language


def test_cli_print_form_record_and_catalogue(tmp_path, data_dir, capsys):
    from focalpoint.cli import run
    from focalpoint.db import open_database
    from focalpoint.forms import template
    from focalpoint.records import RecordStore

    form = tmp_path / "cna.pdf"
    assert run(["--data-dir", str(data_dir), "print", "--form", "capacityNeedsAssessment", "--lang", "fr",
                "--lang2", "en", "--paper", "letter", "-o", str(form)]) == 0
    assert "FP1|capacityNeedsAssessment|1|fr|en" in pdf_text(form, first=1, last=1)

    fillable = tmp_path / "fill.pdf"
    assert run(["--data-dir", str(data_dir), "print", "--form", "qaRecordReview", "--lang", "ar", "--fillable",
                "-o", str(fillable)]) == 0
    assert "fp:code" in PdfReader(str(fillable)).get_fields()

    db = open_database(data_dir)
    try:
        uid = RecordStore(db).save(template("contact")).identifier
    finally:
        db.close()
    record = tmp_path / "record.pdf"
    assert run(["--data-dir", str(data_dir), "print", "--record", uid, "--lang", "ru", "-o", str(record)]) == 0
    assert uid in pdf_text(record)

    booklet = tmp_path / "plan.pdf"
    assert run(["--data-dir", str(data_dir), "print", "--catalogue", "--section", "D", "--lang", "en",
                "-o", str(booklet)]) == 0
    assert "Selection: section D" in pdf_text(booklet)

    assert run(["--data-dir", str(data_dir), "print", "--record", "NOPE-NOPE-NOPE", "-o",
                str(tmp_path / "x.pdf")]) == 1
    assert run(["--data-dir", str(data_dir), "print", "--form", "noSuchForm", "-o", str(tmp_path / "x.pdf")]) == 2
    capsys.readouterr()
