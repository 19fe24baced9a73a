"""Answer spaces on a printed form: boxes to write in, boxes to tick — or AcroForm fields.

On paper (``fillable=False``) these draw light boxes with ruled lines sized for
handwriting; in a fillable PDF the same boxes become AcroForm text fields,
check boxes and radio buttons named after the document property they fill
(see :mod:`focalpoint.pdf.fieldnames`). Every widget mirrors itself on a
right-to-left page: it hugs the right margin, the tick box sits right of its label.

Any thread may build these (one PDF build per thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from focalpoint.pdf.fonts import LATIN
from focalpoint.pdf.text import TextContext, draw_text, make_style, paragraph, text_width

BOX_BORDER = colors.Color(0.55, 0.55, 0.55)
RULED = colors.Color(0.78, 0.78, 0.78)
HINT = colors.Color(0.55, 0.55, 0.55)
LINE_HEIGHT = 8 * mm
TICK_SIZE = 3.6 * mm


@dataclass
class FieldSpec:
    """One AcroForm field placed in a fillable PDF (kept for post-processing)."""

    name: str
    kind: str          # "text", "check", "radio"
    multiline: bool = False
    rtl: bool = False
    lang: str = "en"


@dataclass
class Fillable:
    """Collects the AcroForm fields of one fillable build (None on paper)."""

    fields: list[FieldSpec] = field(default_factory=list)

    def add(self, spec: FieldSpec) -> None:
        self.fields.append(spec)


class WriteBox(Flowable):
    """A box to write ``lines`` lines in by hand, or one AcroForm text field.

    ``fraction`` is the share of the frame's width it takes (dates and numbers are
    short); ``hint`` is printed faintly inside (e.g. "YYYY-MM-DD"); ``tag`` in its
    top corner names the language the answer is written in.
    """

    def __init__(self, ctx: TextContext, *, lines: int = 1, fraction: float = 1.0, hint: str | None = None,
                 tag: str | None = None, name: str | None = None, fill: Fillable | None = None,
                 max_length: int | None = None, line_height: float = LINE_HEIGHT) -> None:
        super().__init__()
        self.ctx = ctx
        self.lines = max(1, lines)
        self.fraction = fraction
        self.hint = hint
        self.tag = tag
        self.name = name
        self.fill = fill
        self.max_length = max_length
        self.line_height = line_height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        self.width = avail_width * self.fraction
        self.height = self.lines * self.line_height
        return avail_width, self.height

    def draw(self) -> None:
        canv = self.canv
        x = self._avail - self.width if self.ctx.rtl else 0
        w, h = self.width, self.height
        canv.saveState()
        canv.setStrokeColor(BOX_BORDER)
        canv.setLineWidth(0.6)
        canv.rect(x, 0, w, h, stroke=1, fill=0)
        if self.fill is None and self.lines > 1:
            canv.setStrokeColor(RULED)
            canv.setLineWidth(0.4)
            canv.setDash(1, 2)
            for i in range(1, self.lines):
                y = i * self.line_height
                canv.line(x + 2 * mm, y, x + w - 2 * mm, y)
            canv.setDash()
        if self.tag:
            tx = x + w - 1.2 * mm if self.ctx.rtl else x + 1.2 * mm
            canv.setFont(LATIN.bold, 5.5)
            canv.setFillColor(HINT)
            (canv.drawRightString if self.ctx.rtl else canv.drawString)(tx, h - 2.6 * mm, self.tag)
        if self.hint and self.fill is None:
            hx = x + 1.5 * mm if self.ctx.rtl else x + w - 1.5 * mm
            draw_text(canv, self.hint, hx, 1.4 * mm, self.ctx, size=6, color=HINT,
                      align="left" if self.ctx.rtl else "right", where="hint")
        elif self.hint and self.fraction < 1:
            # a fillable field's background would hide the hint: print it beside the short box
            hx = x - 2 * mm if self.ctx.rtl else x + w + 2 * mm
            draw_text(canv, self.hint, hx, h / 2 - 2, self.ctx, size=7, color=HINT,
                      align="right" if self.ctx.rtl else "left", where="hint")
        canv.restoreState()
        if self.fill is not None and self.name:
            inset = 0.8 * mm
            top = 3.2 * mm if self.tag else inset
            flags = "multiline doNotSpellCheck" if self.lines > 1 else "doNotSpellCheck"
            canv.acroForm.textfield(
                name=self.name, x=x + inset, y=inset, width=w - 2 * inset, height=h - inset - top,
                relative=True, borderWidth=0, fillColor=colors.Color(0.93, 0.95, 1.0),
                textColor=colors.black, fontName="Helvetica", fontSize=0 if self.lines == 1 else 9,
                fieldFlags=flags, maxlen=self.max_length or 0, annotationFlags="print",
                tooltip=self.hint or None)
            self.fill.add(FieldSpec(self.name, "text", multiline=self.lines > 1, rtl=self.ctx.rtl,
                                    lang=self.ctx.lang))


class TickMark(Flowable):
    """A square (tick any) or round (tick one) box; a check box or radio button when fillable."""

    def __init__(self, *, single: bool, name: str | None = None, value: str | None = None,
                 fill: Fillable | None = None, rtl: bool = False, lang: str = "en") -> None:
        super().__init__()
        self.single = single
        self.name = name
        self.value = value
        self.fill = fill
        self.rtl = rtl
        self.lang = lang
        self.width = self.height = TICK_SIZE

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return TICK_SIZE, TICK_SIZE

    def draw(self) -> None:
        canv = self.canv
        if self.fill is not None and self.name and self.value:
            if self.single:
                canv.acroForm.radio(name=self.name, value=self.value, selected=False, x=0, y=0,
                                    size=TICK_SIZE, relative=True, buttonStyle="circle", shape="circle",
                                    borderColor=BOX_BORDER, fillColor=colors.white, textColor=colors.black,
                                    borderWidth=0.7, fieldFlags="noToggleToOff radio",
                                    tooltip=self.name)
                self.fill.add(FieldSpec(self.name, "radio", rtl=self.rtl, lang=self.lang))
            else:
                full = f"{self.name}={self.value}"
                canv.acroForm.checkbox(name=full, checked=False, x=0, y=0, size=TICK_SIZE, relative=True,
                                       buttonStyle="check", shape="square", borderColor=BOX_BORDER,
                                       fillColor=colors.white, textColor=colors.black, borderWidth=0.7,
                                       fieldFlags="", tooltip=full)
                self.fill.add(FieldSpec(full, "check", rtl=self.rtl, lang=self.lang))
            return
        canv.saveState()
        canv.setStrokeColor(BOX_BORDER)
        canv.setLineWidth(0.7)
        if self.single:
            canv.circle(TICK_SIZE / 2, TICK_SIZE / 2, TICK_SIZE / 2, stroke=1, fill=0)
        else:
            canv.rect(0, 0, TICK_SIZE, TICK_SIZE, stroke=1, fill=0)
        canv.restoreState()


@dataclass
class Choice:
    label: str
    value: str
    label2: str | None = None  # the label in the second language of a bilingual form


def choice_grid(choices: list[Choice], ctx: TextContext, avail_width: float, *, single: bool,
                name: str | None = None, fill: Fillable | None = None, columns: int | None = None,
                ctx2: TextContext | None = None, size: float = 8.5) -> Table:
    """Tick boxes with their labels, in columns (mirrored on a right-to-left page)."""
    mark_w = TICK_SIZE + 2.2 * mm
    if columns is None:
        # as many columns as keep the widest label within two lines of its column
        widest = 0.0
        for c in choices:
            widest = max(widest, text_width(c.label, ctx, size=size, where=f"term {c.value}"))
            if c.label2 and ctx2 is not None:
                widest = max(widest, text_width(c.label2, ctx2, size=size - 1, where=f"term {c.value}"))
        columns = 1
        for n in (4, 3, 2):
            if n <= len(choices) and widest <= (avail_width / n - mark_w - 1.5 * mm) * (1.0 if n > 2 else 1.9):
                columns = n
                break
    style = make_style("choice", size=size, rtl=ctx.rtl, leading=size * 1.25)
    style2 = make_style("choice2", size=size - 1, rtl=ctx.rtl, leading=(size - 1) * 1.25,
                        color=colors.Color(0.3, 0.3, 0.3))
    label_w = avail_width / columns - mark_w
    rows: list[list] = []
    for start in range(0, len(choices), columns):
        row: list = []
        for choice in choices[start:start + columns]:
            cell = [paragraph(choice.label, style, ctx, where=f"term {choice.value}")]
            if choice.label2 and ctx2 is not None and choice.label2 != choice.label:
                cell.append(paragraph(choice.label2, style2, ctx2, where=f"term {choice.value}"))
            mark = TickMark(single=single, name=name, value=choice.value, fill=fill, rtl=ctx.rtl,
                            lang=ctx.lang)
            row += [cell, mark] if ctx.rtl else [mark, cell]
        while len(row) < 2 * columns:
            row.append("")
        if ctx.rtl:
            pairs = [row[i:i + 2] for i in range(0, len(row), 2)]
            row = [c for pair in reversed(pairs) for c in pair]
        rows.append(row)
    widths = ([label_w, mark_w] if ctx.rtl else [mark_w, label_w]) * columns
    table = Table(rows, colWidths=widths, hAlign="RIGHT" if ctx.rtl else "LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), LATIN.regular), 
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
    ]))
    return table
