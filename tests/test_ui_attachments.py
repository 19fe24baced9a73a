"""The editor's file field (pytest-qt): attach, see name, size and type, open, remove, size limit,
and a file fetched from a real hub when this computer does not have it yet."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from focalpoint.forms import load_form
from focalpoint.forms.attachments import attachment_path
from focalpoint.records.attachments import attach_to_record, write_settings

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]
PASSWORD = "ui-files-pw"


def _widget(db, runner, hold):  # noqa: ANN001, ANN202
    from focalpoint.ui.editor.context import ChoiceSource, EditorContext
    from focalpoint.ui.editor.fields_compound import AttachmentField

    ctx = EditorContext(runner=runner, db=db, data_dir=db.data_dir, choices=ChoiceSource(db, runner))
    widget = hold(AttachmentField(load_form("capacityBuildingResource").field("attachments"), ctx))
    opened: list[Path] = []
    widget.opener = opened.append  # the desktop's program for the type, in a test
    widget.show()
    return widget, opened


def _attached(qtbot, widget, path: Path, content: bytes) -> Path:  # noqa: ANN001
    """Write ``content`` to ``path`` and attach it with the widget (waits until it says it changed)."""
    path.write_bytes(content)
    with qtbot.waitSignal(widget.changed, timeout=5000):
        widget.attach_file(path)
    return path


def test_attach_shows_name_size_and_type_then_opens_a_copy_under_its_name(qtbot, db, runner, hold, tmp_path):
    widget, opened = _widget(db, runner, hold)
    content = b"%PDF-1.4\n" + os.urandom(150_000)
    _attached(qtbot, widget, tmp_path / "Atelier de formation.pdf", content)
    value = widget.value()
    assert value["filename"] == "Atelier de formation.pdf" and value["size"] == len(content)
    text = widget.label.text()
    assert "Atelier de formation.pdf" in text and "146.5 KB" in text and "application/pdf" in text
    assert widget.open_button.isVisible() and widget.clear_button.isVisible()

    widget.open_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert opened[0].name == "Atelier de formation.pdf" and opened[0].read_bytes() == content
    stored = attachment_path(db.data_dir, value["sha256"])
    assert opened[0] != stored and stored.read_bytes() == content  # the stored file is never handed out

    with qtbot.waitSignal(widget.changed, timeout=1000):
        widget.clear_button.click()
    assert widget.value() is None and widget.label.text() == "No file"
    assert not widget.open_button.isVisible()


def test_a_file_over_the_limit_is_refused_in_words_and_the_previous_file_stays(qtbot, db, runner, hold, tmp_path):
    widget, _opened = _widget(db, runner, hold)
    _attached(qtbot, widget, tmp_path / "small.txt", b"fine")
    before = widget.value()
    write_settings(db, max_bytes=1024 * 1024)
    big = tmp_path / "scans.zip"
    big.write_bytes(os.urandom(1024 * 1024 + 10))
    widget.attach_file(big)
    qtbot.waitUntil(lambda: widget.problem.isVisible(), timeout=5000)
    message = widget.problem.text()
    assert "scans.zip" in message and "1 MB" in message and "limit" in message
    assert widget.value() == before and "small.txt" in widget.label.text()
    assert sorted(p.name for p in (db.data_dir / "attachments").iterdir()) == [before["sha256"]]


def test_names_are_made_safe_when_attached(qtbot, db, runner, hold, tmp_path):
    widget, _opened = _widget(db, runner, hold)
    _attached(qtbot, widget, tmp_path / "aux.pdf", b"%PDF-1.4 aux")
    assert widget.value()["filename"] == "_aux.pdf"


@pytest.fixture
def pulled_without_its_file(tmp_path):
    """Computer A attached a 400 KB "manual.pdf" to a record and synced through a real hub; computer B
    pulled the record but not the file, and is signed in (its token where the app looks for it)."""
    from types import SimpleNamespace

    from focalpoint.ui.signin_dialog import shared_token_store
    from tests.support.hub import start_hub
    from tests.support.sync import Office, needs_assessment

    with start_hub(tmp_path=tmp_path) as hub, Office(hub, tmp_path, "ws", PASSWORD) as office:
        a, b = office.station("a"), office.station("b")
        manual = tmp_path / "manual.pdf"
        manual.write_bytes(b"%PDF-1.7 " + os.urandom(400_000))
        ident = a.store.save(needs_assessment("ws", "With a file")).identifier
        attach_to_record(a.store, ident, manual)
        assert a.sync().ok and b.sync().ok
        sha = hashlib.sha256(manual.read_bytes()).hexdigest()
        assert not attachment_path(b.data_dir, sha).exists()
        shared_token_store(b.data_dir).set(b.client.base_url, b.email, b.client.token)
        yield SimpleNamespace(b=b, ident=ident, content=manual.read_bytes(), sha=sha)


def test_opening_a_file_this_computer_lacks_fetches_it_from_the_hub(qtbot, runner, hold, pulled_without_its_file):
    """B pulled a record whose file stayed on the hub: Open fetches it on the network worker."""
    there = pulled_without_its_file
    (value,) = there.b.document(there.ident)["attachments"]
    widget, opened = _widget(there.b.db, runner, hold)
    widget.set_value(value)
    widget.open_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=15000)
    assert opened[0].name == "manual.pdf" and opened[0].read_bytes() == there.content
    assert attachment_path(there.b.data_dir, there.sha).read_bytes() == there.content  # kept: fetched once
    runner.wait_db_idle()


def test_a_file_with_no_server_link_says_so(qtbot, db, runner, hold):
    widget, opened = _widget(db, runner, hold)
    widget.set_value({"sha256": "ab" * 32, "filename": "lost.pdf", "size": 10})
    widget.open_button.click()
    qtbot.waitUntil(lambda: widget.problem.isVisible(), timeout=5000)
    assert "lost.pdf" in widget.problem.text() and opened == []
    assert widget.open_button.isEnabled()


# ------------------------------------------------------------------ the Sync menu's setting


def test_the_sync_menu_switches_download_all_the_setting_the_cli_uses(qtbot, main_window):
    from focalpoint.records.attachments import read_settings

    action = main_window.sync.download_all_action
    assert action in main_window.sync_menu.actions() and action.isCheckable()
    qtbot.waitUntil(action.isEnabled, timeout=5000)  # the setting was read on the DB worker
    assert not action.isChecked()

    action.trigger()  # the person ticks it
    assert action.isChecked()
    qtbot.waitUntil(lambda: read_settings(main_window.db).download_all, timeout=5000)
    qtbot.waitUntil(action.isEnabled, timeout=5000)

    write_settings(main_window.db, download_all=False)  # `records attachment-settings --download-all off`
    main_window.sync_menu.aboutToShow.emit()  # the person opens the Sync menu
    qtbot.waitUntil(lambda: not action.isChecked(), timeout=5000)
    action.trigger()
    qtbot.waitUntil(lambda: read_settings(main_window.db).download_all and action.isEnabled(), timeout=5000)
    assert action.isChecked()


# ------------------------------------------------------------------ the read-only viewer


def _viewer(view, db, runner, hold):  # noqa: ANN001, ANN202
    from focalpoint.ui.record_viewer import RecordViewerWindow

    viewer = hold(RecordViewerWindow(view, db=db, runner=runner))
    opened: list[Path] = []
    viewer.opener = opened.append  # the desktop's program for the type, in a test
    viewer.show()
    return viewer, opened


def _file_item(viewer, name: str):  # noqa: ANN001, ANN202
    from PySide6.QtWidgets import QTreeWidgetItemIterator

    from focalpoint.ui.record_viewer import ATTACHMENT_ROLE

    found = []
    iterator = QTreeWidgetItemIterator(viewer.tree)
    while iterator.value():
        item = iterator.value()
        value = item.data(0, ATTACHMENT_ROLE)
        if isinstance(value, dict) and value.get("filename") == name:
            found.append(item)
        iterator += 1
    assert len(found) == 1, f"no single item for {name!r}"
    return found[0]


def test_the_viewer_shows_an_attached_file_and_opens_a_copy(qtbot, db, runner, hold, tmp_path):
    from focalpoint.records import RecordStore
    from tests.support.sync import needs_assessment

    store = RecordStore(db, actor="me@ws.org")
    ident = store.save(needs_assessment("ws", "Seen read-only")).identifier
    source = tmp_path / "Plan de formation.pdf"
    content = b"%PDF-1.4\n" + os.urandom(120_000)
    source.write_bytes(content)
    attach_to_record(store, ident, source)

    viewer, opened = _viewer(store.get(ident), db, runner, hold)
    item = _file_item(viewer, "Plan de formation.pdf")
    assert item.text(1) == "Plan de formation.pdf — 117.2 KB"
    assert viewer.open_button.isVisible() and not viewer.open_button.isEnabled()  # nothing chosen yet
    viewer.tree.setCurrentItem(item)
    assert viewer.open_button.isEnabled() and viewer.open_button.text() == "Open file"
    viewer.open_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert opened[0].name == "Plan de formation.pdf" and opened[0].read_bytes() == content
    assert opened[0] != attachment_path(db.data_dir, hashlib.sha256(content).hexdigest())

    viewer.tree.itemActivated.emit(item, 1)  # a double click opens it too
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    runner.wait_db_idle()


def test_the_viewer_fetches_a_file_this_computer_lacks_then_opens_it(qtbot, runner, hold, pulled_without_its_file):
    there = pulled_without_its_file
    viewer, opened = _viewer(there.b.store.get(there.ident), there.b.db, runner, hold)
    viewer.tree.setCurrentItem(_file_item(viewer, "manual.pdf"))
    viewer.open_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=15000)
    assert opened[0].name == "manual.pdf" and opened[0].read_bytes() == there.content
    assert attachment_path(there.b.data_dir, there.sha).read_bytes() == there.content  # kept: fetched once
    assert not viewer.file_status.isVisible() and viewer.open_button.isEnabled()
    runner.wait_db_idle()


def test_the_viewer_says_when_a_file_cannot_be_had(qtbot, db, runner, hold):
    from focalpoint.records import RecordStore
    from tests.support.sync import needs_assessment

    document = needs_assessment("ws", "A lost file")
    document["attachments"] = [{"sha256": "cd" * 32, "filename": "lost annex.pdf", "size": 2048}]
    view = RecordStore(db, actor="me@ws.org").save(document)
    viewer, opened = _viewer(view, db, runner, hold)
    viewer.tree.setCurrentItem(_file_item(viewer, "lost annex.pdf"))
    viewer.open_button.click()
    qtbot.waitUntil(viewer.file_status.isVisible, timeout=5000)
    assert "lost annex.pdf" in viewer.file_status.text() and opened == []
    assert viewer.open_button.isEnabled()
