"""What a person types finds what was written: one normalization for the index and the query.

``normalize`` folds text the same way on both sides of a search:

* Latin, Greek and Cyrillic: case folded (``casefold``), accents dropped (NFKD, combining marks
  removed), so "Récifs" finds "recifs" and "ёлка" finds "елка";
* Arabic: hamza forms of alef (إ أ آ ٱ) read as ا, ى as ي, ة as ه, ؤ as و and ئ as ي; tatweel (ـ) and
  the harakat (fatha, damma, kasra, tanwin, shadda, sukun, superscript alef…) are ignored, as are
  the invisible direction marks and joiners that pasted Arabic text often carries; Eastern
  Arabic digits read as 0–9;
* compatibility forms (full-width Latin, Arabic presentation forms, ligatures) become their
  plain letters; Chinese is left as it is.

A query is split into words at whitespace and a record matches when it contains every word,
in any order. The full-text tables use SQLite's trigram tokenizer, so a word of three or more
characters is a quoted phrase of the MATCH expression (words joined with AND). A shorter word
(two Chinese characters, "of") has no trigram of its own: every indexed body ends with
``SENTINEL`` (two newlines), so each character of the text begins some trigram, and the terms
beginning with the short word -- read from the table's ``fts5vocab`` companion -- are the
alternatives of an OR group. Only when a short word begins too many terms ("a") is it checked
with LIKE on the normalized body, among the rows the other words found.

The text functions (``normalize``, ``index_body``, ``query_words``, ``phrase``, ``like_pattern``)
are pure and any thread may call them; ``plan_query`` and ``search`` read the database in the
caller's session, on the database worker.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

#: every indexed body ends with this, so that each character of the text begins a trigram
SENTINEL = "\n\n"
#: the shortest word the trigram index can answer by itself
TRIGRAM = 3
#: more distinct terms than this behind one short word and a LIKE scan is as quick
MAX_EXPANSION = 200

# combining marks dropped after NFKD: the generic diacritics blocks, Cyrillic titlo and the Arabic
# harakat, Quranic annotation marks, hamza above/below, maddah and superscript alef. Marks that
# carry letters in other scripts (Devanagari vowel signs, kana voicing marks) are kept.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4"
    "\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f]+")
# invisible: soft hyphen, Arabic letter mark, zero-width space/joiners, direction marks and
# embeddings, word joiner, invisible operators, isolates, byte-order mark; and tatweel
_INVISIBLE = "\u00ad\u061c\u0640\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
             "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_LETTERS = {
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",  # آ أ إ ٱ -> ا
    "\u0672": "\u0627", "\u0673": "\u0627", "\u0675": "\u0627",
    "\u0649": "\u064a", "\u06cc": "\u064a", "\u0626": "\u064a",  # ى ی ئ -> ي
    "\u0624": "\u0648",  # ؤ -> و
    "\u0629": "\u0647",  # ة -> ه
}
_FOLD = str.maketrans({
    **{c: None for c in _INVISIBLE},
    **_LETTERS,
    **{chr(0x0660 + d): str(d) for d in range(10)},  # ٠-٩
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # ۰-۹
})


def normalize(value: str) -> str:
    """``value`` as it is indexed and searched (see the module's description)."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", value).casefold()
    folded = _MARKS.sub("", folded).translate(_FOLD)
    return unicodedata.normalize("NFC", folded)


def _first_occurrences(text: str) -> str:
    """``text`` with each word (run of non-space characters) kept only where it first appears."""
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        words = []
        for word in line.split():
            if word not in seen:
                seen.add(word)
                words.append(word)
        lines.append(" ".join(words))
    return "\n".join(lines)


def index_body(parts: Iterable[str], *, distinct_words: bool = False) -> str:
    """The ``body`` of a full-text row: the normalized texts, one a line, and ``SENTINEL``.

    ``distinct_words`` keeps each word (run of non-space characters) once, where it first
    appears: a query word holds no space, so it is inside the text exactly when it is inside one
    of its words, and a record's text says "biodiversity" many times. The index is then smaller
    and quicker to search; use it where the order of results does not depend on how often a word
    appears (records; the catalogue ranks its results, so keeps every word).
    """
    raw = "\n".join(parts)
    # each distinct word is normalized once (a record says "biodiversity" many times); the pass
    # below keeps the first of the words that normalize alike, so the body is the same
    body = normalize(_first_occurrences(raw) if distinct_words else raw)
    if distinct_words:
        body = "\n".join(line for line in _first_occurrences(body).split("\n") if line)
    return body + SENTINEL


def query_words(query: str) -> list[str]:
    """The distinct normalized words of ``query``, in the order typed."""
    words: list[str] = []
    for word in normalize(query).split():
        if word not in words:
            words.append(word)
    return words


def phrase(word: str) -> str:
    """``word`` as one quoted FTS5 phrase (inner double quotes doubled), safe in a MATCH expression."""
    return '"' + word.replace('"', '""') + '"'


def like_pattern(word: str) -> str:
    """``word`` anywhere in the text, for ``LIKE … ESCAPE '\\'``."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _term_upper_bound(prefix: str) -> str:
    return prefix + "\U0010ffff"


@dataclass(frozen=True)
class Plan:
    """How one query is answered: a MATCH expression (or none) and LIKE patterns to check."""

    match: str | None
    likes: tuple[str, ...]
    empty: bool = False  # a word that no indexed text contains: nothing can match


def _terms_beginning(session: Session, terms_table: str, word: str) -> list[str] | None:
    """The index's trigrams that begin with ``word``; None when there are too many to list."""
    terms = [row[0] for row in session.execute(
        text(f"SELECT term FROM {terms_table} WHERE term >= :lo AND term < :hi LIMIT :n"),
        {"lo": word, "hi": _term_upper_bound(word), "n": MAX_EXPANSION + 1})]
    return None if len(terms) > MAX_EXPANSION else terms


def plan_query(session: Session, query: str, *, terms_table: str | None = None) -> Plan:
    """Turn ``query`` into a :class:`Plan` for a trigram table (``terms_table``: its fts5vocab).

    Each word of three characters or more is a phrase; a shorter word is the OR of the index's
    terms that begin with it (exact, as every indexed character begins a trigram: see
    ``SENTINEL``), or a LIKE when there is no term list or the list is too long. Reads the term
    list in the caller's transaction; database worker."""
    words = query_words(query)
    if not words:
        return Plan(None, (), empty=True)
    long_words = [w for w in words if len(w) >= TRIGRAM]
    # a short word inside another word is implied by it ("of" in "office", "生" in "生物")
    short_words = [w for w in words if len(w) < TRIGRAM
                   and not any(w != other and w in other for other in words)]
    groups = [phrase(w) for w in long_words]
    likes: list[str] = []
    for word in short_words:
        terms = _terms_beginning(session, terms_table, word) if terms_table else None
        if terms is None:
            likes.append(like_pattern(word))
        elif not terms:
            return Plan(None, (), empty=True)
        else:
            groups.append(phrase(terms[0]) if len(terms) == 1
                          else "(" + " OR ".join(phrase(t) for t in terms) + ")")
    return Plan(" AND ".join(groups) if groups else None, tuple(likes))


def search(session: Session, source: str, key: str, query: str, *, terms_table: str | None = None,
           ranked: bool = False) -> list[Any]:
    """``key`` (an SQL expression) for each row of ``source`` (a FROM clause naming the trigram
    table ``f``, perhaps joined) whose body contains every word of ``query``, normalized, in any
    order. ``ranked`` orders rows found through MATCH by FTS5's rank. ``source`` and ``key`` are
    SQL written by FocalPoint, never by the person. Reads in the caller's transaction; database worker."""
    plan = plan_query(session, query, terms_table=terms_table)
    if plan.empty:
        return []
    where: list[str] = []
    params: dict[str, str] = {}
    if plan.match is not None:
        where.append("f.body MATCH :m")
        params["m"] = plan.match
    for i, pattern in enumerate(plan.likes):
        where.append(f"f.body LIKE :l{i} ESCAPE '\\'")
        params[f"l{i}"] = pattern
    sql = f"SELECT {key} FROM {source} WHERE " + " AND ".join(where)
    if ranked and plan.match is not None:
        sql += " ORDER BY f.rank"
    return list(session.execute(text(sql), params).scalars())
