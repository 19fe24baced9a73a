"""Old FocalPoint term codes → the CHM's own thesaurus terms.

Before FocalPoint spoke to the real clearing-house it used codes of its own for some
vocabularies (``ORGANIZATION-GOVERNMENT``, ``SCOPE-NATIONAL``, ``CBD-SUBJECT-DRY``, …).
``resources/vocabularies/legacy-codes.json`` says what each one becomes: a real term
identifier, or the CHM's "Other" term with a ``customValue`` holding the old label in six
languages. :func:`upgrade_terms` applies it to one document; migration ``0004`` applies it
to every stored document and ``records import`` to every imported one.

Old codes are unique strings that no CHM identifier uses, so a term ``{"identifier": OLD}``
is recognized wherever it sits in a document, whatever the field.

Any thread may call these functions; the table is read once and never changes.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from typing import Any

from focalpoint.resources import resource_path

LEGACY_CODES_FILE = "legacy-codes.json"

_lock = threading.Lock()
_table: dict[str, dict[str, Any]] | None = None


def legacy_table() -> Mapping[str, dict[str, Any]]:
    """Every old code → the term it becomes (``{"identifier": …}`` and maybe ``customValue``)."""
    global _table
    with _lock:
        if _table is None:
            path = resource_path("vocabularies") / LEGACY_CODES_FILE
            with path.open(encoding="utf-8") as fh:
                raw = json.load(fh)
            flat: dict[str, dict[str, Any]] = {}
            for vocab, mapping in raw["map"].items():
                for old, new in mapping.items():
                    if old in flat:
                        raise ValueError(f"{path}: {old} is mapped twice (second time in {vocab})")
                    flat[old] = new
            _table = flat
        return _table


def upgraded_term(term: Mapping[str, Any]) -> dict[str, Any] | None:
    """The real term an old-code term becomes; None when ``term`` needs no change.

    A ``customValue`` the person wrote is kept; the old label goes in only when there was none.
    Every other key of the term is kept as it is.
    """
    ident = term.get("identifier")
    if not isinstance(ident, str):
        return None
    target = legacy_table().get(ident)
    if target is None:
        return None
    out = dict(term)
    out["identifier"] = target["identifier"]
    if "customValue" in target and not out.get("customValue"):
        out["customValue"] = copy.deepcopy(target["customValue"])
    return out


def _walk(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            new, moved = _walk(item)
            out[key] = new
            changed = changed or moved
        upgraded = upgraded_term(out)
        if upgraded is not None:
            return upgraded, True
        return (out, True) if changed else (value, False)
    if isinstance(value, list):
        items = [_walk(item) for item in value]
        if any(moved for _, moved in items):
            return [new for new, _ in items], True
        return value, False
    return value, False


def upgrade_terms(document: Any) -> Any:
    """``document`` with every old FocalPoint code replaced by its CHM term (a new object).

    Pure: the argument is never modified; what is not an old code is returned as it is,
    so a document with no old code comes back equal to the one given.
    """
    new, _ = _walk(document)
    return copy.deepcopy(new)  # shares nothing with the argument


def has_legacy_terms(document: Any) -> bool:
    """True when ``document`` holds at least one old FocalPoint code."""
    return _walk(document)[1]
