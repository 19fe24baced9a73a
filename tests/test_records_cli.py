"""``focalpoint records``: the real CLI on a real SQLite store in tmp_path."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from focalpoint import forms
from focalpoint.cli import run

REPO = Path(__file__).resolve().parent.parent


def cli(capsys, data_dir, *argv):
    """Run the CLI in-process; answer (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _replace_refs(value, mapping):
    if isinstance(value, dict):
        ident = value.get("identifier")
        if isinstance(ident, str):
            bare, _, rev = ident.partition("@")
            if bare in mapping:
                value["identifier"] = mapping[bare] + (f"@{rev}" if rev else "")
        for item in value.values():
            _replace_refs(item, mapping)
    elif isinstance(value, list):
        for item in value:
            _replace_refs(item, mapping)


def record_set() -> list[dict]:
    """One valid document of every record type, referring to each other (not to placeholders)."""
    docs = {schema: forms.template(schema) for schema in forms.schemas()}
    mapping = {f"EXAMPLE-{schema.upper()}-0001": doc["header"]["identifier"] for schema, doc in docs.items()}
    mapping["EXAMPLE-RECORD-0001"] = docs["capacityNeedsAssessment"]["header"]["identifier"]
    for doc in docs.values():
        _replace_refs({k: v for k, v in doc.items() if k != "header"}, mapping)
    # something in every language and script, to see it survive the trip
    docs["capacityNeedsAssessment"]["header"]["languages"] = ["ar", "en", "zh"]
    docs["capacityNeedsAssessment"] = _relanguage(docs["capacityNeedsAssessment"])
    return list(docs.values())


def _relanguage(doc):
    def fix(value):
        if isinstance(value, dict):
            if set(value) == {"en", "fr"} and all(isinstance(v, str) for v in value.values()):
                return {"ar": "تقييم الاحتياجات — " + value["en"], "en": value["en"], "zh": "需求评估：" + value["en"]}
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value
    header = doc["header"]
    out = fix({k: v for k, v in doc.items() if k != "header"})
    return {"header": header, **out}


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def by_id(documents):
    return {d["header"]["identifier"]: d for d in documents}


# ------------------------------------------------------------------ round trips

def test_every_record_type_round_trips_through_json(capsys, tmp_path):
    docs = record_set()
    assert all(forms.validate(d) == [] for d in docs)
    data = tmp_path / "data"
    code, out, err = cli(capsys, data, "records", "import", write(tmp_path / "in.json", docs))
    assert code == 0, err
    assert f"{len(docs)} record(s): {len(docs)} new, 0 updated, 0 unchanged" in out
    code, out, _ = cli(capsys, data, "records", "import", tmp_path / "in.json")
    assert code == 0 and f"0 new, 0 updated, {len(docs)} unchanged" in out

    code, out, _ = cli(capsys, data, "records", "list", "--json")
    listed = json.loads(out)
    assert {r["identifier"] for r in listed} == set(by_id(docs))
    assert {r["schema"] for r in listed} == set(forms.schemas())
    first = next(r for r in listed if r["schema"] == "capacityNeedsAssessment")
    assert first["status"] == "draft" and first["title"]["zh"].startswith("需求评估")
    assert set(first) == {"identifier", "schema", "title", "status", "sync_state"}
    assert first["sync_state"] == "queued"  # saved locally, waiting for the next sync

    exported = tmp_path / "out.json"
    code, _, err = cli(capsys, data, "records", "export", "-o", exported)
    assert code == 0, err
    assert by_id(json.loads(exported.read_text(encoding="utf-8"))) == by_id(docs)

    # into a fresh store and out again: nothing lost, nothing changed
    other = tmp_path / "other"
    assert cli(capsys, other, "records", "import", exported)[0] == 0
    again = tmp_path / "again.json"
    assert cli(capsys, other, "records", "export", "--format", "json", "-o", again)[0] == 0
    assert by_id(json.loads(again.read_text(encoding="utf-8"))) == by_id(docs)

    uid = docs[0]["header"]["identifier"]
    code, out, _ = cli(capsys, data, "records", "show", uid)
    assert code == 0 and json.loads(out) == docs[0]

    code, out, _ = cli(capsys, data, "records", "export", "--schema", "contact")
    assert [d["header"]["schema"] for d in json.loads(out)] == ["contact"]


def test_round_trip_as_a_subprocess(tmp_path):
    data = tmp_path / "data"
    env_cmd = [sys.executable, "-m", "focalpoint", "--data-dir", str(data), "records"]
    run_ = lambda *a, **kw: subprocess.run([*env_cmd, *a], capture_output=True, text=True, cwd=REPO,
                                           stdin=subprocess.DEVNULL, timeout=120, **kw)
    template = run_("template", "organization")
    assert template.returncode == 0, template.stderr
    org = json.loads(template.stdout)
    assert forms.validate(org) == []
    org.pop("contacts")  # the template's placeholder contact does not exist here
    write(tmp_path / "org.json", org)
    checked = run_("validate", str(tmp_path / "org.json"), "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout) == {"errors": [], "warnings": []}
    imported = run_("import", str(tmp_path / "org.json"))
    assert imported.returncode == 0, imported.stderr
    exported = run_("export")
    assert exported.returncode == 0
    assert json.loads(exported.stdout) == [org]
    listed = run_("list", "--json")
    assert [r["identifier"] for r in json.loads(listed.stdout)] == [org["header"]["identifier"]]


def test_import_updates_an_existing_record_as_a_local_edit(capsys, tmp_path):
    from focalpoint.db import open_database
    from focalpoint.records import RecordStore

    data = tmp_path / "data"
    org = forms.template("organization")
    org.pop("contacts")
    assert cli(capsys, data, "records", "import", write(tmp_path / "a.json", org))[0] == 0
    org["name"] = {"en": "Ministry of Natural Resources and Environment", "fr": "Ministère des ressources naturelles"}
    code, out, _ = cli(capsys, data, "records", "import", write(tmp_path / "b.json", org))
    assert code == 0 and "0 new, 1 updated, 0 unchanged" in out
    db = open_database(data)
    try:
        view = RecordStore(db).get(org["header"]["identifier"])
        assert view.local_revision == 2
        assert view.title["en"] == "Ministry of Natural Resources and Environment"
        assert len(RecordStore(db).pending_outbox()) == 1  # the unsent save was updated in place
    finally:
        db.close()


# ------------------------------------------------------------------ all or nothing, bad input

def _count(capsys, data):
    code, out, _ = cli(capsys, data, "records", "list", "--json")
    return len(json.loads(out))


def test_import_is_all_or_nothing(capsys, tmp_path):
    data = tmp_path / "data"
    docs = record_set()
    bad = copy.deepcopy(docs)
    needs = next(d for d in bad if d["header"]["schema"] == "capacityNeedsAssessment")
    index = bad.index(needs)
    needs["needs"].append(copy.deepcopy(needs["needs"][0]))
    needs["needs"][1]["priority"] = {"identifier": "PRIORITY-SOMEDAY"}  # FocalPoint's own closed list
    code, out, err = cli(capsys, data, "records", "import", write(tmp_path / "bad.json", bad))
    assert code == 1
    assert f"Document {index + 1}: needs[1].priority" in err
    assert "Nothing was imported" in err
    assert _count(capsys, data) == 0

    code, out, _ = cli(capsys, data, "records", "import", "--json", tmp_path / "bad.json")
    assert code == 1
    assert json.loads(out)["errors"][0] | {"message": None} == {
        "index": index, "code": "Error.UnexpectedTerm", "property": "needs[1].priority",
        "params": {"vocabulary": "priorities", "identifier": "PRIORITY-SOMEDAY"}, "message": None}
    assert _count(capsys, data) == 0


@pytest.mark.parametrize("breakage, code_, path", [
    (lambda d: d.update(title=[1, 2]), "Error.InvalidType", "title"),
    (lambda d: d["needs"][0].update(capacityLevel={"identifier": "xx"}), "Error.UnexpectedTerm",
     "needs[0].capacityLevel"),
    (lambda d: d.update(summary={"en": "x" * 1_000_000, "zh": "短"}), "Error.InvalidValue", "summary.en"),
    (lambda d: d.update(startDate="2024-02-30"), "Error.InvalidValue", "startDate"),
    (lambda d: d["header"].update(schema=""), "Error.Mandatory", "header.schema"),
    (lambda d: d.update(title={"en": "x", "ar": "س", "zh": "标题", "ru": "заголовок"}), "Error.UnspecifiedLocale",
     "title.ru"),
])
def test_bad_documents_are_refused_with_their_path(capsys, tmp_path, breakage, code_, path):
    data = tmp_path / "data"
    docs = record_set()
    needs = next(d for d in docs if d["header"]["schema"] == "capacityNeedsAssessment")
    breakage(needs)
    code, out, err = cli(capsys, data, "records", "import", "--json", write(tmp_path / "in.json", docs))
    assert code == 1
    errors = json.loads(out)["errors"]
    assert {(e["index"], e["code"], e["property"]) for e in errors} == {(docs.index(needs), code_, path)}
    assert errors[0]["message"]
    assert _count(capsys, data) == 0


def test_unreadable_input_exits_2_with_line_and_column(capsys, tmp_path):
    data = tmp_path / "data"
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"header": {"schema": "contact"}\n  "firstName": "Ana"}\n]', encoding="utf-8")
    code, out, err = cli(capsys, data, "records", "import", broken)
    assert code == 2
    assert "line 3, column 3" in err
    assert cli(capsys, data, "records", "validate", tmp_path / "missing.json")[0] == 2
    assert cli(capsys, data, "records", "import", write(tmp_path / "num.json", 42))[0] == 2
    code, _, err = cli(capsys, data, "records", "template", "spaceship")
    assert code == 2 and "Unknown record type" in err
    assert cli(capsys, data, "records", "export", "--format", "csv", "--schema", "contact")[0] == 2
    assert cli(capsys, data, "records", "show", "NO-SUCH-RECORD-1")[0] == 2


def test_validate_prints_chm_errors_as_json(capsys, tmp_path):
    doc = forms.template("bbiRequest")
    del doc["title"]
    doc["startDate"] = "not a date"
    code, out, _ = cli(capsys, tmp_path / "data", "records", "validate", "--json", write(tmp_path / "d.json", doc))
    assert code == 1
    errors = json.loads(out)["errors"]
    assert [(e["code"], e["property"]) for e in errors] == [("Error.Mandatory", "title"),
                                                            ("Error.InvalidValue", "startDate")]
    code, out, _ = cli(capsys, tmp_path / "data", "--lang", "es", "records", "validate", tmp_path / "d.json")
    assert code == 1 and "esta información es obligatoria" in out
    doc = forms.template("bbiRequest")
    code, out, _ = cli(capsys, tmp_path / "data", "records", "validate", "--json", write(tmp_path / "ok.json", doc))
    assert code == 0 and json.loads(out) == {"errors": [], "warnings": []}
    # with the local store: the template's placeholder contact does not exist
    code, out, _ = cli(capsys, tmp_path / "data", "records", "validate", "--json", "--check-references",
                       tmp_path / "ok.json")
    assert code == 1 and "contact" in {e["property"] for e in json.loads(out)["errors"]}


def test_new_creates_drafts(capsys, tmp_path):
    data = tmp_path / "data"
    code, out, err = cli(capsys, data, "records", "new", "contact", "--languages", "fr,en")
    assert code == 0, err
    uid = out.strip()
    code, out, _ = cli(capsys, data, "records", "show", uid)
    assert json.loads(out) == {"header": {"identifier": uid, "schema": "contact", "languages": ["fr", "en"]}}
    partial = {"header": {"languages": ["en"]}, "firstName": "Ana", "emails": ["ana@example.org"]}
    code, out, _ = cli(capsys, data, "records", "new", "contact", "--file", write(tmp_path / "p.json", partial))
    assert code == 0
    assert json.loads(cli(capsys, data, "records", "show", out.strip())[1])["firstName"] == "Ana"
    wrong = {"header": {"languages": ["en"]}, "firstName": 7}
    code, _, err = cli(capsys, data, "records", "new", "contact", "--file", write(tmp_path / "w.json", wrong))
    assert code == 1 and "firstName" in err
    assert _count(capsys, data) == 2


# ------------------------------------------------------------------ CSV and XLSX

def _assessment_with_two_needs():
    doc = forms.template("capacityNeedsAssessment", languages=["en", "fr"])
    second = copy.deepcopy(doc["needs"][0])
    second["title"] = {"en": "Monitoring seagrass", "fr": "Suivi des herbiers"}
    second["aichiTargets"] = [{"identifier": "AICHI-TARGET-10"}, {"identifier": "AICHI-TARGET-11"}]
    second["estimatedCost"] = {"amount": 48000, "currency": "WST"}
    doc["needs"].append(second)
    doc["title"] = {"en": "National capacity needs 2025", "fr": "Besoins nationaux 2025"}
    return doc


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_needs_export_one_row_per_need(capsys, tmp_path, fmt):
    from focalpoint.records.exchange import need_columns

    data = tmp_path / "data"
    doc = _assessment_with_two_needs()
    mapping = {}
    contact, org = forms.template("contact"), forms.template("organization")
    contact.pop("contactOrganization")
    org.pop("contacts")
    mapping["EXAMPLE-CONTACT-0001"] = contact["header"]["identifier"]
    mapping["EXAMPLE-ORGANIZATION-0001"] = org["header"]["identifier"]
    _replace_refs({k: v for k, v in doc.items() if k != "header"}, mapping)
    assert cli(capsys, data, "records", "import", write(tmp_path / "in.json", [contact, org, doc]))[0] == 0
    target = tmp_path / f"needs.{fmt}"
    code, _, err = cli(capsys, data, "--lang", "fr", "records", "export", "--format", fmt, "-o", target)
    assert code == 0, err
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(target, read_only=True)["needs"]
        rows = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    columns = need_columns()
    assert tuple(rows[0]) == columns
    body = [dict(zip(columns, row, strict=True)) for row in rows[1:]]
    assert len(body) == 2
    for row in body:
        assert row["assessmentIdentifier"] == doc["header"]["identifier"]
        assert row["government"] == "ws"
        assert row["assessmentTitle"] == "Besoins nationaux 2025"
    assert str(body[0]["needNumber"]) == "1" and str(body[1]["needNumber"]) == "2"
    assert body[1]["needTitle"] == "Suivi des herbiers"
    assert body[1]["aichiTargets"] == "AICHI-TARGET-10; AICHI-TARGET-11"
    assert str(body[1]["estimatedCostAmount"]) == "48000" and body[1]["estimatedCostCurrency"] == "WST"


def test_xlsx_needs_a_file_and_csv_goes_to_stdout(capsys, tmp_path):
    data = tmp_path / "data"
    assert cli(capsys, data, "records", "export", "--format", "xlsx")[0] == 2
    code, out, _ = cli(capsys, data, "records", "export", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("assessmentIdentifier,government,assessmentTitle")


def test_a_save_that_fails_late_rolls_back_the_whole_import(capsys, tmp_path):
    data = tmp_path / "data"
    org = forms.template("organization")
    org.pop("contacts")
    assert cli(capsys, data, "records", "import", write(tmp_path / "org.json", org))[0] == 0
    newcomer = forms.template("contact")
    newcomer.pop("contactOrganization")
    clash = forms.template("contact", identifier=org["header"]["identifier"])  # valid, but that record is an organization
    clash.pop("contactOrganization")
    code, _, err = cli(capsys, data, "records", "import", write(tmp_path / "two.json", [newcomer, clash]))
    assert code == 1
    assert "Document 2: header.identifier" in err and "organization" in err
    code, out, _ = cli(capsys, data, "records", "list", "--json")
    assert [r["identifier"] for r in json.loads(out)] == [org["header"]["identifier"]]  # the newcomer was rolled back
