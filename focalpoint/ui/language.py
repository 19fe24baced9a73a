"""Switching the interface language while the app runs.

``LanguageController.switch(lang)`` sets ``focalpoint.i18n``'s language; the
i18n listener it registers then, on the UI thread:

1. replaces Qt's own translator (``qtbase_<lang>.qm`` from PySide6's translations
   folder: the buttons of standard dialogs, context menus of line edits…);
2. sets the layout direction of the whole app (Arabic → right to left);
3. makes the Latin-digit QLocale of the language Qt's default (``focalpoint.ui.locale``);
4. stores the choice in the settings;
5. emits ``changed(lang)``: every window connects it to its ``retranslate()``.

UI thread only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QObject, QSettings, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from focalpoint import i18n
from focalpoint.ui.locale import apply_default_locale
from focalpoint.ui.settings import store_language

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

# Qt's catalogue names for the six UN languages
QT_CATALOGUE_NAMES = {"ar": "ar", "en": "en", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


class _QtCatalogue(QTranslator):
    """Qt's catalogue, also for the texts this Qt gave a mnemonic its catalogues do not have yet
    (the file dialog's "&Look in:" and "Files of &type:" are translated as "Look in:" and
    "Files of type:"): such a text is looked up again without its "&". Any thread (Qt's tr)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        text = super().translate(context, source, disambiguation, n)
        if not text and source and "&" in source and "&&" not in source:
            text = super().translate(context, source.replace("&", "", 1), disambiguation, n)
        return text or None  # None (a null string): not translated here, Qt shows the source text


def load_qt_translator(lang: str, parent: QObject | None = None) -> QTranslator | None:
    """Qt's own ``qtbase`` catalogue for ``lang``, or None when Qt ships none."""
    translator = _QtCatalogue(parent)
    name = QT_CATALOGUE_NAMES.get(lang, lang)
    if translator.load(f"qtbase_{name}", str(qt_translations_dir())):
        return translator
    return None


def layout_direction(lang: str) -> Qt.LayoutDirection:
    # PySide6 builds all of the Qt namespace's enums on the first use of one (some 20 ms):
    # imported here, so that a left-to-right start (below) shows its window without that
    from PySide6.QtCore import Qt

    return Qt.LayoutDirection.RightToLeft if i18n.is_rtl(lang) else Qt.LayoutDirection.LeftToRight


class LanguageController(QObject):
    """Owns the app's language state. Create one, after the QApplication."""

    changed = Signal(str)

    def __init__(self, app: QApplication, settings: QSettings | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._settings = settings
        self._translator: QTranslator | None = None
        i18n.add_language_listener(self._on_language)
        self.destroyed.connect(lambda *_: i18n.remove_language_listener(self._on_language))

    @property
    def language(self) -> str:
        return i18n.get_language()

    def apply(self, lang: str) -> None:
        """Set the language at start-up (no settings write when unchanged)."""
        i18n.set_language(lang)

    def switch(self, lang: str) -> None:
        """Switch while running and remember the choice."""
        i18n.set_language(lang)

    def detach(self) -> None:
        """Stop following language changes and take Qt's own translations back out of the
        application (the app object may outlive this window, as in tests). UI thread."""
        i18n.remove_language_listener(self._on_language)
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None

    def _on_language(self, lang: str) -> None:
        import shiboken6

        if not shiboken6.isValid(self):  # deleted without detach(): stop listening
            i18n.remove_language_listener(self._on_language)
            return
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        translator = load_qt_translator(lang, self)
        if translator is not None:
            self._app.installTranslator(translator)
            self._translator = translator
        if i18n.is_rtl(lang) or self._app.isRightToLeft():  # left to right is Qt's own default
            self._app.setLayoutDirection(layout_direction(lang))
        apply_default_locale(lang)
        if self._settings is not None:
            store_language(self._settings, lang)
        self.changed.emit(lang)
