"""Bundled fonts: every .ttf/.otf in ``resources/fonts`` is registered at start-up.

Arabic and Chinese must render on a machine with no such system fonts, so the
application font is given a family list (Qt falls back glyph by glyph along it):
the Latin/Cyrillic family first, then Arabic, then CJK. Call from the UI thread
after the QApplication exists.
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

_registered: list[str] | None = None


def fonts_dir() -> Path:
    return resource_path("fonts")


def register_bundled_fonts(folder: Path | None = None) -> list[str]:
    """Add every font file under ``folder`` to Qt; returns the families it brought."""
    global _registered
    if _registered is not None and folder is None:
        return _registered
    families: list[str] = []
    folder = folder or fonts_dir()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
                continue
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                for family in QFontDatabase.applicationFontFamilies(font_id):
                    if family not in families:
                        families.append(family)
    _registered = families
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


def install_application_font(app: QApplication, point_size: float | None = None) -> QFont:
    """Register bundled fonts and set the application font with its fallback list."""
    register_bundled_fonts()
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
