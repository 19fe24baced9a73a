"""Windows that fit the screen they open on (1366x768 and 1024x600 laptops included).

``fit_window(window, QSize(1100, 780))`` sizes a top-level window to
``min(preferred, available)`` — the available geometry of the screen it opens on
(``QScreen.availableGeometry``: without the task bar), less room for the window frame —
and centres it there. Once the window is shown and its real frame is known, it is
checked again and shrunk or moved so that its frame, its buttons and its status bar
stay on the screen. Tall content must scroll inside the window (``QScrollArea``); the
window never grows past the screen to show it. UI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

# title bar and borders, until the window system tells us the real frame (Windows: ~31 px + borders)
FRAME_RESERVE = QMargins(8, 34, 8, 8)


def screen_of(widget: QWidget) -> QScreen:
    """The screen ``widget`` opens on: its parent window's, else its own, else the primary one."""
    parent = widget.parentWidget()
    screen = parent.window().screen() if parent is not None else widget.screen()
    return screen or QGuiApplication.primaryScreen()


def available_geometry(widget: QWidget) -> QRect:
    return screen_of(widget).availableGeometry()


def _frame_margins(window: QWidget) -> QMargins:
    """The real frame once shown (when the window system reports one), else the reserve."""
    if window.isVisible():
        frame, inner = window.frameGeometry(), window.geometry()
        if frame != inner:
            return QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                            frame.right() - inner.right(), frame.bottom() - inner.bottom())
    return FRAME_RESERVE


def fitted_geometry(preferred: QSize, available: QRect, frame: QMargins = FRAME_RESERVE,
                    minimum: QSize | None = None) -> QRect:
    """The client rectangle of a window of ``preferred`` size on ``available``: as large as preferred
    but never larger than the screen less the frame, centred (frame included). Pure: testable."""
    room = QSize(max(1, available.width() - frame.left() - frame.right()),
                 max(1, available.height() - frame.top() - frame.bottom()))
    size = preferred.boundedTo(room)
    if minimum is not None:
        size = size.expandedTo(minimum.boundedTo(room))
    outer_w = size.width() + frame.left() + frame.right()
    outer_h = size.height() + frame.top() + frame.bottom()
    x = available.x() + max(0, (available.width() - outer_w) // 2) + frame.left()
    y = available.y() + max(0, (available.height() - outer_h) // 2) + frame.top()
    return QRect(x, y, size.width(), size.height())


def fit_window(window: QWidget, preferred: QSize, *, centre: bool = True) -> None:
    """Size ``window`` to min(preferred, available) and centre it; check again once it is shown."""
    available = available_geometry(window)
    rect = fitted_geometry(preferred, available, _frame_margins(window))
    _limit_minimum(window, available)
    window.resize(rect.size())
    if centre:
        frame = _frame_margins(window)
        window.move(rect.x() - frame.left(), rect.y() - frame.top())
    keeper = window.findChild(_KeepOnScreen, "keepOnScreen") or _KeepOnScreen(window)
    keeper.fitted = (preferred, QSize(window.size()), centre)


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that its frame lies inside the available geometry."""
    available = available_geometry(window)
    frame = _frame_margins(window)
    _limit_minimum(window, available, frame)
    room = QSize(available.width() - frame.left() - frame.right(),
                 available.height() - frame.top() - frame.bottom())
    size = window.size().boundedTo(room)
    if size != window.size():
        window.resize(size)
    outer = QRect(window.frameGeometry().topLeft(), QSize(size.width() + frame.left() + frame.right(),
                                                          size.height() + frame.top() + frame.bottom()))
    x = min(max(outer.x(), available.x()), available.x() + available.width() - outer.width())
    y = min(max(outer.y(), available.y()), available.y() + available.height() - outer.height())
    if (x, y) != (outer.x(), outer.y()):
        window.move(x, y)


def _limit_minimum(window: QWidget, available: QRect, frame: QMargins = FRAME_RESERVE) -> None:
    """A minimum size larger than the screen (a layout's) would keep the window off it: cap it."""
    room_w = available.width() - frame.left() - frame.right()
    room_h = available.height() - frame.top() - frame.bottom()
    minimum = window.minimumSize()
    if minimum.width() > room_w or minimum.height() > room_h:
        window.setMinimumSize(min(minimum.width(), room_w), min(minimum.height(), room_h))


class _KeepOnScreen(QObject):
    """Checks the window once it is shown (real frame known) and whenever it is shown again."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("keepOnScreen")
        self._window = window
        self.fitted: tuple[QSize, QSize, bool] | None = None  # (preferred, size given, centred)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._window and event.type() == QEvent.Type.Show:
            self._check(refit=False)
            QTimer.singleShot(0, self._check)  # again once the window system has placed its frame
        return False

    def _check(self, refit: bool = True) -> None:
        try:
            fitted = self.fitted
            if refit:
                self.fitted = None
            if refit and fitted is not None and self._window.size() == fitted[1] and not self._window.isMaximized():
                # first showing, size untouched since: fit again with the frame the window system gave
                fit_window(self._window, fitted[0], centre=fitted[2])
                self.fitted = None
            keep_on_screen(self._window)
        except RuntimeError:  # the window went in the meantime
            pass


__all__ = ["FRAME_RESERVE", "available_geometry", "fit_window", "fitted_geometry", "keep_on_screen", "screen_of"]
