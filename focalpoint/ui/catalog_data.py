"""What the action-plan browser asks of the database: plain functions for the DB worker.

Each takes the ``Database`` and plain values and returns plain data (dataclasses,
dicts, lists), so the results can cross to the UI thread safely. SQLAlchemy and the
catalogue's queries are imported when a function first runs (on the DB worker), so that
the browser can be shown before they are loaded (``focalpoint.ui.app``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focalpoint.plan_read import CatalogSnapshot, Filters, read_snapshot

if TYPE_CHECKING:
    from focalpoint.db import Database


@dataclass(frozen=True)
class ActivityDetail:
    detail: dict[str, Any]
    linked_needs: list[dict[str, Any]] = field(default_factory=list)


def load_snapshot(db: Database, plan_folder: Path | None = None, ensure: bool = True) -> CatalogSnapshot:
    """Make sure the shipped plan is in the store, then read the catalogue (the same reading as
    the app's start-up list, ``plan_read.read_snapshot``). DB worker."""
    from focalpoint.catalog import ensure_catalog

    loaded = False
    error = None
    if ensure:
        try:
            loaded = ensure_catalog(db, folder=plan_folder)
        except FileNotFoundError as exc:
            error = str(exc)
    with db.session() as session:
        driver = session.connection().connection.driver_connection
        assert driver is not None  # the session's open connection
        return read_snapshot(driver, loaded_now=loaded, error=error)


def filter_numbers(db: Database, filters: Filters) -> list[int]:
    """Activity numbers matching ``filters`` (search results first by relevance). DB worker."""
    from focalpoint.catalog import list_activities

    with db.session() as session:
        return [a.number for a in list_activities(session, filters)]


def load_activity(db: Database, number: int) -> ActivityDetail | None:
    """One activity with every field, and the national needs linked to it. DB worker."""
    from focalpoint.catalog import activity_detail
    from focalpoint.ui.needs_links import needs_linked_to_activity

    with db.session() as session:
        detail = activity_detail(session, number)
        if detail is None:
            return None
        needs = needs_linked_to_activity(session, number)
    return ActivityDetail(detail=detail, linked_needs=needs)
