"""The loaded action plan as the catalogue shows it, read with plain SQL on a DB-API connection.

This module imports neither SQLAlchemy nor the models, so that the desktop app can list the
action plan from a read-only connection (the standard library's ``sqlite3``) as soon as its
window's frame is painted, before the rest of the app has loaded (``quick_snapshot``). The
DB worker reads the same snapshot through its session's connection (``focalpoint.ui.catalog_data``),
so both show exactly the same list.

``ActivitySummary`` and ``Filters`` live here for the same reason; ``focalpoint.catalog`` (the
SQLAlchemy queries) uses them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from focalpoint.i18n import localize

log = logging.getLogger(__name__)

#: The newest schema revision this FocalPoint ships (the newest script in
#: ``focalpoint/db/migrations/versions``). Bump it with every new migration; a test holds it to
#: Alembic's own head. Here, outside ``focalpoint.db``, so that reading it imports no SQLAlchemy.
HEAD_REVISION = "0008_server_files"

#: The meta key holding the languages whose text of the plan is official.
META_OFFICIAL_KEY = "catalog.official_languages"


class Cursor(Protocol):
    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


class Connection(Protocol):
    """What is read here of a DB-API connection (``sqlite3``'s, or sqlean's under SQLAlchemy)."""

    def execute(self, sql: str, parameters: tuple[Any, ...] = ..., /) -> Cursor: ...


@dataclass(frozen=True)
class ActivitySummary:
    """One action-plan activity as the catalogue's list shows it (plain data, safe across threads)."""

    number: int
    section: str
    target_group_id: int | None
    aichi_targets: tuple[int, ...]
    priority: bool
    secretariat: bool
    text: dict[str, str]
    timeframe: dict[str, str]

    def title(self, lang: str | None = None, limit: int = 140) -> str:
        """The activity's text in ``lang`` (with fallbacks), cut to ``limit`` characters with "…"."""
        value = localize(self.text, lang)
        return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


@dataclass
class Filters:
    """Catalogue filters; None means "any"."""

    section: str | None = None
    aichi_target: int | None = None
    partner: str | None = None  # a glossary abbreviation or any text in a partner's name
    priority: bool | None = None
    secretariat: bool | None = None
    year: int | None = None  # activities whose timeframe includes this year
    query: str | None = None
    numbers: set[int] | None = field(default=None)


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


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def read_snapshot(conn: Connection, *, loaded_now: bool = False, error: str | None = None) -> CatalogSnapshot:
    """The catalogue as stored: sections, target groups, activities by number, the glossary, the
    years the timeframes span and the official languages. In the caller's transaction, on the
    connection's thread."""
    sections = [{"code": code, "title": _json(title)} for code, title in
                conn.execute("SELECT code, title FROM catalog_section ORDER BY position").fetchall()]
    groups = [{"id": ident, "section": section, "title": _json(title), "targets": _json(targets)}
              for ident, section, title, targets in conn.execute(
                  "SELECT id, section, title, targets FROM catalog_target_group ORDER BY position").fetchall()]
    activities = []
    spans: set[int] = set()
    for number, section, group, aichi, priority, secretariat, text, timeframe, start, end in conn.execute(
            "SELECT number, section, target_group_id, aichi_targets, priority, secretariat, text, timeframe, "
            "timeframe_start, timeframe_end FROM catalog_activity ORDER BY number").fetchall():
        activities.append(ActivitySummary(
            number=number, section=section, target_group_id=group,
            aichi_targets=tuple(_json(aichi) or ()), priority=bool(priority), secretariat=bool(secretariat),
            text=dict(_json(text)), timeframe=dict(_json(timeframe) or {})))
        if start is not None and end is not None and end - start < 50:
            spans.update(range(int(start), int(end) + 1))
    partners = [{"abbreviation": abbreviation, "name": _json(name), "address": address}
                for abbreviation, name, address in conn.execute(
                    "SELECT abbreviation, name, address FROM catalog_glossary ORDER BY abbreviation").fetchall()]
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_OFFICIAL_KEY,)).fetchone()
    official = row[0].split(",") if row is not None and row[0] else ["zh"]
    return CatalogSnapshot(sections=sections, target_groups=groups, activities=activities, partners=partners,
                           years=sorted(spans), official_languages=official, loaded_now=loaded_now, error=error)


def quick_snapshot(path: Path) -> CatalogSnapshot | None:
    """The catalogue stored in the database file at ``path``, read through a read-only connection,
    when the file exists, is at this FocalPoint's schema and holds the action plan; else None (the
    app then lists the plan once the database is opened the usual way, which also checks the file
    and explains what is wrong with it). Nothing is written. Any thread (the app's start-up
    helper, before the DB worker exists); the connection is opened and closed here."""
    if not path.is_file():
        return None
    try:
        # no waiting for a lock: a database another process is busy with is listed the usual way
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error as exc:
        log.info("the action plan is listed once the database is open: %s", exc)
        return None
    try:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if version != [(HEAD_REVISION,)]:
            return None
        snapshot = read_snapshot(conn)
    except (sqlite3.Error, ValueError, TypeError) as exc:  # a file that is not what it should be
        log.info("the action plan is listed once the database is open: %s", exc)
        return None
    finally:
        conn.close()
    return snapshot if snapshot.activities else None
