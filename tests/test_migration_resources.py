"""Migration 0005: capacity-building resource drafts that never left this computer become `resource`s."""

from __future__ import annotations

import sqlite3

from focalpoint.db import open_database
from focalpoint.models import OutboxEntry, Record
from focalpoint.records import RecordStore

LEGACY = {"header": {"identifier": "5D2E1A7C-0B7E-4C7D-9A55-2A1F7A0C1E11", "schema": "capacityBuildingResource",
                     "languages": ["en", "fr"]},
          "title": {"en": "Mangrove restoration manual", "fr": "Manuel de restauration des mangroves"},
          "authors": ["Ana Tuilagi", "Sione Vaifale"],
          "publicationYear": 2019,
          "targetGroups": [{"identifier": "X-AUDIENCE"}]}


def test_an_unsent_legacy_resource_draft_becomes_a_resource_and_a_sent_one_stays(data_dir):
    db = open_database(data_dir)
    store = RecordStore(db, actor="test")
    store.save(LEGACY)
    sent = dict(LEGACY, header=dict(LEGACY["header"], identifier="5D2E1A7C-0B7E-4C7D-9A55-2A1F7A0C1E22"))
    store.save(sent)
    with db.session(write=True) as session:
        session.get(Record, sent["header"]["identifier"]).server_revision = 3
    db.close()
    with sqlite3.connect(data_dir / "focalpoint.sqlite3") as conn:  # as written before 0005
        conn.execute("UPDATE alembic_version SET version_num = '0004_real_thesaurus'")

    db = open_database(data_dir)
    try:
        with db.session() as session:
            converted = session.get(Record, LEGACY["header"]["identifier"])
            assert converted.schema == "resource"
            doc = converted.document
            assert doc["header"] == dict(LEGACY["header"], schema="resource")
            assert doc["title"] == LEGACY["title"]
            assert doc["authors"] == {"en": "Ana Tuilagi; Sione Vaifale", "fr": "Ana Tuilagi; Sione Vaifale"}
            assert doc["publicationDate"] == "2019"
            assert doc["targetGroups"] == LEGACY["targetGroups"]  # no counterpart: kept
            queued = session.query(OutboxEntry).filter_by(record_identifier=converted.identifier).one()
            assert queued.payload["document"] == doc  # what is sent is the resource
            kept = session.get(Record, sent["header"]["identifier"])
            assert kept.schema == "capacityBuildingResource" and kept.document == sent
        assert [v.identifier for v in RecordStore(db).list(search="Mangrove restoration")] != []
    finally:
        db.close()
