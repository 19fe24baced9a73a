"""Review, dashboard, printing, PDF import, sign-in and conflicts, added to the main window.

``install(main_window)`` adds, using only the window's public attributes (``db``,
``runner``, ``tabs``, ``menuBar()``, ``file_menu``, ``quit_action``, ``sync_menu``,
``help_menu``, ``sync``, ``records``, ``language``, ``open_record``, ``refresh_counts``,
``statusBar()``):

- a "Review" tab (pending publication requests) and a "Dashboard" tab;
- a "Review" menu: review queue (Ctrl+3), dashboard (Ctrl+4), history of the selected record;
- "File > Print forms…" (Ctrl+P) and "File > Import filled PDF forms…";
- "Sync > Resolve conflicts…" (the selected record when it is in conflict, else a choice
  among those that are), "Sync > Changes waiting for you…" (changes that could not be sent:
  try again, discard, or open the request a decision was about), and "Sync > Sign in…" unless
  the sync controller has its own.

The main window calls it once, at the end of its constructor. UI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu, QWidget

from focalpoint import i18n
from focalpoint.i18n import _, get_language, localize, ngettext

EXTENSION_NAME = "focalpointReviewExtension"
STATUS_MS = 10000


def install(main_window: QMainWindow) -> None:
    """Add the review, dashboard, printing, import, sign-in and conflict features to ``main_window``."""
    if extension_of(main_window) is None:
        ReviewExtension(main_window)


def extension_of(main_window: QMainWindow) -> ReviewExtension | None:
    """The features ``install`` added to a window (tests, scripting)."""
    return main_window.findChild(ReviewExtension, EXTENSION_NAME)


class ReviewExtension(QObject):
    """Owns the added tabs, menus and windows; lives as long as the main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName(EXTENSION_NAME)
        from focalpoint.ui.dashboard import DashboardView
        from focalpoint.ui.review.queue_view import ReviewQueueView

        self.window = window
        self.db = window.db
        self.runner = window.runner
        self.screens: dict[str, QWidget] = {}
        self.histories: dict[str, QWidget] = {}
        self.dialogs: list[QWidget] = []
        self.conflicts: list[tuple[str, dict[str, str]]] = []
        self.failed: list[dict[str, Any]] = []
        self.failed_dialog: QWidget | None = None
        self._queue_loaded = False

        self.queue = ReviewQueueView(self.db, self.runner, window.tabs)
        self.dashboard = DashboardView(self.db, self.runner, window.tabs)
        window.tabs.addTab(self.queue, "")
        window.tabs.addTab(self.dashboard, "")
        window.tabs.currentChanged.connect(self._tab_shown)
        self.queue.open_requested.connect(self.open_review)
        self.dashboard.show_overdue_requested.connect(self.show_overdue)

        self._build_menus()
        sync = getattr(window, "sync", None)
        if sync is not None:
            sync.finished.connect(self._after_sync)
        language = getattr(window, "language", None)
        if language is not None:
            language.changed.connect(lambda _lang: self.retranslate())
        else:
            i18n.add_language_listener(self._language_changed)
            self.destroyed.connect(lambda *_a, cb=self._language_changed: i18n.remove_language_listener(cb))
        self.retranslate()
        self.refresh_conflicts()

    # ------------------------------------------------------------ menus

    def _action(self, slot, shortcut: Any = None, name: str = "") -> QAction:  # noqa: ANN001
        action = QAction(self.window)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        w = self.window
        self.review_menu = QMenu(w)
        self.review_menu.setObjectName("reviewMenu")
        self.queue_action = self._action(self.show_queue, "Ctrl+3", "reviewQueueAction")
        self.dashboard_action = self._action(self.show_dashboard, "Ctrl+4", "dashboardAction")
        self.history_action = self._action(self.history_of_selected, None, "historyAction")
        for action in (self.queue_action, self.dashboard_action):
            self.review_menu.addAction(action)
        self.review_menu.addSeparator()
        self.review_menu.addAction(self.history_action)
        help_menu = getattr(w, "help_menu", None)
        if help_menu is not None:
            w.menuBar().insertMenu(help_menu.menuAction(), self.review_menu)
        else:
            w.menuBar().addMenu(self.review_menu)

        self.print_action = self._action(self.open_print_dialog, QKeySequence.StandardKey.Print, "printFormsAction")
        self.print_plan_action = self._action(self.open_plan_print_dialog, None, "printPlanAction")
        self.import_action = self._action(self.open_import_dialog, None, "importPdfAction")
        file_menu = getattr(w, "file_menu", None)
        if file_menu is not None:
            anchor = self._separator_before(file_menu, getattr(w, "quit_action", None))
            if anchor is not None:
                file_menu.insertActions(anchor, [self.print_action, self.print_plan_action, self.import_action])
            else:
                file_menu.addActions([self.print_action, self.print_plan_action, self.import_action])

        # the sync controller may offer "Sign in…" itself (it opens the same dialog)
        own_sign_in = getattr(getattr(w, "sync", None), "sign_in_action", None)
        self.sign_in_action = own_sign_in or self._action(self.open_sign_in, None, "signInAction")
        self.conflicts_action = self._action(self.resolve_conflicts, None, "resolveConflictsAction")
        self.failed_action = self._action(self.open_failed_changes, None, "failedChangesAction")
        sync_menu = getattr(w, "sync_menu", None)
        if sync_menu is not None:
            if own_sign_in is None or own_sign_in not in sync_menu.actions():
                sync_menu.addAction(self.sign_in_action)
            sync_menu.addSeparator()
            sync_menu.addAction(self.conflicts_action)
            sync_menu.addAction(self.failed_action)
        self._own_sign_in = own_sign_in is None

    @staticmethod
    def _separator_before(menu: QMenu, action: QAction | None) -> QAction | None:
        """The separator just above ``action`` (the quit action), else the action itself."""
        actions = menu.actions()
        if action is None or action not in actions:
            return None
        index = actions.index(action)
        if index > 0 and actions[index - 1].isSeparator():
            return actions[index - 1]
        return action

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, STATUS_MS)

    # ------------------------------------------------------------ tabs

    def _tab_shown(self, index: int) -> None:
        widget = self.window.tabs.widget(index)
        if widget is self.queue:
            self.queue.reload()
            self._queue_loaded = True
        elif widget is self.dashboard:
            self.dashboard.load()

    def show_queue(self) -> None:
        if self.window.tabs.currentWidget() is self.queue:
            self.queue.reload()
        self.window.tabs.setCurrentWidget(self.queue)

    def show_dashboard(self) -> None:
        if self.window.tabs.currentWidget() is self.dashboard:
            self.dashboard.load()
        self.window.tabs.setCurrentWidget(self.dashboard)

    def show_overdue(self) -> None:
        self.queue.overdue_filter.setChecked(True)
        self.show_queue()

    def _refresh_views(self) -> None:
        current = self.window.tabs.currentWidget()
        if current is self.queue or self._queue_loaded:
            self.queue.reload()
        if current is self.dashboard:
            self.dashboard.load()

    # ------------------------------------------------------------ review

    def show_request(self, workflow_id: str) -> QWidget:
        """The Review tab, on one request: selected in the queue when it is there, and its review screen."""
        model = self.queue.model

        def select(*_a: Any) -> None:
            try:
                model.loaded.disconnect(select)
            except (RuntimeError, TypeError):
                pass
            row = model.row_of(workflow_id)
            if row >= 0:
                self.queue.table.selectRow(row)
                self.queue.table.setCurrentIndex(model.index(row, 0))

        model.loaded.connect(select)
        self.show_queue()
        return self.open_review(workflow_id)

    def open_review(self, workflow_id: str) -> QWidget:
        """The review screen of one request, in its own window (the open one when there is)."""
        from focalpoint.ui.review.screen import ReviewScreen

        screen = self.screens.get(workflow_id)
        if screen is None:
            open_record = None
            if getattr(self.window, "records", None) is not None and hasattr(self.window, "open_record"):
                def open_record(identifier: str) -> None:  # the reviewer may edit, then approve
                    self.window.open_record(identifier, review_edit=True)
            screen = ReviewScreen(self.db, self.runner, workflow_id, None, open_editor=open_record)
            screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            screen.decided.connect(self._decided)
            screen.history_requested.connect(self.open_history)
            screen.destroyed.connect(lambda *_a, key=workflow_id: self.screens.pop(key, None))
            self.screens[workflow_id] = screen
            screen.load()
        screen.show()
        screen.raise_()
        screen.activateWindow()
        return screen

    def _decided(self, _workflow_id: str, _action: str) -> None:
        self._status(_("Decision saved; it will be sent at the next sync."))
        self.queue.reload()
        self._records_changed()

    def _records_changed(self) -> None:
        records = getattr(self.window, "records", None)
        if records is not None:
            records.load()
        refresh = getattr(self.window, "refresh_counts", None)
        if refresh is not None:
            refresh()

    def open_history(self, identifier: str) -> QWidget:
        from focalpoint.ui.review.history import HistoryView

        view = self.histories.get(identifier)
        if view is None:
            view = HistoryView(self.db, self.runner, identifier, None)
            view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            view.destroyed.connect(lambda *_a, key=identifier: self.histories.pop(key, None))
            self.histories[identifier] = view
        view.load()
        view.show()
        view.raise_()
        return view

    def _selected_record(self) -> str | None:
        records = getattr(self.window, "records", None)
        if records is None:
            return None
        try:
            return records.selected_identifier()
        except Exception:  # noqa: BLE001
            return None

    def history_of_selected(self) -> None:
        identifier = self._selected_record()
        if identifier is None:
            self._status(_("Select a record in the Records tab first, then choose History."))
            return
        self.open_history(identifier)

    # ------------------------------------------------------------ dialogs

    def _keep(self, dialog: QWidget) -> QWidget:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_a, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        return dialog

    def open_print_dialog(self) -> QWidget:
        from focalpoint.ui.print_dialog import PrintDialog

        dialog = self._keep(PrintDialog(self.window))
        dialog.show()
        return dialog

    def open_plan_print_dialog(self) -> QWidget:
        from focalpoint.ui.print_records import BOOKLET, PrintRecordsDialog

        plan_folder = getattr(getattr(self.window, "catalog", None), "_plan_folder", None)
        dialog = self._keep(PrintRecordsDialog(self.db, self.runner, BOOKLET, parent=self.window,
                                               plan_folder=plan_folder))
        dialog.show()
        return dialog

    def open_import_dialog(self) -> QWidget:
        from focalpoint.ui.import_pdf_dialog import ImportPdfDialog

        dialog = self._keep(ImportPdfDialog(self.db, self.runner, self.window))
        dialog.imported.connect(self._imported)
        dialog.show()
        return dialog

    def _imported(self, identifiers: list[str]) -> None:
        if identifiers:
            self._status(ngettext("{n} record created or updated from PDF forms.",
                                  "{n} records created or updated from PDF forms.",
                                  len(identifiers)).format(n=len(identifiers)))
            self._records_changed()

    def open_sign_in(self) -> QWidget:
        from focalpoint.ui.signin_dialog import SignInDialog

        dialog = self._keep(SignInDialog(self.db, self.runner, self.window))
        dialog.signed_in.connect(self._signed_in)
        dialog.load()
        dialog.show()
        return dialog

    def _signed_in(self, result: Any) -> None:
        self._status(_("Signed in as {email}.").format(email=result.email))

    # ------------------------------------------------------------ conflicts

    def refresh_conflicts(self) -> None:
        """Count the records in conflict and the changes waiting for the person (DB worker)."""
        from focalpoint.sync.status import failed_changes
        from focalpoint.ui.conflict_dialog import records_in_conflict

        self.runner.run_db(records_in_conflict, self.db, on_done=self._got_conflicts, on_error=lambda _e: None)
        self.runner.run_db(failed_changes, self.db, on_done=self._got_failed, on_error=lambda _e: None)

    def _got_failed(self, items: list[dict[str, Any]]) -> None:
        self.failed = items
        self.retranslate_failed()

    def _got_conflicts(self, conflicts: list[tuple[str, dict[str, str]]]) -> None:
        self.conflicts = conflicts
        self.retranslate_conflicts()

    def _after_sync(self, *_report: Any) -> None:
        self.refresh_conflicts()
        self._refresh_views()
        if self.failed_dialog is not None:
            self.failed_dialog.load()

    def resolve_conflicts(self) -> QWidget | None:
        """Open the conflict dialog: the selected record when in conflict, else one chosen from the list."""
        known = {ident for ident, _title in self.conflicts}
        selected = self._selected_record()
        if selected in known:
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

    def open_conflict(self, identifier: str) -> QWidget:
        from focalpoint.ui.conflict_dialog import ConflictDialog

        dialog = self._keep(ConflictDialog(self.db, self.runner, identifier, self.window))
        dialog.resolved.connect(self._resolved)
        dialog.load()
        dialog.show()
        return dialog

    def _resolved(self, _identifier: str) -> None:
        self._status(_("Conflict resolved; the result will be sent at the next sync."))
        self.refresh_conflicts()
        self._records_changed()

    # ------------------------------------------------------------ changes waiting for the person

    def open_failed_changes(self) -> QWidget:
        """The list of changes that could not be sent (the open one when there is)."""
        from focalpoint.ui.failed_dialog import FailedChangesDialog

        dialog = self.failed_dialog
        if dialog is None:
            dialog = self._keep(FailedChangesDialog(self.db, self.runner, self.window))
            dialog.changed.connect(self._failed_changed)
            dialog.open_request.connect(self.show_request)
            dialog.destroyed.connect(lambda *_a: setattr(self, "failed_dialog", None))
            self.failed_dialog = dialog
        dialog.load()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _failed_changed(self, _identifier: str) -> None:
        self.refresh_conflicts()
        self._records_changed()

    # ------------------------------------------------------------ language

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate_conflicts(self) -> None:
        n = len(self.conflicts)
        self.conflicts_action.setText(ngettext("&Resolve a conflict ({n})…", "&Resolve conflicts ({n})…", n)
                                      .format(n=n) if n else _("&Resolve conflicts…"))
        self.conflicts_action.setEnabled(n > 0)

    def retranslate_failed(self) -> None:
        n = len(self.failed)
        self.failed_action.setText(ngettext("&Change waiting for you ({n})…", "&Changes waiting for you ({n})…", n)
                                   .format(n=n) if n else _("&Changes waiting for you…"))
        self.failed_action.setEnabled(True)

    def retranslate(self) -> None:
        tabs = self.window.tabs
        tabs.setTabText(tabs.indexOf(self.queue), _("Re&view"))
        tabs.setTabText(tabs.indexOf(self.dashboard), _("&Dashboard"))
        self.review_menu.setTitle(_("Re&view"))
        self.queue_action.setText(_("Publication &requests"))
        self.dashboard_action.setText(_("&Dashboard"))
        self.history_action.setText(_("&History of the selected record…"))
        self.print_action.setText(_("&Print forms…"))
        self.print_plan_action.setText(_("Print the &action plan…"))
        self.import_action.setText(_("&Import filled PDF forms…"))
        if self._own_sign_in:
            self.sign_in_action.setText(_("Sign &in…"))
        self.retranslate_conflicts()
        self.retranslate_failed()
        self.queue.retranslate()
        self.dashboard.retranslate()
        for widget in list(self.screens.values()) + list(self.histories.values()) + list(self.dialogs):
            retranslate = getattr(widget, "retranslate", None)
            if retranslate is not None:
                retranslate()
