"""The action plan as a booklet: filters select the right activities; the unofficial-translation
notice appears exactly where the language is not official."""

from __future__ import annotations

import re
import unicodedata

import pytest

from focalpoint.catalog import load_plan
from focalpoint.pdf import BookletFilter, booklet_pdf
from tests.support.poppler import pdf_fonts, pdf_text, require_poppler


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def _activity_numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"Activity (\d+)", text)}


def test_booklet_filtered_by_section_has_only_that_section(plan, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(booklet_pdf(lang="en", flt=BookletFilter(section="C"), plan=plan))
    expected = {a["number"] for a in plan["activities"] if a["section"] == "C"}
    assert expected
    assert _activity_numbers(pdf_text(path)) == expected
    assert "Selection: section C" in pdf_text(path)


def test_booklet_filtered_by_aichi_target_and_partner(plan, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(booklet_pdf(lang="en", flt=BookletFilter(aichi_target=11), plan=plan))
    assert _activity_numbers(pdf_text(path)) == {a["number"] for a in plan["activities"]
                                                 if 11 in (a.get("aichi_targets") or [])}
    path.write_bytes(booklet_pdf(lang="en", flt=BookletFilter(partner="UNDP"), plan=plan))
    found = _activity_numbers(pdf_text(path))
    assert found and all(any("UNDP" in p.get("glossary", []) or "UNDP" in str(p.get("text"))
                             for p in plan["activities"][n - 1]["partners"]) for n in found)


def test_whole_booklet_has_every_activity(plan, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(booklet_pdf(lang="en", plan=plan))
    assert _activity_numbers(pdf_text(path)) == {a["number"] for a in plan["activities"]}


@pytest.mark.parametrize("lang", ["fr", "ar", "ru"])
def test_unofficial_translation_notice(plan, tmp_path, lang):
    path = tmp_path / "b.pdf"
    path.write_bytes(booklet_pdf(lang=lang, flt=BookletFilter(section="A"), plan=plan))
    text = unicodedata.normalize("NFKC", pdf_text(path, first=1, last=1))
    assert "中文" in text  # "unofficial translation; official text: 中文" (in the booklet's language)
    assert all(f.embedded for f in pdf_fonts(path))


def test_official_language_has_no_notice(plan, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(booklet_pdf(lang="zh", flt=BookletFilter(section="A"), plan=plan))
    text = pdf_text(path)
    assert "Unofficial translation" not in text and "official text" not in text
    first = plan["activities"][0]["text"]["zh"]
    assert first[:20] in text.replace("\n", "")
