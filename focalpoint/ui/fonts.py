"""Bundled fonts: every .ttf/.otf in ``resources/fonts`` is registered at start-up.

Arabic and Chinese must render on a machine with no such system fonts, so the
application font is given a family list (Qt falls back glyph by glyph along it):
the Latin/Cyrillic family first, then Arabic, then CJK. Before the window first shows
only the fonts the interface language needs are registered (``languages``); the
others follow right after (records and the action plan may hold any script). Call
from the UI thread after the QApplication exists.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from focalpoint.resources import resource_path

# Preferred order of families when present (bundled or system); the first found leads.
LATIN_FAMILIES = ("DejaVu Sans", "Noto Sans", "Liberation Sans")
ARABIC_FAMILIES = ("Noto Naskh Arabic", "Noto Sans Arabic", "Noto Naskh Arabic UI", "Noto Sans Arabic UI",
                   "DejaVu Sans")
CJK_FAMILIES = ("Droid Sans Fallback", "Droid Sans Fallback Full", "Noto Sans CJK SC", "Noto Sans SC",
                "WenQuanYi Micro Hei", "Source Han Sans SC")

# bundled font files (by the start of their name) that only one interface language needs
# before the window first shows; every other bundled file is registered for all languages
LANGUAGE_FONT_FILES: dict[str, tuple[str, ...]] = {"ar": ("NotoSansArabic",), "zh": ("DroidSansFallback",)}

_registered: dict[Path, list[str]] = {}  # font file → the families it brought (bundled folder only)


def fonts_dir() -> Path:
    return resource_path("fonts")


def _needed(path: Path, languages: tuple[str, ...] | None) -> bool:
    if languages is None:
        return True
    owners = [lang for lang, prefixes in LANGUAGE_FONT_FILES.items() if path.name.startswith(prefixes)]
    return not owners or any(lang in languages for lang in owners)


def register_bundled_fonts(folder: Path | None = None, languages: tuple[str, ...] | None = None) -> list[str]:
    """Add the font files under ``folder`` (default: the bundled ones) to Qt, only those the
    interface ``languages`` need when given; returns the families registered so far. UI thread."""
    bundled = folder is None
    folder = folder or fonts_dir()
    known: dict[Path, list[str]] = _registered if bundled else {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in (".ttf", ".otf", ".ttc") or path in known \
                    or not _needed(path, languages):
                continue
            font_id = QFontDatabase.addApplicationFont(str(path))
            known[path] = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    families: list[str] = []
    for brought in known.values():
        families.extend(f for f in brought if f not in families)
    return families


def fallback_families(available: list[str] | None = None) -> list[str]:
    """The family list for the application font: Latin, then Arabic, then CJK."""
    known = set(available if available is not None else QFontDatabase.families())
    order: list[str] = []
    for group in (LATIN_FAMILIES, ARABIC_FAMILIES, CJK_FAMILIES):
        for family in group:
            if family in known and family not in order:
                order.append(family)
    return order


def install_application_font(app: QApplication, point_size: float | None = None,
                             languages: tuple[str, ...] | None = None) -> QFont:
    """Register the bundled fonts (only those ``languages`` need, when given) and set the
    application font with its fallback list. UI thread."""
    register_bundled_fonts(languages=languages)
    families = fallback_families()
    font = QFont(app.font())
    if families:
        font.setFamilies(families)
        for family in families:
            # widgets that ask for one family (rich text, style sheets) still fall back
            QFont.insertSubstitutions(family, [f for f in families if f != family])
    if point_size:
        font.setPointSizeF(point_size)
    app.setFont(font)
    return font
