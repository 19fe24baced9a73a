"""The CSV/XLSX export of capacity needs assessments takes its columns from the form definition:
a field added to the form (here, to a copy of it) is a column of the export, with its value."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from focalpoint import forms
from focalpoint.forms.model import FormDefinition, forms_dir, load_form, parse_form
from focalpoint.records.exchange import NEEDS_SCHEMA, need_columns, needs_csv, needs_xlsx

LANGS = ("ar", "en", "es", "fr", "ru", "zh")

# the columns of the first exports: spreadsheets made from them keep working
FIRST_COLUMNS = (
    "assessmentIdentifier", "government", "assessmentTitle", "assessmentStartDate", "assessmentEndDate",
    "needNumber", "needTitle", "cbdSubjects", "aichiTargets", "actionPlanActivities", "gap",
    "capacityLevel", "priority", "nationalPriorities", "assistanceTypes", "targetGroups",
    "deliveryModes", "objectives", "startDate", "endDate", "estimatedCostAmount",
    "estimatedCostCurrency", "coFinancingAvailable", "coFinancing", "existingInitiatives",
)


def _form_with_two_new_fields() -> FormDefinition:
    """The shipped needs-assessment form, read from its file, with a field added to the assessment
    and one to each need."""
    raw = json.loads((forms_dir() / f"{NEEDS_SCHEMA}.json").read_text(encoding="utf-8"))
    sections = {s["name"]: s for s in raw["sections"]}
    sections["general"]["fields"].append(
        {"name": "reportingCycle", "kind": "text", "label": dict.fromkeys(LANGS, "Reporting cycle")})
    needs = next(f for f in sections["needs"]["fields"] if f["name"] == "needs")
    needs["fields"].append({"name": "genderDimension", "kind": "localizedLongText",
                            "label": dict.fromkeys(LANGS, "Gender dimension")})
    return parse_form(raw, source="capacityNeedsAssessment with two more fields")


def _assessment() -> dict:
    doc = forms.template(NEEDS_SCHEMA, languages=["en", "fr"])
    doc["reportingCycle"] = "2025-2026"
    second = copy.deepcopy(doc["needs"][0])
    second["title"] = {"en": "Monitoring seagrass", "fr": "Suivi des herbiers"}
    second["genderDimension"] = {"en": "Women fishers lead the surveys", "fr": "Les pêcheuses mènent les relevés"}
    doc["needs"].append(second)
    return doc


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)["needs"]
    return [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]


def test_every_field_of_the_shipped_form_is_a_column_and_the_first_columns_stay():
    columns = need_columns()
    assert set(FIRST_COLUMNS) <= set(columns)
    assert [c for c in columns if c in FIRST_COLUMNS] == list(FIRST_COLUMNS)  # in their first order
    form = load_form(NEEDS_SCHEMA)
    needs = form.field("needs")
    assert needs is not None
    for member in needs.fields:  # gbfTargets was missing from the hand-written list
        expected = {"title": "needTitle"}.get(member.name, member.name)
        expected += "Amount" if member.kind == "money" else ""
        assert expected in columns, member.name
    assert "gbfTargets" in columns and "summary" in columns and "methodology" in columns


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_field_added_to_the_form_reaches_the_export(fmt):
    form = _form_with_two_new_fields()
    doc = _assessment()
    data = (needs_csv if fmt == "csv" else needs_xlsx)([doc], "fr", form)
    rows = _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)
    header = rows[0]
    assert "reportingCycle" in header and "genderDimension" in header
    assert header.index("reportingCycle") < header.index("needNumber") < header.index("genderDimension")
    body = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [row["reportingCycle"] for row in body] == ["2025-2026", "2025-2026"]  # the assessment's, on every row
    assert body[1]["genderDimension"] == "Les pêcheuses mènent les relevés"  # the need's, in the language asked
    assert body[1]["needTitle"] == "Suivi des herbiers"
    # without the added fields in the form, the same document exports no such columns
    plain = _csv_rows(needs_csv([doc], "fr"))[0]
    assert "reportingCycle" not in plain and "genderDimension" not in plain
