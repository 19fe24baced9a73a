"""Words for the review screens: record types, governments, ages, decisions. Any thread."""

from __future__ import annotations

import datetime as dt

from focalpoint.i18n import _, country_name, get_language, localize, ngettext

OVERDUE_COLOUR = "#a4262c"  # the red of the records list's conflict state
OVERDUE_TEXT_COLOUR = "#ffffff"


def schema_label(schema: str, lang: str | None = None) -> str:
    """A record type's name in the interface language (the form definition's label)."""
    try:
        from focalpoint.forms import load_form

        return localize(load_form(schema).label, lang or get_language()) or schema
    except Exception:  # noqa: BLE001 — unknown or broken type: show its name
        return schema


def government_label(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    try:
        name = country_name(code.upper(), lang or get_language())
    except Exception:  # noqa: BLE001
        name = ""
    return name or code.upper()


def age_text(age: dt.timedelta) -> str:
    """How long a request has waited: hours, days, then weeks."""
    days = age.days
    if days < 1:
        hours = max(0, int(age.total_seconds() // 3600))
        return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    if days < 14:
        return ngettext("{n} day", "{n} days", days).format(n=days)
    weeks = days // 7
    return ngettext("{n} week", "{n} weeks", weeks).format(n=weeks)


def decision_label(decision: str | None) -> str:
    return {
        "approve": _("Approved here, waiting to be sent"),
        "reject": _("Rejected here, waiting to be sent"),
    }.get(decision or "", "")


def overdue_label() -> str:
    return _("overdue")
