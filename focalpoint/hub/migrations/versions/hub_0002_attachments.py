"""Files attached to records: ``hub_attachment`` maps (record identifier, file name) to a stored
content (SHA-256), its size and type, and who owns it before the record reaches the hub.

A database whose first revision was made while this table already belonged to the metadata has
it already; it is then left as it is.

Revision ID: hub_0002_attachments
Revises: hub_0001_schema
"""
import sqlalchemy as sa
from alembic import op

revision = "hub_0002_attachments"
down_revision = "hub_0001_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "hub_attachment" not in inspector.get_table_names():
        op.create_table(
            "hub_attachment",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("document_uid", sa.String(200), nullable=False),
            sa.Column("filename", sa.String(400), nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("size", sa.BigInteger(), nullable=False),
            sa.Column("content_type", sa.String(200), nullable=False),
            sa.Column("government", sa.String(8), nullable=True),
            sa.Column("created_by", sa.Integer(), sa.ForeignKey("hub_user.id"), nullable=False),
            sa.Column("created_on", sa.DateTime(), nullable=False),
            sa.UniqueConstraint("document_uid", "filename", name="uq_hub_attachment_name"),
        )
    indexes = {i["name"] for i in sa.inspect(bind).get_indexes("hub_attachment")}
    if "ix_hub_attachment_document" not in indexes:
        op.create_index("ix_hub_attachment_document", "hub_attachment", ["document_uid"])
    if "ix_hub_attachment_sha256" not in indexes:
        op.create_index("ix_hub_attachment_sha256", "hub_attachment", ["sha256"])


def downgrade() -> None:
    op.drop_table("hub_attachment")
