""""Possible support" for a need: local initiatives and resources on the same targets or subjects.

A need of a capacity needs assessment names Aichi targets and CBD subjects; any
capacity-building initiative or resource stored locally that names one of the same is
listed beside it, best overlap first. ``possible_support`` runs on the DB worker.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from focalpoint.db import Database
from focalpoint.models import Record

SUPPORT_SCHEMAS = ("capacityBuildingInitiative", "capacityBuildingResource")
MATCH_FIELDS = ("aichiTargets", "cbdSubjects")


def _identifiers(value: Any, key: str) -> set[str]:
    """Term identifiers under every property named ``key``, at any depth."""
    found: set[str] = set()

    def walk(v: Any, under: bool) -> None:
        if isinstance(v, dict):
            if under and isinstance(v.get("identifier"), str):
                found.add(v["identifier"])
            for k, item in v.items():
                walk(item, under or k == key)
        elif isinstance(v, list):
            for item in v:
                walk(item, under)
        elif under and isinstance(v, str):
            found.add(v)

    walk(value, False)
    return found


def need_terms(need: dict[str, Any]) -> set[str]:
    terms: set[str] = set()
    for key in MATCH_FIELDS:
        terms |= _identifiers(need, key)
    return terms


def possible_support(db: Database, needs: list[dict[str, Any]], limit: int = 20) -> list[list[dict[str, Any]]]:
    """For each need, the local initiatives/resources sharing a target or subject. DB worker."""
    wanted = [need_terms(n) for n in needs]
    if not any(wanted):
        return [[] for _ in needs]
    with db.session() as session:
        rows = session.execute(select(Record.identifier, Record.schema, Record.title, Record.document)
                               .where(Record.schema.in_(SUPPORT_SCHEMAS), Record.deleted.is_(False)))
        candidates = [(i, s, dict(t or {}), need_terms(d)) for i, s, t, d in rows]
    out: list[list[dict[str, Any]]] = []
    for terms in wanted:
        matches = []
        for identifier, schema, title, their in candidates:
            shared = terms & their
            if shared:
                matches.append({"identifier": identifier, "schema": schema, "title": title,
                                "shared": sorted(shared)})
        matches.sort(key=lambda m: (-len(m["shared"]), m["identifier"]))
        out.append(matches[:limit])
    return out
