"""Choice widgets: vocabulary terms and codes, action-plan activities, references to records.

One choice is an editable combo box that completes on any part of a label (so
"forest" finds "Aichi Target 5 — … forests …"); several choices are a check list with
a filter box. Items come from a vocabulary (labels in six languages), from the action
plan, or from the local records; the last two arrive from the DB worker. A value the
lists do not know (a record not on this computer, say) is kept and shown as such.
UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from focalpoint.forms import model as m
from focalpoint.forms.model import Field
from focalpoint.i18n import _, get_language, localize
from focalpoint.ui.editor.base import FieldWidget
from focalpoint.ui.editor.context import EditorContext
from focalpoint.ui.widgets import set_ticked

if TYPE_CHECKING:
    from focalpoint.forms.vocabularies import Term
    from focalpoint.ui.table_model import Index

ACTIVITY_PREFIX = "CBD-CB-ACTION-PLAN-2017-"
IdRole = Qt.ItemDataRole.UserRole + 40
CustomRole = Qt.ItemDataRole.UserRole + 41


class Choice:
    """One item a choice widget offers."""

    __slots__ = ("identifier", "labels", "custom")

    def __init__(self, identifier: str, labels: Callable[[str], str], custom: bool = False) -> None:
        self.identifier = identifier
        self.labels = labels
        self.custom = custom


# ----------------------------------------------------------- item sources


def vocabulary_choices(name: str) -> list[Choice]:
    from focalpoint.forms import vocabulary

    try:
        vocab = vocabulary(name)
    except KeyError:
        return []

    def label(term: Term) -> Callable[[str], str]:
        return lambda lang: localize(term.label, lang) or term.identifier

    return [Choice(t.identifier, label(t), t.custom) for t in vocab]


def activity_choices(rows: list[dict[str, Any]]) -> list[Choice]:
    def label(row: dict[str, Any]) -> Callable[[str], str]:
        def fn(lang: str) -> str:
            text = localize(row["text"], lang)
            text = text if len(text) <= 150 else text[:149] + "…"
            return _("{number}. {title}").format(number=row["number"], title=text)
        return fn

    return [Choice(f"{ACTIVITY_PREFIX}{r['number']}", label(r)) for r in rows]


def record_choice_items(rows: list[dict[str, Any]], exclude: str | None = None) -> list[Choice]:
    def label(row: dict[str, Any]) -> Callable[[str], str]:
        return lambda lang: localize(row["title"], lang) or _("(untitled)")

    return [Choice(r["identifier"], label(r)) for r in rows if r["identifier"] != exclude]


def _encode(fld: Field, identifier: str) -> Any:
    return identifier if fld.kind == m.CODE else {"identifier": identifier}


def _decode(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("identifier"), str):
        return value["identifier"]
    return None


class _ChoiceMixin:
    """Loads the items for a field, now (vocabularies) or when the DB worker answers."""

    field: Field
    ctx: EditorContext
    custom: QLineEdit  # "say what it is", shown while an item that asks for it is chosen
    _custom_value: dict[str, str] | None  # that text per language, as loaded

    def _make_custom_box(self, parent: QWidget, on_edit: Callable[..., None]) -> QLineEdit:
        self.custom = QLineEdit(parent)
        self.custom.hide()
        self.custom.textEdited.connect(on_edit)
        self._custom_value = None
        return self.custom

    def _show_custom_box(self, shown: bool) -> None:
        self.custom.setVisible(shown)
        self.custom.setPlaceholderText(_("Say what it is"))

    def _typed_custom_value(self) -> dict[str, str] | None:
        """The loaded text per language with the one typed put in the record's first language;
        None when nothing is typed."""
        text = self.custom.text().strip()
        if not text:
            return None
        lang = self.ctx.ordered_languages()[0] if self.ctx.languages else "en"
        return {**(self._custom_value or {}), lang: text}

    def _show_custom_value(self) -> None:
        self.custom.setText(localize(self._custom_value, get_language()) if self._custom_value else "")

    def _connect_source(self) -> None:
        fld = self.field
        if fld.kind == m.ACTIVITY:
            self.ctx.choices.activities_ready.connect(self._reload_items)
            self.ctx.choices.want_activities()
        elif fld.kind == m.REFERENCE:
            def reload_if_ours(schemas: tuple[str, ...]) -> None:
                if schemas == tuple(fld.schemas):
                    self._reload_items()

            self.ctx.choices.records_ready.connect(reload_if_ours)
            self.ctx.choices.want_records(tuple(fld.schemas))

    def _items(self) -> list[Choice]:
        fld = self.field
        if fld.kind == m.ACTIVITY:
            rows = self.ctx.choices.activities
            if rows is None:
                return []
            return activity_choices(rows)
        if fld.kind == m.REFERENCE:
            rows = self.ctx.choices.records.get(tuple(fld.schemas))
            return record_choice_items(rows or [], exclude=self.ctx.identifier)
        return vocabulary_choices(fld.vocabulary or "")

    def _reload_items(self) -> None:
        raise NotImplementedError


def _unknown_label(fld: Field, identifier: str) -> str:
    if fld.kind == m.REFERENCE:
        return _("{identifier} (not on this computer yet: fetched at the next sync)").format(identifier=identifier)
    if fld.kind == m.ACTIVITY:
        return _("Activity {identifier}").format(identifier=identifier.removeprefix(ACTIVITY_PREFIX))
    return _("{identifier} (not in the list)").format(identifier=identifier)


def _empty_text(fld: Field, has_items: bool) -> str:
    if fld.kind == m.REFERENCE and not has_items:
        return _("— none on this computer yet (create one under Records) —")
    return _("— none —")


def _build_model(items: list[Choice], lang: str, empty_text: str,
                 parent: QObject | None = None) -> QStandardItemModel:
    model = QStandardItemModel(parent)
    first = QStandardItem(empty_text)
    first.setData(None, Qt.ItemDataRole.UserRole)
    rows = [first]
    for choice in items:
        item = QStandardItem(choice.labels(lang))
        item.setData(choice.identifier, Qt.ItemDataRole.UserRole)
        item.setData(choice.custom, CustomRole)
        rows.append(item)
    for item in rows:
        model.appendRow(item)
    return model


def _copy_model(model: QStandardItemModel) -> QStandardItemModel:
    copy = QStandardItemModel()
    for row in range(model.rowCount()):
        copy.appendRow(model.item(row).clone())
    return copy


def _row_of(model: QStandardItemModel, identifier: str | None) -> int:
    for row in range(model.rowCount()):
        if model.item(row).data(Qt.ItemDataRole.UserRole) == identifier:
            return row
    return -1


_SHARED: dict[tuple[str, str, int], QStandardItemModel] = {}


def shared_vocabulary_model(name: str, lang: str) -> QStandardItemModel:
    """One read-only item model per vocabulary and language, shared by every combo box (UI thread).
    A thesaurus refresh (a new vocabulary generation) makes new models, so new terms show at once."""
    from focalpoint.forms.vocabularies import generation

    key = (name, lang, generation())
    model = _SHARED.get(key)
    if model is None:
        from PySide6.QtCore import QCoreApplication

        model = _build_model(vocabulary_choices(name), lang, _("— none —"), QCoreApplication.instance())
        _SHARED[key] = model
    return model


class ChoiceField(_ChoiceMixin, FieldWidget):
    """One term, code, activity or record."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMaxVisibleItems(20)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.combo.setCompleter(completer)
        self.combo.currentIndexChanged.connect(self._on_index)
        line_edit = self.combo.lineEdit()
        assert line_edit is not None  # the combo box is editable
        line_edit.editingFinished.connect(self._on_edit_finished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self._make_custom_box(self, self._emit))
        self._value: str | None = None
        self._connect_source()
        self._reload_items()

    def _reload_items(self) -> None:
        lang = get_language()
        fld = self.field
        if fld.kind in (m.TERM, m.CODE):
            model = shared_vocabulary_model(fld.vocabulary or "", lang)
        else:
            model = _build_model(self._items(), lang, _empty_text(fld, bool(self._items())))
        if self._value and _row_of(model, self._value) < 0:
            model = _copy_model(model)
            extra = QStandardItem(_unknown_label(fld, self._value))
            extra.setData(self._value, Qt.ItemDataRole.UserRole)
            model.appendRow(extra)
        self._model = model  # combo boxes do not own models they are given: keep it alive
        self.combo.blockSignals(True)
        if self.combo.model() is not model:
            self.combo.setModel(model)
            completer = self.combo.completer()
            if completer is not None:
                completer.setModel(model)
        row = _row_of(model, self._value) if self._value else 0
        self.combo.setCurrentIndex(max(0, row))
        self.combo.blockSignals(False)
        self._show_custom()

    def _on_index(self, index: int) -> None:
        self._value = self.combo.itemData(index, Qt.ItemDataRole.UserRole) if index >= 0 else None
        self._show_custom()
        self._emit()

    def _on_edit_finished(self) -> None:
        # text typed that matches no item: go back to the chosen one
        if self.combo.currentIndex() >= 0 and self.combo.currentText() != self.combo.itemText(self.combo.currentIndex()):
            self.combo.setEditText(self.combo.itemText(self.combo.currentIndex()))

    def _show_custom(self) -> None:
        index = self.combo.currentIndex()
        self._show_custom_box(bool(index >= 0 and self.combo.itemData(index, CustomRole)))

    def value(self) -> Any:
        if not self._value:
            return None
        out = _encode(self.field, self._value)
        if isinstance(out, dict) and self.custom.isVisible() and (custom := self._typed_custom_value()):
            out["customValue"] = custom
        return out

    def _set(self, value: Any) -> None:
        self._value = _decode(value)
        custom = value.get("customValue") if isinstance(value, dict) else None
        self._custom_value = custom if isinstance(custom, dict) else None
        self._reload_items()
        self._show_custom_value()

    def retranslate(self) -> None:
        self._reload_items()

    def focus_widget(self) -> QWidget:
        return self.combo


class _FilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(Qt.ItemDataRole.DisplayRole)


class ChoiceListModel(QAbstractListModel):
    """The items of a check list and which are ticked; labels are computed when painted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, str, bool]] = []  # identifier, label, custom
        self.checked: set[str] = set()
        self.toggled: Callable[[str, bool], None] | None = None

    def set_items(self, items: list[tuple[str, str, bool]]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def set_checked(self, identifiers: set[str]) -> None:
        self.checked = set(identifiers)
        if self.items:
            self.dataChanged.emit(self.index(0), self.index(len(self.items) - 1),
                                  [Qt.ItemDataRole.CheckStateRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        identifier, label, custom = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if identifier in self.checked else Qt.CheckState.Unchecked
        if role == IdRole:
            return identifier
        if role == CustomRole:
            return custom
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        identifier = self.items[index.row()][0]
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        if checked:
            self.checked.add(identifier)
        else:
            self.checked.discard(identifier)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        if self.toggled is not None:
            self.toggled(identifier, checked)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemNeverHasChildren


class ChecklistField(_ChoiceMixin, FieldWidget):
    """Several terms, codes, activities or records: a check list with a filter box."""

    FILTER_FROM = 12

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.model = ChoiceListModel(self)
        self.model.toggled = self._on_toggled
        self.proxy = _FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QListView(self)
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("checklistSummary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        layout.addWidget(self._make_custom_box(self, self._emit))
        layout.addWidget(self.summary)
        self._selected: list[str] = []
        self._line = self.fontMetrics().height() + 6
        self.filter.setPlaceholderText(_("Filter the list"))
        self._connect_source()
        self._reload_items()

    def _reload_items(self) -> None:
        lang = get_language()
        items = [(c.identifier, c.labels(lang), c.custom) for c in self._items()]
        known = {i[0] for i in items}
        items += [(i, _unknown_label(self.field, i), False) for i in self._selected if i not in known]
        self.model.set_items(items)
        self.model.checked = set(self._selected)
        rows = len(items)
        self.filter.setVisible(rows >= self.FILTER_FROM)
        self.view.setFixedHeight(max(2, min(rows, 8)) * self._line + 6)
        self._update_summary()

    def _on_toggled(self, identifier: str, checked: bool) -> None:
        set_ticked(self._selected, identifier, checked)
        self._update_summary()
        self._emit()

    def _custom_selected(self) -> str | None:
        for identifier, _label, custom in self.model.items:
            if custom and identifier in self._selected:
                return identifier
        return None

    def _update_summary(self) -> None:
        n = len(self._selected)
        empty = not self.model.items
        self.view.setVisible(not empty)
        if empty and self.field.kind == m.REFERENCE:
            self.summary.setText(_("No such records on this computer yet: create them under Records, then "
                                   "choose them here."))
        elif empty and self.field.kind == m.ACTIVITY:
            self.summary.setText(_("Loading the action plan…"))
        else:
            self.summary.setText(_("Chosen: {n}").format(n=n) if n else _("Nothing chosen yet"))
        self._show_custom_box(self._custom_selected() is not None)

    def set_checked(self, identifier: str, checked: bool = True) -> None:
        """Tick or untick an item as the person would (emits ``changed``)."""
        for row, (item_id, _label, _custom) in enumerate(self.model.items):
            if item_id == identifier:
                self.model.setData(self.model.index(row), checked, Qt.ItemDataRole.CheckStateRole)
                return
        raise KeyError(identifier)

    def value(self) -> Any:
        if not self._selected:
            return None
        order = {item[0]: r for r, item in enumerate(self.model.items)}
        chosen = sorted(self._selected, key=lambda i: order.get(i, 1 << 30))
        out = [_encode(self.field, i) for i in chosen]
        custom_id = self._custom_selected()
        if custom_id and (custom := self._typed_custom_value()):
            for item in out:
                if isinstance(item, dict) and item.get("identifier") == custom_id:
                    item["customValue"] = custom
        return out

    def _set(self, value: Any) -> None:
        values = value if isinstance(value, list) else []
        self._selected = [i for i in (_decode(v) for v in values) if i]
        self._custom_value = None
        for v in values:
            if isinstance(v, dict) and isinstance(v.get("customValue"), dict):
                self._custom_value = v["customValue"]
        known = {item[0] for item in self.model.items}
        if all(i in known for i in self._selected):
            self.model.set_checked(set(self._selected))  # fast path: only the ticks change
            self._update_summary()
        else:
            self._reload_items()
        self._show_custom_value()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(_("Filter the list"))
        self._reload_items()

    def focus_widget(self) -> QWidget:
        return self.view
