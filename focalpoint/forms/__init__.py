"""Declarative form definitions: one JSON file per record type drives the editor,
validation, the stored document and the printed form.

Public API (pure Python: no database, no Qt; any thread may call it; the hub
calls :func:`validate` too)::

    from focalpoint import forms

    forms.FORM_VERSION                      # version of the definition format
    forms.schemas()                         # ('bbiRequest', 'capacityBuildingInitiative', …, 'resource')
    form = forms.load_form("capacityNeedsAssessment")   # FormDefinition
    forms.is_national("capacityNeedsAssessment")        # True: needs a government
    vocab = forms.vocabulary("aichiTargets")            # Vocabulary of Term
    errors = forms.validate(document, reference_exists=lambda uid: ...)
    for e in errors: e.code, e.property, e.params, e.message("fr")
    errors, warnings = forms.check(document)  # warnings never refuse: Warning.UnknownProperty, …
    forms.is_focalpoint_only("capacityNeedsAssessment")  # True: never sent to a plain CHM
    doc = forms.template("contact")          # a complete, valid example document
    doc = forms.empty_document("contact", languages=["en", "fr"])
    forms.store_attachment(data_dir, path)   # {"sha256", "filename", "size"}
    forms.need_to_bbi_request(assessment, 0) # a bbiRequest made from need 0
    forms.field_label(schema, "needs[1].title.fr", "fr")  # "Besoins (2) › Intitulé du besoin (français)"

Documents
=========

Records are the central CHM's JSON documents::

    {"header": {"identifier": "3F1C…", "schema": "capacityNeedsAssessment", "languages": ["en", "fr"]},
     "government": {"identifier": "ws"},
     "title": {"en": "…", "fr": "…"},
     "aichiTargets": [{"identifier": "AICHI-TARGET-11"}],
     "contacts": [{"identifier": "9A0B…"}]}

``header.identifier`` matches ``[A-Za-z0-9-_]{11,128}``; ``header.languages`` lists
the UN languages (ar, en, es, fr, ru, zh) the record is written in: every
required localized text must be filled in each of them, and text in any other
language is an error. An empty value (``None``, ``""``, ``[]``, ``{}``) counts as
absent; editors should drop empty fields rather than store them.

Form definition files (``resources/forms/<schema>.json``)
=========================================================

::

    {"schema": "capacityNeedsAssessment",   # the CHM schema name (file name too)
     "formVersion": 1,
     "national": true,                      # national records need a required "government" term
     "label": {six languages}, "help": {six languages},
     "mandatoryAnyOf": [["authors", "organizations"]],   # at least one must be filled
     "dateOrder": [["startDate", "endDate"]],             # end must not precede start
     "groups": {"checkItem": {…a field…}},  # shared field shapes, used with {"use": "checkItem"}
     "sections": [
       {"name": "general", "title": {six}, "help": {six},
        "fields": [
          {"name": "title", "kind": "localizedText", "label": {six}, "help": {six},
           "required": true, "maxLength": 500},
          {"name": "needs", "kind": "group", "repeat": true, "required": true, "minItems": 1,
           "dateOrder": [["startDate", "endDate"]],
           "fields": [ … members, same format … ]}]}]}

Field keys: ``name`` (the JSON property), ``kind``, ``label``, ``help``, ``required``,
``repeat`` (the value is a list), ``vocabulary`` (term, code), ``min``/``max`` and
``integer`` (number, money amount), ``maxLength`` (text, per language),
``minItems``/``maxItems`` (repeat), ``fields`` (group), ``schemas`` (reference: the
record types to offer), ``format`` (text: email, phone, decimal, url),
``requireRevision`` (reference must be ``UID@revision``), ``dateOrder`` and
``mandatoryAnyOf`` (group), ``printed`` (false hides it from the PDF).

Kinds and their JSON values (constants in :mod:`focalpoint.forms.model`):

=====================  ===================================================
``text``               ``"a string"`` (one line)
``longText``           ``"a string"`` (several lines)
``localizedText``      ``{"en": "…", "fr": "…"}``
``localizedLongText``  the same, several lines per language
``date``               ``"2025-03-31"``
``number``             ``12`` or ``12.5``
``money``              ``{"amount": 25000, "currency": "USD"}`` (ISO 4217)
``boolean``            ``true`` / ``false``
``term``               ``{"identifier": "AICHI-TARGET-11"}`` (plus ``customValue``
                       for a term marked ``custom``, the "other" choice)
``code``               ``"person"`` (a bare term identifier; CHM string enums)
``reference``          ``{"identifier": "UID"}`` or ``{"identifier": "UID@3"}``
``activity``           ``{"identifier": "CBD-CB-ACTION-PLAN-2017-42"}`` (1–110)
``link``               ``{"url": "https://…", "name": "…", "language": "en"}``
``attachment``         ``{"sha256": "…", "filename": "report.pdf", "size": 1234}``
``group``              an object of its ``fields``
=====================  ===================================================

Vocabularies live in ``resources/vocabularies/<name>.json`` (see
:mod:`focalpoint.forms.vocabularies`); ``countries``, ``currencies``,
``languages`` and ``actionPlanActivities`` are generated (names from babel's CLDR data).

Record types
============

National (``government`` required): ``capacityNeedsAssessment``.
Reference: ``bbiRequest``, ``capacityBuildingInitiative``, ``capacityBuildingResource``,
``organization``, ``contact``, ``qaRecordReview`` and ``qaQualityStandard``. The two
quality-assurance checklists are two schemas rather than one with a type term, so
each keeps its own required items and its own printed form.

Validation
==========

:func:`validate` answers with the CHM's codes (``Error.Mandatory``,
``Error.MandatoryAnyOf``, ``Error.InvalidValue``, ``Error.InvalidProperty``,
``Error.UnspecifiedLocale``, ``Error.UnexpectedTerm``, ``Error.InvalidType``) and
property paths such as ``needs[1].aichiTargets[0]`` or ``title.fr`` (indexes from 0).
``params["reason"]`` refines ``Error.InvalidValue`` (``date``, ``tooLong``,
``missingReference``, ``endBeforeStart``, ``schema``, …).

What FocalPoint does not know is kept and reported as a warning, never refused
(:func:`check`, or ``validate(document, warnings=[])``): ``Warning.UnknownProperty``,
``Warning.UnknownTerm`` (a term of a CHM thesaurus domain not in the local copy yet) and
``Warning.NoForm`` (a record type without a FocalPoint form: only its header is checked).
"""

from __future__ import annotations

from focalpoint.forms.attachments import attachment_path, store_attachment
from focalpoint.forms.messages import field_label
from focalpoint.forms.model import (
    FORM_VERSION,
    KINDS,
    Field,
    FormDefinition,
    FormDefinitionError,
    Section,
    is_focalpoint_only,
    is_national,
    load_form,
    schemas,
)
from focalpoint.forms.needs import need_to_bbi_request
from focalpoint.forms.templates import empty_document, template
from focalpoint.forms.validation import CODES, WARNING_CODES, ValidationError, check, validate
from focalpoint.forms.vocabularies import Term, Vocabulary, activity_identifier, activity_number, vocabulary

__all__ = [
    "CODES", "WARNING_CODES", "FORM_VERSION", "KINDS", "Field", "FormDefinition", "FormDefinitionError", "Section",
    "Term", "ValidationError", "Vocabulary", "activity_identifier", "activity_number",
    "attachment_path", "check", "empty_document", "field_label", "is_focalpoint_only", "is_national", "load_form", "need_to_bbi_request",
    "schemas", "store_attachment", "template", "validate", "vocabulary",
]
