"""Record types FocalPoint used before it spoke to the real central clearing-house, and their
conversion to the CHM's own types.

``capacityBuildingResource`` (the old chm.cbd.int capacity-building resource form) is now a
``resource``, the CHM's Virtual Library Resource (``schemas/chd/vlr.request-body.md`` of the
CHM reference material). The old type stays readable and importable (its form is marked
``legacy``); :func:`resource_from_capacity_building_resource` turns one of its documents into a
``resource`` document, for a migration or a "Convert" action.

Pure functions: no database, no Qt; any thread may call them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

LEGACY_RESOURCE_SCHEMA = "capacityBuildingResource"
RESOURCE_SCHEMA = "resource"
AUTHOR_SEPARATOR = "; "


def _authors(value: Any, languages: list[str]) -> Any:
    """The old list of author names as the VLR's localized ``authors`` text (the same names,
    joined, in every language of the record); any other shape is carried as it is."""
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        joined = AUTHOR_SEPARATOR.join(name.strip() for name in value if name.strip())
        return {lang: joined for lang in languages} if joined else None
    return copy.deepcopy(value)


def _publication_date(value: Any) -> Any:
    """The old whole-number year as the VLR's ``publicationDate`` text (``2019`` → ``"2019"``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return copy.deepcopy(value)


def resource_from_capacity_building_resource(document: Mapping[str, Any]) -> dict[str, Any]:
    """A ``resource`` document made from a ``capacityBuildingResource`` one.

    Same identifier and languages; every value is carried: ``authors`` (a list of names)
    becomes the localized ``authors`` text, ``publicationYear`` becomes ``publicationDate``,
    and the fields both types share (title, resource types, organizations, summary, subjects,
    targets, links, other information) keep their name and value. Properties with no
    counterpart in the VLR (``targetGroups``, ``resourceLanguages``, ``attachments``, and any
    unknown one) are kept as they are, so nothing is lost; property order is kept too.
    Resource-type terms keep their identifiers. The input is not changed.
    Raises ValueError when ``document`` is not a capacityBuildingResource.
    """
    header = document.get("header") if isinstance(document, Mapping) else None
    if not isinstance(header, Mapping) or header.get("schema") != LEGACY_RESOURCE_SCHEMA:
        raise ValueError("not a capacityBuildingResource document")
    languages = header.get("languages")
    langs = [lang for lang in languages if isinstance(lang, str)] if isinstance(languages, list) else []
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key == "header":
            new_header = copy.deepcopy(dict(header))
            new_header["schema"] = RESOURCE_SCHEMA
            out["header"] = new_header
        elif key == "authors":
            authors = _authors(value, langs or ["en"])
            if authors is not None:
                out["authors"] = authors
        elif key == "publicationYear" and "publicationDate" not in document:
            out["publicationDate"] = _publication_date(value)
        else:
            out[key] = copy.deepcopy(value)
    return out
