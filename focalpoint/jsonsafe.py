"""Strict JSON for everything that enters FocalPoint: the hub's request bodies, bundles, imports.

Python's ``json.loads`` accepts ``NaN``, ``Infinity``, ``-Infinity`` and numbers such as ``1e999``
(which become infinite floats). None of them is JSON (RFC 8259), a CHM document never holds one,
and once stored they make every later answer fail to render. :func:`loads` refuses them, and
values nested deeper than ``max_depth`` (a hostile body would otherwise exhaust the parser's
recursion), with a :class:`JsonRefused` whose message names what is wrong.

:func:`finite` turns a value already stored into one that renders: a non-finite number becomes
``None`` (for data written before these checks existed). Any thread may call these functions.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # a CHM document is about 6 deep; a bundle adds 3


class JsonRefused(ValueError):
    """Well-formed for Python, refused for FocalPoint; the message says why (English, for logs
    and API answers; callers that talk to a person wrap it in their own words)."""


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a number JSON allows")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:40]} is too large")
    return value


def depth(value: Any) -> int:
    """How deeply objects and arrays nest in ``value`` (iterative: safe on any input)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def check(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """Refuse a parsed value holding a non-finite number or nested deeper than ``max_depth``."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise JsonRefused(f"{item} is not a number JSON allows")
        if isinstance(item, dict | list):
            if level >= max_depth:
                raise JsonRefused(f"values are nested more than {max_depth} deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return value


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON strictly. Raises :class:`JsonRefused` (non-finite numbers, nesting) or
    ``ValueError`` (not JSON at all; ``json.JSONDecodeError`` keeps its line and column)."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise JsonRefused(f"values are nested more than {max_depth} deep") from None
    if depth(value) > max_depth:
        raise JsonRefused(f"values are nested more than {max_depth} deep")
    return value


def finite(value: Any) -> Any:
    """``value`` with every non-finite number replaced by ``None`` (a copy only where needed)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value
