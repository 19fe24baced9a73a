"""Records in the desktop app: lazy lists, the form-driven editor, autosave, links to the action plan."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from focalpoint.records import RecordStore  # noqa: E402
from tests.support.ui import close_main_window, make_database, open_main_window, type_text, write_sample_plan  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]
NEEDS = "capacityNeedsAssessment"


@pytest.fixture
def env(qtbot, tmp_path):
    """A main window over a database with the sample plan; confirmations answered by a list."""
    plan = write_sample_plan(tmp_path / "plan")
    db = make_database(tmp_path / "data", plan)
    win = open_main_window(qtbot, db, plan)
    runner = win.runner
    answers: list[bool] = []
    asked: list[str] = []

    def confirm(title: str, question: str, yes: str) -> bool:
        asked.append(question)
        return answers.pop(0) if answers else False

    win.records.confirm = confirm

    class Env:
        pass

    e = Env()
    e.win, e.db, e.runner, e.store, e.answers, e.asked = win, db, runner, RecordStore(db), answers, asked
    e.panel = win.records
    yield e
    close_main_window(win)


def idle(qtbot, runner, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)


def field(editor, name):
    return editor.form_view.field_rows[name].widget


def test_fill_a_needs_assessment_with_two_needs_and_a_linked_activity(qtbot, env):
    editor = env.panel.new_record(NEEDS, languages=["en", "fr"])
    assert editor is not None
    type_text(field(editor, "title").editor("en"), "Needs of Samoa 2025")
    type_text(field(editor, "title").editor("fr"), "Besoins du Samoa 2025")
    gov = field(editor, "government")
    gov.combo.setCurrentIndex(gov.combo.findData("ws"))
    needs = field(editor, "needs")
    for i, (en, target) in enumerate((("Taxonomy training", "AICHI-TARGET-19"),
                                      ("Marine spatial planning", "AICHI-TARGET-11"))):
        group = needs.add_item()
        type_text(group.member_rows["title"].widget.editor("en"), en)
        group.member_rows["aichiTargets"].widget.set_checked(target)
        activities = group.member_rows["actionPlanActivities"].widget
        qtbot.waitUntil(lambda a=activities: a.model.rowCount() == 10, timeout=5000)  # the sample plan
        if i == 0:
            activities.set_checked("CBD-CB-ACTION-PLAN-2017-13")
    editor.save_now()
    idle(qtbot, env.runner)
    stored = env.store.get(editor.identifier)
    assert stored is not None
    doc = stored.document
    assert doc["title"] == {"en": "Needs of Samoa 2025", "fr": "Besoins du Samoa 2025"}
    assert doc["government"] == {"identifier": "ws"}
    assert [n["title"]["en"] for n in doc["needs"]] == ["Taxonomy training", "Marine spatial planning"]
    assert doc["needs"][0]["aichiTargets"] == [{"identifier": "AICHI-TARGET-19"}]
    assert doc["needs"][0]["actionPlanActivities"] == [{"identifier": "CBD-CB-ACTION-PLAN-2017-13"}]
    assert doc["header"]["languages"] == ["en", "fr"]
    # the activity's detail pane lists the need that links to it
    env.win.catalog.show_activity(13)
    qtbot.waitUntil(lambda: "Taxonomy training" in env.win.catalog.detail_text(), timeout=5000)
    assert "Needs of Samoa 2025" in env.win.catalog.detail_text()
    # and it shows in the list, with its status and sync state
    qtbot.waitUntil(lambda: env.panel.model.row_of(editor.identifier) >= 0, timeout=5000)
    row = env.panel.model.row_of(editor.identifier)
    model = env.panel.model
    qtbot.waitUntil(lambda: model.index(row, model.COL_TITLE).data() == "Needs of Samoa 2025", timeout=5000)
    assert model.index(row, model.COL_STATUS).data() == "Draft"
    assert model.index(row, model.COL_SYNC).data() == "Waiting to be sent"


def test_autosave_two_seconds_after_typing_stops(qtbot, env):
    editor = env.panel.new_record("contact", languages=["en"])
    type_text(field(editor, "firstName").edit, "Ana")
    qtbot.wait(1000)
    idle(qtbot, env.runner)
    assert env.store.get(editor.identifier) is None  # still typing, nothing written yet
    qtbot.waitUntil(lambda: env.store.get(editor.identifier) is not None, timeout=4000)
    assert env.store.get(editor.identifier).document["firstName"] == "Ana"
    idle(qtbot, env.runner)
    assert "all changes saved" in editor.statusBar().currentMessage().lower()


def test_an_untouched_new_record_is_not_stored(qtbot, env):
    editor = env.panel.new_record("contact")
    editor.close()
    idle(qtbot, env.runner)
    assert env.store.count() == 0


def test_validation_errors_beside_the_field_in_the_users_language(qtbot, env):
    from focalpoint import i18n

    editor = env.panel.new_record(NEEDS, languages=["en"])
    field(editor, "startDate").set_value("2026-05-01")
    end = field(editor, "endDate")
    end.edit.setDate(end.edit.date().fromString("2025-01-01", "yyyy-MM-dd"))  # the person picks a date
    editor.validate_now()
    row = editor.form_view.field_rows["endDate"]
    assert row.errors and row.error.isVisible()
    english = row.errors[0]
    assert "Assessment period: to" in english
    # required fields are not flagged before the person asks to mark the record ready
    assert not editor.form_view.field_rows["title"].errors
    editor.toggle_ready()
    assert editor.form_view.field_rows["title"].errors
    i18n.set_language("fr")
    editor.retranslate()
    french = editor.form_view.field_rows["endDate"].errors[0]
    assert french != english
    from focalpoint.forms import validate

    expected = [e.message("fr") for e in validate(editor.document()) if e.property == "endDate"]
    assert french == expected[0]


def test_deleting_a_never_synced_record_needs_two_confirmations_and_can_be_undone(qtbot, env):
    """One rule, said the same way in both questions and after: Undo brings the record back as it
    was (its status too) until FocalPoint closes."""
    view = env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Lola",
                           "lastName": "Tui"}, status="ready")
    env.panel.load()
    idle(qtbot, env.runner)
    env.answers[:] = [True, False]  # yes, then no at the second question
    env.panel.delete_record(view.identifier)
    idle(qtbot, env.runner)
    assert len(env.asked) == 2 and "never been sent" in env.asked[1]
    assert "until you close FocalPoint" in env.asked[1] and "for good" not in env.asked[1]
    assert env.store.get(view.identifier) is not None
    env.answers[:] = [True, True]
    env.panel.delete_record(view.identifier)
    idle(qtbot, env.runner)
    assert env.store.get(view.identifier) is None
    env.panel.undo_delete()
    idle(qtbot, env.runner)
    assert "until you close FocalPoint" in env.panel.message.text() or env.panel.message.text() == "Deletion undone."
    restored = env.store.get(view.identifier)
    assert restored is not None and restored.document["firstName"] == "Lola"
    assert restored.status == "ready"  # not turned into a draft


def test_deleting_a_synced_record_asks_once_and_queues_the_deletion(qtbot, env):
    from focalpoint.models import Record

    view = env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Sam",
                           "lastName": "Lee"})
    with env.db.session() as s:
        s.get(Record, view.identifier).server_revision = 3
    env.answers[:] = [True]
    env.panel.delete_record(view.identifier)
    idle(qtbot, env.runner)
    assert len(env.asked) == 1
    gone = env.store.get(view.identifier)
    assert gone.deleted and gone.sync_state == "queued"
    env.panel.undo_delete()
    idle(qtbot, env.runner)
    assert not env.store.get(view.identifier).deleted


def test_duplicate_makes_a_new_draft_with_the_same_content(qtbot, env):
    view = env.store.save({"header": {"schema": "organization", "languages": ["en"]},
                           "name": {"en": "Ministry of Natural Resources"}, "city": {"en": "Apia"}})
    editor = env.panel.open_editor(view.document, view)
    editor.duplicate()
    idle(qtbot, env.runner)
    copies = [r for r in env.store.list(schema="organization") if r.identifier != view.identifier]
    assert len(copies) == 1
    assert copies[0].document["name"] == {"en": "Ministry of Natural Resources (copy)"}
    assert copies[0].document["city"] == {"en": "Apia"}


def test_possible_support_lists_initiatives_and_resources_on_the_same_targets(qtbot, env):
    initiative = env.store.save({"header": {"schema": "capacityBuildingInitiative", "languages": ["en"]},
                                 "title": {"en": "Pacific taxonomy school"},
                                 "aichiTargets": [{"identifier": "AICHI-TARGET-19"}]})
    env.store.save({"header": {"schema": "capacityBuildingResource", "languages": ["en"]},
                    "title": {"en": "Coral reef manual"}, "aichiTargets": [{"identifier": "AICHI-TARGET-10"}]})
    editor = env.panel.new_record(NEEDS, languages=["en"])
    group = field(editor, "needs").add_item()
    type_text(group.member_rows["title"].widget.editor("en"), "Taxonomists")
    group.member_rows["aichiTargets"].widget.set_checked("AICHI-TARGET-19")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.support_items() == [initiative.identifier], timeout=5000)


def test_a_record_waiting_for_review_opens_locked(qtbot, env):
    view = env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Ina"},
                          status="submitted")
    editor = env.panel.open_editor(view.document, view)
    assert not editor.form_view.isEnabled()
    assert editor.locked_label.isVisibleTo(editor)


def _bulk_records(db, n: int) -> None:
    from focalpoint.models import Record

    now = dt.datetime(2026, 1, 1)
    rows = [{"identifier": f"REC-{i:06d}-XXXXXXXX", "schema": "contact", "government": None,
             "document": {"header": {"identifier": f"REC-{i:06d}-XXXXXXXX", "schema": "contact"},
                          "firstName": f"Person {i}"},
             "title": {"en": f"Person {i}"}, "status": "draft", "local_revision": 1, "server_revision": None,
             "base_document": None, "sync_state": "local", "sync_error": None, "conflict": None,
             "deleted": False, "created_at": now, "updated_at": now + dt.timedelta(seconds=i)} for i in range(n)]
    with db.session() as s:
        s.execute(insert(Record), rows)
        s.execute(text("INSERT INTO record_fts (identifier, body) VALUES (:i, :b)"),
                  [{"i": r["identifier"], "b": r["document"]["firstName"]} for r in rows])


def test_ten_thousand_records_list_lazily(qtbot, env):
    from focalpoint.ui.records_model import MAX_PAGES, PAGE_SIZE

    _bulk_records(env.db, 10_000)
    env.win.tabs.setCurrentWidget(env.panel)
    env.panel.load()
    model = env.panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 10_000, timeout=10000)
    idle(qtbot, env.runner)
    qtbot.waitUntil(lambda: model.index(0, model.COL_TITLE).data() == "Person 9999", timeout=5000)  # newest first
    assert model.cached_rows() <= 2 * PAGE_SIZE  # only what is on screen was read
    bar = env.panel.table.verticalScrollBar()
    for value in range(0, bar.maximum() + 1, max(1, bar.maximum() // 60)):
        bar.setValue(value)
        qtbot.wait(1)
    bar.setValue(bar.maximum())
    idle(qtbot, env.runner)
    qtbot.waitUntil(lambda: model.index(9999, model.COL_TITLE).data() == "Person 0", timeout=5000)
    assert model.cached_rows() <= MAX_PAGES * PAGE_SIZE
    # search narrows the list (on the DB worker)
    type_text(env.panel.search, "Person 4242")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)


def test_records_model_passes_the_model_tester(qtmodeltester, qtbot, env):
    _bulk_records(env.db, 250)
    env.panel.load()
    qtbot.waitUntil(lambda: env.panel.model.rowCount() == 250, timeout=5000)
    qtmodeltester.check(env.panel.model)
    idle(qtbot, env.runner)


def test_filter_by_status_and_sort_by_title(qtbot, env):
    for name, status in (("Bea", "draft"), ("Ana", "ready"), ("Cid", "ready")):
        env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": name}, status=status)
    env.panel.load()
    model = env.panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=5000)
    env.panel.status_filter.setCurrentIndex(env.panel.status_filter.findData("ready"))
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    env.panel.table.sortByColumn(model.COL_TITLE, Qt.SortOrder.AscendingOrder)
    idle(qtbot, env.runner)
    qtbot.waitUntil(lambda: [model.index(r, 0).data() for r in range(2)] == ["Ana", "Cid"], timeout=5000)


def test_attachments_are_copied_into_the_data_folder_off_the_ui_thread(qtbot, env, tmp_path):
    from focalpoint.forms import attachment_path

    report = tmp_path / "training report.pdf"
    report.write_bytes(b"%PDF-1.4 pretend " * 100)
    editor = env.panel.new_record("capacityBuildingResource", languages=["en"])
    attachments = field(editor, "attachments")
    widget = attachments.add_item()
    widget.attach_file(report)
    qtbot.waitUntil(lambda: widget.value() is not None, timeout=5000)
    value = widget.value()
    assert value["filename"] == "training report.pdf" and value["size"] == report.stat().st_size
    assert attachment_path(env.db.data_dir, value["sha256"]).read_bytes() == report.read_bytes()
    assert "training report.pdf" in widget.label.text()
    editor.save_now()
    idle(qtbot, env.runner)
    assert env.store.get(editor.identifier).document["attachments"] == [value]


COMPLETE_CONTACT = {"header": {"schema": "contact", "languages": ["en"]}, "type": "person", "firstName": "Sam",
                    "lastName": "Lee", "emails": ["sam@example.org"], "organization": {"en": "Ministry"},
                    "country": {"identifier": "ws"}}


def _outbox_actions(db, identifier: str) -> list[str]:
    from focalpoint.models import OutboxEntry

    with db.session() as s:
        return [e.action for e in s.query(OutboxEntry).filter_by(record_identifier=identifier).order_by(OutboxEntry.seq)]


def test_request_publication_from_the_editor_then_withdraw_it(qtbot, env):
    incomplete = env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Ina"})
    editor = env.panel.open_editor(incomplete.document, incomplete)
    editor.submit_action.trigger()
    idle(qtbot, env.runner)
    assert env.store.get(incomplete.identifier).status == "draft"  # problems listed, nothing asked
    assert "cannot be requested" in editor.statusBar().currentMessage()
    editor.close()

    view = env.store.save(COMPLETE_CONTACT)
    editor = env.panel.open_editor(view.document, view)
    editor.submit_action.trigger()
    idle(qtbot, env.runner)
    qtbot.waitUntil(lambda: env.store.get(view.identifier).status == "submitted", timeout=5000)
    assert "request_publication" in _outbox_actions(env.db, view.identifier)
    assert "requested" in env.panel.message.text()
    qtbot.waitUntil(lambda: not editor.form_view.isEnabled(), timeout=5000)  # locked while under review
    env.panel.withdraw_request(view.identifier)
    idle(qtbot, env.runner)
    assert env.store.get(view.identifier).status == "draft"
    qtbot.waitUntil(lambda: editor.form_view.isEnabled(), timeout=5000)


def test_deleting_a_published_record_asks_for_its_removal_instead(qtbot, env):
    from focalpoint.models import OutboxEntry, Record

    view = env.store.save(COMPLETE_CONTACT)
    with env.db.session() as s:  # as a pull leaves a published record
        s.query(OutboxEntry).filter_by(record_identifier=view.identifier).delete()
        rec = s.get(Record, view.identifier)
        rec.server_revision, rec.status, rec.sync_state = 4, "published", "synced"
    env.answers[:] = [True]
    env.panel.delete_record(view.identifier)
    idle(qtbot, env.runner)
    assert len(env.asked) == 1 and "published on the clearing-house" in env.asked[0]
    kept = env.store.get(view.identifier)
    assert kept.status == "removal" and not kept.deleted  # still there, waiting for the focal point
    assert _outbox_actions(env.db, view.identifier) == ["request_deletion"]
    assert "Removal" in env.panel.message.text()
    env.panel.withdraw_request(view.identifier)
    idle(qtbot, env.runner)
    assert env.store.get(view.identifier).status == "published"
    assert "stays published" in env.panel.message.text()


def test_request_actions_follow_the_selected_records_status(qtbot, env):
    view = env.store.save(COMPLETE_CONTACT)
    env.panel.load()
    qtbot.waitUntil(lambda: env.panel.model.row_of(view.identifier) >= 0, timeout=5000)
    assert not env.panel.submit_action.isEnabled()  # nothing selected: nothing to ask for
    row = env.panel.model.row_of(view.identifier)
    env.panel.table.setCurrentIndex(env.panel.model.index(row, 0))
    qtbot.waitUntil(env.panel.submit_action.isEnabled, timeout=5000)
    assert not env.panel.withdraw_action.isEnabled()
    env.panel.submit_action.trigger()
    idle(qtbot, env.runner)
    qtbot.waitUntil(lambda: env.store.get(view.identifier).status == "submitted", timeout=5000)
    qtbot.waitUntil(env.panel.withdraw_action.isEnabled, timeout=5000)  # the same row, now waiting
    assert not env.panel.submit_action.isEnabled()


def test_a_record_waiting_for_review_cannot_be_deleted_until_the_request_is_withdrawn(qtbot, env):
    from focalpoint.records import RecordError

    view = env.store.save(COMPLETE_CONTACT, status="submitted")
    env.panel.delete_record(view.identifier)
    idle(qtbot, env.runner)
    assert env.asked == []  # not even asked: it cannot be done now, and the person is told why
    assert "Withdraw the request first" in env.panel.message.text()
    assert not env.store.get(view.identifier).deleted
    with pytest.raises(RecordError, match="waiting for review"):
        env.store.delete(view.identifier)


def test_new_with_all_records_selected_asks_which_kind(qtbot, env, monkeypatch):
    """"New" never picks a type for the person: with "All records" selected it asks."""
    from focalpoint.ui import records_actions as panel_module

    panel = env.panel
    qtbot.waitUntil(lambda: panel.types.count() > 1, timeout=10000)
    panel.types.setCurrentRow(0)  # "All records"
    assert panel.current_schema() is None
    offered: list[list[str]] = []

    def get_item(_parent, _title, _label, items, *_args):  # noqa: ANN001, ANN202
        offered.append(list(items))
        return "", False

    monkeypatch.setattr(panel_module.QInputDialog, "getItem", staticmethod(get_item))
    assert panel.new_of_current_type() is None  # cancelled: no editor, no record of any kind
    assert offered and panel.schema_label(NEEDS) in offered[0]
    assert not panel.editors
    monkeypatch.setattr(panel_module.QInputDialog, "getItem",
                        staticmethod(lambda *_a: (panel.schema_label(NEEDS), True)))
    editor = panel.new_of_current_type()
    assert editor is not None and editor.document()["header"]["schema"] == NEEDS
    editor.close()


def test_status_bar_says_who_is_signed_in_where_and_when_last_synced(qtbot, env):
    from focalpoint.sync.meta import set_meta
    from focalpoint.ui.signin_dialog import shared_token_store
    from focalpoint.ui.status import account_text, status_counts

    with env.db.session() as session:
        set_meta(session, "sync.email", "nfp@ws.example")
        set_meta(session, "sync.server", "https://hub.example.org")
        set_meta(session, "sync.last_sync", "2026-12-04T09:30:00")
    counts = status_counts(env.db)
    assert not counts.signed_in
    assert "sign in again as nfp@ws.example" in account_text(counts)  # signed out: said in words
    shared_token_store(env.db.data_dir).set("https://hub.example.org", "nfp@ws.example", "tok")
    counts = status_counts(env.db)
    assert counts.signed_in
    text = account_text(counts)
    assert "Signed in as nfp@ws.example (hub.example.org)" in text and "last sync" in text
    env.win.refresh_counts()
    qtbot.waitUntil(lambda: "nfp@ws.example" in env.win.status.account.text(), timeout=10000)
    assert "hub.example.org" in env.win.status.account.text()
    assert "Signed in as" in env.win.status.account.toolTip() and "last sync" in env.win.status.account.toolTip()
