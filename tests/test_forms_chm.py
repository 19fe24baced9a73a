"""The forms as the central CHM has them today (issue 12, point 3) and validation severity (point 1).

The example documents are tests/fixtures/chm/chd-*.json: one per request-body table of the CHM's
official documentation, each row's own ``Example`` under its ``Field`` (see the README there).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from focalpoint import forms
from focalpoint.cli import run
from focalpoint.forms import model as m
from focalpoint.forms.legacy import resource_from_capacity_building_resource
from focalpoint.forms.model import is_focalpoint_only
from focalpoint.forms.validation import WARNING_CODES, check
from focalpoint.i18n import LANGUAGES

FIXTURES = Path(__file__).parent / "fixtures" / "chm"

PROPOSED = "73E2AC27-D964-487C-A4E6-0997BB27AF01"       # initiative status: proposed (not yet approved)
ONGOING = "STATUS-ONGOING"
SELF_FUNDED = "AFDE8912-E398-4194-95BA-FE488DCC891A"    # funding source type: self-funding
REGION = "CCA4B662-8EF4-418D-B327-0D6F418AA703"         # region: Africa - All countries

# What the documented examples hold that FocalPoint's shipped forms and thesaurus do not know yet:
# nothing since the ABS fields (absKeyAreas, nagoya, libraries) and their vocabularies were added.
KNOWN_GAPS: dict[str, set] = {
    "chd-cdi.json": set(),
    "chd-org.json": set(),
    "chd-contact.json": set(),
    "chd-vlr.json": set(),
}

# The real examples that are incomplete drafts: the mandatory fields they lack.
INCOMPLETE_DRAFTS = {
    "scbd-common__document-validate.resource.json": {
        ("Error.Mandatory", "resourceTypes"),
        ("Error.Mandatory", "gbfTargets"),
        ("Error.Mandatory", "cbdSubjects"),
    },
}


def codes(items):
    return {(e.code, e.property) for e in items}


def real(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the documented examples

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "chm-reference" / "derived"


def assemble(rows: list[dict]) -> dict:
    """A document from a field table: each row's example under its field, dotted fields nested."""
    doc: dict = {}
    for row in rows:
        if row["example"] is None:
            continue
        *parents, last = row["field"].split(".")
        holder = doc
        for part in parents:
            holder = holder.setdefault(part, {})
        if isinstance(holder.get(last), dict) and isinstance(row["example"], dict):
            holder[last].update(row["example"])
        else:
            holder[last] = row["example"]
    return doc


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the CHM reference material is not beside the project")
@pytest.mark.parametrize("code", ["cdi", "org", "contact", "vlr"])
def test_the_fixtures_are_the_documented_examples(code):
    rows = json.loads((REFERENCE / f"chd-{code}.fields.json").read_text(encoding="utf-8"))
    assert assemble(rows) == real(f"chd-{code}.json")

@pytest.mark.parametrize("name", sorted(KNOWN_GAPS))
def test_documented_example_validates_with_nothing_unknown_but_the_listed_gaps(name):
    doc = real(name)
    errors, warnings = check(doc)
    assert errors == [], [(e.code, e.property, e.params) for e in errors]
    assert codes(warnings) == KNOWN_GAPS[name]


def _examples_with_a_form() -> list[str]:
    names = []
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("header", {}).get("schema") in forms.schemas():
            names.append(path.name)
    return names


def test_the_real_examples_with_a_form_are_the_expected_ones():
    assert set(KNOWN_GAPS) | set(INCOMPLETE_DRAFTS) <= set(_examples_with_a_form())
    assert "scbd-common__document-validate.resource.json" in _examples_with_a_form()


@pytest.mark.parametrize("name", _examples_with_a_form())
def test_every_real_example_with_a_form_has_no_unknown_property_or_term(name):
    """Every real CHM example of a record type FocalPoint edits: no warning at all (no unknown
    property, no unknown term), and no error but the mandatory fields a real draft still lacks."""
    errors, warnings = check(real(name))
    assert [(w.code, w.property, w.params) for w in warnings] == []
    assert codes(errors) == INCOMPLETE_DRAFTS.get(name, set()), [(e.code, e.property, e.params) for e in errors]
    assert len(errors) == len(INCOMPLETE_DRAFTS.get(name, ()))


def test_the_abs_fields_as_the_real_forms_have_them():
    cbi = dict(forms.load_form("capacityBuildingInitiative").iter_fields())
    field = cbi["absKeyAreas"]
    assert field.kind == m.TERM and field.repeat and not field.required and field.vocabulary == "absKeyAreas"
    res = dict(forms.load_form("resource").iter_fields())
    assert res["nagoya"].kind == m.GROUP and not res["nagoya"].required
    for member, vocab in (("keyAreas", "absKeyAreas"), ("subjects", "absSubjects"), ("mccKeywords", "mccKeywords")):
        f = res[f"nagoya.{member}"]
        assert f.kind == m.TERM and f.repeat and f.vocabulary == vocab, member
    assert res["libraries"].kind == m.TERM and res["libraries"].repeat and res["libraries"].vocabulary == "cbdLibraries"
    assert forms.vocabulary("absKeyAreas").domain == "2B2A5166-F949-4B1E-888F-A7976E76320B"
    assert forms.vocabulary("absSubjects").domain == "CA9BBEA9-AAA7-4F2F-B3A3-7ED180DE1924"
    assert len(forms.vocabulary("absSubjects")) == 80
    assert set(forms.vocabulary("cbdLibraries").identifiers()) == {
        "cbdLibrary:chm", "cbdLibrary:abs-ch", "cbdLibrary:bch", "cbdLibrary:ebsa"}
    # GBF target 13 (access and benefit-sharing) makes the ABS fields mandatory, as target 17 does biosafety
    doc = real("chd-cdi.json")
    doc["gbfTargets"].append({"identifier": "GBF-TARGET-13"})
    assert check(doc)[0] == []
    del doc["absKeyAreas"]
    assert ("Error.Mandatory", "absKeyAreas") in codes(check(doc)[0])
    doc = real("chd-vlr.json")
    doc["gbfTargets"].append({"identifier": "GBF-TARGET-13"})
    assert check(doc)[0] == []
    del doc["nagoya"]
    assert ("Error.Mandatory", "nagoya") in codes(check(doc)[0])


def test_every_documented_field_of_the_four_tables_is_in_a_form():
    """Every top-level property of the four examples is a field of its form (but the listed gaps)."""
    for name, gaps in KNOWN_GAPS.items():
        doc = real(name)
        form = forms.load_form(doc["header"]["schema"])
        names = {f.name for f in form.fields}
        missing = {k for k in doc if k != "header" and k not in names}
        assert missing == {p for c, p in gaps if c == "Warning.UnknownProperty"}, name


def test_record_types_of_the_chm_and_of_focalpoint():
    assert "resource" in forms.schemas()
    assert {s for s in forms.schemas() if is_focalpoint_only(s)} == {
        "capacityNeedsAssessment", "qaRecordReview", "qaQualityStandard"}
    assert is_focalpoint_only(forms.load_form("qaRecordReview"))
    assert not is_focalpoint_only("nationalTarget")  # no form here: a CHM type
    old = forms.load_form("capacityBuildingResource")
    assert old.legacy and old.superseded_by == "resource" and not old.focalpoint_only
    assert not forms.load_form("resource").legacy


@pytest.mark.parametrize("schema", ["capacityBuildingInitiative", "resource", "organization",
                                    "capacityNeedsAssessment", "bbiRequest"])
def test_gbf_targets_wherever_the_chm_has_them(schema):
    form = forms.load_form(schema)
    path = "needs.gbfTargets" if schema == "capacityNeedsAssessment" else "gbfTargets"
    field = dict(form.iter_fields())[path]
    assert field.kind == m.TERM and field.repeat and field.vocabulary == "gbfTargets"
    targets = forms.vocabulary("gbfTargets").identifiers()
    assert len(targets) == 23 and targets[0] == "GBF-TARGET-01" and targets[-1] == "GBF-TARGET-23"


def test_a_need_carries_its_gbf_targets_into_the_bio_bridge_request():
    doc = forms.template("capacityNeedsAssessment")
    doc["needs"][0]["gbfTargets"] = [{"identifier": "GBF-TARGET-20"}]
    request = forms.need_to_bbi_request(doc, 0)
    assert request["gbfTargets"] == [{"identifier": "GBF-TARGET-20"}]
    assert request["coverage"] == [doc["government"]]
    assert request["organization"] == doc["responsibleOrganization"]
    assert forms.validate(request) == []


# ------------------------------------------------------------------ contacts: person or organization

def test_a_person_needs_a_last_name_an_organization_contact_does_not():
    person = real("chd-contact.json")
    del person["lastName"]
    assert codes(forms.validate(person)) == {("Error.Mandatory", "lastName")}

    organization = real("chd-contact.json")
    organization["type"] = "organization"
    for key in ("prefix", "firstName", "middleName", "lastName"):
        del organization[key]
    assert forms.validate(organization) == []
    del organization["organization"]
    assert codes(forms.validate(organization)) == {("Error.Mandatory", "organization")}
    person = real("chd-contact.json")
    del person["organization"]  # a person's organization (text) is not required
    assert forms.validate(person) == []


# ------------------------------------------------------------------ initiatives: dates or a duration

def _initiative(**changes):
    doc = real("chd-cdi.json")
    for key in ("startDate", "endDate", "durationPeriod", "durationText"):
        doc.pop(key)
    doc.update(changes)
    return doc


def test_an_initiative_with_a_duration_and_no_dates_passes():
    doc = _initiative(status={"identifier": PROPOSED}, durationPeriod=18, durationText="Months")
    errors, _ = check(doc)
    assert errors == []


def test_an_initiative_with_neither_dates_nor_duration_is_refused():
    errors = forms.validate(_initiative())
    assert codes(errors) == {("Error.MandatoryAnyOf", "startDate")}
    assert errors[0].params["anyOf"] == ["startDate", "durationPeriod"]
    assert "Start date" in errors[0].message("en") and "Duration" in errors[0].message("en")


def test_half_a_timeframe_names_what_is_missing():
    assert codes(forms.validate(_initiative(startDate="2025-01-01"))) == {("Error.Mandatory", "endDate")}
    assert codes(forms.validate(_initiative(status={"identifier": PROPOSED}, durationPeriod=2))) == {
        ("Error.Mandatory", "durationText")}


def test_an_ongoing_initiative_needs_its_dates_a_duration_is_not_enough():
    doc = _initiative(status={"identifier": ONGOING}, durationPeriod=2, durationText="Years")
    assert codes(forms.validate(doc)) == {("Error.Mandatory", "startDate"), ("Error.Mandatory", "endDate")}
    doc.update(startDate="2025-01-01", endDate="2026-12-31")
    assert forms.validate(doc) == []


def test_conditional_requirements_of_an_initiative():
    doc = real("chd-cdi.json")
    doc.pop("projectProgrammeName")
    doc["fundingSourceTypes"] = [{"identifier": SELF_FUNDED}]
    doc["gbfTargets"] = [{"identifier": "GBF-TARGET-17"}]
    doc.pop("cpbThematicAreas")
    assert codes(forms.validate(doc)) == {("Error.Mandatory", "projectProgrammeName"),
                                         ("Error.Mandatory", "selfFundingInfo"),
                                         ("Error.Mandatory", "cpbThematicAreas")}
    doc["isProjectProgramme"] = False
    doc.pop("broaderProjects")
    doc["selfFundingInfo"] = {"en": "From the ministry's own budget."}
    doc["gbfTargets"] = [{"identifier": "GBF-TARGET-20"}]
    assert forms.validate(doc) == []


def test_country_regions_take_countries_and_regions():
    doc = real("chd-cdi.json")
    doc["countryRegions"] = [{"identifier": "ao"}, {"identifier": REGION}]
    assert check(doc)[0] == [] and ("Warning.UnknownTerm", "countryRegions[1]") not in codes(check(doc)[1])


# ------------------------------------------------------------------ the virtual library resource

def test_resource_rules():
    doc = real("chd-vlr.json")
    doc["publicationDate"] = "December 2024"
    doc["biosafety"]["addressGenes"] = True
    del doc["biosafety"]["genes"]
    assert codes(forms.validate(doc)) == {("Error.InvalidValue", "publicationDate"),
                                         ("Error.Mandatory", "biosafety.genes")}
    doc = real("chd-vlr.json")
    del doc["biosafety"]  # required with GBF target 17 (biosafety)
    assert codes(forms.validate(doc)) == {("Error.Mandatory", "biosafety")}
    doc["gbfTargets"] = [{"identifier": "GBF-TARGET-01"}]
    assert forms.validate(doc) == []
    for date in ("2024", "2024-12", "2024-12-31"):
        doc["publicationDate"] = date
        assert forms.validate(doc) == []
    # a cover stored by the CHM is linked by a path on its server
    assert doc["covers"][0]["url"].startswith("/api/v2013/documents/")


def test_capacity_building_resource_becomes_a_resource_with_every_value():
    old = forms.template("capacityBuildingResource", languages=["en", "fr"])
    old["authors"] = ["A. Diallo", "M. Chen"]
    old["publicationYear"] = 2019
    old["targetGroups"] = [{"identifier": "D8862526-B776-4FD2-8C62-6DF9D5E92166"}]
    old["attachments"] = [{"sha256": "a" * 64, "filename": "manual.pdf", "size": 12}]
    old["aFutureProperty"] = {"kept": True}
    before = copy.deepcopy(old)

    new = resource_from_capacity_building_resource(old)

    assert old == before  # the input is not changed
    assert new["header"] == {**old["header"], "schema": "resource"}
    assert new["authors"] == {"en": "A. Diallo; M. Chen", "fr": "A. Diallo; M. Chen"}
    assert new["publicationDate"] == "2019" and "publicationYear" not in new
    for key in ("title", "resourceTypes", "organizations", "summary", "cbdSubjects", "aichiTargets",
                "resourceLinks", "relevantInformation", "targetGroups", "resourceLanguages", "attachments",
                "aFutureProperty"):
        assert new[key] == old[key], key
    assert len(new) == len(old)
    errors, warnings = check(new)
    # a resource also needs GBF targets; the old resource types are kept as they were
    assert codes(errors) == {("Error.Mandatory", "gbfTargets")}
    assert {("Warning.UnknownProperty", k) for k in ("targetGroups", "resourceLanguages", "attachments",
                                                    "aFutureProperty")} <= codes(warnings)
    with pytest.raises(ValueError):
        resource_from_capacity_building_resource(forms.template("resource"))


# ------------------------------------------------------------------ severity

def test_a_record_type_without_form_gets_only_its_header_checked():
    doc = real("api-examples__national-target.json")
    errors, warnings = check(doc)
    assert errors == [] and codes(warnings) == {("Warning.NoForm", "header.schema")}
    doc["header"]["languages"] = ["xx"]
    doc["anything"] = [1, 2, 3]
    assert codes(forms.validate(doc)) == {("Error.InvalidValue", "header.languages[0]")}


def test_unknown_properties_anywhere_are_warnings():
    doc = forms.template("capacityBuildingInitiative")
    doc["header"]["revision"] = 3
    doc["contacts"][0]["title"] = "x"
    doc["relevantDocuments"][0]["size"] = 10
    errors, warnings = check(doc)
    assert errors == []
    assert codes(warnings) == {("Warning.UnknownProperty", "header.revision"),
                               ("Warning.UnknownProperty", "contacts[0].title"),
                               ("Warning.UnknownProperty", "relevantDocuments[0].size")}
    assert all(w.is_warning for w in warnings)


@pytest.mark.parametrize("code", WARNING_CODES)
def test_every_warning_has_a_message_in_six_languages(code):
    w = forms.ValidationError(code, "gbfTargets[0]", {"vocabulary": "gbfTargets", "identifier": "GBF-TARGET-24",
                                                      "schema": "nationalTarget"}, "resource")
    texts = {lang: w.message(lang) for lang in LANGUAGES}
    assert all(t and "{" not in t for t in texts.values()), texts
    assert len(set(texts.values())) == 6
    if code == "Warning.UnknownTerm":
        assert "GBF-TARGET-24" in texts["fr"] and "thésaurus local" in texts["fr"]


def test_a_broken_rule_is_refused_when_loaded():
    good = {"schema": "x", "label": {"en": "X"},
            "sections": [{"name": "s", "fields": [{"name": "a", "kind": "text", "label": {"en": "A"}},
                                                  {"name": "b", "kind": "text", "label": {"en": "B"}}]}],
            "rules": [{"when": {"field": "a", "in": ["y"]}, "require": ["b"]}]}
    assert m.parse_form(good).rules[0].when.field == "a"
    for rules in ([{"require": ["c"]}], [{"when": {"field": "a"}, "require": ["b"]}], [{"oneOf": [["a", "z"]]}],
                  [{}], [{"when": {"field": "a", "in": ["y"], "notIn": ["z"]}, "require": ["b"]}]):
        with pytest.raises(m.FormDefinitionError):
            m.parse_form({**good, "rules": rules})


# ------------------------------------------------------------------ templates, through the CLI

@pytest.mark.parametrize("schema", forms.schemas())
def test_the_template_of_every_form_imports_and_validates(capsys, tmp_path, schema):
    data = tmp_path / "data"
    capsys.readouterr()
    assert run(["--data-dir", str(data), "records", "template", schema]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    errors, warnings = check(doc)
    assert errors == [] and warnings == []
    path = tmp_path / "t.json"
    path.write_text(out, encoding="utf-8")
    assert run(["--data-dir", str(data), "records", "import", str(path)]) == 0, capsys.readouterr().err
