"""The hub's schema as of 2026-12: every table of ``focalpoint.hub.models`` (and the Bio-Bridge store).

A hub database made before the hub had migrations (tables created at start) is recognised by
``focalpoint.hub.store.migrate`` and brought to this revision without losing anything: missing
tables and indexes are added, then the revision is recorded.

Revision ID: hub_0001_schema
Revises:
"""
from alembic import op

revision = "hub_0001_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from focalpoint.hub import bbi_store  # noqa: F401  (its table belongs to the metadata too)
    from focalpoint.hub.models import HubBase

    HubBase.metadata.create_all(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("the hub's first schema cannot be taken back; restore a backup instead")
