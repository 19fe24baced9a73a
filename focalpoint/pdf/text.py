"""Text shaping for printing: Arabic joined and right to left, CJK wrapped, every glyph found.

reportlab draws glyphs left to right, one font per run, with no shaping. This
module turns logical Unicode text into what it can draw:

1. NFC, then Arabic letters are replaced by their joined presentation forms
   (``arabic_reshaper``);
2. text with right-to-left characters is broken into lines here, in logical
   order, using the real glyph widths, and each line is put in visual order by
   the Unicode bidirectional algorithm (``bidi.algorithm.get_display``, which
   also mirrors brackets), so mixed Arabic, Latin words and digits read right;
3. the visual text is split into runs by font (:func:`focalpoint.pdf.fonts.font_for`);
   a character no face has raises :class:`MissingGlyphError` or is printed as
   ``[U+XXXX]`` and reported — it never vanishes;
4. user text is escaped, so ``<``, ``&`` and markup print literally.

Left-to-right text goes to reportlab's ``Paragraph`` (``wordWrap='CJK'`` when it
holds CJK characters, so lines break between ideographs); right-to-left text
becomes a paragraph of pre-broken lines, right-aligned on a right-to-left page.

Any thread may call these functions (each PDF build runs on one thread).
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from focalpoint.i18n import RTL_LANGUAGES
from focalpoint.pdf.fonts import (
    LATIN,
    GlyphReport,
    MissingGlyphError,
    font_for,
    has_glyph,
    is_invisible,
    register_fonts,
    script_family,
)

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas

_reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False,
                                                          "support_ligatures": True})


@dataclass
class TextContext:
    """How text is printed in one document: its language (and direction) and what to do
    with a character no font has (``"raise"`` or ``"mark"``)."""

    lang: str
    on_missing: str = "raise"
    glyphs: GlyphReport = field(default_factory=GlyphReport)

    @property
    def rtl(self) -> bool:
        return self.lang in RTL_LANGUAGES

    def for_lang(self, lang: str) -> TextContext:
        """The same settings for text in another language (a bilingual label)."""
        return TextContext(lang=lang, on_missing=self.on_missing, glyphs=self.glyphs)


# ---------------------------------------------------------------- classification

def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def has_arabic(text: str) -> bool:
    return any(0x0600 <= ord(ch) <= 0x08FF for ch in text)


def has_cjk(text: str) -> bool:
    return any(script_family(ch) is not None and ord(ch) >= 0x2E80 for ch in text)


def first_strong(text: str) -> str | None:
    """"R" or "L" after the first strongly directional character, None when there is none."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return None


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


@functools.lru_cache(maxsize=4096)
def reshape(text: str) -> str:
    """Arabic letters joined (presentation forms); other text unchanged."""
    return _reshaper.reshape(text) if has_arabic(text) else text


@functools.lru_cache(maxsize=4096)
def visual_line(line: str, base: str) -> str:
    """One line (already reshaped) in visual order, brackets mirrored."""
    if not has_rtl(line) and base == "L":
        return line
    return get_display(line, base_dir=base)


# ----------------------------------------------------------------------- font runs

Run = tuple[str, str]  # (font name, text)


def font_runs(text: str, ctx: TextContext, *, bold: bool = False, where: str = "text") -> list[Run]:
    """Split visual ``text`` into runs of one font each; missing glyphs raise or are marked."""
    register_fonts()
    runs: list[list[str]] = []
    for ch in text:
        if is_invisible(ch):
            continue
        font: str | None
        if runs and (ch.isspace() or (script_family(ch) is None and not unicodedata.category(ch).startswith("L"))) \
                and has_glyph(runs[-1][0], ch):
            font = runs[-1][0]  # digits, spaces, punctuation stay in the run they sit in
        else:
            font = font_for(ch, ctx.lang, bold)
        piece = ch
        if font is None:
            if ctx.on_missing != "mark":
                raise MissingGlyphError(ch, where)
            ctx.glyphs.add(ch, where)
            font, piece = (LATIN.bold if bold else LATIN.regular), f"[U+{ord(ch):04X}]"
        if runs and runs[-1][0] == font:
            runs[-1][1] += piece
        else:
            runs.append([font, piece])
    return [(f, t) for f, t in runs]


def runs_width(runs: list[Run], size: float) -> float:
    return sum(stringWidth(t, f, size) for f, t in runs)


def runs_markup(runs: list[Run]) -> str:
    return "".join(f'<font name="{f}">{escape(t)}</font>' for f, t in runs)


def prepare(text: str, ctx: TextContext, *, bold: bool = False, where: str = "text",
            base: str | None = None) -> list[Run]:
    """One line of text, shaped, in visual order, as font runs (headers, footers, cells)."""
    text = normalize(text).replace("\n", " ")
    if base is None:
        base = first_strong(text) or ("R" if ctx.rtl else "L")
    return font_runs(visual_line(reshape(text), base), ctx, bold=bold, where=where)


# -------------------------------------------------------------------- line breaking

_TOKEN_RE = re.compile(r"\s+|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+")


def _token_width(token: str, ctx: TextContext, bold: bool, size: float, where: str) -> float:
    return runs_width(font_runs(token, ctx, bold=bold, where=where), size)


def break_lines(text: str, width: float, ctx: TextContext, *, size: float, bold: bool = False,
                where: str = "text") -> list[str]:
    """Break reshaped logical text into lines no wider than ``width`` (greedy, logical order)."""
    lines: list[str] = []
    for hard in text.split("\n"):
        tokens = _TOKEN_RE.findall(hard)
        line: list[str] = []
        line_w = 0.0
        for tok in tokens:
            if tok.isspace():
                if line:
                    line.append(" ")
                    line_w += stringWidth(" ", LATIN.regular, size)
                continue
            w = _token_width(tok, ctx, bold, size, where)
            if line and line_w + w > width:
                while line and line[-1] == " ":
                    line.pop()
                lines.append("".join(line))
                line, line_w = [], 0.0
            if w > width:  # one word wider than the line: cut it by characters
                piece = ""
                for ch in tok:
                    cw = _token_width(piece + ch, ctx, bold, size, where)
                    if piece and cw > width:
                        lines.append(piece)
                        piece = ch
                    else:
                        piece += ch
                tok, w = piece, _token_width(piece, ctx, bold, size, where)
            line.append(tok)
            line_w += w
        while line and line[-1] == " ":
            line.pop()
        lines.append("".join(line))
    return lines


# ----------------------------------------------------------------------- flowables

class _WidthDependent(Flowable):
    """A flowable whose Paragraph is built once the available width is known."""

    def __init__(self, build: Callable[[float], Paragraph], style: ParagraphStyle) -> None:
        super().__init__()
        self._build = build
        self.style = style
        self._para: Paragraph | None = None
        self._built_width: float | None = None

    def _para_for(self, avail_width: float) -> Paragraph:
        if self._para is None or self._built_width != avail_width:
            self._para = self._build(avail_width)
            self._built_width = avail_width
        return self._para

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        para = self._para_for(avail_width)
        self.width, self.height = para.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        # reportlab's Frame.split passes the frame's full width, ignoring Indenter
        # indents; like Paragraph, split at the width of the last wrap
        width = self._built_width if self._built_width is not None else avail_width
        para = self._para_for(width)
        para.wrap(width, avail_height)
        return para.split(width, avail_height)

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter


def make_style(name: str, *, size: float, bold: bool = False, leading: float | None = None,
               color: Color | None = None, space_before: float = 0, space_after: float = 0,
               align: str = "start", rtl: bool = False) -> ParagraphStyle:
    """A paragraph style; ``align`` is start, end or center (mirrored on a right-to-left page)."""
    alignment = {"start": TA_RIGHT if rtl else TA_LEFT, "end": TA_LEFT if rtl else TA_RIGHT,
                 "center": TA_CENTER}[align]
    style = ParagraphStyle(name, fontName=LATIN.bold if bold else LATIN.regular, fontSize=size,
                           leading=leading or size * 1.3, alignment=alignment,
                           spaceBefore=space_before, spaceAfter=space_after)
    if color is not None:
        style.textColor = color
    style.bold = bold
    return style


def paragraph(text: str, style: ParagraphStyle, ctx: TextContext, *, where: str = "text",
              base: str | None = None) -> Flowable:
    """A flowable printing ``text`` (user text or a translated label) right in any script.

    ``base`` forces the paragraph direction ("R" or "L"); by default it follows the
    first strong character (so an English title on an Arabic page reads right), and
    the page's direction when there is none.
    """
    register_fonts()
    bold = bool(getattr(style, "bold", False))
    text = normalize(text)
    if not has_rtl(text) and not ctx.rtl:
        markup = "<br/>".join(runs_markup(font_runs(part, ctx, bold=bold, where=where))
                              for part in text.split("\n"))
        if has_cjk(text):
            style = copy.copy(style)
            style.wordWrap = "CJK"
        return Paragraph(markup, style)
    shaped = reshape(text)
    direction = base or first_strong(text) or ("R" if ctx.rtl else "L")

    def build(avail_width: float) -> Paragraph:
        usable = avail_width - style.leftIndent - style.rightIndent - 0.5
        lines = break_lines(shaped, usable, ctx, size=style.fontSize, bold=bold, where=where)
        markup = "<br/>".join(runs_markup(font_runs(visual_line(line, direction), ctx, bold=bold,
                                                    where=where)) for line in lines)
        return Paragraph(markup, style)

    return _WidthDependent(build, style)


def draw_text(canvas: Canvas, text: str, x: float, y: float, ctx: TextContext, *, size: float,
              bold: bool = False, align: str = "left", where: str = "text",
              color: Color | None = None) -> float:
    """Draw one line at (x, y); ``align`` left/right/center says what x is. Returns its width."""
    runs = prepare(text, ctx, bold=bold, where=where)
    width = runs_width(runs, size)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    canvas.saveState()
    if color is not None:
        canvas.setFillColor(color)
    for font, chunk in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, chunk)
        x += stringWidth(chunk, font, size)
    canvas.restoreState()
    return width


def text_width(text: str, ctx: TextContext, *, size: float, bold: bool = False, where: str = "text") -> float:
    return runs_width(prepare(text, ctx, bold=bold, where=where), size)
