"""The daily publish → review → feedback loop, through the real widgets and a real hub on loopback.

The author hears why a record was rejected and who reviews a request; a person sees only the
decisions they can take; approving needs an answered checklist; references read as names; and
signing in, or Refresh in the Review tab, synchronizes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from focalpoint import forms
from focalpoint.models import OutboxEntry, Workflow
from focalpoint.records import RecordStore
from focalpoint.review import reject, request_publication
from tests.support.review import complete_assessment, pulled_workflow, sign_in_as
from tests.support.sync import Office, Station, government_codes, publishable_assessment
from tests.support.ui import shown_loaded

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("reference_records")]

PASSWORD = "correct horse"
NOW = dt.datetime(2026, 11, 23, 12, 0)
# governments other test modules do not use first (each hub is this module's own anyway)
_governments = iter([g for g in government_codes() if g not in ("ws", "to")])


def _signed_in(station: Station, hub_url: str, email: str) -> None:
    """Sign the station in as the desktop app does (the account the hub describes is kept)."""
    from focalpoint.sync.credentials import TokenStore
    from focalpoint.ui.signin_dialog import sign_in

    sign_in(station.db, hub_url, email, PASSWORD, remember_in_file=False, tokens=TokenStore())


@pytest.fixture
def people(hub, tmp_path):
    office = Office(hub, tmp_path, next(_governments), PASSWORD)
    author, nfp = office.station("author"), office.station("nfp", "focal-point")
    _signed_in(author, hub.url, author.email)
    _signed_in(nfp, hub.url, nfp.email)
    yield author, nfp
    office.close()


def _editor(qtbot, hold, runner, station: Station, identifier: str):
    from focalpoint.ui.editor.window import RecordEditorWindow

    view = station.store.get(identifier)
    editor = hold(RecordEditorWindow(forms.load_form(view.schema), view.document, db=station.db, runner=runner,
                                     store=station.store, record=view))
    editor.show()  # closed (and deleted) by ``hold`` once the workers are idle
    return editor


# ------------------------------------------------------------------ 1. why a record was rejected


def test_the_author_sees_why_and_by_whom_a_record_was_rejected(qtbot, hold, runner, people):
    from focalpoint.ui.records_model import RecordTableModel

    author, nfp = people
    ident = author.store.save(publishable_assessment(author.gov, "Needs to correct")).identifier
    request_publication(author.db, ident, actor=author.engine.actor)
    assert author.sync().ok and nfp.sync().ok
    reject(nfp.db, ident, "The contact's e-mail is out of date", actor=nfp.engine.actor)
    assert nfp.sync().ok and author.sync().ok
    assert author.store.get(ident).status == "rejected"

    # the editor says it at the top, in its status line: the reason and who rejected it
    editor = _editor(qtbot, hold, runner, author, ident)
    qtbot.waitUntil(lambda: "out of date" in editor.state_label.text(), timeout=10000)
    state = editor.state_label.text()
    assert "Rejected" in state and f"nfp@{author.gov}.org" in state
    assert "The contact's e-mail is out of date" in state

    # the records list says it on the status cell
    model = RecordTableModel(author.db, runner)
    with qtbot.waitSignal(model.ids_loaded, timeout=10000):
        model.reload()
    row = model.row_of(ident)
    index = model.index(row, RecordTableModel.COL_STATUS)
    index.data()  # asks for the page of rows
    qtbot.waitUntil(lambda: bool(index.data(Qt.ItemDataRole.ToolTipRole)), timeout=10000)
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "The contact's e-mail is out of date" in tip and f"nfp@{author.gov}.org" in tip


# ------------------------------------------------------------------ 2. who reviews a request


def test_a_contact_request_goes_to_the_secretariat_and_not_to_the_authors_review_tab(qtbot, hold, runner,
                                                                                      people):
    from focalpoint.ui.review.queue_view import ReviewQueueView

    author, _nfp = people
    contact = forms.template("contact")
    contact["firstName"], contact["lastName"] = "Ana", f"Lima {author.gov}"
    ident = author.store.save(contact).identifier
    editor = _editor(qtbot, hold, runner, author, ident)
    view = request_publication(author.db, ident, actor=author.engine.actor)
    editor.set_record(view)  # what the records panel does once the request is queued
    assert "Secretariat" in editor.statusBar().currentMessage()  # the request's confirmation
    assert "Sent to the Secretariat for review" in editor.state_label.text()
    assert author.sync().ok
    with author.db.session() as s:  # the hub opened the request and the author's computer has it
        assert s.scalars(select(Workflow).where(Workflow.record_identifier == ident,
                                                Workflow.state == "running")).one().type == \
            "publishReferenceRecord"

    # an authorized user has nothing to decide: their own request is listed apart, not as a decision
    queue = hold(ReviewQueueView(author.db, runner))
    qtbot.addWidget(queue)
    with qtbot.waitSignal(queue.model.loaded, timeout=10000):
        queue.reload()
    assert queue.model.rowCount() == 0
    assert queue.count_label.text() == "0 requests"
    assert "no publication requests to decide" in queue.intro.text()
    assert queue.own_label.isVisibleTo(queue)
    assert f"Ana Lima {author.gov}" in queue.own_label.text()
    assert "Secretariat" in queue.own_label.text()


# ------------------------------------------------------------------ 5. approve on an answered checklist


def _pulled_workflow(db, identifier: str, *, revision: int = 3) -> None:
    """A request made three days ago, pulled by a focal point of "ws" who is signed in."""
    pulled_workflow(db, identifier, created=NOW - dt.timedelta(days=3), revision=revision)
    sign_in_as(db, "nfp@ws.example", ["focal-point"])


def _open_screen(qtbot, hold, db, runner):
    from focalpoint.ui.review.screen import ReviewScreen

    return shown_loaded(qtbot, hold(ReviewScreen(db, runner, "WF-1", clock=lambda: NOW)))


def _approvals(db) -> list[OutboxEntry]:
    with db.session() as s:
        return list(s.scalars(select(OutboxEntry).where(OutboxEntry.action == "approve")))


def test_approval_needs_an_answered_checklist_a_reason_for_a_fail_and_a_confirmation(qtbot, hold, runner,
                                                                                      catalog_db, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from focalpoint.ui.review import screen as screen_module

    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier)
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    asked: list[str] = []
    answers: list[QMessageBox.StandardButton] = []

    def question(_parent, _title, text, *_args):  # noqa: ANN001, ANN202
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(screen_module.QMessageBox, "question", staticmethod(question))
    checklist = screen.checklist

    # nothing answered: refused, in words, and nothing asked or queued
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    assert "Answer every item of the checklist" in screen.message.text()
    assert "10 items are not answered" in screen.message.text()
    assert asked == [] and _approvals(catalog_db) == []

    # every item answered, one "Fail" without a note: refused, naming the item
    names = list(checklist.rows)
    for name in names:
        qtbot.mouseClick(checklist.rows[name].buttons["QA-PASS"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(checklist.rows["upToDate"].buttons["QA-FAIL"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(checklist.rows["linksWorking"].buttons["QA-NOT-APPLICABLE"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    assert "The information is up to date" in screen.message.text() and "Fail" in screen.message.text()
    assert asked == [] and _approvals(catalog_db) == []

    # a note on the failed item: the reviewer is asked, with the counts; "No" approves nothing
    qtbot.keyClicks(checklist.rows["upToDate"].comment, "Figures from 2019, acceptable for now")
    answers.append(QMessageBox.StandardButton.No)
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "Pass: 8" in asked[0] and "Fail: 1" in asked[0] and "Not applicable: 1" in asked[0]
    assert "Not answered: 0" in asked[0] and "revision 3" in asked[0]
    runner.wait_db_idle()
    assert _approvals(catalog_db) == []

    # "Yes": approved, the checklist kept with the decision
    answers.append(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(screen.decided, timeout=10000):
        qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    [entry] = _approvals(catalog_db)
    assert entry.payload == {"workflowId": "WF-1", "revision": 3}


# ------------------------------------------------------------------ 6. references by name


def test_the_review_shows_referenced_records_by_name_or_says_they_are_not_here(qtbot, hold, runner, catalog_db):
    store = RecordStore(catalog_db)
    organization = forms.template("organization")
    organization["header"]["identifier"] = "EXAMPLE-ORGANIZATION-0001"
    organization["name"] = {"en": "Samoa Biodiversity Office", "fr": "Bureau de la biodiversité des Samoa"}
    store.save(organization)
    rec = store.save({**publishable_assessment("ws", "Needs with references"), "header": {
        "schema": "capacityNeedsAssessment", "languages": ["en", "fr"]}})
    _pulled_workflow(catalog_db, rec.identifier)
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    texts = screen.record_view.texts()
    shown = "\n".join(texts)
    assert "Samoa Biodiversity Office" in shown
    assert "EXAMPLE-ORGANIZATION-0001" not in shown  # the name, not the identifier
    missing = next(t for t in texts if "EXAMPLE-CONTACT-0001" in t)  # the contact is not on this computer
    assert "not on this computer yet: fetched at the next sync" in missing


# ------------------------------------------------------------------ 7. sign-in and Refresh synchronize


@pytest.fixture
def first_start_window(qtbot, tmp_path):
    """The real main window on a fresh store, as on a first start, with no automatic sync scheduled
    (``start()`` would catch up 5 s later by itself: this test must see the sign-in's own sync)."""
    from tests.support.ui import close_main_window, controlled_gc, make_database, open_main_window, write_sample_plan

    gc_control = controlled_gc()
    next(gc_control)
    plan = write_sample_plan(tmp_path / "plan")
    win = open_main_window(qtbot, make_database(tmp_path / "data", plan), plan, start=False)
    win.auto_sync.stop()
    yield win
    close_main_window(win)
    for _ in gc_control:
        pass


def test_signing_in_from_the_welcome_screen_and_refresh_synchronize(qtbot, hub, first_start_window, people):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from focalpoint.ui.signin_dialog import SignInDialog
    from focalpoint.ui.welcome import show_welcome

    author, _nfp = people
    gov = author.gov
    reviewer = f"reviewer@{gov}.org"
    hub.add_user(reviewer, PASSWORD, "focal-point", gov)
    first = author.store.save(publishable_assessment(gov, "First request")).identifier
    request_publication(author.db, first, actor=author.engine.actor)
    assert author.sync().ok

    window = first_start_window
    ext = window.review
    with qtbot.waitSignal(ext.queue.model.loaded, timeout=10000):
        window.tabs.setCurrentWidget(ext.queue)
    assert ext.queue.model.rowCount() == 0  # nothing fetched yet

    # the real sign-in dialog, filled in as a person would
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.server.setText(hub.url)
        dialog.email.setText(reviewer)
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()

    welcome = show_welcome(window)
    QTimer.singleShot(0, fill)
    with qtbot.waitSignal(window.sync.finished, timeout=30000) as done:
        welcome.sign_in_button.click()
        assert window.sync.running  # started as soon as the sign-in succeeded
    assert done.args[0] is not None and done.args[0].ok, getattr(done.args[0], "error", None)
    qtbot.waitUntil(lambda: ext.queue.model.rowCount() == 1, timeout=10000)
    assert ext.queue.model.item(0).identifier == first
    assert "Last synchronized with the clearing-house" in ext.queue.last_sync_label.text()
    welcome.close()

    # a new request reaches the hub; Refresh fetches it (it does not only re-read this computer)
    second = author.store.save(publishable_assessment(gov, "Second request")).identifier
    request_publication(author.db, second, actor=author.engine.actor)
    assert author.sync().ok
    with qtbot.waitSignal(window.sync.finished, timeout=30000):
        qtbot.mouseClick(ext.queue.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ext.queue.model.rowCount() == 2, timeout=10000)
    assert {ext.queue.model.item(r).identifier for r in range(2)} == {first, second}
