"""Foundation: settings and the action-plan catalogue with its full-text index.

Revision ID: 0001_catalogue
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_catalogue"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "catalog_section",
        sa.Column("code", sa.String(1), primary_key=True),
        sa.Column("title", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "catalog_target_group",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section", sa.String(1), sa.ForeignKey("catalog_section.code"), nullable=False),
        sa.Column("title", sa.JSON, nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "catalog_activity",
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("section", sa.String(1), sa.ForeignKey("catalog_section.code"), nullable=False, index=True),
        sa.Column("target_group_id", sa.Integer, sa.ForeignKey("catalog_target_group.id")),
        sa.Column("aichi_targets", sa.JSON, nullable=False),
        sa.Column("priority", sa.Boolean, nullable=False),
        sa.Column("secretariat", sa.Boolean, nullable=False),
        sa.Column("text", sa.JSON, nullable=False),
        sa.Column("decisions", sa.JSON, nullable=False),
        sa.Column("timeframe", sa.JSON, nullable=False),
        sa.Column("timeframe_start", sa.Integer),
        sa.Column("timeframe_end", sa.Integer),
        sa.Column("outputs", sa.JSON, nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("partners", sa.JSON, nullable=False),
        sa.Column("footnotes", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
    )
    op.create_table(
        "catalog_paragraph",
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("text", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
    )
    op.create_table(
        "catalog_glossary",
        sa.Column("abbreviation", sa.String(40), primary_key=True),
        sa.Column("name", sa.JSON, nullable=False),
        sa.Column("address", sa.Text),
    )
    # Substring search in every script: trigram tokens, case and accents folded.
    op.execute(
        "CREATE VIRTUAL TABLE catalog_fts USING fts5("
        "number UNINDEXED, body, tokenize='trigram remove_diacritics 1')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE catalog_fts")
    for table in ("catalog_glossary", "catalog_paragraph", "catalog_activity",
                  "catalog_target_group", "catalog_section", "meta"):
        op.drop_table(table)
