"""Records, the sync outbox, audit trail, attachments and workflows.

Revision ID: 0002_records
Revises: 0001_catalogue
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_records"
down_revision = "0001_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("identifier", sa.String(128), primary_key=True),
        sa.Column("schema", sa.String(64), nullable=False, index=True),
        sa.Column("government", sa.String(8), index=True),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("title", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("local_revision", sa.Integer, nullable=False),
        sa.Column("server_revision", sa.Integer),
        sa.Column("base_document", sa.JSON),
        sa.Column("sync_state", sa.String(16), nullable=False, index=True),
        sa.Column("sync_error", sa.Text),
        sa.Column("conflict", sa.JSON),
        sa.Column("deleted", sa.Boolean, nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(64), nullable=False, unique=True),
        sa.Column("record_identifier", sa.String(128), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("base_revision", sa.Integer),
        sa.Column("local_revision", sa.Integer),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_identifier", sa.String(128), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("revision", sa.Integer),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
    )
    op.create_table(
        "attachment",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("mime_type", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "workflow",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("record_identifier", sa.String(128), nullable=False, index=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer),
        sa.Column("government", sa.String(8)),
        sa.Column("created_by", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.execute(
        "CREATE VIRTUAL TABLE record_fts USING fts5("
        "identifier UNINDEXED, body, tokenize='trigram remove_diacritics 1')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE record_fts")
    for table in ("workflow", "attachment", "audit_event", "outbox", "records"):
        op.drop_table(table)
