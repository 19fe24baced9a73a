"""The activity detail pane: every field of one activity as rich text.

``activity_html`` is a pure function of plain data (the dict from
``focalpoint.catalog.activity_detail`` and the linked needs), so it is easy to test and
the pane just shows its result in a ``QTextBrowser``. Links:

- ``focalpoint:official`` / ``focalpoint:translated`` switch between the official text
  and the interface language;
- ``focalpoint:record/<identifier>`` opens a linked need in the editor.
"""

from __future__ import annotations

from html import escape
from typing import Any

from focalpoint.i18n import NATIVE_NAMES, _, is_rtl, localize, ngettext

OFFICIAL_LINK = "focalpoint:official"
TRANSLATED_LINK = "focalpoint:translated"
RECORD_LINK_PREFIX = "focalpoint:record/"

STYLE = """
<style>
body { margin: 0; }
h2 { margin: 0 0 4px 0; }
h3 { margin: 14px 0 4px 0; color: #1f4e79; }
p { margin: 2px 0; }
.notice { background: #fff4ce; color: #5c4400; padding: 6px; }
.muted { color: #555555; }
.badge { color: #ffffff; background: #1f4e79; }
.badge2 { color: #ffffff; background: #6b4e16; }
td.label { color: #555555; padding-right: 10px; padding-left: 10px; }
li { margin-bottom: 3px; }
</style>
"""


def _text(value: Any, lang: str) -> str:
    return escape(localize(value, lang))


def _has(value: Any, lang: str) -> bool:
    return isinstance(value, dict) and bool(value.get(lang))


def display_language(detail: dict[str, Any], lang: str, show_official: bool) -> str:
    """The language the activity will be shown in: the interface's, else the official one."""
    official = detail.get("official_languages") or ["zh"]
    if show_official or lang in official:
        return lang if lang in official else official[0]
    return lang if _has(detail.get("text"), lang) else official[0]


def activity_html(detail: dict[str, Any], lang: str, *, show_official: bool = False,
                  linked_needs: list[dict[str, Any]] | None = None) -> str:
    """The detail pane's HTML for one activity, labels in ``lang``."""
    official = detail.get("official_languages") or ["zh"]
    shown = display_language(detail, lang, show_official)
    direction = "rtl" if is_rtl(shown) else "ltr"
    ui_direction = "rtl" if is_rtl(lang) else "ltr"
    align = "right" if ui_direction == "rtl" else "left"
    out: list[str] = [f'<html><head>{STYLE}</head><body dir="{ui_direction}">']

    number = detail["number"]
    badges = []
    if detail.get("priority"):
        _t0 = _("Global priority")
        badges.append(f'<span class="badge">&nbsp;★ {escape(_t0)}&nbsp;</span>')
    if detail.get("secretariat"):
        _t0 = _("Secretariat role")
        badges.append(f'<span class="badge2">&nbsp;(S) {escape(_t0)}&nbsp;</span>')
    _t0 = _("Activity {number}")
    out.append(f'<h2 align="{align}">{escape(_t0.format(number=number))}</h2>')
    if badges:
        out.append(f'<p align="{align}">{" ".join(badges)}</p>')

    # which text is this, and is it official?
    official_names = "、".join(NATIVE_NAMES.get(code, code) for code in official) if "zh" in official \
        else ", ".join(NATIVE_NAMES.get(code, code) for code in official)
    if shown not in official:
        _t0 = _("show the official text")
        out.append(
            f'<p class="notice" align="{align}">'
            + escape(_("Unofficial translation; official text: {languages}").format(languages=official_names))
            + f' — <a href="{OFFICIAL_LINK}">{escape(_t0)}</a></p>')
    elif shown != lang:
        if show_official and _has(detail.get("text"), lang):
            _t0 = _("show the translation")
            switch = f' — <a href="{TRANSLATED_LINK}">{escape(_t0)}</a>'
        else:
            switch = ""
        out.append(
            f'<p class="notice" align="{align}">'
            + escape(_("Official text ({language}); no translation into {interface} yet.").format(
                language=NATIVE_NAMES.get(shown, shown), interface=NATIVE_NAMES.get(lang, lang))
                     if not _has(detail.get("text"), lang) else
                     _("Official text ({language}).").format(language=NATIVE_NAMES.get(shown, shown)))
            + switch + "</p>")

    out.append(f'<p dir="{direction}" style="font-size: large;">{_text(detail.get("text"), shown)}</p>')

    # facts table
    rows: list[tuple[str, str]] = []
    section_title = localize(detail.get("section_title"), shown)
    _t0 = _("Section")
    rows.append((_t0, escape(f'{detail["section"]}. {section_title}' if section_title else detail["section"])))
    group = detail.get("target_group")
    if group:
        rows.append((_("Aichi target group"), _text(group.get("title"), shown)))
    if detail.get("aichi_targets"):
        rows.append((_("Aichi Biodiversity Targets"), escape(", ".join(str(t) for t in detail["aichi_targets"]))))
    if localize(detail.get("decisions"), shown):
        rows.append((_("COP decisions"), _text(detail.get("decisions"), shown)))
    if localize(detail.get("timeframe"), shown):
        rows.append((_("Timeframe"), _text(detail.get("timeframe"), shown)))
    out.append('<table cellspacing="0" cellpadding="2">')
    for label, value in rows:
        out.append(f'<tr><td class="label" valign="top" width="30%">{escape(label)}</td>'
                   f'<td dir="{direction}">{value}</td></tr>')
    out.append("</table>")

    def bullet_list(title: str, items: list[Any]) -> None:
        texts = [localize(i, shown) for i in items if localize(i, shown)]
        if not texts:
            return
        out.append(f"<h3>{escape(title)}</h3><ul dir=\"{direction}\">")
        out.extend(f"<li>{escape(t)}</li>" for t in texts)
        out.append("</ul>")

    bullet_list(_("Expected outputs/outcomes"), detail.get("outputs") or [])
    bullet_list(_("Possible indicators"), detail.get("indicators") or [])

    partners = detail.get("partners") or []
    if partners:
        _t0 = _('Possible partners')
        out.append(f"<h3>{escape(_t0)}</h3><ul dir=\"{direction}\">")
        for partner in partners:
            line = _text(partner.get("text"), shown)
            entries = partner.get("glossary") or []
            sub = [_glossary_html(entry, lang) for entry in entries]
            if len(entries) == 1 and localize(partner.get("text"), shown).strip() == entries[0]["abbreviation"]:
                out.append(f"<li>{sub[0]}</li>")  # the partner is just the abbreviation: one line
            else:
                out.append(f"<li>{line}" + (f"<ul>{''.join(f'<li>{s}</li>' for s in sub)}</ul>" if sub else "")
                           + "</li>")
        out.append("</ul>")

    footnotes = detail.get("footnotes") or []
    texts = [(fn.get("number"), localize(fn.get("text"), shown)) for fn in footnotes]
    texts = [(n, t) for n, t in texts if t]
    if texts:
        _t0 = _('Footnotes')
        out.append(f"<h3>{escape(_t0)}</h3>")
        for n, t in texts:
            out.append(f'<p class="muted" dir="{direction}"><sup>{escape(str(n))}</sup> {escape(t)}</p>')
    notes = [localize(n, shown) for n in (detail.get("notes") or []) if localize(n, shown)]
    if notes:
        _t0 = _('Notes')
        out.append(f"<h3>{escape(_t0)}</h3>")
        out.extend(f'<p class="muted" dir="{direction}">{escape(n)}</p>' for n in notes)

    needs = linked_needs or []
    _t0 = _('National needs linked to this activity')
    out.append(f"<h3>{escape(_t0)}</h3>")
    if not needs:
        _t0 = _("No capacity need recorded here names this activity yet.")
        out.append(f'<p class="muted">{escape(_t0)}</p>')
    else:
        count = ngettext("{n} need", "{n} needs", len(needs)).format(n=len(needs))
        out.append(f'<p class="muted">{escape(count)}</p>')
        out.append("<ul>")
        for need in needs:
            record_title = localize(need.get("record_title"), lang) or _("(untitled record)")
            need_title = localize(need.get("need_title"), lang) if need.get("need_title") else ""
            label = f"{need_title} — {record_title}" if need_title else record_title
            out.append(f'<li><a href="{RECORD_LINK_PREFIX}{escape(need["record"], quote=True)}">'
                       f"{escape(label)}</a></li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "".join(out)


def _glossary_html(entry: dict[str, Any], lang: str) -> str:
    """``<b>UNDP</b>: United Nations Development Programme — http://www.undp.org``"""
    name = escape(localize(entry.get("name"), lang))
    address = (entry.get("address") or "").strip()
    href = address if address.startswith(("http://", "https://")) else (
        "http://" + address if address.startswith("www.") else "")
    if href:
        tail = f' — <a href="{escape(href, quote=True)}">{escape(address)}</a>'
    else:
        tail = f" — {escape(address)}" if address else ""
    return f"<b>{escape(entry['abbreviation'])}</b>: {name}{tail}"


def activity_plain_text(detail: dict[str, Any], lang: str) -> str:
    """The main fields as plain text (copy to clipboard)."""
    shown = display_language(detail, lang, False)
    lines = [_("Activity {number}").format(number=detail["number"]), localize(detail.get("text"), shown)]
    for key in ("decisions", "timeframe"):
        value = localize(detail.get(key), shown)
        if value:
            lines.append(value)
    return "\n".join(lines)
