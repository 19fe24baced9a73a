"""The dialogs: conflict resolution field by field, sign-in against a real hub, printing forms
(a real PDF, and cancel), importing filled PDFs with the report of what was read."""

from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import Qt
from sqlalchemy import select

from focalpoint import forms
from focalpoint.models import AuditEvent, Meta, OutboxEntry, Record
from focalpoint.records import RecordStore
from tests.support.ui import shown_loaded

pytestmark = pytest.mark.gui

PASSWORD = "correct horse battery"


# ------------------------------------------------------------------ conflicts


def _record_in_conflict(db) -> tuple[str, dict, dict]:
    """A record edited here and on the server in the same two fields, stored as sync stores it."""
    doc = forms.template("capacityNeedsAssessment")
    doc["header"].pop("identifier", None)
    doc["title"] = {"en": "Coral reefs", "fr": "Récifs coralliens"}
    store = RecordStore(db)
    base = store.save(doc).document
    ident = base["header"]["identifier"]
    mine = copy.deepcopy(base)
    mine["title"]["en"] = "Coral reefs (Ana)"
    mine["summary"]["en"] = "Ana's summary"
    mine["title"]["fr"] = "Récifs (Ana)"  # changed here only: not in conflict
    store.save(mine)
    theirs = copy.deepcopy(base)
    theirs["title"]["en"] = "Coral reefs (Ben)"
    theirs["summary"]["en"] = "Ben's summary"
    with db.session() as s:
        rec = s.get(Record, ident)
        rec.base_document = base
        rec.server_revision = 2
        rec.conflict = {"server": theirs, "server_revision": 3, "fields": ["summary.en", "title.en"]}
        rec.sync_state = "conflict"
    return ident, mine, theirs


def _conflict_dialog(qtbot, hold, db, runner, ident):
    from focalpoint.ui.conflict_dialog import ConflictDialog

    return shown_loaded(qtbot, hold(ConflictDialog(db, runner, ident)))


def test_conflict_dialog_keeps_mine_for_one_field_and_theirs_for_the_other(qtbot, catalog_db, runner, hold):
    ident, _mine, _theirs = _record_in_conflict(catalog_db)
    dialog = _conflict_dialog(qtbot, hold, catalog_db, runner, ident)
    assert sorted(dialog.choices) == ["summary.en", "title.en"]
    title = dialog.choices["title.en"]
    assert title.title() == "Title (English)"  # labelled from the form definition
    assert title.mine_text.text() == "Coral reefs (Ana)" and title.theirs_text.text() == "Coral reefs (Ben)"
    assert "revision 3" in dialog.intro.text()
    assert not dialog.apply_button.isEnabled()  # every field needs a choice
    qtbot.mouseClick(title.mine_button, Qt.MouseButton.LeftButton)
    assert not dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.choices["summary.en"].theirs_button, Qt.MouseButton.LeftButton)
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.resolved, timeout=10000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    with catalog_db.session() as s:
        rec = s.get(Record, ident)
        assert rec.conflict is None and rec.sync_state == "queued"
        assert rec.document["title"] == {"en": "Coral reefs (Ana)", "fr": "Récifs (Ana)"}
        assert rec.document["summary"]["en"] == "Ben's summary"
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.record_identifier == ident,
                                                     AuditEvent.action == "conflict_resolved")).all()
        assert event.details["choices"] == {"title.en": "mine", "summary.en": "theirs"}
        saves = s.scalars(select(OutboxEntry).where(OutboxEntry.record_identifier == ident,
                                                    OutboxEntry.action == "save")).all()
        assert [e.base_revision for e in saves] == [3]  # sent against the server's revision
        assert saves[0].payload["document"]["title"]["en"] == "Coral reefs (Ana)"


def test_conflict_dialog_takes_a_typed_value(qtbot, catalog_db, runner, hold):
    ident, _mine, _theirs = _record_in_conflict(catalog_db)
    dialog = _conflict_dialog(qtbot, hold, catalog_db, runner, ident)
    summary = dialog.choices["summary.en"]
    assert summary.can_edit
    qtbot.mouseClick(summary.edit_button, Qt.MouseButton.LeftButton)
    assert summary.editor.toPlainText() == "Ana's summary"  # starts from mine
    summary.editor.setPlainText("Ana's and Ben's summary")
    qtbot.mouseClick(dialog.all_theirs, Qt.MouseButton.LeftButton)  # "take all the server's" …
    dialog.choose("summary.en", "edit", "Ana's and Ben's summary")  # … then one typed value
    with qtbot.waitSignal(dialog.resolved, timeout=10000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    with catalog_db.session() as s:
        doc = s.get(Record, ident).document
    assert doc["title"]["en"] == "Coral reefs (Ben)"
    assert doc["summary"]["en"] == "Ana's and Ben's summary"


# -------------------------------------------------------------------- sign in


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        running.add_user("nfp@ws.example", PASSWORD, "focal-point", "ws")
        yield running


def _sign_in_dialog(qtbot, hold, db, runner):
    from focalpoint.ui.signin_dialog import SignInDialog

    dialog = hold(SignInDialog(db, runner))
    qtbot.addWidget(dialog)
    dialog.load()
    dialog.show()
    qtbot.waitUntil(lambda: dialog.has_keyring is not None, timeout=10000)
    return dialog


def test_sign_in_keeps_the_token_in_a_private_file_when_asked_and_never_the_password(qtbot, db, runner, hold, hub):
    from focalpoint.ui.signin_dialog import shared_token_store, token_file

    dialog = _sign_in_dialog(qtbot, hold, db, runner)
    # the tests' keyring is the "fail" backend: no keyring, so the choice is offered and explained
    assert dialog.has_keyring is False
    assert dialog.remember.isVisibleTo(dialog)
    assert "memory only" in dialog.storage_note.text()
    assert not dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.server, hub.url)
    qtbot.keyClicks(dialog.email, "nfp@ws.example")
    qtbot.keyClicks(dialog.password, "wrong password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and "did not accept" in dialog.message.text(), timeout=15000)
    assert dialog.isVisible()

    dialog.password.clear()
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.remember.setChecked(True)
    with qtbot.waitSignal(dialog.signed_in, timeout=15000) as blocker:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.location == "file" and result.account["roles"] == ["ChmNrNationalFocalPoint", "focal-point"]
    assert dialog.password.text() == ""
    path = token_file(db.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shared_token_store(db.data_dir).get(hub.url, "nfp@ws.example")
    runner.wait_db_idle()
    with db.session() as s:
        assert s.get(Meta, "sync.server").value == hub.url
        assert s.get(Meta, "sync.email").value == "nfp@ws.example"
        assert json.loads(s.get(Meta, "account.user").value)["government"] == "ws"
    for file in Path(db.data_dir).rglob("*"):
        if file.is_file():
            assert PASSWORD.encode() not in file.read_bytes(), file


def test_sign_in_without_remembering_keeps_the_token_in_memory_only(qtbot, db, runner, hold, hub):
    from focalpoint.ui.signin_dialog import shared_token_store, token_file

    dialog = _sign_in_dialog(qtbot, hold, db, runner)
    qtbot.keyClicks(dialog.server, hub.url)
    qtbot.keyClicks(dialog.email, "nfp@ws.example")
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=15000) as blocker:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert blocker.args[0].location == "memory"
    assert not token_file(db.data_dir).exists()
    assert shared_token_store(db.data_dir).get(hub.url, "nfp@ws.example")


# ---------------------------------------------------------------------- print


def _print_dialog(qtbot, hold, tmp_path):
    from focalpoint.ui.print_dialog import PrintDialog

    out = tmp_path / "out"
    out.mkdir()
    dialog = hold(PrintDialog(output_dir=out))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, out


def test_print_dialog_writes_one_pdf_per_language(qtbot, hold, tmp_path):
    dialog, out = _print_dialog(qtbot, hold, tmp_path)
    names = [dialog.forms.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.forms.count())]
    assert names[-2:] == ["qaRecordReview", "qaQualityStandard"]  # both QA checklists are offered
    assert not dialog.print_button.isEnabled()  # no form chosen yet
    dialog.set_forms(["contact", "qaRecordReview"])
    dialog.set_languages(["en", "fr"])
    assert dialog.bilingual.isEnabled()
    dialog.per_language.setChecked(True)
    dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
    with qtbot.waitSignal(dialog.printed, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    written = blocker.args[0]
    assert sorted(p.name for p in written) == ["focalpoint-forms-en.pdf", "focalpoint-forms-fr.pdf"]
    for path in written:
        reader = PdfReader(str(path))
        assert len(reader.pages) >= 2
        width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
        assert (round(width), round(height)) == (612, 792)  # US Letter
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "Done" in dialog.status.text()
    assert sorted(p.name for p in out.iterdir()) == ["focalpoint-forms-en.pdf", "focalpoint-forms-fr.pdf"]


def test_print_dialog_bilingual_and_fillable_choices_make_the_right_jobs(qtbot, hold, tmp_path):
    dialog, out = _print_dialog(qtbot, hold, tmp_path)
    dialog.set_forms(["contact", "organization"])
    dialog.set_languages(["fr", "ar"])
    dialog.bilingual.setChecked(True)
    dialog.fillable.setChecked(True)
    assert not dialog.copies.isEnabled()
    jobs = dialog.jobs()
    assert [(list(j.schemas), list(j.languages), j.lang2, j.fillable) for j in jobs] == [
        (["contact"], ["fr"], "ar", True), (["organization"], ["fr"], "ar", True)]
    assert jobs[0].output == out / "focalpoint-forms-contact.pdf"
    dialog.set_languages(["en", "es", "ru"])
    assert not dialog.bilingual.isEnabled()


def test_print_dialog_cancel_stops_and_leaves_no_file(qtbot, hold, tmp_path):
    dialog, out = _print_dialog(qtbot, hold, tmp_path)
    dialog._check_all_forms(True)
    dialog.set_languages(["en", "fr", "es", "ru", "zh", "ar"])
    with qtbot.waitSignal(dialog.printed, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        assert dialog.running and dialog.cancel_button.isEnabled()
        assert not dialog.close_button.isEnabled()
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == []
    assert list(out.iterdir()) == []  # the one big PDF was never written, nor a temporary file left
    assert "Cancelled" in dialog.status.text()
    assert dialog.print_button.isEnabled() and dialog.close_button.isEnabled()


# --------------------------------------------------------------------- import


def test_import_dialog_reports_what_was_read_and_what_was_not(qtbot, db, runner, hold, tmp_path):
    from focalpoint.pdf import FormOptions, blank_form_pdf
    from focalpoint.ui.import_pdf_dialog import ImportPdfDialog

    blank = tmp_path / "contact.pdf"
    blank.write_bytes(blank_form_pdf("contact", FormOptions(lang="en", fillable=True)))
    filled = tmp_path / "filled.pdf"
    writer = PdfWriter(clone_from=PdfReader(str(blank)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"firstName": "Ana", "lastName": "Lima",
                                                    "country": "Atlantis"}, auto_regenerate=False)
    with filled.open("wb") as fh:
        writer.write(fh)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")

    dialog = hold(ImportPdfDialog(db, runner))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.import_button.isEnabled()
    dialog.add_files([filled, junk, filled])
    assert dialog.files.count() == 2
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    [identifier] = blocker.args[0]
    assert RecordStore(db).get(identifier).document["firstName"] == "Ana"
    lines = dialog.report_lines()
    text = "\n".join(lines)
    assert "filled.pdf | new draft: Contact" in text
    assert "First name | Ana" in text
    assert "Atlantis" in text  # a country not in the list is reported as not read
    assert "junk.pdf | not imported" in text
    assert dialog.summary.text() == "1 new draft made. 1 file not imported."
    assert os.path.exists(filled)
