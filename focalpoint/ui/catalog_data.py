"""What the action-plan browser asks of the database: plain functions for the DB worker.

Each takes the ``Database`` and plain values and returns plain data (dataclasses,
dicts, lists), so the results can cross to the UI thread safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focalpoint.catalog import (
    ActivitySummary,
    Filters,
    activity_detail,
    ensure_catalog,
    glossary_entries,
    list_activities,
    official_languages,
    sections,
    target_groups,
)
from focalpoint.db import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything the browser needs to draw its tree, list and filters."""

    sections: list[dict[str, Any]]
    target_groups: list[dict[str, Any]]
    activities: list[ActivitySummary]
    partners: list[dict[str, Any]]  # glossary entries: abbreviation, name, address
    years: list[int]
    official_languages: list[str]
    loaded_now: bool = False
    error: str | None = None


@dataclass(frozen=True)
class ActivityDetail:
    detail: dict[str, Any]
    linked_needs: list[dict[str, Any]] = field(default_factory=list)


def load_snapshot(db: Database, plan_folder: Path | None = None, ensure: bool = True) -> CatalogSnapshot:
    """Make sure the shipped plan is in the store, then read the catalogue. DB worker."""
    loaded = False
    error = None
    if ensure:
        try:
            loaded = ensure_catalog(db, folder=plan_folder)
        except FileNotFoundError as exc:
            error = str(exc)
    with db.session() as session:
        acts = list_activities(session)
        years = sorted({y for a in _year_ranges(session) for y in range(a[0], a[1] + 1)})
        return CatalogSnapshot(
            sections=sections(session),
            target_groups=target_groups(session),
            activities=acts,
            partners=glossary_entries(session),
            years=years,
            official_languages=official_languages(session),
            loaded_now=loaded,
            error=error,
        )


def _year_ranges(session: Session) -> list[tuple[int, int]]:
    from sqlalchemy import select

    from focalpoint.models import CatalogActivity

    rows = session.execute(select(CatalogActivity.timeframe_start, CatalogActivity.timeframe_end))
    return [(int(s), int(e)) for s, e in rows if s is not None and e is not None and e - s < 50]


def filter_numbers(db: Database, filters: Filters) -> list[int]:
    """Activity numbers matching ``filters`` (search results first by relevance). DB worker."""
    with db.session() as session:
        return [a.number for a in list_activities(session, filters)]


def load_activity(db: Database, number: int) -> ActivityDetail | None:
    """One activity with every field, and the national needs linked to it. DB worker."""
    from focalpoint.ui.needs_links import needs_linked_to_activity

    with db.session() as session:
        detail = activity_detail(session, number)
        if detail is None:
            return None
        needs = needs_linked_to_activity(session, number)
    return ActivityDetail(detail=detail, linked_needs=needs)
