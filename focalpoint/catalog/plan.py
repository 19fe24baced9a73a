"""Reading the shipped action plan: its folders, the hash that decides a reload, and the plan with
every translation overlay merged in. Reads files only; any thread."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from focalpoint.catalog.overlays import _overlay_files, merge_translation
from focalpoint.resources import resource_path

LOADER_VERSION = "1"


def action_plan_dir() -> Path:
    """The shipped action-plan folder (``action_plan.json`` and ``translations/``). Any thread."""
    return resource_path("action_plan")


def user_translations_dir(data_dir: Path) -> Path:
    """The folder for texts supplied by the person (an official text replacing a project
    translation), inside ``data_dir``; it may not exist yet. Any thread."""
    return data_dir / "action_plan" / "translations"


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
