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
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QCompleter, QHBoxLayout, QLabel, QLineEdit, QListView, QVBoxLayout,
                               QWidget)

from focalpoint.forms import model as m
from focalpoint.forms.model import Field
from focalpoint.i18n import _, get_language, localize
from focalpoint.ui.editor.base import FieldWidget
from focalpoint.ui.editor.context import EditorContext

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
    return [Choice(t.identifier, (lambda lang, t=t: localize(t.label, lang) or t.identifier), t.custom)
            for t in vocab]


def activity_choices(rows: list[dict[str, Any]]) -> list[Choice]:
    def label(row: dict[str, Any]) -> Callable[[str], str]:
        def fn(lang: str) -> str:
            text = localize(row["text"], lang)
            text = text if len(text) <= 150 else text[:149] + "…"
            return _("{number}. {title}").format(number=row["number"], title=text)
        return fn

    return [Choice(f"{ACTIVITY_PREFIX}{r['number']}", label(r)) for r in rows]


def record_choice_items(rows: list[dict[str, Any]], exclude: str | None = None) -> list[Choice]:
    return [Choice(r["identifier"],
                   (lambda lang, r=r: localize(r["title"], lang) or _("(untitled)")))
            for r in rows if r["identifier"] != exclude]


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

    def _connect_source(self) -> None:
        fld = self.field
        if fld.kind == m.ACTIVITY:
            self.ctx.choices.activities_ready.connect(self._reload_items)
            self.ctx.choices.want_activities()
        elif fld.kind == m.REFERENCE:
            self.ctx.choices.records_ready.connect(lambda schemas: schemas == tuple(fld.schemas)
                                                   and self._reload_items())
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
        return _("{identifier} (not on this computer)").format(identifier=identifier)
    if fld.kind == m.ACTIVITY:
        return _("Activity {identifier}").format(identifier=identifier.removeprefix(ACTIVITY_PREFIX))
    return _("{identifier} (not in the list)").format(identifier=identifier)


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
        self.combo.lineEdit().editingFinished.connect(self._on_edit_finished)
        self.custom = QLineEdit(self)
        self.custom.hide()
        self.custom.textEdited.connect(self._emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self.custom)
        self._value: str | None = None
        self._custom_value: dict[str, str] | None = None
        self._connect_source()
        self._reload_items()

    def _reload_items(self) -> None:
        lang = get_language()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("— none —"), None)
        known = set()
        for choice in self._items():
            self.combo.addItem(choice.labels(lang), choice.identifier)
            self.combo.setItemData(self.combo.count() - 1, choice.custom, CustomRole)
            known.add(choice.identifier)
        if self._value and self._value not in known:
            self.combo.addItem(_unknown_label(self.field, self._value), self._value)
        index = self.combo.findData(self._value) if self._value else 0
        self.combo.setCurrentIndex(max(0, index))
        self.combo.blockSignals(False)
        self._show_custom()

    def _on_index(self, index: int) -> None:
        self._value = self.combo.itemData(index) if index >= 0 else None
        self._show_custom()
        self._emit()

    def _on_edit_finished(self) -> None:
        # text typed that matches no item: go back to the chosen one
        if self.combo.currentIndex() >= 0 and self.combo.currentText() != self.combo.itemText(self.combo.currentIndex()):
            self.combo.setEditText(self.combo.itemText(self.combo.currentIndex()))

    def _show_custom(self) -> None:
        index = self.combo.currentIndex()
        custom = bool(index >= 0 and self.combo.itemData(index, CustomRole))
        self.custom.setVisible(custom)
        self.custom.setPlaceholderText(_("Say what it is"))

    def value(self) -> Any:
        if not self._value:
            return None
        out = _encode(self.field, self._value)
        if isinstance(out, dict) and self.custom.isVisible() and self.custom.text().strip():
            lang = self.ctx.ordered_languages()[0] if self.ctx.languages else "en"
            custom = dict(self._custom_value or {})
            custom[lang] = self.custom.text().strip()
            out["customValue"] = custom
        return out

    def _set(self, value: Any) -> None:
        self._value = _decode(value)
        custom = value.get("customValue") if isinstance(value, dict) else None
        self._custom_value = custom if isinstance(custom, dict) else None
        self._reload_items()
        self.custom.setText(localize(self._custom_value, get_language()) if self._custom_value else "")

    def retranslate(self) -> None:
        self._reload_items()

    def focus_widget(self) -> QWidget:
        return self.combo


class _FilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(Qt.ItemDataRole.DisplayRole)


class ChecklistField(_ChoiceMixin, FieldWidget):
    """Several terms, codes, activities or records: a check list with a filter box."""

    FILTER_FROM = 12

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.model = QStandardItemModel(self)
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
        self.custom = QLineEdit(self)
        self.custom.hide()
        self.custom.textEdited.connect(self._emit)
        self.model.itemChanged.connect(self._on_item_changed)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.view)
        layout.addWidget(self.custom)
        layout.addWidget(self.summary)
        self._selected: list[str] = []
        self._custom_value: dict[str, str] | None = None
        self._connect_source()
        self._reload_items()

    def _reload_items(self) -> None:
        lang = get_language()
        items = self._items()
        selected = set(self._selected)
        self.model.blockSignals(True)
        self.model.clear()
        known = set()
        for choice in items:
            self._add_item(choice.identifier, choice.labels(lang), choice.identifier in selected, choice.custom)
            known.add(choice.identifier)
        for identifier in self._selected:
            if identifier not in known:
                self._add_item(identifier, _unknown_label(self.field, identifier), True, False)
        self.model.blockSignals(False)
        self.proxy.invalidate()
        rows = self.model.rowCount()
        self.filter.setVisible(rows >= self.FILTER_FROM)
        line = self.view.sizeHintForRow(0) if rows else self.fontMetrics().height() + 6
        self.view.setFixedHeight(max(2, min(rows, 8)) * max(line, 1) + 6)
        self._update_summary()

    def _add_item(self, identifier: str, label: str, checked: bool, custom: bool) -> None:
        item = QStandardItem(label)
        item.setData(identifier, IdRole)
        item.setData(custom, CustomRole)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setToolTip(label)
        self.model.appendRow(item)

    def _on_item_changed(self, item: QStandardItem) -> None:
        identifier = item.data(IdRole)
        checked = item.checkState() == Qt.CheckState.Checked
        if checked and identifier not in self._selected:
            self._selected.append(identifier)
        elif not checked and identifier in self._selected:
            self._selected.remove(identifier)
        self._update_summary()
        self._emit()

    def _custom_selected(self) -> str | None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if item.data(CustomRole) and item.data(IdRole) in self._selected:
                return item.data(IdRole)
        return None

    def _update_summary(self) -> None:
        n = len(self._selected)
        self.summary.setText(_("Chosen: {n}").format(n=n) if n else _("Nothing chosen yet"))
        self.custom.setVisible(self._custom_selected() is not None)
        self.custom.setPlaceholderText(_("Say what it is"))

    def set_checked(self, identifier: str, checked: bool = True) -> None:
        """Tick or untick an item as the person would (emits ``changed``)."""
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if item.data(IdRole) == identifier:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(identifier)

    def value(self) -> Any:
        if not self._selected:
            return None
        order = {self.model.item(r).data(IdRole): r for r in range(self.model.rowCount())}
        chosen = sorted(self._selected, key=lambda i: order.get(i, 1 << 30))
        out = [_encode(self.field, i) for i in chosen]
        custom_id = self._custom_selected()
        if custom_id and self.custom.text().strip():
            lang = self.ctx.ordered_languages()[0] if self.ctx.languages else "en"
            custom = dict(self._custom_value or {})
            custom[lang] = self.custom.text().strip()
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
        self._reload_items()
        self.custom.setText(localize(self._custom_value, get_language()) if self._custom_value else "")

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(_("Filter the list"))
        self._reload_items()

    def focus_widget(self) -> QWidget:
        return self.view
