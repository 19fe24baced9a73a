"""An "other" term in the record editor: ticking it asks to say what it is, and what is typed is saved
with the term (``customValue`` in the record's language) and shown again when the record is opened."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from focalpoint.records import RecordStore  # noqa: E402

pytestmark = pytest.mark.gui
INITIATIVE = "capacityBuildingInitiative"
OTHER_FUNDING = "FUNDING-OTHER"


@pytest.fixture(autouse=True)
def _gc_only_when_threads_stop():
    from tests.support.ui import controlled_gc

    yield from controlled_gc()


def funding_field(editor):
    return editor.form_view.field_rows["fundingSourceTypes"].widget


def saved_funding(qtbot, main_window, editor) -> list:
    """Save the editor now and read the record's funding sources back from the database."""
    store = RecordStore(main_window.db)
    editor.save_now()
    qtbot.waitUntil(lambda: not main_window.runner.busy and store.get(editor.identifier) is not None,
                    timeout=10000)
    return store.get(editor.identifier).document["fundingSourceTypes"]


def test_an_other_term_saves_what_is_typed_and_shows_it_again(qtbot, main_window):
    editor = main_window.records.new_record(INITIATIVE, languages=["fr"])
    funding = funding_field(editor)
    assert not funding.custom.isVisibleTo(editor)

    funding.set_checked(OTHER_FUNDING)
    assert funding.custom.isVisibleTo(editor)
    assert funding.custom.placeholderText() == "Say what it is"
    qtbot.keyClicks(funding.custom, "Loterie locale")
    assert [v for v in saved_funding(qtbot, main_window, editor) if v["identifier"] == OTHER_FUNDING] == [
        {"identifier": OTHER_FUNDING, "customValue": {"fr": "Loterie locale"}}]

    identifier = editor.identifier
    editor.close()
    qtbot.waitUntil(lambda: identifier not in main_window.records.editors, timeout=10000)
    view = RecordStore(main_window.db).get(identifier)
    again = funding_field(main_window.records.open_editor(view.document, view))
    qtbot.waitUntil(lambda: again.custom.text() != "", timeout=10000)
    assert again.custom.text() == "Loterie locale"
    assert again.custom.isVisibleTo(again.window())


def test_an_other_term_without_words_is_saved_as_the_bare_term(qtbot, main_window):
    editor = main_window.records.new_record(INITIATIVE, languages=["en"])
    funding_field(editor).set_checked(OTHER_FUNDING)
    assert [v for v in saved_funding(qtbot, main_window, editor) if v["identifier"] == OTHER_FUNDING] == [
        {"identifier": OTHER_FUNDING}]
