"""File > USB stick: unsent changes carried on a file from one computer to another, from the GUI."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from focalpoint.records import RecordStore  # noqa: E402
from tests.support.ui import close_main_window, make_database, open_main_window, write_sample_plan  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]

CONTACT = {"header": {"schema": "contact", "languages": ["en"]}, "type": "person", "firstName": "Lola",
           "lastName": "Tui"}


@pytest.fixture
def computers(qtbot, tmp_path):
    """``make(name)``: a real main window over its own data folder (a real SQLite database)."""
    plan = write_sample_plan(tmp_path / "plan")
    made = []

    def make(name: str):  # noqa: ANN202
        win = open_main_window(qtbot, make_database(tmp_path / name, plan), plan, timeout=15000)
        win.auto_sync.stop()
        messages: list[tuple[str, str, str]] = []
        usb = win.usb_actions
        usb.inform = lambda parent, title, text, details="": messages.append(("info", title, text))
        usb.warn = lambda parent, title, text: messages.append(("warning", title, text))
        win.test_messages = messages
        made.append(win)
        return win

    yield make
    for win in made:
        close_main_window(win)


def _outbox(db) -> list[str]:  # noqa: ANN001
    from focalpoint.models import OutboxEntry

    with db.session() as session:
        return [e.entry_id for e in session.query(OutboxEntry).order_by(OutboxEntry.seq)]


def test_the_three_actions_are_in_the_file_menu(computers):
    win = computers("a")
    usb = win.usb_actions
    assert usb.menu.menuAction() in win.file_menu.actions()
    assert usb.menu.title() == "&USB stick"
    assert [a.text() for a in usb.menu.actions() if not a.isSeparator()] == [
        "&Save my unsent changes to a file…", "&Open a file from a USB stick…",
        "Save &records for a computer with no link…"]
    # above Quit, after Back up and Restore
    actions = win.file_menu.actions()
    assert actions.index(win.backup_actions.restore_action) < actions.index(usb.menu.menuAction()) \
        < actions.index(win.quit_action)


def test_changes_carried_from_a_to_b_on_a_file(qtbot, computers, tmp_path):
    from focalpoint.sync.bundle import read_bundle

    a = computers("a")
    view = RecordStore(a.db).save(dict(CONTACT))
    entry_ids = _outbox(a.db)
    assert len(entry_ids) == 1

    # computer A: File > USB stick > Save my unsent changes to a file…
    stick = tmp_path / "usb"
    stick.mkdir()
    asked: list[Path] = []

    def save_as(parent, title, suggested):  # noqa: ANN001, ANN202
        asked.append(suggested)
        return stick / "changes"  # no suffix typed: it is added

    a.usb_actions.ask_save_path = save_as
    with qtbot.waitSignal(a.usb_actions.exported, timeout=15000):
        a.usb_actions.export_action.trigger()
    assert asked[0].parent == Path.home()
    assert asked[0].name.startswith("focalpoint-changes-") and asked[0].suffix == ".fpbundle"
    bundle_path = stick / "changes.fpbundle"
    bundle = read_bundle(bundle_path)
    assert bundle.kind == "outbox"
    assert [e["entry_id"] for e in bundle.content["entries"]] == entry_ids
    assert [r["identifier"] for r in bundle.content["records"]] == [view.identifier]
    kind, _title, text = a.test_messages[-1]
    assert kind == "info" and "1 unsent change was saved" in text and str(bundle_path) in text
    assert "Open a file from a USB stick…" in text  # what to do on the other computer
    assert not a.usb_actions.busy and a.usb_actions.export_action.isEnabled()

    # computer B: File > USB stick > Open a file from a USB stick…
    b = computers("b")
    b.tabs.setCurrentWidget(b.records)
    assert b.records.model.row_of(view.identifier) < 0
    b.usb_actions.ask_open_path = lambda parent, title, folder: bundle_path
    with qtbot.waitSignal(b.usb_actions.imported, timeout=15000) as imported:
        b.usb_actions.import_action.trigger()
    summary = imported.args[0]
    assert summary.kind == "outbox" and summary.imported == 1
    qtbot.waitUntil(lambda: b.records.model.row_of(view.identifier) >= 0, timeout=10000)
    kind, _title, text = b.test_messages[-1]
    assert kind == "info"
    assert "1 change imported" in text and "next sync" in text
    assert _outbox(b.db) == entry_ids  # the same entry: it is sent from B at B's next sync

    # the same file a second time: nothing new
    with qtbot.waitSignal(b.usb_actions.imported, timeout=15000) as again:
        b.usb_actions.import_action.trigger()
    assert again.args[0].imported == 0 and again.args[0].already == 1
    assert "0 changes imported" in b.test_messages[-1][2] and "1 change was already here" in b.test_messages[-1][2]
    assert _outbox(b.db) == entry_ids


def test_a_damaged_file_gives_a_warning_and_imports_nothing(qtbot, computers, tmp_path):
    from focalpoint.sync.bundle import export_outbox_bundle

    a = computers("a")
    RecordStore(a.db).save(dict(CONTACT))
    good = tmp_path / "good.fpbundle"
    export_outbox_bundle(a.db, good)
    damaged = tmp_path / "damaged.fpbundle"
    data = good.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])  # the stick was pulled out while copying

    b = computers("b")
    b.usb_actions.ask_open_path = lambda parent, title, folder: damaged
    with qtbot.waitSignal(b.usb_actions.failed, timeout=15000):
        b.usb_actions.import_action.trigger()
    kind, _title, text = b.test_messages[-1]
    assert kind == "warning"
    assert "damaged.fpbundle" in text and "Nothing was imported" in text
    assert _outbox(b.db) == []
    assert RecordStore(b.db).count() == 0
    assert not b.usb_actions.busy and b.usb_actions.import_action.isEnabled()


def test_records_for_a_computer_with_no_link(qtbot, computers, tmp_path):
    from focalpoint.models import Meta, Record
    from focalpoint.review import ACCOUNT_META_KEY
    from focalpoint.sync.bundle import read_bundle

    win = computers("a")
    with win.db.session(write=True) as session:  # a record as a sync brought it, and who is signed in
        session.add(Meta(key=ACCOUNT_META_KEY, value=json.dumps(
            {"email": "fp@ws.org", "government": "ws", "roles": ["focal-point"]})))
    store = RecordStore(win.db)
    mine = store.save({**CONTACT, "government": {"identifier": "ws"}})
    theirs = store.save({**CONTACT, "firstName": "Other", "government": {"identifier": "fj"}})
    with win.db.session(write=True) as session:
        for identifier, government in ((mine.identifier, "ws"), (theirs.identifier, "fj")):
            rec = session.get(Record, identifier)
            rec.server_revision = 3
            rec.base_document = dict(rec.document)
            rec.government = government
    target = tmp_path / "records.fpbundle"
    asked: list[Path] = []
    win.usb_actions.ask_save_path = lambda parent, title, suggested: asked.append(suggested) or target
    with qtbot.waitSignal(win.usb_actions.records_exported, timeout=15000) as done:
        win.usb_actions.records_action.trigger()
    assert asked[0].name.startswith("focalpoint-records-") and asked[0].suffix == ".fpbundle"
    assert done.args[0]["government"] == "ws"
    bundle = read_bundle(target)
    assert bundle.kind == "records"
    assert bundle.meta.get("government") == "ws"
    assert [d["identifier"] for d in bundle.content["documents"]] == [mine.identifier]
    kind, _title, text = win.test_messages[-1]
    assert kind == "info" and "1 record was saved" in text and str(target) in text


def test_import_message_names_records_and_their_fate():
    from focalpoint.sync.bundle import ImportSummary
    from focalpoint.ui.usb_actions import MAX_LISTED, import_message

    summary = ImportSummary(kind="records", imported=2, records=5, acknowledged=3,
                            elsewhere={"ID-1": "It waits there for a decision."}, conflicts=["ID-2"])
    text, details = import_message(summary, {"ID-1": {"en": "Needs of Samoa"}}, Path("/media/usb/r.fpbundle"))
    plain = text.replace("\u2068", "").replace("\u2069", "")  # the names are bidi-isolated
    assert "5 records read from r.fpbundle: 2 new or updated." in plain
    assert "3 of your changes reached the hub and left your outbox." in plain
    assert "• Needs of Samoa: It waits there for a decision." in plain  # the title, when it is known
    assert "1 record is in conflict" in plain and "• ID-2" in plain  # else the identifier
    assert details == ""  # everything fitted

    many = ImportSummary(kind="outbox", imported=0, already=0,
                         skipped={f"ID-{i}": "Sync this computer first." for i in range(MAX_LISTED + 3)})
    text, details = import_message(many, {"ID-0": {"en": "First"}}, Path("c.fpbundle"))
    plain = text.replace("\u2068", "").replace("\u2069", "")
    assert plain.count("• ") == MAX_LISTED and "… and 3 more." in plain  # the box stays within the screen
    details = details.replace("\u2068", "").replace("\u2069", "")
    assert "“First” (ID-0)" in details and f"ID-{MAX_LISTED + 2}" in details  # every one, in the details
