"""Plain field widgets: text, long text, localized text, date, number, money, yes/no.

Numbers are typed with Latin digits; a comma or a point is accepted as the decimal
separator (the person's habit), and the stored value is a JSON number. UI thread only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from focalpoint.forms.model import Field
from focalpoint.i18n import NATIVE_NAMES, _, get_language, is_rtl, localize
from focalpoint.ui.editor.base import FieldWidget
from focalpoint.ui.editor.context import EditorContext
from focalpoint.ui.widgets import compact_combo

if TYPE_CHECKING:
    from PySide6.QtGui import QStandardItemModel

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


TextEdit = QLineEdit | QPlainTextEdit


def text_edit(fld: Field, parent: QWidget, on_edit: Callable[..., None]) -> TextEdit:
    """The box a text field is typed in: a growing box for a multi-line field, else a line held to
    the field's length; ``on_edit`` is called on every change the person types. UI thread."""
    if fld.multiline:
        box = GrowingTextEdit(parent)
        box.textChanged.connect(on_edit)
        return box
    line = QLineEdit(parent)
    if fld.effective_max_length:
        line.setMaxLength(fld.effective_max_length)
    line.textEdited.connect(on_edit)
    return line


def number_edit(parent: QWidget, width: int, on_edit: Callable[..., None]) -> QLineEdit:
    """The line a number or an amount is typed in: Latin digits, left to right and aligned right in
    every language, at most ``width`` pixels wide; ``on_edit`` is called on every change typed. UI thread."""
    line = QLineEdit(parent)
    line.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    line.setMaximumWidth(width)
    line.textEdited.connect(on_edit)
    return line


def edit_text(edit: TextEdit) -> str:
    """The text in a box made by :func:`text_edit`. UI thread."""
    return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()


def set_edit_text(edit: TextEdit, text: str) -> None:
    """Show ``text`` in a box made by :func:`text_edit` (left alone when it already shows it). UI thread."""
    if edit_text(edit) == text:
        return
    if isinstance(edit, QPlainTextEdit):
        edit.setPlainText(text)
    else:
        edit.setText(text)


class TextField(FieldWidget):
    """``text`` and ``longText``: one string."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = text_edit(fld, self, self._emit)
        if isinstance(self.edit, QLineEdit) and fld.format in ("email", "url", "phone", "decimal"):
            self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        layout.addWidget(self.edit)
        self.retranslate()

    def value(self) -> Any:
        return edit_text(self.edit).strip() or None

    def _set(self, value: Any) -> None:
        set_edit_text(self.edit, value if isinstance(value, str) else "")

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
        self.edit = text_edit(fld, self, self._on_text)
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

    def _show_text(self, text: str) -> None:
        self._switching = True
        try:
            set_edit_text(self.edit, text)
        finally:
            self._switching = False

    def _on_text(self, *_args: Any) -> None:
        if self._switching or self._current is None:
            return
        self._texts[self._current] = edit_text(self.edit)
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


_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c"), None)


def _typing_format(fmt: str) -> str:
    """A locale's short date format, loosened for typing: 1 or 2 digits for day and month."""
    fmt = fmt.translate(_BIDI_MARKS)
    fmt = re.sub(r"d+", "d", fmt)
    return re.sub(r"M+", "M", fmt)


def date_formats(lang: str | None = None) -> list[tuple[str, int]]:
    """(format, base year) pairs accepted when a date is typed: ISO, then the interface language's short
    format, then the system's (a two-digit year means 20xx)."""
    from PySide6.QtCore import QLocale

    from focalpoint.ui.locale import latin_digit_locale

    out: list[tuple[str, int]] = [("yyyy-M-d", 1900)]
    for locale in (latin_digit_locale(lang or get_language()), QLocale.system()):
        fmt = _typing_format(locale.dateFormat(QLocale.FormatType.ShortFormat))
        if "yyyy" not in fmt and "yy" in fmt:
            out.append((fmt.replace("yy", "yyyy"), 1900))  # 15/01/2026 in a locale that writes 15/01/26
            out.append((fmt, 2000))
        else:
            out.append((fmt, 1900))
    return list(dict.fromkeys(out))  # without repeats, in order


def parse_date(text: str, lang: str | None = None) -> QDate:
    """``"2026-01-15"`` or the locale's short form (``15/01/2026``, ``1/15/26``, ``15.01.2026``…) → a QDate;
    an invalid QDate when the text is not a date."""
    cleaned = text.translate(_BIDI_MARKS).strip()
    if not cleaned:
        return QDate()
    for fmt, base in date_formats(lang):
        date = QDate.fromString(cleaned, fmt, base)
        if date.isValid():
            return date
    return QDate()


def example_date_texts(lang: str | None = None) -> tuple[str, str]:
    """Today written the ISO way and the locale's short way (four-digit year), for hints."""
    from PySide6.QtCore import QLocale

    from focalpoint.ui.locale import latin_digit_locale

    today = QDate.currentDate()
    locale = latin_digit_locale(lang or get_language())
    fmt = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")
    return today.toString("yyyy-MM-dd"), locale.toString(today, fmt)


class DateLineEdit(QLineEdit):
    """A date typed as text (ISO or the locale's short form); empty means no date.

    Offers ``date()``/``setDate()``/``dateChanged`` like a ``QDateEdit``, without its
    sentinel "empty" date: an empty box stays empty.
    """

    dateChanged = Signal(QDate)  # noqa: N815 — the QDateEdit name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last = QDate()
        self.textChanged.connect(self._text_changed)

    def date(self) -> QDate:
        return parse_date(self.text())

    def setDate(self, date: QDate) -> None:  # noqa: N802
        self.setText(date.toString("yyyy-MM-dd") if date is not None and date.isValid() else "")

    def _text_changed(self, _text: str) -> None:
        date = self.date()
        if date != self._last:
            self._last = date
            self.dateChanged.emit(date)


class CalendarPopup(QFrame):
    """The calendar under a date box: a click (or Enter) picks the date, Escape closes it."""

    picked = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("dateCalendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setDateRange(QDate(1900, 1, 1), QDate(2999, 12, 31))
        self.calendar.clicked.connect(self._pick)
        self.calendar.activated.connect(self._pick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)

    def _pick(self, date: QDate) -> None:
        self.hide()
        self.picked.emit(date)

    def open_at(self, date: QDate, anchor: QWidget) -> None:
        """Show the month of ``date`` with it selected, below ``anchor`` (above when there is no room)."""
        from focalpoint.ui.locale import latin_digit_locale

        self.calendar.setLocale(latin_digit_locale(get_language()))
        self.setLayoutDirection(_direction_for(get_language()))
        self.calendar.setSelectedDate(date)
        self.calendar.setCurrentPage(date.year(), date.month())
        self.adjustSize()
        screen = (anchor.screen() or self.screen()).availableGeometry()
        below = anchor.mapToGlobal(anchor.rect().bottomLeft())
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:  # under the box, flush with its right
            below.setX(anchor.mapToGlobal(anchor.rect().bottomRight()).x() - self.width())
        x = min(max(below.x(), screen.left()), screen.left() + screen.width() - self.frameGeometry().width())
        y = below.y()
        if y + self.height() > screen.bottom():
            y = max(screen.top(), anchor.mapToGlobal(anchor.rect().topLeft()).y() - self.height())
        self.move(x, y)
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)


class DateField(FieldWidget):
    """``date``: typed (``2026-01-15`` or the locale's short form) or picked in a calendar; may stay empty.

    The calendar opens at the date shown, else — for the end of a start/end pair (``dateOrder``)
    — at the start date, else at today. What was understood is shown beside the box in words.
    """

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.start_field: DateField | None = None  # set by the form for an end date
        self.edit = DateLineEdit(self)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.edit.setMaxLength(40)
        self.edit.dateChanged.connect(self._emit)
        self.edit.textChanged.connect(self._text_changed)
        self.edit.editingFinished.connect(self._editing_finished)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setObjectName("dateCalendarButton")
        self.calendar_button.setText("▾")
        self.calendar_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.calendar_button.clicked.connect(self.open_calendar)
        open_action = QAction(self.edit)
        open_action.setShortcuts([QKeySequence("Alt+Down"), QKeySequence("F4")])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(self.open_calendar)
        self.edit.addAction(open_action)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("dateClear")
        self.clear_button.setText("×")
        self.clear_button.clicked.connect(self._clear)
        self.understood = QLabel(self)
        self.understood.setObjectName("dateUnderstood")
        self.understood.setWordWrap(True)
        self.understood.setTextFormat(Qt.TextFormat.PlainText)
        self.popup: CalendarPopup | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        layout.addWidget(self.clear_button)
        layout.addWidget(self.understood, 1)
        self._finished = True
        self.retranslate()

    # --------------------------------------------------------------- value

    def value(self) -> Any:
        date = self.edit.date()
        return date.toString("yyyy-MM-dd") if date.isValid() else None

    @property
    def invalid_entry(self) -> bool:
        """Text that is not a date (it is not saved; the box and the hint beside it say so)."""
        return bool(self.edit.text().strip()) and not self.edit.date().isValid()

    def _set(self, value: Any) -> None:
        date = QDate.fromString(value, "yyyy-MM-dd") if isinstance(value, str) else QDate()
        self.edit.setText(date.toString("yyyy-MM-dd") if date.isValid() else (value if isinstance(value, str)
                                                                                else ""))
        self._finished = True
        self._show_understood()

    def _clear(self) -> None:
        self.edit.clear()
        self._finished = True
        self._show_understood()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _text_changed(self, _text: str) -> None:
        self._finished = False
        self._show_understood()

    def _editing_finished(self) -> None:
        date = self.edit.date()
        if date.isValid() and self.edit.text() != date.toString("yyyy-MM-dd"):
            self.edit.setText(date.toString("yyyy-MM-dd"))  # 15/01/2026 → 2026-01-15: one way to read it
        self._finished = True
        self._show_understood()

    def _show_understood(self) -> None:
        """Beside the box: the date in words, or — once typing stops — how to write one."""
        from PySide6.QtCore import QLocale

        from focalpoint.ui.locale import latin_digit_locale

        date = self.edit.date()
        bad = self.invalid_entry and self._finished
        self.clear_button.setVisible(bool(self.edit.text()))
        if date.isValid():
            text = latin_digit_locale(get_language()).toString(date, QLocale.FormatType.LongFormat)
        elif bad:
            iso, local = example_date_texts()
            text = _("Not a date: type it as {iso} or {local}, or pick it in the calendar.").format(
                iso=iso, local=local)
        else:
            text = ""
        self.understood.setText(text)
        self.understood.setStyleSheet("QLabel { color: #a4262c; }" if bad else "QLabel { color: #555555; }")
        self.edit.setStyleSheet("border: 1px solid #a4262c;" if bad else "")

    # ------------------------------------------------------------ calendar

    def calendar_start(self) -> QDate:
        """The month the calendar opens at: this date, else the start date of the pair, else today."""
        own = self.edit.date()
        if own.isValid():
            return own
        if self.start_field is not None:
            start = self.start_field.edit.date()
            if start.isValid():
                return start
        return QDate.currentDate()

    def open_calendar(self) -> CalendarPopup:
        if self.popup is None:
            self.popup = CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        self.popup.open_at(self.calendar_start(), self.edit)
        return self.popup

    def _picked(self, date: QDate) -> None:
        self.edit.setDate(date)
        self._finished = True
        self._show_understood()
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        iso, local = example_date_texts()
        self.edit.setPlaceholderText(_("e.g. {iso} or {local}").format(iso=iso, local=local))
        width = self.edit.fontMetrics().horizontalAdvance(self.edit.placeholderText()) + 24
        self.edit.setMinimumWidth(max(width, self.edit.fontMetrics().horizontalAdvance("2026-01-15") + 24))
        self.edit.setMaximumWidth(max(width, 240))
        self.calendar_button.setToolTip(_("Pick the date in a calendar (Alt+↓)"))
        self.calendar_button.setAccessibleName(_("Pick the date in a calendar"))
        self.clear_button.setToolTip(_("Clear the date"))
        self.clear_button.setAccessibleName(_("Clear the date"))
        self._show_understood()

    def focus_widget(self) -> QWidget:
        return self.edit


def link_date_pairs(pairs: Any, widgets: dict[str, Any]) -> None:
    """Tell each end date of a (start, end) pair which field holds its start (``dateOrder``)."""
    for start, end in pairs or ():
        start_widget, end_widget = widgets.get(start), widgets.get(end)
        if isinstance(start_widget, DateField) and isinstance(end_widget, DateField):
            end_widget.start_field = start_widget


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
        self.edit = number_edit(self, 220, self._on_edit)
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


def shared_currency_model(lang: str, common: tuple[str, ...]) -> QStandardItemModel:
    """One item model of currencies per language, shared by every money field (UI thread)."""
    model = _CURRENCY_MODELS.get(lang)
    if model is not None:
        return model
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from focalpoint.forms import vocabulary

    model = QStandardItemModel(QCoreApplication.instance())
    rows: list[tuple[str, str | None]] = [("—", None)]
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
        self.amount = number_edit(self, 200, self._emit)
        self.currency = QComboBox(self)
        self.currency.setEditable(False)
        self.currency.setMaxVisibleItems(20)
        # long currency names (Russian, French) would widen the form: the list shows them whole
        compact_combo(self.currency, 22, expanding=False)
        self.currency.currentTextChanged.connect(self.currency.setToolTip)
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


__all__ = ["BooleanField", "DateField", "DateLineEdit", "LocalizedTextField", "MoneyField", "NumberField",
           "TextField", "link_date_pairs", "parse_date", "parse_number"]
