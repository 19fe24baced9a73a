"""A record shown read-only, labelled from its form definition, and its changes field by field.

Plain labels in grid layouts (not rich text): they wrap, can be selected and copied, and
mirror by themselves in a right-to-left interface. Each value label takes the direction
of its own text (Arabic in an English interface stays right to left). UI thread only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from focalpoint.forms import FormDefinition, field_label
from focalpoint.i18n import _, get_language, is_rtl
from focalpoint.review import FieldChange
from focalpoint.ui.review.values import Titles, document_rows, path_value_text

INDENT = 18


def alive(widget: QWidget) -> bool:
    """False once Qt has deleted the widget (a window closed while its data was being read)."""
    import shiboken6

    return shiboken6.isValid(widget)


def leading() -> Qt.AlignmentFlag:
    """The interface's leading edge as an absolute alignment.

    A label otherwise aligns each text by its own direction, so a Latin value in an Arabic
    interface would sit on the far side of its column, away from its label.
    """
    side = Qt.AlignmentFlag.AlignRight if is_rtl() else Qt.AlignmentFlag.AlignLeft
    return Qt.AlignmentFlag.AlignAbsolute | side


def _value_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | leading())
    return label


def _caption(text: str, parent: QWidget, *, bold: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | leading())
    label.setForegroundRole(QPalette.ColorRole.WindowText)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class _Page(QScrollArea):
    """A scrolling page whose content is rebuilt from scratch on every show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._content: QWidget | None = None
        self.labels: list[QLabel] = []

    def _fresh(self) -> QVBoxLayout:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self._content = QWidget()
        self._content.setBackgroundRole(QPalette.ColorRole.Base)
        self._content.setAutoFillBackground(True)
        self.labels = []
        layout = QVBoxLayout(self._content)
        layout.setContentsMargins(10, 8, 10, 8)
        self.setWidget(self._content)
        return layout

    def _label(self, text: str, *, bold: bool = False, value: bool = False) -> QLabel:
        assert self._content is not None
        label = _value_label(text, self._content) if value else _caption(text, self._content, bold=bold)
        self.labels.append(label)
        return label

    def texts(self) -> list[str]:
        """Every text shown, in order (tests, screen readers)."""
        return [label.text() for label in self.labels]


class RecordReadOnlyView(_Page):
    """The whole record, section by section, field label beside its value."""

    def show_message(self, message: str) -> None:
        layout = self._fresh()
        layout.addWidget(self._label(message, value=True))
        layout.addStretch(1)

    def show_document(self, form: FormDefinition, document: Mapping[str, Any], titles: Titles | None = None) -> None:
        layout = self._fresh()
        lang = get_language()
        for section in document_rows(form, document, lang, titles):
            heading = self._label(section.title, bold=True)
            font = heading.font()
            font.setPointSizeF(font.pointSizeF() * 1.15)
            heading.setFont(font)
            layout.addWidget(heading)
            grid = QGridLayout()
            grid.setHorizontalSpacing(14)
            grid.setVerticalSpacing(6)
            grid.setColumnStretch(1, 1)
            for row, item in enumerate(section.rows):
                label = self._label(item.label, bold=item.heading)
                # the indent goes on the leading side only with a vertically centred text; the
                # layout keeps the label at the top of its row (its own height)
                label.setAlignment(leading() | Qt.AlignmentFlag.AlignVCenter)
                label.setIndent(INDENT * item.depth)
                if item.heading:
                    grid.addWidget(label, row, 0, 1, 2, Qt.AlignmentFlag.AlignTop)
                    continue
                label.setMinimumWidth(140)
                label.setMaximumWidth(300)
                grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(self._label(item.text, value=True), row, 1)
            layout.addLayout(grid)
            layout.addSpacing(10)
        layout.addStretch(1)


class ChangesView(_Page):
    """The fields changed since the last published revision: before and now, side by side."""

    def show_changes(self, form: FormDefinition | None, changes: list[FieldChange], titles: Titles | None = None,
                     *, published: bool = True) -> None:
        layout = self._fresh()
        lang = get_language()
        if not published:
            layout.addWidget(self._label(_("This record has never been published, or its published version "
                                           "has not been received: all of it is new. See the Record tab."),
                                         value=True))
            layout.addStretch(1)
            return
        if not changes:
            layout.addWidget(self._label(_("Nothing has changed since the last published revision."), value=True))
            layout.addStretch(1)
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        for col, text in enumerate((_("Field"), _("Last published"), _("Now"))):
            grid.addWidget(self._label(text, bold=True), 0, col)
        schema = form.schema if form is not None else None
        for row, change in enumerate(changes, start=1):
            label = self._label(field_label(schema, change.path, lang))
            label.setMinimumWidth(140)
            label.setMaximumWidth(260)
            grid.addWidget(label, row, 0)
            before = path_value_text(form, change.path, change.before, lang, titles) or _("(empty)")
            after = path_value_text(form, change.path, change.after, lang, titles) or _("(empty)")
            old = self._label(before, value=True)
            old.setStyleSheet("QLabel { background: #fde7e9; color: #1b1b1b; padding: 3px; }")
            new = self._label(after, value=True)
            new.setStyleSheet("QLabel { background: #e6f4ea; color: #1b1b1b; padding: 3px; }")
            grid.addWidget(old, row, 1)
            grid.addWidget(new, row, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
