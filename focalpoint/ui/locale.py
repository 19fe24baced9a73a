"""The QLocale used for each interface language: Latin digits everywhere.

FocalPoint writes numbers, dates and money with Latin (ASCII) digits in all six
languages, as ``focalpoint.i18n``'s babel formatting does (``numbering_system="latn"``).
Qt has no number option that forces Latin digits, so the choice is made by picking a
locale of the language whose ``zeroDigit()`` is ``'0'``:

- Arabic: ``ar_001`` (Arabic, World) — verified with PySide6 6.12: zeroDigit ``'0'``,
  ``toString(1234.5, 'f', 1) == '1,234.5'``; plain ``ar`` / ``ar_EG`` / ``ar_SA`` use
  Arabic-Indic digits (``'٠'``) and are not used.
- Chinese: ``zh_CN``; English ``en_US``; French ``fr_FR``; Spanish ``es_ES``; Russian ``ru_RU``
  (all have zeroDigit ``'0'``).

``latin_digit_locale`` checks the candidate at run time and falls back to the next one,
so a Qt with different CLDR data still never shows other digits.

Call from the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale

CANDIDATES: dict[str, tuple[str, ...]] = {
    "ar": ("ar_001", "ar_AE", "ar_MA", "ar_TN", "ar_DZ"),
    "en": ("en_US", "en_GB"),
    "es": ("es_ES", "es_419"),
    "fr": ("fr_FR", "fr_CH"),
    "ru": ("ru_RU",),
    "zh": ("zh_CN", "zh_SG"),
}


def latin_digit_locale(lang: str) -> QLocale:
    """A QLocale for ``lang`` whose digits are 0–9."""
    for name in CANDIDATES.get(lang, ()) + (lang,):
        locale = QLocale(name)
        if locale.zeroDigit() == "0" and locale.language() != QLocale.Language.C:
            return locale
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def apply_default_locale(lang: str) -> QLocale:
    """Make the Latin-digit locale of ``lang`` Qt's default (spin boxes, date edits, views)."""
    locale = latin_digit_locale(lang)
    QLocale.setDefault(locale)
    return locale
