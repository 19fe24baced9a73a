"""File > USB stick: carry changes and records between computers on a file.

Three actions, each a file dialog, then work on the database worker, then a message
in words:

- "Save my unsent changes to a file…": ``export_outbox_bundle`` (this computer's unsent
  changes; they are frozen in the file, later edits make new changes);
- "Open a file from a USB stick…": ``import_bundle`` (unsent changes of a computer with
  no link, or the records a connected computer saved for this one), then the records
  list, the counts and the conflicts are read again;
- "Save records for a computer with no link…": ``export_records_bundle`` for the
  signed-in account's government when it is known (every record otherwise).

A damaged file (``BundleError``) is shown as a warning with its message; nothing is
imported. The dialogs are attributes (``ask_save_path``, ``ask_open_path``,
``inform``, ``warn``) so tests answer without opening any. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from focalpoint.i18n import _, get_language, is_rtl, localize, ngettext
from focalpoint.ui.window_parts import menu_action

SUFFIX = ".fpbundle"
MAX_LISTED = 4  # records named in a message; the rest are counted (the box must fit a 1024x600 screen)


def _with_suffix(name: str) -> Path:
    """The file name as typed, with ``.fpbundle`` added when it has not got it."""
    path = Path(name)
    return path if path.suffix.lower() == SUFFIX else path.with_name(path.name + SUFFIX)


def _ask_save_path(parent: QWidget, title: str, suggested: Path) -> Path | None:
    name, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested),
                                                _("FocalPoint bundles (*.fpbundle)"))
    return Path(name) if name else None


def _ask_open_path(parent: QWidget, title: str, folder: Path) -> Path | None:
    name, _filter = QFileDialog.getOpenFileName(parent, title, str(folder),
                                                _("FocalPoint bundles (*.fpbundle);;All files (*)"))
    return Path(name) if name else None


def directed(text: str) -> str:
    """Every line starts in the interface's direction, whatever its first word: an Arabic line that
    begins with a Latin record title stays right-to-left (and an English one with an Arabic title
    left-to-right). A directional mark is invisible."""
    mark = "\u200f" if is_rtl() else "\u200e"
    return "\n".join(mark + line if line else line for line in text.split("\n"))


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A message box of plain text (a file name or a title never turns into markup)."""
    box = QMessageBox(icon, title, directed(text), QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def _inform(parent: QWidget, title: str, text: str, details: str = "") -> None:
    box = message_box(parent, QMessageBox.Icon.Information, title, text)
    if details:
        box.setDetailedText(directed(details))  # scrolls: a long list never makes the box taller than the screen
    box.exec()


def _warn(parent: QWidget, title: str, text: str) -> None:
    message_box(parent, QMessageBox.Icon.Warning, title, text).exec()


def _plain(label: str) -> str:
    """A menu label without its accelerator, to name it in a sentence."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&")


# ------------------------------------------------------------------ database worker


def _account_government(db: Any) -> str | None:
    from focalpoint.review import current_account

    with db.session() as session:
        account = current_account(session) or {}
    government = account.get("government")
    if isinstance(government, dict):  # a CHM reference ({"identifier": "ws"})
        government = government.get("identifier")
    return government.strip().lower() if isinstance(government, str) and government.strip() else None


def export_records_job(db: Any, path: Path) -> dict[str, Any]:
    """The signed-in account's government's records (all of them if it is not known) to ``path``."""
    from focalpoint.sync.bundle import export_records_bundle

    government = _account_government(db)
    counts = export_records_bundle(db, path, government=government)
    return {**counts, "government": government}


@dataclass
class ImportResult:
    summary: Any  # ImportSummary
    titles: dict[str, dict[str, str]] = field(default_factory=dict)


def import_job(db: Any, path: Path) -> ImportResult:
    """Import a bundle, then read the titles of the records the message names."""
    from focalpoint.sync.bundle import import_bundle
    from focalpoint.ui.review.data import record_titles

    summary = import_bundle(db, path)
    named = set(summary.skipped) | set(summary.elsewhere) | set(summary.conflicts)
    try:
        titles = record_titles(db, named)
    except Exception:  # noqa: BLE001  # titles are a courtesy: identifiers do
        titles = {}
    return ImportResult(summary, titles)


# ------------------------------------------------------------------ messages


def isolate(text: str) -> str:
    """A name inside a sentence as one unit in either direction (a Latin file name or identifier in
    an Arabic sentence keeps its order): Unicode first-strong isolate."""
    return f"\u2068{text}\u2069"


def _title(identifier: str, titles: dict[str, dict[str, str]]) -> str:
    return localize(titles.get(identifier) or {}, get_language())


def _line(name: str, why: str) -> str:
    return _("• {record}: {reason}").format(record=name, reason=why) if why else _("• {record}").format(record=name)


def _sections(summary: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(identifier, why)]) for the records the message names."""
    sections = []
    if summary.conflicts:
        n = len(summary.conflicts)
        sections.append((ngettext(
            "{n} record is in conflict: someone changed the same fields. Choose Sync > Resolve conflicts… "
            "to decide, field by field:",
            "{n} records are in conflict: someone changed the same fields. Choose Sync > Resolve conflicts… "
            "to decide, field by field:", n).format(n=n), [(ident, "") for ident in summary.conflicts]))
    if summary.skipped:
        sections.append((_("Not imported:"), list(summary.skipped.items())))
    if summary.elsewhere:
        sections.append((_("What became of your changes:"), list(summary.elsewhere.items())))
    return sections


def import_message(summary: Any, titles: dict[str, dict[str, str]], path: Path) -> tuple[str, str]:
    """The summary of an import, in words, and its details (every record named, with its identifier)
    when the summary had to leave some out to fit the screen (else "")."""
    paragraphs: list[str] = []
    file = isolate(path.name)
    if summary.kind == "outbox":
        first = ngettext("{n} change imported from {file}.", "{n} changes imported from {file}.",
                         summary.imported).format(n=summary.imported, file=file)
        if summary.already:
            first += " " + ngettext("{n} change was already here.", "{n} changes were already here.",
                                    summary.already).format(n=summary.already)
        paragraphs.append(first)
        if summary.imported:
            paragraphs.append(_("They are sent to the clearing-house at the next sync."))
    else:
        paragraphs.append(ngettext("{n} record read from {file}: {changed} new or updated.",
                                   "{n} records read from {file}: {changed} new or updated.",
                                   summary.records).format(n=summary.records, file=file,
                                                           changed=summary.imported))
        if summary.acknowledged:
            paragraphs.append(ngettext("{n} of your changes reached the hub and left your outbox.",
                                       "{n} of your changes reached the hub and left your outbox.",
                                       summary.acknowledged).format(n=summary.acknowledged))
        if summary.merged:
            paragraphs.append(ngettext("{n} record was merged with the changes made on this computer.",
                                       "{n} records were merged with the changes made on this computer.",
                                       len(summary.merged)).format(n=len(summary.merged)))
    budget = MAX_LISTED  # records named in the message itself, over all sections
    left_out = False
    details: list[str] = []
    for heading, items in _sections(summary):
        lines = [heading]
        for identifier, why in items[:budget]:
            lines.append(_line(isolate(_title(identifier, titles) or identifier), why))
        rest = len(items) - min(budget, len(items))
        if rest > 0:
            left_out = True
            lines.append(ngettext("… and {n} more.", "… and {n} more.", rest).format(n=rest))
        budget = max(0, budget - len(items))
        paragraphs.append("\n".join(lines))
        full = [heading]
        for identifier, why in items:
            title = _title(identifier, titles)
            name = _("“{title}” ({identifier})").format(title=title, identifier=identifier) if title else identifier
            full.append(_line(isolate(name), why))
        details.append("\n".join(full))
    return "\n\n".join(paragraphs), ("\n\n".join(details) if left_out else "")


# ------------------------------------------------------------------ the actions


class UsbActions(QObject):
    """File > USB stick of one main window."""

    exported = Signal(object)  # {"entries", "records"}
    imported = Signal(object)  # ImportSummary
    records_exported = Signal(object)  # {"records", "acks", "government"}
    failed = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("usbActions")
        self.window = window
        self.ask_save_path: Callable[[QWidget, str, Path], Path | None] = _ask_save_path
        self.ask_open_path: Callable[[QWidget, str, Path], Path | None] = _ask_open_path
        self.inform: Callable[..., None] = _inform  # (parent, title, text, details="")
        self.warn: Callable[[QWidget, str, str], None] = _warn
        self.busy = False

        self.menu = QMenu(window)
        self.menu.setObjectName("usbMenu")
        self.export_action = menu_action(window, self.export_changes, "usbExportAction")
        self.import_action = menu_action(window, self.import_file, "usbImportAction")
        self.records_action = menu_action(window, self.export_records, "usbRecordsAction")
        self.menu.addAction(self.export_action)
        self.menu.addAction(self.import_action)
        self.menu.addSeparator()
        self.menu.addAction(self.records_action)
        self._insert_in(window.file_menu, getattr(window, "quit_action", None))
        self.retranslate()  # and again from the window's retranslate() after a language switch

    def _insert_in(self, menu: QMenu, quit_action: QAction | None) -> None:
        """Just above the separator over Quit (after Back up and Restore), else at the end."""
        actions = menu.actions()
        anchor = None
        if quit_action is not None and quit_action in actions:
            index = actions.index(quit_action)
            anchor = actions[index - 1] if index > 0 and actions[index - 1].isSeparator() else quit_action
        if anchor is not None:
            menu.insertMenu(anchor, self.menu)
        else:
            menu.addMenu(self.menu)

    def retranslate(self) -> None:
        self.menu.setTitle(_("&USB stick"))
        self.export_action.setText(_("&Save my unsent changes to a file…"))
        self.import_action.setText(_("&Open a file from a USB stick…"))
        self.records_action.setText(_("Save &records for a computer with no link…"))

    def actions(self) -> list[QAction]:
        return [self.export_action, self.import_action, self.records_action]

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        for action in self.actions():
            action.setEnabled(not busy)
        if message:
            self.window.statusBar().showMessage(message)
        else:
            self.window.statusBar().clearMessage()

    def _save_target(self, title: str, prefix: str) -> Path | None:
        """The file to write, asked with ``<prefix>-<today>.fpbundle`` in the home folder suggested
        (``.fpbundle`` added when the name typed has not got it); None when busy or cancelled."""
        if self.busy:
            return None
        suggested = Path.home() / f"{prefix}-{dt.date.today().isoformat()}{SUFFIX}"
        target = self.ask_save_path(self.window, title, suggested)
        return None if target is None else _with_suffix(str(target))

    def _write(self, job: Callable[..., Any], target: Path, saying: str,
               done: Callable[[Path, Any], None]) -> None:
        """Run ``job(db, target)`` on the database worker with the menu off and ``saying`` in the
        status bar; then ``done(target, what the job returned)``, or say why the file was not written."""
        self._set_busy(True, saying)
        self.window.runner.run_db(job, self.window.db, target,
                                  on_done=lambda result: done(target, result),
                                  on_error=lambda exc: self._write_failed(target, exc))

    # ------------------------------------------------------------ 1. unsent changes

    def export_changes(self) -> None:
        target = self._save_target(_("Save my unsent changes to a file"), "focalpoint-changes")
        if target is None:
            return
        from focalpoint.sync.bundle import export_outbox_bundle

        records = getattr(self.window, "records", None)
        if records is not None:  # what is typed in an open editor goes in the file too
            for editor in list(records.editors.values()):
                autosaver = getattr(editor, "autosaver", None)
                if autosaver is not None:
                    autosaver.flush()  # queued on the database worker before the export
        self._write(export_outbox_bundle, target, _("Saving your unsent changes…"), self._exported)

    def _exported(self, target: Path, counts: dict[str, int]) -> None:
        self._set_busy(False)
        n = counts.get("entries", 0)
        if n:
            text = "\n\n".join([
                ngettext("{n} unsent change was saved to {path}.", "{n} unsent changes were saved to {path}.",
                         n).format(n=n, path=isolate(str(target))),
                _("Take the file to a computer with an Internet link. There, choose {menu} > {action}, "
                  "then sync.").format(menu=_plain(self.menu.title()), action=_plain(self.import_action.text())),
                _("The changes stay on this computer until it hears that they arrived: sync here when you "
                  "can, or open the records file that the other computer saves for you.")])
        else:
            text = _("This computer has no unsent changes, so {path} holds none. There is nothing to "
                     "carry.").format(path=isolate(str(target)))
        self.inform(self.window, _("Changes saved to a file"), text)
        self.exported.emit(counts)

    # ------------------------------------------------------------ 2. open a file

    def import_file(self) -> None:
        if self.busy:
            return
        window = self.window
        title = _("Open a file from a USB stick")
        sync = getattr(window, "sync", None)
        if sync is not None and sync.running:
            self.warn(window, title, _("A synchronisation is running. Wait until it has finished, then open "
                                       "the file."))
            return
        source = self.ask_open_path(window, title, Path.home())
        if source is None:
            return
        records = getattr(window, "records", None)
        if records is not None and not records.close_editors():  # each editor saves first
            return
        self._set_busy(True, _("Reading the file…"))
        window.runner.run_db(import_job, window.db, Path(source),
                             on_done=lambda result: self._imported(Path(source), result),
                             on_error=self._import_failed)

    def _imported(self, source: Path, result: ImportResult) -> None:
        self._set_busy(False)
        self._reload()
        text, details = import_message(result.summary, result.titles, source)
        self.inform(self.window, _("File opened"), text, details)
        self.imported.emit(result.summary)

    def _reload(self) -> None:
        """What a finished sync re-reads: the counts, the records list, the detail, the conflicts."""
        window = self.window
        window.refresh_counts()
        if getattr(window, "records", None) is not None:
            window.records.load()
        window.catalog.refresh_detail()
        window.conflicts.refresh()

    def _import_failed(self, exc: BaseException) -> None:
        from focalpoint.sync.errors import BundleError

        self._set_busy(False)
        if isinstance(exc, BundleError):
            message = str(exc)
        else:
            message = "{summary}\n\n{detail}".format(
                summary=_("The file could not be opened; nothing was imported."), detail=self._detail(exc))
        self.warn(self.window, _("Open a file from a USB stick"), message)
        self.failed.emit(message)

    # ------------------------------------------------------------ 3. records for a computer with no link

    def export_records(self) -> None:
        target = self._save_target(_("Save records for a computer with no link"), "focalpoint-records")
        if target is None:
            return
        self._write(export_records_job, target, _("Saving the records…"), self._records_exported)

    def _records_exported(self, target: Path, counts: dict[str, Any]) -> None:
        self._set_busy(False)
        n = counts.get("records", 0)
        text = ngettext("{n} record was saved to {path}.", "{n} records were saved to {path}.", n).format(
            n=n, path=isolate(str(target)))
        acks = counts.get("acks", 0)
        if acks:
            text += " " + ngettext("It also says what became of {n} change carried here.",
                                   "It also says what became of {n} changes carried here.", acks).format(n=acks)
        text += "\n\n" + _("On the computer with no link, choose {menu} > {action} and open this file.").format(
            menu=_plain(self.menu.title()), action=_plain(self.import_action.text()))
        self.inform(self.window, _("Records saved to a file"), text)
        self.records_exported.emit(counts)

    # ------------------------------------------------------------ failures

    @staticmethod
    def _detail(exc: BaseException) -> str:
        from focalpoint.db import DatabaseError

        if isinstance(exc, DatabaseError) and hasattr(exc, "user_message"):
            return exc.user_message
        return str(exc) or exc.__class__.__name__

    def _write_failed(self, target: Path, exc: BaseException) -> None:
        self._set_busy(False)
        message = "{summary}\n\n{detail}".format(
            summary=_("The file {path} could not be written. Check that the USB stick is plugged in, "
                      "not full and not locked, then try again.").format(path=isolate(str(target))),
            detail=self._detail(exc))
        self.warn(self.window, _("USB stick"), message)
        self.failed.emit(message)


def install(window: Any) -> UsbActions:
    """Add File > USB stick to ``window.file_menu`` (after Back up and Restore, before Quit)."""
    actions = UsbActions(window)
    window.usb_actions = actions
    return actions
