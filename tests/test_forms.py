"""Form definitions, vocabularies, validation and templates (focalpoint.forms)."""

from __future__ import annotations

import copy
import hashlib
import os
from pathlib import Path

import pytest

from focalpoint import forms
from focalpoint.forms import model as m
from focalpoint.forms.validation import check, is_closed_vocabulary
from focalpoint.i18n import LANGUAGES

SCHEMAS = forms.schemas()


def codes(errors):
    return {(e.code, e.property) for e in errors}


def first_field(schema, predicate):
    for f in forms.load_form(schema).fields:
        if f.name != "government" and predicate(f):
            return f
    return None


def locate(schema, predicate):
    """The template of ``schema`` and the first field (searching inside groups) matching
    ``predicate``: (document, the object holding the field, the field, its path prefix)."""
    doc = forms.template(schema)

    def walk(container, fields, prefix):
        for f in fields:
            if predicate(f):
                return container, f, prefix
            if f.kind == m.GROUP:
                sub = container[f.name][0] if f.repeat else container[f.name]
                found = walk(sub, f.fields, f"{prefix}{f.name}[0]." if f.repeat else f"{prefix}{f.name}.")
                if found:
                    return found
        return None

    found = walk(doc, forms.load_form(schema).fields, "")
    if found is None:
        return None
    return (doc, *found)


# ------------------------------------------------------------------ definitions

def test_every_record_type_of_the_issue_is_defined():
    assert set(SCHEMAS) >= {"capacityNeedsAssessment", "bbiRequest", "capacityBuildingInitiative",
                            "capacityBuildingResource", "organization", "contact",
                            "qaRecordReview", "qaQualityStandard"}
    assert forms.is_national("capacityNeedsAssessment")
    for schema in ("bbiRequest", "capacityBuildingInitiative", "organization", "contact", "qaRecordReview"):
        assert not forms.is_national(schema)


def test_chm_required_fields_are_required():
    # the CHM's current edit forms (schemas/absch/edit-*.directive.html); the timeframe of an
    # initiative and a contact's names are required by rules (see tests/test_forms_chm.py)
    expected = {
        "capacityBuildingInitiative": {"title", "contacts", "geographicScope", "status", "isProjectProgramme",
                                       "description", "categories", "gbfTargets"},
        "organization": {"name", "city", "country", "phones", "emails", "organizationType"},
        "contact": {"type", "country", "emails"},
        "resource": {"title", "resourceTypes", "authors", "publicationDate", "resourceLinks", "summary",
                     "gbfTargets", "cbdSubjects"},
    }
    for schema, names in expected.items():
        required = {f.name for f in forms.load_form(schema).fields if f.required}
        assert required == names, schema


def test_needs_assessment_has_the_needs_of_the_common_format():
    form = forms.load_form("capacityNeedsAssessment")
    needs = form.field("needs")
    assert needs.kind == m.GROUP and needs.repeat and needs.required
    members = {f.name for f in needs.fields}
    assert {"cbdSubjects", "aichiTargets", "actionPlanActivities", "gap", "capacityLevel", "priority",
            "assistanceTypes", "targetGroups", "deliveryModes", "startDate", "endDate", "estimatedCost",
            "coFinancingAvailable"} <= members
    assert form.field("needs[1].aichiTargets[0]").vocabulary == "aichiTargets"
    assert form.field("title.fr").name == "title"
    assert form.field("needs[0].gbfTargets").vocabulary == "gbfTargets"
    groups = {t.identifier for t in forms.vocabulary("targetGroups")}
    assert "D8862526-B776-4FD2-8C62-6DF9D5E92166" in groups  # civil society organizations (CHM term)
    support = {t.label["en"] for t in forms.vocabulary("assistanceTypes")}
    assert {"Training", "Technical advice", "Funding", "Information and data"} <= support


# term names known offline in English only; the other five languages come with the first
# thesaurus refresh from the CHM (see resources/vocabularies/regions.json, "source")
ENGLISH_ONLY_TERMS = frozenset({"regions"})


def _all_label_maps():
    """(where, label map) for every label, title, help text and term FocalPoint ships."""
    for schema in SCHEMAS:
        form = forms.load_form(schema)
        yield f"{schema}.label", form.label
        yield f"{schema}.help", form.help
        for section in form.sections:
            yield f"{schema}.{section.name}.title", section.title
            if section.help:
                yield f"{schema}.{section.name}.help", section.help
        for path, f in form.iter_fields():
            yield f"{schema}.{path}.label", f.label
            if f.help:
                yield f"{schema}.{path}.help", f.help
    for name in forms.vocabularies.vocabulary_names():
        vocab = forms.vocabulary(name)
        yield f"{name}.label", vocab.label
        if name in ENGLISH_ONLY_TERMS:
            continue
        for term in vocab:
            yield f"{name}.{term.identifier}", term.label
            if term.help:
                yield f"{name}.{term.identifier}.help", term.help


def test_every_label_and_term_has_six_non_empty_languages():
    count = 0
    for where, labels in _all_label_maps():
        missing = [lang for lang in LANGUAGES if not (labels.get(lang) or "").strip()]
        assert not missing, f"{where} lacks {missing}"
        assert set(labels) <= set(LANGUAGES), where
        count += 1
    assert count > 700  # forms, vocabularies and ~250 countries


def test_labels_are_really_translated():
    # a label copied from English into every language would pass the test above
    for where, labels in _all_label_maps():
        if where.startswith(("countries", "currencies", "languages")):
            continue
        assert labels["zh"] != labels["en"] and labels["ar"] != labels["en"], where
        assert labels["ru"] != labels["en"], where


def test_cbd_terms_in_the_secretariats_own_words():
    chm = forms.vocabulary("cbdSubjects").term("CBD-SUBJECT-CHM").label
    assert chm["zh"] == "信息交换所机制"
    assert chm["es"] == "Mecanismo de facilitación"
    assert "مركز تبادل المعلومات" in chm["ar"]
    aichi = forms.vocabulary("aichiTargets")
    assert len(aichi) == 20 and aichi.term("AICHI-TARGET-11").label["fr"].endswith("Aires protégées")


def test_countries_come_from_cldr():
    countries = forms.vocabulary("countries")
    assert "ws" in countries and "cn" in countries and "zz" not in countries
    assert 240 <= len(countries) <= 260
    assert countries.term("fr").label["fr"] == "France"
    assert countries.term("cn").label["zh"] == "中国"
    assert countries.term("eg").label["ar"] == "مصر"


def test_action_plan_activities_1_to_110():
    acts = forms.vocabulary("actionPlanActivities")
    assert len(acts) == 110
    assert acts.identifiers()[0] == "CBD-CB-ACTION-PLAN-2017-1"
    assert forms.activity_number("CBD-CB-ACTION-PLAN-2017-110") == 110
    assert forms.activity_number("CBD-CB-ACTION-PLAN-2017-111") is None
    assert forms.activity_number("CBD-CB-ACTION-PLAN-2017-07") is None
    with pytest.raises(ValueError):
        forms.activity_identifier(0)


def test_a_broken_definition_is_refused_when_loaded():
    good = {"schema": "x", "national": False, "label": {"en": "X"},
            "sections": [{"name": "s", "fields": [{"name": "a", "kind": "text", "label": {"en": "A"}}]}]}
    m.parse_form(good)
    for broken in (
        {"kind": "nonsense"},
        {"kind": "term"},                      # no vocabulary
        {"kind": "text", "format": "colour"},
        {"kind": "group"},                     # group without fields
        {"name": "bad name"},
    ):
        raw = copy.deepcopy(good)
        raw["sections"][0]["fields"][0].update(broken)
        with pytest.raises(m.FormDefinitionError):
            m.parse_form(raw)
    national = copy.deepcopy(good)
    national["national"] = True
    with pytest.raises(m.FormDefinitionError):
        m.parse_form(national)


# ------------------------------------------------------------------ templates

@pytest.mark.parametrize("schema", SCHEMAS)
def test_template_is_complete_and_valid(schema):
    doc = forms.template(schema)
    assert forms.validate(doc) == []
    assert doc["header"]["schema"] == schema
    assert forms.template(schema)["header"]["identifier"] != doc["header"]["identifier"]
    for f in forms.load_form(schema).fields:
        if f.kind != m.ATTACHMENT:
            assert f.name in doc, f"{schema}.{f.name} missing from the template"
    if forms.is_national(schema):
        assert forms.load_form(schema).field("government").required


# ------------------------------------------------------------------ validation, per record type

@pytest.mark.parametrize("schema", SCHEMAS)
def test_missing_required_field(schema):
    doc = forms.template(schema)
    f = first_field(schema, lambda f: f.required)
    del doc[f.name]
    assert (("Error.Mandatory", f.name)) in codes(forms.validate(doc))


@pytest.mark.parametrize("schema", SCHEMAS)
def test_unknown_property_is_a_warning(schema):
    doc = forms.template(schema)
    doc["colour"] = "blue"
    warnings = []
    assert forms.validate(doc, warnings=warnings) == []
    assert codes(warnings) == {("Warning.UnknownProperty", "colour")}
    assert check(doc) == ([], warnings)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_wrong_types(schema):
    form = forms.load_form(schema)
    for f in form.fields:
        doc = forms.template(schema)
        if f.kind == m.ATTACHMENT:
            continue
        doc[f.name] = 12345 if not (f.kind == m.NUMBER and not f.repeat) else "twelve"
        errors = forms.validate(doc)
        assert codes(errors) == {("Error.InvalidType", f.name)}, (schema, f.name, codes(errors))


@pytest.mark.parametrize("schema", SCHEMAS)
def test_unknown_term(schema):
    """A term the client does not know is an error only in FocalPoint's own closed lists; in a
    real-thesaurus vocabulary it is a warning (the term is kept)."""
    doc, holder, f, prefix = locate(schema, lambda f: f.kind == m.TERM)
    holder[f.name] = [{"identifier": "NO-SUCH-TERM"}] if f.repeat else {"identifier": "NO-SUCH-TERM"}
    path = f"{prefix}{f.name}[0]" if f.repeat else prefix + f.name
    errors, warnings = check(doc)
    if is_closed_vocabulary(f.vocabulary):
        assert (codes(errors), codes(warnings)) == ({("Error.UnexpectedTerm", path)}, set())
    else:
        assert (codes(errors), codes(warnings)) == (set(), {("Warning.UnknownTerm", path)})
        assert warnings[0].params == {"vocabulary": f.vocabulary, "identifier": "NO-SUCH-TERM"}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_huge_text_is_refused(schema):
    f = first_field(schema, lambda f: f.kind in m.TEXT_KINDS and not f.repeat)
    doc = forms.template(schema)
    huge = "x" * 1_000_000
    if f.localized:
        doc[f.name] = {"en": huge, "fr": "court"}
        path = f"{f.name}.en"
    else:
        doc[f.name] = huge
        path = f.name
    errors = forms.validate(doc)
    assert codes(errors) == {("Error.InvalidValue", path)}
    assert errors[0].params["reason"] == "tooLong"


@pytest.mark.parametrize("schema", [s for s in SCHEMAS if first_field(s, lambda f: f.kind == m.DATE)])
def test_malformed_dates(schema):
    f = first_field(schema, lambda f: f.kind == m.DATE)
    for bad in ("2024-02-30", "31/12/2024", "2024-1-5", "yesterday"):
        doc = forms.template(schema)
        doc[f.name] = bad
        assert codes(forms.validate(doc)) == {("Error.InvalidValue", f.name)}, bad


@pytest.mark.parametrize("schema", SCHEMAS)
def test_text_in_an_undeclared_language(schema):
    f = first_field(schema, lambda f: f.localized)
    doc = forms.template(schema)  # declared: en, fr
    doc[f.name] = {**doc[f.name], "ru": "Текст"}
    assert codes(forms.validate(doc)) == {("Error.UnspecifiedLocale", f"{f.name}.ru")}


@pytest.mark.parametrize("schema", [s for s in SCHEMAS if locate(s, lambda f: f.localized and f.required)])
def test_missing_text_in_a_declared_language(schema):
    found = locate(schema, lambda f: f.localized and f.required)
    doc, holder, f, prefix = found
    holder[f.name] = {"en": holder[f.name]["en"], "fr": "  "}
    assert codes(forms.validate(doc)) == {("Error.Mandatory", f"{prefix}{f.name}.fr")}
    holder[f.name] = {}
    assert codes(forms.validate(doc)) == {("Error.Mandatory", f"{prefix}{f.name}")}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_reference_to_a_missing_record(schema):
    f = first_field(schema, lambda f: f.kind == m.REFERENCE)
    doc = forms.template(schema)
    ident = (doc[f.name][0] if f.repeat else doc[f.name])["identifier"].split("@")[0]
    assert forms.validate(doc, reference_exists=lambda uid: True) == []
    asked = []
    errors = forms.validate(doc, reference_exists=lambda uid: asked.append(uid) or uid != ident)
    path = f"{f.name}[0]" if f.repeat else f.name
    assert ("Error.InvalidValue", path) in codes(errors)
    assert all("@" not in uid for uid in asked)
    assert next(e for e in errors if e.property == path).params == {"reason": "missingReference",
                                                                     "identifier": ident}


def test_header_problems_and_unknown_schema():
    doc = forms.template("contact")
    doc["header"]["identifier"] = "short"
    doc["header"]["languages"] = ["en", "fr", "de", "en"]
    assert codes(forms.validate(doc)) == {
        ("Error.InvalidValue", "header.identifier"),
        ("Error.InvalidValue", "header.languages[2]"),
        ("Error.InvalidValue", "header.languages[3]"),
    }
    unknown = {"header": {"identifier": "ABCDEFGHIJK-1", "schema": "spaceship", "languages": ["en"]},
               "title": {"en": "x"}}
    errors, warnings = check(unknown)
    assert errors == [] and codes(warnings) == {("Warning.NoForm", "header.schema")}
    assert "spaceship" in warnings[0].message("en")
    unknown["header"]["identifier"] = "short"
    assert codes(forms.validate(unknown)) == {("Error.InvalidValue", "header.identifier")}
    assert codes(forms.validate({"title": "x"})) == {("Error.Mandatory", "header")}
    assert codes(forms.validate([1, 2])) == {("Error.InvalidType", "")}
    longest = forms.template("contact")
    longest["header"]["identifier"] = "A-_9" * 32
    assert forms.validate(longest) == []
    longest["header"]["identifier"] += "A"
    assert codes(forms.validate(longest)) == {("Error.InvalidValue", "header.identifier")}


def test_paths_inside_repeated_groups():
    doc = forms.template("capacityNeedsAssessment")
    doc["needs"].append(copy.deepcopy(doc["needs"][0]))
    doc["needs"][1]["aichiTargets"] = [{"identifier": "AICHI-TARGET-21"}]  # a warning, not an error
    doc["needs"][1]["priority"] = {"identifier": "PRIORITY-SOMEDAY"}  # FocalPoint's own closed list
    doc["needs"][1]["actionPlanActivities"] = [{"identifier": "CBD-CB-ACTION-PLAN-2017-111"},
                                               {"identifier": "CBD-CB-ACTION-PLAN-2017-110"}]
    doc["needs"][0]["estimatedCost"] = {"amount": -5, "currency": "XYZ"}
    doc["needs"][0]["startDate"], doc["needs"][0]["endDate"] = "2026-01-01", "2025-01-01"
    del doc["needs"][1]["gap"]
    assert codes(forms.validate(doc)) == {
        ("Error.UnexpectedTerm", "needs[1].priority"),
        ("Error.UnexpectedTerm", "needs[1].actionPlanActivities[0]"),
        ("Error.InvalidValue", "needs[0].estimatedCost.amount"),
        ("Error.UnexpectedTerm", "needs[0].estimatedCost.currency"),
        ("Error.InvalidValue", "needs[0].endDate"),
        ("Error.Mandatory", "needs[1].gap"),
    }
    doc = forms.template("capacityNeedsAssessment")
    doc["needs"] = []
    assert codes(forms.validate(doc)) == {("Error.Mandatory", "needs")}


def test_mandatory_any_of():
    doc = forms.template("capacityBuildingResource")
    del doc["authors"], doc["organizations"]
    errors = forms.validate(doc)
    assert codes(errors) == {("Error.MandatoryAnyOf", "authors")}
    assert errors[0].params["anyOf"] == ["authors", "organizations"]
    doc["organizations"] = [{"identifier": "ABCDEFGHIJKLM"}]
    assert forms.validate(doc) == []


def test_kind_specific_rules():
    doc = forms.template("organization")
    doc["emails"] = ["not-an-address", "ok@example.org"]
    doc["phones"] = ["call me"]
    doc["websites"] = [{"url": "javascript:alert(1)"}, {"name": "no url"}]
    doc["organizationType"] = {"identifier": "5B6177DD-5E5E-434E-8CB7-D63D67D5EBED",  # Other
                               "customValue": {"en": "Cooperative"}}
    doc["thematicAreas"] = [{"identifier": "CBD-SUBJECT-PA"}, {"identifier": "CBD-SUBJECT-PA"}]
    assert codes(forms.validate(doc)) == {
        ("Error.InvalidValue", "emails[0]"), ("Error.InvalidValue", "phones[0]"),
        ("Error.InvalidValue", "websites[0].url"), ("Error.Mandatory", "websites[1].url"),
        ("Error.InvalidValue", "thematicAreas[1]"),
    }
    doc = forms.template("organization")
    doc["organizationType"] = {"identifier": "8A265B81-3973-42ED-BB06-40ACC755E496", "customValue": {"en": "x"}}
    errors, warnings = check(doc)
    assert errors == [] and codes(warnings) == {("Warning.UnknownProperty", "organizationType.customValue")}
    doc = forms.template("capacityBuildingInitiative")
    doc["durationPeriod"], doc["durationText"] = 2.5, "Fortnights"
    doc["isProjectProgramme"] = "yes"
    assert codes(forms.validate(doc)) == {("Error.InvalidValue", "durationPeriod"),
                                          ("Error.UnexpectedTerm", "durationText"),
                                          ("Error.InvalidType", "isProjectProgramme")}
    doc = forms.template("qaRecordReview")
    doc["reviewedRecord"] = {"identifier": "ABCDEFGHIJKLM"}
    doc["relevant"] = {"result": {"identifier": "QA-MAYBE"}}
    assert codes(forms.validate(doc)) == {("Error.InvalidValue", "reviewedRecord.identifier"),
                                          ("Error.UnexpectedTerm", "relevant.result")}


def test_validation_is_pure_and_does_not_change_the_document():
    doc = forms.template("capacityNeedsAssessment")
    before = copy.deepcopy(doc)
    forms.validate(doc, reference_exists=lambda uid: False)
    assert doc == before


# ------------------------------------------------------------------ messages

def test_messages_in_every_language():
    doc = forms.template("capacityNeedsAssessment")
    doc["needs"][0]["aichiTargets"] = [{"identifier": "AICHI-TARGET-99"}]
    doc["title"]["fr"] = ""
    doc["startDate"] = "2024-13-01"
    errors, warnings = check(doc)
    assert len(errors) == 2 and len(warnings) == 1
    doc["colour"] = "blue"
    warnings += [w for w in check(doc)[1] if w.code == "Warning.UnknownProperty"]
    assert [w.code for w in warnings] == ["Warning.UnknownTerm", "Warning.UnknownProperty"]
    errors += warnings
    for error in errors:
        messages = {lang: error.message(lang) for lang in LANGUAGES}
        assert all(text.strip() for text in messages.values())
        assert len(set(messages.values())) == 6, messages  # not English six times
    term_error = next(e for e in errors if e.code == "Warning.UnknownTerm")
    assert "AICHI-TARGET-99" in term_error.message("zh")
    assert "爱知生物多样性目标" in term_error.message("zh")
    title_error = next(e for e in errors if e.property == "title.fr")
    assert "français" in title_error.message("fr")
    assert "Titre" in title_error.message("fr")


def test_every_code_and_reason_has_a_message():
    from focalpoint.forms import messages

    for reason, texts in messages.INVALID_VALUE.items():
        assert set(texts) == set(LANGUAGES), reason
    for code in forms.CODES:
        e = forms.ValidationError(code, "title", {"language": "ru", "anyOf": ["authors", "organizations"],
                                                 "expected": "string", "found": "number",
                                                 "vocabulary": "aichiTargets", "identifier": "X"},
                                  "capacityBuildingResource")
        for lang in LANGUAGES:
            text = e.message(lang)
            assert text and "{" not in text, (code, lang, text)


# ------------------------------------------------------------------ attachments and needs → request

def test_store_attachment_is_content_addressed(tmp_path):
    data_dir = tmp_path / "data"
    source = tmp_path / "rapport national.pdf"
    content = b"%PDF-1.4 " + os.urandom(3000)
    source.write_bytes(content)
    info = forms.store_attachment(data_dir, source)
    sha = hashlib.sha256(content).hexdigest()
    assert info == {"sha256": sha, "filename": "rapport national.pdf", "size": len(content)}
    stored = data_dir / "attachments" / sha
    assert stored.read_bytes() == content
    assert forms.attachment_path(data_dir, sha) == stored
    again = forms.store_attachment(data_dir, source)
    assert again == info
    assert [p.name for p in (data_dir / "attachments").iterdir()] == [sha]  # no temp files left
    doc = forms.template("capacityNeedsAssessment")
    doc["attachments"] = [info]
    assert forms.validate(doc) == []


def test_need_to_bbi_request():
    doc = forms.template("capacityNeedsAssessment")
    second = copy.deepcopy(doc["needs"][0])
    second["title"] = {"en": "Seagrass mapping", "fr": "Cartographie des herbiers"}
    second["assistanceTypes"] = [{"identifier": "ASSISTANCE-TRAINING"}]
    doc["needs"].append(second)
    request = forms.need_to_bbi_request(doc, 1)
    assert request["header"]["schema"] == "bbiRequest"
    assert request["header"]["languages"] == doc["header"]["languages"]
    assert request["title"] == second["title"]
    assert request["problem"] == second["gap"]
    assert request["country"] == doc["government"]
    assert request["contact"] == doc["contacts"][0]
    assert request["assistanceTypes"] == [{"identifier": "ASSISTANCE-TRAINING"}]
    assert forms.validate(request) == []
    with pytest.raises(IndexError):
        forms.need_to_bbi_request(doc, 2)
    with pytest.raises(ValueError):
        forms.need_to_bbi_request(forms.template("contact"), 0)


def test_forms_do_not_import_qt_or_the_database():
    import subprocess
    import sys

    code = ("import sys; sys.modules['PySide6'] = None; import focalpoint.forms as f;"
            "[f.validate(f.template(s)) for s in f.schemas()];"
            "assert not any(m.startswith(('PySide6', 'sqlalchemy')) for m in sys.modules if sys.modules[m]), "
            "[m for m in sys.modules if m.startswith(('PySide6', 'sqlalchemy'))]")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
