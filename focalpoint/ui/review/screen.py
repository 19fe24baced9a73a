"""The review screen: one pending request, the record in full, its changes, the checklist, the decision.

Approve applies to exactly the revision shown (sync invariant 6); Reject needs a reason
(the button stays disabled until one is typed). Both are queued offline by
``focalpoint.review`` on the DB worker and sent at the next sync; a refusal by the core
(``RecordError``: your own request, another government, no longer pending…) is shown in
words under the buttons. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from focalpoint import review
from focalpoint.db import Database
from focalpoint.i18n import _, format_datetime, get_language, localize, ngettext
from focalpoint.models import utcnow
from focalpoint.records import RecordError
from focalpoint.ui.review.checklist import ChecklistWidget
from focalpoint.ui.review.data import ReviewData, load_review
from focalpoint.ui.review.labels import age_text, government_label, schema_label
from focalpoint.ui.review.record_view import ChangesView, RecordReadOnlyView, alive, leading
from focalpoint.ui.widgets import set_heading_font

if TYPE_CHECKING:
    from focalpoint.forms.model import FormDefinition
    from focalpoint.ui.tasks import TaskRunner

ERROR_STYLE = "QLabel { color: #a4262c; }"
DONE_STYLE = "QLabel { color: #2e6b30; }"


def error_text(exc: BaseException) -> str:
    """A refusal or failure in words (core errors are already the person's message)."""
    if isinstance(exc, RecordError):
        return str(exc)
    message = getattr(exc, "user_message", None)
    if message:
        return str(message)
    return _("The decision could not be saved: {error}").format(error=str(exc) or type(exc).__name__)


class ReviewScreen(QWidget):
    """Review one publication request. Opens as its own window."""

    decided = Signal(str, str)       # workflow id, "approve" | "reject"
    loaded = Signal()
    history_requested = Signal(str)  # record identifier

    def __init__(self, db: Database, runner: TaskRunner, workflow_id: str, parent: QWidget | None = None,
                 *, open_editor: Callable[[str], None] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow,
                 confirm: Callable[[str, str, str], bool] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewScreen")
        if confirm is None:
            from focalpoint.ui.widgets import dialog_confirm

            confirm = dialog_confirm(self)
        self.confirm = confirm  # (title, question, yes-button text) -> yes?
        self.db = db
        self.runner = runner
        self.workflow_id = workflow_id
        self.open_editor = open_editor
        self.clock = clock
        self.data: ReviewData | None = None
        self.busy = False
        self.decision: str | None = None

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        set_heading_font(self.heading, 1.3)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.hide()

        self.record_view = RecordReadOnlyView(self)
        self.changes_view = ChangesView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("reviewTabs")
        self.tabs.addTab(self.record_view, "")
        self.tabs.addTab(self.changes_view, "")

        self.checklist = ChecklistWidget(self)
        self.checklist_scroll = QScrollArea(self)
        self.checklist_scroll.setWidgetResizable(True)
        self.checklist_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.checklist_scroll.setWidget(self.checklist)
        self.checklist.changed.connect(self._update_buttons)

        self.decision_box = QGroupBox(self)
        self.reason_label = QLabel(self.decision_box)
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit(self.decision_box)
        self.reason.setObjectName("rejectReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.reason_label.setBuddy(self.reason)
        self.reason.textChanged.connect(self._update_buttons)
        self.approve_button = QPushButton(self.decision_box)
        self.approve_button.setObjectName("approveButton")
        self.reject_button = QPushButton(self.decision_box)
        self.reject_button.setObjectName("rejectButton")
        self.editor_button = QPushButton(self.decision_box)
        self.editor_button.setVisible(open_editor is not None)
        self.history_button = QPushButton(self.decision_box)
        self.message = QLabel(self.decision_box)
        self.message.setObjectName("reviewMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.editor_button.clicked.connect(self._open_in_editor)
        self.history_button.clicked.connect(self._history)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.editor_button)
        buttons.addWidget(self.history_button)
        box = QVBoxLayout(self.decision_box)
        box.addWidget(self.reason_label)
        box.addWidget(self.reason)
        box.addLayout(buttons)
        box.addWidget(self.message)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.checklist_scroll, 1)
        right_layout.addWidget(self.decision_box)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.warning)
        layout.addWidget(self.splitter, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        from focalpoint.ui.screen_fit import fit_window

        fit_window(self, QSize(1200, 780))  # the decision buttons and messages stay on a 1366x768 screen
        self.retranslate()
        self._update_buttons()

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        """Read the request and the record (DB worker)."""
        self.busy = True
        self._update_buttons()
        self.record_view.show_message(_("Loading…"))
        self.runner.run_db(load_review, self.db, self.workflow_id, now=self.clock(),
                           on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        """Loading the request, or approving or rejecting it, failed: say why."""
        if not alive(self):
            return
        self.busy = False
        self._say(error_text(exc), error=True)
        self._update_buttons()

    def _show(self, data: ReviewData | None) -> None:
        if not alive(self):
            return
        self.busy = False
        self.data = data
        if data is None:
            self.record_view.show_message(_("This request is no longer pending on this computer. Sync to fetch "
                                            "the latest requests."))
            self.decision = "gone"
        else:
            self.decision = data.item.decision
        self.retranslate()  # renders the record in the interface language
        self._update_buttons()
        self.loaded.emit()

    def _form(self) -> FormDefinition | None:
        from focalpoint.forms import load_form

        try:
            return load_form(self.data.item.schema) if self.data else None
        except KeyError:
            return None

    def _render(self) -> None:
        data = self.data
        if data is None:
            return
        form = self._form()
        if data.document is None:
            self.record_view.show_message(_("The record itself has not been received on this computer yet. Sync, "
                                            "then review it."))
        elif form is None:
            self.record_view.show_message(_("FocalPoint has no form for records of type {schema}.").format(
                schema=data.item.schema))
        else:
            self.record_view.show_document(form, data.document, data.titles)
        self.changes_view.show_changes(form, data.changes, data.titles, published=data.published is not None)
        warnings = []
        if data.document is None:
            warnings.append(_("The record has not been received yet: it cannot be approved or rejected here."))
        if data.revision_mismatch:
            warnings.append(_("The request is for revision {requested}, but this computer has revision {local}. "
                              "Sync before deciding, so that you approve what you have read.").format(
                requested=data.item.revision, local=data.local_revision))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        if data.item.decision:
            self.checklist.set_read_only(True)

    # ------------------------------------------------------------ decision

    def can_decide(self) -> bool:
        data = self.data
        return (not self.busy and self.decision is None and data is not None and data.document is not None)

    def _update_buttons(self) -> None:
        ok = self.can_decide()
        data = self.data
        self.approve_button.setEnabled(ok and data is not None and not data.revision_mismatch
                                       and data.reviewed_revision is not None)
        self.reject_button.setEnabled(ok and bool(self.reason.toPlainText().strip()))
        self.reason.setReadOnly(not ok)
        self.editor_button.setEnabled(data is not None and data.document is not None)
        self.history_button.setEnabled(data is not None)

    def approve(self) -> None:
        data = self.data
        if not self.approve_button.isEnabled() or data is None:
            return
        if data.item.removal:
            if not self.confirm(
                    _("Approve removal"),
                    _("Approving removes “{title}” from the clearing-house for everyone, at the next sync. "
                      "Approve the removal?").format(
                        title=localize(data.item.title, get_language()) or _("(untitled)")),
                    _("Approve removal")):
                return
        elif not self._checklist_allows_approval():
            return
        self._start("approve")
        self.runner.run_db(review.approve, self.db, self.workflow_id, actor=data.actor,
                           revision=data.reviewed_revision, checklist=self.checklist.document(),
                           on_done=lambda item: self._decided("approve", item), on_error=self._failed)

    def _checklist_allows_approval(self) -> bool:
        """A publication is approved on an answered checklist: every item answered, a "Fail" only
        with a note saying why; then the reviewer confirms, seeing how the items were answered."""
        checklist = self.checklist
        unanswered = checklist.unanswered()
        if unanswered:
            self._say(ngettext("Answer every item of the checklist before approving: {n} item is not answered "
                               "yet ({item}).",
                               "Answer every item of the checklist before approving: {n} items are not answered "
                               "yet (the first: {item}).", len(unanswered)).format(
                n=len(unanswered), item=checklist.item_label(unanswered[0])), error=True)
            self.checklist_scroll.ensureWidgetVisible(checklist.rows[unanswered[0]])
            return False
        failed = checklist.failed_without_note()
        if failed:
            self._say(_("“{item}” is marked {fail}: write in its comment what is wrong, or reject the record "
                        "instead.").format(item=checklist.item_label(failed[0]),
                                           fail=dict(checklist.answer_labels())["fail"]), error=True)
            row = checklist.rows[failed[0]]
            self.checklist_scroll.ensureWidgetVisible(row)
            row.comment.setFocus()
            return False
        counts = checklist.counts()
        summary = "\n".join(_("{answer}: {n}").format(answer=label, n=counts[key])
                             for key, label in checklist.answer_labels())
        data = self.data
        question = _("Checklist:\n{summary}\n\nApprove revision {revision} of “{title}”? The approval is sent at "
                     "the next sync.").format(
            summary=summary, revision=data.reviewed_revision if data and data.reviewed_revision is not None else "?",
            title=(localize(data.item.title, get_language()) if data else "") or _("(untitled)"))
        answer = QMessageBox.question(self, _("Approve the publication"), question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            self._say(_("Not approved: nothing was saved."))
            return False
        return True

    def reject(self) -> None:
        data = self.data
        reason = self.reason.toPlainText().strip()
        if not self.reject_button.isEnabled() or data is None or not reason:
            return
        self._start("reject")
        self.runner.run_db(review.reject, self.db, self.workflow_id, reason, actor=data.actor,
                           checklist=self.checklist.document(),
                           on_done=lambda item: self._decided("reject", item), on_error=self._failed)

    def _start(self, action: str) -> None:
        self.busy = True
        self._say(_("Saving your decision…"))
        self._update_buttons()

    def _decided(self, action: str, _item: Any) -> None:
        if not alive(self):
            return
        self.busy = False
        self.decision = action
        self.checklist.set_read_only(True)
        if action == "approve":
            self._say(_("Approved. The approval of revision {revision} is saved on this computer and will be sent "
                        "at the next sync.").format(revision=self.data.reviewed_revision if self.data else "?"),
                      done=True)
        else:
            self._say(_("Rejected. The rejection and its reason are saved on this computer and will be sent at "
                        "the next sync."), done=True)
        self._update_buttons()
        self.decided.emit(self.workflow_id, action)

    def _say(self, text: str, *, error: bool = False, done: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else DONE_STYLE if done else "")
        self.message.setText(text)

    # ------------------------------------------------------------ others

    def _open_in_editor(self) -> None:
        if self.open_editor is not None and self.data is not None:
            self.open_editor(self.data.item.identifier)

    def _history(self) -> None:
        if self.data is not None:
            self.history_requested.emit(self.data.item.identifier)

    def retranslate(self) -> None:
        lang = get_language()
        data = self.data
        title = localize(data.item.title, lang) if data else ""
        self.setWindowTitle(_("Review: {title}").format(title=title or _("(untitled)")))
        self.heading.setText(title or _("(untitled)"))
        if data is not None:
            item = data.item
            self.facts.setText(_("{type} · {government} · requested by {author} on {date} ({age} ago) · "
                                 "revision {revision}").format(
                type=schema_label(item.schema, lang), government=government_label(item.government, lang) or "—",
                author=item.author or _("unknown"), date=format_datetime(item.requested_at, lang, fmt="medium"),
                age=age_text(item.age), revision=item.revision if item.revision is not None else "?"))
            if item.overdue and not self.decision:
                self.facts.setText(self.facts.text() + " · " + _("overdue"))
            if item.removal:
                self.facts.setText(_("REMOVAL REQUEST: approving removes this record from the clearing-house.")
                                   + "\n" + self.facts.text())
            if item.decision and not self.message.text():
                self._say(_("You already decided on this request ({decision}); the decision waits for the next "
                            "sync.").format(decision=_("approved") if item.decision == "approve" else _("rejected")),
                          done=True)
            self.tabs.setTabText(1, _("Changes since publication ({n})").format(n=len(data.changes))
                                 if data.published is not None else _("Changes since publication"))
            self._render()
        else:
            self.tabs.setTabText(1, _("Changes since publication"))
        for label in (self.heading, self.facts, self.warning, self.message):
            label.setAlignment(leading() | Qt.AlignmentFlag.AlignVCenter)
        self.tabs.setTabText(0, _("Record"))
        self.checklist.retranslate()
        self.decision_box.setTitle(_("Decision"))
        self.reason_label.setText(_("Reason for rejection (required to reject; the author sees it):"))
        self.reason.setPlaceholderText(_("What must the author correct?"))
        removal = data is not None and data.item.removal
        self.approve_button.setText(_("&Approve removal") if removal else _("&Approve"))
        self.approve_button.setToolTip(_("Remove the record from the clearing-house; sent at the next sync")
                                       if removal else _("Approve exactly the revision shown, once every checklist "
                                                         "item is answered; sent at the next sync"))
        self.reject_button.setText(_("&Reject"))
        self.reject_button.setToolTip(_("Type a reason first"))
        self.editor_button.setText(_("Open in the &editor"))
        self.history_button.setText(_("&History…"))
