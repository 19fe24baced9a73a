"""Parts the main window's features share: named menu actions, and the windows a feature opened
(dialogs, review screens) kept alive while open, re-labelled after a language switch, forgotten
when closed. UI thread only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from focalpoint.ui.review.record_view import alive

W = TypeVar("W", bound=QWidget)


def menu_action(parent: QObject, slot: Callable[[], Any], name: str,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
    """A named action calling ``slot()`` (its text comes with ``retranslate``). UI thread."""
    action = QAction(parent)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action


class KeptWindows:
    """Open windows by key (one per key) or without one; each is deleted when closed."""

    def __init__(self) -> None:
        self._windows: dict[object, QWidget] = {}

    def keep(self, window: W, key: object | None = None) -> W:
        """Keep ``window`` until it closes (``key``: find it again with :meth:`get`)."""
        key = window if key is None else key
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._windows[key] = window
        window.destroyed.connect(lambda *_a, k=key: self._windows.pop(k, None))
        return window

    def get(self, key: object) -> QWidget | None:
        """The open window kept under ``key``, if any."""
        return self._windows.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._windows

    def __getitem__(self, key: object) -> QWidget:
        return self._windows[key]

    def __len__(self) -> int:
        return len(self._windows)

    def retranslate(self) -> None:
        """Re-label every open window (each has ``retranslate()``)."""
        for window in list(self._windows.values()):
            window.retranslate()  # type: ignore[attr-defined]  # every window kept here has it


def error_text(exc: BaseException) -> str:
    """The message to show for a failed task: the person's message when the error has one."""
    return getattr(exc, "user_message", None) or str(exc) or type(exc).__name__


class MessageLine(QLabel):
    """A dialog's one-line answer to what the person did ("Saving…", or an error in red)."""

    ERROR_STYLE = "QLabel { color: #a4262c; }"

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` (in red when ``error``)."""
        self.setStyleSheet(self.ERROR_STYLE if error else "")
        self.setText(text)


class TaskDialog(QDialog):
    """A dialog whose work runs on a worker: ``busy`` while it runs, and a :class:`MessageLine` for
    the answer; a failed task's message is shown in red. Subclasses enable their buttons in
    ``_update``. UI thread only."""

    def __init__(self, message_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self.message = MessageLine(message_name, self)

    def _update(self) -> None:
        """Enable what may be used now (the subclass knows what)."""

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.say(text, error=error)

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return  # the dialog was closed while the task ran
        self.busy = False
        self._say(error_text(exc), error=True)
        self._update()
