"""The text layer: every glyph found or reported, markup printed literally, Arabic joined and
ordered right to left with Latin words and digits in place, Chinese broken between characters."""

from __future__ import annotations

import unicodedata

import pytest

from focalpoint.forms import load_form, schemas, vocabulary
from focalpoint.forms.vocabularies import vocabulary_names
from focalpoint.i18n import LANGUAGES, gettext_for
from focalpoint.pdf import MissingGlyphError, covers
from focalpoint.pdf.fonts import ARABIC, CJK, LATIN, font_for
from focalpoint.pdf.text import TextContext, font_runs, make_style, paragraph, prepare
from tests.support.poppler import pdf_fonts, pdf_text, require_poppler

HIEROGLYPH = "\U00013000"  # EGYPTIAN HIEROGLYPH A001: no shipped font has it


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def _build(tmp_path, texts: list[tuple[str, str]]):
    """Paragraphs on FocalPoint's own page (header, footer, embedded fonts only)."""
    from focalpoint.pdf.document import PageDecor, build

    path = tmp_path / "t.pdf"
    story = []
    for lang, text in texts:
        ctx = TextContext(lang)
        story.append(paragraph(text, make_style("b", size=11, rtl=ctx.rtl), ctx, where="test"))
    path.write_bytes(build(story, PageDecor(title="T"), TextContext(texts[0][0])))
    return path


def test_every_label_of_every_form_and_vocabulary_has_glyphs():
    missing = []
    for schema in schemas():
        form = load_form(schema)
        maps = [form.label, form.help] + [s.title for s in form.sections] + [s.help for s in form.sections]
        for _path, fld in form.iter_fields():
            maps += [fld.label, fld.help]
        for value in maps:
            for lang, text in value.items():
                missing += [(schema, lang, ch) for ch in covers(text, lang)]
    for name in vocabulary_names():
        for term in vocabulary(name):
            for lang, text in term.label.items():
                missing += [(name, lang, ch) for ch in covers(text, lang)]
    assert not missing, missing[:10]


def test_a_missing_glyph_raises_naming_the_character_and_where():
    ctx = TextContext("en")
    with pytest.raises(MissingGlyphError) as err:
        font_runs(f"Workshop {HIEROGLYPH} notes", ctx, where="title.en")
    assert err.value.char == HIEROGLYPH
    assert err.value.where == "title.en"
    assert "U+13000" in str(err.value) and "title.en" in str(err.value)


def test_a_missing_glyph_can_be_marked_visibly_and_is_reported(tmp_path):
    ctx = TextContext("en", on_missing="mark")
    runs = font_runs(f"A{HIEROGLYPH}B", ctx, where="summary.en")
    assert "".join(t for _f, t in runs) == "A[U+13000]B"
    assert ctx.glyphs.missing == [(HIEROGLYPH, "summary.en")]


def test_a_missing_glyph_never_vanishes_from_a_paragraph(tmp_path):
    with pytest.raises(MissingGlyphError):
        _build(tmp_path, [("en", f"before {HIEROGLYPH} after")])


def test_markup_in_user_text_prints_literally(tmp_path):
    title = "<b>Bold?</b> & <font name='Courier'>x</font> &amp; <br/> <i>"
    path = _build(tmp_path, [("en", title)])
    assert title in pdf_text(path)


def test_scripts_go_to_their_fonts():
    assert font_for("é", "fr") == LATIN.regular
    assert font_for("Ж", "ru") == LATIN.regular
    assert font_for("ﻻ", "en") == ARABIC.regular      # an Arabic word is never split across faces
    assert font_for("中", "en") == CJK.regular
    assert font_for("A", "zh") == LATIN.regular        # Latin inside Chinese text: the Latin face


def test_mixed_arabic_latin_and_digits_keep_their_order():
    ctx = TextContext("ar")
    logical = "تقييم الاحتياجات 2019 (CBD) مع English"
    visual = "".join(t for _f, t in prepare(logical, ctx))
    folded = unicodedata.normalize("NFKC", visual)
    # reading left to right on the page: the Latin word, then CBD in brackets, then 2019, then Arabic
    assert folded.index("English") < folded.index("CBD") < folded.index("2019")
    assert "(CBD)" in folded and ")CBD(" not in folded, folded  # brackets mirrored for right-to-left text
    assert folded.endswith(unicodedata.normalize("NFKC", "ﺕﺎﺟﺎﻴﺘﺣﻻﺍ ﻢﻴﻴﻘﺗ"))


def test_an_english_title_on_an_arabic_page_keeps_its_direction():
    ctx = TextContext("ar")
    visual = "".join(t for _f, t in prepare("Marine planning (2019)", ctx))
    assert visual == "Marine planning (2019)"


def test_chinese_breaks_between_characters(tmp_path):
    text = "能力建设短期行动计划" * 12
    path = _build(tmp_path, [("zh", text)])
    footer = gettext_for("zh", "Page {page} of {pages}").format(page=1, pages=1)
    lines = [line for line in pdf_text(path).splitlines() if line.strip() and line not in (footer, "T")]
    assert len(lines) >= 2
    assert "".join(lines) == text  # the last line is the page footer


def test_arabic_paragraph_wraps_in_reading_order(tmp_path):
    from tests.support.poppler import logical_arabic

    letters = "بتثجحخسشصضطظعغفقكلمنهي"
    words = [letters[i % 22] + letters[(i * 7) % 22] + "ا" + letters[(i * 5 + 3) % 22] for i in range(70)]
    path = _build(tmp_path, [("ar", " ".join(words))])
    lines = [logical_arabic(line).strip() for line in pdf_text(path).splitlines()]
    footer_word = gettext_for("ar", "Page {page} of {pages}").split()[0]  # the page footer's first word
    lines = [line for line in lines if line and line != "T" and footer_word not in line]
    assert len(lines) >= 2
    # pdftotext gives each right-to-left line in logical order: read top to bottom, the words
    # come back in the order they were written, so lines were broken in logical order
    assert " ".join(lines).split() == words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_fonts_are_embedded_for_each_script(tmp_path, lang):
    samples = {"ar": "العربية", "en": "English", "es": "Español ñ", "fr": "Français œ", "ru": "Русский",
               "zh": "中文"}
    path = _build(tmp_path, [(lang, samples[lang])])
    assert all(f.embedded for f in pdf_fonts(path))
