"""Which files each server already holds: the same content is sent once.

New table ``server_file``: one row per (server, SHA-256) that a server is known to hold (this
computer uploaded it, or a record pulled from there links it), with the server's address for it
(the CHM's attachment ``url``). A file is uploaded only when its server has no row for it; a
record's pushed document carries that ``url`` next to the file's ``sha256``.

Revision ID: 0008_server_files
Revises: 0007_normalized_search
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_server_files"
down_revision = "0007_normalized_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``server_file``."""
    op.create_table(
        "server_file",
        sa.Column("server", sa.String(200), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        if_not_exists=True,  # re-runnable, as 0007 is: a store stamped back to an older revision migrates again
    )


def downgrade() -> None:
    """Drop ``server_file``."""
    op.drop_table("server_file")
