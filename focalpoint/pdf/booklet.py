"""The short-term action plan (2017–2020) as a printed booklet, whole or filtered.

Whole, the booklet holds the decision's preamble and paragraphs, then the
annex: every section, target group and activity with its decisions, timeframe,
expected outputs, indicators, partners and footnotes, and the abbreviations
used. Filtered (by section, Aichi Target or partner) it holds only the matching
activities, and says which filter made it.

The official text is Chinese here (``load_plan()['official_languages']``); a
booklet in any other language carries the notice "Unofficial translation;
official text: 中文" on its first page, and says so when some texts are not yet
translated and are shown in another language.

Any thread may call :func:`booklet_pdf` (it reads the shipped plan, not the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from focalpoint.catalog import _partner_matches, load_plan
from focalpoint.i18n import N_, NATIVE_NAMES, localize
from focalpoint.pdf.common import Printer
from focalpoint.pdf.document import PageDecor, build, frame_width


@dataclass
class BookletFilter:
    """Which activities to print; None means any."""

    section: str | None = None
    aichi_target: int | None = None
    partner: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.section, self.aichi_target, self.partner))


def select_activities(plan: dict[str, Any], flt: BookletFilter) -> list[dict[str, Any]]:
    """The plan's activities that pass ``flt``, in number order."""
    glossary = {g["abbreviation"]: g for g in plan.get("glossary", [])}
    out = []
    for act in sorted(plan["activities"], key=lambda a: a["number"]):
        if flt.section and act.get("section") != flt.section:
            continue
        if flt.aichi_target is not None and flt.aichi_target not in (act.get("aichi_targets") or []):
            continue
        if flt.partner and not _partner_matches(act.get("partners", []), flt.partner, glossary):
            continue
        out.append(act)
    return out


class BookletWriter:
    def __init__(self, plan: dict[str, Any], printer: Printer, width: float, flt: BookletFilter) -> None:
        self.plan = plan
        self.p = printer
        self.width = width
        self.flt = flt
        self.official = list(plan.get("official_languages") or ["zh"])
        self.fallbacks = 0  # texts shown in another language for want of a translation

    def text(self, value: Any) -> str:
        if isinstance(value, dict) and not value.get(self.p.lang) and any(value.values()):
            self.fallbacks += 1
        return localize(value, self.p.lang)

    def story(self) -> list[Flowable]:
        p = self.p
        out: list[Flowable] = []
        annex_title = (self.plan.get("annex_title") or {}).get(p.lang) or p.tr(
            N_("Short-term action plan (2017-2020) to enhance and support capacity-building for the "
               "implementation of the Convention and its Protocols"))
        out.append(p.para(annex_title, "title", where="action plan title"))
        source = self.plan.get("source", {})
        subtitle = p.tr(N_("Annex to decision {decision} of the Conference of the Parties to the Convention "
                           "on Biological Diversity"), decision=source.get("decision", "XIII/23"))
        out.append(p.para(subtitle, "title2", where="action plan subtitle"))
        notice_at = len(out)
        if self.flt.active:
            out.append(p.para(self._filter_text(), "body", where="filter"))
        out.append(p.gap(6))
        activities = select_activities(self.plan, self.flt)
        if not self.flt.active:
            out += self.decision()
        if not activities:
            out.append(p.para(p.tr(N_("No activity matches this selection.")), "body", where="empty booklet"))
        out += self.annex(activities)
        if activities:
            out += self.abbreviations(activities)
        notices = []
        if p.lang not in self.official:
            names = ", ".join(NATIVE_NAMES.get(c, c) for c in self.official)
            notices.append(p.para(p.tr(N_("Unofficial translation; official text: {languages}"), languages=names),
                                  "notice", where="translation notice"))
        if self.fallbacks:
            notices.append(p.para(p.tr(N_("Some texts are not yet translated into {language}; they are shown "
                                          "in another language."), language=NATIVE_NAMES.get(p.lang, p.lang)),
                                  "help", where="translation notice"))
        out[notice_at:notice_at] = notices
        return out

    def _filter_text(self) -> str:
        p, f = self.p, self.flt
        parts = []
        if f.section:
            parts.append(p.tr(N_("section {section}"), section=f.section))
        if f.aichi_target is not None:
            parts.append(p.tr(N_("Aichi Biodiversity Target {number}"), number=f.aichi_target))
        if f.partner:
            parts.append(p.tr(N_("partner {partner}"), partner=f.partner))
        return p.tr(N_("Selection: {filters}"), filters="; ".join(parts))

    def decision(self) -> list[Flowable]:
        p = self.p
        out: list[Flowable] = []
        preamble = self.plan.get("preamble") or []
        paragraphs = self.plan.get("paragraphs") or []
        if not preamble and not paragraphs:
            return out
        title = (self.plan.get("title") or {}).get(p.lang) or p.tr(
            N_("Capacity-building, technical and scientific cooperation, technology transfer and the "
               "clearing-house mechanism"))
        out.append(p.section_bar([p.para(title, "section", where="decision title")], self.width))
        out.append(p.gap(4))
        for i, item in enumerate(preamble):
            out.append(p.para(self.text(item), "body", where=f"preamble {i + 1}"))
            out.append(Spacer(1, 2))
        for para in paragraphs:
            out.append(p.para(f"{para['number']}. {self.text(para.get('text'))}", "body",
                              where=f"paragraph {para['number']}"))
            for item in para.get("items", []):
                out.append(p.indent(8 * mm))
                out.append(p.para(f"({item.get('label', '')}) {self.text(item.get('text'))}", "body",
                                  where=f"paragraph {para['number']}({item.get('label', '')})"))
                out.append(p.dedent(8 * mm))
            out.append(Spacer(1, 3))
        out.append(p.gap(6))
        return out

    def _columns(self, section: str) -> list[str]:
        p = self.p
        own = [p.tr(N_("Activity")), p.tr(N_("COP or COP-MOP decisions")), p.tr(N_("Timeframe")),
               p.tr(N_("Expected outputs/outcomes")), p.tr(N_("Indicators")), p.tr(N_("Possible partners"))]
        for entry in self.plan.get("table_columns", []):
            if entry.get("section") == section:
                cols = entry.get("columns", [])
                return [c.get(p.lang) or own[i] if i < len(own) else c.get(p.lang, "")
                        for i, c in enumerate(cols[:len(own)])] + own[len(cols):]
        return own

    def annex(self, activities: list[dict[str, Any]]) -> list[Flowable]:
        p = self.p
        out: list[Flowable] = []
        groups = {g["id"]: g for g in self.plan.get("target_groups", [])}
        for section in self.plan.get("sections", []):
            acts = [a for a in activities if a.get("section") == section["code"]]
            if not acts:
                continue
            out.append(CondPageBreak(50 * mm))
            out.append(p.section_bar([p.para(f"{section['code']}. {self.text(section.get('title'))}", "section",
                                             where=f"section {section['code']}")], self.width))
            out.append(p.gap(4))
            columns = self._columns(section["code"])
            current_group: Any = object()
            for act in acts:
                group_id = act.get("target_group")
                if group_id != current_group and group_id in groups:
                    out.append(CondPageBreak(30 * mm))
                    out.append(p.para(self.text(groups[group_id].get("title")), "group",
                                      where=f"target group {group_id}"))
                    out.append(Spacer(1, 3))
                current_group = group_id
                out += self.activity(act, columns)
        return out

    def activity(self, act: dict[str, Any], columns: list[str]) -> list[Flowable]:
        p = self.p
        n = act["number"]
        where = f"activity {n}"
        head = p.tr(N_("Activity {number}"), number=n)
        marks = []
        if act.get("priority"):
            marks.append(p.tr(N_("priority")))
        if act.get("secretariat"):
            marks.append(p.tr(N_("led by the Secretariat")))
        if marks:
            head += " (" + ", ".join(marks) + ")"
        block: list[Flowable] = [p.para(head, "label", where=where),
                                 p.para(self.text(act.get("text")), "body", where=f"{where} text")]
        details: list[Flowable] = []

        def line(label: str, value: str, key: str) -> None:
            if value:
                details.append(p.para(f"{label}: {value}", "small", where=f"{where} {key}"))

        line(columns[1], self.text(act.get("decisions")), "decisions")
        line(columns[2], self.text(act.get("timeframe")), "timeframe")
        if act.get("aichi_targets"):
            line(p.tr(N_("Aichi Biodiversity Targets")), ", ".join(str(t) for t in act["aichi_targets"]), "aichi")
        for key, label in (("outputs", columns[3]), ("indicators", columns[4])):
            items = [self.text(v) for v in act.get(key, []) if self.text(v)]
            if items:
                details.append(p.para(label + ":", "small", where=f"{where} {key}"))
                for item in items:
                    details.append(p.para("• " + item, "small", where=f"{where} {key}"))
        partners = [self.text(x.get("text")) for x in act.get("partners", [])]
        line(columns[5], "; ".join(x for x in partners if x), "partners")
        for note in act.get("footnotes", []):
            details.append(p.para(f"[{note.get('number', '')}] {self.text(note.get('text'))}", "help",
                                  where=f"{where} footnote"))
        return [KeepTogether(block + [Spacer(1, 1.5)] + details[:3]), *details[3:], Spacer(1, 7)]

    def abbreviations(self, activities: list[dict[str, Any]]) -> list[Flowable]:
        p = self.p
        used = {abbr for a in activities for x in a.get("partners", []) for abbr in x.get("glossary", [])}
        entries = [g for g in self.plan.get("glossary", []) if g["abbreviation"] in used]
        if not entries:
            return []
        out: list[Flowable] = [CondPageBreak(40 * mm),
                               p.section_bar(p.own_label(N_("Abbreviations"), "section", "section2"), self.width),
                               p.gap(4)]
        for g in sorted(entries, key=lambda e: e["abbreviation"].casefold()):
            text = f"{g['abbreviation']}: {self.text(g.get('name'))}"
            if g.get("address"):
                text += f" ({g['address']})"
            out.append(p.para(text, "small", where=f"glossary {g['abbreviation']}"))
        return out


def booklet_pdf(*, lang: str = "en", flt: BookletFilter | None = None, paper: str = "a4",
                plan: dict[str, Any] | None = None, on_missing: str = "raise") -> bytes:
    """The action plan (or the activities ``flt`` selects) as a PDF booklet in ``lang``."""
    plan = plan if plan is not None else load_plan()
    flt = flt or BookletFilter()
    printer = Printer(lang, on_missing=on_missing)
    writer = BookletWriter(plan, printer, frame_width(paper), flt)
    story = writer.story()
    title = printer.tr(N_("Short-term action plan on capacity-building (2017-2020)"))
    note = None if lang in writer.official else printer.tr(N_("Unofficial translation"))
    decor = PageDecor(title=title, version_note=note, subject="CBD decision XIII/23")
    return build(story, decor, printer.ctx, paper=paper)
