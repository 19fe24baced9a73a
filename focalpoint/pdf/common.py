"""What every FocalPoint PDF shares: its languages, its paragraph styles, bilingual labels.

A :class:`Printer` holds the document's language (and the second language of a
bilingual form), translates FocalPoint's own strings *into that language* (not
the interface's) with :func:`focalpoint.i18n.gettext_for`, and turns language
maps and user text into flowables that print right in any script.

Any thread may use a Printer; each PDF build makes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Indenter, Spacer, Table, TableStyle

from focalpoint.i18n import LANGUAGES, gettext_for, language_name, localize
from focalpoint.pdf.fonts import LATIN
from focalpoint.pdf.text import TextContext, first_strong, has_rtl, make_style, paragraph

SECONDARY = colors.Color(0.33, 0.33, 0.33)
SECTION_BG = colors.Color(0.9, 0.92, 0.95)


def _styles(rtl: bool) -> dict[str, ParagraphStyle]:
    return {
        "title": make_style("title", size=16, bold=True, rtl=rtl, space_after=2),
        "title2": make_style("title2", size=12, rtl=rtl, color=SECONDARY, space_after=2),
        "section": make_style("section", size=11.5, bold=True, rtl=rtl),
        "section2": make_style("section2", size=9.5, rtl=rtl, color=SECONDARY),
        "group": make_style("group", size=10, bold=True, rtl=rtl, space_before=3),
        "label": make_style("label", size=9.5, bold=True, rtl=rtl),
        "label2": make_style("label2", size=8.5, rtl=rtl, color=SECONDARY),
        "help": make_style("help", size=7.5, rtl=rtl, color=SECONDARY),
        "body": make_style("body", size=9.5, rtl=rtl),
        "value": make_style("value", size=9.5, rtl=rtl),
        "small": make_style("small", size=7.5, rtl=rtl),
        "notice": make_style("notice", size=9, bold=True, rtl=rtl, color=colors.Color(0.55, 0.1, 0.1)),
    }


@dataclass
class Printer:
    """The languages of one PDF and how its text is printed."""

    lang: str
    lang2: str | None = None
    on_missing: str = "raise"
    ctx: TextContext = field(init=False)
    ctx2: TextContext | None = field(init=False)
    styles: dict[str, ParagraphStyle] = field(init=False)

    def __post_init__(self) -> None:
        for code in (self.lang, self.lang2):
            if code is not None and code not in LANGUAGES:
                raise ValueError(f"unsupported language: {code!r}")
        if self.lang2 == self.lang:
            self.lang2 = None
        self.ctx = TextContext(self.lang, on_missing=self.on_missing)
        self.ctx2 = self.ctx.for_lang(self.lang2) if self.lang2 else None
        self.styles = _styles(self.ctx.rtl)

    @property
    def rtl(self) -> bool:
        return self.ctx.rtl

    # ------------------------------------------------------------------ strings

    def tr(self, message: str, **params: object) -> str:
        """FocalPoint's own string in the document's language."""
        text = gettext_for(self.lang, message)
        return text.format(**params) if params else text

    def tr2(self, message: str, **params: object) -> str | None:
        """The same string in the second language, None when there is none (or it is the same)."""
        if not self.lang2:
            return None
        text = gettext_for(self.lang2, message)
        text = text.format(**params) if params else text
        return None if text == self.tr(message, **params) else text

    def both(self, message: str, **params: object) -> str:
        """``primary / secondary`` for short inline strings (Yes / Oui)."""
        second = self.tr2(message, **params)
        first = self.tr(message, **params)
        if not second:
            return first
        # the second language's own direction marks keep its end punctuation with it
        # ("Tick one." on an Arabic line would otherwise print as ".Tick one")
        mark = {"L": "\u200e", "R": "\u200f"}.get(first_strong(second) or "", "")
        return f"{first} / {mark}{second}{mark}"

    def tr_language(self, code: str) -> str:
        """A language's name in the document's language (CLDR)."""
        return language_name(code, self.lang)

    def pick(self, value: Mapping[str, str] | str | None) -> str:
        return localize(value, self.lang)

    def pick2(self, value: Mapping[str, str] | str | None) -> str | None:
        if not self.lang2 or not isinstance(value, Mapping):
            return None
        text = localize(value, self.lang2)
        return None if not text or text == self.pick(value) else text

    # --------------------------------------------------------------- flowables

    def para(self, text: str, style: str = "body", *, where: str = "text", base: str | None = None,
             ctx: TextContext | None = None) -> Flowable:
        return paragraph(text, self.styles[style], ctx or self.ctx, where=where, base=base)

    def _base(self, text: str) -> str | None:
        """Our own labels on a right-to-left page read right to left (even when they start
        with a Latin acronym); an untranslated English string keeps its own direction."""
        return "R" if self.rtl and has_rtl(text) else None

    def label(self, value: Mapping[str, str] | str, style: str = "label", style2: str = "label2", *,
              where: str, suffix: str = "") -> list[Flowable]:
        """A label from a language map, with its second-language form under it."""
        text = self.pick(value) + suffix
        out = [self.para(text, style, where=where, base=self._base(text))]
        second = self.pick2(value)
        if second and self.ctx2 is not None:
            out.append(self.para(second, style2, where=where, ctx=self.ctx2))
        return out

    def own_label(self, message: str, style: str = "label", style2: str = "label2", *,
                  where: str = "label", **params: object) -> list[Flowable]:
        """A FocalPoint string, in both languages of a bilingual form."""
        text = self.tr(message, **params)
        out = [self.para(text, style, where=where, base=self._base(text))]
        second = self.tr2(message, **params)
        if second and self.ctx2 is not None:
            out.append(self.para(second, style2, where=where, ctx=self.ctx2))
        return out

    def section_bar(self, parts: list[Flowable], width: float) -> Table:
        """A shaded band holding a section's title."""
        table = Table([[parts]], colWidths=[width])
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), LATIN.regular), 
            ("BACKGROUND", (0, 0), (-1, -1), SECTION_BG),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.8 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2 * mm),
        ]))
        return table

    def indent(self, amount: float = 4 * mm) -> Indenter:
        """Set what follows in from the start margin (use ``dedent`` after); pages may break inside."""
        return Indenter(right=amount) if self.rtl else Indenter(left=amount)

    def dedent(self, amount: float = 4 * mm) -> Indenter:
        return Indenter(right=-amount) if self.rtl else Indenter(left=-amount)

    @staticmethod
    def gap(points: float = 3) -> Spacer:
        return Spacer(1, points)
