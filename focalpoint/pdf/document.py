"""The page every FocalPoint PDF is printed on: paper, margins, header, footer, page code.

Each page carries the document's name (and form version), "page 2 of 5" in the
document's language, and — for printed forms — a QR code holding the form code
``FP1|<schema>|<version>|<lang>[|<lang2>]`` with the same text printed under it,
so a stack of paper forms can be sorted and read back by machine.

Page numbers need the page count, so the canvas keeps each finished page and
draws the decorations when the document is saved (reportlab's usual recipe).
The page is mirrored for right-to-left languages (title on the right, code on
the left) and the PDF says so to viewers (``/Direction /R2L``, ``/Lang``).

Any thread may build a document; a build uses only its own objects.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from focalpoint import __version__
from focalpoint.i18n import gettext_for
from focalpoint.pdf.fonts import LATIN, register_fonts
from focalpoint.pdf.text import TextContext, draw_text, text_width

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
CODE_PREFIX = "FP1"

MARGIN_SIDE = 16 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 26 * mm
QR_SIZE = 17 * mm
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.6, 0.6, 0.6)
HEADER_GAP = 6 * mm  # at least this much between the header's title and its version note
ELLIPSIS = "\u2026"


def form_code(schema: str, version: int | str, lang: str, lang2: str | None = None) -> str:
    """The machine-readable code of a printed form: ``FP1|schema|version|lang[|lang2]``."""
    parts = [CODE_PREFIX, schema, str(version), lang]
    if lang2:
        parts.append(lang2)
    return "|".join(parts)


@dataclass(frozen=True)
class FormCode:
    schema: str
    version: int
    lang: str
    lang2: str | None = None

    def __str__(self) -> str:
        return form_code(self.schema, self.version, self.lang, self.lang2)


def parse_form_code(value: str | None) -> FormCode | None:
    """Read ``FP1|schema|version|lang[|lang2]`` back; None when ``value`` is not one."""
    if not value:
        return None
    parts = value.strip().split("|")
    if len(parts) not in (4, 5) or parts[0] != CODE_PREFIX or not parts[2].isdigit():
        return None
    return FormCode(parts[1], int(parts[2]), parts[3], parts[4] if len(parts) == 5 and parts[4] else None)


def fit_text(text: str, room: float, ctx: TextContext, *, size: float, bold: bool = False,
             where: str = "text") -> str:
    """``text``, or its beginning (in reading order) and "…", no wider than ``room`` points."""
    if text_width(text, ctx, size=size, bold=bold, where=where) <= room:
        return text
    low, high = 0, len(text)  # the longest beginning that fits is text[:low]
    while low < high:
        mid = (low + high + 1) // 2
        if text_width(text[:mid].rstrip() + ELLIPSIS, ctx, size=size, bold=bold, where=where) <= room:
            low = mid
        else:
            high = mid - 1
    space = text.rfind(" ", 0, low + 1)
    if 0 < low < len(text) and not text[low].isspace() and space > low // 2:
        low = space  # cut between words when that loses little
    return text[:low].rstrip() + ELLIPSIS if low else ""


@dataclass
class PageDecor:
    """What every page of one document shows besides its content."""

    title: str                      # document name, in the document's language
    title2: str | None = None       # the same in the second language of a bilingual form
    version_note: str | None = None  # e.g. "Form version 1"
    code: str | None = None         # printed and encoded as a QR code on each page
    subject: str | None = None


def draw_qr(canvas: Canvas, value: str, size: float) -> None:
    """Draw ``value`` as a QR code, ``size`` points square, at the origin (black modules only).

    The modules are drawn as plain rectangles (not through reportlab's graphics
    renderer, which would bring in a non-embedded Helvetica).
    """
    widget = QrCodeWidget(value, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    sx, sy = size / (x1 - x0), size / (y1 - y0)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(0, 0, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for shape in widget.draw().contents:
        if getattr(shape, "fillColor", None) is None:
            continue
        path.rect((shape.x - x0) * sx, (shape.y - y0) * sy, shape.width * sx, shape.height * sy)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def canvas_class(decor: PageDecor, ctx: TextContext, lang2: str | None = None) -> type[Canvas]:
    """A canvas that draws ``decor`` on every page once the page count is known."""
    rtl = ctx.rtl
    shared = {"qr_ready": False}  # outside the canvas's __dict__, which is swapped per page

    class DecoratedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = kwargs.get("initialFontName") or LATIN.regular
            kwargs["lang"] = kwargs.get("lang") or ctx.lang
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            # keep the document's page counter moving so that widgets and links made
            # on later pages refer to their own page (/P), as a plain canvas would
            self._doc.pageCounter += 1
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            self._doc.pageCounter = 1
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            start_x, end_x = (width - MARGIN_SIDE, MARGIN_SIDE) if rtl else (MARGIN_SIDE, width - MARGIN_SIDE)
            start_align, end_align = ("right", "left") if rtl else ("left", "right")
            top = height - 12 * mm
            self.saveState()
            title = decor.title if not decor.title2 else f"{decor.title} / {decor.title2}"
            room = width - 2 * MARGIN_SIDE
            if decor.version_note:
                note_width = draw_text(self, decor.version_note, end_x, top, ctx, size=8, align=end_align,
                                       color=GREY, where="page header")
                room -= note_width + HEADER_GAP
            # a long title is shortened rather than printed over the version note (or off the page)
            title = fit_text(title, room, ctx, size=8, bold=True, where="page header")
            draw_text(self, title, start_x, top, ctx, size=8, bold=True, align=start_align,
                      where="page header")
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_SIDE, top - 2.5 * mm, width - MARGIN_SIDE, top - 2.5 * mm)
            page_text = gettext_for(ctx.lang, "Page {page} of {pages}").format(page=number, pages=total)
            bottom = 12 * mm
            second = None
            if lang2:
                second = gettext_for(lang2, "Page {page} of {pages}").format(page=number, pages=total)
            if lang2 and second and second != page_text:
                # one line per language: mixing directions on one line would scramble the numbers
                draw_text(self, page_text, width / 2, bottom + 1.5 * mm, ctx, size=8, align="center",
                          where="page footer")
                draw_text(self, second, width / 2, bottom - 2 * mm, ctx.for_lang(lang2), size=7,
                          align="center", color=GREY, where="page footer")
            else:
                draw_text(self, page_text, width / 2, bottom, ctx, size=8, align="center", where="page footer")
            if decor.code:
                qr_x = MARGIN_SIDE if rtl else width - MARGIN_SIDE - QR_SIZE
                if not shared["qr_ready"]:
                    self.beginForm("fp_qr")
                    draw_qr(self, decor.code, QR_SIZE)
                    self.endForm()
                    shared["qr_ready"] = True
                self.saveState()
                self.translate(qr_x, 5 * mm)
                self.doForm("fp_qr")
                self.restoreState()
                code_x = qr_x + QR_SIZE + 2 * mm if rtl else qr_x - 2 * mm
                self.setFont(LATIN.regular, 6)
                self.setFillColor(GREY)
                if rtl:
                    self.drawString(code_x, 7 * mm, decor.code)
                else:
                    self.drawRightString(code_x, 7 * mm, decor.code)
            self.restoreState()

    return DecoratedCanvas


def build(story: list, decor: PageDecor, ctx: TextContext, *, paper: str = "a4",
          lang2: str | None = None, on_page: Callable[[Canvas, Any], None] | None = None) -> bytes:
    """Lay out ``story`` on decorated pages and return the PDF bytes."""
    register_fonts()
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {paper!r} (a4 or letter)")
    pagesize = PAPER_SIZES[paper]
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=pagesize, leftMargin=MARGIN_SIDE, rightMargin=MARGIN_SIDE,
                          topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=decor.title,
                          author="FocalPoint", subject=decor.subject or decor.code or "",
                          keywords=decor.code or "", creator=f"FocalPoint {__version__}",
                          lang=ctx.lang, invariant=False)
    frame = Frame(MARGIN_SIDE, MARGIN_BOTTOM, pagesize[0] - 2 * MARGIN_SIDE,
                  pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)

    def _page(canvas: Canvas, document: Any) -> None:
        if ctx.rtl:
            canvas.setViewerPreference("Direction", "R2L")
        if on_page is not None:
            on_page(canvas, document)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page)])
    doc.build(story, canvasmaker=canvas_class(decor, ctx, lang2))
    return buf.getvalue()


def frame_width(paper: str = "a4") -> float:
    return PAPER_SIZES[paper][0] - 2 * MARGIN_SIDE
