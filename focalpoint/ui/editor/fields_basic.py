"""Plain field widgets: text, long text, localized text, date, number, money, yes/no.

Numbers are typed with Latin digits; a comma or a point is accepted as the decimal
separator (the person's habit), and the stored value is a JSON number. UI thread only.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QPlainTextEdit, QTabBar, QToolButton,
                               QVBoxLayout, QWidget)

from focalpoint.forms.model import Field
from focalpoint.i18n import NATIVE_NAMES, _, get_language, is_rtl, localize
from focalpoint.ui.editor.base import FieldWidget
from focalpoint.ui.editor.context import EditorContext

_NUMBER_RE = re.compile(r"^\s*-?\d+([.,]\d+)?\s*$")


class GrowingTextEdit(QPlainTextEdit):
    """A multi-line text box of a comfortable fixed height (5 lines)."""

    LINES = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self._height())

    def _height(self) -> int:
        return self.fontMetrics().lineSpacing() * self.LINES + 14

    def sizeHint(self) -> QSize:  # noqa: N802 — tab widgets ask their pages; keep them at 5 lines
        return QSize(super().sizeHint().width(), self._height())


def _direction_for(lang: str) -> Qt.LayoutDirection:
    return Qt.LayoutDirection.RightToLeft if is_rtl(lang) else Qt.LayoutDirection.LeftToRight


class TextField(FieldWidget):
    """``text`` and ``longText``: one string."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if fld.multiline:
            self.edit: QLineEdit | QPlainTextEdit = GrowingTextEdit(self)
            self.edit.textChanged.connect(self._emit)
        else:
            self.edit = QLineEdit(self)
            if fld.effective_max_length:
                self.edit.setMaxLength(fld.effective_max_length)
            self.edit.textEdited.connect(self._emit)
            if fld.format in ("email", "url", "phone", "decimal"):
                self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        layout.addWidget(self.edit)
        self.retranslate()

    def value(self) -> Any:
        text = self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()
        return text.strip() or None

    def _set(self, value: Any) -> None:
        text = value if isinstance(value, str) else ""
        if isinstance(self.edit, QPlainTextEdit):
            self.edit.setPlainText(text)
        else:
            self.edit.setText(text)

    def retranslate(self) -> None:
        if isinstance(self.edit, QLineEdit):
            hints = {"email": _("name@example.org"), "url": _("https://…"), "phone": _("+1 514 288 2220"),
                     "decimal": _("a number, e.g. 25000")}
            self.edit.setPlaceholderText(hints.get(self.field.format or "", ""))

    def focus_widget(self) -> QWidget:
        return self.edit


class LocalizedTextField(FieldWidget):
    """``localizedText`` / ``localizedLongText``: a tab per language the record is written in.

    One text box serves every tab (the tabs switch what it shows), so a form with many
    localized fields stays light however many languages a record has.
    """

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.tabs = QTabBar(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        if fld.multiline:
            self.edit: QLineEdit | QPlainTextEdit = GrowingTextEdit(self)
            self.edit.textChanged.connect(self._on_text)
        else:
            self.edit = QLineEdit(self)
            if fld.effective_max_length:
                self.edit.setMaxLength(fld.effective_max_length)
            self.edit.textEdited.connect(self._on_text)
        self._texts: dict[str, str] = {}
        self._languages: list[str] = []
        self._current: str | None = None
        self._switching = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.edit)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.set_languages(ctx.ordered_languages())

    def _edit_text(self) -> str:
        return self.edit.toPlainText() if isinstance(self.edit, QPlainTextEdit) else self.edit.text()

    def _show_text(self, text: str) -> None:
        self._switching = True
        try:
            if isinstance(self.edit, QPlainTextEdit):
                if self.edit.toPlainText() != text:
                    self.edit.setPlainText(text)
            elif self.edit.text() != text:
                self.edit.setText(text)
        finally:
            self._switching = False

    def _on_text(self, *_args: Any) -> None:
        if self._switching or self._current is None:
            return
        self._texts[self._current] = self._edit_text()
        self._emit()

    def _tab_changed(self, index: int) -> None:
        if not 0 <= index < len(self._languages):
            return
        self._current = self._languages[index]
        self.edit.setLayoutDirection(_direction_for(self._current))
        self.edit.setObjectName(f"lang_{self._current}")
        self._show_text(self._texts.get(self._current, ""))

    def set_languages(self, languages: list[str]) -> None:
        keep = self._current if self._current in languages else (languages[0] if languages else None)
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self._languages = list(languages)
        for lang in languages:
            self.tabs.addTab(NATIVE_NAMES.get(lang, lang))
        self.tabs.blockSignals(False)
        self.tabs.setVisible(len(languages) > 1)
        self._current = None
        if keep is not None:
            index = languages.index(keep)
            self.tabs.setCurrentIndex(index)
            self._tab_changed(index)
        self.retranslate()

    @property
    def languages(self) -> list[str]:
        return list(self._languages)

    def show_language(self, lang: str) -> None:
        if lang in self._languages:
            self.tabs.setCurrentIndex(self._languages.index(lang))

    def editor(self, lang: str) -> QLineEdit | QPlainTextEdit | None:
        """The text box, showing ``lang`` (None when the record is not written in it)."""
        if lang not in self._languages:
            return None
        self.show_language(lang)
        return self.edit

    def value(self) -> Any:
        out = {}
        for lang in self._languages:
            text = self._texts.get(lang, "").strip()
            if text:
                out[lang] = text
        return out or None

    def _set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self._texts = {k: v for k, v in value.items() if isinstance(v, str)}
        if self._current is not None:
            self._show_text(self._texts.get(self._current, ""))

    def focus_widget(self) -> QWidget:
        return self.edit

    def retranslate(self) -> None:
        for i, lang in enumerate(self._languages):
            self.tabs.setTabToolTip(i, _("Text in {language}").format(language=NATIVE_NAMES.get(lang, lang)))


class DateField(FieldWidget):
    """``date``: a calendar picker with an empty state ("no date")."""

    EMPTY = QDate(1900, 1, 1)

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(self.EMPTY)
        self.edit.setMaximumDate(QDate(2999, 12, 31))
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(self.EMPTY)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.edit.dateChanged.connect(self._emit)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("×")
        self.clear_button.clicked.connect(self._clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.retranslate()

    def _clear(self) -> None:
        self.edit.setDate(self.EMPTY)

    def value(self) -> Any:
        date = self.edit.date()
        return None if date == self.EMPTY else date.toString("yyyy-MM-dd")

    def _set(self, value: Any) -> None:
        date = QDate.fromString(value, "yyyy-MM-dd") if isinstance(value, str) else QDate()
        self.edit.setDate(date if date.isValid() else self.EMPTY)

    def retranslate(self) -> None:
        self.edit.setSpecialValueText(_("no date"))
        self.clear_button.setToolTip(_("Clear the date"))
        self.clear_button.setAccessibleName(_("Clear the date"))

    def focus_widget(self) -> QWidget:
        return self.edit


def parse_number(text: str, integer: bool = False) -> int | float | None:
    """``"1 250,5"`` → 1250.5; None for empty or malformed text."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:  # 1,250.5 or 1.250,5: the last one is the decimal mark
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    if not cleaned or not _NUMBER_RE.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    if integer or value.is_integer():
        return int(value) if value.is_integer() else value
    return value


def number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class NumberField(FieldWidget):
    """``number``: typed with Latin digits; an invalid entry is flagged as you type."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.edit = QLineEdit(self)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.edit.setMaximumWidth(220)
        self.edit.textEdited.connect(self._on_edit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self._raw_invalid = False
        self.retranslate()

    def _on_edit(self, text: str) -> None:
        self._raw_invalid = bool(text.strip()) and parse_number(text, self.field.integer) is None
        self.edit.setStyleSheet("border: 1px solid #a4262c;" if self._raw_invalid else "")
        self._emit()

    @property
    def invalid_entry(self) -> bool:
        return self._raw_invalid

    def value(self) -> Any:
        return parse_number(self.edit.text(), self.field.integer)

    def _set(self, value: Any) -> None:
        self.edit.setText(number_text(value))

    def retranslate(self) -> None:
        bounds = []
        if self.field.min is not None:
            bounds.append(_("at least {min}").format(min=number_text(self.field.min)))
        if self.field.max is not None:
            bounds.append(_("at most {max}").format(max=number_text(self.field.max)))
        self.edit.setPlaceholderText(", ".join(bounds) if bounds else (
            _("a whole number") if self.field.integer else _("a number")))

    def focus_widget(self) -> QWidget:
        return self.edit


_CURRENCY_MODELS: dict[str, Any] = {}


def shared_currency_model(lang: str, common: tuple[str, ...]):  # noqa: ANN201
    """One item model of currencies per language, shared by every money field (UI thread)."""
    model = _CURRENCY_MODELS.get(lang)
    if model is not None:
        return model
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from focalpoint.forms import vocabulary

    model = QStandardItemModel(QCoreApplication.instance())
    rows = [("—", None)]
    try:
        vocab = vocabulary("currencies")
        codes = [c for c in common if c in vocab] + [c for c in vocab.identifiers() if c not in common]
        for code in codes:
            term = vocab.term(code)
            rows.append((f"{code} — {localize(term.label, lang)}" if term else code, code))
    except KeyError:
        rows += [(code, code) for code in common]
    for text, data in rows:
        item = QStandardItem(text)
        item.setData(data, Qt.ItemDataRole.UserRole)
        model.appendRow(item)
    _CURRENCY_MODELS[lang] = model
    return model


class MoneyField(FieldWidget):
    """``money``: an amount and an ISO 4217 currency."""

    COMMON = ("USD", "EUR", "CAD", "GBP", "JPY", "CNY", "CHF", "XOF", "XAF", "BRL", "INR", "ZAR", "KES", "RUB",
              "MXN", "AUD")

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.amount = QLineEdit(self)
        self.amount.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.amount.setMaximumWidth(200)
        self.amount.textEdited.connect(self._emit)
        self.currency = QComboBox(self)
        self.currency.setEditable(False)
        self.currency.setMaxVisibleItems(20)
        self.currency.currentIndexChanged.connect(self._emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.amount)
        layout.addWidget(self.currency)
        layout.addStretch(1)
        self.retranslate()

    def _fill_currencies(self) -> None:
        current = self.currency.currentData()
        model = shared_currency_model(get_language(), self.COMMON)
        self.currency.blockSignals(True)
        if self.currency.model() is not model:
            self.currency.setModel(model)
        index = self.currency.findData(current) if current else 0
        self.currency.setCurrentIndex(max(0, index))
        self.currency.blockSignals(False)

    def value(self) -> Any:
        amount = parse_number(self.amount.text(), self.field.integer)
        currency = self.currency.currentData()
        if amount is None and not currency:
            return None
        out: dict[str, Any] = {}
        if amount is not None:
            out["amount"] = amount
        if currency:
            out["currency"] = currency
        return out

    def _set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.amount.setText(number_text(value.get("amount")))
        index = self.currency.findData(value.get("currency")) if value.get("currency") else 0
        self.currency.setCurrentIndex(max(0, index))

    def retranslate(self) -> None:
        self.amount.setPlaceholderText(_("amount"))
        self.currency.setAccessibleName(_("Currency"))
        self._fill_currencies()

    def focus_widget(self) -> QWidget:
        return self.amount


class BooleanField(FieldWidget):
    """``boolean``: yes / no, or not answered yet."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.combo = QComboBox(self)
        self.combo.currentIndexChanged.connect(self._emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.retranslate()

    def value(self) -> Any:
        return self.combo.currentData()

    def _set(self, value: Any) -> None:
        self.combo.setCurrentIndex({True: 1, False: 2}.get(value, 0) if isinstance(value, bool) else 0)

    def retranslate(self) -> None:
        index = self.combo.currentIndex()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("— not answered —"), None)
        self.combo.addItem(_("Yes"), True)
        self.combo.addItem(_("No"), False)
        self.combo.setCurrentIndex(max(0, index))
        self.combo.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.combo


__all__ = ["BooleanField", "DateField", "LocalizedTextField", "MoneyField", "NumberField", "TextField",
           "parse_number"]
