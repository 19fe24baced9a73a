"""Words for the review screens: record types, governments, ages, decisions. Any thread."""

from __future__ import annotations

import datetime as dt

from focalpoint.i18n import _, country_name, get_language, localize, ngettext
from focalpoint.models import WorkflowState

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


def _local(value: dt.datetime) -> dt.datetime:
    """The store keeps naive UTC times; people read their own clock."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().replace(tzinfo=None)


def when_text(value: dt.datetime | None, lang: str | None = None, fmt: str = "medium") -> str:
    """A stored (naive UTC) time in the person's clock and the interface language's format."""
    from focalpoint.i18n import format_datetime

    return format_datetime(_local(value), lang or get_language(), fmt=fmt) if value is not None else ""


def reviewer_text(schema: str) -> str:
    """Who a publication request for a record of ``schema`` goes to, in words."""
    from focalpoint.review import reviewer_of

    if reviewer_of(schema) == "secretariat":
        return _("Sent to the Secretariat for review")
    return _("Sent to your national focal point for review")


def decision_text(decision: dict | None, lang: str | None = None) -> str:
    """A closed request's outcome: who rejected (or approved) it, when, and the reason given."""
    if not decision or decision.get("state") not in (WorkflowState.REJECTED, WorkflowState.APPROVED):
        return ""
    who = decision.get("by") or _("a reviewer")
    when = when_text(decision.get("at"), lang)
    reason = (decision.get("reason") or "").strip()
    if decision["state"] == WorkflowState.APPROVED:
        return (_("Approved by {who} on {date}.").format(who=who, date=when) if when
                else _("Approved by {who}.").format(who=who))
    head = (_("Rejected by {who} on {date}.").format(who=who, date=when) if when
            else _("Rejected by {who}.").format(who=who))
    if reason:
        return head + " " + _("Reason: {reason}").format(reason=reason)
    return head + " " + _("No reason was given.")
