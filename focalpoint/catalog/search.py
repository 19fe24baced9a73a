"""Full-text search of the catalogue: the text indexed for each activity and the search by words
or number. Database worker (indexing runs inside the loader's transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from focalpoint.models import CatalogActivity
from focalpoint.textsearch import index_body
from focalpoint.textsearch import search as text_search


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out: list[str] = []
        for item in value.values():
            out += _flatten(item)
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            out += _flatten(item)
        return out
    return []


def _search_body(act: dict[str, Any], glossary: dict[str, dict[str, Any]]) -> str:
    parts = [str(act["number"])]
    for key in ("text", "decisions", "timeframe", "outputs", "indicators", "partners"):
        parts += _flatten(act.get(key))
    for partner in act.get("partners", []):
        for abbr in partner.get("glossary", []):
            entry = glossary.get(abbr)
            if entry:
                parts += _flatten(entry["name"])
    return index_body(parts)


def search_numbers(session: Session, query: str) -> list[int]:
    """Activity numbers whose text (any language), partners or decisions contain ``query``.

    Every word of the query must be there, in any order, normalized as the index is
    (``focalpoint.textsearch``: case, accents, Arabic hamza, harakat and tatweel folded).
    Words of three characters or more are answered by the trigram index, ranked;
    shorter ones (two Chinese characters, say) are checked with LIKE among those rows,
    or scan the 110 rows when no word is longer. A bare number also finds that activity.
    Reads in the caller's transaction; database worker.
    """
    query = query.strip()
    if not query:
        return []
    numbers = [int(n) for n in text_search(session, "catalog_fts AS f", "f.number", query,
                                           terms_table="catalog_fts_terms", ranked=True)]
    if query.isdigit() and 1 <= int(query) <= 999 and int(query) not in numbers:
        exists = session.get(CatalogActivity, int(query))
        if exists is not None:
            numbers.insert(0, int(query))
    elif query.isdigit() and int(query) in numbers:
        numbers.remove(int(query))
        numbers.insert(0, int(query))
    return numbers
