"""Translation overlays of the action plan: finding the overlay files (shipped, and supplied by
the person) and merging one language's texts into the plan. Pure or file-reading; any thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _overlay_files(folder: Path, extra: Path | None = None) -> list[Path]:
    """Translation overlays by language; one in ``extra`` replaces the shipped one."""
    by_lang: dict[str, Path] = {}
    for tdir in (folder / "translations", extra):
        if tdir is not None and tdir.is_dir():
            for path in sorted(tdir.glob("*.json")):
                by_lang[path.stem] = path
    return [by_lang[k] for k in sorted(by_lang)]


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
