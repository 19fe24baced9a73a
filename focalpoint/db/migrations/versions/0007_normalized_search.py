"""Search finds what people type: the full-text bodies are normalized, and short words have a term list.

Search now folds the text it indexes and the words it is given the same way
(``focalpoint.textsearch.normalize``: case, Latin and Cyrillic accents, Arabic hamza forms of
alef, alef maksura, teh marbuta, tatweel and harakat), and every indexed body ends with
``SENTINEL`` so that words shorter than a trigram can be looked up through the index's terms.
The bodies written by earlier builds are the raw text: each is rewritten as today's code writes
it for the same document (``index_body``; a record's words kept once each), in ``record_fts`` and
``catalog_fts`` alike; rows not indexed stay so. New tables: ``record_fts_terms`` and
``catalog_fts_terms`` (fts5vocab: the trigrams, for words shorter than three characters) and
``record_fts_ids`` (each index row's record identifier, so that a search finding thousands of
records need not read their text).

Revision ID: 0007_normalized_search
Revises: 0006_no_null_conflicts
"""
from alembic import op
import sqlalchemy as sa

from focalpoint.textsearch import index_body

revision = "0007_normalized_search"
down_revision = "0006_no_null_conflicts"
branch_labels = None
depends_on = None


def _rebuild(conn: sa.Connection, table: str, key: str, *, distinct_words: bool) -> None:
    rows = conn.execute(sa.text(f"SELECT rowid, {key}, body FROM {table}")).fetchall()
    conn.execute(sa.text(f"DELETE FROM {table}"))
    if rows:
        # the earlier body is the record's (or activity's) strings, one a line: the same text
        # index_body is given today. Rebuilding a rebuilt body changes nothing (a database put
        # back to an earlier revision by hand and migrated again).
        conn.execute(sa.text(f"INSERT INTO {table} (rowid, {key}, body) VALUES (:r, :k, :b)"),
                     [{"r": rowid, "k": value,
                       "b": index_body([(body or "").rstrip("\n")], distinct_words=distinct_words)}
                      for rowid, value, body in rows])
    conn.execute(sa.text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))


def upgrade() -> None:
    conn = op.get_bind()
    # merge index segments as soon as two share a level (FTS5's default waits for four): a search
    # reads each segment, and a bulk pull of thousands of records otherwise leaves many
    conn.execute(sa.text("INSERT INTO record_fts (record_fts, rank) VALUES ('automerge', 2)"))
    _rebuild(conn, "record_fts", "identifier", distinct_words=True)
    _rebuild(conn, "catalog_fts", "number", distinct_words=False)
    op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS record_fts_terms USING fts5vocab(record_fts, row)")
    op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS catalog_fts_terms USING fts5vocab(catalog_fts, row)")
    op.execute("CREATE TABLE IF NOT EXISTS record_fts_ids (rowid INTEGER PRIMARY KEY, identifier TEXT NOT NULL)")
    op.execute("INSERT OR REPLACE INTO record_fts_ids (rowid, identifier) SELECT rowid, identifier FROM record_fts")


def downgrade() -> None:
    # the normalized bodies are still found by the earlier search (its trigram index folds case);
    # the backup made before this migration holds them as they were
    op.execute("DROP TABLE IF EXISTS record_fts_ids")
    op.execute("DROP TABLE IF EXISTS record_fts_terms")
    op.execute("DROP TABLE IF EXISTS catalog_fts_terms")
