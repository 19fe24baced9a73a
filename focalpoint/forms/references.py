"""Which values of a document are references to other records. Pure; any thread.

A term (``{"identifier": "86D464C3-…"}``) and a reference (``{"identifier": "1767A775-…@2"}``)
look alike, so the form decides: a field of kind ``reference`` holds references. In a record
type FocalPoint has no form for, and in properties its form does not know, only identifiers
that name a revision (``UID@revision``, as the CHM writes its references) count.
"""

from __future__ import annotations

from typing import Any

from focalpoint.forms import model as m
from focalpoint.forms.model import Field, load_form
from focalpoint.forms.validation import REFERENCE_RE


def _bare(identifier: Any) -> str | None:
    if not isinstance(identifier, str):
        return None
    match = REFERENCE_RE.match(identifier)
    return match.group(1) if match else None


def _revisioned(value: Any, out: set[str]) -> None:
    """Anything shaped ``{"identifier": "UID@rev"}`` inside ``value``."""
    if isinstance(value, dict):
        ident = value.get("identifier")
        if isinstance(ident, str) and "@" in ident and (bare := _bare(ident)):
            out.add(bare)
        for item in value.values():
            _revisioned(item, out)
    elif isinstance(value, list):
        for item in value:
            _revisioned(item, out)


def _by_fields(value: dict[str, Any], fields: tuple[Field, ...], out: set[str]) -> None:
    known = {f.name: f for f in fields}
    for key, item in value.items():
        fld = known.get(key)
        if fld is None:
            _revisioned(item, out)
            continue
        items = item if isinstance(item, list) else [item]
        for one in items:
            if fld.kind == m.REFERENCE and isinstance(one, dict):
                if bare := _bare(one.get("identifier")):
                    out.add(bare)
            elif fld.kind == m.GROUP and isinstance(one, dict):
                _by_fields(one, fld.fields, out)


def reference_identifiers(document: Any) -> set[str]:
    """The records (bare identifiers, without ``@revision``) that ``document`` references."""
    if not isinstance(document, dict):
        return set()
    header = document.get("header")
    schema = header.get("schema") if isinstance(header, dict) else None
    body = {k: v for k, v in document.items() if k != "header"}
    out: set[str] = set()
    try:
        form = load_form(schema) if isinstance(schema, str) else None
    except KeyError:
        form = None
    if form is None:
        _revisioned(body, out)
    else:
        _by_fields(body, form.fields, out)
    return out
