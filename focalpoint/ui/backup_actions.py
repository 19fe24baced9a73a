"""File > Back up… and File > Restore from backup…

Back up: a save dialog, then ``focalpoint.backup.create_backup`` on the database
worker, then a message with the path. Restore: an open dialog, two confirmations in
words, then on the database worker: the database's connections are closed,
``restore_backup`` verifies the file and replaces the data (the old database is kept
in ``backups/``), the restored store is migrated if it is older, and the window
reloads its data. A ``BackupError`` is shown in words and nothing is changed.

The dialogs are attributes (``ask_save_path``, ``ask_open_path``, ``confirm``,
``inform``, ``warn``) so tests answer without opening any. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from focalpoint.i18n import _
from focalpoint.ui.window_parts import menu_action


def _ask_save_path(parent: QWidget, suggested: Path) -> Path | None:
    name, _filter = QFileDialog.getSaveFileName(parent, _("Back up FocalPoint's data"), str(suggested),
                                                _("FocalPoint backups (*.zip)"))
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".zip" else path.with_name(path.name + ".zip")


def _ask_open_path(parent: QWidget, folder: Path) -> Path | None:
    name, _filter = QFileDialog.getOpenFileName(parent, _("Restore from a backup"), str(folder),
                                                _("FocalPoint backups (*.zip);;All files (*)"))
    return Path(name) if name else None


def _confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(_("Replace my data"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def _inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def _warn(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def _restore_job(db: Any, source: Path) -> dict:
    """Database worker: release the file, restore, migrate, let the engine reconnect."""
    from focalpoint.backup import restore_backup
    from focalpoint.db import open_database

    db.close()  # closes the pooled connections; the engine reconnects on next use
    try:
        manifest = restore_backup(source, db.data_dir)
        open_database(db.data_dir).close()  # migrate a backup made by an older FocalPoint
    finally:
        db.engine.dispose()
    return manifest


class BackupActions(QObject):
    """The two File menu actions of one main window."""

    backup_done = Signal(object)  # BackupInfo
    restore_done = Signal(object)  # the backup's manifest
    failed = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.ask_save_path: Callable[[QWidget, Path], Path | None] = _ask_save_path
        self.ask_open_path: Callable[[QWidget, Path], Path | None] = _ask_open_path
        self.confirm: Callable[[QWidget, str, str], bool] = _confirm
        self.inform: Callable[[QWidget, str, str], None] = _inform
        self.warn: Callable[[QWidget, str, str], None] = _warn
        self.busy = False

        self.backup_action = menu_action(window, self.back_up, "backupAction")
        self.restore_action = menu_action(window, self.restore, "restoreAction")
        menu = window.file_menu
        before = window.quit_action
        menu.insertAction(before, self.backup_action)
        menu.insertAction(before, self.restore_action)
        menu.insertSeparator(before)
        if window.language is not None:
            window.language.changed.connect(lambda _lang: self.retranslate())
        self.retranslate()

    def retranslate(self) -> None:
        self.backup_action.setText(_("&Back up…"))
        self.restore_action.setText(_("&Restore from backup…"))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.backup_action.setEnabled(not busy)
        self.restore_action.setEnabled(not busy)

    # -------------------------------------------------------------- back up

    def back_up(self) -> None:
        from focalpoint.backup import create_backup

        if self.busy:
            return
        db = self.window.db
        stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
        suggested = Path.home() / f"focalpoint-backup-{stamp}.zip"
        target = self.ask_save_path(self.window, suggested)
        if target is None:
            return
        self._set_busy(True)
        self.window.statusBar().showMessage(_("Backing up…"))
        self.window.runner.run_db(create_backup, db, Path(target), on_done=self._backed_up,
                                  on_error=lambda exc: self._failed(_("The backup could not be made."), exc))

    def _backed_up(self, info: Any) -> None:
        self._set_busy(False)
        self.window.statusBar().clearMessage()
        self.inform(self.window, _("Backup made"),
                    _("All of FocalPoint's data was saved to {path} ({files} files).").format(
                        path=info.path, files=info.files))
        self.backup_done.emit(info)

    # -------------------------------------------------------------- restore

    def restore(self) -> None:
        window = self.window
        if self.busy:
            return
        if getattr(window, "sync", None) is not None and window.sync.running:
            self.warn(window, _("Restore from backup"),
                      _("A synchronisation is running. Wait until it has finished, then restore."))
            return
        source = self.ask_open_path(window, Path.home())
        if source is None:
            return
        if not self.confirm(window, _("Restore from backup"), _(
                "Restoring replaces ALL of FocalPoint's data on this computer (records, assessments, "
                "settings of the sync) with the contents of {path}.\n\nDo you want to continue?").format(
                path=source)):
            return
        if not self.confirm(window, _("Restore from backup"), _(
                "Are you sure? Everything you entered since that backup was made will be replaced. "
                "A copy of the current database is kept in the backups folder of the data folder.")):
            return
        if window.records is not None and not window.records.close_editors():
            return
        self._set_busy(True)
        window.statusBar().showMessage(_("Restoring…"))
        window.runner.run_db(_restore_job, window.db, Path(source), on_done=self._restored,
                             on_error=lambda exc: self._failed(_("Nothing was restored; your data is unchanged."),
                                                               exc))

    def _restored(self, manifest: dict) -> None:
        window = self.window
        self._set_busy(False)
        window.statusBar().clearMessage()
        window.catalog.load()
        if window.records is not None:
            window.records.load()
        window.refresh_counts()
        window.catalog.refresh_detail()
        self.inform(window, _("Backup restored"),
                    _("FocalPoint's data was restored from the backup made on {date}.").format(
                        date=str(manifest.get("created", "?"))))
        self.restore_done.emit(manifest)

    def _failed(self, summary: str, exc: BaseException) -> None:
        self._set_busy(False)
        self.window.statusBar().clearMessage()
        from focalpoint.db import DatabaseError

        detail = exc.user_message if isinstance(exc, DatabaseError) and hasattr(exc, "user_message") else str(exc)
        message = f"{summary}\n\n{detail}"
        self.warn(self.window, _("Backup and restore"), message)
        self.failed.emit(message)


def install(window: Any) -> BackupActions:
    """Add the two actions to ``window.file_menu`` (before Quit)."""
    actions = BackupActions(window)
    window.backup_actions = actions
    return actions
