"""A conflict is a conflict only when it names fields: the JSON text ``null`` becomes SQL NULL.

Earlier builds stored "no conflict" as the JSON text ``null`` in ``records.conflict`` (and
``base_document``), which a query for ``conflict IS NOT NULL`` took for a conflict: the records
list said "Conflict: needs you" and Resolve opened with nothing to decide. A stored conflict that
names no field, or whose record has no change waiting to be sent, has no cause left and is
cleared; the record's sync state follows (queued when changes wait, else synced or local).

Revision ID: 0006_no_null_conflicts
Revises: 0005_resource_drafts
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0006_no_null_conflicts"
down_revision = "0005_resource_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE records SET conflict = NULL WHERE conflict = 'null'"))
    conn.execute(sa.text("UPDATE records SET base_document = NULL WHERE base_document = 'null'"))
    rows = conn.execute(sa.text("SELECT identifier, conflict FROM records WHERE conflict IS NOT NULL")).fetchall()
    for identifier, raw in rows:
        try:
            conflict = json.loads(raw)
        except ValueError:
            conflict = None
        waiting = conn.execute(sa.text("SELECT count(*) FROM outbox WHERE record_identifier = :i "
                                       "AND action IN ('save', 'delete')"), {"i": identifier}).scalar()
        if isinstance(conflict, dict) and conflict.get("fields") and waiting:
            continue
        conn.execute(sa.text("UPDATE records SET conflict = NULL WHERE identifier = :i"), {"i": identifier})
    # a "conflict" state without a conflict: queued when something waits, else synced or local
    conn.execute(sa.text(
        "UPDATE records SET sync_state = CASE "
        "WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.record_identifier = records.identifier) THEN 'queued' "
        "WHEN server_revision IS NOT NULL THEN 'synced' ELSE 'local' END, sync_error = NULL "
        "WHERE sync_state = 'conflict' AND conflict IS NULL"))


def downgrade() -> None:
    pass
