"""The welcome screen of the first start, and "open where the person left off".

``WelcomeDialog`` asks for the interface language (the six languages, each in its own
name; a click re-translates the dialog at once and turns it right-to-left for Arabic),
offers to sign in to a hub or the central CHM (the existing ``SignInDialog``), or to
work offline. It is shown over the main window while the catalogue loads behind it;
``mark_welcome_done`` remembers it in the settings so later starts skip it.

``remember_place`` / ``restore_place`` keep the last tab and the last activity shown
in the settings (the window geometry is kept by ``MainWindow`` itself).

UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from focalpoint import APP_NAME, i18n
from focalpoint.i18n import LANGUAGES, NATIVE_NAMES, _
from focalpoint.ui.widgets import set_heading_font

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

FIRST_START_KEY = "first_start_done"
TAB_KEY = "main_window/tab"
ACTIVITY_KEY = "catalog/last_activity"


# ------------------------------------------------------------------ settings


def welcome_needed(settings: QSettings | None, database_existed: bool) -> bool:
    """True on a first start: no database file yet, or the welcome was never completed."""
    if settings is None:
        return not database_existed
    done = str(settings.value(FIRST_START_KEY, "")).lower() in ("true", "1")
    return not database_existed or not done


def mark_welcome_done(settings: QSettings | None) -> None:
    if settings is not None:
        settings.setValue(FIRST_START_KEY, True)
        settings.sync()


def remember_place(window: Any) -> None:
    """Store the current tab and activity (called by ``MainWindow.save_state``)."""
    settings = window.settings
    if settings is None:
        return
    settings.setValue(TAB_KEY, window.tabs.currentIndex())
    activity = window.catalog.current_activity
    if activity is not None:
        settings.setValue(ACTIVITY_KEY, int(activity))


def _int_setting(settings: QSettings, key: str) -> int | None:
    try:
        value = settings.value(key)
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def restore_tab(window: Any) -> None:
    """Select the tab of the last session (at construction)."""
    if window.settings is None:
        return
    index = _int_setting(window.settings, TAB_KEY)
    if index is not None and 0 <= index < window.tabs.count():
        window.tabs.setCurrentIndex(index)


def restore_activity(window: Any) -> None:
    """Show the activity of the last session once the catalogue has loaded (first load only)."""
    if window.settings is None:
        return
    number = _int_setting(window.settings, ACTIVITY_KEY)
    if number is None:
        return
    catalog = window.catalog

    def on_loaded() -> None:
        catalog.loaded.disconnect(on_loaded)
        if catalog.current_activity is None and number in getattr(catalog, "_by_number", {}):
            catalog.show_activity(number)

    catalog.loaded.connect(on_loaded)


# ------------------------------------------------------------------- dialog


def _open_sign_in(db: Any, runner: Any, parent: QWidget) -> tuple[str, str] | None:
    """Open the app's sign-in dialog; (server, e-mail) when signed in, else None."""
    from focalpoint.ui.signin_dialog import SignInDialog

    dialog = SignInDialog(db, runner, parent)
    dialog.load()
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_value is None:
        return None
    return dialog.result_value.server, dialog.result_value.email


class WelcomeDialog(QDialog):
    """First-start screen: language, optional sign-in, or work offline."""

    language_chosen = Signal(str)

    def __init__(self, db: Any, runner: Any, language: Any = None, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.db = db
        self.runner = runner
        self.language = language
        self.settings = settings
        self.signed_in_as: tuple[str, str] | None = None
        #: opens the sign-in dialog; tests replace it: ``(db, runner, parent) -> (server, email) | None``
        self.open_sign_in: Callable[[Any, Any, QWidget], tuple[str, str] | None] = _open_sign_in
        #: called with (server, email) after a successful sign-in: synchronizes at once (``show_welcome``
        #: connects the window's sync controller), so the person's records and requests arrive
        self.after_sign_in: Callable[[str, str], None] | None = None

        self.title = QLabel(self)
        self.title.setObjectName("welcomeTitle")
        set_heading_font(self.title, 1.5)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.language_label = QLabel(self)
        self.language_group = QButtonGroup(self)
        self.language_group.setExclusive(True)
        self.language_buttons: dict[str, QPushButton] = {}
        languages = QHBoxLayout()
        for code in LANGUAGES:
            button = QPushButton(NATIVE_NAMES[code], self)
            button.setObjectName(f"language_{code}")
            button.setCheckable(True)
            button.setChecked(code == i18n.get_language())
            button.clicked.connect(lambda _checked=False, c=code: self.choose_language(c))
            self.language_group.addButton(button)
            self.language_buttons[code] = button
            languages.addWidget(button)
        self.account_label = QLabel(self)
        self.account_label.setWordWrap(True)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("welcomeSignIn")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.signed_in_label = QLabel(self)
        self.signed_in_label.setObjectName("welcomeSignedIn")
        self.signed_in_label.setWordWrap(True)
        self.signed_in_label.setVisible(False)
        self.offline_button = QPushButton(self)
        self.offline_button.setObjectName("welcomeOffline")
        self.offline_button.setDefault(True)
        self.offline_button.clicked.connect(self.accept)
        self.note = QLabel(self)
        self.note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addWidget(self.language_label)
        layout.addLayout(languages)
        layout.addSpacing(8)
        layout.addWidget(self.account_label)
        # one button under the other: each keeps its whole (long, translated) text
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.offline_button)
        layout.addWidget(self.signed_in_label)
        layout.addWidget(self.note)
        self.setMinimumWidth(600)
        if language is not None:
            language.changed.connect(self._language_changed)
        self.finished.connect(lambda _code: mark_welcome_done(self.settings))
        self.retranslate()

    # ------------------------------------------------------------- actions

    def choose_language(self, code: str) -> None:
        """Switch the whole app's language (stored in the settings by the controller)."""
        if self.language is not None:
            self.language.switch(code)
        else:
            i18n.set_language(code)
            from PySide6.QtWidgets import QApplication

            from focalpoint.ui.language import layout_direction

            QApplication.setLayoutDirection(layout_direction(code))
            self._language_changed(code)
        self.language_chosen.emit(code)

    def sign_in(self) -> None:
        answer = self.open_sign_in(self.db, self.runner, self)
        if answer is None:
            return
        self.signed_in_as = answer
        self.retranslate()
        if self.after_sign_in is not None:
            self.after_sign_in(*answer)

    # ------------------------------------------------------------ language

    def _language_changed(self, _lang: str) -> None:
        import shiboken6

        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        current = i18n.get_language()
        for code, button in self.language_buttons.items():
            button.setChecked(code == current)
        self.setWindowTitle(_("Welcome to {app}").format(app=APP_NAME))
        self.title.setText(_("Welcome to {app}").format(app=APP_NAME))
        self.intro.setText(_("FocalPoint keeps the capacity-building action plan, your capacity needs "
                             "assessments and your clearing-house records on this computer. It works "
                             "without an internet connection."))
        self.language_label.setText(_("Choose the language of the interface:"))
        self.account_label.setText(_("To share your records, sign in to your national hub or to the "
                                     "central Clearing-House Mechanism. You can also do this later from "
                                     "the Sync menu."))
        self.sign_in_button.setText(_("Sign in to a hub or the central CHM…"))
        if self.signed_in_as is None:
            self.offline_button.setText(_("Work offline without an account"))
        else:
            server, email = self.signed_in_as
            text = _("Signed in as {email} at {server}.").format(email=email, server=server)
            if self.after_sign_in is not None:
                text += " " + _("Synchronizing now: your records and the requests for you are being fetched.")
            self.signed_in_label.setText(text)
            self.signed_in_label.setVisible(True)
            self.offline_button.setText(_("Continue"))
        self.note.setText(_("The action plan is already available; you can change the language at any "
                            "time from the Language menu."))
        if self.isVisible():
            self._fit()

    def _fit(self) -> None:
        """As tall as its wrapped texts need at its width (they change with the language), within the screen."""
        from focalpoint.ui.screen_fit import FRAME_RESERVE, available_geometry

        available = available_geometry(self)
        room_w = available.width() - FRAME_RESERVE.left() - FRAME_RESERVE.right()
        room_h = available.height() - FRAME_RESERVE.top() - FRAME_RESERVE.bottom()
        layout = self.layout()
        assert layout is not None  # set in __init__
        width = min(max(self.width() if self.isVisible() else 0, 640, layout.minimumSize().width()), room_w)
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        height = min(max(height, layout.totalMinimumSize().height()), room_h)
        self.setMinimumHeight(height)
        self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        self._fit()
        super().showEvent(event)
        from focalpoint.ui.screen_fit import keep_on_screen

        keep_on_screen(self)


def show_welcome(window: Any) -> WelcomeDialog:
    """Open the welcome dialog over ``window`` (window-modal, does not block). Returns it."""
    dialog = WelcomeDialog(window.db, window.runner, window.language, window.settings, window)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    window.welcome_dialog = dialog
    sync = getattr(window, "sync", None)
    if sync is not None and hasattr(sync, "signed_in"):
        from focalpoint.ui.sync_controller import SignIn

        dialog.after_sign_in = lambda server, email: sync.signed_in(SignIn(server, email, None))
    dialog.open()
    return dialog
