"""The fonts FocalPoint prints with, and the check that every character has a glyph.

reportlab embeds TrueType outlines only and silently drops a character its font
lacks, so every piece of text is split into runs, each set in the first shipped
face (in the language's order of preference) whose cmap has the character. A
character no shipped face covers raises :class:`MissingGlyphError` naming it and
where it came from — or, when the caller asked to *mark* instead, is printed as a
visible ``[U+XXXX]`` and recorded in a :class:`GlyphReport`.

The faces live in ``resources/fonts`` (see its README for sources and licences).
reportlab subsets them when it writes a PDF, so only the glyphs used are embedded.

Any thread may call these functions; registration happens once, under a lock.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from focalpoint.resources import resource_path

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Family:
    """One typeface as reportlab knows it: a regular and a bold font name."""

    key: str
    regular: str
    bold: str
    regular_file: str
    bold_file: str


LATIN = Family("latin", "FP-DejaVuSans", "FP-DejaVuSans-Bold", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
ARABIC = Family("arabic", "FP-NotoSansArabic", "FP-NotoSansArabic-Bold",
                "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")
# Droid Sans Fallback has no bold face; bold CJK is printed in the regular weight.
CJK = Family("cjk", "FP-DroidSansFallback", "FP-DroidSansFallback",
             "DroidSansFallbackFull.ttf", "DroidSansFallbackFull.ttf")
FAMILIES: tuple[Family, ...] = (LATIN, ARABIC, CJK)

# Which face to try first for each language; the others follow as fallbacks.
_ORDER = {
    "ar": (ARABIC, LATIN, CJK),
    "zh": (CJK, LATIN, ARABIC),
}
_DEFAULT_ORDER = (LATIN, ARABIC, CJK)

# Characters that are never drawn, so need no glyph: bidi controls, joiners, variation
# selectors, soft hyphen and the like (Unicode category Cf), plus the BOM.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})


class MissingGlyphError(ValueError):
    """A character that none of the shipped fonts can print.

    ``char`` is the character, ``where`` says where it came from (a field path,
    a label, "catalogue activity 12 text" …).
    """

    def __init__(self, char: str, where: str) -> None:
        self.char = char
        self.where = where
        name = unicodedata.name(char, "unnamed character")
        super().__init__(f"no shipped font has a glyph for {char!r} (U+{ord(char):04X} {name}) in {where}")


@dataclass
class GlyphReport:
    """Characters printed as ``[U+XXXX]`` because no shipped font has them."""

    missing: list[tuple[str, str]] = field(default_factory=list)  # (char, where)

    def add(self, char: str, where: str) -> None:
        if (char, where) not in self.missing:
            self.missing.append((char, where))

    def messages(self) -> list[str]:
        return [str(MissingGlyphError(c, w)) for c, w in self.missing]


_lock = threading.Lock()
_registered = False
_cmaps: dict[str, frozenset[int]] = {}


def fonts_dir() -> Path:
    return resource_path("fonts")


def register_fonts() -> None:
    """Register the shipped faces with reportlab (once) and load their cmaps."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = fonts_dir()
        for fam in FAMILIES:
            for name, filename in ((fam.regular, fam.regular_file), (fam.bold, fam.bold_file)):
                if name in _cmaps:
                    continue
                path = folder / filename
                if not path.exists():
                    raise FileNotFoundError(f"shipped font missing: {path}")
                font = TTFont(name, str(path))
                pdfmetrics.registerFont(font)
                _cmaps[name] = frozenset(font.face.charToGlyph)
        pdfmetrics.registerFontFamily(LATIN.regular, normal=LATIN.regular, bold=LATIN.bold,
                                      italic=LATIN.regular, boldItalic=LATIN.bold)
        _registered = True


def families_for(lang: str) -> tuple[Family, ...]:
    """The faces to try, in order, for text in ``lang``."""
    return _ORDER.get(lang, _DEFAULT_ORDER)


_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_CJK_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3200, 0x9FFF), (0xAC00, 0xD7AF),
               (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF))


@functools.lru_cache(maxsize=65536)
def script_family(char: str) -> Family | None:
    """The face made for ``char``'s script (Arabic, CJK), None for Latin, Cyrillic, digits …"""
    code = ord(char)
    for lo, hi in _ARABIC_RANGES:
        if lo <= code <= hi:
            return ARABIC
    for lo, hi in _CJK_RANGES:
        if lo <= code <= hi:
            return CJK
    return None


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES and char not in "\n\t"


def has_glyph(font_name: str, char: str) -> bool:
    register_fonts()
    return ord(char) in _cmaps[font_name]


@functools.lru_cache(maxsize=65536)
def font_for(char: str, lang: str, bold: bool = False) -> str | None:
    """The reportlab font name that prints ``char`` for ``lang``, or None when none can.

    Arabic letters go to the Arabic face and Han/kana/hangul to the CJK face whatever
    the language (so a word is never set in two faces); other characters follow the
    language's order of preference.
    """
    register_fonts()
    code = ord(char)
    own = script_family(char)
    order = families_for(lang) if own is None else (own, *[f for f in families_for(lang) if f is not own])
    if own is None and lang == "zh":
        order = (LATIN, CJK, ARABIC)  # Latin words in Chinese text look best in the Latin face
    for fam in order:
        name = fam.bold if bold else fam.regular
        if code in _cmaps[name]:
            return name
    return None


def covers(text: str, lang: str = "en") -> list[str]:
    """The characters of ``text`` that no shipped face can print (empty when all can)."""
    register_fonts()
    missing: list[str] = []
    for ch in text:
        if ch.isspace() or is_invisible(ch):
            continue
        if font_for(ch, lang) is None and ch not in missing:
            missing.append(ch)
    return missing
