"""Printing filled records and the action-plan booklet from the desktop app (issue 16): several
selected records in one PDF, the booklet filtered by section, and a real Qt printer (to PDF)."""

from __future__ import annotations

import os
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog  # noqa: E402

from focalpoint.records import RecordStore  # noqa: E402
from tests.support.poppler import pdf_text, require_poppler  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


@pytest.fixture
def env(main_window, sample_plan_dir):
    """The main window (tests/conftest.py) and what the tests reach through it."""
    return SimpleNamespace(win=main_window, store=RecordStore(main_window.db), panel=main_window.records,
                           plan=sample_plan_dir)


def _print_dialog(panel):
    """The dialog the Records list's "Print…" action opens."""
    from focalpoint.ui.print_records import PrintRecordsDialog

    before = set(panel.findChildren(PrintRecordsDialog))
    panel.print_action.trigger()
    opened = [d for d in panel.findChildren(PrintRecordsDialog) if d not in before]
    assert len(opened) == 1
    return opened[0]


def _records_listed(qtbot, env, names):
    for name in names:
        env.store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": name})
    env.panel.load()
    model = env.panel.model
    qtbot.waitUntil(lambda: model.rowCount() == len(names)
                    and all(model.index(r, 0).data() not in (None, "…") for r in range(len(names))), timeout=5000)
    return {model.index(r, 0).data(): r for r in range(model.rowCount())}


def _select_rows(qtbot, panel, rows):
    """Click the first row, Ctrl+click the others, as a person does."""
    table = panel.table
    for i, row in enumerate(rows):
        rect = table.visualRect(panel.model.index(row, 0))
        modifier = Qt.KeyboardModifier.ControlModifier if i else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    assert sorted(i.row() for i in table.selectionModel().selectedRows()) == sorted(rows)


def test_two_selected_records_print_into_one_pdf(qtbot, env, tmp_path):
    rows = _records_listed(qtbot, env, ["Aroha", "Bertrand", "Chidera"])
    row_of = {name: next(r for title, r in rows.items() if name in title) for name in ("Aroha", "Chidera")}
    _select_rows(qtbot, env.panel, [row_of["Aroha"], row_of["Chidera"]])
    dialog = _print_dialog(env.panel)
    out = tmp_path / "out" / "two.pdf"
    out.parent.mkdir()
    dialog.file.setText(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.pdf_button.click()
    text = pdf_text(out)
    assert "Aroha" in text and "Chidera" in text
    assert "Bertrand" not in text
    assert [p.name for p in out.parent.iterdir()] == ["two.pdf"]  # no temporary file left


def test_action_plan_booklet_by_section(qtbot, env, tmp_path):
    from focalpoint.catalog import load_plan

    plan = load_plan(env.plan)
    in_b = [a for a in plan["activities"] if a["section"] == "B"]
    in_c = [a for a in plan["activities"] if a["section"] == "C"]
    assert in_b and in_c
    env.win.findChild(type(env.panel.print_action), "printPlanAction").trigger()
    from focalpoint.ui.print_records import PrintRecordsDialog

    dialog = env.win.findChild(PrintRecordsDialog)
    assert dialog is not None and dialog.mode == "booklet"
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.section.setCurrentIndex(dialog.section.findData("B"))
    out = tmp_path / "plan-b.pdf"
    dialog.file.setText(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.pdf_button.click()
    text = " ".join(pdf_text(out).split())
    for act in in_b:
        assert f"Activity {act['number']}" in text
    for act in in_c:
        assert f"Activity {act['number']}" not in text
    assert "Selection: section B" in text


def test_send_to_a_printer_prints_every_page(qtbot, env, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter

    from focalpoint.ui import print_records

    if not print_records.qtpdf_available():
        pytest.skip("PySide6.QtPdf is not installed")
    rows = _records_listed(qtbot, env, ["Dagny", "Emeka"])
    _select_rows(qtbot, env.panel, sorted(rows.values()))
    dialog = _print_dialog(env.panel)
    # the same records to a PDF file, to know how many pages the printer must get
    generated = tmp_path / "generated.pdf"
    dialog.file.setText(str(generated))
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.pdf_button.click()

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    dialog.printer = printer
    asked = []
    monkeypatch.setattr(print_records.QPrintDialog, "exec",
                        lambda self: asked.append(self) or QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(dialog.printed, timeout=30000) as blocker:
        dialog.printer_button.click()
    assert asked
    from pypdf import PdfReader

    pages = len(PdfReader(generated).pages)
    assert pages >= 2  # one report per record at least
    assert blocker.args == [pages]
    assert len(PdfReader(printed).pages) == pages


def test_the_records_dialog_shows_no_booklet_filter_over_its_own_fields(qtbot, tmp_path):
    """Only the booklet has section, Aichi target and partner; in the records dialog they are not
    drawn at all (they were, on top of the description)."""
    from focalpoint.db import open_database
    from focalpoint.ui.print_records import RECORDS, PrintRecordsDialog
    from focalpoint.ui.tasks import TaskRunner

    db = open_database(tmp_path / "data")
    runner = TaskRunner()
    try:
        dialog = PrintRecordsDialog(db, runner, mode=RECORDS, identifiers=["X"], titles=["A record"])
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        for widget in (dialog.section, dialog.aichi, dialog.partner, dialog.labels["section"],
                       dialog.labels["aichi"], dialog.labels["partner"]):
            assert not widget.isVisible()
        assert dialog.language.isVisible() and dialog.file.isVisible()
    finally:
        runner.shutdown()
        db.close()
