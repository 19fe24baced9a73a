"""The record-review QA checklist (``qaRecordReview``) filled beside the record.

Built from the form definition: every check item (a group with a ``result`` term and a
``comment``) gets pass / fail / not applicable and a comment; then the overall
recommendation and comment. :meth:`ChecklistWidget.document` turns the answers into a
``qaRecordReview`` document for ``focalpoint.review.approve`` / ``reject`` (which set
``reviewedRecord`` to the exact revision decided on). UI thread only.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from focalpoint.forms import Field, load_form, vocabulary
from focalpoint.forms.model import GROUP
from focalpoint.i18n import _, get_language, localize

SCHEMA = "qaRecordReview"
PASS, FAIL, NOT_APPLICABLE = "QA-PASS", "QA-FAIL", "QA-NOT-APPLICABLE"  # the qaResults terms


def check_items(schema: str = SCHEMA) -> list[Field]:
    """The form's check items: groups made of a ``result`` term and a comment."""
    return [f for f in load_form(schema).fields if f.kind == GROUP and f.field("result") is not None]


class CheckItemRow(QFrame):
    """One check item: its label, three choices and a comment."""

    changed = Signal()

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName(f"check_{item.name}")
        result = item.field("result")
        self.terms = list(vocabulary(result.vocabulary or "qaResults")) if result is not None else []
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        choices = QHBoxLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        for term in self.terms:
            button = QRadioButton(self)
            button.setObjectName(f"{item.name}_{term.identifier}")
            self.group.addButton(button)
            self.buttons[term.identifier] = button
            choices.addWidget(button)
            button.toggled.connect(lambda _on: self.changed.emit())
        choices.addStretch(1)
        self.comment = QLineEdit(self)
        self.comment.setObjectName(f"{item.name}_comment")
        self.comment.setClearButtonEnabled(True)
        self.comment.textChanged.connect(lambda _t: self.changed.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addLayout(choices)
        layout.addWidget(self.comment)
        self.retranslate()

    def result(self) -> str | None:
        return next((ident for ident, b in self.buttons.items() if b.isChecked()), None)

    def set_result(self, identifier: str | None) -> None:
        if identifier is None:
            self.group.setExclusive(False)
            for button in self.buttons.values():
                button.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.buttons[identifier].setChecked(True)

    def retranslate(self) -> None:
        lang = get_language()
        self.label.setText(localize(self.item.label, lang))
        for term in self.terms:
            self.buttons[term.identifier].setText(localize(term.label, lang))
        comment = self.item.field("comment")
        self.comment.setPlaceholderText(localize(comment.label, lang) if comment is not None else _("Comment"))


class ChecklistWidget(QWidget):
    """Every check item, then the recommendation and the overall comment."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, schema: str = SCHEMA) -> None:
        super().__init__(parent)
        self.setObjectName("reviewChecklist")
        self.form = load_form(schema)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.help = QLabel(self)
        self.help.setWordWrap(True)
        self.rows: dict[str, CheckItemRow] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        for item in check_items(schema):
            row = CheckItemRow(item, self)
            row.changed.connect(self.changed)
            self.rows[item.name] = row
            layout.addWidget(row)
        self.recommendation_field = self.form.field("recommendation")
        self.overall_field = self.form.field("overallComment")
        self.recommendation_label = QLabel(self)
        self.recommendation_label.setWordWrap(True)
        self.recommendation = QComboBox(self)
        self.recommendation.setObjectName("reviewRecommendation")
        self.recommendation.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.recommendation_label.setBuddy(self.recommendation)
        self.overall_label = QLabel(self)
        self.overall = QPlainTextEdit(self)
        self.overall.setObjectName("reviewOverallComment")
        self.overall.setTabChangesFocus(True)
        self.overall.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.overall.textChanged.connect(self.changed)
        self.overall_label.setBuddy(self.overall)
        grid = QGridLayout()
        grid.addWidget(self.recommendation_label, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.recommendation, 1, 0)
        grid.addWidget(self.overall_label, 2, 0)
        grid.addWidget(self.overall, 3, 0)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.retranslate()

    # ------------------------------------------------------------ answers

    def set_result(self, name: str, identifier: str | None) -> None:
        self.rows[name].set_result(identifier)

    def set_comment(self, name: str, text: str) -> None:
        self.rows[name].comment.setText(text)

    def set_recommendation(self, identifier: str | None) -> None:
        index = self.recommendation.findData(identifier or "")
        self.recommendation.setCurrentIndex(max(0, index))

    def unanswered(self) -> list[str]:
        return [name for name, row in self.rows.items() if row.result() is None]

    def counts(self) -> dict[str, int]:
        """How many items are answered Pass, Fail, Not applicable, and how many are not answered yet."""
        out = {"pass": 0, "fail": 0, "na": 0, "unanswered": 0}
        for row in self.rows.values():
            result = row.result()
            key = {PASS: "pass", FAIL: "fail", NOT_APPLICABLE: "na"}.get(result or "", "unanswered" if result is None
                                                                        else "na")
            out[key] += 1
        return out

    def answer_labels(self) -> list[tuple[str, str]]:
        """(key of ``counts``, label) for Pass, Fail, Not applicable and not answered, in the interface language."""
        lang = get_language()
        terms = {}
        for row in self.rows.values():
            terms = {t.identifier: localize(t.label, lang) for t in row.terms}
            break
        return [("pass", terms.get(PASS) or _("Pass")), ("fail", terms.get(FAIL) or _("Fail")),
                ("na", terms.get(NOT_APPLICABLE) or _("Not applicable")), ("unanswered", _("Not answered"))]

    def failed_without_note(self) -> list[str]:
        """The items marked Fail with no comment saying why (they block an approval)."""
        return [name for name, row in self.rows.items() if row.result() == FAIL and not row.comment.text().strip()]

    def item_label(self, name: str) -> str:
        """An item's label in the interface language (messages name it)."""
        row = self.rows.get(name)
        return localize(row.item.label, get_language()) or name if row is not None else name

    def is_empty(self) -> bool:
        return (all(r.result() is None and not r.comment.text().strip() for r in self.rows.values())
                and not self.recommendation.currentData() and not self.overall.toPlainText().strip())

    def document(self, lang: str | None = None, today: dt.date | None = None) -> dict[str, Any] | None:
        """The answers as a ``qaRecordReview`` document (None when nothing was filled in)."""
        if self.is_empty():
            return None
        lang = lang or get_language()
        doc: dict[str, Any] = {"header": {"schema": self.form.schema, "languages": [lang]},
                               "reviewDate": (today or dt.date.today()).isoformat()}
        for name, row in self.rows.items():
            value: dict[str, Any] = {}
            if row.result():
                value["result"] = {"identifier": row.result()}
            if row.comment.text().strip():
                value["comment"] = {lang: row.comment.text().strip()}
            if value:
                doc[name] = value
        if self.recommendation.currentData():
            doc["recommendation"] = {"identifier": self.recommendation.currentData()}
        if self.overall.toPlainText().strip():
            doc["overallComment"] = {lang: self.overall.toPlainText().strip()}
        return doc

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            row.setEnabled(not read_only)
        self.recommendation.setEnabled(not read_only)
        self.overall.setReadOnly(read_only)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        lang = get_language()
        section = next((s for s in self.form.sections if s.name == "checklist"), None)
        self.title.setText(f"<b>{html.escape(localize(self.form.label, lang))}</b>")
        self.help.setText(localize(self.form.help, lang) if self.form.help else
                          (localize(section.title, lang) if section else ""))
        for row in self.rows.values():
            row.retranslate()
        current = self.recommendation.currentData()
        self.recommendation.blockSignals(True)
        self.recommendation.clear()
        self.recommendation.addItem(_("(no recommendation yet)"), "")
        if self.recommendation_field is not None:
            self.recommendation_label.setText(localize(self.recommendation_field.label, lang))
            for term in vocabulary(self.recommendation_field.vocabulary or ""):
                self.recommendation.addItem(localize(term.label, lang), term.identifier)
        self.recommendation.setCurrentIndex(max(0, self.recommendation.findData(current or "")))
        self.recommendation.blockSignals(False)
        self.overall_label.setText(localize(self.overall_field.label, lang) if self.overall_field else
                                   _("Overall comment"))
