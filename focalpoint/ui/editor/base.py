"""``FieldWidget``: what every editor widget offers the form, whatever its kind.

A field widget edits one JSON value: ``value()`` answers it (``None`` when empty, so
empty fields are dropped from the document, as the forms module asks), ``set_value``
shows one, ``changed`` fires on every edit by the person (never on ``set_value``).
Compound widgets (groups, repeats) expose their inner rows through ``rows(path)`` so
validation errors find the field they belong to. UI thread only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from focalpoint.forms.model import Field
from focalpoint.i18n import _, get_language, localize
from focalpoint.ui.editor.context import EditorContext


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def field_label(fld: Field, lang: str | None = None) -> str:
    text = localize(fld.label, lang or get_language()) or fld.name
    return text + " *" if fld.required else text


class FieldWidget(QWidget):
    """Base class: one JSON value of one field."""

    changed = Signal()

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = fld
        self.ctx = ctx
        self._loading = False

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._set(value)
        finally:
            self._loading = False

    def _set(self, value: Any) -> None:
        raise NotImplementedError

    def _emit(self, *_args: Any) -> None:
        if not self._loading:
            self.changed.emit()

    def set_languages(self, languages: list[str]) -> None:
        """The record's languages changed (localized widgets add or drop tabs)."""

    def retranslate(self) -> None:
        """The interface language changed."""

    def rows(self, path: str) -> Iterator[tuple[str, FieldRow]]:
        """Rows nested inside this widget (groups and repeats), with their property paths."""
        return iter(())

    def focus_widget(self) -> QWidget:
        return self


class FieldRow(QWidget):
    """A field's label above its widget, and its error line under it (one spanning row of the form)."""

    def __init__(self, widget: FieldWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        self.label = QLabel(self)
        # the label sits above its field with the row's full width and wraps there: a long translation
        # never widens the form past the window, and is never cut
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.label.setBuddy(widget.focus_widget())
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        palette = self.error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#a4262c"))
        self.error.setPalette(palette)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(widget)
        layout.addWidget(self.error)
        self._messages: list[str] = []
        self.retranslate_label()

    @property
    def field(self) -> Field:
        return self.widget.field

    def set_errors(self, messages: list[str]) -> None:
        self._messages = messages
        self.error.setText("\n".join(messages))
        self.error.setVisible(bool(messages))
        self.widget.setProperty("invalid", bool(messages))
        self.widget.setAccessibleDescription("\n".join(messages))

    @property
    def errors(self) -> list[str]:
        return list(self._messages)

    def retranslate(self) -> None:
        """The interface language changed: the label and everything in the widget."""
        self.retranslate_label()
        self.widget.retranslate()

    def retranslate_label(self) -> None:
        fld = self.widget.field
        self.label.setText(field_label(fld))
        help_text = localize(fld.help, get_language())
        tip = help_text or ""
        if fld.required:
            tip = (tip + "\n" if tip else "") + _("Required")
        self.label.setToolTip(tip)
        self.widget.setToolTip(tip)
        self.widget.setAccessibleName(localize(fld.label, get_language()) or fld.name)
