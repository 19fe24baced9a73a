"""Check an action-plan translation overlay against the official data.

    python -m focalpoint.catalog.overlay_check resources/action_plan/translations/fr.json

Every section, target group, activity (text, decisions, timeframe, each output,
indicator, partner and footnote), paragraph (and its items) and glossary name
must be present and non-empty, with list lengths equal to the official data.
Exit 1 with one line per problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def problems(overlay: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Every text ``overlay`` lacks or leaves empty compared with ``plan``, one English line a
    problem (for translators; empty when complete). Pure; any thread."""
    out: list[str] = []

    def need(value: Any, where: str) -> None:
        if not isinstance(value, str) or not value.strip():
            out.append(f"missing or empty: {where}")

    for key in ("language", "official"):
        if key not in overlay:
            out.append(f"missing top-level key {key!r}")
    for sec in plan["sections"]:
        need(overlay.get("sections", {}).get(sec["code"]), f"sections.{sec['code']}")
    for grp in plan["target_groups"]:
        need(overlay.get("target_groups", {}).get(str(grp["id"])), f"target_groups.{grp['id']}")
    acts = overlay.get("activities", {})
    for act in plan["activities"]:
        n = str(act["number"])
        tr = acts.get(n)
        if not isinstance(tr, dict):
            out.append(f"missing activity {n}")
            continue
        need(tr.get("text"), f"activities.{n}.text")
        if act["decisions"].get("zh"):
            need(tr.get("decisions"), f"activities.{n}.decisions")
        need(tr.get("timeframe"), f"activities.{n}.timeframe")
        for key, items in (("outputs", act["outputs"]), ("indicators", act["indicators"]),
                           ("partners", [p["text"] for p in act["partners"]])):
            got = tr.get(key, [])
            if not isinstance(got, list) or len(got) != len(items):
                out.append(f"activities.{n}.{key}: expected {len(items)} items, got "
                           f"{len(got) if isinstance(got, list) else type(got).__name__}")
                continue
            for i, value in enumerate(got):
                need(value, f"activities.{n}.{key}[{i}]")
        for fn in act.get("footnotes", []):
            if fn["text"].get("zh"):
                need(tr.get("footnotes", {}).get(str(fn["number"])), f"activities.{n}.footnotes.{fn['number']}")
    paras = overlay.get("paragraphs", {})
    for para in plan["paragraphs"]:
        tr = paras.get(str(para["number"]))
        if not isinstance(tr, dict):
            out.append(f"missing paragraph {para['number']}")
            continue
        need(tr.get("text"), f"paragraphs.{para['number']}.text")
        for item in para.get("items", []):
            need(tr.get("items", {}).get(item["label"]), f"paragraphs.{para['number']}.items.{item['label']}")
    for entry in plan["glossary"]:
        need(overlay.get("glossary", {}).get(entry["abbreviation"]), f"glossary.{entry['abbreviation']}")
    return out


def main(argv: list[str]) -> int:
    """Check each overlay file named in ``argv`` and print its problems; returns 1 when any
    file is incomplete, else 0 (the command line's exit status)."""
    plan = json.loads((ROOT / "resources/action_plan/action_plan.json").read_text(encoding="utf-8"))
    status = 0
    for name in argv:
        overlay = json.loads(Path(name).read_text(encoding="utf-8"))
        found = problems(overlay, plan)
        print(f"{name}: {'complete' if not found else str(len(found)) + ' problems'}")
        for line in found[:200]:
            print("  " + line)
        status |= bool(found)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
