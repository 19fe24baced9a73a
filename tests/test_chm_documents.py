"""Real CHM documents of every type: import, list, search, show, export, edit and sync, unchanged.

The documents are in tests/fixtures/chm (their origin is in the README there): ten documents of
nine record types, most of which FocalPoint has no form for, and whose references name central
records that are not on this computer.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from focalpoint.cli import run

FIXTURES = Path(__file__).parent / "fixtures" / "chm"
REAL_FILES = sorted(p.name for p in FIXTURES.glob("*.json"))


def real(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def cli(capsys, data_dir, *argv):
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_ten_real_documents_of_nine_types():
    schemas = [real(name)["header"]["schema"] for name in REAL_FILES]
    assert len(REAL_FILES) == 10
    assert {"resource", "nationalTarget", "absPermit", "focalPoint", "database", "authority",
            "capacityBuildingInitiative", "organization", "contact"} == set(schemas)


@pytest.mark.parametrize("name", REAL_FILES)
def test_a_real_document_imports_alone_and_exports_identical(capsys, tmp_path, name):
    """Each document comes in alone (its references point to central records), and comes out exactly
    as it went in: same properties, same values, same order."""
    original = real(name)
    data = tmp_path / "data"
    code, out, err = cli(capsys, data, "records", "import", FIXTURES / name, "--json")
    assert code == 0, err + out
    answer = json.loads(out)
    assert answer["imported"] == [original["header"]["identifier"]]
    code, out, err = cli(capsys, data, "records", "export", "--format", "json")
    assert code == 0, err
    exported = json.loads(out)
    assert exported == [original]
    assert json.dumps(exported[0]) == json.dumps(original)  # key order too
    code, out, _ = cli(capsys, data, "records", "show", original["header"]["identifier"])
    assert json.loads(out) == original


def test_all_real_documents_import_together_list_search_and_filter(capsys, tmp_path):
    data = tmp_path / "data"
    documents = [real(name) for name in REAL_FILES]
    bundle = tmp_path / "all.json"
    bundle.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli(capsys, data, "records", "import", bundle, "--json")
    assert code == 0, err + out
    result = json.loads(out)
    assert result["created"] == 10
    # the permit names its competent national authority, which is not on this computer
    assert "C84C7E6C-134C-F1B1-9A3B-B7443F135239" in result["missingReferences"]
    code, out, _ = cli(capsys, data, "records", "list", "--json")
    listed = {item["identifier"]: item for item in json.loads(out)}
    assert {d["header"]["identifier"] for d in documents} == set(listed)
    permit = listed["M1DBBE83-4D6B-E788-4C1D-0773325ABYR"]
    assert permit["schema"] == "absPermit" and permit["title"] == {"en": "dev test"}
    code, out, _ = cli(capsys, data, "records", "list", "--json", "--search", "Rationale for the National")
    assert [item["identifier"] for item in json.loads(out)] == ["FONSECA5-3C57-F1ED-3E91-450A44BLAISE"]
    code, out, _ = cli(capsys, data, "records", "export", "--schema", "nationalTarget")
    assert code == 0 and [d["header"]["schema"] for d in json.loads(out)] == ["nationalTarget"]


def test_import_text_names_references_not_on_this_computer(capsys, tmp_path):
    code, out, err = cli(capsys, tmp_path / "data", "records", "import", FIXTURES / "api-examples__abs-permit.json")
    assert code == 0
    assert "not on this computer yet" in err and "C84C7E6C-134C-F1B1-9A3B-B7443F135239" in err


def test_unknown_property_is_a_warning_not_a_refusal(capsys, tmp_path):
    doc = real("chd-org.json")
    doc["someFuturePropertyOfTheChm"] = {"en": "kept"}
    path = tmp_path / "org.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = cli(capsys, tmp_path / "data", "records", "validate", path, "--json")
    assert code == 0, out + err
    code, out, err = cli(capsys, tmp_path / "data", "records", "import", path)
    assert code == 0, err
    code, out, _ = cli(capsys, tmp_path / "data", "records", "show", doc["header"]["identifier"])
    assert json.loads(out)["someFuturePropertyOfTheChm"] == {"en": "kept"}


@pytest.mark.parametrize("schema", ["capacityBuildingInitiative", "organization", "contact", "resource",
                                    "capacityNeedsAssessment", "bbiRequest"])
def test_template_output_imports_as_it_is(capsys, tmp_path, schema):
    data = tmp_path / "data"
    code, out, err = cli(capsys, data, "records", "template", schema)
    assert code == 0, err
    path = tmp_path / "t.json"
    path.write_text(out, encoding="utf-8")
    code, out, err = cli(capsys, data, "records", "import", path)
    assert code == 0, err


# ------------------------------------------------------------------ the GUI


def _store_real(db, *names):
    from focalpoint.records import RecordStore

    store = RecordStore(db, actor="test")
    return [store.save(real(name)) for name in names]


def test_a_type_without_form_opens_read_only(main_window, qtbot):
    from focalpoint.ui.record_viewer import RecordViewerWindow

    (view,) = _store_real(main_window.db, "api-examples__national-target.json")
    panel = main_window.records
    panel.open_record(view.identifier)
    qtbot.waitUntil(lambda: view.identifier in panel.viewers, timeout=5000)
    viewer = panel.viewers[view.identifier]
    assert isinstance(viewer, RecordViewerWindow)
    assert view.identifier not in panel.editors
    assert viewer.title_label.text() == "The is an example"
    assert "read-only" in viewer.note.text() and "nationalTarget" in viewer.note.text()
    assert viewer.gov_value.text() == "Chile"
    top = {viewer.tree.topLevelItem(i).text(0): viewer.tree.topLevelItem(i)
           for i in range(viewer.tree.topLevelItemCount())}
    assert top["description"].text(1) == "example text for Rationale for the National Target"
    aichi = top["aichiTargets"]
    assert [aichi.child(i).text(1).strip("\u2068\u2069") for i in range(aichi.childCount())] == \
        ["AICHI-TARGET-01-C2", "AICHI-TARGET-02-C2"]
    viewer.close()
    qtbot.waitUntil(lambda: view.identifier not in panel.viewers, timeout=5000)


def test_editing_one_field_of_a_real_record_changes_that_field_only(main_window, qtbot):
    """An organization from the CHM, with properties FocalPoint's form may not show: one edit in the
    editor, saved, changes that property and nothing else."""
    original = real("chd-org.json")
    original["aFuturePropertyOfTheChm"] = [{"identifier": "X-1"}]
    from focalpoint.records import RecordStore

    store = RecordStore(main_window.db, actor="test")
    view = store.save(original)
    panel = main_window.records
    panel.open_record(view.identifier)
    qtbot.waitUntil(lambda: view.identifier in panel.editors, timeout=5000)
    editor = panel.editors[view.identifier]
    untouched = editor.form_view.document()
    assert untouched == original and list(untouched) == list(original)
    widget = editor.form_view.field_rows["city"].widget
    widget.set_value({"en": "Montréal"})
    edited = editor.form_view.document()
    expected = copy.deepcopy(original)
    expected["city"] = {"en": "Montréal"}
    assert edited == expected
    assert list(edited) == list(original)


# ------------------------------------------------------------------ sync and bundles


SYNC_PASSWORD = "chm-docs-pw"


@pytest.fixture
def chm_gov(hub):
    from tests.support.sync import government_codes

    code = "cl" if "cl" in government_codes() else government_codes()[0]
    for name in ("a", "b", "c"):
        hub.add_user(f"{name}@{code}.docs.org", SYNC_PASSWORD, "authorized-user", code)
    return code


def _national(name: str, gov: str) -> dict:
    doc = real(name)
    doc["government"] = {"identifier": gov}
    return doc


def test_real_documents_sync_and_travel_by_usb_unchanged(hub, chm_gov, tmp_path):
    """A national target from the CHM (a type FocalPoint has no form for) and a needs assessment
    carrying a property FocalPoint does not know go from one machine to the hub by USB stick and a
    carrier, and reach a third machine of the same government exactly as they were written."""
    from focalpoint.sync.bundle import export_outbox_bundle, import_bundle
    from tests.support.sync import Station, needs_assessment

    gov = chm_gov
    offline = Station(tmp_path / "offline", hub.url, f"a@{gov}.docs.org", SYNC_PASSWORD)
    carrier = Station(tmp_path / "carrier", hub.url, f"b@{gov}.docs.org", SYNC_PASSWORD)
    third = Station(tmp_path / "third", hub.url, f"c@{gov}.docs.org", SYNC_PASSWORD)
    try:
        assessment = needs_assessment(gov, "Needs with a property from a newer CHM")
        assessment["aFutureChmProperty"] = [{"identifier": "X-TERM-1", "customValue": {"en": "kept"}}]
        documents = [_national("api-examples__national-target.json", gov), assessment]
        for doc in documents:
            offline.store.save(doc)
        stick = tmp_path / "usb" / "changes.fpb"
        export_outbox_bundle(offline.db, stick)
        import_bundle(carrier.db, stick)
        report = carrier.sync()
        assert report.ok, report.error
        assert report.pushed == 2
        report = third.sync()
        assert report.ok, report.error
        for doc in documents:
            got = third.document(doc["header"]["identifier"])
            assert got == doc and list(got) == list(doc)
    finally:
        for station in (offline, carrier, third):
            station.close()
