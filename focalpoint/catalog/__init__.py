"""The short-term action plan (2017–2020) of decision XIII/23, as shipped data in the local store.

``resources/action_plan/action_plan.json`` (made from the official Chinese text by
``tools/gen_action_plan.py``) is loaded into the catalogue tables on first start
and again whenever the shipped data changes (its hash is kept in ``meta``).
Translations made for the project live beside it in ``translations/<lang>.json``
and are merged in, marked as unofficial.

Functions take a ``Database`` or a ``Session`` and return plain data; call them
from the database worker thread or the CLI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from focalpoint.db import Database, get_meta, set_meta
from focalpoint.fileio import write_atomic
from focalpoint.i18n import LANGUAGES, localize
from focalpoint.models import (
    CatalogActivity,
    CatalogGlossary,
    CatalogParagraph,
    CatalogSection,
    CatalogTargetGroup,
)
from focalpoint.resources import resource_path
from focalpoint.textsearch import index_body
from focalpoint.textsearch import search as text_search

LOADER_VERSION = "1"
META_HASH_KEY = "catalog.data_hash"
META_OFFICIAL_KEY = "catalog.official_languages"


def action_plan_dir() -> Path:
    """The shipped action-plan folder (``action_plan.json`` and ``translations/``). Any thread."""
    return resource_path("action_plan")


def user_translations_dir(data_dir: Path) -> Path:
    """The folder for texts supplied by the person (an official text replacing a project
    translation), inside ``data_dir``; it may not exist yet. Any thread."""
    return data_dir / "action_plan" / "translations"


def _overlay_files(folder: Path, extra: Path | None = None) -> list[Path]:
    """Translation overlays by language; one in ``extra`` replaces the shipped one."""
    by_lang: dict[str, Path] = {}
    for tdir in (folder / "translations", extra):
        if tdir is not None and tdir.is_dir():
            for path in sorted(tdir.glob("*.json")):
                by_lang[path.stem] = path
    return [by_lang[k] for k in sorted(by_lang)]


def data_hash(folder: Path | None = None, extra: Path | None = None) -> str:
    """A SHA-256 over the plan and every translation overlay (shipped and in ``extra``): when it
    changes, the catalogue is loaded again. Reads the files; any thread."""
    folder = folder or action_plan_dir()
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for path in [folder / "action_plan.json", *_overlay_files(folder, extra)]:
        if path.exists():
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------ merging translations


def _put(target: dict[str, Any], lang: str, value: Any) -> None:
    if isinstance(value, str) and value.strip():
        target[lang] = value


def _merge_list(items: list[dict[str, Any]], lang: str, values: Any) -> None:
    if isinstance(values, list):
        for item, value in zip(items, values, strict=False):
            _put(item, lang, value)


def merge_translation(plan: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Add one language's texts (an overlay file) into the plan, in place; empty or missing texts
    are skipped. Pure; any thread."""
    lang = overlay["language"]
    sections = overlay.get("sections", {})
    for sec in plan["sections"]:
        _put(sec["title"], lang, sections.get(sec["code"]))
    groups = overlay.get("target_groups", {})
    for grp in plan["target_groups"]:
        _put(grp["title"], lang, groups.get(str(grp["id"])))
    acts = overlay.get("activities", {})
    for act in plan["activities"]:
        tr = acts.get(str(act["number"]))
        if not tr:
            continue
        for key in ("text", "decisions", "timeframe"):
            _put(act[key], lang, tr.get(key))
        _merge_list(act["outputs"], lang, tr.get("outputs"))
        _merge_list(act["indicators"], lang, tr.get("indicators"))
        _merge_list([p["text"] for p in act["partners"]], lang, tr.get("partners"))
        notes = tr.get("footnotes", {})
        for fn in act.get("footnotes", []):
            _put(fn["text"], lang, notes.get(str(fn["number"])))
    paras = overlay.get("paragraphs", {})
    for para in plan["paragraphs"]:
        tr = paras.get(str(para["number"]))
        if not tr:
            continue
        _put(para["text"], lang, tr.get("text"))
        items = tr.get("items", {})
        for item in para.get("items", []):
            _put(item["text"], lang, items.get(item["label"]))
    gloss = overlay.get("glossary", {})
    for entry in plan["glossary"]:
        _put(entry["name"], lang, gloss.get(entry["abbreviation"]))


def load_plan(folder: Path | None = None, extra: Path | None = None) -> dict[str, Any]:
    """The action plan with every shipped (and person-supplied) language merged in, and its
    ``official_languages`` and ``translated_languages``. Reads files only; any thread."""
    folder = folder or action_plan_dir()
    plan: dict[str, Any] = json.loads((folder / "action_plan.json").read_text(encoding="utf-8"))
    official = list(plan.get("official_languages", ["zh"]))
    translated: list[str] = []
    for path in _overlay_files(folder, extra):
        overlay = json.loads(path.read_text(encoding="utf-8"))
        merge_translation(plan, overlay)
        if overlay.get("official"):
            official.append(overlay["language"])
        else:
            translated.append(overlay["language"])
    plan["official_languages"] = sorted(set(official))
    plan["translated_languages"] = sorted(set(translated) - set(official))
    return plan


# ----------------------------------------------------------------------------- loading


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out: list[str] = []
        for item in value.values():
            out += _flatten(item)
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            out += _flatten(item)
        return out
    return []


def _search_body(act: dict[str, Any], glossary: dict[str, dict[str, Any]]) -> str:
    parts = [str(act["number"])]
    for key in ("text", "decisions", "timeframe", "outputs", "indicators", "partners"):
        parts += _flatten(act.get(key))
    for partner in act.get("partners", []):
        for abbr in partner.get("glossary", []):
            entry = glossary.get(abbr)
            if entry:
                parts += _flatten(entry["name"])
    return index_body(parts)


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
    with db.session() as session:
        if get_meta(session, META_HASH_KEY) == digest:
            return False
        load_into(session, load_plan(folder, extra))
        set_meta(session, META_HASH_KEY, digest)
    return True


class TranslationImportError(ValueError):
    """A translation file that cannot be installed; the message (translated) names the file and
    what is wrong with it."""


def import_translation(db: Database, source: Path, *, official: bool) -> str:
    """Install a language's text of the action plan (for example an official text when the
    Secretariat supplies one), replacing the shipped translation. Checked whole before anything
    is written; returns the language code. Raises :class:`TranslationImportError` for an
    unreadable, unknown-language or incomplete file. The file is written atomically into the data
    folder, then the catalogue is reloaded: database worker (or the CLI)."""
    from focalpoint.i18n import _

    try:
        overlay = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranslationImportError(_("Cannot read {path}: {detail}").format(path=source, detail=exc)) from exc
    lang: str | None = overlay.get("language") if isinstance(overlay, dict) else None
    if lang not in LANGUAGES:
        raise TranslationImportError(_("{path} does not name one of the six UN languages in \"language\".").format(path=source))
    plan = json.loads((action_plan_dir() / "action_plan.json").read_text(encoding="utf-8"))
    missing = translation_problems(overlay, plan)
    if missing:
        raise TranslationImportError(_("{path} is incomplete ({count} problems), for example: {first}").format(
            path=source, count=len(missing), first=missing[0]))
    overlay["official"] = bool(official)
    target_dir = user_translations_dir(db.data_dir)
    write_atomic(target_dir / f"{lang}.json", json.dumps(overlay, ensure_ascii=False, indent=1).encode("utf-8"))
    ensure_catalog(db)
    return lang


def translation_problems(overlay: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """What an overlay lacks compared with the official data, one line a problem (empty when
    complete; see ``focalpoint.catalog.overlay_check``). Pure; any thread."""
    from focalpoint.catalog.overlay_check import problems

    return problems(overlay, plan)


# ------------------------------------------------------------------------------ reading


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


def _summary(act: CatalogActivity) -> ActivitySummary:
    return ActivitySummary(number=act.number, section=act.section, target_group_id=act.target_group_id,
                           aichi_targets=tuple(act.aichi_targets or ()), priority=act.priority,
                           secretariat=act.secretariat, text=dict(act.text),
                           timeframe=dict(act.timeframe or {}))


def search_numbers(session: Session, query: str) -> list[int]:
    """Activity numbers whose text (any language), partners or decisions contain ``query``.

    Every word of the query must be there, in any order, normalized as the index is
    (``focalpoint.textsearch``: case, accents, Arabic hamza, harakat and tatweel folded).
    Words of three characters or more are answered by the trigram index, ranked;
    shorter ones (two Chinese characters, say) are checked with LIKE among those rows,
    or scan the 110 rows when no word is longer. A bare number also finds that activity.
    Reads in the caller's transaction; database worker.
    """
    query = query.strip()
    if not query:
        return []
    numbers = [int(n) for n in text_search(session, "catalog_fts AS f", "f.number", query,
                                           terms_table="catalog_fts_terms", ranked=True)]
    if query.isdigit() and 1 <= int(query) <= 999 and int(query) not in numbers:
        exists = session.get(CatalogActivity, int(query))
        if exists is not None:
            numbers.insert(0, int(query))
    elif query.isdigit() and int(query) in numbers:
        numbers.remove(int(query))
        numbers.insert(0, int(query))
    return numbers


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
