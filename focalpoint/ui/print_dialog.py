"""Print blank forms to PDF (issue 7): which forms, which languages, paper, copies, fillable or not.

One language, several (each printed in turn, in one PDF or one PDF per language), or two
side by side ("bilingual": labels in both). A fillable PDF holds one form, so fillable
printing writes one file per form (and per language). ``focalpoint.pdf.print_batch`` runs
on a thread of its own — printing needs no database and must not hold up saves or sync —
and reports progress after each form; Cancel stops it between forms, and no half-written
PDF is ever left (print_batch writes through a temporary file). UI thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from focalpoint.i18n import LANGUAGES, NATIVE_NAMES, _, get_language, language_name
from focalpoint.ui.review.labels import schema_label
from focalpoint.ui.widgets import set_ticked

PrintFn = Callable[..., list[Path]]
QA_SCHEMAS = ("qaRecordReview", "qaQualityStandard")


def printable_schemas() -> tuple[str, ...]:
    """Every form, the two quality-assurance checklists last."""
    from focalpoint.forms import schemas

    names = tuple(schemas())
    return tuple(s for s in names if s not in QA_SCHEMAS) + tuple(s for s in QA_SCHEMAS if s in names)


def _default_print_fn() -> PrintFn:
    from focalpoint.pdf import print_batch

    return print_batch


class _Bridge(QObject):
    """Carries the printing thread's news to the UI thread (queued signals)."""

    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)


class PrintDialog(QDialog):
    """Choose forms and options, print on a background thread, follow its progress."""

    printed = Signal(list)  # paths written (possibly fewer when cancelled)

    def __init__(self, parent: QWidget | None = None, *, output_dir: Path | None = None,
                 print_fn: PrintFn | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printDialog")
        self.print_fn = print_fn
        self.cancel_event: threading.Event | None = None
        self.print_thread: threading.Thread | None = None
        self.written: list[Path] = []
        self.cancelled = False
        self._lang_order: list[str] = []
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._progress)
        self._bridge.done.connect(self._done)
        self._bridge.failed.connect(self._failed)

        # forms
        self.forms_box = QGroupBox(self)
        self.forms = QListWidget(self.forms_box)
        self.forms.setObjectName("printForms")
        # long names (the quality standard's) wrap instead of hiding behind a scroll bar
        self.forms.setWordWrap(True)
        self.forms.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.forms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.forms.setResizeMode(QListView.ResizeMode.Adjust)
        self.forms.setSpacing(2)
        for schema in printable_schemas():
            item = QListWidgetItem(self.forms)
            item.setData(Qt.ItemDataRole.UserRole, schema)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.forms.itemChanged.connect(lambda _i: self._update())
        self.all_forms = QPushButton(self.forms_box)
        self.no_forms = QPushButton(self.forms_box)
        self.all_forms.clicked.connect(lambda: self._check_all_forms(True))
        self.no_forms.clicked.connect(lambda: self._check_all_forms(False))
        forms_buttons = QHBoxLayout()
        forms_buttons.addWidget(self.all_forms)
        forms_buttons.addWidget(self.no_forms)
        forms_buttons.addStretch(1)
        forms_layout = QVBoxLayout(self.forms_box)
        forms_layout.addWidget(self.forms)
        forms_layout.addLayout(forms_buttons)

        # languages
        self.languages_box = QGroupBox(self)
        self.language_checks: dict[str, QCheckBox] = {}
        lang_grid = QGridLayout(self.languages_box)
        for i, code in enumerate(LANGUAGES):
            box = QCheckBox(self.languages_box)
            box.setObjectName(f"printLang_{code}")
            box.toggled.connect(lambda on, c=code: self._language_toggled(c, on))
            self.language_checks[code] = box
            lang_grid.addWidget(box, i // 2, i % 2)
        self.bilingual = QCheckBox(self.languages_box)
        self.bilingual.setObjectName("printBilingual")
        self.bilingual.toggled.connect(lambda _on: self._update())
        lang_grid.addWidget(self.bilingual, 3, 0, 1, 2)
        self.one_file = QRadioButton(self.languages_box)
        self.per_language = QRadioButton(self.languages_box)
        self.one_file.setChecked(True)
        self.files_group = QButtonGroup(self)
        self.files_group.addButton(self.one_file)
        self.files_group.addButton(self.per_language)
        lang_grid.addWidget(self.one_file, 4, 0)
        lang_grid.addWidget(self.per_language, 4, 1)

        # options
        self.options_box = QGroupBox(self)
        self.paper = QComboBox(self.options_box)
        self.paper.setObjectName("printPaper")
        self.copies = QSpinBox(self.options_box)
        self.copies.setObjectName("printCopies")
        self.copies.setRange(1, 100)
        self.fillable = QCheckBox(self.options_box)
        self.fillable.setObjectName("printFillable")
        self.fillable.toggled.connect(lambda _on: self._update())
        self.folder = QLineEdit(self.options_box)
        self.folder.setObjectName("printFolder")
        self.folder.setText(str(output_dir or Path.home()))
        self.folder.textChanged.connect(lambda _t: self._update())
        self.choose_folder = QPushButton(self.options_box)
        self.choose_folder.clicked.connect(self._choose_folder)
        self.file_name = QLineEdit(self.options_box)
        self.file_name.setObjectName("printFileName")
        self.file_name.setText("focalpoint-forms")
        self.file_name.textChanged.connect(lambda _t: self._update())
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder)
        self.options = QFormLayout(self.options_box)
        self.paper_label, self.copies_label = QLabel(self), QLabel(self)
        self.folder_label, self.file_label = QLabel(self), QLabel(self)
        self.paper_label.setBuddy(self.paper)
        self.copies_label.setBuddy(self.copies)
        self.folder_label.setBuddy(self.folder)
        self.file_label.setBuddy(self.file_name)
        self.options.addRow(self.paper_label, self.paper)
        self.options.addRow(self.copies_label, self.copies)
        self.options.addRow(self.fillable)
        self.options.addRow(self.folder_label, folder_row)
        self.options.addRow(self.file_label, self.file_name)

        # progress and buttons
        self.progress = QProgressBar(self)
        self.progress.setObjectName("printProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setObjectName("printStatus")
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelPrintButton")
        self.open_folder_button = QPushButton(self)
        self.open_folder_button.setVisible(False)
        self.close_button = QPushButton(self)
        self.print_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        columns = QHBoxLayout()
        columns.addWidget(self.forms_box, 1)
        right = QVBoxLayout()
        right.addWidget(self.languages_box)
        right.addWidget(self.options_box)
        right.addStretch(1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        current = get_language()
        self.language_checks[current].setChecked(True)
        self.resize(900, 560)
        self.retranslate()
        self._update()

    # ------------------------------------------------------------ choices

    @property
    def running(self) -> bool:
        return self.print_thread is not None and self.print_thread.is_alive()

    def _check_all_forms(self, on: bool) -> None:
        for row in range(self.forms.count()):
            self.forms.item(row).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_forms(self, schemas: Sequence[str]) -> None:
        for row in range(self.forms.count()):
            item = self.forms.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in schemas
                               else Qt.CheckState.Unchecked)

    def set_languages(self, languages: Sequence[str]) -> None:
        """Tick exactly ``languages``, in this order (the first is the main one when bilingual)."""
        for box in self.language_checks.values():
            box.setChecked(False)
        for code in languages:
            self.language_checks[code].setChecked(True)

    def _language_toggled(self, code: str, on: bool) -> None:
        set_ticked(self._lang_order, code, on)
        self._update()

    def selected_forms(self) -> list[str]:
        return [self.forms.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.forms.count())
                if self.forms.item(r).checkState() == Qt.CheckState.Checked]

    def selected_languages(self) -> list[str]:
        return list(self._lang_order)

    def jobs(self) -> list[Any]:
        """The print jobs the current choices describe (``focalpoint.pdf.BatchJob``)."""
        from focalpoint.pdf import BatchJob

        schemas, languages = self.selected_forms(), self.selected_languages()
        if not schemas or not languages:
            return []
        lang2 = None
        if self.bilingual.isEnabled() and self.bilingual.isChecked():
            languages, lang2 = languages[:1], languages[1]
        folder = Path(self.folder.text().strip()).expanduser()
        stem = self.file_name.text().strip() or "focalpoint-forms"
        paper = self.paper.currentData() or "a4"
        if self.fillable.isChecked():
            return [BatchJob(schemas=[schema], languages=languages, lang2=lang2, paper=paper, fillable=True,
                             output=folder / f"{stem}-{schema}.pdf") for schema in schemas]
        return [BatchJob(schemas=schemas, languages=languages, lang2=lang2, paper=paper, copies=self.copies.value(),
                         per_language=self.per_language.isEnabled() and self.per_language.isChecked(),
                         output=folder / f"{stem}.pdf")]

    def _update(self) -> None:
        running = self.running
        languages = self.selected_languages()
        self.bilingual.setEnabled(len(languages) == 2 and not running)
        bilingual = self.bilingual.isEnabled() and self.bilingual.isChecked()
        several = len(languages) > 1 and not bilingual
        self.one_file.setEnabled(several and not self.fillable.isChecked() and not running)
        self.per_language.setEnabled(several and not self.fillable.isChecked() and not running)
        self.copies.setEnabled(not self.fillable.isChecked() and not running)
        for widget in (self.forms_box, self.paper, self.fillable, self.folder, self.choose_folder, self.file_name):
            widget.setEnabled(not running)
        for box in self.language_checks.values():
            box.setEnabled(not running)
        folder_ok = bool(self.folder.text().strip()) and Path(self.folder.text().strip()).expanduser().is_dir()
        ready = bool(self.selected_forms()) and bool(languages) and folder_ok
        self.print_button.setEnabled(ready and not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        if not running and not folder_ok and self.folder.text().strip():
            self.status.setText(_("The output folder does not exist."))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Where to save the PDF files"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    # ------------------------------------------------------------ printing

    def start(self) -> None:
        """Print on a background thread."""
        if self.running or not self.print_button.isEnabled():
            return
        try:
            jobs = self.jobs()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        print_fn = self.print_fn or _default_print_fn()
        self.written, self.cancelled = [], False
        self.cancel_event = threading.Event()
        cancel = self.cancel_event
        bridge = self._bridge
        self.progress.setRange(0, 0)  # busy until the first form is done
        self.status.setText(_("Printing…"))
        self.open_folder_button.setVisible(False)

        def run() -> None:
            try:
                written = print_fn(jobs, progress=lambda d, t, what: bridge.progress.emit(d, t, what),
                                   cancel=cancel.is_set)
            except BaseException as exc:  # noqa: BLE001 — shown to the person
                bridge.failed.emit(exc)
                return
            bridge.done.emit(list(written))

        self.print_thread = threading.Thread(target=run, name="focalpoint-print", daemon=True)
        self.print_thread.start()
        self._update()

    def cancel(self) -> None:
        """Stop after the form being printed (nothing half-written is left)."""
        if self.cancel_event is not None and self.running:
            self.cancel_event.set()
            self.cancelled = True
            self.status.setText(_("Stopping after the current form…"))
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        schema, _sep, rest = what.partition(" (")
        self.status.setText(_("Printed {done} of {total}: {form}").format(
            done=done, total=total, form=schema_label(schema) + (f" ({rest}" if rest else "")))

    def _finish(self) -> None:
        if self.print_thread is not None:
            self.print_thread.join(timeout=5)
        self.print_thread = None
        self._update()

    def _done(self, written: list[Path]) -> None:
        self.written = [Path(p) for p in written]
        self._finish()
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if not self.cancelled else 0)
        if self.cancelled:
            self.status.setText(_("Cancelled. Files finished before the cancel: {n}.").format(n=len(self.written)))
        else:
            self.status.setText(_("Done: {files}").format(files=", ".join(p.name for p in self.written)))
        self.open_folder_button.setVisible(bool(self.written))
        self.printed.emit(self.written)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(_("Printing failed: {error}").format(error=exc))

    def _open_folder(self) -> None:
        if self.written:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written[0].parent)))

    def reject(self) -> None:  # Esc or Close: stop a running print first
        if self.running:
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        lang = get_language()
        self.setWindowTitle(_("Print forms"))
        self.forms_box.setTitle(_("Forms"))
        for row in range(self.forms.count()):
            item = self.forms.item(row)
            item.setText(schema_label(item.data(Qt.ItemDataRole.UserRole), lang))
        self.all_forms.setText(_("Select &all"))
        self.no_forms.setText(_("Select &none"))
        self.languages_box.setTitle(_("Languages"))
        for code, box in self.language_checks.items():
            native = NATIVE_NAMES[code]
            name = language_name(code, lang)
            box.setText(native if name == native else f"{name} — {native}")
        self.bilingual.setText(_("Bilingual: two languages on the same form"))
        self.one_file.setText(_("One PDF file"))
        self.per_language.setText(_("One PDF file per language"))
        self.options_box.setTitle(_("Options"))
        current = self.paper.currentData()
        self.paper.clear()
        self.paper.addItem(_("A4"), "a4")
        self.paper.addItem(_("US Letter"), "letter")
        self.paper.setCurrentIndex(max(0, self.paper.findData(current or "a4")))
        self.paper_label.setText(_("&Paper size:"))
        self.copies_label.setText(_("C&opies:"))
        self.fillable.setText(_("&Fillable PDF (can be filled in on screen and imported back)"))
        self.folder_label.setText(_("Output &folder:"))
        self.file_label.setText(_("File &name:"))
        self.choose_folder.setText(_("C&hoose…"))
        self.print_button.setText(_("&Print"))
        self.cancel_button.setText(_("&Cancel printing"))
        self.close_button.setText(_("Close"))
        self.open_folder_button.setText(_("Open the &folder"))
        if not self.status.text():
            self.status.setText(_("Choose forms and languages, then Print."))
