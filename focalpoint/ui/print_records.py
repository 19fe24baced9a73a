"""Print filled records and the action-plan booklet, to a PDF file or to a printer (issue 16).

Records: one record, or several selected in the Records list — one PDF, each record's
report (``focalpoint.pdf.record_report_pdf``) one after the other. Booklet: the action
plan (``focalpoint.pdf.booklet_pdf``), filtered by section, Aichi Target and partner like
``focalpoint print --catalogue``. The PDF is made on the database worker (``runner.run_db``),
never on the UI thread, and written through a temporary file (``write_atomic``).

To a printer: the person chooses one in a QPrintDialog, the PDF is made into a temporary
file, and its pages are rendered with ``QPdfDocument`` (PySide6.QtPdf, from PySide6-Addons)
onto the QPrinter. Without QtPdf the dialog says so and offers PDF files only. UI thread only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from focalpoint.i18n import LANGUAGES, _, get_language, language_name, localize, ngettext
from focalpoint.ui.widgets import compact_combo

RECORDS, BOOKLET = "records", "booklet"
MAX_RENDER_DPI = 300  # pages are rendered as images: enough for print, bounded in memory


def qtpdf_available() -> bool:
    """Whether PySide6.QtPdf (PySide6-Addons) can be imported here."""
    try:
        from PySide6.QtPdf import QPdfDocument  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------ worker side (no Qt)

def records_pdf(db: Any, identifiers: Sequence[str], lang: str | None, paper: str) -> bytes:
    """The reports of ``identifiers``, one after the other, as one PDF. Database worker only."""
    from focalpoint.pdf import record_report_pdf
    from focalpoint.pdf.batch import _merge

    return _merge([record_report_pdf(db, uid, lang=lang, paper=paper) for uid in identifiers], 1)


def plan_booklet_pdf(plan_folder: Path | None, lang: str, paper: str, section: str | None,
                     aichi: int | None, partner: str | None) -> bytes:
    from focalpoint.catalog import load_plan
    from focalpoint.pdf import BookletFilter, booklet_pdf

    flt = BookletFilter(section=section or None, aichi_target=aichi, partner=partner or None)
    plan = load_plan(plan_folder) if plan_folder is not None else None
    return booklet_pdf(lang=lang, flt=flt, paper=paper, plan=plan)


def _write(path: Path, make: Callable[..., bytes], *args: Any) -> Path:
    from focalpoint.pdf import write_atomic

    return Path(write_atomic(path, make(*args)))


def print_pdf_file(path: Path, printer: QPrinter) -> int:
    """Render every page of the PDF at ``path`` onto ``printer``; returns the pages printed. UI thread."""
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    error = doc.load(str(path))
    if error != QPdfDocument.Error.None_:
        raise OSError(_("Could not read the PDF to print ({error}).").format(error=error.name))
    count = doc.pageCount()
    first, last = 0, count - 1
    if printer.fromPage() > 0:
        first = max(0, printer.fromPage() - 1)
        last = min(count - 1, (printer.toPage() or count) - 1)
    dpi = min(printer.resolution(), MAX_RENDER_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be started."))
    printed = 0
    try:
        for page in range(first, last + 1):
            if printed:
                printer.newPage()
            points = doc.pagePointSize(page)
            image = doc.render(page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72)))
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF(target.x() + (target.width() - w) / 2, target.y(), w, h), image)
            printed += 1
    finally:
        painter.end()
        doc.close()
    return printed


# ------------------------------------------------------------------ the dialog

class PrintRecordsDialog(QDialog):
    """Print records (``mode=RECORDS``) or the action-plan booklet (``mode=BOOKLET``)."""

    printed = Signal(object)  # the PDF written, or the number of pages sent to the printer

    def __init__(self, db: Any, runner: Any, mode: str = RECORDS, identifiers: Sequence[str] = (),
                 titles: Sequence[str] = (), parent: QWidget | None = None, *, plan_folder: Path | None = None,
                 output_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printRecordsDialog")
        self.db, self.runner, self.mode = db, runner, mode
        self.identifiers, self.titles = list(identifiers), list(titles)
        self.plan_folder = plan_folder
        self.printer: QPrinter | None = None  # made on first use; tests may set their own
        self.busy = False
        self.written: Path | None = None
        self.pages_printed = 0
        self.has_qtpdf = qtpdf_available()
        self._tmp: tempfile.TemporaryDirectory | None = None

        self.what = QLabel(self)
        self.what.setWordWrap(True)
        self.language = QComboBox(self)
        self.language.setObjectName("printRecordsLanguage")
        self.paper = QComboBox(self)
        self.paper.setObjectName("printRecordsPaper")
        self.section = QComboBox(self)
        self.section.setObjectName("printPlanSection")
        self.aichi = QComboBox(self)
        self.aichi.setObjectName("printPlanAichi")
        # long section and target titles (Russian, French) would widen the dialog past a laptop's screen:
        # the box shows what fits, its list shows every title whole
        for combo in (self.language, self.section, self.aichi):
            compact_combo(combo, 24)
        self.partner = QLineEdit(self)
        self.partner.setObjectName("printPlanPartner")
        self.file = QLineEdit(self)
        self.file.setObjectName("printRecordsFile")
        stem = "focalpoint-records" if mode == RECORDS else "focalpoint-action-plan"
        self.file.setText(str((output_dir or Path.home()) / f"{stem}.pdf"))
        self.file.textChanged.connect(lambda _t: self._update())
        self.choose = QPushButton(self)
        self.choose.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose)
        self.form = QFormLayout()
        self.labels = {key: QLabel(self) for key in ("language", "paper", "section", "aichi", "partner", "file")}
        self.form.addRow(self.labels["language"], self.language)
        self.form.addRow(self.labels["paper"], self.paper)
        if mode == BOOKLET:
            self.form.addRow(self.labels["section"], self.section)
            self.form.addRow(self.labels["aichi"], self.aichi)
            self.form.addRow(self.labels["partner"], self.partner)
        else:  # the booklet's filters are not in this dialog's layout: never drawn over it
            for key in ("section", "aichi", "partner"):
                self.labels[key].hide()
                getattr(self, key).hide()
        self.form.addRow(self.labels["file"], file_row)
        for key, widget in (("language", self.language), ("paper", self.paper), ("section", self.section),
                            ("aichi", self.aichi), ("partner", self.partner), ("file", self.file)):
            self.labels[key].setBuddy(widget)
        self.status = QLabel(self)
        self.status.setObjectName("printRecordsStatus")
        self.status.setWordWrap(True)
        self.no_printer = QLabel(self)
        self.no_printer.setWordWrap(True)
        self.no_printer.setVisible(not self.has_qtpdf)
        self.pdf_button = QPushButton(self)
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.setDefault(True)
        self.printer_button = QPushButton(self)
        self.printer_button.setObjectName("sendToPrinterButton")
        self.close_button = QPushButton(self)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.printer_button.clicked.connect(self.send_to_printer)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.printer_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addLayout(self.form)
        layout.addWidget(self.no_printer)
        layout.addWidget(self.status, 1)
        layout.addLayout(buttons)
        self.retranslate()
        self._update()

    # ------------------------------------------------------------ choices

    def _update(self) -> None:
        ready = not self.busy and (self.mode == BOOKLET or bool(self.identifiers))
        self.pdf_button.setEnabled(ready and bool(self.file.text().strip()))
        self.printer_button.setEnabled(ready and self.has_qtpdf)
        self.close_button.setEnabled(not self.busy)

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the PDF as"), self.file.text(),
                                                    _("PDF files (*.pdf)"))
        if path:
            self.file.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def _job(self) -> tuple[Any, tuple[Any, ...]]:
        paper = self.paper.currentData() or "a4"
        lang = self.language.currentData()
        if self.mode == RECORDS:
            return records_pdf, (self.db, list(self.identifiers), lang, paper)
        return plan_booklet_pdf, (self.plan_folder, lang or get_language(), paper, self.section.currentData(),
                                  self.aichi.currentData(), self.partner.text().strip())

    def _run(self, path: Path, on_done: Callable[[Path], None]) -> None:
        make, args = self._job()
        self.busy = True
        self.status.setText(_("Making the PDF…"))
        self._update()
        self.runner.run_db(_write, path, make, *args, on_done=on_done, on_error=self._failed)

    # ------------------------------------------------------------ to a PDF file

    def save_pdf(self) -> None:
        if self.busy or not self.pdf_button.isEnabled():
            return
        path = Path(self.file.text().strip()).expanduser()
        if not path.parent.is_dir():
            self.status.setText(_("The folder {folder} does not exist.").format(folder=path.parent))
            return
        self._run(path, self._saved)

    def _saved(self, path: Path) -> None:
        self.busy = False
        self.written = Path(path)
        self.status.setText(_("Saved: {file}").format(file=self.written))
        self._update()
        self.printed.emit(self.written)

    # ------------------------------------------------------------ to a printer

    def send_to_printer(self) -> None:
        if self.busy:
            return
        if not self.has_qtpdf:
            self.status.setText(self.no_printer.text())
            return
        if self.printer is None:
            self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(self.printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="focalpoint-print-")
        self._run(Path(self._tmp.name) / "print.pdf", self._print_file)

    def _print_file(self, path: Path) -> None:
        self.busy = False
        try:
            assert self.printer is not None  # chosen in the print dialog before the file was written
            self.pages_printed = print_pdf_file(Path(path), self.printer)
        except Exception as exc:  # noqa: BLE001 — shown to the person
            self._failed(exc)
            return
        finally:
            self._cleanup()
        self.status.setText(ngettext("Sent {count} page to the printer.", "Sent {count} pages to the printer.",
                                     self.pages_printed).format(count=self.pages_printed))
        self._update()
        self.printed.emit(self.pages_printed)

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._cleanup()
        self.status.setText(_("Printing failed: {error}").format(error=exc))
        self._update()

    def reject(self) -> None:
        if self.busy:  # the PDF is being made: wait for it
            return
        super().reject()

    # ------------------------------------------------------------ language

    def _fill_combo(self, combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = combo.currentData()
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(current)))

    def _sections(self) -> list[tuple[str, str]]:
        try:
            from focalpoint.catalog import load_plan

            plan = load_plan(self.plan_folder) if self.plan_folder is not None else load_plan()
        except Exception:  # noqa: BLE001 — no plan: the letters alone
            return [(code, code) for code in "ABCD"]
        out = []
        for section in plan.get("sections", []):
            title = section.get("title")
            title = localize(title, get_language()) if isinstance(title, dict) else title
            out.append((f"{section['code']} — {title}" if title else section["code"], section["code"]))
        return out

    def retranslate(self) -> None:
        lang = get_language()
        if self.mode == RECORDS:
            self.setWindowTitle(_("Print records"))
            titles = ", ".join(f"“{t}”" for t in self.titles[:5]) + ("…" if len(self.titles) > 5 else "")
            self.what.setText(ngettext("{count} record, printed as a report: {titles}",
                                       "{count} records, one report after the other in one PDF: {titles}",
                                       len(self.identifiers)).format(count=len(self.identifiers), titles=titles)
                              if self.identifiers else _("Select one or more records in the list first."))
            languages = [(_("Each record's own language"), None)]
        else:
            self.setWindowTitle(_("Print the action plan"))
            self.what.setText(_("The short-term action plan as a booklet: all of it, or the activities of a "
                                "section, an Aichi Biodiversity Target or a partner."))
            languages = []
        self._fill_combo(self.language, languages + [(language_name(c, lang), c) for c in LANGUAGES])
        if self.mode == BOOKLET and self.language.currentData() is None:
            self.language.setCurrentIndex(max(0, self.language.findData(lang)))
        self._fill_combo(self.paper, [(_("A4"), "a4"), (_("US Letter"), "letter")])
        if self.mode == BOOKLET:
            self._fill_combo(self.section, [(_("All sections"), None)] + self._sections())
            self._fill_combo(self.aichi, [(_("All Aichi Targets"), None)] + [
                (_("Aichi Target {n}").format(n=n), n) for n in range(1, 21)])
            self.partner.setPlaceholderText(_("Any partner (or an abbreviation such as UNDP)"))
        self.labels["language"].setText(_("&Language:"))
        self.labels["paper"].setText(_("&Paper size:"))
        self.labels["section"].setText(_("&Section:"))
        self.labels["aichi"].setText(_("&Aichi Target:"))
        self.labels["partner"].setText(_("Pa&rtner:"))
        self.labels["file"].setText(_("PDF &file:"))
        self.choose.setText(_("C&hoose…"))
        self.no_printer.setText(_("Printing straight to a printer needs the Qt PDF module (PySide6-Addons), which "
                                  "is not installed here. Save a PDF and print it from a PDF reader."))
        self.pdf_button.setText(_("&Save as PDF"))
        self.printer_button.setText(_("Send to a &printer…"))
        self.close_button.setText(_("Close"))
