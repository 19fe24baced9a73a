"""The review screens, driven as a reviewer would: the queue, one request, the checklist,
approve / reject queued offline, the history exported; and the review features of the main window."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from focalpoint.models import AuditEvent, OutboxEntry, Record
from focalpoint.records import RecordStore
from tests.support.review import complete_assessment, pulled_workflow, sign_in_as
from tests.support.ui import shown_loaded

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 23, 12, 0)
# requests pulled from the hub were made three days ago unless a test says otherwise
_pulled_workflow = functools.partial(pulled_workflow, created=NOW - dt.timedelta(days=3))


def _outbox(db, action: str) -> list[OutboxEntry]:
    with db.session() as s:
        return list(s.scalars(select(OutboxEntry).where(OutboxEntry.action == action)))


def _open_screen(qtbot, hold, db, runner, wf_id: str = "WF-1", **kwargs):
    from focalpoint.ui.review.screen import ReviewScreen

    return shown_loaded(qtbot, hold(ReviewScreen(db, runner, wf_id, clock=lambda: NOW, **kwargs)))


def test_reject_needs_a_reason_and_is_queued_with_the_checklist(qtbot, catalog_db, runner, hold):
    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier)
    sign_in_as(catalog_db, "nfp@ws.example", ["focal-point"])
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    shown = screen.record_view.texts()
    assert "Needs of Samoa 2026 (en)" in "\n".join(shown)
    assert "Government" in shown and "Samoa" in shown  # labels from the form definition, terms by name

    # the checklist, filled alongside
    qtbot.mouseClick(screen.checklist.rows["mandatoryFieldsComplete"].buttons["QA-FAIL"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(screen.checklist.rows["mandatoryFieldsComplete"].comment, "French summary missing")
    qtbot.mouseClick(screen.checklist.rows["nonConfidential"].buttons["QA-PASS"], Qt.MouseButton.LeftButton)
    screen.checklist.set_recommendation("QA-RECOMMEND-REVISE")

    # no reason: Reject stays disabled and clicking it queues nothing
    assert screen.approve_button.isEnabled()
    assert not screen.reject_button.isEnabled()
    qtbot.keyClicks(screen.reason, "   ")
    assert not screen.reject_button.isEnabled()
    qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    runner.wait_db_idle()
    assert _outbox(catalog_db, "reject") == []

    screen.reason.clear()
    qtbot.keyClicks(screen.reason, "Contacts are out of date")
    assert screen.reject_button.isEnabled()
    with qtbot.waitSignal(screen.decided, timeout=10000) as blocker:
        qtbot.mouseClick(screen.reject_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["WF-1", "reject"]
    [entry] = _outbox(catalog_db, "reject")
    assert entry.payload == {"workflowId": "WF-1", "reason": "Contacts are out of date"}
    assert entry.record_identifier == rec.identifier
    with catalog_db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.record_identifier == rec.identifier,
                                                   AuditEvent.action == "rejected")).one()
        assert event.details["reason"] == "Contacts are out of date"
        assert event.actor == "nfp@ws.example" and event.revision == 3
        [checklist] = s.scalars(select(Record).where(Record.schema == "qaRecordReview")).all()
        assert checklist.document["reviewedRecord"] == {"identifier": f"{rec.identifier}@3"}
        assert checklist.document["mandatoryFieldsComplete"] == {
            "result": {"identifier": "QA-FAIL"}, "comment": {"en": "French summary missing"}}
        assert checklist.document["recommendation"] == {"identifier": "QA-RECOMMEND-REVISE"}
    # decided: both buttons off, the person is told it waits for the next sync
    assert not screen.approve_button.isEnabled() and not screen.reject_button.isEnabled()
    assert "next sync" in screen.message.text()


def _answer_all_pass_and_confirm(qtbot, screen, monkeypatch) -> None:  # noqa: ANN001
    """An approval needs every checklist item answered and a confirmation (the summary)."""
    from PySide6.QtWidgets import QMessageBox

    from focalpoint.ui.review import screen as screen_module

    for row in screen.checklist.rows.values():
        qtbot.mouseClick(row.buttons["QA-PASS"], Qt.MouseButton.LeftButton)
    monkeypatch.setattr(screen_module.QMessageBox, "question",
                        staticmethod(lambda *_args: QMessageBox.StandardButton.Yes))


def test_approve_queues_the_exact_revision_reviewed(qtbot, catalog_db, runner, hold, monkeypatch):
    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier, revision=7)
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    assert "revision 7" in screen.facts.text()
    _answer_all_pass_and_confirm(qtbot, screen, monkeypatch)
    with qtbot.waitSignal(screen.decided, timeout=10000):
        qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    [entry] = _outbox(catalog_db, "approve")
    assert entry.payload == {"workflowId": "WF-1", "revision": 7}
    with catalog_db.session() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "approved")).one().revision == 7
        # the answered checklist is kept with the approval, for that revision
        [checklist] = s.scalars(select(Record).where(Record.schema == "qaRecordReview")).all()
        assert checklist.document["reviewedRecord"] == {"identifier": f"{rec.identifier}@7"}
    # opened again, the screen shows the decision already queued and offers no second one
    again = _open_screen(qtbot, hold, catalog_db, runner)
    assert not again.approve_button.isEnabled()
    assert "already decided" in again.message.text()


def test_a_refusal_from_the_core_is_shown_in_words(qtbot, catalog_db, runner, hold, monkeypatch):
    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier, author="author@ws.example")
    sign_in_as(catalog_db, "author@ws.example", ["focal-point"])
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    _answer_all_pass_and_confirm(qtbot, screen, monkeypatch)
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "yourself" in screen.message.text(), timeout=10000)
    assert "another publishing authority" in screen.message.text()
    assert screen.approve_button.isEnabled()  # nothing was queued; another try stays possible
    assert _outbox(catalog_db, "approve") == []


def test_approval_waits_when_this_computer_has_another_revision(qtbot, catalog_db, runner, hold):
    rec = RecordStore(catalog_db).save(complete_assessment())
    with catalog_db.session() as s:
        s.get(Record, rec.identifier).server_revision = 2
    _pulled_workflow(catalog_db, rec.identifier, revision=3)
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    assert not screen.approve_button.isEnabled()
    assert screen.warning.isVisibleTo(screen) and "Sync before deciding" in screen.warning.text()


def test_changes_since_the_last_publication_field_by_field(qtbot, catalog_db, runner, hold):
    doc = complete_assessment()
    rec = RecordStore(catalog_db).save(doc)
    published = json.loads(json.dumps(rec.document))
    published["title"]["en"] = "Old title"
    published["startDate"] = "2024-01-01"
    _pulled_workflow(catalog_db, rec.identifier, published=published)
    screen = _open_screen(qtbot, hold, catalog_db, runner)
    assert screen.tabs.tabText(1) == "Changes since publication (2)"
    texts = screen.changes_view.texts()
    assert "Title (English)" in texts
    assert texts[texts.index("Title (English)") + 1:texts.index("Title (English)") + 3] == [
        "Old title", "Needs of Samoa 2026 (en)"]
    start = next(t for t in texts if t.startswith("Assessment period"))
    assert texts[texts.index(start) + 1] == "January 1, 2024"


def test_review_screen_in_arabic_is_labelled_from_the_form_and_right_to_left(qtbot, catalog_db, runner, hold):
    from focalpoint.i18n import set_language

    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier)
    set_language("ar")
    try:
        screen = _open_screen(qtbot, hold, catalog_db, runner)
        texts = screen.record_view.texts()
        assert "الحكومة" in texts and "ساموا" in texts  # "Government", "Samoa" in Arabic
        value = screen.record_view.labels[texts.index("ساموا")]
        assert value.alignment() & Qt.AlignmentFlag.AlignRight
        assert value.alignment() & Qt.AlignmentFlag.AlignAbsolute  # a Latin value keeps to the right too
        row = screen.checklist.rows["mandatoryFieldsComplete"]
        assert row.label.text() == "الحقول الإلزامية مكتملة"
        assert [b.text() for b in row.buttons.values()] == ["مستوفى", "غير مستوفى", "لا ينطبق"]
    finally:
        set_language("en")


def test_queue_marks_overdue_requests_filters_and_sorts(qtbot, catalog_db, runner, hold, qtmodeltester):
    from focalpoint.ui.review.queue_model import OverdueRole, ReviewQueueModel
    from focalpoint.ui.review.queue_view import ReviewQueueView

    store = RecordStore(catalog_db)
    old = store.save(complete_assessment("Old request"))
    new = store.save(complete_assessment("New request"))
    contact = store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Ana",
                          "lastName": "Lima"})
    _pulled_workflow(catalog_db, old.identifier, wf_id="WF-OLD", created=NOW - dt.timedelta(weeks=13))
    _pulled_workflow(catalog_db, new.identifier, wf_id="WF-NEW", created=NOW - dt.timedelta(days=3))
    _pulled_workflow(catalog_db, contact.identifier, wf_id="WF-C", created=NOW - dt.timedelta(weeks=2), gov="to")
    view = hold(ReviewQueueView(catalog_db, runner, clock=lambda: NOW))
    qtbot.addWidget(view)
    model = view.model
    with qtbot.waitSignal(model.loaded, timeout=10000):
        view.reload()
    qtmodeltester.check(model)
    assert model.headerData(ReviewQueueModel.COL_AGE, Qt.Orientation.Horizontal) == "Waiting for"
    rows = {model.index(r, ReviewQueueModel.COL_TITLE).data(): r for r in range(model.rowCount())}
    assert set(rows) == {"Old request (en)", "New request (en)", "Ana Lima"}
    old_row = rows["Old request (en)"]
    assert model.index(old_row, ReviewQueueModel.COL_STATUS).data() == "overdue"
    assert model.index(old_row, 0).data(OverdueRole) is True
    assert model.index(old_row, ReviewQueueModel.COL_AGE).data() == "13 weeks"
    assert model.index(rows["New request (en)"], ReviewQueueModel.COL_STATUS).data() == ""
    assert model.index(rows["New request (en)"], ReviewQueueModel.COL_AGE).data() == "3 days"
    assert model.index(rows["Ana Lima"], ReviewQueueModel.COL_TYPE).data() == "Contact"
    assert model.index(rows["Ana Lima"], ReviewQueueModel.COL_GOVERNMENT).data() == "Tonga"
    # the longest waiting first by default; sorting by title
    assert model.index(0, ReviewQueueModel.COL_TITLE).data() == "Old request (en)"
    view.table.sortByColumn(ReviewQueueModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(3)] == ["Ana Lima", "New request (en)", "Old request (en)"]
    # filters: overdue only, then by type
    with qtbot.waitSignal(model.loaded, timeout=10000):
        view.overdue_filter.setChecked(True)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Old request (en)"]
    assert view.count_label.text() == "1 request"
    with qtbot.waitSignal(model.loaded, timeout=10000):
        view.overdue_filter.setChecked(False)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        view.type_filter.setCurrentIndex(view.type_filter.findData("contact"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Ana Lima"]
    # Enter on a row asks for its review screen
    view.table.setCurrentIndex(model.index(0, 0))
    with qtbot.waitSignal(view.open_requested, timeout=2000) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == ["WF-C"]
    qtmodeltester.check(model)


def test_history_lists_the_audit_trail_and_exports_csv_and_json(qtbot, catalog_db, runner, hold, tmp_path,
                                                                 qtmodeltester):
    from focalpoint.review import reject
    from focalpoint.ui.review.history import HistoryModel, HistoryView

    rec = RecordStore(catalog_db, actor="author@ws.example").save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier)
    reject(catalog_db, "WF-1", "Contacts are out of date", actor="nfp@ws.example")
    view = hold(HistoryView(catalog_db, runner, rec.identifier))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.load()
    model = view.model
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    last = model.rowCount() - 1
    assert model.index(last, HistoryModel.COL_ACTION).data() == "rejected"
    assert model.index(last, HistoryModel.COL_WHO).data() == "nfp@ws.example"
    assert model.index(last, HistoryModel.COL_REVISION).data() == "3"
    assert model.index(last, HistoryModel.COL_WHERE).data() == "on this computer"
    assert "Contacts are out of date" in model.index(last, HistoryModel.COL_DETAILS).data()
    assert "Needs of Samoa 2026 (en)" in view.windowTitle()

    target = tmp_path / "history.csv"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_to(target, "csv")
    rows = list(csv.reader(target.read_text("utf-8-sig").splitlines()))
    assert rows[0] == ["at", "action", "actor", "revision", "origin", "details"]
    assert rows[-1][1:5] == ["rejected", "nfp@ws.example", "3", "local"]
    target_json = tmp_path / "history.json"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_to(target_json, "json")
    events = json.loads(target_json.read_text("utf-8"))
    assert events[-1]["details"]["reason"] == "Contacts are out of date"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_the_main_window_has_review_tabs_menus_and_opens_a_review_from_the_queue(qtbot, catalog_db, runner,
                                                                                 hold):
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.review.screen import ReviewScreen

    rec = RecordStore(catalog_db).save(complete_assessment())
    _pulled_workflow(catalog_db, rec.identifier, created=dt.datetime.now() - dt.timedelta(weeks=20))
    window = hold(MainWindow(catalog_db, runner))
    qtbot.addWidget(window)
    ext = window.review
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles[-2:] == ["Review", "Dashboard"]
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus.index("Review") == menus.index("Help") - 1
    file_actions = [a.text().replace("&", "") for a in window.file_menu.actions()]
    assert file_actions.index("Print forms…") < file_actions.index("Quit")
    assert "Import filled PDF forms…" in file_actions
    sync_actions = [a.text().replace("&", "") for a in window.sync_menu.actions()]
    assert "Sign in…" in sync_actions
    with qtbot.waitSignal(ext.queue.model.loaded, timeout=10000):
        ext.queue_action.trigger()
    assert window.tabs.currentWidget() is ext.queue
    assert ext.queue.model.index(0, 5).data() == "overdue"
    ext.queue.table.setCurrentIndex(ext.queue.model.index(0, 0))
    ext.queue.open_selected()
    screen = ext.screens["WF-1"]
    assert isinstance(screen, ReviewScreen)
    qtbot.waitUntil(lambda: screen.data is not None, timeout=10000)
    assert screen.editor_button.isVisibleTo(screen)  # the main window offers an editor
    # a language switch re-labels the review tabs
    from focalpoint.i18n import set_language

    window.switch_language("fr")
    try:
        assert window.tabs.tabText(window.tabs.indexOf(ext.queue)) != ""
    finally:
        set_language("en")
    screen.close()
    window.close()
    runner.wait_db_idle()


def test_a_removal_request_says_so_in_the_queue_and_on_the_approve_button(qtbot, catalog_db, runner, hold):
    from focalpoint.ui.review.queue_model import ReviewQueueModel

    rec = RecordStore(catalog_db).save(complete_assessment("Old needs"))
    _pulled_workflow(catalog_db, rec.identifier, kind="deleteRecord")
    sign_in_as(catalog_db, "nfp@ws.example", ["focal-point"])
    model = ReviewQueueModel(catalog_db, runner, clock=lambda: NOW)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.reload()
    assert "removal" in model.index(0, ReviewQueueModel.COL_TYPE).data()
    answers, asked = [False, True], []

    def confirm(_title: str, question: str, _yes: str) -> bool:
        asked.append(question)
        return answers.pop(0)

    screen = _open_screen(qtbot, hold, catalog_db, runner, confirm=confirm)
    assert "removal" in screen.approve_button.text().lower()
    assert "REMOVAL REQUEST" in screen.facts.text()
    qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)  # asked, and the reviewer says no
    runner.wait_db_idle()
    assert _outbox(catalog_db, "approve") == [] and "Old needs" in asked[0]
    with qtbot.waitSignal(screen.decided, timeout=10000):
        qtbot.mouseClick(screen.approve_button, Qt.MouseButton.LeftButton)
    [entry] = _outbox(catalog_db, "approve")
    assert entry.payload == {"workflowId": "WF-1", "revision": 3}
