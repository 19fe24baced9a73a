"""Small widget helpers shared by the panels. UI thread only."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QTreeView,
    QWidget,
)

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

    def update(self, *_args: object) -> None:
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


class ElidedLabel(QLabel):
    """A one-line label that may be narrower than its text: it then ends in "…" (or loses its middle,
    ``mode``) and its tooltip gives the whole text. It asks for its full width, and gives way first
    when a status bar or a row is short of room. UI thread only."""

    def __init__(self, parent: QWidget | None = None, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 minimum_chars: int = 6) -> None:
        super().__init__(parent)
        self._mode = mode
        self._minimum_chars = minimum_chars
        self._own_tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        """A tooltip of the caller's own; the whole text is added to it while the text is cut."""
        self._own_tip = tip
        self._update_tip()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tip()

    def is_elided(self) -> bool:
        """True when the text does not fit the label's width (what is shown ends in "…")."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.fontMetrics().horizontalAdvance("M" * self._minimum_chars)
        margins = self.contentsMargins()
        return QSize(min(width, super().sizeHint().width()) + margins.left() + margins.right(),
                     super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        tip = self._own_tip
        if self.is_elided() and self.text() not in tip:
            tip = self.text() + ("\n" + tip if tip else "")
        super().setToolTip(tip)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        rect = self.contentsRect()
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        align = QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        self.style().drawItemText(painter, rect, int(align | Qt.AlignmentFlag.AlignVCenter), self.palette(),
                                  self.isEnabled(), shown, self.foregroundRole())


def fit_combo_to(combo: QComboBox, text: str) -> None:
    """Make a (compact) combo box at least wide enough to show ``text`` whole, e.g. its "All …" entry."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    contents = QSize(combo.fontMetrics().horizontalAdvance(text) + 4, combo.fontMetrics().height())
    size = combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, contents, combo)
    combo.setMinimumWidth(size.width())


def report_enter(view: QAbstractItemView, signal: SignalInstance, event: QKeyEvent) -> bool:
    """Emit ``signal`` with the current item when ``event`` is Enter/Return on one; True if it was."""
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and view.currentIndex().isValid():
        signal.emit(view.currentIndex())
        return True
    return False


class EnterTableView(QTableView):
    """A table; Enter/Return on the current item emits ``enter_pressed``."""

    enter_pressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not report_enter(self, self.enter_pressed, event):
            super().keyPressEvent(event)


class EnterTreeView(QTreeView):
    """A tree; Enter/Return on the current item emits ``enter_pressed``."""

    enter_pressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not report_enter(self, self.enter_pressed, event):
            super().keyPressEvent(event)


def style_row_table(table: QTableView, *, stretch: int, widths: Mapping[int, int],
                    sort: tuple[int, Qt.SortOrder] | None = None) -> None:
    """The look of the app's lists: whole rows selected, no row numbers, alternating colours, one line
    a row; column ``stretch`` takes the room left and the others start at ``widths`` (the person may
    resize them); with ``sort``, a header click sorts and the list starts sorted so. UI thread."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    if sort is not None:
        table.setSortingEnabled(True)
        header.setSortIndicator(*sort)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for col, width in widths.items():
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(col, width)


def set_heading_font(widget: QWidget, scale: float) -> None:
    """Show ``widget``'s text as a heading: bold, ``scale`` times its usual size. UI thread."""
    font = widget.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)


def set_ticked(ticked: list[str], item: str, on: bool) -> None:
    """Keep ``ticked`` as the items ticked, in the order they were ticked: ``item`` goes to the end
    when ticked, out when unticked (a repeated signal changes nothing). Any thread."""
    if on and item not in ticked:
        ticked.append(item)
    elif not on and item in ticked:
        ticked.remove(item)
