"""The record editor window: the generated form, autosave, validation, languages, support.

Validation runs as the person types (debounced, on the UI thread: it is pure and fast);
its messages appear under the fields in the interface language and in a "Problems"
list. "Required" messages wait until the person asks to mark the record ready, so a
new form does not open covered in red. Saving goes through ``Autosaver`` (DB worker).
UI thread only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.forms.model import FormDefinition
from focalpoint.i18n import LANGUAGES, NATIVE_NAMES, _, get_language, localize, ngettext
from focalpoint.models import RecordStatus
from focalpoint.records import RecordStore, RecordView
from focalpoint.ui.editor.autosave import Autosaver
from focalpoint.ui.editor.context import ChoiceSource, EditorContext
from focalpoint.ui.editor.form_view import FormView
from focalpoint.ui.records_model import status_label, sync_label
from focalpoint.ui.widgets import set_heading_font

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner

VALIDATE_DELAY_MS = 300
MANDATORY_CODES = ("Error.Mandatory", "Error.MandatoryAnyOf")
NEEDS_SCHEMA = "capacityNeedsAssessment"


def _validate(document: dict[str, Any]) -> list[Any]:
    from focalpoint.forms import validate

    return validate(document)


class RecordEditorWindow(QMainWindow):
    """Edits one record. Emits ``saved`` after each autosave, ``closed`` when it goes."""

    saved = Signal(object)
    closed = Signal(str)
    duplicate_requested = Signal(dict)
    delete_requested = Signal(str)
    open_record_requested = Signal(str)
    submit_requested = Signal(str)  # "Request publication" (the records panel sends the request)

    def __init__(self, form: FormDefinition, document: dict[str, Any], *, db: Database | None, runner: TaskRunner,
                 store: RecordStore, record: RecordView | None = None, data_dir: Path | None = None,
                 validator: Callable[[dict[str, Any]], list[Any]] = _validate,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setObjectName("recordEditor")
        self.form_def = form
        self.db = db
        self.runner = runner
        self.store = store
        self.record = record
        self.validator = validator
        self.identifier: str = document["header"]["identifier"]
        self._show_mandatory = False
        self._errors: list[Any] = []
        self._support: list[list[dict[str, Any]]] = []
        self._support_seq = 0

        languages = [lang for lang in (document.get("header") or {}).get("languages") or [] if lang in LANGUAGES]
        self.ctx = EditorContext(runner=runner, db=db, data_dir=data_dir,
                                 choices=ChoiceSource(db, runner, self), languages=languages or ["en"],
                                 identifier=self.identifier)

        # ---- header: title, status, languages
        self.title_label = QLabel(self)
        self.title_label.setObjectName("editorTitle")
        set_heading_font(self.title_label, 1.35)
        self.title_label.setWordWrap(True)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("editorState")
        self.state_label.setWordWrap(True)  # a rejection's reason can be long
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.locked_label = QLabel(self)
        self.locked_label.setWordWrap(True)
        self.locked_label.setStyleSheet("background: #fff4ce; color: #5c4400; padding: 4px;")
        self.locked_label.hide()
        self.languages_label = QLabel(self)
        self.language_boxes: dict[str, QCheckBox] = {}
        lang_row = QHBoxLayout()
        lang_row.addWidget(self.languages_label)
        for code in LANGUAGES:
            box = QCheckBox(NATIVE_NAMES[code], self)
            box.setObjectName(f"recordLanguage_{code}")
            box.setChecked(code in self.ctx.languages)
            box.toggled.connect(self._languages_toggled)
            self.language_boxes[code] = box
            lang_row.addWidget(box)
        lang_row.addStretch(1)

        # ---- the form and the side panel
        self.form_view = FormView(form, self.ctx, self)
        self.form_view.set_document(document)
        self.form_view.changed.connect(self._on_changed)

        self.side = QTabWidget(self)
        self.problems = QListWidget(self.side)
        self.problems.setObjectName("problemsList")
        self.problems.setWordWrap(True)
        self.problems.setSpacing(3)
        self.problems.setAlternatingRowColors(True)
        self.problems.itemActivated.connect(self._go_to_problem)
        self.problems.itemClicked.connect(self._go_to_problem)
        self.side.addTab(self.problems, "")
        self.support_list: QListWidget | None = None
        if form.schema == NEEDS_SCHEMA:
            self.support_list = QListWidget(self.side)
            self.support_list.setObjectName("possibleSupport")
            self.support_list.setWordWrap(True)
            self.support_list.setSpacing(2)
            self.support_list.itemActivated.connect(self._open_support)
            self.support_list.itemDoubleClicked.connect(self._open_support)
            self.side.addTab(self.support_list, "")

        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.form_view)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.state_label)
        layout.addWidget(self.locked_label)
        layout.addLayout(lang_row)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        # ---- actions
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("editorToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.save_action = self._action(QKeySequence.StandardKey.Save, self.save_now)
        self.ready_action = self._action(QKeySequence("Ctrl+Return"), self.toggle_ready)
        self.duplicate_action = self._action(QKeySequence("Ctrl+D"), self.duplicate)
        self.delete_action = self._action(QKeySequence.StandardKey.Delete, self.delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # not while typing
        self.submit_action = self._action(QKeySequence("Ctrl+Shift+P"), self.request_publication)
        self.submit_action.setObjectName("editorRequestPublication")
        self.close_action = self._action(QKeySequence.StandardKey.Close, self.close)
        for action in (self.save_action, self.ready_action, self.submit_action, self.duplicate_action,
                       self.delete_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.close_action)

        # no parent: a save still running when the window closes must still report (see closeEvent)
        self.autosaver = Autosaver(store, runner, self.form_view.document)
        self.autosaver.mark_saved(self.form_view.document())
        self.autosaver.state_changed.connect(self.statusBar().showMessage)
        self.autosaver.saved.connect(self._on_saved)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate_now)

        from focalpoint.ui.screen_fit import fit_window

        fit_window(self, QSize(1100, 780))  # never past the screen: the form scrolls, the toolbar stays
        splitter.setSizes([self.width() * 2 // 3, self.width() // 3])
        self._apply_lock()
        self._retranslate_own()
        self._refresh_support()

    def _action(self, shortcut: QKeySequence | QKeySequence.StandardKey, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ------------------------------------------------------------- editing

    def document(self) -> dict[str, Any]:
        return self.form_view.document()

    def _on_changed(self) -> None:
        self.autosaver.schedule()
        self._validate_timer.start()
        self._update_title()

    def _languages_toggled(self, _checked: bool) -> None:
        chosen = [code for code, box in self.language_boxes.items() if box.isChecked()]
        if not chosen:  # a record is written in at least one language
            sender = self.sender()
            if isinstance(sender, QCheckBox):
                sender.blockSignals(True)
                sender.setChecked(True)
                sender.blockSignals(False)
            return
        self.form_view.set_languages(chosen)
        self._on_changed()

    def save_now(self) -> None:
        self.autosaver.flush()

    def toggle_ready(self) -> None:
        """Mark the record ready (it must validate), or take it back to draft."""
        status = self.record.status if self.record else RecordStatus.DRAFT
        if status == RecordStatus.READY:
            self.autosaver.status = RecordStatus.DRAFT
            self.autosaver.flush()
            return
        self._show_mandatory = True
        self.validate_now()
        if self._errors:
            self.side.setCurrentWidget(self.problems)
            if self.problems.count():
                self.problems.setCurrentRow(0)
                self._go_to_problem(self.problems.item(0))
            self.statusBar().showMessage(_("The record cannot be marked ready yet: see the problems listed."), 8000)
            return
        self.autosaver.status = RecordStatus.READY
        self.autosaver.flush()

    def duplicate(self) -> None:
        self.autosaver.flush()
        self.duplicate_requested.emit(copy.deepcopy(self.document()))

    def delete(self) -> None:
        self.delete_requested.emit(self.identifier)

    def request_publication(self) -> None:
        """Check the record like "Mark ready" does, then ask for its publication."""
        self._show_mandatory = True
        self.validate_now()
        if self._errors:
            self.side.setCurrentWidget(self.problems)
            self.statusBar().showMessage(_("Publication cannot be requested yet: see the problems listed."), 8000)
            return
        self.autosaver.flush(force=True)
        self.submit_requested.emit(self.identifier)

    def set_record(self, view: RecordView) -> None:
        """The record's state changed elsewhere (a request sent or withdrawn)."""
        before = self.record.status if self.record is not None else None
        self.record = view
        self._update_state()
        if view.status == RecordStatus.SUBMITTED and before != RecordStatus.SUBMITTED:  # the request's confirmation says who reviews
            from focalpoint.ui.review.labels import reviewer_text

            self.statusBar().showMessage(_("Publication requested. {reviewer}; the request is sent at the next "
                                           "sync.").format(reviewer=reviewer_text(view.schema)), 15000)

    def _on_saved(self, view: RecordView) -> None:
        self.record = view
        self._update_state()
        self.saved.emit(view)
        self._refresh_support()

    def allow_review_edit(self) -> None:
        """Opened by the publishing authority reviewing this record: edit it, then approve.

        Saves keep the record submitted (still locked for its author); the approval made next
        applies to the revision these edits make on the hub (``review.approve``)."""
        from focalpoint.review import save_review_edit

        db, identifier = self.db, self.identifier
        if db is None:
            raise RuntimeError("A review edit saves to the database, and this editor has none.")
        self.review_edit = True
        self.autosaver.keep_status = RecordStatus.SUBMITTED
        self.autosaver.save_fn = lambda document, status=None: save_review_edit(db, identifier, document)
        self._apply_lock()

    def _locked_text(self) -> None:
        record = getattr(self, "record", None)
        if record is not None and record.status == RecordStatus.REMOVAL:
            self.locked_label.setText(_("The removal of this record from the clearing-house is waiting for "
                                        "review, so it cannot be changed. Withdraw the removal request to "
                                        "edit it."))
        else:
            self.locked_label.setText(_("This record is waiting for review and cannot be changed. Cancel the "
                                        "publication request to edit it."))

    def _apply_lock(self) -> None:
        locked = (self.record is not None and self.record.status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL)
                  and not getattr(self, "review_edit", False))
        self._locked_text()
        self.form_view.setEnabled(not locked)
        for box in self.language_boxes.values():
            box.setEnabled(not locked)
        self.autosaver.enabled = not locked
        self.locked_label.setVisible(locked)

    # ---------------------------------------------------------- validation

    def validate_now(self) -> list[Any]:
        self._validate_timer.stop()
        try:
            errors = list(self.validator(self.document()))
        except Exception as exc:  # a definition problem must not lose the person's work
            self.statusBar().showMessage(_("Validation failed: {error}").format(error=exc), 8000)
            errors = []
        self._errors = errors
        shown = errors if self._show_mandatory else [e for e in errors if e.code not in MANDATORY_CODES]
        self.form_view.show_errors(shown)
        self._fill_problems()
        return errors

    @property
    def errors(self) -> list[Any]:
        return list(self._errors)

    def _fill_problems(self) -> None:
        lang = get_language()
        self.problems.clear()
        for error in self._errors:
            item = QListWidgetItem(error.message(lang))
            item.setData(Qt.ItemDataRole.UserRole, error.property)
            self.problems.addItem(item)
        if not self._errors:
            item = QListWidgetItem(_("No problems: this record can be marked ready."))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.problems.addItem(item)
        n = len(self._errors)
        self.side.setTabText(0, ngettext("Problems ({n})", "Problems ({n})", n).format(n=n) if n
                             else _("Problems"))

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if not path:
            return
        row = self.form_view.row_for(path)
        if row is None:
            return
        self._show_mandatory = True
        _opened = row.widget  # a folded need opens, so the error can sit beside its field
        self.validate_now()
        self.form_view.focus_row(self.form_view.row_for(path) or row)

    # ------------------------------------------------------- possible support

    def _refresh_support(self) -> None:
        if self.support_list is None or self.db is None:
            return
        from focalpoint.ui.editor.support import possible_support

        needs = [n for n in (self.document().get("needs") or []) if isinstance(n, dict)]
        self._support_seq += 1
        seq = self._support_seq
        self.runner.run_db(possible_support, self.db, needs,
                           on_done=lambda result: self._show_support(seq, needs, result))

    def _show_support(self, seq: int, needs: list[dict[str, Any]], result: list[list[dict[str, Any]]]) -> None:
        if seq != self._support_seq or self.support_list is None:
            return
        self._support_needs = needs
        self._support = result
        self._render_support()

    def _render_support(self) -> None:
        if self.support_list is None:
            return
        lang = get_language()
        self.support_list.clear()
        needs = getattr(self, "_support_needs", [])
        total = 0
        for i, (need, matches) in enumerate(zip(needs, self._support, strict=False)):
            title = localize(need.get("title"), lang) or _("Need {n}").format(n=i + 1)
            head = QListWidgetItem(_("Need {n}: {title}").format(n=i + 1, title=title))
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.support_list.addItem(head)
            if not matches:
                none = QListWidgetItem("    " + _("Nothing stored here shares its targets or subjects yet."))
                none.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.support_list.addItem(none)
            for match in matches:
                total += 1
                kind = _("Initiative") if match["schema"] == "capacityBuildingInitiative" else _("Resource")
                item = QListWidgetItem("    " + _("{kind}: {title}").format(
                    kind=kind, title=localize(match["title"], lang) or _("(untitled)")))
                item.setData(Qt.ItemDataRole.UserRole, match["identifier"])
                item.setToolTip(", ".join(match["shared"]))
                self.support_list.addItem(item)
        if not needs:
            item = QListWidgetItem(_("Add a need with its Aichi targets or subjects to see initiatives and "
                                     "resources that could help."))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.support_list.addItem(item)
        index = self.side.indexOf(self.support_list)
        self.side.setTabText(index, _("Possible support ({n})").format(n=total) if total else _("Possible support"))

    def support_items(self) -> list[str]:
        """Identifiers listed in the possible-support panel (tests)."""
        if self.support_list is None:
            return []
        return [self.support_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.support_list.count())
                if self.support_list.item(i).data(Qt.ItemDataRole.UserRole)]

    def _open_support(self, item: QListWidgetItem) -> None:
        identifier = item.data(Qt.ItemDataRole.UserRole)
        if identifier:
            self.open_record_requested.emit(identifier)

    # ------------------------------------------------------------ language

    def _update_title(self) -> None:
        doc_title = localize(self.document().get("title") or self.document().get("name"), get_language())
        kind = localize(self.form_def.label, get_language()) or self.form_def.schema
        self.title_label.setText(doc_title or _("New {kind}").format(kind=kind))
        self.setWindowTitle(_("{title} — {kind}").format(title=doc_title or _("(untitled)"), kind=kind))

    def _update_state(self) -> None:
        if self.record is None:
            self.state_label.setText(_("Not saved yet: it is saved as soon as you type."))
        else:
            text = _("Status: {status} · Sync: {sync}").format(
                status=status_label(self.record.status), sync=sync_label(self.record.sync_state))
            if self.record.status in (RecordStatus.SUBMITTED, RecordStatus.REMOVAL):
                from focalpoint.ui.review.labels import reviewer_text

                text += " · " + reviewer_text(self.record.schema)
            elif self.record.status == RecordStatus.REJECTED:
                decision = getattr(self, "_decision", None)
                if decision is not None and decision[0] == self.record.local_revision:
                    from focalpoint.ui.review.labels import decision_text

                    text += "\n" + decision_text(decision[1])
                else:
                    self._load_decision()
            self.state_label.setText(text)
        ready = self.record is not None and self.record.status == RecordStatus.READY
        self.ready_action.setText(_("Back to &draft") if ready else _("Mark &ready"))
        requestable = self.record is not None and self.record.status in (RecordStatus.DRAFT, RecordStatus.READY, RecordStatus.REJECTED)
        self.submit_action.setEnabled(requestable or self.record is None)
        self._apply_lock()

    def _load_decision(self) -> None:
        """Read why the record was rejected, by whom and when (DB worker), then show it in the status line."""
        if self.db is None or self.record is None or getattr(self, "_decision_pending", False):
            return
        from focalpoint.review import last_decision

        self._decision_pending = True
        revision = self.record.local_revision

        def got(decision: dict[str, Any] | None) -> None:
            import shiboken6

            if not shiboken6.isValid(self):
                return
            self._decision_pending = False
            self._decision = (revision, decision or {})
            self._update_state()

        def failed(_exc: BaseException) -> None:
            self._decision_pending = False

        self.runner.run_db(last_decision, self.db, self.identifier, on_done=got, on_error=failed)

    def retranslate(self) -> None:
        """The interface language changed: the window and every field of the form."""
        self.form_view.retranslate()
        self._retranslate_own()

    def _retranslate_own(self) -> None:
        self.languages_label.setText(_("Written in:"))
        self.save_action.setText(_("&Save now"))
        self.duplicate_action.setText(_("D&uplicate"))
        self.delete_action.setText(_("De&lete…"))
        self.submit_action.setText(_("Request &publication"))
        self.submit_action.setToolTip(_("Ask a publishing authority to publish this record on the clearing-house "
                                        "(sent at the next sync)"))
        self.close_action.setText(_("&Close"))
        self.side.setTabText(0, _("Problems"))
        self._locked_text()
        self._update_title()
        self._update_state()
        self.validate_now()
        self._render_support()
        self.statusBar().showMessage(self.autosaver.describe())

    # ------------------------------------------------------------ lifetime

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._validate_timer.stop()
        self.autosaver.flush()
        self.autosaver.detach()
        self.closed.emit(self.identifier)
        super().closeEvent(event)
