"""Translation of every user-visible string, and locale-aware formatting.

Use the explicit functions ``_``, ``ngettext``, ``pgettext`` and ``N_`` (a marker
for strings translated later); nothing is installed into builtins.

Catalogues are gettext ``.po`` files under ``translations/<lang>/LC_MESSAGES``.
Compiled ``.mo`` files are made by the build (``make translations``); when one is
missing or older than its ``.po`` the catalogue is compiled in memory, so a fresh
checkout works without a build step.

Digits: FocalPoint uses Latin (ASCII) digits in every language, in babel's
formatting and in Qt's widgets alike (the CLDR default for most Arabic-speaking
countries that use the CBD's Arabic texts); see ``focalpoint.ui.locale``.

Pseudo-localization for layout testing: ``FOCALPOINT_PSEUDO=1`` lengthens and
accents every string, ``FOCALPOINT_PSEUDO_RTL=1`` forces right-to-left.

Any thread may call the lookup functions; ``set_language`` belongs to the UI
thread (or the CLI's only thread).
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
import io
import locale as _locale
import os
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from focalpoint.resources import translations_root

if TYPE_CHECKING:
    from babel import Locale

LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
OFFICIAL_ACTION_PLAN_LANGUAGE = "zh"
DOMAIN = "focalpoint"

# Each language's name in itself, for the language menu.
NATIVE_NAMES: dict[str, str] = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "zh": "中文",
}

_lock = threading.RLock()
_catalogues: dict[str, _gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def _load_catalogue(lang: str) -> _gettext.NullTranslations:
    with _lock:
        cached = _catalogues.get(lang)
        if cached is not None:
            return cached
        folder = translations_root() / lang / "LC_MESSAGES"
        po = folder / f"{DOMAIN}.po"
        mo = folder / f"{DOMAIN}.mo"
        catalogue: _gettext.NullTranslations
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fh:
                catalogue = _gettext.GNUTranslations(fh)
        elif po.exists():
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po.open("rb") as fh:
                parsed = read_po(fh, locale=lang)
            buf = io.BytesIO()
            write_mo(buf, parsed, use_fuzzy=False)
            buf.seek(0)
            catalogue = _gettext.GNUTranslations(buf)
        else:
            catalogue = _gettext.NullTranslations()
        _catalogues[lang] = catalogue
        return catalogue


def reload_catalogues() -> None:
    """Forget loaded catalogues (after the .po files changed)."""
    with _lock:
        _catalogues.clear()


def normalize_language(value: str | None) -> str | None:
    """Map a locale name such as ``fr_CA.UTF-8`` or ``zh-Hans`` to one of LANGUAGES."""
    if not value:
        return None
    code = value.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def system_language() -> str:
    """The UN language the system locale asks for, English when it names none."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in os.environ.get(var, "").split(":"):
            lang = normalize_language(part)
            if lang:
                return lang
    try:
        lang = normalize_language(_locale.getlocale()[0])
    except ValueError:
        lang = None
    return lang or DEFAULT_LANGUAGE


def get_language() -> str:
    """The interface language now in use (one of ``LANGUAGES``). Any thread."""
    return _current


def set_language(lang: str) -> None:
    """Switch the interface language and call every listener, on the caller's thread.

    Raises ``ValueError`` for a code not in ``LANGUAGES``. UI thread (or the CLI's only thread):
    listeners retranslate widgets."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    with _lock:
        _current = lang
        listeners = list(_listeners)
    for callback in listeners:
        callback(lang)


def add_language_listener(callback: Callable[[str], None]) -> None:
    """Call ``callback(lang)`` after each ``set_language``, on the thread that switched. Any thread."""
    with _lock:
        _listeners.append(callback)


def remove_language_listener(callback: Callable[[str], None]) -> None:
    """Stop calling ``callback`` on language changes (no error when it was not registered). Any thread."""
    with _lock:
        if callback in _listeners:
            _listeners.remove(callback)


def is_rtl(lang: str | None = None) -> bool:
    """Whether ``lang`` (default: the current language) is written right to left; always True
    under ``FOCALPOINT_PSEUDO_RTL=1``. Any thread."""
    if os.environ.get("FOCALPOINT_PSEUDO_RTL") == "1":
        return True
    return (lang or _current) in RTL_LANGUAGES


_PSEUDO_MAP = str.maketrans("aceinosuyACEINOSUY", "àçéîñöšüýÀÇÉÎÑÖŠÜÝ")


def _pseudo(text: str) -> str:
    if os.environ.get("FOCALPOINT_PSEUDO") != "1" or not text:
        return text
    # keep placeholders intact, accent the rest and lengthen by ~40 %
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        if depth:
            out.append(ch)
        else:
            out.append(ch.translate(_PSEUDO_MAP))
        if ch == "}":
            depth = max(0, depth - 1)
    pad = "~" * max(2, len(text) * 2 // 5)
    return "[" + "".join(out) + pad + "]"


def _(message: str) -> str:
    """``message`` translated into the current interface language (itself when untranslated). Any thread."""
    return _pseudo(_load_catalogue(_current).gettext(message))


def gettext_for(lang: str, message: str) -> str:
    """Translate into a given language, whatever the interface language (for PDFs)."""
    return _pseudo(_load_catalogue(lang).gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (its own plural rules). Any thread."""
    return _pseudo(_load_catalogue(_current).ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context`` (for one English word with two meanings). Any thread."""
    return _pseudo(_load_catalogue(_current).pgettext(context, message))


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def localize(value: Mapping[str, str] | str | None, lang: str | None = None,
             fallbacks: tuple[str, ...] = (DEFAULT_LANGUAGE, OFFICIAL_ACTION_PLAN_LANGUAGE)) -> str:
    """Pick the text for ``lang`` from a language map such as ``{"zh": "…", "en": "…"}``.

    Falls back to English, then Chinese (the action plan's official text here),
    then any language present. A plain string is returned as it is.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    lang = lang or _current
    for code in (lang, *fallbacks):
        text = value.get(code)
        if text:
            return text
    for text in value.values():
        if text:
            return text
    return ""


def babel_locale(lang: str | None = None) -> Locale:
    """The babel ``Locale`` of ``lang`` (default: the current language), for CLDR data. Any thread."""
    from babel import Locale

    return Locale.parse(lang or _current)


def format_number(value: int | float | Decimal, lang: str | None = None) -> str:
    """A number as ``lang`` writes it (grouping and decimal signs, Latin digits). Any thread."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(lang), numbering_system="latn")


def format_money(value: int | float | Decimal, currency: str, lang: str | None = None) -> str:
    """An amount in ISO 4217 ``currency`` as ``lang`` writes it (Latin digits). Any thread."""
    from babel.numbers import format_currency

    return format_currency(value, currency, locale=babel_locale(lang), numbering_system="latn")


def format_date(value: _dt.date, lang: str | None = None, fmt: str = "medium") -> str:
    """A date in babel's ``fmt`` (short, medium, long, full or a pattern) for ``lang``. Any thread."""
    from babel.dates import format_date as _fd

    return _fd(value, format=fmt, locale=babel_locale(lang))


def format_datetime(value: _dt.datetime, lang: str | None = None, fmt: str = "medium") -> str:
    """A date and time in babel's ``fmt`` for ``lang`` (the value is shown as given, not converted). Any thread."""
    from babel.dates import format_datetime as _fdt

    return _fdt(value, format=fmt, locale=babel_locale(lang))


def language_name(code: str, in_lang: str | None = None) -> str:
    """The name of UN language ``code`` in ``in_lang`` (babel's CLDR data)."""
    return babel_locale(in_lang).languages.get(code, code)


def country_name(iso2: str, lang: str | None = None) -> str:
    """The name of country ``iso2`` in ``lang`` (CLDR); the upper-cased code when CLDR has none. Any thread."""
    return babel_locale(lang).territories.get(iso2.upper(), iso2.upper())
