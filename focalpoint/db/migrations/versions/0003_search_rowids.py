"""Search index rows keyed by a hash of the record identifier (no scan to replace one).

Revision ID: 0003_search_rowids
Revises: 0002_records
"""
import hashlib

from alembic import op
import sqlalchemy as sa

revision = "0003_search_rowids"
down_revision = "0002_records"
branch_labels = None
depends_on = None


def _rowid(identifier: str) -> int:
    return int.from_bytes(hashlib.sha256(identifier.encode("utf-8")).digest()[:8], "big") >> 1


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT identifier, body FROM record_fts")).fetchall()
    conn.execute(sa.text("DELETE FROM record_fts"))
    if rows:
        conn.execute(sa.text("INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)"),
                     [{"r": _rowid(i), "i": i, "b": b} for i, b in rows])


def downgrade() -> None:
    pass  # any rowid works for the older code
