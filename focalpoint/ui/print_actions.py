"""File > Print forms… (Ctrl+P), Print the action plan… and Import filled PDF forms….

Built by ``MainWindow`` with its dependencies passed in; the dialogs it opens stay alive while
open and follow a language switch. UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from focalpoint.db import Database
from focalpoint.i18n import _, ngettext
from focalpoint.ui.import_pdf_dialog import ImportPdfDialog
from focalpoint.ui.print_dialog import PrintDialog
from focalpoint.ui.print_records import BOOKLET, PrintRecordsDialog
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import KeptWindows, menu_action


class PrintActions(QObject):
    """The printing and PDF import actions of the File menu; see the module docstring."""

    def __init__(self, db: Database, runner: TaskRunner, window: QWidget, *, plan_folder: Path | None,
                 records_changed: Callable[[], None], status: Callable[[str], None]) -> None:
        super().__init__(window)
        self.db = db
        self.runner = runner
        self.window = window
        self.plan_folder = plan_folder
        self._records_changed = records_changed
        self._status = status
        self.dialogs = KeptWindows()
        self.print_action = menu_action(window, self.open_print_dialog, "printFormsAction",
                                        QKeySequence.StandardKey.Print)
        self.print_plan_action = menu_action(window, self.open_plan_print_dialog, "printPlanAction")
        self.import_action = menu_action(window, self.open_import_dialog, "importPdfAction")

    def menu_actions(self) -> list[QAction]:
        """The three actions, in menu order."""
        return [self.print_action, self.print_plan_action, self.import_action]

    def open_print_dialog(self) -> PrintDialog:
        """File > Print forms…: blank and filled forms as PDF."""
        dialog = self.dialogs.keep(PrintDialog(self.window))
        dialog.show()
        return dialog

    def open_plan_print_dialog(self) -> PrintRecordsDialog:
        """File > Print the action plan…: the booklet."""
        dialog = self.dialogs.keep(PrintRecordsDialog(self.db, self.runner, BOOKLET, parent=self.window,
                                                      plan_folder=self.plan_folder))
        dialog.show()
        return dialog

    def open_import_dialog(self) -> ImportPdfDialog:
        """File > Import filled PDF forms…."""
        dialog = self.dialogs.keep(ImportPdfDialog(self.db, self.runner, self.window))
        dialog.imported.connect(self._imported)
        dialog.show()
        return dialog

    def _imported(self, identifiers: list[str]) -> None:
        if identifiers:
            self._status(ngettext("{n} record created or updated from PDF forms.",
                                  "{n} records created or updated from PDF forms.",
                                  len(identifiers)).format(n=len(identifiers)))
            self._records_changed()

    def retranslate(self) -> None:
        self.print_action.setText(_("&Print forms…"))
        self.print_plan_action.setText(_("Print the &action plan…"))
        self.import_action.setText(_("&Import filled PDF forms…"))
        self.dialogs.retranslate()
