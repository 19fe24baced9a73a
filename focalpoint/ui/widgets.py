"""Small widget helpers shared by the panels. UI thread only."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QSizePolicy, QWidget

Confirm = Callable[[str, str, str], bool]  # (title, question, yes-button text) -> yes?


def dialog_confirm(parent: QWidget) -> Confirm:
    """Ask before something that cannot be taken back; Cancel is the default button."""
    def confirm(title: str, question: str, yes_text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.NoButton, parent)
        yes = box.addButton(yes_text, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes
    return confirm


class _PopupWidth(QObject):
    """Keeps a combo box's drop-down list as wide as its longest entry, whatever the box's width."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self.combo = combo
        model = combo.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged):
            signal.connect(self.update)
        self.update()

    def update(self, *_args) -> None:  # noqa: ANN002
        view = self.combo.view()
        width = max((view.sizeHintForColumn(0) if self.combo.count() else 0) + 2 * view.frameWidth() + 24, 0)
        view.setMinimumWidth(min(width, 900))


def compact_combo(combo: QComboBox, min_chars: int = 12, expanding: bool = True) -> QComboBox:
    """A combo box whose width does not follow its longest entry (long vocabulary names in Russian
    or French would otherwise widen the whole window past a small laptop's screen); the entry shown
    is elided and the drop-down list still shows every entry in full."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding if expanding else QSizePolicy.Policy.Preferred,
                        QSizePolicy.Policy.Fixed)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
    _PopupWidth(combo)
    return combo
