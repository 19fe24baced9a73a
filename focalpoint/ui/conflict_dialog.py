"""Resolve a sync conflict field by field (issue 5, sync invariant 3).

For each field changed both here and on the server, the dialog shows the field's label
from the form definition (in the interface language), my value and the server's, and
lets the person keep mine, take theirs, or type another value (text fields). Applying
calls ``focalpoint.sync.conflicts.resolve_conflict`` on the DB worker, which writes the
result, audits it and queues it against the server's revision. UI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, get_language, localize
from focalpoint.models import Record
from focalpoint.sync.conflicts import ConflictField, conflict_details, resolve_conflict
from focalpoint.ui.review.labels import schema_label
from focalpoint.ui.review.record_view import alive, leading
from focalpoint.ui.review.values import path_value_text
from focalpoint.ui.tasks import TaskRunner
from focalpoint.ui.window_parts import TaskDialog

MINE, THEIRS, EDIT = "mine", "theirs", "edit"
DELETED_FIELD = "@deleted"


@dataclass(frozen=True)
class ConflictInfo:
    """A record in conflict as plain data: what the dialog shows."""

    identifier: str
    schema: str
    title: dict[str, str]
    server_revision: int | None
    fields: list[ConflictField] = field(default_factory=list)
    actor: str | None = None


def load_conflict(db: Database, identifier: str) -> ConflictInfo | None:
    """The fields in conflict of one record (None when it has none). DB worker."""
    from focalpoint.ui.review.data import reviewer_identity

    with db.session() as session:
        rec = session.get(Record, identifier)
        if rec is None or rec.conflict is None:
            return None
        schema, title = rec.schema, dict(rec.title or {})
        revision = rec.conflict.get("server_revision") if isinstance(rec.conflict, dict) else None
    return ConflictInfo(identifier=identifier, schema=schema, title=title, server_revision=revision,
                        fields=conflict_details(db, identifier), actor=reviewer_identity(db))


def records_in_conflict(db: Database) -> list[tuple[str, dict[str, str]]]:
    """(identifier, title) of every record waiting for the person to decide a conflict. DB worker."""
    from sqlalchemy import select

    with db.session() as session:
        rows = session.execute(select(Record.identifier, Record.title).where(Record.conflict.is_not(None))
                               .order_by(Record.updated_at.desc()))
        return [(ident, dict(title or {})) for ident, title in rows]


def _editable(conflict: ConflictField) -> bool:
    """Text fields (one language of a localized text, plain text) can take a typed value."""
    if conflict.path == DELETED_FIELD:
        return False
    return all(v is None or isinstance(v, str) for v in (conflict.mine, conflict.theirs)) and \
        any(isinstance(v, str) for v in (conflict.mine, conflict.theirs))


class FieldChoice(QGroupBox):
    """Mine, theirs or another value for one field."""

    changed = Signal()

    def __init__(self, conflict: ConflictField, info: ConflictInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.info = info
        self.setObjectName("choice_" + conflict.path)
        self.group = QButtonGroup(self)
        self.mine_button = QRadioButton(self)
        self.theirs_button = QRadioButton(self)
        self.edit_button = QRadioButton(self)
        for button, key in ((self.mine_button, MINE), (self.theirs_button, THEIRS), (self.edit_button, EDIT)):
            button.setObjectName(f"{conflict.path}_{key}")
            self.group.addButton(button)
            button.toggled.connect(self._toggled)
        self.mine_text = self._value_label()
        self.theirs_text = self._value_label()
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName(f"{conflict.path}_value")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.editor.setEnabled(False)
        self.editor.textChanged.connect(self.changed)
        self.can_edit = _editable(conflict)
        self.edit_button.setVisible(self.can_edit)
        self.editor.setVisible(self.can_edit)
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        grid.addWidget(self.mine_button, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.mine_text, 0, 1)
        grid.addWidget(self.theirs_button, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.theirs_text, 1, 1)
        grid.addWidget(self.edit_button, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.editor, 2, 1)
        self.retranslate()

    def _value_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setFrameShape(QFrame.Shape.StyledPanel)
        label.setMargin(4)
        return label

    def _toggled(self, _on: bool) -> None:
        editing = self.edit_button.isChecked()
        self.editor.setEnabled(editing)
        if editing and not self.editor.toPlainText():
            start = self.conflict.mine if isinstance(self.conflict.mine, str) else self.conflict.theirs
            self.editor.setPlainText(start or "")
            self.editor.setFocus()
        self.changed.emit()

    def choose(self, which: str, value: str | None = None) -> None:
        {MINE: self.mine_button, THEIRS: self.theirs_button, EDIT: self.edit_button}[which].setChecked(True)
        if which == EDIT and value is not None:
            self.editor.setPlainText(value)

    def choice(self) -> Any:
        """``"mine"``, ``"theirs"``, a typed value, or None while undecided."""
        if self.mine_button.isChecked():
            return MINE
        if self.theirs_button.isChecked():
            return THEIRS
        if self.edit_button.isChecked():
            text = self.editor.toPlainText()
            return {"value": text} if text in (MINE, THEIRS) else text
        return None

    def _text(self, value: Any, side: str) -> str:
        from focalpoint.forms import load_form

        if self.conflict.path == DELETED_FIELD:
            if value is None:
                return _("You deleted this record.") if side == MINE else _("The server deleted this record.")
            return _("Your copy, with your changes.") if side == MINE else _(
                "The server's copy (revision {revision}).").format(revision=self.info.server_revision or "?")
        try:
            form = load_form(self.info.schema)
        except KeyError:
            form = None
        return path_value_text(form, self.conflict.path, value, get_language()) or _("(empty)")

    def retranslate(self) -> None:
        from focalpoint.forms import field_label

        lang = get_language()
        if self.conflict.path == DELETED_FIELD:
            self.setTitle(_("Deleted on one side, changed on the other"))
        else:
            self.setTitle(field_label(self.info.schema, self.conflict.path, lang))
        self.mine_button.setText(_("Keep &mine"))
        self.theirs_button.setText(_("Take the &server's"))
        self.edit_button.setText(_("&Other value:"))
        self.mine_text.setText(self._text(self.conflict.mine, MINE))
        self.theirs_text.setText(self._text(self.conflict.theirs, THEIRS))
        for label in (self.mine_text, self.theirs_text):
            label.setAlignment(leading() | Qt.AlignmentFlag.AlignTop)


class ConflictDialog(TaskDialog):
    """Decide every conflicting field of one record, then apply."""

    loaded = Signal()
    resolved = Signal(str)  # record identifier

    def __init__(self, db: Database, runner: TaskRunner, identifier: str, parent: QWidget | None = None) -> None:
        super().__init__("conflictMessage", parent)
        self.setObjectName("conflictDialog")
        self.db = db
        self.runner = runner
        self.identifier = identifier
        self.info: ConflictInfo | None = None
        self.choices: dict[str, FieldChoice] = {}

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.all_mine = QPushButton(self)
        self.all_theirs = QPushButton(self)
        self.all_mine.clicked.connect(lambda: self._choose_all(MINE))
        self.all_theirs.clicked.connect(lambda: self._choose_all(THEIRS))
        shortcuts = QHBoxLayout()
        shortcuts.addWidget(self.all_mine)
        shortcuts.addWidget(self.all_theirs)
        shortcuts.addStretch(1)
        self.fields_box = QWidget(self)
        self.fields_layout = QVBoxLayout(self.fields_box)
        self.fields_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields_box)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton(self)
        self.apply_button.setObjectName("applyButton")
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(shortcuts)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(860, 620)
        self.retranslate()
        self._update()

    def load(self) -> None:
        self.runner.run_db(load_conflict, self.db, self.identifier, on_done=self._show, on_error=self._failed)

    def _show(self, info: ConflictInfo | None) -> None:
        if not alive(self):
            return
        self.info = info
        for choice in self.choices.values():
            choice.hide()
            choice.deleteLater()
        self.choices = {}
        if info is None:
            self._say(_("This record has no conflict to resolve any more."))
        else:
            for conflict in info.fields:
                choice = FieldChoice(conflict, info, self.fields_box)
                choice.changed.connect(self._update)
                self.fields_layout.insertWidget(self.fields_layout.count() - 1, choice)
                self.choices[conflict.path] = choice
        self.retranslate()
        self._update()
        self.loaded.emit()

    def _choose_all(self, which: str) -> None:
        for choice in self.choices.values():
            choice.choose(which)

    def choose(self, path: str, which: str, value: str | None = None) -> None:
        self.choices[path].choose(which, value)

    def undecided(self) -> list[str]:
        return [path for path, c in self.choices.items() if c.choice() is None]

    def _update(self) -> None:
        ready = bool(self.choices) and not self.undecided() and not self.busy
        self.apply_button.setEnabled(ready)
        self.all_mine.setEnabled(bool(self.choices) and not self.busy)
        self.all_theirs.setEnabled(bool(self.choices) and not self.busy)

    def apply(self) -> None:
        if not self.apply_button.isEnabled() or self.info is None:
            return
        choices = {path: c.choice() for path, c in self.choices.items()}
        self.busy = True
        self._update()
        self._say(_("Saving your choices…"))
        self.runner.run_db(resolve_conflict, self.db, self.identifier, choices, actor=self.info.actor,
                           on_done=self._resolved, on_error=self._failed)

    def _resolved(self, _view: Any) -> None:
        if not alive(self):
            return
        self.busy = False
        self._say(_("Resolved. The result will be sent at the next sync."))
        self.resolved.emit(self.identifier)
        self.accept()

    def retranslate(self) -> None:
        lang = get_language()
        title = localize(self.info.title, lang) if self.info else ""
        self.setWindowTitle(_("Resolve the conflict: {title}").format(title=title or self.identifier))
        if self.info is not None:
            self.intro.setText(_("“{title}” ({type}) was changed on this computer and on the server (revision "
                                 "{revision}) in the same places. For each field, keep your version, take the "
                                 "server's, or type the value to keep. Other changes were merged already.").format(
                title=title or self.identifier, type=schema_label(self.info.schema, lang),
                revision=self.info.server_revision if self.info.server_revision is not None else "?"))
        self.all_mine.setText(_("Keep all &mine"))
        self.all_theirs.setText(_("Take all the &server's"))
        self.apply_button.setText(_("&Apply"))
        for choice in self.choices.values():
            choice.retranslate()
