"""A filled record as a PDF report: its fields, linked activities, review and audit trail.

The report follows the record type's form definition (same sections, same
labels), prints every value in its own script and direction, names the terms
in the report's language, and adds what the form alone cannot say:

* an action-plan activity as its number *and* its text from the catalogue
  (so a needs assessment's needs print with the activities they link to);
* a record reference with the referenced record's title when it is stored locally;
* a checklist's results (they are fields of the qaRecordReview/qaQualityStandard
  forms) and the review decision (approve or reject, with the reason) recorded
  for the record or made with that checklist;
* the audit trail: every :class:`focalpoint.models.AuditEvent` of the record.

Call from the database worker thread or the CLI (it reads the store).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle
from sqlalchemy import select

from focalpoint.db import Database
from focalpoint.forms import load_form, vocabulary
from focalpoint.forms import model as m
from focalpoint.forms.model import Field
from focalpoint.forms.vocabularies import activity_number
from focalpoint.i18n import LANGUAGES, N_, format_date, format_datetime, format_money, format_number, localize
from focalpoint.models import AuditEvent, CatalogActivity, Record, Workflow
from focalpoint.pdf import fieldnames as fn
from focalpoint.pdf.common import Printer
from focalpoint.pdf.document import PageDecor, build, frame_width
from focalpoint.pdf.fonts import LATIN
from focalpoint.pdf.text import first_strong
from focalpoint.review import AUDIT_ACTIONS

STATUSES = {"draft": N_("draft"), "ready": N_("ready"), "submitted": N_("submitted for publication"),
            "published": N_("published"), "removal": N_("removal requested"), "rejected": N_("rejected")}
WORKFLOW_STATES = {"running": N_("waiting for review"), "approved": N_("approved"),
                   "rejected": N_("rejected"), "cancelled": N_("cancelled")}


@dataclass
class ReportData:
    """Everything a record report prints, read from the store as plain data."""

    identifier: str
    schema: str
    document: dict[str, Any]
    status: str
    local_revision: int
    server_revision: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    audit: list[dict[str, Any]]
    activities: dict[int, dict[str, str]]          # number -> text map
    titles: dict[str, dict[str, str]]             # referenced identifier -> title map
    workflows: list[dict[str, Any]]


def _reference_ids(value: Any) -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        ident = value.get("identifier")
        if isinstance(ident, str):
            out.append(ident.split("@", 1)[0])
        for item in value.values():
            if isinstance(item, (dict, list)):
                out += _reference_ids(item)
    elif isinstance(value, list):
        for item in value:
            out += _reference_ids(item)
    return out


def load_report_data(db: Database, identifier: str) -> ReportData:
    """Read one record, its audit events, linked activities and workflows (raises KeyError)."""
    with db.session() as session:
        rec = session.get(Record, identifier)
        if rec is None:
            raise KeyError(identifier)
        document = dict(rec.document or {})
        events = session.scalars(select(AuditEvent).where(AuditEvent.record_identifier == identifier)
                                 .order_by(AuditEvent.at, AuditEvent.id)).all()
        audit = [{"at": e.at, "action": e.action, "actor": e.actor, "revision": e.revision,
                  "origin": e.origin, "details": dict(e.details or {})} for e in events]
        refs = set(_reference_ids({k: v for k, v in document.items() if k != "header"}))
        numbers = {n for n in (activity_number(r) for r in refs) if n is not None}
        activities = {a.number: dict(a.text or {}) for a in
                      session.scalars(select(CatalogActivity).where(CatalogActivity.number.in_(numbers)))}
        titles = {r.identifier: dict(r.title or {}) for r in
                  session.scalars(select(Record).where(Record.identifier.in_(refs - {identifier})))}
        workflows = []
        for wf in session.scalars(select(Workflow).order_by(Workflow.created_at)):
            data = wf.data if isinstance(wf.data, dict) else {}
            raw_decision = data.get("localDecision")
            decision: dict[str, Any] = raw_decision if isinstance(raw_decision, dict) else {}
            if wf.record_identifier == identifier or decision.get("checklist") == identifier:
                workflows.append({"id": wf.id, "record": wf.record_identifier, "state": wf.state,
                                  "revision": wf.revision, "created_by": wf.created_by,
                                  "created_at": wf.created_at, "reason": wf.reason, "decision": decision})
        return ReportData(identifier=rec.identifier, schema=rec.schema, document=document, status=rec.status,
                          local_revision=rec.local_revision, server_revision=rec.server_revision,
                          created_at=rec.created_at, updated_at=rec.updated_at, audit=audit,
                          activities=activities, titles=titles, workflows=workflows)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class ReportWriter:
    """Turns one record into flowables."""

    def __init__(self, data: ReportData, printer: Printer, width: float) -> None:
        self.data = data
        self.p = printer
        self.width = width
        self.form = load_form(data.schema)

    # ------------------------------------------------------------------ story

    def story(self) -> list[Flowable]:
        p, d = self.p, self.data
        out: list[Flowable] = []
        title = localize(self._title_map(), p.lang) or d.identifier
        out.append(p.para(title, "title", where="record title"))
        out += p.label(self.form.label, "title2", "help", where="form name")
        out.append(p.gap(4))
        facts = [
            (p.tr(N_("Identifier")), d.identifier),
            (p.tr(N_("Status")), p.tr(STATUSES.get(d.status, d.status))),
            (p.tr(N_("Local revision")), str(d.local_revision)),
            (p.tr(N_("Server revision")), str(d.server_revision) if d.server_revision is not None else "—"),
            (p.tr(N_("Last changed")), format_datetime(d.updated_at, p.lang, "short")),
            (p.tr(N_("Languages")), ", ".join(p.tr_language(c) for c in self._languages())),
        ]
        out.append(self._facts_table(facts))
        out.append(p.gap(8))
        for section in self.form.sections:
            body: list[Flowable] = []
            for fld in section.fields:
                if fld.printed:
                    body += self.field(fld, [fld.name], self.data.document.get(fld.name))
            if not body:
                continue
            out.append(CondPageBreak(30 * mm))
            out.append(p.section_bar(p.label(section.title or {"en": section.name}, "section", "section2",
                                             where=f"section {section.name}"), self.width))
            out.append(p.gap(4))
            out += body
        out += self.workflows()
        out += self.audit()
        return out

    def _title_map(self) -> dict[str, str]:
        from focalpoint.records import document_title

        return document_title(self.data.document)

    def _languages(self) -> list[str]:
        header = self.data.document.get("header") or {}
        langs = [c for c in header.get("languages", []) if c in LANGUAGES]
        return langs or [self.p.lang]

    def _facts_table(self, rows: list[tuple[str, str]]) -> Table:
        p = self.p
        cells = []
        for label, value in rows:
            pair = [p.para(label, "small", where="report facts"), p.para(value, "small", where="report facts")]
            cells.append(pair[::-1] if p.rtl else pair)
        widths = [0.25 * self.width, 0.75 * self.width]
        table = Table(cells, colWidths=widths[::-1] if p.rtl else widths)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), LATIN.regular),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
        return table

    # ----------------------------------------------------------------- fields

    def field(self, fld: Field, parts: list, value: Any) -> list[Flowable]:
        p = self.p
        where = fn.dotted(parts)
        if _empty(value):
            if not fld.required:
                return []
            return [KeepTogether(p.label(fld.label, where=f"label of {where}") +
                                 [p.para("— " + p.tr(N_("(not given)")), "help", where=where)]), Spacer(1, 4)]
        if fld.kind == m.GROUP:
            items = value if fld.repeat and isinstance(value, list) else [value]
            out: list[Flowable] = []
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                suffix = f" {i + 1}" if fld.repeat else ""
                out.append(CondPageBreak(25 * mm))
                out += p.label(fld.label, "group", "label2", where=f"label of {where}", suffix=suffix)
                out.append(Spacer(1, 2))
                out.append(p.indent())
                base = parts + [i] if fld.repeat else parts
                for member in fld.fields:
                    if member.printed:
                        out += self.field(member, base + [member.name], item.get(member.name))
                out.append(p.dedent())
                out.append(Spacer(1, 3))
            return out
        values = value if fld.repeat and isinstance(value, list) else [value]
        body: list[Flowable] = []
        for i, item in enumerate(values):
            body += self.value(fld, item, parts + ([i] if fld.repeat else []))
        return [KeepTogether(p.label(fld.label, where=f"label of {where}") + body), Spacer(1, 4)]

    def value(self, fld: Field, value: Any, parts: list) -> list[Flowable]:
        p = self.p
        where = fn.dotted(parts)
        kind = fld.kind
        if kind in m.LOCALIZED_KINDS and isinstance(value, dict):
            order = [p.lang] + [c for c in self._languages() if c != p.lang] + \
                    [c for c in value if c not in LANGUAGES]
            present = [c for c in dict.fromkeys(order) if isinstance(value.get(c), str) and value.get(c)]
            out = []
            for code in present:
                text = value[code]
                if len(present) > 1:
                    text = f"\u200e[{code.upper()}]\u200e {text}"  # LRM: the tag stays one LTR unit
                # the tag must not decide the direction: the value's own first letter does
                out.append(p.para(text, "value", where=f"{where}.{code}", base=first_strong(value[code]),
                                  ctx=p.ctx.for_lang(code) if code in LANGUAGES else p.ctx))
            return out
        return [p.para(self.text_of(fld, value), "value", where=where)]

    def text_of(self, fld: Field, value: Any) -> str:
        """One value as the text to print (any kind but localized text and groups)."""
        p = self.p
        kind = fld.kind
        try:
            if kind == m.DATE and isinstance(value, str):
                return format_date(dt.date.fromisoformat(value), p.lang, "long")
            if kind == m.NUMBER and isinstance(value, (int, float)):
                return format_number(value, p.lang)
            if kind == m.MONEY and isinstance(value, dict):
                return format_money(value.get("amount", 0), str(value.get("currency", "")), p.lang)
        except (ValueError, TypeError, KeyError):
            pass
        if kind == m.BOOLEAN:
            return p.tr(N_("Yes")) if value is True else p.tr(N_("No")) if value is False else str(value)
        if kind in (m.TERM, m.CODE):
            ident = value.get("identifier") if isinstance(value, dict) else value
            text = str(ident)
            try:
                term = vocabulary(fld.vocabulary or "").term(str(ident))
            except KeyError:
                term = None
            if term is not None:
                text = p.pick(term.label)
            if isinstance(value, dict) and isinstance(value.get("customValue"), dict):
                custom = localize(value["customValue"], p.lang)
                if custom:
                    text = f"{text}: {custom}"
            return text
        if kind == m.ACTIVITY:
            ident = value.get("identifier") if isinstance(value, dict) else value
            number = activity_number(str(ident))
            if number is None:
                return str(ident)
            text = localize(self.data.activities.get(number), p.lang)
            label = p.tr(N_("Activity {number}"), number=number)
            return f"{label}: {text}" if text else label
        if kind == m.REFERENCE:
            ident = value.get("identifier", "") if isinstance(value, dict) else str(value)
            title = localize(self.data.titles.get(ident.split("@", 1)[0]), p.lang)
            return f"{title} ({ident})" if title else ident
        if kind == m.LINK and isinstance(value, dict):
            name, url = value.get("name") or "", value.get("url") or ""
            return f"{name} — {url}" if name and name != url else url
        if kind == m.ATTACHMENT and isinstance(value, dict):
            size = value.get("size")
            name = str(value.get("filename") or value.get("sha256", ""))
            if not isinstance(size, int):
                return name
            # TRANSLATORS: an attached document in a printed report: its file name and size in bytes
            return p.tr(N_("{name} ({size} bytes)"), name=name, size=format_number(size, p.lang))
        if isinstance(value, (dict, list)):
            import json

            return json.dumps(value, ensure_ascii=False)
        return str(value)

    # ------------------------------------------------------ review and audit

    def workflows(self) -> list[Flowable]:
        p = self.p
        if not self.data.workflows:
            return []
        out: list[Flowable] = [CondPageBreak(30 * mm),
                               p.section_bar(p.own_label(N_("Review and publication"), "section", "section2"),
                                             self.width), p.gap(4)]
        for wf in self.data.workflows:
            decision = wf["decision"] or {}
            lines = [p.tr(N_("Publication request of revision {revision}: {state}"),
                          revision=wf["revision"] if wf["revision"] is not None else "—",
                          state=p.tr(WORKFLOW_STATES.get(wf["state"], wf["state"])))]
            if wf["record"] != self.data.identifier:
                lines.append(p.tr(N_("Record reviewed: {identifier}"), identifier=wf["record"]))
            if decision.get("action") == "approve":
                lines.append(p.tr(N_("Decision: approved (revision {revision})"),
                                  revision=decision.get("revision", "—")))
            elif decision.get("action") == "reject":
                lines.append(p.tr(N_("Decision: rejected. Reason: {reason}"), reason=decision.get("reason", "")))
            if wf.get("reason") and decision.get("action") != "reject":
                lines.append(p.tr(N_("Reason: {reason}"), reason=wf["reason"]))
            if decision.get("checklist"):
                title = localize(self.data.titles.get(decision["checklist"]), p.lang)
                lines.append(p.tr(N_("Checklist: {identifier}"), identifier=title or decision["checklist"]))
            for line in lines:
                out.append(p.para(line, "body", where="review decision"))
            out.append(p.gap(3))
        return out

    def audit(self) -> list[Flowable]:
        p = self.p
        out: list[Flowable] = [CondPageBreak(30 * mm),
                               p.section_bar(p.own_label(N_("History of this record"), "section", "section2"),
                                             self.width), p.gap(4)]
        if not self.data.audit:
            return out + [p.para(p.tr(N_("No recorded events.")), "help", where="audit")]
        header = [p.tr(N_("When")), p.tr(N_("What")), p.tr(N_("Who")), p.tr(N_("Revision")), p.tr(N_("Details"))]
        widths = [0.22, 0.2, 0.22, 0.1, 0.26]
        rows = [[p.para(h, "small", where="audit header") for h in header]]
        for ev in self.data.audit:
            details = ev["details"] or {}
            detail = details.get("reason") or ""
            if ev["origin"] == "server":
                detail = (detail + " " if detail else "") + p.tr(N_("(from the server)"))
            cells = [format_datetime(ev["at"], p.lang, "short"), p.tr(AUDIT_ACTIONS.get(ev["action"], ev["action"])),
                     ev["actor"] or "—", "" if ev["revision"] is None else str(ev["revision"]), detail]
            rows.append([p.para(str(c), "small", where=f"audit event {ev['action']}") for c in cells])
        if p.rtl:
            rows = [row[::-1] for row in rows]
            widths = widths[::-1]
        table = Table(rows, colWidths=[w * self.width for w in widths], repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), LATIN.regular),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.Color(0.4, 0.4, 0.4)),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.Color(0.8, 0.8, 0.8)),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]))
        out.append(table)
        return out


def record_report_pdf(db: Database, identifier: str, *, lang: str | None = None, paper: str = "a4",
                      on_missing: str = "raise") -> bytes:
    """The record ``identifier`` as a PDF report in ``lang`` (default: the record's first language)."""
    data = load_report_data(db, identifier)
    if lang is None:
        langs = [c for c in (data.document.get("header") or {}).get("languages", []) if c in LANGUAGES]
        lang = langs[0] if langs else "en"
    printer = Printer(lang, on_missing=on_missing)
    writer = ReportWriter(data, printer, frame_width(paper))
    story = writer.story()
    form_name = printer.pick(writer.form.label)
    title = localize(writer._title_map(), lang) or identifier
    decor = PageDecor(title=f"{form_name}: {title}", version_note=identifier, subject=identifier)
    return build(story, decor, printer.ctx, paper=paper)
