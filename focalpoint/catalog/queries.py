"""Reading the loaded catalogue: the filtered list of activities, one activity's detail, the
sections, target groups, glossary and paragraphs. Reads in the caller's transaction; database worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.catalog.search import _flatten, search_numbers
from focalpoint.db import get_meta
from focalpoint.models import (
    CatalogActivity,
    CatalogGlossary,
    CatalogParagraph,
    CatalogSection,
    CatalogTargetGroup,
)
from focalpoint.plan_read import META_OFFICIAL_KEY, ActivitySummary, Filters


def _summary(act: CatalogActivity) -> ActivitySummary:
    return ActivitySummary(number=act.number, section=act.section, target_group_id=act.target_group_id,
                           aichi_targets=tuple(act.aichi_targets or ()), priority=act.priority,
                           secretariat=act.secretariat, text=dict(act.text),
                           timeframe=dict(act.timeframe or {}))


def _partner_matches(partners: list[dict[str, Any]], needle: str, glossary: dict[str, dict[str, Any]]) -> bool:
    needle_l = needle.casefold()
    for partner in partners:
        if needle in partner.get("glossary", []):
            return True
        texts = _flatten(partner.get("text"))
        for abbr in partner.get("glossary", []):
            if abbr in glossary:
                texts += _flatten(glossary[abbr]["name"])
        if any(needle_l in t.casefold() for t in texts):
            return True
    return False


def list_activities(session: Session, filters: Filters | None = None) -> list[ActivitySummary]:
    """The activities matching every filter set in ``filters``, by number, or by search rank when
    ``filters.query`` is set. Reads in the caller's transaction; database worker."""
    filters = filters or Filters()
    query = select(CatalogActivity).order_by(CatalogActivity.number)
    if filters.section:
        query = query.where(CatalogActivity.section == filters.section)
    if filters.priority is not None:
        query = query.where(CatalogActivity.priority.is_(filters.priority))
    if filters.secretariat is not None:
        query = query.where(CatalogActivity.secretariat.is_(filters.secretariat))
    if filters.year is not None:
        query = query.where(CatalogActivity.timeframe_start <= filters.year,
                            CatalogActivity.timeframe_end >= filters.year)
    acts = list(session.scalars(query))
    if filters.aichi_target is not None:
        acts = [a for a in acts if filters.aichi_target in (a.aichi_targets or [])]
    if filters.partner:
        glossary = {g.abbreviation: {"name": g.name} for g in session.scalars(select(CatalogGlossary))}
        acts = [a for a in acts if _partner_matches(a.partners, filters.partner, glossary)]
    if filters.numbers is not None:
        acts = [a for a in acts if a.number in filters.numbers]
    if filters.query:
        order = {n: i for i, n in enumerate(search_numbers(session, filters.query))}
        acts = sorted((a for a in acts if a.number in order), key=lambda a: order[a.number])
    return [_summary(a) for a in acts]


def activity_detail(session: Session, number: int) -> dict[str, Any] | None:
    """Every field of one activity, partners joined with the glossary's names and addresses; None
    for an unknown number. Reads in the caller's transaction; database worker."""
    act = session.get(CatalogActivity, number)
    if act is None:
        return None
    glossary = {g.abbreviation: g for g in session.scalars(select(CatalogGlossary))}
    partners = []
    for partner in act.partners:
        entries = [{"abbreviation": a, "name": glossary[a].name, "address": glossary[a].address}
                   for a in partner.get("glossary", []) if a in glossary]
        partners.append({"text": partner["text"], "glossary": entries})
    group = act.target_group
    section = session.get(CatalogSection, act.section)
    return {
        "number": act.number,
        "section": act.section,
        "section_title": section.title if section else {},
        "target_group": {"id": group.id, "title": group.title, "targets": group.targets} if group else None,
        "aichi_targets": list(act.aichi_targets or []),
        "priority": act.priority,
        "secretariat": act.secretariat,
        "text": act.text,
        "decisions": act.decisions,
        "timeframe": act.timeframe,
        "timeframe_start": act.timeframe_start,
        "timeframe_end": act.timeframe_end,
        "outputs": act.outputs,
        "indicators": act.indicators,
        "partners": partners,
        "footnotes": act.footnotes,
        "notes": act.notes,
        "official_languages": official_languages(session),
    }


def official_languages(session: Session) -> list[str]:
    """The languages whose text of the plan is official (Chinese unless an official text was
    installed). Database worker."""
    value = get_meta(session, META_OFFICIAL_KEY)
    return value.split(",") if value else ["zh"]


def sections(session: Session) -> list[dict[str, Any]]:
    """The plan's sections A–D in order, as ``{"code", "title"}``. Database worker."""
    return [{"code": s.code, "title": s.title}
            for s in session.scalars(select(CatalogSection).order_by(CatalogSection.position))]


def target_groups(session: Session) -> list[dict[str, Any]]:
    """The target groups in order, as ``{"id", "section", "title", "targets"}``. Database worker."""
    return [{"id": g.id, "section": g.section, "title": g.title, "targets": g.targets}
            for g in session.scalars(select(CatalogTargetGroup).order_by(CatalogTargetGroup.position))]


def glossary_entries(session: Session) -> list[dict[str, Any]]:
    """The glossary by abbreviation, as ``{"abbreviation", "name", "address"}``. Database worker."""
    return [{"abbreviation": g.abbreviation, "name": g.name, "address": g.address}
            for g in session.scalars(select(CatalogGlossary).order_by(CatalogGlossary.abbreviation))]


def paragraphs(session: Session) -> list[dict[str, Any]]:
    """The decision's numbered paragraphs, as ``{"number", "text", "items"}``. Database worker."""
    return [{"number": p.number, "text": p.text, "items": p.items}
            for p in session.scalars(select(CatalogParagraph).order_by(CatalogParagraph.number))]


def counts(session: Session) -> dict[str, int]:
    """How many activities, paragraphs and glossary entries are loaded. Database worker."""
    from sqlalchemy import func

    return {
        "activities": int(session.scalar(select(func.count()).select_from(CatalogActivity)) or 0),
        "paragraphs": int(session.scalar(select(func.count()).select_from(CatalogParagraph)) or 0),
        "glossary": int(session.scalar(select(func.count()).select_from(CatalogGlossary)) or 0),
    }
