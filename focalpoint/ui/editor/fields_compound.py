"""Compound field widgets: links, attachments, groups and repeatable lists; and the factory.

``make_field_widget`` picks the widget for a field definition:

- several terms, codes, activities or records → a check list;
- any other repeated field → ``RepeatField``: one widget per item, with Add and Remove;
- a group → ``GroupField``: its members in a form of their own (labels, errors).

Attachments are checked and copied into the data folder on the DB worker, and fetched from the
server on the network worker (never on the UI thread).
UI thread only.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.forms import model as m
from focalpoint.forms.model import Field
from focalpoint.i18n import LANGUAGES, NATIVE_NAMES, _, get_language, localize
from focalpoint.ui.editor.base import FieldRow, FieldWidget, is_empty
from focalpoint.ui.editor.context import EditorContext
from focalpoint.ui.editor.fields_basic import (
    BooleanField,
    DateField,
    LocalizedTextField,
    MoneyField,
    NumberField,
    TextField,
    link_date_pairs,
)
from focalpoint.ui.editor.fields_choice import ChecklistField, ChoiceField
from focalpoint.ui.window_parts import error_text

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner


class LinkField(FieldWidget):
    """``link``: an address, a name for it, and the language of the page."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.url = QLineEdit(self)
        self.url.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.name = QLineEdit(self)
        self.language = QComboBox(self)
        for widget in (self.url, self.name):
            widget.textEdited.connect(self._emit)
        self.language.currentIndexChanged.connect(self._emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.url, 3)
        layout.addWidget(self.name, 2)
        layout.addWidget(self.language)
        self.retranslate()

    def value(self) -> Any:
        out: dict[str, Any] = {}
        if self.url.text().strip():
            out["url"] = self.url.text().strip()
        if self.name.text().strip():
            out["name"] = self.name.text().strip()
        if out and self.language.currentData():
            out["language"] = self.language.currentData()
        return out or None

    def _set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.url.setText(value.get("url") or "")
        self.name.setText(value.get("name") or "")
        index = self.language.findData(value.get("language")) if value.get("language") else 0
        self.language.setCurrentIndex(max(0, index))

    def retranslate(self) -> None:
        self.url.setPlaceholderText(_("https://…"))
        self.url.setAccessibleName(_("Address (URL)"))
        self.name.setPlaceholderText(_("Name of the link"))
        self.name.setAccessibleName(_("Name of the link"))
        current = self.language.currentData()
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItem(_("Language…"), None)
        for code in LANGUAGES:
            self.language.addItem(NATIVE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(current)) if current else 0)
        self.language.blockSignals(False)
        self.language.setAccessibleName(_("Language of the page"))

    def focus_widget(self) -> QWidget:
        return self.url


def human_size(size: int) -> str:
    from focalpoint.forms.attachments import human_size as size_text

    return size_text(size)


def open_in_desktop(path: Path) -> bool:
    """Hand a file to the program the desktop uses for its type. UI thread."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _fetch_copy(db: Any, data_dir: Path, value: dict[str, Any]) -> Path:
    """Network worker: fetch the file from the server this computer syncs with, then copy it for
    opening."""
    from focalpoint.records.attachments import copy_for_opening
    from focalpoint.sync.attachments import fetch_attachment
    from focalpoint.ui.signin_dialog import shared_token_store

    fetch_attachment(db, value, tokens=shared_token_store(data_dir))
    return copy_for_opening(data_dir, value)


def open_attachment(runner: TaskRunner, db: Database, value: dict[str, Any], *,
                    opened: Callable[[Path], None], fetching: Callable[[], None],
                    failed: Callable[[BaseException], None]) -> None:
    """Make a copy of an attachment (``value``) under its real name for opening, on the DB worker;
    when this computer lacks the file, call ``fetching`` and fetch it first on the network worker.
    ``opened`` gets the copy's path, ``failed`` the error. UI thread (the editor and the viewer)."""
    from focalpoint.records.attachments import local_copy_for_opening

    value, data_dir = dict(value), Path(db.data_dir)

    def copied(path: Path | None) -> None:
        if path is not None:
            opened(path)
            return
        fetching()
        runner.run_net(_fetch_copy, db, data_dir, value, on_done=opened, on_error=failed)

    runner.run_db(local_copy_for_opening, data_dir, value, on_done=copied, on_error=failed)


class AttachmentField(FieldWidget):
    """``attachment``: a file copied into the data folder, named by its SHA-256.

    Shows the file's name, size and type; Open hands a copy under its real name to the desktop
    (fetching the file from the server first when this computer does not have it yet, on the
    network worker); × removes it from the record. A file over the size limit is refused with
    the reason (the limit named) and the previous file stays."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.label = QLabel(self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        palette = self.problem.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#b00020"))
        self.problem.setPalette(palette)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.open_file)
        self.choose = QPushButton(self)
        self.choose.clicked.connect(self._choose)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("×")
        self.clear_button.clicked.connect(self._clear)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.choose)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        self._value: dict[str, Any] | None = None
        self._busy: str | None = None  # copying | fetching | opening
        self.opener = open_in_desktop  # what Open calls with the copy's path
        self.retranslate()

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Attach a file"))
        if path:
            self.attach_file(Path(path))

    def attach_file(self, path: Path) -> None:
        """Check and copy ``path`` into the data folder on the DB worker, then show it."""
        if self.ctx.db is None:
            return
        from focalpoint.records.attachments import store_for_record

        self._show_problem(None)
        self._busy = "copying"
        self.retranslate()
        self.ctx.runner.run_db(store_for_record, self.ctx.db, path, on_done=self._stored, on_error=self._failed)

    def _stored(self, value: dict[str, Any]) -> None:
        self._busy = None
        self._value = value
        self.retranslate()
        self._emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = None
        self.retranslate()
        self._show_problem(_("The file could not be attached: {error}").format(error=exc))

    def _show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    def open_file(self) -> None:
        """Open the file with the desktop's program for its type: a copy under its real name in a
        temporary folder, made on the DB worker (fetched first on the network worker when the
        file is not on this computer yet)."""
        if not self._value or self.ctx.db is None or self._busy:
            return
        self._show_problem(None)
        self._busy = "opening"
        self.retranslate()
        open_attachment(self.ctx.runner, self.ctx.db, self._value, opened=self._opened,
                        fetching=self._fetching, failed=self._open_failed)

    def _fetching(self) -> None:
        self._busy = "fetching"
        self.retranslate()

    def _opened(self, path: Path) -> None:
        self._busy = None
        self.retranslate()
        self.opener(path)

    def _open_failed(self, exc: BaseException) -> None:
        self._busy = None
        self.retranslate()
        self._show_problem(_("The file could not be opened: {error}").format(error=error_text(exc)))

    def _clear(self) -> None:
        self._value = None
        self._show_problem(None)
        self.retranslate()
        self._emit()

    def value(self) -> Any:
        return dict(self._value) if self._value else None

    def _set(self, value: Any) -> None:
        self._value = dict(value) if isinstance(value, dict) and value.get("sha256") else None
        self.retranslate()

    def description(self) -> str:
        """``name — size — type`` of the file shown (empty without one)."""
        if not self._value:
            return ""
        name = str(self._value.get("filename") or "")
        kind = self._value.get("mimeType") or mimetypes.guess_type(name)[0] or _("unknown type")
        return _("{name} — {size} — {type}").format(name=name, size=human_size(int(self._value.get("size") or 0)),
                                                   type=kind)

    def retranslate(self) -> None:
        self.choose.setText(_("Choose a file…") if not self._value else _("Replace…"))
        self.open_button.setText(_("Open file"))
        self.open_button.setToolTip(_("Open the file with the program your computer uses for it"))
        self.open_button.setVisible(bool(self._value))
        self.open_button.setEnabled(not self._busy)
        self.clear_button.setToolTip(_("Remove the file"))
        self.clear_button.setAccessibleName(_("Remove the file"))
        self.clear_button.setVisible(bool(self._value))
        if self._busy == "copying":
            self.label.setText(_("Copying the file…"))
        elif self._busy == "fetching":
            self.label.setText(_("Fetching the file from the server…"))
        elif self._value:
            self.label.setText(self.description())
        else:
            self.label.setText(_("No file"))

    def focus_widget(self) -> QWidget:
        return self.choose


class GroupField(FieldWidget):
    """``group``: its member fields, each with its label and its errors."""

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.setVerticalSpacing(4)
        self.member_rows: dict[str, FieldRow] = {}
        self._extra: dict[str, Any] = {}
        for member in fld.fields:
            widget = make_field_widget(member, ctx, self)
            widget.changed.connect(self._emit)
            row = FieldRow(widget, self)
            self.member_rows[member.name] = row
            self.form.addRow(row)  # the row shows its own label above the field
        link_date_pairs(fld.date_order, {name: row.widget for name, row in self.member_rows.items()})

    def value(self) -> Any:
        out = dict(self._extra)
        for name, row in self.member_rows.items():
            v = row.widget.value()
            if not is_empty(v):
                out[name] = v
            else:
                out.pop(name, None)
        return out or None

    def _set(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self._extra = {k: v for k, v in value.items() if k not in self.member_rows}
        for name, row in self.member_rows.items():
            row.widget.set_value(value.get(name))

    def set_languages(self, languages: list[str]) -> None:
        for row in self.member_rows.values():
            row.widget.set_languages(languages)

    def retranslate(self) -> None:
        for row in self.member_rows.values():
            row.retranslate()

    def rows(self, path: str) -> Iterator[tuple[str, FieldRow]]:
        for name, row in self.member_rows.items():
            member_path = f"{path}.{name}"
            yield member_path, row
            yield from row.widget.rows(member_path)

    def focus_widget(self) -> QWidget:
        first = next(iter(self.member_rows.values()), None)
        return first.widget.focus_widget() if first else self


class RepeatItem(QFrame):
    """One item of a repeated field.

    Plain items (texts, links…) are a widget and a "−" button. Group items (a need, say)
    are boxes with a title bar that folds; a folded item that was never opened keeps its
    value as data and builds no widgets, so a record with many needs opens quickly. It
    shows its errors in its title bar until it is opened.
    """

    remove_requested = Signal(object)
    changed = Signal()

    def __init__(self, owner: RepeatField, value: Any, boxed: bool, expanded: bool) -> None:
        super().__init__(owner)
        self.owner = owner
        self.boxed = boxed
        self.row: FieldRow | None = None
        self._value = value
        self._messages: list[str] = []
        self.expanded: bool  # set below: a plain item is always open
        self.body: QBoxLayout
        self.title = QLabel(self)
        self.title.setObjectName("repeatItemTitle")
        self.remove = QToolButton(self)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("repeatItemToggle")
        self.toggle.setAutoRaise(True)
        self.toggle.clicked.connect(lambda: self.set_expanded(not self.expanded))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        palette = self.error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#a4262c"))
        self.error.setPalette(palette)
        self.error.hide()
        if boxed:
            self.setFrameShape(QFrame.Shape.StyledPanel)
            self.body = QVBoxLayout(self)
            head = QHBoxLayout()
            head.addWidget(self.toggle)
            head.addWidget(self.title, 1)
            head.addWidget(self.remove)
            self.body.addLayout(head)
            self.body.addWidget(self.error)
            self.remove.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.expanded = False
            if expanded:
                self.set_expanded(True)
            else:
                self._update_toggle()
        else:
            self.body = QHBoxLayout(self)
            self.body.setContentsMargins(0, 0, 0, 0)
            self.toggle.hide()
            self.title.hide()
            self.expanded = True
            self._build()
            self.body.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)
            self.remove.setText("−")

    # -------------------------------------------------------------- widgets

    def _build(self) -> FieldRow:
        if self.row is None:
            widget = make_field_widget(self.owner.single_field(), self.owner.ctx, self)
            if self._value is not None:
                widget.set_value(self._value)
            widget.changed.connect(self.changed)
            self.row = FieldRow(widget, self)
            self.row.label.hide()
            if self.boxed:
                self.body.addWidget(self.row)
            else:
                self.body.addWidget(self.row, 1)
        return self.row

    def set_expanded(self, expanded: bool) -> None:
        if expanded:
            self._build()
            self.error.hide()
        if self.row is not None:
            self.row.setVisible(expanded)
        self.expanded = expanded
        self._update_toggle()

    def _update_toggle(self) -> None:
        self.toggle.setText("▾" if self.expanded else "▸")
        self.toggle.setToolTip(_("Fold") if self.expanded else _("Open"))
        self.toggle.setAccessibleName(_("Fold") if self.expanded else _("Open"))
        self.error.setVisible(bool(self._messages) and not self.expanded)

    @property
    def widget(self) -> FieldWidget:
        """The item's editor (opens a folded item)."""
        if not self.expanded:
            self.set_expanded(True)
        return self._build().widget

    def value(self) -> Any:
        return self.row.widget.value() if self.row is not None else self._value

    def summary(self) -> str:
        value = self.value()
        if isinstance(value, dict):
            for key in ("title", "name"):
                text = localize(value.get(key), get_language())
                if text:
                    return text
        return ""

    # ---------------------------------------------- the row protocol (errors)

    def set_errors(self, messages: list[str]) -> None:
        self._messages = messages
        self.error.setText("\n".join(messages))
        self.error.setVisible(bool(messages) and not self.expanded)

    @property
    def errors(self) -> list[str]:
        return list(self._messages)

    def retranslate(self) -> None:
        self._update_toggle()
        if self.row is not None:
            self.row.retranslate()


class RepeatField(FieldWidget):
    """A repeated field: one widget per item, Add and Remove buttons."""

    FOLD_FROM = 3  # a stored record with this many group items opens with them folded

    def __init__(self, fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(fld, ctx, parent)
        self._boxed = fld.kind == m.GROUP
        self.items: list[RepeatItem] = []
        self.list_layout = QVBoxLayout()
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6 if self._boxed else 2)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("repeatAdd")
        self.add_button.clicked.connect(self._add_clicked)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("repeatEmpty")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.list_layout)
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)  # above the button: a long field name in the button still fits
        foot = QHBoxLayout()
        foot.addWidget(self.add_button)
        foot.addStretch(1)
        layout.addLayout(foot)
        self._single: Field | None = None
        self._update_texts()

    def single_field(self) -> Field:
        if self._single is None:
            from dataclasses import replace

            self._single = replace(self.field, repeat=False, required=False, min_items=None, max_items=None)
        return self._single

    def add_item(self, value: Any = None, emit: bool = True, expanded: bool = True) -> FieldWidget | None:
        """Add an item (the person's Add button: open and ready to type). Returns its widget when built."""
        item = RepeatItem(self, value, self._boxed, expanded)
        item.changed.connect(self._item_changed)
        item.remove_requested.connect(self._remove_item)
        self.items.append(item)
        self.list_layout.addWidget(item)
        self._update_texts()
        if emit:
            self._emit()
        return item.row.widget if item.row is not None else None

    def _item_changed(self) -> None:
        self._update_titles()
        self._emit()

    def _add_clicked(self) -> None:
        widget = self.add_item()
        if widget is not None:
            widget.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_item(self, item: RepeatItem) -> None:
        self.remove_item(self.items.index(item))

    def remove_item(self, index: int) -> None:
        item = self.items.pop(index)
        self.list_layout.removeWidget(item)
        item.deleteLater()
        self._update_texts()
        self._emit()

    def item_widget(self, index: int) -> FieldWidget:
        """The editor of item ``index`` (opening it if folded)."""
        return self.items[index].widget

    def value(self) -> Any:
        values = [item.value() for item in self.items]
        values = [v for v in values if not is_empty(v)]
        return values or None

    def _set(self, value: Any) -> None:
        for item in self.items:
            self.list_layout.removeWidget(item)
            item.deleteLater()
        self.items = []
        values = value if isinstance(value, list) else []
        fold = self._boxed and len(values) >= self.FOLD_FROM
        for v in values:
            self.add_item(v, emit=False, expanded=not fold)
        self._update_texts()

    def set_languages(self, languages: list[str]) -> None:
        for item in self.items:
            if item.row is not None:
                item.row.widget.set_languages(languages)

    def retranslate(self) -> None:
        self._update_texts()
        for item in self.items:
            item.retranslate()

    def _update_texts(self) -> None:
        label = localize(self.field.label, get_language()) or self.field.name
        self.add_button.setText(_("Add to “{field}”").format(field=label))
        full = len(self.items) >= self.field.effective_max_items
        self.add_button.setEnabled(not full)
        self.empty_label.setVisible(not self.items)
        self.empty_label.setText(_("None yet."))
        for i, item in enumerate(self.items):
            item.remove.setToolTip(_("Remove item {n}").format(n=i + 1))
            item.remove.setAccessibleName(_("Remove item {n}").format(n=i + 1))
            if self._boxed:
                item.remove.setText(_("Remove"))
        self._update_titles()

    def _update_titles(self) -> None:
        if not self._boxed:
            return
        label = localize(self.field.label, get_language()) or self.field.name
        for i, item in enumerate(self.items):
            summary = item.summary()
            title = _("{field} {n}").format(field=label, n=i + 1)
            item.title.setText(_("{title}: {summary}").format(title=title, summary=summary) if summary else title)

    def rows(self, path: str) -> Iterator[tuple[str, Any]]:
        for i, item in enumerate(self.items):
            item_path = f"{path}[{i}]"
            if item.row is None:
                yield item_path, item  # folded and never opened: its title bar shows the errors
                continue
            item.set_errors([])
            yield item_path, item.row
            yield from item.row.widget.rows(item_path)

    def focus_widget(self) -> QWidget:
        return self.add_button


CHECKLIST_KINDS = {m.TERM, m.CODE, m.ACTIVITY, m.REFERENCE}

#: the widget that edits one value of each kind (a repeated field's list is made in ``make_field_widget``)
WIDGET_OF_KIND: dict[str, type[FieldWidget]] = {
    m.TEXT: TextField,
    m.LONG_TEXT: TextField,
    **dict.fromkeys(m.LOCALIZED_KINDS, LocalizedTextField),
    m.DATE: DateField,
    m.NUMBER: NumberField,
    m.MONEY: MoneyField,
    m.BOOLEAN: BooleanField,
    **dict.fromkeys(CHECKLIST_KINDS, ChoiceField),
    m.LINK: LinkField,
    m.ATTACHMENT: AttachmentField,
    m.GROUP: GroupField,
}


def make_field_widget(fld: Field, ctx: EditorContext, parent: QWidget | None = None) -> FieldWidget:
    """The widget that edits ``fld``'s value."""
    if fld.repeat:
        if fld.kind in CHECKLIST_KINDS:
            return ChecklistField(fld, ctx, parent)
        return RepeatField(fld, ctx, parent)
    widget_class = WIDGET_OF_KIND.get(fld.kind)
    if widget_class is None:
        raise ValueError(f"no editor widget for kind {fld.kind!r}")
    return widget_class(fld, ctx, parent)
