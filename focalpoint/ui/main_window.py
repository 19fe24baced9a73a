"""The main window: the action plan, the records, the review queue and the dashboard in tabs,
menus, and the status bar.

Every part is built here, explicitly, with its dependencies passed in (database, task runner,
language controller, settings): the tabs, the sync controller, the review tabs and menu
(``review_tabs``), printing and PDF import (``print_actions``), conflicts and waiting changes
(``conflict_actions``), back-up and USB actions. ``retranslate()`` re-labels everything after a
language switch. UI thread only.

``MainWindow(db, runner, …)`` builds the whole window at once. The desktop app starts in two
steps instead (``focalpoint.ui.app``): ``MainWindow.frame(…)`` is the same window with only its
title, geometry, menu titles, tab bar and an "Opening the database…" message, cheap to show
(this module imports only PySide6 and ``focalpoint.i18n`` at import time); ``build(db, runner)``
then fills that window with its parts, whose modules (SQLAlchemy and the models with them) are
imported there, or beforehand (``PLAIN_PART_MODULES`` on a helper thread, then ``PART_MODULES``).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from focalpoint import APP_NAME
from focalpoint.i18n import LANGUAGES, NATIVE_NAMES, _, get_language, set_language
from focalpoint.ui.screen_fit import fit_window, keep_on_screen
from focalpoint.ui.settings import GEOMETRY_KEY, SPLITTER_KEY, STATE_KEY, byte_array

if TYPE_CHECKING:
    from focalpoint.db import Database
    from focalpoint.plan_read import CatalogSnapshot
    from focalpoint.ui.auto_sync import AutoSync
    from focalpoint.ui.backup_actions import BackupActions
    from focalpoint.ui.catalog_browser import CatalogBrowser
    from focalpoint.ui.conflict_actions import ConflictActions
    from focalpoint.ui.help_dialog import HelpDialog
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.print_actions import PrintActions
    from focalpoint.ui.records_panel import RecordsPanel
    from focalpoint.ui.review_tabs import ReviewTabs
    from focalpoint.ui.status import StatusArea, StatusCounts
    from focalpoint.ui.sync_controller import SyncController
    from focalpoint.ui.tasks import TaskRunner
    from focalpoint.ui.usb_actions import UsbActions

log = logging.getLogger(__name__)
STATUS_MS = 10000  # how long a status-bar message stays

# the modules ``build`` needs that import no Qt (SQLAlchemy, the models, the forms, the sync state): the
# app imports them on its helper thread while the database opens, the UI thread staying free
# (``tests/test_ui_startup_frame.py`` holds them to importing no PySide6)
PLAIN_PART_MODULES = (
    "focalpoint.db",
    "focalpoint.models",
    "focalpoint.catalog",
    "focalpoint.forms.model",
    "focalpoint.forms.validation",
    "focalpoint.forms.templates",
    "focalpoint.records",
    "focalpoint.review.dashboard",
    "focalpoint.textsearch",
    "focalpoint.sync.thesaurus",
    "focalpoint.sync.status",
    "focalpoint.sync.rebase",
    "focalpoint.sync.server_copies",
)

# then the window's own modules, imported on the UI thread (Qt types are made there), one at a time
PART_MODULES = (
    "focalpoint.ui.status",
    "focalpoint.ui.catalog_browser",
    "focalpoint.ui.records_panel",
    "focalpoint.ui.review_tabs",
    "focalpoint.ui.sync_controller",
    "focalpoint.ui.auto_sync",
    "focalpoint.ui.print_actions",
    "focalpoint.ui.conflict_actions",
    "focalpoint.ui.backup_actions",
    "focalpoint.ui.usb_actions",
    "focalpoint.ui.help_dialog",
    "focalpoint.ui.welcome",
    "focalpoint.ui.window_parts",
    "focalpoint.ui.editor.warmup",
)


def import_plain_parts() -> None:
    """Import ``PLAIN_PART_MODULES`` (the app does it on its helper thread while the database
    opens). A broken module stops here, loudly. Any thread."""
    for name in PLAIN_PART_MODULES:
        importlib.import_module(name)


class MainWindow(QMainWindow):
    """The application's one main window."""

    shown = Signal()  # shown on screen and built (whichever comes last), once

    tabs: QTabWidget
    _early_catalog: CatalogBrowser | None  # listed before ``build`` (``show_catalogue``)
    db: Database
    runner: TaskRunner
    catalog: CatalogBrowser
    records: RecordsPanel
    review: ReviewTabs
    status: StatusArea
    sync: SyncController
    auto_sync: AutoSync
    printing: PrintActions
    conflicts: ConflictActions
    backup_actions: BackupActions
    usb_actions: UsbActions

    def __init__(self, db: Database, runner: TaskRunner, language: LanguageController | None = None,
                 settings: QSettings | None = None, plan_folder: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_frame(language, settings, plan_folder)
        self.build(db, runner)

    @classmethod
    def frame(cls, language: LanguageController | None = None, settings: QSettings | None = None,
              plan_folder: Path | None = None) -> MainWindow:
        """The window with only its frame (title, geometry, menu titles, tab bar, an "Opening the
        database…" message): quick to show; ``build(db, runner)`` fills it in. UI thread."""
        window = cls.__new__(cls)
        QMainWindow.__init__(window)
        window._build_frame(language, settings, plan_folder)
        return window

    def show_catalogue(self, snapshot: CatalogSnapshot) -> None:
        """In the frame, before ``build``: the action plan tab lists ``snapshot`` (read at start-up
        through a read-only connection, ``focalpoint.plan_read.quick_snapshot``) and can be browsed
        while the rest loads; ``build`` gives it the database. UI thread."""
        from focalpoint.ui.catalog_browser import CatalogBrowser

        if self._built or self._early_catalog is not None:
            raise RuntimeError("MainWindow.show_catalogue: only once, in the frame")
        catalog = CatalogBrowser(None, None, plan_folder=self._plan_folder, parent=self.tabs)
        catalog.show_snapshot(snapshot)
        current = self.tabs.currentIndex()
        opening = self._opening_pages.pop(0)
        self._opening_labels.pop(0)
        self.tabs.removeTab(0)
        opening.hide()
        opening.deleteLater()
        self.tabs.insertTab(0, catalog, _("&Action plan"))
        self.tabs.setCurrentIndex(current)
        self._early_catalog = catalog
        self.catalog = catalog
        # the list and the detail side by side as the built window will have them (no jump then)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._restore_splitter()
        self._split_catalogue()

    @property
    def built(self) -> bool:
        """Whether ``build`` has filled the window in."""
        return self._built

    def _build_frame(self, language: LanguageController | None, settings: QSettings | None,
                     plan_folder: Path | None) -> None:
        self.language = language
        self.settings = settings
        self._plan_folder = plan_folder
        self.setObjectName("mainWindow")
        self._built = False
        self._early_catalog = None
        self._shown_once = False
        self._splitter_restored = False

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        # until ``build``: the four tabs' titles, each page saying that the database is being opened
        # (centred by stretches: no Qt namespace enum before the first paint, see ``language``)
        self._opening_pages: list[QWidget] = []
        self._opening_labels: list[QLabel] = []
        for _index in range(4):
            page = QWidget(self.tabs)
            label = QLabel(page)
            label.setObjectName("openingMessage")
            label.setEnabled(False)  # the greyed text of a window not usable yet
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(label)
            row.addStretch(1)
            column = QVBoxLayout(page)
            column.addStretch(1)
            column.addLayout(row)
            column.addStretch(1)
            self.tabs.addTab(page, "")
            self._opening_pages.append(page)
            self._opening_labels.append(label)
        self.setCentralWidget(self.tabs)
        self.statusBar()  # there from the start, so that the tabs do not move when it fills

        self._build_menus()
        self.menuBar().setEnabled(False)  # its menus work once the window is built
        if language is not None:
            language.changed.connect(self._language_changed)

        fit_window(self, QSize(1280, 800))  # a 1024x600 netbook gets a window that fits, status bar included
        self._restore_geometry()
        keep_on_screen(self)  # a size remembered from a larger screen shrinks to this one
        self.retranslate()

    def build(self, db: Database, runner: TaskRunner) -> None:
        """Fill the frame in: the tabs, the status bar, the sync controller, the menus' actions. UI thread."""
        if self._built:
            raise RuntimeError("MainWindow.build: the window is already built")
        from focalpoint.ui.auto_sync import AutoSync
        from focalpoint.ui.backup_actions import install as install_backup_actions
        from focalpoint.ui.catalog_browser import CatalogBrowser
        from focalpoint.ui.conflict_actions import ConflictActions
        from focalpoint.ui.print_actions import PrintActions
        from focalpoint.ui.records_panel import RecordsPanel
        from focalpoint.ui.review_tabs import ReviewTabs
        from focalpoint.ui.status import StatusArea
        from focalpoint.ui.sync_controller import SyncController
        from focalpoint.ui.usb_actions import install as install_usb_actions

        plan_folder = self._plan_folder
        self.db = db
        self.runner = runner
        for page in self._opening_pages:
            self.tabs.removeTab(self.tabs.indexOf(page))
            page.hide()
            page.deleteLater()
        self._opening_pages = []
        self._opening_labels = []
        if self._early_catalog is not None:
            self._early_catalog.attach(db, runner)
        else:
            self.catalog = CatalogBrowser(db, runner, plan_folder=plan_folder, parent=self.tabs)
            self.tabs.insertTab(0, self.catalog, "")
        self.records = RecordsPanel(db, runner, parent=self.tabs)
        self.tabs.addTab(self.records, "")
        self.catalog.open_record.connect(self.open_record)
        self.records.records_changed.connect(self.refresh_counts)
        self.records.records_changed.connect(self.catalog.refresh_detail)
        self.review = ReviewTabs(db, runner, self.tabs, self,  # the Review and Dashboard tabs
                                 open_record=lambda identifier: self.open_record(identifier, review_edit=True),
                                 selected_record=self.records.selected_identifier,
                                 records_changed=self.records_changed, status=self.show_status)

        self.status = StatusArea(self.statusBar(), db.path)
        self.sync = SyncController(db, runner, self.status.sync, self)
        self.sync.finished.connect(self._sync_finished)
        self.auto_sync = AutoSync(self.sync, db, runner, parent=self)
        self.printing = PrintActions(db, runner, self, plan_folder=plan_folder,
                                     records_changed=self.records_changed, status=self.show_status)
        self.conflicts = ConflictActions(db, runner, self, selected_record=self.records.selected_identifier,
                                         show_request=self.review.show_request,
                                         records_changed=self.records_changed, status=self.show_status)
        self._fill_menus()
        self.backup_actions = install_backup_actions(self)  # File > Back up…, Restore from backup…
        self.usb_actions = install_usb_actions(self)  # File > USB stick: changes and records carried on a file
        self.file_menu.insertActions(self._separator_above(self.file_menu, self.quit_action),
                                     self.printing.menu_actions())
        self.catalog.loaded.connect(self.refresh_counts)
        runner.task_failed.connect(self._task_failed)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(300)
        self._counts_timer.timeout.connect(self._load_counts)

        self._built = True
        self._restore_state()
        self.menuBar().setEnabled(True)
        self.retranslate()
        if self._shown_once:  # built into a window already on screen
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the new tabs' real sizes
            self._shown_and_built()

    # --------------------------------------------------------------- menus

    def _build_menus(self) -> None:
        """The menus and the actions that need none of the window's parts (part of the frame)."""
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.new_menu = self.file_menu.addMenu("")
        self.new_actions: dict[str, QAction] = {}
        self.new_menu.setEnabled(False)
        self.file_menu.addSeparator()
        self.quit_action = QAction(self)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("")
        self.find_action = QAction(self)
        self.find_action.triggered.connect(self.focus_search)
        self.edit_menu.addAction(self.find_action)

        self.view_menu = bar.addMenu("")
        self.show_catalog_action = QAction(self)
        self.show_catalog_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.catalog))
        self.view_menu.addAction(self.show_catalog_action)
        self.show_records_action = QAction(self)
        self.show_records_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.records))
        self.view_menu.addAction(self.show_records_action)

        self.language_menu = bar.addMenu("")
        self.language_menu.setObjectName("languageMenu")
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(NATIVE_NAMES[code], self)
            action.setCheckable(True)
            action.setData(code)
            action.setChecked(code == get_language())
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.sync_menu = bar.addMenu("")
        self._review_title = bar.addMenu("")  # replaced by the Review menu when built

        self.help_menu = bar.addMenu("")
        self.guide_action = QAction(self)  # F1 anywhere in the window
        self.guide_action.setObjectName("guideAction")
        self.guide_action.triggered.connect(self.show_guide)
        self.help_menu.addAction(self.guide_action)
        self.help_menu.addSeparator()
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.about)
        self.help_menu.addAction(self.about_action)

    def _fill_menus(self) -> None:
        """The actions of the window's parts in the frame's menus, and the shortcuts (``build``: setting
        the first shortcut builds PySide6's enums of the Qt namespace, some 20 ms, after the first paint).
        Each works in this window (Qt's default context, WindowShortcut); F1 anywhere in it."""
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.show_catalog_action.setShortcut(QKeySequence("Ctrl+1"))
        self.show_records_action.setShortcut(QKeySequence("Ctrl+2"))
        self.guide_action.setShortcut(QKeySequence("F1"))
        self.records.schemas_changed.connect(self._fill_new_menu)
        self.sync_menu.addAction(self.sync.action)
        self.sync_menu.addAction(self.sync.sign_in_action)
        self.sync_menu.addAction(self.sync.download_all_action)
        self.sync_menu.aboutToShow.connect(self.sync.load_download_all)  # the CLI may have changed it
        self.sync_menu.addSeparator()
        self.sync_menu.addAction(self.conflicts.conflicts_action)
        self.sync_menu.addAction(self.conflicts.failed_action)
        bar = self.menuBar()
        bar.insertMenu(self._review_title.menuAction(), self.review.menu)
        bar.removeAction(self._review_title.menuAction())
        self._review_title.deleteLater()

    @staticmethod
    def _separator_above(menu: QMenu, action: QAction) -> QAction:
        """The separator just above ``action`` in ``menu`` (the printing actions go there), else ``action``."""
        actions = menu.actions()
        index = actions.index(action)
        return actions[index - 1] if index > 0 and actions[index - 1].isSeparator() else action

    def _fill_new_menu(self) -> None:
        """One "New …" action per record type (the types arrive from the DB worker after start-up);
        a legacy type (its records stay readable and editable) is not offered for new records."""
        from focalpoint.forms.model import is_legacy

        self.new_menu.clear()
        self.new_actions = {}
        for schema in self.records.schemas():
            if is_legacy(schema):
                continue
            action = QAction(self.records.schema_label(schema), self)
            action.triggered.connect(lambda _checked=False, s=schema: self.new_record(s))
            self.new_menu.addAction(action)
            self.new_actions[schema] = action
        self.new_menu.setEnabled(bool(self.new_actions))

    # ------------------------------------------------------------ actions

    def focus_search(self) -> None:
        """Edit > Find: the search box of the Records tab when it is shown, else the action plan's."""
        current = self.tabs.currentWidget()
        if current is self.records:
            self.records.focus_search()
        else:
            self.tabs.setCurrentWidget(self.catalog)
            self.catalog.focus_search()

    def switch_language(self, code: str) -> None:
        """Language menu: the whole interface in ``code``."""
        if self.language is not None:
            self.language.switch(code)
        else:
            set_language(code)
            self.retranslate()

    def new_record(self, schema: str) -> None:
        """File > New record: the Records tab, with a new record of ``schema`` in the editor."""
        self.tabs.setCurrentWidget(self.records)
        self.records.new_record(schema)

    def open_record(self, identifier: str, review_edit: bool = False) -> None:
        """Open one record in the editor (``review_edit``: a reviewer editing before approving)."""
        self.records.open_record(identifier, review_edit=review_edit)

    def records_changed(self) -> None:
        """Records were changed outside the Records tab (a decision, an import): re-read them and the counts."""
        self.records.load()
        self.refresh_counts()

    def show_status(self, message: str) -> None:
        """A message in the status bar, for a few seconds."""
        self.statusBar().showMessage(message, STATUS_MS)

    def show_guide(self) -> HelpDialog:
        """Help > Guide (F1): the guide in the interface language (``focalpoint.ui.help_dialog``)."""
        from focalpoint.ui.help_dialog import show_guide

        return show_guide(self)

    def about(self) -> None:
        from focalpoint import __version__

        QMessageBox.about(self, _("About {app}").format(app=APP_NAME), _(
            "<h3>{app} {version}</h3><p>The short-term action plan on capacity-building (2017-2020) of "
            "decision XIII/23, capacity needs assessments and clearing-house records, offline.</p>"
            "<p>FocalPoint carries the official Chinese text of decision XIII/23; its text in the other "
            "languages is an unofficial translation made for FocalPoint.</p>").format(
                app=APP_NAME, version=__version__))

    def _sync_finished(self, _report: Any) -> None:
        self.refresh_counts()
        self.records.load()
        self.catalog.refresh_detail()
        self.conflicts.after_sync()
        self.review.refresh()

    def refresh_counts(self) -> None:
        """Re-read the status bar counts soon (coalesces bursts of saves)."""
        self._counts_timer.start()

    def _load_counts(self) -> None:
        from focalpoint.ui.status import status_counts

        self.runner.run_db(status_counts, self.db, on_done=self._show_counts, on_error=self._counts_failed)

    def _show_counts(self, counts: StatusCounts) -> None:
        self.status.set_counts(counts)

    def _counts_failed(self, exc: BaseException) -> None:
        from focalpoint.ui.window_parts import error_text

        log.error("reading the status bar counts failed", exc_info=exc)
        self.show_status(_("The counts could not be read: {error}").format(error=error_text(exc)))

    def _task_failed(self, message: str) -> None:
        self.show_status(_("A background task failed: {error}").format(error=message))

    # ------------------------------------------------------------ language

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        """Every text of the window in the interface language (the frame's only, until built)."""
        self.setWindowTitle(_("{app} — capacity-building action plan and records").format(app=APP_NAME))
        self.file_menu.setTitle(_("&File"))
        self.new_menu.setTitle(_("&New record"))
        self.quit_action.setText(_("&Quit"))
        self.edit_menu.setTitle(_("&Edit"))
        self.find_action.setText(_("&Find…"))
        self.view_menu.setTitle(_("&View"))
        self.show_catalog_action.setText(_("&Action plan"))
        self.show_records_action.setText(_("&Records"))
        self.language_menu.setTitle(_("&Language"))
        for code, action in self.language_actions.items():
            action.setChecked(code == get_language())
        self.sync_menu.setTitle(_("&Sync"))
        self.help_menu.setTitle(_("&Help"))
        self.guide_action.setText(_("&Guide"))
        self.about_action.setText(_("&About FocalPoint"))
        if not self._built:
            self._review_title.setTitle(_("Re&view"))
            for index, title in enumerate((_("&Action plan"), _("&Records"), _("Re&view"), _("&Dashboard"))):
                self.tabs.setTabText(index, title)
            if self._early_catalog is not None:
                self._early_catalog.retranslate()
            for label in self._opening_labels:
                label.setText(_("Opening the database…"))
            return
        self.tabs.setTabText(self.tabs.indexOf(self.catalog), _("&Action plan"))
        self.tabs.setTabText(self.tabs.indexOf(self.records), _("&Records"))
        for schema, action in self.new_actions.items():
            action.setText(self.records.schema_label(schema))
        self.catalog.retranslate()
        self.records.retranslate()
        self.review.retranslate()
        self.printing.retranslate()
        self.conflicts.retranslate()
        self.status.retranslate()
        self.sync.retranslate()
        self.usb_actions.retranslate()
        self.shortcut_tooltips()

    def shortcut_tooltips(self) -> None:
        """Tabs, toolbar buttons and search boxes name their shortcut in their tooltip ("Records (Ctrl+2)")."""
        from focalpoint.ui.help_dialog import with_shortcut

        tabs: dict[QWidget, QAction] = {
            self.catalog: self.show_catalog_action, self.records: self.show_records_action,
            self.review.queue: self.review.queue_action, self.review.dashboard: self.review.dashboard_action}
        for widget, action in tabs.items():
            index = self.tabs.indexOf(widget)
            self.tabs.setTabToolTip(index, with_shortcut(self.tabs.tabText(index), action.shortcut()))
        find = self.find_action.shortcut()
        self.catalog.filter_bar.search.setToolTip(with_shortcut(_("Search the action plan"), find))
        self.records.search.setToolTip(with_shortcut(_("Search records"), find))
        for action in self.records.toolbar.actions():
            if not action.shortcut().isEmpty():
                action.setToolTip(with_shortcut(action.text(), action.shortcut()))

    # ------------------------------------------------------------ lifetime

    def start(self) -> None:
        """Begin loading data (after the window is on screen and built)."""
        from focalpoint.sync.thesaurus import load_stored_terms
        from focalpoint.ui.editor.warmup import warm_up_in_background
        from focalpoint.ui.welcome import restore_activity

        restore_activity(self)
        self.catalog.load()  # the plan first: the tab the person sees
        # thesaurus terms fetched at earlier syncs, for offline use: before every read of records
        # or record types queued after it
        self.runner.run_db(load_stored_terms, self.db)
        self.records.load()
        QTimer.singleShot(500, warm_up_in_background)
        self.refresh_counts()
        self.auto_sync.start()
        QTimer.singleShot(5000, self.auto_sync.maybe_sync)  # catch up soon after start, if signed in

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._built:
                self._shown_and_built()

    def _shown_and_built(self) -> None:
        self._split_catalogue()
        self.shown.emit()
        # the Sync menu's conflicts and waiting changes: read once the window is on screen
        QTimer.singleShot(0, self.conflicts.refresh)

    def _split_catalogue(self) -> None:
        """The action plan's list and detail side by side, 11 to 9, unless the person's split was
        restored or the split is already placed (the list shown before ``build``: a split the
        person drags meanwhile stays)."""
        if not self._splitter_restored:
            width = self.catalog.splitter.width()
            self.catalog.splitter.setSizes([width * 11 // 20, width * 9 // 20])
            self._splitter_restored = True

    def _saved(self, key: str) -> QByteArray | None:
        return byte_array(self.settings, key) if self.settings is not None else None

    def _restore_splitter(self) -> None:
        splitter = self._saved(SPLITTER_KEY)
        if splitter is not None:
            self._splitter_restored = self.catalog.splitter.restoreState(splitter)

    def _restore_geometry(self) -> None:
        geometry = self._saved(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _restore_state(self) -> None:
        from focalpoint.ui.welcome import restore_tab

        if self.settings is None:
            return
        state = byte_array(self.settings, STATE_KEY)
        if state is not None:
            self.restoreState(state)
        if self._early_catalog is None:  # else restored when it was listed
            self._restore_splitter()
        restore_tab(self)

    def save_state(self) -> None:
        from focalpoint.ui.welcome import remember_place

        if self.settings is None or not self._built:
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        self.settings.setValue(SPLITTER_KEY, self.catalog.splitter.saveState())
        remember_place(self)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._built:  # closed before it was built: nothing to save
            super().closeEvent(event)
            return
        if not self.records.close_editors():
            event.ignore()
            return
        self.save_state()
        self.runner.wait_db_idle(timeout=15)
        super().closeEvent(event)
