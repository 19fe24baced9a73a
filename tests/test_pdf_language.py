"""A printed form or report is entirely in its language (a bilingual form: in its two languages):
every string FocalPoint prints is looked up in the document's language and marked for extraction,
so the translation pass finds it. Real PDFs, read back with poppler. Also: the running header never
prints its title over the version note or identifier (an Arabic report with a long title did).

The catalogues may not yet translate a string: the checks compare with the string's translation in
that language, and apply once there is one (the English text must then be gone, the translation
there). The extraction check needs no catalogue."""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from focalpoint.forms import load_form, template
from focalpoint.i18n import N_, gettext_for
from focalpoint.pdf import FormOptions, blank_form_pdf, record_report_pdf
from tests.support.poppler import pdf_text, require_poppler

PDF_DIR = Path(__file__).resolve().parent.parent / "focalpoint" / "pdf"
SCHEMAS = ("capacityNeedsAssessment", "contact", "qaRecordReview")
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*(?:![rsa])?\}")
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)

# The strings the forms and reports must never show in English once translated (a few of them,
# named here so that a change that stops printing them through the catalogue is noticed).
KNOWN = [N_("Form version {version}"), N_("Tick all that apply."), N_("Identifier"), N_("Local revision"),
         N_("Write clearly inside the boxes. Square boxes: tick every one that applies; round boxes: tick only "
            "one. Fields marked * are required."),
         N_("Fill in this form on screen and save it, then send it back. Square boxes: tick every one that "
            "applies; round boxes: tick only one. Fields marked * are required.")]


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


# ---------------------------------------------------------------- the strings printed

def _extract(path: Path, keywords) -> set[str]:
    from babel.messages.extract import extract_from_file

    return {msg if isinstance(msg, str) else msg[0]
            for _line, msg, _comments, _ctx in extract_from_file("python", str(path), keywords=keywords)}


def routed_strings() -> set[str]:
    """Every string the printing code marks for translation (the project's extraction keywords)."""
    from focalpoint.tools.i18n_build import KEYWORDS

    out: set[str] = set()
    for path in sorted(PDF_DIR.glob("*.py")):
        if path.name != "importer.py":  # its messages are for the interface, not printed
            out |= _extract(path, KEYWORDS)
    return out


def test_every_string_the_pdfs_print_is_marked_for_extraction():
    """A literal handed to Printer.tr/tr2/both/own_label is translated at print time but never reaches
    the catalogues unless it is also marked (N_), so it would print in English for good."""
    from focalpoint.tools.i18n_build import KEYWORDS

    unmarked = {}
    for path in sorted(PDF_DIR.glob("*.py")):
        printed = _extract(path, {"tr": None, "tr2": None, "both": None, "own_label": None})
        missing = printed - _extract(path, KEYWORDS)
        if missing:
            unmarked[path.name] = sorted(missing)
    assert unmarked == {}
    assert set(KNOWN) <= routed_strings()


# ------------------------------------------------------------------- text comparison

def _flat(text: str) -> str:
    """pdftotext's text on one line: whitespace runs as one space, bidi marks removed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_MARKS).split())


def _folded(text: str) -> str:
    """Letters only as typed: NFKC (joined Arabic forms back to letters), no marks, no whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_MARKS)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Mn")


def _needle(message: str, params: dict[str, object]) -> str:
    """The English text to look for: the whole message when its placeholders are known, else its
    longest literal piece."""
    try:
        return " ".join(message.format(**params).split())
    except (KeyError, IndexError):
        return max((" ".join(p.split()) for p in PLACEHOLDER.split(message) if p), key=len, default="")


def _english_in(text: str, needle: str) -> bool:
    if len(re.findall(r"[A-Za-z]", needle)) < 2:
        return False
    return re.search(r"(?<![A-Za-z])" + re.escape(needle) + r"(?![A-Za-z])", text) is not None


def _words(translation: str) -> list[str]:
    """The words of a translation (placeholders left out), folded as :func:`_folded`."""
    literal = " ".join(p for p in PLACEHOLDER.split(translation) if p)
    words = (_folded(w) for w in re.findall(r"\w+", unicodedata.normalize("NFKC", literal)))
    return [w for w in words if w]


def _literal_pieces(message: str) -> list[str]:
    return [" ".join(p.split()) for p in PLACEHOLDER.split(message) if len(re.findall(r"[A-Za-z]", p)) >= 2]


def _check(lang: str, translated: str, looked_up: set[tuple[str, str]], params: dict[str, object], *,
           english_allowed: set[str] = frozenset(), tooltips: str = "") -> list[str]:
    """What is wrong with the ``lang`` PDF's text, for every string its build looked up in ``lang``.

    A string not translated yet prints in English until the translation pass: its English is left
    out before looking for the English of the others (an untranslated "Decision: rejected" holds the
    translated "rejected")."""
    messages = sorted(m for code, m in looked_up if code == lang)
    flat = _flat(translated)
    untranslated = [m for m in messages if gettext_for(lang, m) == m]
    for piece in sorted({p for m in untranslated for p in _literal_pieces(m)}, key=len, reverse=True):
        flat = flat.replace(piece, " ")
    folded = _folded(translated + "\n" + tooltips)  # a translated hint may show only as a tooltip
    problems = []
    for message in messages:
        translation = gettext_for(lang, message)
        if translation == message:
            continue  # not translated yet: the translation pass fills it in
        needle = _needle(message, params)
        if message not in english_allowed and _english_in(flat, needle):
            problems.append(f"{lang}: English {needle!r} printed")
        missing = [w for w in _words(translation) if w not in folded]
        if missing:
            problems.append(f"{lang}: translation of {message!r} missing ({missing})")
    return problems


@pytest.fixture
def lookups(monkeypatch) -> set[tuple[str, str]]:
    """Every (language, message) the PDF code looks up while the test builds its PDFs."""
    from focalpoint.pdf import common, document

    seen: set[tuple[str, str]] = set()

    def recording(lang: str, message: str) -> str:
        seen.add((lang, message))
        return gettext_for(lang, message)

    monkeypatch.setattr(common, "gettext_for", recording)
    monkeypatch.setattr(document, "gettext_for", recording)
    return seen


# -------------------------------------------------------------------------- documents

def _tooltips(path: Path) -> list[str]:
    """The fields' tooltips (/TU): where a fillable form shows the hint of a box the field fills."""
    from pypdf import PdfReader

    return [str(annot.get_object()["/TU"]) for page in PdfReader(str(path)).pages
            for annot in page.get("/Annots", []) or [] if "/TU" in annot.get_object()]


def _form_text(tmp_path: Path, schema: str, lang: str, lang2: str | None = None,
               fillable: bool = False) -> tuple[str, str]:
    """What a reader shows of the form: its text, and the fields' tooltips (a fillable form's hints)."""
    path = tmp_path / f"{schema}-{lang}-{lang2}-{fillable}.pdf"
    path.write_bytes(blank_form_pdf(schema, FormOptions(lang=lang, lang2=lang2, fillable=fillable)))
    return pdf_text(path), "\n".join(_tooltips(path))


TITLES = {"ar": "تقييم الاحتياجات الوطنية من القدرات في مجال التنوع البيولوجي وبناء القدرات والتعاون التقني والعلمي",
          "zh": "国家能力需求评估：生物多样性能力建设、技术和科学合作以及信息交换所机制的需求与优先事项",
          "en": "National assessment of capacity needs for biodiversity, technical and scientific cooperation"}


def _report(db, lang: str) -> str:
    """A needs assessment in ``lang`` with a rejected publication request (review lines, history)."""
    from focalpoint import review
    from focalpoint.models import Workflow
    from focalpoint.records import RecordStore

    store = RecordStore(db, actor="author@example.org")
    doc = template("capacityNeedsAssessment")
    doc["header"]["languages"] = [lang]
    doc["title"] = {lang: TITLES[lang]}
    doc.pop("relevantDocuments", None)  # the template's link is English user data
    uid = store.save(doc).identifier
    wf = f"WF-{lang}-{uid[:8]}"
    with db.session() as session:
        session.add(Workflow(id=wf, record_identifier=uid, type="publishNationalRecord", state="running",
                             revision=1, government="ws", created_by="author@example.org",
                             created_at=dt.datetime(2025, 3, 1, 9, 30), data={}))
    checklist = template("qaRecordReview")
    checklist["header"]["languages"] = [lang]
    checklist.pop("reviewedRecord", None)
    review.reject(db, wf, "x", actor="reviewer@example.org", checklist=copy.deepcopy(checklist))
    return uid


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_blank_and_fillable_forms_print_only_in_their_language(tmp_path, lookups, lang):
    problems = []
    for schema in SCHEMAS:
        for fillable in (False, True):
            lookups.clear()
            translated, tooltips = _form_text(tmp_path, schema, lang, fillable=fillable)
            problems += [f"{schema} fillable={fillable}: {p}" for p in
                         _check(lang, translated, lookups, {"version": load_form(schema).version},
                                tooltips=tooltips)]
    assert problems == []
    assert {m for _lang, m in lookups} & set(KNOWN)


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_reports_print_only_in_their_language(catalog_db, tmp_path, lookups, lang):
    uid = _report(catalog_db, lang)
    lookups.clear()
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(record_report_pdf(catalog_db, uid, lang=lang))
    assert {N_("Identifier"), N_("Local revision")} <= {m for _lang, m in lookups}
    assert _check(lang, pdf_text(path), lookups, {}) == []


def test_a_bilingual_arabic_english_form_prints_in_both_its_languages(tmp_path, lookups):
    schema = "capacityNeedsAssessment"
    params = {"version": load_form(schema).version}
    bilingual, _tips = _form_text(tmp_path, schema, "ar", "en")
    second = {m for code, m in lookups if code == "en"}  # printed in both languages
    assert {N_("Form version {version}"), N_("Tick all that apply.")} <= second
    assert _check("ar", bilingual, lookups, params, english_allowed=second) == []
    flat = _flat(bilingual)
    for message in second:  # the second language is there too
        assert _english_in(flat, _needle(gettext_for("en", message), params)), message


def test_the_checks_see_english_where_a_translation_was_expected(monkeypatch):
    """The comparison itself: an English label left on a translated page is found."""
    import sys

    message = N_("Identifier")
    fake = "\u0627\u0644\u0645\u0639\u0631\u0651\u0641"
    monkeypatch.setattr(sys.modules[__name__], "gettext_for",
                        lambda lang, msg: fake if msg == message else msg)
    problems = _check("ar", "Identifier F00", {("ar", message)}, {})
    assert any("English 'Identifier' printed" in p for p in problems)
    assert any("translation of 'Identifier' missing" in p for p in problems)
    assert _check("ar", f"\u202b{fake}\u202c F00", {("ar", message)}, {}) == []


# ----------------------------------------------------------------------- the header

def _words_of_page(path: Path, page: int = 1) -> tuple[float, list[tuple[float, float, float, float, str]]]:
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))
    pg = root.find(".//page")
    words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
             for w in root.iter("word")]
    return float(pg.get("height")), words


def _header_problems(path: Path) -> list[str]:
    from reportlab.lib.units import mm

    from focalpoint.pdf.document import MARGIN_TOP

    _height, words = _words_of_page(path)
    rule = 14.5 * mm  # the line under the header, from the top of the page
    header = [w for w in words if w[1] < rule]
    body = [w for w in words if w[1] >= rule and w[1] < MARGIN_TOP + 40 * mm]
    problems = []
    assert len(header) >= 2, header
    for i, a in enumerate(header):
        if a[3] > rule + 1:
            problems.append(f"header word {a[4]!r} reaches below the header's rule")
        for b in header[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            if overlap > 0.5 and min(a[3], b[3]) > max(a[1], b[1]):
                problems.append(f"header words {a[4]!r} and {b[4]!r} overprint each other")
    if body and header and max(w[3] for w in header) > min(w[1] for w in body) + 0.5:
        problems.append("the header runs into the page's content")
    return problems


@pytest.mark.parametrize("lang", ["ar", "zh", "en"])
def test_report_header_does_not_overprint_its_title(catalog_db, tmp_path, lang):
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(record_report_pdf(catalog_db, _report(catalog_db, lang), lang=lang))
    assert _header_problems(path) == []
    # the identifier (the header's version note) is printed whole
    flat = _flat(pdf_text(path, first=1, last=1))
    assert re.search(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", flat)


def test_bilingual_form_header_does_not_overprint(tmp_path):
    path = tmp_path / "ar-en.pdf"
    path.write_bytes(blank_form_pdf("qaRecordReview", FormOptions(lang="ar", lang2="en")))
    assert _header_problems(path) == []
