"""Dates in the record editor: typed (ISO or the locale's short form), picked, empty, cleared; the
calendar opens at today, or — for an end date — at the start date."""

from __future__ import annotations

import os
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402

from focalpoint.records import RecordStore  # noqa: E402
from tests.support.ui import type_text  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]
NEEDS = "capacityNeedsAssessment"


@pytest.fixture
def env(main_window):
    """The main window (tests/conftest.py) and what the tests reach through it."""
    return SimpleNamespace(win=main_window, runner=main_window.runner, store=RecordStore(main_window.db),
                           panel=main_window.records)


def field(editor, name):
    return editor.form_view.field_rows[name].widget


def typed_start_date(qtbot, env, text: str):  # noqa: ANN001, ANN201
    """A new needs assessment whose start date was typed as ``text`` and Return pressed (editing
    finished): (the editor, the start date field)."""
    editor = env.panel.new_record(NEEDS, languages=["en"])
    start = field(editor, "startDate")
    start.edit.setFocus()
    qtbot.keyClicks(start.edit, text)
    qtbot.keyClick(start.edit, Qt.Key.Key_Return)
    return editor, start


def saved(qtbot, env, editor) -> dict:
    editor.save_now()
    qtbot.waitUntil(lambda: not env.runner.busy and env.store.get(editor.identifier) is not None, timeout=10000)
    return env.store.get(editor.identifier).document


def test_typing_an_iso_date_saves_that_date(qtbot, env):
    editor, start = typed_start_date(qtbot, env, "2026-01-15")
    assert start.edit.text() == "2026-01-15"
    assert "2026" in start.understood.text() and not start.invalid_entry
    assert saved(qtbot, env, editor)["startDate"] == "2026-01-15"


@pytest.mark.parametrize("lang, typed", [("fr", "15/01/2026"), ("ru", "15.01.2026"), ("en", "1/15/2026"),
                                         ("en", "1/15/26"), ("zh", "2026/1/15"), ("ar", "15/1/2026"),
                                         ("es", "15/1/2026")])
def test_typing_the_locales_short_form_saves_the_iso_date(qtbot, env, lang, typed):
    from focalpoint import i18n

    i18n.set_language(lang)
    editor, start = typed_start_date(qtbot, env, typed)
    assert start.edit.text() == "2026-01-15"  # shown back the one unambiguous way
    assert saved(qtbot, env, editor)["startDate"] == "2026-01-15"


def test_an_empty_date_stays_empty_and_its_calendar_opens_at_today(qtbot, env):
    editor = env.panel.new_record(NEEDS, languages=["en"])
    start, end = field(editor, "startDate"), field(editor, "endDate")
    assert start.edit.text() == "" and start.value() is None
    type_text(field(editor, "title").editor("en"), "Needs of Samoa")
    doc = saved(qtbot, env, editor)
    assert "startDate" not in doc and "endDate" not in doc
    popup = start.open_calendar()
    today = QDate.currentDate()
    assert popup.isVisible()
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (today.year(), today.month())
    assert popup.calendar.selectedDate() == today
    popup.hide()
    assert start.value() is None  # opening the calendar picks nothing
    assert "startDate" not in saved(qtbot, env, editor)
    # a date picked, then cleared again
    popup = end.open_calendar()
    popup.calendar.clicked.emit(QDate(2026, 3, 31))
    assert not popup.isVisible() and end.value() == "2026-03-31"
    assert saved(qtbot, env, editor)["endDate"] == "2026-03-31"
    qtbot.mouseClick(end.clear_button, Qt.MouseButton.LeftButton)
    assert end.edit.text() == "" and end.value() is None
    assert "endDate" not in saved(qtbot, env, editor)


def test_a_stored_record_without_dates_keeps_none(qtbot, env):
    editor = env.panel.new_record(NEEDS, languages=["en"])
    type_text(field(editor, "title").editor("en"), "Needs of Samoa")
    identifier = saved(qtbot, env, editor) and editor.identifier
    editor.close()
    env.panel.open_record(identifier)
    qtbot.waitUntil(lambda: identifier in env.panel.editors, timeout=5000)
    again = env.panel.editors[identifier]
    assert field(again, "startDate").edit.text() == ""
    assert "startDate" not in again.document()


def test_the_end_dates_calendar_opens_at_the_start_date(qtbot, env):
    editor = env.panel.new_record(NEEDS, languages=["en"])
    start, end = field(editor, "startDate"), field(editor, "endDate")
    start.edit.setFocus()
    qtbot.keyClicks(start.edit, "2024-03-10")
    popup = end.open_calendar()
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2024, 3)
    assert popup.calendar.selectedDate() == QDate(2024, 3, 10)
    popup.hide()
    assert end.value() is None
    # the same inside a need (the group's own start/end pair)
    need = field(editor, "needs").add_item()
    need_start, need_end = need.member_rows["startDate"].widget, need.member_rows["endDate"].widget
    need_start.set_value("2027-11-05")
    popup = need_end.open_calendar()
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2027, 11)
    popup.hide()
    # an end date that has its own date opens at it
    end.set_value("2025-06-01")
    popup = end.open_calendar()
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2025, 6)
    popup.hide()


def test_text_that_is_not_a_date_is_flagged_and_not_saved(qtbot, env):
    editor, start = typed_start_date(qtbot, env, "31/13/2026")
    assert start.invalid_entry and start.value() is None
    assert "Not a date" in start.understood.text()
    type_text(field(editor, "title").editor("en"), "Needs")
    assert "startDate" not in saved(qtbot, env, editor)
