"""Migration 0004: a data folder written by the release before the real thesaurus keeps every record,
draft and queued change, with old FocalPoint codes moved to the CHM's own term identifiers.

The fixture (tests/fixtures/datadir-0003-oldcodes.sqlite3.xz, see tests/fixtures/README.md) was
written by that release's own CLI and hub: five records of five types, two of them synced with a
local edit on top of the server's copy, and three changes queued in the outbox.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

import pytest
import sqlean

from focalpoint.forms.legacy_terms import legacy_table
from focalpoint.forms.vocabularies import OTHER_TERM, term_label, upgrade_terms

FIXTURE = Path(__file__).parent / "fixtures" / "datadir-0003-oldcodes.sqlite3.xz"

ORG = "0A1B2C3D-0000-4000-8000-000000000002"
INITIATIVE = "0A1B2C3D-0000-4000-8000-0000000001A3"
NEEDS = "0A1B2C3D-0000-4000-8000-0000000004A4"
RESOURCE = "0A1B2C3D-0000-4000-8000-0000000005A5"
CONTACT = "0A1B2C3D-0000-4000-8000-00000000C001"

GOVERNMENT_AGENCY = "8830904C-8AF4-4C2F-AADB-363D98D854DA"
CIVIL_SOCIETY = "D8862526-B776-4FD2-8C62-6DF9D5E92166"
REGIONAL = "528B1187-F1BD-4479-9FB3-ADBD9076D361"
BILATERAL = "74EBA28E-1F0C-4157-BD47-C8492487AD70"
OTHER_MULTILATERAL = "E5A02FED-E87E-4D95-8AAF-BB44E6B22BC4"


@pytest.fixture
def old_data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "old-data"
    path.mkdir()
    (path / "focalpoint.sqlite3").write_bytes(lzma.decompress(FIXTURE.read_bytes()))
    return path


def _raw(data_dir: Path) -> dict[str, Any]:
    """Everything the migration may touch, read with plain sqlite3 (no FocalPoint code)."""
    con = sqlean.connect(str(data_dir / "focalpoint.sqlite3"))
    try:
        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()
        return {
            "version": rows("SELECT version_num FROM alembic_version")[0][0],
            "records": {r[0]: {"document": json.loads(r[1]), "base": json.loads(r[2]) if r[2] else None,
                               "status": r[3], "sync_state": r[4], "local_revision": r[5],
                               "server_revision": r[6], "title": json.loads(r[7])}
                        for r in rows("SELECT identifier, document, base_document, status, sync_state, "
                                      "local_revision, server_revision, title FROM records")},
            "outbox": [(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6])
                       for r in rows("SELECT seq, entry_id, record_identifier, action, payload, state, "
                                     "base_revision FROM outbox ORDER BY seq")],
            "fts": dict(rows("SELECT identifier, body FROM record_fts")),
        }
    finally:
        con.close()


def _differences(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Paths where ``after`` differs from ``before``, down to the first term (a dict with an identifier)."""
    if isinstance(before, dict) and isinstance(after, dict):
        if "identifier" in before and before != after:
            return [(path, before, after)]
        out = []
        for key in before.keys() | after.keys():
            out += _differences(before.get(key), after.get(key), f"{path}.{key}")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += _differences(b, a, f"{path}[{i}]")
        return out
    return [] if before == after else [(path, before, after)]


def _only_terms_moved(before: Any, after: Any) -> int:
    """Assert that the only differences are old codes that became real terms; return how many moved."""
    table = legacy_table()
    diffs = _differences(before, after)
    for path, old, new in diffs:
        assert isinstance(old, dict) and old.get("identifier") in table, (path, old, new)
        assert new["identifier"] == table[old["identifier"]]["identifier"], path
        # every other key of the term is kept; a customValue appears only where the CHM's 'Other' needs one
        assert {k: v for k, v in new.items() if k not in ("identifier", "customValue")} == \
               {k: v for k, v in old.items() if k not in ("identifier", "customValue")}, path
        if old.get("customValue"):
            assert new["customValue"] == old["customValue"], path
    return len(diffs)


def _codes(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["identifier"]} if isinstance(value.get("identifier"), str) else set()
        for item in value.values():
            found |= _codes(item)
        return found
    if isinstance(value, list):
        return set().union(*(_codes(v) for v in value)) if value else set()
    return set()


def test_every_record_draft_and_queued_change_survives_with_real_terms(old_data_dir: Path) -> None:
    from focalpoint.db import open_database
    from focalpoint.db.migrate import head_revision

    before = _raw(old_data_dir)
    assert before["version"] == "0003_search_rowids"
    old_codes = set(legacy_table())
    assert _codes([r["document"] for r in before["records"].values()]) & old_codes  # the fixture has old codes

    db = open_database(old_data_dir)
    db.close()
    after = _raw(old_data_dir)
    assert after["version"] == head_revision()
    assert list((old_data_dir / "backups").glob("focalpoint-*-0003_search_rowids.sqlite3"))

    # the same records, in the same states, at the same revisions: only term identifiers moved
    assert after["records"].keys() == before["records"].keys()
    moved = 0
    for ident, old in before["records"].items():
        new = after["records"][ident]
        for key in ("status", "sync_state", "local_revision", "server_revision", "title"):
            assert new[key] == old[key], (ident, key)
        moved += _only_terms_moved(old["document"], new["document"])
        moved += _only_terms_moved(old["base"], new["base"])
        assert not _codes(new["document"]) & old_codes and not _codes(new["base"]) & old_codes
    assert moved >= 20

    # the same queued changes, in the same order, with the same ids: only their documents' terms moved
    assert [e[:4] + e[5:] for e in after["outbox"]] == [e[:4] + e[5:] for e in before["outbox"]]
    for old, new in zip(before["outbox"], after["outbox"], strict=True):
        _only_terms_moved(old[4], new[4])
        assert not _codes(new[4]) & old_codes
    actions = {e[2]: e[3] for e in after["outbox"]}
    assert actions == {ORG: "save", NEEDS: "save", INITIATIVE: "request_publication"}

    # the search index follows the documents
    assert after["fts"].keys() == before["fts"].keys()
    from focalpoint.textsearch import normalize  # the index holds normalized (case-folded) text

    words = after["fts"][ORG].split()
    assert normalize("CBD-SUBJECT-DSHL") in words and normalize("CBD-SUBJECT-DRY") not in words
    for ident, body in after["fts"].items():
        assert not {normalize(code) for code in old_codes} & set(body.split()), ident


def test_the_terms_a_person_sees_after_the_migration(old_data_dir: Path) -> None:
    from focalpoint.db import open_database
    from focalpoint.records import RecordStore, search_record_ids

    db = open_database(old_data_dir)
    try:
        store = RecordStore(db, actor="test")
        org = store.get(ORG)
        # a local edit on top of the server's copy: both moved the same way, so the edit is still
        # exactly what the person changed (type, name, one more subject) and nothing else
        assert org.document["organizationType"] == {"identifier": OTHER_TERM,
                                                    "customValue": {"en": "Ministry and statutory body"}}
        with db.session() as session:
            from focalpoint.models import Record
            rec = session.get(Record, ORG)
            base = rec.base_document
        assert base["organizationType"] == {"identifier": GOVERNMENT_AGENCY}
        assert [t["identifier"] for t in base["thematicAreas"]] == \
               ["CBD-SUBJECT-DSHL", "CBD-SUBJECT-PA", "CBD-SUBJECT-TKIP"]
        assert [t["identifier"] for t in org.document["thematicAreas"]] == \
               ["CBD-SUBJECT-DSHL", "CBD-SUBJECT-PA", "CBD-SUBJECT-TKIP", "CBD-SUBJECT-SUSE"]
        assert {k for k in org.document if org.document[k] != base.get(k)} == \
               {"name", "organizationType", "thematicAreas"}

        cbi = store.get(INITIATIVE).document
        assert cbi["geographicScope"] == {"identifier": REGIONAL}
        assert cbi["status"] == {"identifier": "STATUS-ONGOING"}  # no CHM term known yet: kept as it was
        assert cbi["fundingSourceTypes"][0] == {"identifier": BILATERAL}
        assert cbi["fundingSourceTypes"][1]["identifier"] == OTHER_MULTILATERAL
        assert cbi["fundingSourceTypes"][1]["customValue"]["fr"] == "Fonds multilatéraux (par exemple le FEM)"
        assert cbi["fundingSourceTypes"][2] == {"identifier": "FUNDING-NATIONAL-BUDGET"}
        women, cso, other = cbi["targetGroups"]
        assert women["identifier"] == OTHER_TERM and women["customValue"]["en"] == "Women"
        assert women["customValue"]["zh"] == "妇女" and len(women["customValue"]) == 6
        assert cso == {"identifier": CIVIL_SOCIETY}
        assert other == {"identifier": OTHER_TERM, "customValue": {"en": "Fishers' cooperatives"}}
        assert [t["identifier"] for t in cbi["cbdSubjects"]] == ["CBD-SUBJECT-MAR", "CBD-SUBJECT-COMM"]

        needs = store.get(NEEDS).document["needs"][0]
        assert [t["identifier"] for t in needs["cbdSubjects"]] == ["CBD-SUBJECT-IAS", "CBD-SUBJECT-ECOA"]
        assert needs["priority"] == {"identifier": "PRIORITY-HIGH"}  # FocalPoint's own vocabulary stays
        assert needs["assistanceTypes"] == [{"identifier": "ASSISTANCE-TRAINING"}]
        assert [t["customValue"]["en"] for t in needs["targetGroups"]] == \
               ["Indigenous peoples and local communities", "Government officials and policymakers"]

        resource = store.get(RESOURCE).document
        assert resource["resourceTypes"] == [{"identifier": "RESOURCE-MANUAL"}]
        assert resource["cbdSubjects"] == [{"identifier": "CBD-SUBJECT-ETI"}]

        with db.session() as session:
            assert search_record_ids(session, "CBD-SUBJECT-DSHL") == [ORG]
            assert search_record_ids(session, "CBD-SUBJECT-DRY") == []
            assert set(search_record_ids(session, "Losana")) == {CONTACT}

        assert term_label("organizationTypes", GOVERNMENT_AGENCY, "fr") == "Organisme public (national/fédéral)"
        assert term_label("cbdSubjects", "CBD-SUBJECT-DSHL", "en") == "Dry and sub-humid lands biodiversity"
    finally:
        db.close()


def test_a_document_imported_later_with_old_codes_moves_the_same_way() -> None:
    old = {"header": {"identifier": "X", "schema": "organization", "languages": ["en"]},
           "organizationType": {"identifier": "ORGANIZATION-FUNDING"},
           "thematicAreas": [{"identifier": "CBD-SUBJECT-MTN"}, {"identifier": "CBD-SUBJECT-UNKNOWN-TO-US"}],
           "contacts": [{"identifier": "ORGANIZATION-NGO-LOOKALIKE@2"}],
           "extra": {"nested": [{"identifier": "SCOPE-NATIONAL", "note": "kept"}]}}
    frozen = json.dumps(old, sort_keys=True)
    new = upgrade_terms(old)
    assert json.dumps(old, sort_keys=True) == frozen  # pure: the argument is untouched
    assert new["organizationType"]["identifier"] == OTHER_TERM
    assert new["organizationType"]["customValue"]["es"] == "Organismo de financiación o fundación"
    assert new["thematicAreas"] == [{"identifier": "CBD-SUBJECT-MNT"}, {"identifier": "CBD-SUBJECT-UNKNOWN-TO-US"}]
    assert new["contacts"] == old["contacts"] and new["header"] == old["header"]
    assert new["extra"]["nested"] == [{"identifier": "20B2CC6D-646D-4FD5-BD53-D652BA3FA088", "note": "kept"}]
    assert upgrade_terms(new) == new  # a second pass changes nothing


def test_a_term_the_client_does_not_know_is_shown_by_its_identifier() -> None:
    unknown = "42DA3BEF-6A93-438E-8C62-97EDEBDB8736"
    assert term_label("vlrResourceTypes", unknown, "en") == unknown
    assert term_label("no-such-vocabulary", unknown, "fr") == unknown
    assert term_label("vlrResourceTypes", "6E27B530-7639-4091-AF58-9D61A77B4A28", "zh") == "一般图书馆资源"
