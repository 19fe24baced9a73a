"""Interface catalogues: complete, current with the source, compiling, placeholders intact."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from focalpoint import i18n
from focalpoint.tools import i18n_build


def _catalog(lang: str):
    with i18n_build.po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def test_template_is_current_with_the_source():
    """Every string the code translates is in messages.pot (run `make translations` after adding one)."""
    in_source = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_build.extract() if m.id}
    with i18n_build.POT.open("rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(in_source - template)
    assert not missing, f"{len(missing)} strings not extracted, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_catalogue_complete_and_placeholders_match(lang):
    problems = i18n_build.problems(lang)
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} problems)"
    with i18n_build.POT.open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    have = {m.id for m in _catalog(lang) if m.id}
    assert template <= have, f"{len(template - have)} messages missing from {lang}"


@pytest.mark.parametrize("lang", [l for l in i18n.LANGUAGES if l != "en"])
def test_catalogue_is_really_translated(lang):
    """Not English copied over: most messages differ from their source."""
    messages = [m for m in _catalog(lang) if m.id and isinstance(m.id, str) and len(m.id) > 12]
    same = [m.id for m in messages if m.string == m.id]
    assert len(same) <= max(3, len(messages) // 20), same[:10]


def test_compiled_catalogues_translate_at_run_time(tmp_path):
    i18n_build.cmd_compile()
    i18n.reload_catalogues()
    message = "Interrupted."
    seen = {lang: i18n.gettext_for(lang, message) for lang in i18n.LANGUAGES}
    assert seen["en"] == message
    assert len(set(seen.values())) == 6, seen


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_language_is_a_babel_locale_with_latin_digits(lang):
    locale = Locale.parse(lang)
    assert locale.language == lang
    text = i18n.format_number(1234567, lang)
    assert all(ch.isascii() or not ch.isdigit() for ch in text), text
    assert "2026" in i18n.format_date(dt.date(2026, 11, 23), lang)


def test_localize_falls_back_sensibly():
    assert i18n.localize({"fr": "Bonjour", "en": "Hello"}, "fr") == "Bonjour"
    assert i18n.localize({"zh": "你好", "en": "Hello"}, "ar") == "Hello"
    assert i18n.localize({"zh": "你好"}, "ru") == "你好"
    assert i18n.localize(None) == ""


def test_system_language_follows_locale(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    # the process locale is the last resort (Windows sets no variables): a German one here
    monkeypatch.setattr(i18n._locale, "getlocale", lambda *args: ("de_DE", "UTF-8"))
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    assert i18n.system_language() == "fr"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.system_language() == "en"  # no UN language named anywhere: English
    monkeypatch.setenv("LANGUAGE", "de:ru:fr")
    assert i18n.system_language() == "ru"  # the first UN language of the preference list
    monkeypatch.delenv("LANGUAGE")
    monkeypatch.delenv("LANG")
    monkeypatch.setattr(i18n._locale, "getlocale", lambda *args: ("es_ES", "UTF-8"))
    assert i18n.system_language() == "es"


def test_pseudo_localization_lengthens_and_keeps_placeholders(monkeypatch):
    monkeypatch.setenv("FOCALPOINT_PSEUDO", "1")
    out = i18n._("There is no record {identifier}.")
    assert "{identifier}" in out and len(out) > len("There is no record {identifier}.")
    monkeypatch.setenv("FOCALPOINT_PSEUDO_RTL", "1")
    assert i18n.is_rtl("en")


def test_no_translation_call_hides_inside_an_f_string():
    """Babel cannot see ``_()`` inside f-strings, so such text would never reach the catalogues."""
    import ast
    from pathlib import Path

    root = Path(i18n_build.ROOT) / "focalpoint"
    hidden = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and \
                            inner.func.id in ("_", "ngettext", "pgettext"):
                        hidden.append(f"{path.relative_to(root.parent)}:{inner.lineno}")
    assert not hidden, hidden
