"""Import filled-in fillable PDF forms as new draft records, and show what was read and what was not.

``focalpoint.pdf.import_filled_pdfs`` runs on the DB worker (it saves the drafts); the
report lists, per file, the new draft, every field read (labelled from the form
definition), every value that could not be read and why, and what the draft still lacks.

Before importing, the dialog asks the DB worker which files were imported before
(``focalpoint.pdf.importer.previous_imports``: the same file, by its SHA-256). If any
were, a :class:`DuplicateChoiceDialog` lists them, each with the record it became and a
choice: *Update* that record with the form's values (a new local edit) or *Skip* the
file (the default). UI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize, ngettext
from focalpoint.ui.review.labels import schema_label
from focalpoint.ui.review.record_view import alive

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner

ERROR_COLOUR = "#a4262c"
WARNING_COLOUR = "#6b4e16"


UPDATE, SKIP = "update", "skip"


def run_import(db: Database, paths: list[Path], actor: str | None = None,
               choices: dict[Path, str] | None = None) -> Any:
    """Read the PDFs and save the drafts (``choices``: update or skip, per file imported before). DB worker."""
    from focalpoint.pdf import import_filled_pdfs

    on_duplicate: dict[Path | str, str] = {path: choice for path, choice in (choices or {}).items()}
    return import_filled_pdfs(db, paths, actor=actor, on_duplicate=on_duplicate)


def find_previous(db: Database, paths: list[Path]) -> list[Any]:
    """The files imported before, with the record each became. DB worker."""
    from focalpoint.pdf.importer import previous_imports

    return previous_imports(db, paths)


class DuplicateChoiceDialog(QDialog):
    """For each file imported before: update its record with the form's values, or skip the file."""

    def __init__(self, previous: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateChoiceDialog")
        self.previous = list(previous)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        rows = QWidget(self)
        grid = QGridLayout(rows)
        self.labels: list[QLabel] = []
        self.update_buttons: list[QRadioButton] = []
        self.skip_buttons: list[QRadioButton] = []
        self._groups: list[QButtonGroup] = []
        for i, _item in enumerate(self.previous):
            label = QLabel(rows)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            update = QRadioButton(rows)
            update.setObjectName(f"update{i}")
            skip = QRadioButton(rows)
            skip.setObjectName(f"skip{i}")
            skip.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(update)
            group.addButton(skip)
            grid.addWidget(label, i, 0)
            grid.addWidget(update, i, 1)
            grid.addWidget(skip, i, 2)
            grid.setColumnStretch(0, 1)
            self.labels.append(label)
            self.update_buttons.append(update)
            self.skip_buttons.append(skip)
            self._groups.append(group)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(rows)
        self.update_all_button = QPushButton(self)
        self.skip_all_button = QPushButton(self)
        self.continue_button = QPushButton(self)
        self.continue_button.setObjectName("continueImport")
        self.continue_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.update_all_button.clicked.connect(lambda: self.set_all(UPDATE))
        self.skip_all_button.clicked.connect(lambda: self.set_all(SKIP))
        self.continue_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.update_all_button)
        buttons.addWidget(self.skip_all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(720, 360)
        self.retranslate()

    def set_choice(self, path: Path | str, choice: str) -> None:
        for i, item in enumerate(self.previous):
            if item.path == Path(path):
                (self.update_buttons[i] if choice == UPDATE else self.skip_buttons[i]).setChecked(True)

    def set_all(self, choice: str) -> None:
        for item in self.previous:
            self.set_choice(item.path, choice)

    def choices(self) -> dict[Path, str]:
        """Update or skip, for each file imported before."""
        return {item.path: UPDATE if self.update_buttons[i].isChecked() else SKIP
                for i, item in enumerate(self.previous)}

    def retranslate(self) -> None:
        self.setWindowTitle(_("Forms imported before"))
        self.intro.setText(ngettext(
            "This file was imported before. Update its record with the form's values (a new local edit), "
            "or skip it?",
            "These files were imported before. For each one, update its record with the form's values (a new "
            "local edit), or skip it?", len(self.previous)))
        lang = get_language()
        for i, item in enumerate(self.previous):
            title = localize(item.title, lang) or item.identifier
            self.labels[i].setText(_("{file}: already imported as {type} “{title}” ({identifier})").format(
                file=item.path.name, type=schema_label(item.schema), title=title, identifier=item.identifier))
            self.labels[i].setToolTip(str(item.path))
            self.update_buttons[i].setText(_("Update the record"))
            self.skip_buttons[i].setText(_("Skip this file"))
        self.update_all_button.setText(_("Update all"))
        self.skip_all_button.setText(_("Skip all"))
        self.continue_button.setText(_("&Continue"))
        self.cancel_button.setText(_("Cancel"))


def _field_name(schema: str | None, path: str) -> str:
    from focalpoint.forms import field_label

    try:
        return field_label(schema, path, get_language())
    except Exception:  # noqa: BLE001 — an odd path is shown as it is
        return path


def _value_text(schema: str | None, path: str, value: Any) -> str:
    from focalpoint.ui.review.values import path_value_text

    form = None
    if schema:
        try:
            from focalpoint.forms import load_form

            form = load_form(schema)
        except KeyError:
            form = None
    try:
        return path_value_text(form, path, value, get_language()).replace("\n", " · ")
    except Exception:  # noqa: BLE001
        return str(value)


class ImportPdfDialog(QDialog):
    """Pick filled PDFs, import them, read the report."""

    imported = Signal(list)  # identifiers of the records made (new drafts) or updated from the forms

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None, *,
                 actor: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPdfDialog")
        self.db = db
        self.runner = runner
        self.actor = actor
        self.busy = False
        self.report: Any = None
        self.duplicates: DuplicateChoiceDialog | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.files = QListWidget(self)
        self.files.setObjectName("importFiles")
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        self.import_button = QPushButton(self)
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        self.close_button = QPushButton(self)
        self.add_button.clicked.connect(self._add_files)
        self.remove_button.clicked.connect(self._remove_selected)
        self.import_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.accept)
        self.files.itemSelectionChanged.connect(self._update)
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("importReport")
        self.tree.setColumnCount(3)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.header().resizeSection(0, 280)
        self.tree.header().resizeSection(1, 260)

        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch(1)
        top = QWidget(self)
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.files, 1)
        top_layout.addLayout(file_buttons)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.summary)
        bottom_layout.addWidget(self.tree, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(900, 620)
        self.retranslate()
        self._update()

    # ------------------------------------------------------------ files

    def add_files(self, paths: Sequence[Path | str]) -> None:
        known = set(self.paths())
        for path in paths:
            path = Path(path)
            if path not in known:
                self.files.addItem(str(path))
                known.add(path)
        self._update()

    def paths(self) -> list[Path]:
        return [Path(self.files.item(r).text()) for r in range(self.files.count())]

    def _add_files(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileNames(self, _("Filled PDF forms to import"), "",
                                                       _("PDF forms (*.pdf)"))
        if chosen:
            self.add_files(chosen)

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._update()

    def _update(self) -> None:
        self.import_button.setEnabled(self.files.count() > 0 and not self.busy)
        self.add_button.setEnabled(not self.busy)
        self.remove_button.setEnabled(bool(self.files.selectedItems()) and not self.busy)
        self.close_button.setEnabled(not self.busy)

    # ------------------------------------------------------------ import

    def start(self) -> None:
        if not self.import_button.isEnabled():
            return
        self.busy = True
        self._update()
        self.summary.setText(_("Reading the forms…"))
        paths = self.paths()
        self.runner.run_db(find_previous, self.db, paths, on_done=lambda found: self._ask(paths, found),
                           on_error=self._failed)

    def _ask(self, paths: list[Path], found: list[Any]) -> None:
        """Ask what to do with the files imported before (if any), then import."""
        if not alive(self):
            return
        if not found:
            self._import(paths, {})
            return
        dialog = DuplicateChoiceDialog(found, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.duplicates = dialog
        dialog.accepted.connect(lambda: self._import(paths, dialog.choices()))
        dialog.rejected.connect(self._cancelled)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _cancelled(self) -> None:
        self.duplicates = None
        if not alive(self):
            return
        self.busy = False
        self._update()
        self.summary.setText(_("Nothing was imported."))

    def _import(self, paths: list[Path], choices: dict[Path, str]) -> None:
        self.duplicates = None
        if not alive(self):
            return
        self.summary.setText(_("Reading the forms…"))
        self.runner.run_db(run_import, self.db, paths, self.actor, choices, on_done=self._show,
                           on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.busy = False
        self._update()
        self.summary.setText(_("The import failed: {error}").format(error=exc))

    def _show(self, report: Any) -> None:
        if not alive(self):
            return
        self.busy = False
        self.report = report
        self.files.clear()
        self._fill_report()
        self._update()
        self.imported.emit(list(report.imported))

    def _fill_report(self) -> None:
        report = self.report
        self.tree.clear()
        if report is None:
            return
        made = len(report.created)
        updated = len(report.updated)
        skipped = len(report.skipped)
        failed = len(report.files) - made - updated - skipped
        parts = [ngettext("{n} new draft made.", "{n} new drafts made.", made).format(n=made)]
        if updated:
            parts.append(ngettext("{n} record updated.", "{n} records updated.", updated).format(n=updated))
        if skipped:
            parts.append(ngettext("{n} file imported before was skipped.", "{n} files imported before were "
                                  "skipped.", skipped).format(n=skipped))
        if failed:
            parts.append(ngettext("{n} file not imported.", "{n} files not imported.", failed).format(n=failed))
        self.summary.setText(" ".join(parts))
        red, brown = QBrush(QColor(ERROR_COLOUR)), QBrush(QColor(WARNING_COLOUR))
        for f in report.files:
            top = QTreeWidgetItem(self.tree)
            top.setText(0, f.path.name)
            top.setToolTip(0, str(f.path))
            if f.error:
                top.setText(1, _("not imported"))
                top.setText(2, f.error)
                top.setForeground(1, red)
                top.setForeground(2, red)
                continue
            if f.action == "skipped":
                top.setText(1, _("skipped: imported before"))
                top.setText(2, _("record {identifier}").format(identifier=f.identifier or ""))
                continue
            if f.action == "updated":
                top.setText(1, _("record updated: {type}").format(type=schema_label(f.schema or "")))
            else:
                top.setText(1, _("new draft: {type}").format(type=schema_label(f.schema or "")))
            top.setText(2, f.identifier or "")
            if f.read:
                group = QTreeWidgetItem(top, [ngettext("{n} field read", "{n} fields read", len(f.read)).format(
                    n=len(f.read))])
                for item in f.read:
                    QTreeWidgetItem(group, [_field_name(f.schema, item.path),
                                            _value_text(f.schema, item.path, item.value), item.field])
            if f.not_read:
                group = QTreeWidgetItem(top, [ngettext("{n} value not read", "{n} values not read",
                                                       len(f.not_read)).format(n=len(f.not_read))])
                group.setForeground(0, red)
                group.setExpanded(True)
                for item in f.not_read:
                    child = QTreeWidgetItem(group, [item.field, item.value, item.reason])
                    child.setForeground(2, red)
            if f.problems:
                group = QTreeWidgetItem(top, [ngettext("{n} thing to complete in the draft",
                                                       "{n} things to complete in the draft",
                                                       len(f.problems)).format(n=len(f.problems))])
                group.setForeground(0, brown)
                group.setExpanded(True)
                for problem in f.problems:
                    QTreeWidgetItem(group, ["", "", problem])
            top.setExpanded(True)

    def report_lines(self) -> list[str]:
        """Every line of the report tree, depth first (tests, copying)."""
        lines: list[str] = []

        def walk(item: QTreeWidgetItem | None, depth: int) -> None:
            if item is None:  # Qt's answer for an index out of range; the indices here are all in range
                return
            lines.append("  " * depth + " | ".join(t for t in (item.text(0), item.text(1), item.text(2)) if t))
            for i in range(item.childCount()):
                walk(item.child(i), depth + 1)

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i), 0)
        return lines

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import filled PDF forms"))
        self.intro.setText(_("Choose fillable PDF forms that were filled in on screen (printed with “Fillable "
                             "PDF”). Each becomes a new draft record; the report says what was read and what "
                             "was not.") + " " + _("A form imported before is recognised: you choose whether "
                                                   "it updates its record or is skipped."))
        self.add_button.setText(_("&Add files…"))
        self.remove_button.setText(_("&Remove"))
        self.import_button.setText(_("&Import"))
        self.close_button.setText(_("Close"))
        self.tree.setHeaderLabels([_("File / field"), _("Value"), _("Details")])
        if self.duplicates is not None and alive(self.duplicates):
            self.duplicates.retranslate()
        self._fill_report()
