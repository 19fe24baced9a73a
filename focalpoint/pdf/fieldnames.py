"""Names of fillable-PDF fields: the document property each one fills, readable both ways.

A PDF field name may not contain a period, so property paths are written with
colons: ``needs:0:description:fr`` fills ``needs[0].description.fr``. A tick box
for term ``T`` of field ``F`` is ``F=T`` (``needs:0:aichiTargets=AICHI-TARGET-11``);
a radio group (one choice) is named ``F`` and its buttons' values are the term
identifiers. The "other, please specify" text of a custom term ``T`` is
``F=T=custom:<lang>``. The hidden field ``fp:code`` holds the form code.

Any thread may call these functions.
"""

from __future__ import annotations

CODE_FIELD = "fp:code"
SEP = ":"

Part = str | int


def encode(parts: list[Part] | tuple[Part, ...]) -> str:
    """``["needs", 0, "description", "fr"]`` → ``needs:0:description:fr``."""
    return SEP.join(str(p) for p in parts)


def decode(name: str) -> list[Part]:
    """``needs:0:description:fr`` → ``["needs", 0, "description", "fr"]``."""
    return [int(p) if p.isdigit() else p for p in name.split(SEP)]


def custom_field(parts: list[Part] | tuple[Part, ...], identifier: str, lang: str) -> str:
    return f"{encode(parts)}={identifier}=custom{SEP}{lang}"


def split_name(name: str) -> tuple[list[Part], str | None, str | None]:
    """A field name as (property path parts, term identifier or None, custom language or None)."""
    pieces = name.split("=")
    path = decode(pieces[0])
    term = pieces[1] if len(pieces) >= 2 else None
    custom_lang = None
    if len(pieces) >= 3 and pieces[2].startswith("custom" + SEP):
        custom_lang = pieces[2].split(SEP, 1)[1]
    return path, term, custom_lang


def dotted(parts: list[Part] | tuple[Part, ...]) -> str:
    """The validation-style path: ``needs[0].description.fr``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out
