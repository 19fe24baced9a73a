"""Installing a language's text of the action plan supplied by the person (checked whole, written
atomically, then the catalogue reloaded). Database worker (or the CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from focalpoint.catalog.loading import ensure_catalog
from focalpoint.catalog.plan import action_plan_dir, user_translations_dir
from focalpoint.db import Database
from focalpoint.fileio import write_atomic
from focalpoint.i18n import LANGUAGES


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
