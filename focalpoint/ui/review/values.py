"""Field values as the words a person reads: dates, numbers and money in the interface
language (Latin digits), terms by their label, localized text per language, groups and
lists one line per member.

Shared by the review screen (the record in full, the changes since publication) and the
conflict dialog (mine / theirs). Pure Python with no Qt: any thread may call it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from focalpoint.forms import model as m
from focalpoint.forms.model import Field, FormDefinition
from focalpoint.i18n import LANGUAGES, _, format_date, format_money, format_number, language_name, localize

Titles = Mapping[str, Mapping[str, str]]  # record identifier -> title map (for references)

#: isolates a tag such as a language name so it never reorders the text beside it
_FSI, _PDI = "\u2068", "\u2069"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _localized_text(value: Mapping[str, Any], lang: str) -> str:
    present = [code for code in value if isinstance(value.get(code), str) and value[code]]
    if not present:
        return ""
    if len(present) == 1:
        return str(value[present[0]])
    order = [lang] + [c for c in LANGUAGES if c != lang] + [c for c in present if c not in LANGUAGES]
    lines = []
    for code in dict.fromkeys(order):
        if code in present:
            name = language_name(code, lang) if code in LANGUAGES else code
            lines.append(_("{language}: {text}").format(language=_FSI + name + _PDI, text=value[code]))
    return "\n".join(lines)


def _term_text(fld: Field, value: Any, lang: str) -> str:
    ident = value.get("identifier") if isinstance(value, dict) else value
    text = str(ident)
    try:
        from focalpoint.forms import vocabulary

        term = vocabulary(fld.vocabulary or "").term(str(ident))
    except (KeyError, AttributeError):
        term = None
    if term is not None:
        text = localize(term.label, lang) or text
    if isinstance(value, dict) and isinstance(value.get("customValue"), dict):
        custom = localize(value["customValue"], lang)
        if custom:
            text = _("{term}: {text}").format(term=text, text=custom)
    return text


def scalar_text(fld: Field | None, value: Any, lang: str, titles: Titles | None = None) -> str:
    """One value (not a list) of field ``fld`` as text; ``fld`` None: a best-effort rendering."""
    if is_empty(value):
        return ""
    kind = fld.kind if fld is not None else None
    try:
        if kind == m.DATE and isinstance(value, str):
            return format_date(dt.date.fromisoformat(value), lang, "long")
        if kind == m.NUMBER and isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_number(value, lang)
        if kind == m.MONEY and isinstance(value, dict) and isinstance(value.get("amount"), (int, float)):
            return format_money(value["amount"], str(value.get("currency") or ""), lang)
    except (ValueError, TypeError, KeyError):
        pass
    if isinstance(value, bool) or kind == m.BOOLEAN:
        return _("Yes") if value is True else _("No") if value is False else str(value)
    if fld is not None and fld.localized and isinstance(value, dict):
        return _localized_text(value, lang)
    if kind in (m.TERM, m.CODE, m.ACTIVITY):
        return _term_text(fld, value, lang)  # type: ignore[arg-type]
    if kind == m.REFERENCE or (isinstance(value, dict) and set(value) == {"identifier"}):
        return reference_text(value, lang, titles, sure=kind == m.REFERENCE)
    if kind == m.LINK and isinstance(value, dict):
        name, url = str(value.get("name") or ""), str(value.get("url") or "")
        return f"{name} — {url}" if name and name != url else url
    if kind == m.ATTACHMENT and isinstance(value, dict):
        name = str(value.get("filename") or value.get("sha256", ""))
        size = value.get("size")
        return _("{name} ({size} bytes)").format(name=name, size=format_number(size, lang)) \
            if isinstance(size, int) else name
    if kind == m.GROUP and isinstance(value, dict) and fld is not None:
        return "\n".join(f"{label}: {text}" for label, text in group_lines(fld, value, lang, titles))
    if fld is None and isinstance(value, dict) and value and all(
            isinstance(k, str) and len(k) == 2 and isinstance(v, str) for k, v in value.items()):
        return _localized_text(value, lang)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def reference_text(value: Any, lang: str, titles: Titles | None = None, *, sure: bool = True) -> str:
    """A reference as the referenced record's name (its title on this computer).

    With ``titles`` given (the records on this computer that the document refers to), a record
    missing from it is said to be missing in words; without, the identifier is shown as it is.
    ``sure`` False: the value may be a term rather than a reference (no form field says): only a
    title found replaces it."""
    ident = str(value.get("identifier", "")) if isinstance(value, dict) else str(value)
    key = ident.split("@", 1)[0]
    if titles is None or (not sure and key not in titles):
        return ident
    if key in titles:
        title = localize(titles.get(key), lang)
        return title or _("(untitled record {identifier})").format(identifier=_FSI + ident + _PDI)
    return _("{identifier} (not on this computer yet: fetched at the next sync)").format(
        identifier=_FSI + ident + _PDI)


def group_lines(fld: Field, value: Mapping[str, Any], lang: str, titles: Titles | None = None
                ) -> Iterator[tuple[str, str]]:
    """(member label, text) for the filled members of one group value."""
    for member in fld.fields:
        text = value_text(member, value.get(member.name), lang, titles)
        if text:
            yield localize(member.label, lang), text.replace("\n", "; ")


def value_text(fld: Field | None, value: Any, lang: str, titles: Titles | None = None) -> str:
    """A field's whole value (a list for repeated fields) as text, one line per item."""
    if is_empty(value):
        return ""
    if isinstance(value, list):
        items = [scalar_text(fld, item, lang, titles) for item in value]
        if fld is not None and fld.kind == m.GROUP:
            return "\n\n".join(_("({n})").format(n=i + 1) + "\n" + text for i, text in enumerate(items) if text)
        return "\n".join(t for t in items if t)
    return scalar_text(fld, value, lang, titles)


def path_value_text(form: FormDefinition | None, path: str, value: Any, lang: str,
                    titles: Titles | None = None) -> str:
    """The text of ``value`` found at a property path (``title.en``, ``needs[1].gap``, ``budget``)."""
    fld = form.field(path) if form is not None else None
    if fld is not None and fld.localized and isinstance(value, str):
        return value  # one language of a localized text
    if fld is not None and fld.repeat and not isinstance(value, list) and path.endswith("]"):
        return scalar_text(fld, value, lang, titles)
    return value_text(fld, value, lang, titles)


# ----------------------------------------------------------------- the whole record


@dataclass(frozen=True)
class Row:
    """One line of a record shown read-only: a label and its text, or a group heading."""

    label: str
    text: str
    depth: int = 0
    heading: bool = False


@dataclass(frozen=True)
class SectionRows:
    title: str
    rows: tuple[Row, ...]


def _field_rows(fld: Field, value: Any, lang: str, titles: Titles | None, depth: int) -> Iterator[Row]:
    if is_empty(value):
        return
    label = localize(fld.label, lang) or fld.name
    if fld.kind == m.GROUP:
        items = value if fld.repeat and isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            heading = _("{label} ({n})").format(label=label, n=i + 1) if fld.repeat else label
            yield Row(heading, "", depth, heading=True)
            for member in fld.fields:
                yield from _field_rows(member, item.get(member.name), lang, titles, depth + 1)
        return
    yield Row(label, value_text(fld, value, lang, titles), depth)


def document_rows(form: FormDefinition, document: Mapping[str, Any], lang: str,
                  titles: Titles | None = None) -> list[SectionRows]:
    """Every filled field of ``document``, section by section, labelled from the form definition."""
    out: list[SectionRows] = []
    known: set[str] = set()
    for section in form.sections:
        rows: list[Row] = []
        for fld in section.fields:
            known.add(fld.name)
            rows.extend(_field_rows(fld, document.get(fld.name), lang, titles, 0))
        if rows:
            out.append(SectionRows(localize(section.title, lang) or section.name, tuple(rows)))
    extra = [Row(key, value_text(None, value, lang, titles)) for key, value in document.items()
             if key not in known and key != "header" and not is_empty(value)]
    if extra:
        out.append(SectionRows(_("Other information"), tuple(extra)))
    return out


def reference_ids(form: FormDefinition, document: Mapping[str, Any]) -> set[str]:
    """Identifiers of the records a document refers to (to look up their titles)."""
    found: set[str] = set()

    def walk(fields: tuple[Field, ...], value: Any) -> None:
        if not isinstance(value, Mapping):
            return
        for fld in fields:
            item = value.get(fld.name)
            items = item if isinstance(item, list) else [item]
            for one in items:
                if fld.kind == m.REFERENCE and isinstance(one, Mapping) and isinstance(one.get("identifier"), str):
                    found.add(one["identifier"].split("@", 1)[0])
                elif fld.kind == m.GROUP:
                    walk(fld.fields, one)

    walk(form.fields, document)
    return found
