"""Fill a catalogue from JSON, for translators.

    python -m focalpoint.tools.po_fill dump fr > /tmp/fr-todo.json   # untranslated or fuzzy messages
    python -m focalpoint.tools.po_fill apply fr /tmp/fr-done.json    # write translations back

The JSON is a list of {"id", "context", "plural", "string"} — "string" is a text, or for
plural messages a list with one text per plural form of the language ("nplurals" says how many).
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po

from focalpoint.tools.i18n_build import _write, po_path


def _load(lang: str):
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def dump(lang: str) -> list[dict]:
    catalog = _load(lang)
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s and s.strip() for s in strings):
            plural = isinstance(m.id, tuple)
            out.append({"id": m.id[0] if plural else m.id, "plural": m.id[1] if plural else None,
                        "context": m.context, "nplurals": catalog.num_plurals if plural else 1,
                        "where": [loc[0] for loc in m.locations][:2], "string": "" if not plural else []})
    return out


def apply(lang: str, items: list[dict]) -> int:
    catalog = _load(lang)
    done = 0
    for item in items:
        key = (item["id"], item["plural"]) if item.get("plural") else item["id"]
        message = catalog.get(key, context=item.get("context"))
        if message is None or not item.get("string"):
            continue
        value = item["string"]
        message.string = tuple(value) if isinstance(value, list) else value
        message.flags.discard("fuzzy")
        done += 1
    _write(po_path(lang), catalog)
    return done


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "dump":
        json.dump(dump(argv[1]), sys.stdout, ensure_ascii=False, indent=1)
        return 0
    if len(argv) >= 3 and argv[0] == "apply":
        with open(argv[2], encoding="utf-8") as fh:
            print(f"{apply(argv[1], json.load(fh))} messages written")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
