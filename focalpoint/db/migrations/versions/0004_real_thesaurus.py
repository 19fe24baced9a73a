"""The CHM's own thesaurus: old FocalPoint term codes become real CHM terms; a table for refreshed terms.

Every stored document moves: records (document, base document, conflict copy), outbox
payloads, workflows and audit details. Only the term identifiers change (and, where an old
code has no real counterpart but the CHM has an "Other" term, a ``customValue`` with the old
label is added); the search index is rewritten for every record whose document moved.
The mapping is ``resources/vocabularies/legacy-codes.json`` (focalpoint.forms.legacy_terms).

Revision ID: 0004_real_thesaurus
Revises: 0003_search_rowids
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa

from focalpoint.forms.legacy_terms import has_legacy_terms, upgrade_terms

revision = "0004_real_thesaurus"
down_revision = "0003_search_rowids"
branch_labels = None
depends_on = None

# table -> (key column, JSON columns that may hold documents or terms)
_JSON_COLUMNS = {
    "records": ("identifier", ("document", "base_document", "conflict")),
    "outbox": ("seq", ("payload",)),
    "workflow": ("id", ("data",)),
    "audit_event": ("id", ("details",)),
}


def _dumps(value: object) -> str:
    # as focalpoint.db stores JSON: compact, UTF-8 text unescaped
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rowid(identifier: str) -> int:
    return int.from_bytes(hashlib.sha256(identifier.encode("utf-8")).digest()[:8], "big") >> 1


def _text(value: object):  # noqa: ANN202 - a generator of str
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "header":
                yield from _text(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text(item)


def _upgrade_table(conn: sa.Connection, table: str) -> list[str]:
    """Rewrite the old codes in ``table``; the keys of the rows whose document column moved."""
    key, columns = _JSON_COLUMNS[table]
    moved_documents: list[str] = []
    rows = conn.execute(sa.text(f"SELECT {key}, {', '.join(columns)} FROM {table}")).fetchall()
    for row in rows:
        changes: dict[str, str] = {}
        for name, raw in zip(columns, row[1:]):
            if raw is None:
                continue
            value = json.loads(raw)
            if not has_legacy_terms(value):
                continue
            changes[name] = _dumps(upgrade_terms(value))
        if not changes:
            continue
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        conn.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE {key} = :key"), {**changes, "key": row[0]})
        if table == "records" and "document" in changes:
            moved_documents.append(row[0])
    return moved_documents


def _reindex(conn: sa.Connection, identifiers: list[str]) -> None:
    """Replace the index row of each record whose document moved (a record not indexed stays so)."""
    for identifier in identifiers:
        rowid = _rowid(identifier)
        indexed = conn.execute(sa.text("SELECT 1 FROM record_fts WHERE rowid = :r"), {"r": rowid}).first()
        if indexed is None:
            continue
        document = conn.execute(sa.text("SELECT document FROM records WHERE identifier = :i"),
                                {"i": identifier}).scalar_one()
        conn.execute(sa.text("DELETE FROM record_fts WHERE rowid = :r"), {"r": rowid})
        conn.execute(sa.text("INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)"),
                     {"r": rowid, "i": identifier, "b": "\n".join(_text(json.loads(document)))})


def upgrade() -> None:
    op.create_table(
        "thesaurus_domain",
        sa.Column("domain", sa.String(200), primary_key=True),
        sa.Column("vocabulary", sa.String(100), nullable=False),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
    )
    conn = op.get_bind()
    moved: list[str] = []
    for table in _JSON_COLUMNS:
        found = _upgrade_table(conn, table)
        if table == "records":
            moved = found
    _reindex(conn, moved)


def downgrade() -> None:
    # the terms stay real: an older FocalPoint shows them by their identifiers (and the backup made
    # before this migration holds the old codes)
    op.drop_table("thesaurus_domain")
