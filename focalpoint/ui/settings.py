"""Settings kept beside the database: ``<data dir>/settings.ini`` (INI format).

Keeping them in the data folder (not the registry or ~/.config) means a data
folder copied to another machine, or a portable install, brings its language and
window layout along. UI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

LANGUAGE_KEY = "ui/language"
GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
SPLITTER_KEY = "catalog/splitter"


def open_settings(data_dir: Path) -> QSettings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


def stored_language(settings: QSettings) -> str | None:
    value = settings.value(LANGUAGE_KEY)
    return str(value) if value else None


def store_language(settings: QSettings, lang: str) -> None:
    settings.setValue(LANGUAGE_KEY, lang)
    settings.sync()


def byte_array(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None
