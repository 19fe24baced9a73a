"""Three-way merge of CHM documents, field by field (pure functions, no I/O).

The unit of a merge is a top-level property of the document; inside a
localized text map (``{"en": …, "fr": …}``) each language is its own field,
so one person translating into French and another correcting the English
never collide. ``header.languages`` is merged as a set (a language added on
either side is kept; one removed on either side is removed). Every other
header key is a field of its own.

A field changed on one side only takes that side's value. A field changed on
both sides to the same value is not a conflict. A field changed on both sides
to different values is a conflict: the merged document keeps *mine* there
until the person chooses (see :func:`apply_choices`).

Paths name fields: ``"aichiTargets"``, ``"title.fr"``, ``"header.languages"``.
Any thread may call these functions.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from focalpoint.i18n import LANGUAGES

LANGUAGE_CODES = frozenset(LANGUAGES)


class _Missing:
    """An absent property (distinct from a property whose value is null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

MINE = "mine"
THEIRS = "theirs"


@dataclass
class MergeResult:
    """The outcome of :func:`merge3`.

    ``document`` is the merged document (with *mine* wherever there is a
    conflict); ``from_theirs`` lists the fields taken from the server's side,
    ``from_mine`` the fields where the local edit was kept over an unchanged
    server value, ``conflicts`` the fields both sides changed differently.
    """

    document: dict[str, Any]
    from_theirs: list[str] = field(default_factory=list)
    from_mine: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def is_localized_map(value: Any) -> bool:
    """True for a non-empty map from UN language codes to text (or null)."""
    return (isinstance(value, Mapping) and bool(value)
            and all(k in LANGUAGE_CODES for k in value)
            and all(v is None or isinstance(v, str) for v in value.values()))


def _localizable(*values: Any) -> bool:
    """All three sides are localized maps, absent or null, and at least one is a map."""
    maps = [v for v in values if v is not MISSING and v is not None]
    return bool(maps) and all(is_localized_map(v) for v in maps)


def _get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    if not isinstance(mapping, Mapping):
        return MISSING
    return mapping.get(key, MISSING)


def _keys(*mappings: Any) -> list[str]:
    """The union of keys, in first-seen order (mine, theirs, base)."""
    seen: dict[str, None] = {}
    for mapping in mappings:
        if isinstance(mapping, Mapping):
            for key in mapping:
                seen.setdefault(key, None)
    return list(seen)


def merge_languages(base: Any, mine: Any, theirs: Any) -> list[str]:
    """Three-way merge of ``header.languages`` as a set, keeping mine's order first."""
    b = list(base) if isinstance(base, list) else []
    m = list(mine) if isinstance(mine, list) else []
    t = list(theirs) if isinstance(theirs, list) else []
    out: list[str] = []
    for lang in m + t:
        if lang in out:
            continue
        in_m, in_t, in_b = lang in m, lang in t, lang in b
        if (in_m and in_t) or (in_m and not in_b) or (in_t and not in_b):
            out.append(lang)
    return out


def _changed_paths(path: str, before: Any, after: Any) -> list[str]:
    """The paths that changed: per language inside a localized map, else the field itself."""
    if _localizable(before, after) and not path.startswith("header"):
        changed = [f"{path}.{lang}" for lang in _keys(after, before) if _get(before, lang) != _get(after, lang)]
        return changed or [path]
    return [path]


class _Merger:
    def __init__(self) -> None:
        self.from_theirs: list[str] = []
        self.from_mine: list[str] = []
        self.conflicts: list[str] = []

    def field(self, path: str, b: Any, m: Any, t: Any) -> Any:
        """Merge one field; returns the merged value (MISSING: leave out)."""
        if m == t:
            return m if m is MISSING else copy.deepcopy(m)
        if m == b:
            self.from_theirs.extend(_changed_paths(path, b, t))
            return t if t is MISSING else copy.deepcopy(t)
        if t == b:
            self.from_mine.extend(_changed_paths(path, b, m))
            return m if m is MISSING else copy.deepcopy(m)
        if _localizable(b, m, t):
            return self.mapping(path, b, m, t, per_key=self.field)
        self.conflicts.append(path)
        return m if m is MISSING else copy.deepcopy(m)

    def mapping(self, prefix: str, b: Any, m: Any, t: Any, per_key: Callable[[str, Any, Any, Any], Any]) -> Any:
        out: dict[str, Any] = {}
        for key in _keys(m, t, b):
            value = per_key(f"{prefix}.{key}" if prefix else key, _get(b, key), _get(m, key), _get(t, key))
            if value is not MISSING:
                out[key] = value
        if not out and m is MISSING and t is MISSING:
            return MISSING
        return out

    def header_field(self, path: str, b: Any, m: Any, t: Any) -> Any:
        if path == "header.languages" and m != t and m != b and t != b:
            merged = merge_languages(b, m, t)
            self.from_theirs.append(path)
            self.from_mine.append(path)
            return merged
        return self.field(path, b, m, t)

    def document(self, b: Any, m: Any, t: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in _keys(m, t, b):
            bk, mk, tk = _get(b, key), _get(m, key), _get(t, key)
            if key == "header" and all(v is MISSING or isinstance(v, Mapping) for v in (bk, mk, tk)):
                value = self.mapping("header", bk, mk, tk, per_key=self.header_field)
            else:
                value = self.field(key, bk, mk, tk)
            if value is not MISSING:
                out[key] = value
        return out


def merge3(base: Mapping[str, Any] | None, mine: Mapping[str, Any],
           theirs: Mapping[str, Any]) -> MergeResult:
    """Merge ``mine`` and ``theirs``, both edited from ``base`` (None: no common base)."""
    merger = _Merger()
    merged = merger.document(base or {}, mine, theirs)
    return MergeResult(document=merged, from_theirs=merger.from_theirs,
                       from_mine=merger.from_mine, conflicts=merger.conflicts)


def get_path(document: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a field path (MISSING when absent)."""
    head, _, rest = path.partition(".")
    value = _get(document, head)
    if rest:
        return _get(value, rest) if isinstance(value, Mapping) else MISSING
    return value


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, with MISSING, remove) the value at a field path, in place."""
    head, _, rest = path.partition(".")
    if not rest:
        if value is MISSING:
            document.pop(head, None)
        else:
            document[head] = copy.deepcopy(value)
        return
    inner = document.get(head)
    if not isinstance(inner, dict):
        if value is MISSING:
            return
        inner = {}
        document[head] = inner
    if value is MISSING:
        inner.pop(rest, None)
        if not inner and head != "header":
            document.pop(head, None)
    else:
        inner[rest] = copy.deepcopy(value)


class UnresolvedFields(ValueError):
    """Some conflicting fields were given no choice."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def apply_choices(result: MergeResult, mine: Mapping[str, Any], theirs: Mapping[str, Any],
                  choices: Mapping[str, Any]) -> dict[str, Any]:
    """The merged document with each conflict decided: ``"mine"``, ``"theirs"`` or a value.

    Every conflicting field needs a choice (raises :class:`UnresolvedFields`
    otherwise); a choice for a field that is not in conflict is ignored. A
    literal string value that happens to be ``"mine"`` or ``"theirs"`` cannot be
    given this way; pass it wrapped as ``{"value": "mine"}``.
    """
    missing = [path for path in result.conflicts if path not in choices]
    if missing:
        raise UnresolvedFields(missing)
    document = copy.deepcopy(result.document)
    for path in result.conflicts:
        choice = choices[path]
        if choice == MINE:
            value = get_path(mine, path)
        elif choice == THEIRS:
            value = get_path(theirs, path)
        elif isinstance(choice, Mapping) and set(choice) == {"value"}:
            value = choice["value"]
        else:
            value = choice
        set_path(document, path, value)
    return document
