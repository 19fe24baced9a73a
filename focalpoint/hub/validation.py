"""The hub's use of ``focalpoint.forms``: the same validation code as the client.

Imported lazily, so the hub starts even while the forms package is incomplete.
Draft saves refuse only *structural* faults (wrong JSON types, properties the form
does not have, an unknown schema); a draft may be incomplete. A publication
request, and its approval, need a document with no error at all.

Any thread may call these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from focalpoint.hub.errors import HubError

STRUCTURAL_CODES = frozenset({"Error.InvalidType", "Error.InvalidProperty"})


def known_schemas() -> tuple[str, ...] | None:
    """The record types the forms package knows, or None when it cannot say."""
    try:
        from focalpoint.forms.model import schemas
    except ImportError:
        return None
    return schemas()


def check_schema(schema: Any) -> str:
    """``schema`` itself when the hub knows it; else 400 ``Error.UnknownSchema``."""
    if not isinstance(schema, str) or not schema:
        raise HubError(400, "Error.UnknownSchema", "The document names no schema (header.schema).")
    known = known_schemas()
    if known is not None and schema not in known:
        raise HubError(400, "Error.UnknownSchema", f"The schema '{schema}' is not known to this hub.",
                       schema=schema)
    return schema


def is_national_schema(schema: str, document: dict[str, Any]) -> bool:
    """True for national records; asks the form definition, else looks for a government."""
    try:
        from focalpoint.forms.model import is_national
        return bool(is_national(schema))
    except (ImportError, KeyError):
        return isinstance(document.get("government"), dict)


def _json_safe(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_json_safe(v) for v in value)
    return False


def validation_errors(document: dict[str, Any],
                      reference_exists: Callable[[str], bool] | None = None) -> list[dict[str, Any]]:
    """``[{"code", "property", "params"?}]`` from ``focalpoint.forms.validate``."""
    try:
        from focalpoint.forms import validate
    except ImportError:  # the forms package is not there: accept
        return []
    out: list[dict[str, Any]] = []
    for error in validate(document, reference_exists=reference_exists):
        item: dict[str, Any] = {"code": error.code, "property": error.property}
        params = {k: (list(v) if isinstance(v, tuple) else v)
                  for k, v in (getattr(error, "params", None) or {}).items() if _json_safe(v)}
        if params:
            item["params"] = params
        out.append(item)
    return out


def structural_errors(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors a draft may not have: wrong types, unknown properties, a bad header."""
    return [e for e in validation_errors(document)
            if e["code"] in STRUCTURAL_CODES or e["property"] == "header" or e["property"].startswith("header.")]


def raise_if_errors(errors: list[dict[str, Any]], message: str) -> None:
    if errors:
        raise HubError(422, "Error.Validation", message, errors=errors)
