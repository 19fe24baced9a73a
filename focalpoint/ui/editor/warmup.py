"""Warm the editor's caches in the background after start-up.

Parsing the form definitions and building the generated vocabularies (countries and
currencies in six languages come from babel's CLDR data) takes a few hundred
milliseconds the first time; doing it once on a background thread right after the
main window appears makes opening the first record as quick as the next ones.
The forms package's caches are thread-safe; nothing here touches Qt.
"""

from __future__ import annotations

import threading

_started = False


def _warm() -> None:
    try:
        from focalpoint.forms import load_form, schemas, vocabulary
        from focalpoint.forms import model as m

        names: set[str] = set()
        for schema in schemas():
            form = load_form(schema)
            for _path, fld in form.iter_fields():
                if fld.vocabulary and fld.kind != m.ACTIVITY:
                    names.add(fld.vocabulary)
        names.add("currencies")
        for name in sorted(names):
            try:
                vocabulary(name)
            except KeyError:
                pass
        import datetime as dt

        from focalpoint.i18n import babel_locale, format_datetime

        babel_locale()
        format_datetime(dt.datetime.now())
    except Exception:  # noqa: BLE001 — warming is an optimisation; the editor loads lazily anyway
        pass


def warm_up_in_background() -> None:
    """Start warming once per process. Any thread."""
    global _started
    if _started:
        return
    _started = True
    threading.Thread(target=_warm, name="focalpoint-warmup", daemon=True).start()
