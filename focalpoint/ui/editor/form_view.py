"""A whole form: one titled box per section, one row per field, errors beside the fields.

``FormView`` turns a ``FormDefinition`` into widgets and back: ``document()`` answers
the CHM-shaped JSON (empty fields dropped, unknown properties of the loaded document
kept, and every field the person did not touch given back exactly as it was loaded, so
an edit changes that field only), ``set_document`` fills the widgets, ``show_errors`` puts each validation
message under the field its property path names. UI thread only.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from focalpoint.forms.model import FormDefinition
from focalpoint.i18n import get_language, localize
from focalpoint.ui.editor.base import FieldRow, is_empty
from focalpoint.ui.editor.context import EditorContext
from focalpoint.ui.editor.fields_basic import link_date_pairs
from focalpoint.ui.editor.fields_compound import make_field_widget
from focalpoint.ui.widgets import set_heading_font

_TAIL = re.compile(r"(\[\d+\]|\.[^.\[\]]+)$")


class FormView(QScrollArea):
    changed = Signal()

    def __init__(self, form: FormDefinition, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.ctx = ctx
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget(self)
        body.setObjectName("formBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(12)
        self.section_boxes: list[tuple[Any, QLabel, QLabel]] = []
        self.field_rows: dict[str, FieldRow] = {}
        for section in form.sections:
            box = QFrame(body)
            box.setObjectName(f"section_{section.name}")
            box.setFrameShape(QFrame.Shape.StyledPanel)
            box_layout = QVBoxLayout(box)
            heading = QLabel(box)
            heading.setObjectName("sectionHeading")
            set_heading_font(heading, 1.2)
            heading.setStyleSheet("color: #1f4e79;")
            heading.setWordWrap(True)  # a long translated title never widens the form
            box_layout.addWidget(heading)
            help_label = QLabel(box)
            help_label.setWordWrap(True)
            help_label.setObjectName("sectionHelp")
            help_label.setStyleSheet("color: #555555;")
            box_layout.addWidget(help_label)
            form_layout = QFormLayout()
            form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            # labels above their fields: long labels and translations never get cut
            form_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
            form_layout.setVerticalSpacing(4)
            form_layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
            box_layout.addLayout(form_layout)
            for fld in section.fields:
                widget = make_field_widget(fld, ctx, box)
                widget.setObjectName(f"field_{fld.name}")
                widget.changed.connect(self.changed)
                row = FieldRow(widget, box)
                self.field_rows[fld.name] = row
                form_layout.addRow(row)  # the row shows its own label above the field
            self.section_boxes.append((section, heading, help_label))
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
        link_date_pairs(form.date_order, {name: row.widget for name, row in self.field_rows.items()})
        self._extra: dict[str, Any] = {}
        self._header: dict[str, Any] = {}
        self._loaded: dict[str, Any] = {}  # the document as set_document received it
        self._loaded_values: dict[str, Any] = {}  # what each widget answered right after loading
        self.retranslate_headings()

    # ------------------------------------------------------------ document

    def document(self) -> dict[str, Any]:
        """The document as the form now holds it, properties in the order they were loaded."""
        header = dict(self._header)
        header["schema"] = self.form.schema
        languages = self.ctx.ordered_languages()
        loaded_languages = self._header.get("languages")
        if not (isinstance(loaded_languages, list) and sorted(map(str, loaded_languages)) == sorted(languages)):
            header["languages"] = languages  # the same set keeps the order it came with
        values: dict[str, Any] = {"header": header}
        for name, row in self.field_rows.items():
            value = row.widget.value()
            if name in self._loaded_values and value == self._loaded_values[name]:
                if name in self._loaded:
                    values[name] = copy.deepcopy(self._loaded[name])  # untouched: exactly as it came
            elif not is_empty(value):
                values[name] = value
        doc: dict[str, Any] = {}
        for key in self._loaded:  # known and unknown properties keep their place
            if key in values:
                doc[key] = values.pop(key)
            elif key not in self.field_rows:
                doc[key] = copy.deepcopy(self._extra[key])
        doc.update(values)
        return doc

    def set_document(self, document: dict[str, Any]) -> None:
        self._loaded = copy.deepcopy(document)
        self._header = dict(document.get("header") or {})
        self._extra = {k: copy.deepcopy(v) for k, v in document.items()
                       if k != "header" and k not in self.field_rows}
        for name, row in self.field_rows.items():
            row.widget.set_value(document.get(name))
        self._loaded_values = {name: row.widget.value() for name, row in self.field_rows.items()}

    def set_languages(self, languages: list[str]) -> None:
        self.ctx.languages = list(languages)
        for row in self.field_rows.values():
            row.widget.set_languages(self.ctx.ordered_languages())

    # -------------------------------------------------------------- errors

    def rows(self) -> Iterator[tuple[str, FieldRow]]:
        for name, row in self.field_rows.items():
            yield name, row
            yield from row.widget.rows(name)

    def row_for(self, path: str) -> FieldRow | None:
        """The row showing property ``path`` (or the nearest enclosing one)."""
        rows = dict(self.rows())
        current = path
        while current:
            if current in rows:
                return rows[current]
            stripped = _TAIL.sub("", current)
            if stripped == current:
                break
            current = stripped
        return None

    def show_errors(self, errors: list[Any], lang: str | None = None) -> list[Any]:
        """Put each error's message beside its field; answer the errors no field could show."""
        lang = lang or get_language()
        by_row: dict[int, tuple[FieldRow, list[str]]] = {}
        orphans = []
        for error in errors:
            row = self.row_for(error.property)
            if row is None:
                orphans.append(error)
                continue
            by_row.setdefault(id(row), (row, []))[1].append(error.message(lang))
        for _path, row in self.rows():
            entry = by_row.get(id(row))
            row.set_errors(entry[1] if entry else [])
        return orphans

    def focus_row(self, row: FieldRow) -> None:
        widget = row.widget  # a folded repeat item opens here
        self.ensureWidgetVisible(row)
        widget.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        """The interface language changed: headings, labels and every field."""
        self.retranslate_headings()
        for row in self.field_rows.values():
            row.retranslate()

    def retranslate_headings(self) -> None:
        lang = get_language()
        for section, heading, help_label in self.section_boxes:
            heading.setText(localize(section.title, lang) or section.name)
            help_text = localize(section.help, lang)
            help_label.setText(help_text)
            help_label.setVisible(bool(help_text))
