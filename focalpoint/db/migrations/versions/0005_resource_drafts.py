"""Capacity-building resource drafts that never left this computer become Virtual Library Resources.

The CHM documents capacity-building materials as ``resource`` (its Virtual Library Resource);
FocalPoint's earlier ``capacityBuildingResource`` type stays readable and editable. A record of
that type that never reached a server (no server revision) is converted here, together with the
document its queued save carries, so that what is sent is a ``resource``
(``focalpoint.forms.legacy.resource_from_capacity_building_resource``: same identifier, every
value kept). Records that the server already has keep their type: the server knows them so.

Revision ID: 0005_resource_drafts
Revises: 0004_real_thesaurus
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa

from focalpoint.forms.legacy import LEGACY_RESOURCE_SCHEMA, RESOURCE_SCHEMA, resource_from_capacity_building_resource

revision = "0005_resource_drafts"
down_revision = "0004_real_thesaurus"
branch_labels = None
depends_on = None


def _dumps(value: object) -> str:
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


def _convert(raw: str) -> str:
    return _dumps(resource_from_capacity_building_resource(json.loads(raw)))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT identifier, document, deleted FROM records "
                                "WHERE schema = :old AND server_revision IS NULL"),
                        {"old": LEGACY_RESOURCE_SCHEMA}).fetchall()
    for identifier, document, deleted in rows:
        converted = _convert(document)
        conn.execute(sa.text("UPDATE records SET schema = :new, document = :doc WHERE identifier = :i"),
                     {"new": RESOURCE_SCHEMA, "doc": converted, "i": identifier})
        for seq, payload in conn.execute(sa.text("SELECT seq, payload FROM outbox WHERE record_identifier = :i "
                                                 "AND action = 'save'"), {"i": identifier}).fetchall():
            data = json.loads(payload) if payload else {}
            if isinstance(data, dict) and isinstance(data.get("document"), dict) \
                    and (data["document"].get("header") or {}).get("schema") == LEGACY_RESOURCE_SCHEMA:
                data["document"] = resource_from_capacity_building_resource(data["document"])
                conn.execute(sa.text("UPDATE outbox SET payload = :p WHERE seq = :s"),
                             {"p": _dumps(data), "s": seq})
        rowid = _rowid(identifier)
        conn.execute(sa.text("DELETE FROM record_fts WHERE rowid = :r"), {"r": rowid})
        if not deleted:
            conn.execute(sa.text("INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)"),
                         {"r": rowid, "i": identifier, "b": "\n".join(_text(json.loads(converted)))})


def downgrade() -> None:
    # the drafts stay resources (an earlier FocalPoint shows them read-only); the backup made before
    # this migration holds them as they were
    pass
