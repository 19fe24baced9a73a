"""Blank forms to print for workshops (or to fill on screen), made from the form definitions.

Every record type's form (``resources/forms/<schema>.json``) becomes a printable
form: the same sections and fields as the editor, with the labels and help in
the chosen language (or two languages), and room to answer by hand sized by
the field's kind — a line for a name, ruled lines for a description, short
boxes for dates and numbers, tick boxes with each term's label for choices.
Add a field to the definition and it appears here.

With ``fillable=True`` the answer spaces are AcroForm fields named after the
property they fill (:mod:`focalpoint.pdf.fieldnames`), for
:func:`focalpoint.pdf.importer.import_filled_pdfs` to read back.

Any thread may call :func:`blank_form_pdf` (it only reads the shipped definitions).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from focalpoint.forms import load_form, vocabulary
from focalpoint.forms import model as m
from focalpoint.forms.model import Field, FormDefinition
from focalpoint.i18n import N_
from focalpoint.pdf import fieldnames as fn
from focalpoint.pdf.common import Printer
from focalpoint.pdf.document import PageDecor, build, form_code, frame_width
from focalpoint.pdf.fonts import LATIN
from focalpoint.pdf.widgets import Choice, Fillable, WriteBox, choice_grid

LARGE_VOCABULARY = 40     # more terms than this: a line to write the name or code on
PAPER_REPEAT = 2          # copies of a repeated group on a paper form
FILLABLE_REPEAT = 3       # … and on a fillable form
LONG_LINES = 5


@dataclass
class FormOptions:
    """How to print a blank form. ``lang2`` makes it bilingual (labels in both)."""

    lang: str = "en"
    lang2: str | None = None
    paper: str = "a4"
    fillable: bool = False
    repeat: int | None = None
    on_missing: str = "raise"


class FormWriter:
    """Turns one form definition into flowables (paper or fillable)."""

    def __init__(self, form: FormDefinition, printer: Printer, width: float, *,
                 fill: Fillable | None = None, repeat: int | None = None) -> None:
        self.form = form
        self.p = printer
        self.width = width
        self.fill = fill
        self.repeat = repeat or (FILLABLE_REPEAT if fill is not None else PAPER_REPEAT)
        self.languages = [printer.lang] + ([printer.lang2] if printer.lang2 else [])

    # ------------------------------------------------------------------ story

    def story(self) -> list[Flowable]:
        p = self.p
        form = self.form
        out: list[Flowable] = []
        out += p.label(form.label, "title", "title2", where=f"{form.schema} form title")
        if form.help:
            out += p.label(form.help, "help", "help", where=f"{form.schema} form help")
        out.append(p.gap(4))
        if self.fill is None:
            out += p.own_label(N_("Write clearly inside the boxes. Square boxes: tick every one that applies; "
                                  "round boxes: tick only one. Fields marked * are required."),
                               "small", "help", where="instructions")
        else:
            out += p.own_label(N_("Fill in this form on screen and save it, then send it back. Square boxes: "
                                  "tick every one that applies; round boxes: tick only one. Fields marked * "
                                  "are required."), "small", "help", where="instructions")
        out.append(p.gap(6))
        for section in form.sections:
            fields = [f for f in section.fields if f.printed]
            if not fields:
                continue
            out.append(CondPageBreak(40 * mm))
            bar = p.label(section.title or {"en": section.name}, "section", "section2",
                          where=f"section {section.name}")
            if section.help:
                bar += p.label(section.help, "help", "help", where=f"section {section.name} help")
            out.append(p.section_bar(bar, self.width))
            out.append(p.gap(5))
            for fld in fields:
                out += self.field(fld, [fld.name])
        return out

    # ----------------------------------------------------------------- fields

    def _label(self, fld: Field, parts: list, suffix: str = "") -> list[Flowable]:
        star = " *" if fld.required else ""
        where = fn.dotted(parts)
        out = self.p.label(fld.label, where=f"label of {where}", suffix=suffix + star)
        if fld.help:
            out += self.p.label(fld.help, "help", "help", where=f"help of {where}")
        out.append(Spacer(1, 1.5))
        return out

    def field(self, fld: Field, parts: list) -> list[Flowable]:
        if not fld.printed:
            return []
        if fld.kind == m.GROUP:
            return self.group(fld, parts)
        if fld.repeat and fld.kind in (m.TEXT, m.LONG_TEXT, m.REFERENCE, m.LINK) + tuple(m.LOCALIZED_KINDS):
            copies = 2 if fld.kind != m.LONG_TEXT else 1
            body: list[Flowable] = []
            for i in range(copies):
                body += self.answer(fld, parts + [i])
                body.append(Spacer(1, 2))
            return [KeepTogether(self._label(fld, parts) + body), Spacer(1, 5)]
        return [KeepTogether(self._label(fld, parts) + self.answer(fld, parts)), Spacer(1, 5)]

    def group(self, fld: Field, parts: list) -> list[Flowable]:
        p = self.p
        out: list[Flowable] = []
        copies = self.repeat if fld.repeat else 1
        for i in range(copies):
            number = f" {i + 1}" if fld.repeat else ""
            out.append(CondPageBreak(30 * mm))
            heading = p.label(fld.label, "group", "label2", where=f"label of {fn.dotted(parts)}",
                              suffix=number + (" *" if fld.required and i == 0 else ""))
            if fld.help and i == 0:
                heading += p.label(fld.help, "help", "help", where=f"help of {fn.dotted(parts)}")
            out += heading
            out.append(Spacer(1, 3))
            out.append(p.indent())
            base = parts + [i] if fld.repeat else parts
            for member in fld.fields:
                out += self.field(member, base + [member.name])
            out.append(p.dedent())
            out.append(Spacer(1, 4))
        if fld.repeat and self.fill is None:
            out += p.own_label(N_("Need more room? Continue on a separate sheet."), "help", "help", where="note")
            out.append(Spacer(1, 4))
        return out

    def _box(self, parts: list, **kwargs) -> WriteBox:
        name = fn.encode(parts) if self.fill is not None else None
        return WriteBox(self.p.ctx, name=name, fill=self.fill, **kwargs)

    def answer(self, fld: Field, parts: list) -> list[Flowable]:
        p = self.p
        kind = fld.kind
        if kind in m.LOCALIZED_KINDS:
            lines = LONG_LINES if kind == m.LOCALIZED_LONG_TEXT else 1
            # on paper one box takes the answer in either language; on screen each language has its field
            languages = self.languages if self.fill is not None else self.languages[:1]
            tagged = len(languages) > 1
            out: list[Flowable] = []
            for lang in languages:
                out.append(self._box(parts + [lang], lines=lines, tag=lang.upper() if tagged else None,
                                     max_length=fld.max_length))
                out.append(Spacer(1, 1.5))
            return out
        if kind == m.TEXT:
            # TRANSLATORS: an example e-mail address, printed faintly in the box for one
            hint = {"url": "https://…", "email": p.tr(N_("name@example.org"))}.get(fld.format or "")
            return [self._box(parts, hint=hint, max_length=fld.max_length)]
        if kind == m.LONG_TEXT:
            return [self._box(parts, lines=LONG_LINES, max_length=fld.max_length)]
        if kind == m.DATE:
            return [self._box(parts, fraction=0.32, hint=p.tr(N_("YYYY-MM-DD")))]
        if kind == m.NUMBER:
            return [self._box(parts, fraction=0.32)]
        if kind == m.MONEY:
            return [self.money(parts)]
        if kind == m.BOOLEAN:
            choices = [Choice(p.tr(N_("Yes")), "true", p.tr2(N_("Yes"))),
                       Choice(p.tr(N_("No")), "false", p.tr2(N_("No")))]
            return [self._grid(choices, parts, single=True, columns=4)]
        if kind in (m.TERM, m.CODE):
            return self.terms(fld, parts)
        if kind == m.ACTIVITY:
            hint = p.tr(N_("activity numbers 1–110, separated by commas")) if fld.repeat else \
                p.tr(N_("activity number (1–110)"))
            return [self._box(parts, hint=hint, fraction=1.0 if fld.repeat else 0.5)]
        if kind == m.REFERENCE:
            return [self._box(parts, hint=p.tr(N_("name or identifier of the record")))]
        if kind == m.LINK:
            return [self._box(parts + ["url"], hint="https://…")]
        if kind == m.ATTACHMENT:
            if self.fill is not None:
                return [p.para(p.tr(N_("Attach documents in FocalPoint after importing this form.")), "help",
                               where=fn.dotted(parts))]
            return [self._box(parts, lines=2, hint=p.tr(N_("titles of the documents you attach")))]
        raise ValueError(f"cannot print a field of kind {kind!r}")

    def money(self, parts: list) -> Flowable:
        p = self.p
        amount = self._box(parts + ["amount"], hint=p.tr(N_("amount")))
        currency = self._box(parts + ["currency"], hint=p.tr(N_("currency (e.g. USD)")))
        row = [currency, amount] if p.rtl else [amount, currency]
        widths = [0.3 * self.width, 0.4 * self.width]
        table = Table([row], colWidths=widths[::-1] if p.rtl else widths, hAlign="RIGHT" if p.rtl else "LEFT")
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), LATIN.regular), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def _grid(self, choices: list[Choice], parts: list, *, single: bool, columns: int | None = None) -> Flowable:
        name = fn.encode(parts) if self.fill is not None else None
        return choice_grid(choices, self.p.ctx, self.width, single=single, name=name, fill=self.fill,
                           columns=columns, ctx2=self.p.ctx2)

    def terms(self, fld: Field, parts: list) -> list[Flowable]:
        p = self.p
        vocab = vocabulary(fld.vocabulary or "")
        if len(vocab) > LARGE_VOCABULARY:
            hint = p.tr(N_("names or codes, separated by commas")) if fld.repeat else p.tr(N_("name or code"))
            return [self._box(parts, hint=hint)]
        choices = [Choice(p.pick(t.label), t.identifier, p.pick2(t.label)) for t in vocab]
        out: list[Flowable] = []
        hint = p.both(N_("Tick all that apply.")) if fld.repeat else p.both(N_("Tick one."))
        out.append(p.para(hint, "help", where="choice hint"))
        out.append(self._grid(choices, parts, single=not fld.repeat))
        for term in vocab:
            if term.custom:
                label = p.tr(N_("{term}: please specify"), term=p.pick(term.label))
                languages = self.languages if self.fill is not None else self.languages[:1]
                for lang in languages:
                    name = fn.custom_field(parts, term.identifier, lang) if self.fill is not None else None
                    out.append(Spacer(1, 1.5))
                    out.append(WriteBox(p.ctx, name=name, fill=self.fill, hint=label,
                                        tag=lang.upper() if len(languages) > 1 else None))
        return out


def blank_form_pdf(schema: str, options: FormOptions | None = None) -> bytes:
    """The blank (or fillable) form of record type ``schema`` as PDF bytes."""
    options = options or FormOptions()
    form = load_form(schema)
    printer = Printer(options.lang, options.lang2, on_missing=options.on_missing)
    fill = Fillable() if options.fillable else None
    writer = FormWriter(form, printer, frame_width(options.paper), fill=fill, repeat=options.repeat)
    story = writer.story()
    code = form_code(form.schema, form.version, printer.lang, printer.lang2)
    decor = PageDecor(title=printer.pick(form.label), title2=printer.pick2(form.label),
                      version_note=printer.both(N_("Form version {version}"), version=form.version), code=code)
    pdf = build(story, decor, printer.ctx, paper=options.paper, lang2=printer.lang2)
    if fill is not None:
        from focalpoint.pdf.acroform import finish_fillable

        pdf = finish_fillable(pdf, fill, code=code, languages=writer.languages)
    return pdf
