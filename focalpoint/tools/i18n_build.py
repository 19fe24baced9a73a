"""Extract, update and compile the interface catalogues (babel).

    python -m focalpoint.tools.i18n_build extract   # focalpoint/**.py -> translations/messages.pot
    python -m focalpoint.tools.i18n_build update    # merge the .pot into each <lang>/LC_MESSAGES/focalpoint.po
    python -m focalpoint.tools.i18n_build compile   # .po -> .mo (build products, not committed)
    python -m focalpoint.tools.i18n_build check     # untranslated, fuzzy or placeholder mismatches

English's catalogue is filled from the source strings by ``update``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from focalpoint.i18n import DOMAIN, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "gettext_for": (2,)}
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def extract() -> Catalog:
    catalog = Catalog(project="FocalPoint", domain=DOMAIN, charset="utf-8")
    method_map = [("focalpoint/**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        if filename.startswith("focalpoint/tools/"):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, omit_header=False, include_lineno=False)
    tmp.replace(path)


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def cmd_extract() -> None:
    _write(POT, extract())


def cmd_update() -> None:
    _write(POT, extract())
    for lang in LANGUAGES:
        template = extract()  # fresh per language: Catalog.update shares message objects
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="FocalPoint", charset="utf-8")
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == "en":
            for message in catalog:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and not all(strings):
                    message.string = message.id  # plural: (singular, plural), English's two forms
                    message.flags.discard("fuzzy")
        _write(path, catalog)


def cmd_compile() -> None:
    for lang in LANGUAGES:
        path = po_path(lang)
        if not path.exists():
            continue
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        mo = path.with_suffix(".mo")
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        tmp.replace(mo)


def _forms(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A message's id or translation as a tuple of its forms (one, or singular and plurals); a
    missing translation is one empty form."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value or "",)


def problems(lang: str) -> list[str]:
    """Untranslated, fuzzy or placeholder-mismatched messages of one catalogue."""
    path = po_path(lang)
    if not path.exists():
        return [f"{path} is missing"]
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = _forms(message.id)
        strings = _forms(message.string)
        if message.fuzzy:
            found.append(f"{lang}: fuzzy: {ids[0]!r}")
        if not all(s and s.strip() for s in strings):
            found.append(f"{lang}: untranslated: {ids[0]!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if sorted(set(PLACEHOLDER.findall(s))) != sorted(set(expected)):
                found.append(f"{lang}: placeholders differ: {ids[0]!r} -> {s!r}")
    return found


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("extract", "update", "compile", "check"):
        print(__doc__)
        return 2
    if argv[0] == "check":
        issues = [p for lang in LANGUAGES for p in problems(lang)]
        print("\n".join(issues) or "all catalogues complete")
        return 1 if issues else 0
    {"extract": cmd_extract, "update": cmd_update, "compile": cmd_compile}[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
