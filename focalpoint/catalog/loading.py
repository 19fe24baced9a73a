"""Loading the action plan into the catalogue tables and their search index, again whenever the
shipped data changes. Database worker, or the CLI's only thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from focalpoint.catalog.plan import data_hash, load_plan, user_translations_dir
from focalpoint.catalog.search import _search_body
from focalpoint.db import Database, get_meta, set_meta
from focalpoint.models import (
    CatalogActivity,
    CatalogGlossary,
    CatalogParagraph,
    CatalogSection,
    CatalogTargetGroup,
)
from focalpoint.plan_read import META_OFFICIAL_KEY

META_HASH_KEY = "catalog.data_hash"


def load_into(session: Session, plan: dict[str, Any]) -> None:
    """Replace the catalogue tables and their search index with ``plan`` (inside the caller's
    transaction, which should hold the write lock). Database worker."""
    for model in (CatalogActivity, CatalogTargetGroup, CatalogSection, CatalogParagraph, CatalogGlossary):
        session.execute(delete(model))
    session.execute(text("DELETE FROM catalog_fts"))
    for pos, sec in enumerate(plan["sections"]):
        session.add(CatalogSection(code=sec["code"], title=sec["title"], position=pos))
    session.flush()
    for pos, grp in enumerate(plan["target_groups"]):
        session.add(CatalogTargetGroup(id=grp["id"], section=grp["section"], title=grp["title"],
                                       targets=grp["targets"], position=pos))
    session.flush()
    glossary = {g["abbreviation"]: g for g in plan["glossary"]}
    for act in plan["activities"]:
        session.add(CatalogActivity(
            number=act["number"], section=act["section"], target_group_id=act.get("target_group"),
            aichi_targets=act.get("aichi_targets", []), priority=bool(act.get("priority")),
            secretariat=bool(act.get("secretariat")), text=act["text"], decisions=act.get("decisions", {}),
            timeframe=act.get("timeframe", {}), timeframe_start=act.get("timeframe_start"),
            timeframe_end=act.get("timeframe_end"), outputs=act.get("outputs", []),
            indicators=act.get("indicators", []), partners=act.get("partners", []),
            footnotes=act.get("footnotes", []), notes=act.get("notes", [])))
        session.execute(text("INSERT INTO catalog_fts (number, body) VALUES (:n, :b)"),
                        {"n": act["number"], "b": _search_body(act, glossary)})
    for para in plan["paragraphs"]:
        session.add(CatalogParagraph(number=para["number"], text=para["text"], items=para.get("items", [])))
    for entry in plan["glossary"]:
        session.add(CatalogGlossary(abbreviation=entry["abbreviation"], name=entry["name"],
                                    address=entry.get("address")))
    official = ",".join(plan.get("official_languages", ["zh"]))
    set_meta(session, META_OFFICIAL_KEY, official)


def ensure_catalog(db: Database, folder: Path | None = None) -> bool:
    """Load the shipped action plan if the store lacks it or it changed. Returns True if loaded.

    One transaction (the tables are replaced whole or not at all). Database worker, or the CLI's
    only thread."""
    extra = user_translations_dir(db.data_dir)
    digest = data_hash(folder, extra)
    with db.session(write=True) as session:
        if get_meta(session, META_HASH_KEY) == digest:
            return False
        load_into(session, load_plan(folder, extra))
        set_meta(session, META_HASH_KEY, digest)
    return True
