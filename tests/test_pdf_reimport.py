"""A filled PDF imported twice makes one record: the file is recognised (its SHA-256, remembered in
the local database) and skipped with a message naming the file and the record, or — ``--update``,
or Update in the import dialog — its values replace the record's document as a new local edit.
Real fillable PDFs, filled as a reader saves them, imported through the CLI and the dialog."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from focalpoint.pdf import FormOptions, blank_form_pdf
from focalpoint.records import RecordStore
from tests.support.pdf_forms import fill_form

SCHEMA = "contact"
VALUES = {"firstName": "Ana", "lastName": "Lima"}


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reimport") / "contact-en.pdf"
    path.write_bytes(blank_form_pdf(SCHEMA, FormOptions(lang="en", fillable=True)))
    return path


def _records(db) -> list:
    from focalpoint.models import Record

    with db.session() as session:
        return list(session.scalars(select(Record).where(Record.schema == SCHEMA, Record.deleted.is_(False))))


def _events(db, identifier: str) -> list[str]:
    from focalpoint.models import AuditEvent

    with db.session() as session:
        return [e.action for e in session.scalars(select(AuditEvent).where(
            AuditEvent.record_identifier == identifier).order_by(AuditEvent.id))]


def _cli(data_dir: Path, capsys, *args: str) -> tuple[int, str, str]:
    from focalpoint.cli import run

    code = run(["--data-dir", str(data_dir), "import-pdf", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_same_filled_pdf_imported_twice_is_skipped_the_second_time(blank, tmp_path, data_dir, capsys):
    from focalpoint.db import open_database
    from focalpoint.models import Meta

    filled = fill_form(blank, VALUES, tmp_path / "filled.pdf")
    code, out, _err = _cli(data_dir, capsys, "--json", str(filled))
    assert code == 0
    [first] = json.loads(out)
    assert first["action"] == "created"
    identifier = first["identifier"]

    code, out, err = _cli(data_dir, capsys, str(filled))
    assert code == 0, (out, err)
    # the message names the file and the record, and says how to update instead
    assert f"filled.pdf: already imported as record {identifier}: skipped" in out
    assert "--update" in err

    # a copy under another name is the same file
    copy = tmp_path / "copy-from-the-workshop.pdf"
    shutil.copyfile(filled, copy)
    code, out, err = _cli(data_dir, capsys, "--json", str(copy))
    assert code == 0
    [again] = json.loads(out)
    assert again["action"] == "skipped" and again["identifier"] == identifier and again["previous"] == identifier
    assert f"copy-from-the-workshop.pdf: already imported as record {identifier}: skipped" in err

    db = open_database(data_dir)
    try:
        records = _records(db)
        assert [r.identifier for r in records] == [identifier]
        assert records[0].local_revision == 1
        sha = hashlib.sha256(filled.read_bytes()).hexdigest()
        with db.session() as session:
            assert session.get(Meta, f"pdfimport.{sha}").value == identifier
    finally:
        db.close()


def test_update_replaces_the_records_document_as_a_new_local_edit(blank, tmp_path, data_dir, capsys):
    from focalpoint.db import open_database

    filled = fill_form(blank, VALUES, tmp_path / "filled.pdf")
    code, out, _err = _cli(data_dir, capsys, "--json", str(filled))
    identifier = json.loads(out)[0]["identifier"]

    db = open_database(data_dir)
    try:  # edited in FocalPoint after the import
        store = RecordStore(db)
        doc = store.get(identifier).document
        doc["firstName"] = "Edited"
        store.save(doc)
    finally:
        db.close()

    code, out, err = _cli(data_dir, capsys, "--update", str(filled))
    assert code == 0, (out, err)
    assert f"filled.pdf: record {identifier} ({SCHEMA}) updated from the form" in out

    db = open_database(data_dir)
    try:
        records = _records(db)
        assert [r.identifier for r in records] == [identifier]  # still one record
        record = records[0]
        assert record.document["firstName"] == "Ana" and record.document["lastName"] == "Lima"
        assert record.local_revision == 3
        assert _events(db, identifier) == ["created", "edited", "edited"]
    finally:
        db.close()

    # and again, without --update: skipped (the file still names this record)
    code, out, _err = _cli(data_dir, capsys, str(filled))
    assert f"already imported as record {identifier}: skipped" in out


def test_a_file_whose_record_was_deleted_imports_as_a_new_draft(blank, tmp_path, db):
    from focalpoint.pdf import import_filled_pdfs

    filled = fill_form(blank, VALUES, tmp_path / "filled.pdf")
    [first] = import_filled_pdfs(db, [filled]).files
    RecordStore(db).delete(first.identifier, confirmed_twice=True)
    report = import_filled_pdfs(db, [filled])
    [second] = report.files
    assert second.action == "created" and second.identifier != first.identifier
    assert [r.identifier for r in _records(db)] == [second.identifier]


def test_two_copies_in_one_batch_make_one_record(blank, tmp_path, db):
    from focalpoint.pdf import import_filled_pdfs

    filled = fill_form(blank, VALUES, tmp_path / "a.pdf")
    copy = tmp_path / "b.pdf"
    shutil.copyfile(filled, copy)
    report = import_filled_pdfs(db, [filled, copy])
    assert [f.action for f in report.files] == ["created", "skipped"]
    assert report.ok and len(report.imported) == 1
    with db.session() as session:
        from focalpoint.models import Record

        assert session.scalar(select(func.count()).select_from(Record)) == 1


def _import_with_dialog(qtbot, dialog, path: Path, choice: str | None):
    """Add ``path``, press Import and — when asked about a file imported before — pick ``choice``."""
    dialog.add_files([path])
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        if choice is not None:
            qtbot.waitUntil(lambda: dialog.duplicates is not None and dialog.duplicates.isVisible(), timeout=10000)
            asker = dialog.duplicates
            assert [p.path for p in asker.previous] == [path]
            assert path.name in asker.labels[0].text()
            assert asker.skip_buttons[0].isChecked()  # skipping is the default
            button = asker.update_buttons[0] if choice == "update" else asker.skip_buttons[0]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert asker.choices() == {path: choice}
            qtbot.mouseClick(asker.continue_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_import_dialog_asks_update_or_skip_for_a_form_imported_before(qtbot, db, runner, hold, blank, tmp_path):
    from focalpoint.ui.import_pdf_dialog import ImportPdfDialog

    filled = fill_form(blank, VALUES, tmp_path / "filled.pdf")
    dialog = hold(ImportPdfDialog(db, runner))
    qtbot.addWidget(dialog)
    dialog.show()

    [identifier] = _import_with_dialog(qtbot, dialog, filled, None)
    assert dialog.duplicates is None  # nothing to ask the first time
    assert dialog.summary.text() == "1 new draft made."

    store = RecordStore(db)
    doc = store.get(identifier).document
    doc["firstName"] = "Edited"
    store.save(doc)

    # Skip: nothing changes
    assert _import_with_dialog(qtbot, dialog, filled, "skip") == []
    assert store.get(identifier).document["firstName"] == "Edited"
    assert "1 file imported before was skipped." in dialog.summary.text()
    assert any("filled.pdf | skipped: imported before" in line for line in dialog.report_lines())

    # Update: the record takes the form's values, as a new local edit; still one record
    assert _import_with_dialog(qtbot, dialog, filled, "update") == [identifier]
    view = store.get(identifier)
    assert view.document["firstName"] == "Ana" and view.local_revision == 3
    assert "1 record updated." in dialog.summary.text()
    assert any("filled.pdf | record updated: Contact" in line for line in dialog.report_lines())
    assert [r.identifier for r in _records(db)] == [identifier]


def test_cancelling_the_choice_imports_nothing(qtbot, db, runner, hold, blank, tmp_path):
    from focalpoint.pdf import import_filled_pdfs
    from focalpoint.ui.import_pdf_dialog import ImportPdfDialog

    filled = fill_form(blank, VALUES, tmp_path / "filled.pdf")
    import_filled_pdfs(db, [filled])
    dialog = hold(ImportPdfDialog(db, runner))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_files([filled])
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.duplicates is not None and dialog.duplicates.isVisible(), timeout=10000)
    qtbot.mouseClick(dialog.duplicates.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
    assert dialog.summary.text() == "Nothing was imported."
    assert len(_records(db)) == 1 and _records(db)[0].local_revision == 1
