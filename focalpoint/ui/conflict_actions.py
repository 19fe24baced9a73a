"""Sync > Resolve conflicts… and Sync > Changes waiting for you….

Built by ``MainWindow`` with its dependencies passed in. Counts the records in conflict and the
changes that could not be sent (DB worker) after start-up, each sync and each decision; opens the
conflict dialog (the selected record when it is in conflict, else one chosen from the list) and
the one list of waiting changes. UI thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QWidget

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize, ngettext
from focalpoint.sync.status import failed_changes
from focalpoint.ui.conflict_dialog import ConflictDialog, records_in_conflict
from focalpoint.ui.failed_dialog import FailedChangesDialog
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import KeptWindows, error_text, menu_action

log = logging.getLogger(__name__)


class ConflictActions(QObject):
    """The conflict and waiting-change actions of the Sync menu; see the module docstring."""

    def __init__(self, db: Database, runner: TaskRunner, window: QWidget, *,
                 selected_record: Callable[[], str | None], show_request: Callable[[str], Any],
                 records_changed: Callable[[], None], status: Callable[[str], None]) -> None:
        super().__init__(window)
        self.db = db
        self.runner = runner
        self.window = window
        self._selected_record = selected_record
        self._show_request = show_request
        self._records_changed = records_changed
        self._status = status
        self.conflicts: list[tuple[str, dict[str, str]]] = []
        self.failed: list[dict[str, Any]] = []
        self.failed_dialog: FailedChangesDialog | None = None
        self.dialogs = KeptWindows()
        self.conflicts_action = menu_action(window, self.resolve_conflicts, "resolveConflictsAction")
        self.failed_action = menu_action(window, self.open_failed_changes, "failedChangesAction")

    # ------------------------------------------------------------ counts

    def refresh(self) -> None:
        """Count the records in conflict and the changes waiting for the person (DB worker)."""
        self.runner.run_db(records_in_conflict, self.db, on_done=self._got_conflicts, on_error=self._count_failed)
        self.runner.run_db(failed_changes, self.db, on_done=self._got_failed, on_error=self._count_failed)

    def _count_failed(self, exc: BaseException) -> None:
        log.error("counting conflicts and waiting changes failed", exc_info=exc)
        self._status(_("The conflicts could not be counted: {error}").format(error=error_text(exc)))

    def _got_conflicts(self, conflicts: list[tuple[str, dict[str, str]]]) -> None:
        self.conflicts = conflicts
        self._label_conflicts()

    def _got_failed(self, items: list[dict[str, Any]]) -> None:
        self.failed = items
        self._label_failed()

    def after_sync(self) -> None:
        """A sync ended: count again, and re-read the open list of waiting changes."""
        self.refresh()
        if self.failed_dialog is not None:
            self.failed_dialog.load()

    # ------------------------------------------------------------ conflicts

    def resolve_conflicts(self) -> ConflictDialog | None:
        """Open the conflict dialog: the selected record when in conflict, else one chosen from the list."""
        known = {ident for ident, _title in self.conflicts}
        selected = self._selected_record()
        if selected is not None and selected in known:
            return self.open_conflict(selected)
        if not self.conflicts:
            self._status(_("No record is in conflict."))
            return None
        if len(self.conflicts) == 1:
            return self.open_conflict(self.conflicts[0][0])
        lang = get_language()
        names = [f"{localize(title, lang) or ident} ({ident})" for ident, title in self.conflicts]
        choice, ok = QInputDialog.getItem(self.window, _("Resolve conflicts"), _("Which record?"), names, 0, False)
        if not ok:
            return None
        return self.open_conflict(self.conflicts[names.index(choice)][0])

    def open_conflict(self, identifier: str) -> ConflictDialog:
        """The conflict dialog of one record."""
        dialog = self.dialogs.keep(ConflictDialog(self.db, self.runner, identifier, self.window))
        dialog.resolved.connect(self._resolved)
        dialog.load()
        dialog.show()
        return dialog

    def _resolved(self, _identifier: str) -> None:
        self._status(_("Conflict resolved; the result will be sent at the next sync."))
        self.refresh()
        self._records_changed()

    # ------------------------------------------------------------ changes waiting for the person

    def open_failed_changes(self) -> FailedChangesDialog:
        """The list of changes that could not be sent (the open one when there is)."""
        dialog = self.failed_dialog
        if dialog is None:
            dialog = self.dialogs.keep(FailedChangesDialog(self.db, self.runner, self.window))
            dialog.changed.connect(self._failed_changed)
            dialog.open_request.connect(self._show_request)
            dialog.destroyed.connect(self._failed_dialog_closed)
            self.failed_dialog = dialog
        dialog.load()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _failed_dialog_closed(self, *_a: Any) -> None:
        self.failed_dialog = None

    def _failed_changed(self, _identifier: str) -> None:
        self.refresh()
        self._records_changed()

    # ------------------------------------------------------------ language

    def _label_conflicts(self) -> None:
        n = len(self.conflicts)
        self.conflicts_action.setText(ngettext("&Resolve a conflict ({n})…", "&Resolve conflicts ({n})…", n)
                                      .format(n=n) if n else _("&Resolve conflicts…"))
        self.conflicts_action.setEnabled(n > 0)

    def _label_failed(self) -> None:
        n = len(self.failed)
        self.failed_action.setText(ngettext("&Change waiting for you ({n})…", "&Changes waiting for you ({n})…", n)
                                   .format(n=n) if n else _("&Changes waiting for you…"))
        self.failed_action.setEnabled(True)

    def retranslate(self) -> None:
        self._label_conflicts()
        self._label_failed()
        self.dialogs.retranslate()
