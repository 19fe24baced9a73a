"""Printed blank forms, read back with poppler as a reader would: text in reading order in
all six languages, only embedded fonts, real ink on the page, bilingual and Letter variants,
the page code on every page. poppler-utils missing is a failure, not a skip."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from focalpoint.forms import load_form, schemas
from focalpoint.i18n import LANGUAGES, localize
from focalpoint.pdf import FormOptions, blank_form_pdf
from tests.support.poppler import (
    ink_ratio,
    logical_arabic,
    page_count,
    pdf_fonts,
    pdf_text,
    require_poppler,
    visual_arabic,
    visual_of_logical,
)

SCHEMA = "capacityNeedsAssessment"


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()  # raises with an installation hint: the tests fail, they do not skip


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    out = {}
    folder = tmp_path_factory.mktemp("forms")
    for lang in LANGUAGES:
        path = folder / f"{SCHEMA}-{lang}.pdf"
        path.write_bytes(blank_form_pdf(SCHEMA, FormOptions(lang=lang)))
        out[lang] = path
    return out


_BRACKETS = str.maketrans("()[]{}", "||||||")


def _squash(text: str) -> str:
    """NFKC, no whitespace, brackets folded (RTL brackets are printed as their mirror image)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_BRACKETS)


def _expected_labels(lang: str) -> list[str]:
    """Section titles and field labels of the form, in the order they are printed (first copy)."""
    form = load_form(SCHEMA)
    labels: list[str] = []
    for section in form.sections:
        labels.append(localize(section.title, lang))
        for fld in section.fields:
            if not fld.printed:
                continue
            labels.append(localize(fld.label, lang))
            for member in fld.fields:
                if member.printed:
                    labels.append(localize(member.label, lang))
    return labels


def _assert_in_order(haystack: str, needles: list[str], lang: str) -> None:
    pos = 0
    for needle in needles:
        found = haystack.find(needle, pos)
        assert found >= 0, f"{lang}: label {needle!r} missing after position {pos} of the extracted text"
        pos = found + len(needle)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "ar"])
def test_labels_print_in_reading_order(printed, lang):
    text = _squash(pdf_text(printed[lang]))
    _assert_in_order(text, [_squash(label) for label in _expected_labels(lang)], lang)


def test_arabic_labels_print_joined_in_reading_order(printed):
    """pdftotext gives an Arabic line in logical order (inside RLE…PDF marks) with the joined
    presentation forms; NFKC folds those back to the letters that were typed. Labels that mix
    in digits or Latin are checked in visual order instead."""
    lines = pdf_text(printed["ar"]).splitlines()
    logical = _squash("".join(logical_arabic(line) for line in lines))
    visual = "\n".join(visual_arabic(line) for line in lines)
    labels = _expected_labels("ar")
    pure = [lab for lab in labels if not re.search(r"[0-9A-Za-z]", lab)]
    assert len(pure) > 20
    _assert_in_order(logical, [_squash(lab) for lab in pure], "ar")
    for lab in labels:
        if lab not in pure:
            assert _squash(visual_of_logical(lab)) in _squash(visual), lab
    # the letters really are joined: presentation forms, not the isolated base letters
    raw = "".join(lines)
    assert any(0xFE70 <= ord(ch) <= 0xFEFF for ch in raw)
    assert not any(0x0621 <= ord(ch) <= 0x064A for ch in raw)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_font_is_embedded_and_the_page_is_not_blank(printed, lang):
    fonts = pdf_fonts(printed[lang])
    assert fonts, "pdffonts lists no font at all"
    assert all(f.embedded for f in fonts), [f.name for f in fonts if not f.embedded]
    assert all(f.subset for f in fonts), "fonts are embedded whole, not as subsets"
    assert ink_ratio(printed[lang], page=1, dpi=50) > 0.01


def test_fonts_follow_the_script(printed):
    names = {lang: " ".join(f.name for f in pdf_fonts(printed[lang])) for lang in LANGUAGES}
    assert "NotoSansArabic" in names["ar"]
    assert "DroidSansFallback" in names["zh"]
    assert "DroidSansFallback" not in names["ru"] and "NotoSansArabic" not in names["ru"]


@pytest.mark.parametrize("lang", ["fr", "ar", "zh"])
def test_page_numbers_and_form_code_on_every_page(printed, lang):
    pages = page_count(printed[lang])
    assert pages >= 2
    for page in (1, pages):
        text = pdf_text(printed[lang], first=page, last=page)
        assert f"FP1|{SCHEMA}|{load_form(SCHEMA).version}|{lang}" in text
        assert str(pages) in text and str(page) in text


def test_bilingual_letter_form_has_both_languages(tmp_path):
    path = tmp_path / "fr-en.pdf"
    path.write_bytes(blank_form_pdf(SCHEMA, FormOptions(lang="fr", lang2="en", paper="letter")))
    text = _squash(pdf_text(path))
    _assert_in_order(text, [_squash(label) for label in _expected_labels("fr")], "fr")
    assert _squash(localize(load_form(SCHEMA).sections[0].fields[1].label, "en")) in text
    assert f"FP1|{SCHEMA}|{load_form(SCHEMA).version}|fr|en" in pdf_text(path, first=1, last=1)
    from pypdf import PdfReader

    box = PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_choice_fields_print_every_term(tmp_path):
    from focalpoint.forms import vocabulary

    path = tmp_path / "es.pdf"
    path.write_bytes(blank_form_pdf(SCHEMA, FormOptions(lang="es")))
    text = _squash(pdf_text(path))
    for term in vocabulary("priorities"):
        assert _squash(localize(term.label, "es")) in text


@pytest.mark.parametrize("schema", sorted(schemas()))
def test_every_record_type_and_checklist_prints(tmp_path, schema):
    path = tmp_path / f"{schema}.pdf"
    path.write_bytes(blank_form_pdf(schema, FormOptions(lang="ru")))
    text = _squash(pdf_text(path))
    form = load_form(schema)
    assert _squash(localize(form.label, "ru")) in text
    for fld in form.fields:
        if fld.printed:
            assert _squash(localize(fld.label, "ru")) in text, fld.name


def test_a_field_added_to_the_definition_appears_on_the_printed_form(tmp_path, monkeypatch):
    from focalpoint.forms import model
    from focalpoint.pdf import blank

    form = load_form("contact")
    extra = model.Field(name="badgeName", kind="text",
                        label={"en": "Name on the workshop badge", "fr": "Nom sur le badge"})
    section = form.sections[0]
    changed = model.FormDefinition(
        schema=form.schema, version=form.version + 1, national=form.national, label=form.label, help=form.help,
        sections=(model.Section(section.name, section.title, section.help, section.fields + (extra,)),
                  *form.sections[1:]))
    monkeypatch.setattr(blank, "load_form", lambda schema: changed)
    path = tmp_path / "contact.pdf"
    path.write_bytes(blank_form_pdf("contact", FormOptions(lang="fr")))
    text = pdf_text(path)
    assert "Nom sur le badge" in text
    assert f"FP1|contact|{form.version + 1}|fr" in text
