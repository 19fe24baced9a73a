"""The hub's use of ``focalpoint.forms``: the same validation code as the client.

Every CHM record type is welcome: a document of a schema the hub has no form for
is stored with only its header checked (``focalpoint.forms`` reports it as the
warning ``Warning.NoForm``). Draft saves refuse only *structural* faults (wrong
JSON types, a bad header); a draft may be incomplete. A publication request, and
its approval, need a document with no error at all. Warnings (unknown
properties, terms not in the local thesaurus copy, no form) never refuse anything:
:func:`focalpoint.forms.validate` answers errors only.

Any thread may call these functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from focalpoint.forms import validate
from focalpoint.forms.model import is_national, schemas
from focalpoint.hub.errors import HubError

STRUCTURAL_CODES = frozenset({"Error.InvalidType", "Error.InvalidProperty"})
_SCHEMA_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def known_schemas() -> tuple[str, ...]:
    """The record types the hub has a form for (others are stored, checked by header only)."""
    return schemas()


def check_schema(schema: Any) -> str:
    """``schema`` itself when it is a plausible CHM schema name; else 400 ``Error.UnknownSchema``."""
    if not isinstance(schema, str) or not schema:
        raise HubError(400, "Error.UnknownSchema", "The document names no schema (header.schema).")
    if not _SCHEMA_RE.match(schema):
        raise HubError(400, "Error.UnknownSchema", f"'{schema[:80]}' is not a record type name.",
                       schema=schema[:80])
    return schema


def is_national_schema(schema: str, document: dict[str, Any]) -> bool:
    """True for national records: the form definition says so; without a form, a record that
    names a government is national."""
    if schema in known_schemas():
        return bool(is_national(schema))
    return isinstance(document.get("government"), dict)


def _json_safe(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_json_safe(v) for v in value)
    return False


def validation_errors(document: dict[str, Any],
                      reference_exists: Callable[[str], bool] | None = None) -> list[dict[str, Any]]:
    """``[{"code", "property", "params"?}]``: the errors of ``focalpoint.forms.validate`` (no warnings)."""
    out: list[dict[str, Any]] = []
    for error in validate(document, reference_exists=reference_exists):
        if str(error.code).startswith("Warning."):
            continue  # never a refusal
        item: dict[str, Any] = {"code": error.code, "property": error.property}
        params = {k: (list(v) if isinstance(v, tuple) else v)
                  for k, v in (getattr(error, "params", None) or {}).items() if _json_safe(v)}
        if params:
            item["params"] = params
        out.append(item)
    return out


def structural_errors(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors a draft may not have: wrong JSON types, properties a form forbids, a bad header."""
    return [e for e in validation_errors(document)
            if e["code"] in STRUCTURAL_CODES or e["property"] == "header" or e["property"].startswith("header.")]


def raise_if_errors(errors: list[dict[str, Any]], message: str) -> None:
    if errors:
        raise HubError(422, "Error.Validation", message, errors=errors)
