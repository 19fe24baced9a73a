"""The whole catalogue as plain data for JSON. Read-only; database worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.catalog.queries import glossary_entries, official_languages, paragraphs, sections, target_groups
from focalpoint.i18n import LANGUAGES
from focalpoint.models import CatalogActivity

EXPORT_KEYS = ("number", "section", "aichi_targets", "priority", "secretariat", "text", "decisions",
               "timeframe", "outputs", "indicators", "partners")


def export(session: Session) -> dict[str, Any]:
    """The whole catalogue as ``{"activities", "paragraphs", "glossary", "sections",
    "target_groups", "languages"}``, plain data for JSON. Read-only; database worker."""
    acts: list[dict[str, Any]] = []
    for act in session.scalars(select(CatalogActivity).order_by(CatalogActivity.number)):
        acts.append({
            "number": act.number, "section": act.section, "aichi_targets": list(act.aichi_targets or []),
            "priority": act.priority, "secretariat": act.secretariat, "text": act.text,
            "decisions": act.decisions, "timeframe": act.timeframe, "outputs": act.outputs,
            "indicators": act.indicators, "partners": act.partners,
            "target_group": act.target_group_id, "footnotes": act.footnotes,
        })
    official = official_languages(session)
    present = sorted({lang for a in acts for lang in a["text"]})
    return {
        "activities": acts,
        "paragraphs": paragraphs(session),
        "glossary": glossary_entries(session),
        "sections": sections(session),
        "target_groups": target_groups(session),
        "languages": {"official": official, "available": [l for l in LANGUAGES if l in present]},
    }
