"""Links between national needs (records) and action-plan activities. DB worker functions.

A capacity needs assessment names the action-plan activities a need relates to with
``{"identifier": "CBD-CB-ACTION-PLAN-2017-<n>"}`` (``focalpoint.forms`` kind
``activity``). The activity's detail pane lists the needs linking to it, found through
the records' full-text index (which holds every string of a document) and then
checked exactly by walking the documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.models import Record
from focalpoint.records import search_record_ids

ACTIVITY_PREFIX = "CBD-CB-ACTION-PLAN-2017-"
NEEDS_SCHEMAS = ("capacityNeedsAssessment", "nationalCapacityNeedsAssessment")


def activity_identifier(number: int) -> str:
    return f"{ACTIVITY_PREFIX}{number}"


def activity_number(identifier: Any) -> int | None:
    if not isinstance(identifier, str) or not identifier.startswith(ACTIVITY_PREFIX):
        return None
    tail = identifier[len(ACTIVITY_PREFIX):]
    return int(tail) if tail.isdigit() else None


def _item_title(item: dict[str, Any]) -> dict[str, str] | str | None:
    for key in ("title", "name", "need", "description", "summary"):
        value = item.get(key)
        if isinstance(value, dict) and any(isinstance(v, str) and v for v in value.values()):
            return {k: v for k, v in value.items() if isinstance(v, str)}
        if isinstance(value, str) and value:
            return value
    return None


def _mentions(value: Any, identifier: str) -> bool:
    if isinstance(value, dict):
        if value.get("identifier") == identifier:
            return True
        return any(_mentions(v, identifier) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, identifier) for v in value)
    return False


def linked_items(document: dict[str, Any], identifier: str) -> Iterator[dict[str, Any] | None]:
    """The list items (needs) of ``document`` that reference ``identifier``; None for the whole record."""
    found_in_item = False
    for key, value in document.items():
        if key == "header" or not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, dict) and _mentions(item, identifier) and not (
                    item.get("identifier") == identifier and len(item) <= 2):
                found_in_item = True
                yield item
    if not found_in_item and _mentions({k: v for k, v in document.items() if k != "header"}, identifier):
        yield None


def needs_linked_to_activity(session: Session, number: int) -> list[dict[str, Any]]:
    """Every need (record + item) that names activity ``number``, as plain dicts."""
    identifier = activity_identifier(number)
    ids = search_record_ids(session, identifier)
    if not ids:
        return []
    out: list[dict[str, Any]] = []
    rows = session.scalars(select(Record).where(Record.identifier.in_(ids), Record.deleted.is_(False))
                           .order_by(Record.updated_at.desc()))
    for rec in rows:
        for item in linked_items(rec.document, identifier):
            out.append({"record": rec.identifier, "schema": rec.schema, "record_title": dict(rec.title or {}),
                        "need_title": _item_title(item) if item is not None else None,
                        "status": rec.status})
    return out


def activity_numbers_in(document: dict[str, Any]) -> list[int]:
    """Activity numbers a document references, in first-seen order."""
    seen: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            n = activity_number(value.get("identifier"))
            if n is not None and n not in seen:
                seen.append(n)
            for k, v in value.items():
                if k != "header":
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(document)
    return seen
