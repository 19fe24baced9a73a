"""Example and empty documents built from a form definition.

``template(schema)`` fills every field (except attachments, which need a real
file) with a plausible value, so it passes :func:`focalpoint.forms.validate`
(without a ``reference_exists`` check: its references name placeholder records
``EXAMPLE-CONTACT-0001`` and the like, to be replaced by real ones).

Any thread may call these functions.
"""

from __future__ import annotations

import uuid
from typing import Any

from focalpoint.forms import model as m
from focalpoint.forms.model import Field, load_form
from focalpoint.forms.vocabularies import vocabulary

TEMPLATE_LANGUAGES = ("en", "fr")
_EXAMPLE_WORD = {"ar": "مثال", "en": "example", "es": "ejemplo", "fr": "exemple", "ru": "пример",
                 "zh": "示例"}
_START, _END = "2025-01-01", "2026-12-31"


def _new_identifier() -> str:
    return str(uuid.uuid4()).upper()


def _placeholder_reference(f: Field) -> str:
    target = f.schemas[0] if f.schemas else "record"
    ident = f"EXAMPLE-{target.upper()}-0001"[:128]
    return ident + "@1" if f.require_revision else ident


def _first_term(name: str, preferred: str | None = None) -> str:
    vocab = vocabulary(name)
    if preferred and preferred in vocab:
        return preferred
    for term in vocab:  # a real CHM term first: the example is what the CHM itself would accept
        if not term.custom and not term.focalpoint_only:
            return term.identifier
    for term in vocab:
        if not term.custom:
            return term.identifier
    return vocab.terms[0].identifier


def _text(f: Field, languages: tuple[str, ...]) -> Any:
    if f.kind in m.LOCALIZED_KINDS:
        return {lang: f"{f.label.get(lang) or f.label.get('en', f.name)} ({_EXAMPLE_WORD[lang]})"
                for lang in languages}
    examples = {"email": "focal.point@example.org", "phone": "+1 514 288 2220",
                "decimal": "25000", "url": "https://www.cbd.int/", "partialDate": "2024-12"}
    if f.format in examples:
        return examples[f.format]
    return f"{f.label.get('en', f.name)} (example)"


def _number(f: Field) -> int | float:
    if f.min is not None and f.max is not None:
        value = (f.min + f.max) / 2
    elif f.min is not None:
        value = max(f.min, 1)
    elif f.max is not None:
        value = min(f.max, 1)
    else:
        value = 1
    return int(value) if f.integer or float(value).is_integer() else value


def _value(f: Field, languages: tuple[str, ...], ends: set[str]) -> Any:
    kind = f.kind
    if kind in m.TEXT_KINDS:
        return _text(f, languages)
    if kind == m.DATE:
        return _END if f.name in ends else _START
    if kind == m.NUMBER:
        return _number(f)
    if kind == m.MONEY:
        return {"amount": 25000, "currency": "USD"}
    if kind == m.BOOLEAN:
        return True
    if kind in (m.TERM, m.ACTIVITY):
        return {"identifier": _first_term(f.vocabulary or "", "ws")}
    if kind == m.CODE:
        return _first_term(f.vocabulary or "")
    if kind == m.REFERENCE:
        return {"identifier": _placeholder_reference(f)}
    if kind == m.LINK:
        return {"url": "https://www.cbd.int/", "name": "Convention on Biological Diversity",
                "language": "en"}
    if kind == m.GROUP:
        return _fill(f.fields, languages, {b for _, b in f.date_order})
    return None


def _fill(fields: tuple[Field, ...], languages: tuple[str, ...], ends: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.kind == m.ATTACHMENT:
            continue
        value = _value(f, languages, ends)
        if value is None:
            continue
        out[f.name] = [value] * max(1, f.min_items or 1) if f.repeat else value
    return out


def template(schema: str, *, languages: tuple[str, ...] | list[str] = TEMPLATE_LANGUAGES,
             identifier: str | None = None) -> dict[str, Any]:
    """A complete, valid example document of ``schema`` (a fresh identifier unless given)."""
    form = load_form(schema)
    langs = tuple(languages)
    doc: dict[str, Any] = {"header": {"identifier": identifier or _new_identifier(),
                                      "schema": schema, "languages": list(langs)}}
    doc.update(_fill(form.fields, langs, {b for _, b in form.date_order}))
    return doc


def empty_document(schema: str, *, languages: tuple[str, ...] | list[str] = ("en",),
                   identifier: str | None = None) -> dict[str, Any]:
    """A new, empty draft of ``schema``: just its header (KeyError for an unknown schema)."""
    load_form(schema)
    return {"header": {"identifier": identifier or _new_identifier(), "schema": schema,
                       "languages": list(languages)}}
