"""Figures for the dashboard: records by state and type, overdue reviews, and the national
needs set against the Aichi Targets and the action plan. Plain data for charts; call from
the database worker thread."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from focalpoint.db import Database
from focalpoint.models import CatalogActivity, Record, Workflow, WorkflowState, utcnow
from focalpoint.review import REVIEW_AGE_LIMIT

ACTIVITY_ID = re.compile(r"(\d+)$")


@dataclass
class Dashboard:
    """The dashboard's figures as plain data: record counts by status, type and sync state,
    pending and overdue reviews, needs by Aichi Target and action-plan section, and the
    action-plan activities covered by at least one need (in total and by section)."""

    by_status: dict[str, int] = field(default_factory=dict)
    by_schema: dict[str, int] = field(default_factory=dict)
    by_sync_state: dict[str, int] = field(default_factory=dict)
    pending_reviews: int = 0
    overdue_reviews: int = 0
    needs_by_aichi_target: dict[int, int] = field(default_factory=dict)  # 1..20
    needs_by_section: dict[str, int] = field(default_factory=dict)  # A..D
    activities_covered: int = 0
    activities_total: int = 0
    covered_by_section: dict[str, tuple[int, int]] = field(default_factory=dict)  # covered, total


def _target_number(term: Any) -> int | None:
    if isinstance(term, dict) and isinstance(term.get("identifier"), str):
        m = re.search(r"(\d+)$", term["identifier"])
        if m and 1 <= int(m.group(1)) <= 20:
            return int(m.group(1))
    return None


def _activity_number(ref: Any) -> int | None:
    if isinstance(ref, dict) and isinstance(ref.get("identifier"), str):
        m = ACTIVITY_ID.search(ref["identifier"].split("@")[0])
        if m:
            return int(m.group(1))
    return None


def compute(db: Database, *, now: dt.datetime | None = None) -> Dashboard:
    """Count everything the dashboard shows in one read-only transaction (``now`` decides which
    reviews are overdue). Database worker."""
    now = now or utcnow()
    out = Dashboard()
    with db.session() as session:
        alive = Record.deleted.is_(False)
        for col, target in ((Record.status, out.by_status), (Record.schema, out.by_schema),
                            (Record.sync_state, out.by_sync_state)):
            for key, count in session.execute(select(col, func.count()).where(alive).group_by(col)):
                target[key] = int(count)
        running = list(session.scalars(select(Workflow.created_at).where(Workflow.state == WorkflowState.RUNNING)))
        out.pending_reviews = len(running)
        out.overdue_reviews = sum(1 for t in running if now - t > REVIEW_AGE_LIMIT)

        section_of = dict(session.execute(select(CatalogActivity.number, CatalogActivity.section)).all())
        out.activities_total = len(section_of)
        targets: Counter[int] = Counter()
        sections: Counter[str] = Counter()
        covered: set[int] = set()
        docs = session.scalars(select(Record.document).where(alive, Record.schema == "capacityNeedsAssessment"))
        for doc in docs:
            for need in doc.get("needs") or []:
                if not isinstance(need, dict):
                    continue
                for n in {_target_number(t) for t in need.get("aichiTargets") or []}:
                    if n is not None:
                        targets[n] += 1
                acts = {a for a in map(_activity_number, need.get("actionPlanActivities") or []) if a is not None}
                covered |= acts
                for sec in {section_of.get(a) for a in acts}:
                    if sec is not None:
                        sections[sec] += 1
        out.needs_by_aichi_target = {n: targets.get(n, 0) for n in range(1, 21)}
        out.needs_by_section = {s: sections.get(s, 0) for s in "ABCD"}
        out.activities_covered = len(covered & set(section_of))
        for sec in "ABCD":
            in_sec = {n for n, s in section_of.items() if s == sec}
            out.covered_by_section[sec] = (len(in_sec & covered), len(in_sec))
    return out
