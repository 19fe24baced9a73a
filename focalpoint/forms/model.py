"""Typed, immutable form definitions loaded from ``resources/forms/<schema>.json``.

The JSON format is described in the docstring of :mod:`focalpoint.forms`. This
module only turns the files into frozen dataclasses and checks that a file is
well made (known kinds, vocabularies that exist, six-language labels), so a
broken definition fails when it is loaded, not when someone opens the editor.

Keys added for the central CHM's record types (issue 12), besides those described there:

* form level: ``"focalpointOnly": true`` (a FocalPoint record type the CHM does not have, see
  :func:`is_focalpoint_only`), ``"legacy": true`` and ``"supersededBy": "<schema>"`` (an old
  type kept readable), ``"chmSource"`` (the reference files the field list follows), and
  ``"rules"``: requirements the field flags cannot say, e.g.
  ``{"when": {"field": "type", "in": ["person"]}, "require": ["firstName", "lastName"]}`` or
  ``{"oneOf": [["startDate", "endDate"], ["durationPeriod", "durationText"]]}`` (see :class:`Rule`);
  a group field takes ``"rules"`` on its members too;
* field level: ``"alsoVocabularies": ["regions"]`` (terms of these are accepted too) and the
  text format ``"partialDate"`` (``2024``, ``2024-12`` or ``2024-12-31``).

Any thread may call these functions; loaded definitions are cached and immutable.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from focalpoint.resources import resource_path

FORM_VERSION = 1

# ---------------------------------------------------------------- field kinds

TEXT = "text"                       # a plain string (one line)
LONG_TEXT = "longText"              # a plain string, several lines
LOCALIZED_TEXT = "localizedText"    # {"en": "...", "fr": "..."} one line per language
LOCALIZED_LONG_TEXT = "localizedLongText"  # the same, several lines per language
DATE = "date"                       # "YYYY-MM-DD"
NUMBER = "number"                   # a JSON number (``integer`` makes it whole)
MONEY = "money"                     # {"amount": 1200.5, "currency": "USD"}
BOOLEAN = "boolean"                 # true / false
TERM = "term"                       # {"identifier": "AICHI-TARGET-11"} from ``vocabulary``
CODE = "code"                       # a bare string from ``vocabulary`` (CHM string enums)
REFERENCE = "reference"             # {"identifier": "UID[@revision]"} to another record
ACTIVITY = "activity"               # {"identifier": "CBD-CB-ACTION-PLAN-2017-<1..110>"}
LINK = "link"                       # {"url": "https://…", "name": "…", "language": "en"}
ATTACHMENT = "attachment"           # {"sha256": "…", "filename": "…", "size": 123}
GROUP = "group"                     # an object made of ``fields`` (repeatable with ``repeat``)

KINDS: frozenset[str] = frozenset({
    TEXT, LONG_TEXT, LOCALIZED_TEXT, LOCALIZED_LONG_TEXT, DATE, NUMBER, MONEY, BOOLEAN,
    TERM, CODE, REFERENCE, ACTIVITY, LINK, ATTACHMENT, GROUP,
})
LOCALIZED_KINDS: frozenset[str] = frozenset({LOCALIZED_TEXT, LOCALIZED_LONG_TEXT})
TEXT_KINDS: frozenset[str] = frozenset({TEXT, LONG_TEXT, LOCALIZED_TEXT, LOCALIZED_LONG_TEXT})
VOCABULARY_KINDS: frozenset[str] = frozenset({TERM, CODE, ACTIVITY})
MULTILINE_KINDS: frozenset[str] = frozenset({LONG_TEXT, LOCALIZED_LONG_TEXT})

# sane upper bounds when a field does not set ``maxLength`` / ``maxItems``
DEFAULT_MAX_LENGTH: Mapping[str, int] = MappingProxyType({
    TEXT: 1_000, LOCALIZED_TEXT: 2_000, LONG_TEXT: 20_000, LOCALIZED_LONG_TEXT: 20_000,
})
DEFAULT_MAX_ITEMS = 500
TEXT_FORMATS = frozenset({"email", "phone", "decimal", "url", "partialDate"})  # partialDate: 2024, 2024-12, 2024-12-31

ACTIVITY_VOCABULARY = "actionPlanActivities"

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

LabelMap = Mapping[str, str]
_EMPTY: LabelMap = MappingProxyType({})


class FormDefinitionError(Exception):
    """A form or vocabulary file in resources/ is malformed (a programming error, not user input)."""


def _labels(value: Any, where: str) -> LabelMap:
    if value is None:
        return _EMPTY
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        raise FormDefinitionError(f"{where}: a label must be a map of language to text")
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Condition:
    """``when`` of a rule: the value of ``field`` (a code, a term's identifier, any term of a
    list, a boolean) is one of ``values`` (or, with ``negate``, none of them). A condition
    on an absent value never holds."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False


@dataclass(frozen=True)
class Rule:
    """A requirement the field flags cannot say, checked by validation.

    ``require``: these fields are mandatory (``Error.Mandatory``) when ``when`` holds (or
    always). ``one_of``: at least one of these sets of fields is complete, e.g. start and end
    dates, or a duration (``Error.MandatoryAnyOf``; ``Error.Mandatory`` on the missing
    members of a set that was started).
    """

    require: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    when: Condition | None = None


@dataclass(frozen=True, eq=False)
class Field:
    """One field of a form. ``repeat`` makes its value a list of ``kind`` values.

    ``min``/``max`` bound numbers (and money amounts); ``max_length`` bounds text per
    language; ``min_items``/``max_items`` bound repeated values; ``fields`` are the
    members of a group; ``schemas`` are the record types a reference may point to
    (a hint for the editor's picker); ``format`` refines plain text (email, phone,
    decimal, url); ``require_revision`` makes a reference name ``UID@revision``;
    ``date_order`` (groups only) lists ``(start, end)`` member pairs that must not be
    reversed; ``printed`` False hides the field from the printed form;
    ``also_vocabularies`` are further vocabularies whose terms the field accepts (the CHM's
    ``countryRegions`` mixes countries and regions); ``rules`` (groups only) are
    conditional requirements on the members, as :class:`Rule`.
    """

    name: str
    kind: str
    label: LabelMap
    help: LabelMap = field(default_factory=lambda: _EMPTY)
    required: bool = False
    repeat: bool = False
    vocabulary: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    fields: tuple[Field, ...] = ()
    schemas: tuple[str, ...] = ()
    format: str | None = None
    require_revision: bool = False
    date_order: tuple[tuple[str, str], ...] = ()
    mandatory_any_of: tuple[tuple[str, ...], ...] = ()
    printed: bool = True
    also_vocabularies: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()

    @property
    def localized(self) -> bool:
        """Whether the value is a language map (``localizedText``, ``localizedLongText``)."""
        return self.kind in LOCALIZED_KINDS

    @property
    def multiline(self) -> bool:
        """Whether the editor shows several lines for it (long texts)."""
        return self.kind in MULTILINE_KINDS

    @property
    def effective_max_length(self) -> int | None:
        """The longest text allowed (per language): the field's ``maxLength`` or its kind's default;
        None when the kind has no limit."""
        return self.max_length if self.max_length is not None else DEFAULT_MAX_LENGTH.get(self.kind)

    @property
    def effective_max_items(self) -> int:
        """The most items a repeated field may hold: its ``maxItems`` or the global default."""
        return self.max_items if self.max_items is not None else DEFAULT_MAX_ITEMS

    def field(self, name: str) -> Field | None:
        """A member of this group by name."""
        for member in self.fields:
            if member.name == name:
                return member
        return None


@dataclass(frozen=True, eq=False)
class Section:
    """A titled part of a form; the editor shows one page or box per section."""

    name: str
    title: LabelMap
    help: LabelMap
    fields: tuple[Field, ...]


@dataclass(frozen=True, eq=False)
class FormDefinition:
    """Everything the editor, validation and the printed form need about one record type.

    ``focalpoint_only``: a FocalPoint record type the central CHM does not have (never sent
    to a server that does not advertise it); ``legacy``: a type kept so old records stay
    readable and importable, superseded by another (see :mod:`focalpoint.forms.legacy`);
    ``chm_source``: where the field list comes from (a file of the CHM reference material).
    """

    schema: str
    version: int
    national: bool
    label: LabelMap
    help: LabelMap
    sections: tuple[Section, ...]
    mandatory_any_of: tuple[tuple[str, ...], ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()
    rules: tuple[Rule, ...] = ()
    focalpoint_only: bool = False
    legacy: bool = False
    superseded_by: str | None = None
    chm_source: str | None = None

    @property
    def fields(self) -> tuple[Field, ...]:
        """Top-level fields in the order they appear."""
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, path: str) -> Field | None:
        """The field at a property path such as ``needs[1].aichiTargets[0]`` or ``title.fr``."""
        current: tuple[Field, ...] = self.fields
        found: Field | None = None
        for part in re.sub(r"\[\d+\]", "", path).split("."):
            match = next((f for f in current if f.name == part), None)
            if match is None:
                # trailing language code, link member, money member …: stay on the field
                return found
            found = match
            current = match.fields
        return found

    def iter_fields(self) -> Iterator[tuple[str, Field]]:
        """Every field with its dotted path (``needs.aichiTargets``), depth first."""
        def walk(prefix: str, fields: tuple[Field, ...]) -> Iterator[tuple[str, Field]]:
            for f in fields:
                path = f"{prefix}{f.name}"
                yield path, f
                if f.fields:
                    yield from walk(path + ".", f.fields)
        yield from walk("", self.fields)


def _pairs(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in value or ():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise FormDefinitionError(f"{where}: dateOrder entries are [start, end] pairs")
        out.append((pair[0], pair[1]))
    return tuple(out)


def _any_of(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for group in value or ():
        if not (isinstance(group, list) and len(group) >= 2 and all(isinstance(p, str) for p in group)):
            raise FormDefinitionError(f"{where}: mandatoryAnyOf entries are lists of field names")
        out.append(tuple(group))
    return tuple(out)


def _rules(value: Any, where: str, names: list[str]) -> tuple[Rule, ...]:
    """``[{"when": {"field", "in" | "notIn"}, "require": [...]} | {"oneOf": [[...], [...]]}]``."""
    out = []
    for i, raw in enumerate(value or ()):
        at = f"{where}.rules[{i}]"
        if not isinstance(raw, dict) or set(raw) - {"when", "require", "oneOf"}:
            raise FormDefinitionError(f"{at}: a rule has when, require and/or oneOf")
        require = tuple(raw.get("require", ()))
        one_of = tuple(tuple(g) for g in raw.get("oneOf", ()))
        if not require and not one_of:
            raise FormDefinitionError(f"{at}: a rule requires something")
        for name in require + tuple(n for g in one_of for n in g):
            if name not in names:
                raise FormDefinitionError(f"{at}: unknown field {name!r}")
        when = None
        cond = raw.get("when")
        if cond is not None:
            if not isinstance(cond, dict) or cond.get("field") not in names \
                    or len(set(cond) & {"in", "notIn"}) != 1 or set(cond) - {"field", "in", "notIn"}:
                raise FormDefinitionError(f"{at}: when is {{field, in | notIn}} on a known field")
            negate = "notIn" in cond
            values = cond["notIn" if negate else "in"]
            if not isinstance(values, list) or not values:
                raise FormDefinitionError(f"{at}: in/notIn is a list of values")
            when = Condition(field=cond["field"], values=tuple(values), negate=negate)
        out.append(Rule(require=require, one_of=one_of, when=when))
    return tuple(out)


_FIELD_KEYS = {"name", "kind", "label", "help", "required", "repeat", "vocabulary", "min", "max",
               "integer", "maxLength", "minItems", "maxItems", "fields", "schemas", "format",
               "requireRevision", "dateOrder", "mandatoryAnyOf", "use", "printed",
               "alsoVocabularies", "rules"}


def _parse_field(raw: Any, where: str, groups: Mapping[str, Any]) -> Field:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{where}: a field must be an object")
    if "use" in raw:  # a shared group declared once under "groups"
        shared = groups.get(raw["use"])
        if shared is None:
            raise FormDefinitionError(f"{where}: unknown shared group {raw['use']!r}")
        raw = {**shared, **{k: v for k, v in raw.items() if k != "use"}}
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise FormDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    name, kind = raw.get("name"), raw.get("kind")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise FormDefinitionError(f"{where}: bad field name {name!r}")
    where = f"{where}.{name}"
    if kind not in KINDS:
        raise FormDefinitionError(f"{where}: unknown kind {kind!r}")
    vocabulary = raw.get("vocabulary")
    if kind == ACTIVITY:
        vocabulary = ACTIVITY_VOCABULARY
    if kind in VOCABULARY_KINDS and not isinstance(vocabulary, str):
        raise FormDefinitionError(f"{where}: a {kind} field needs a vocabulary")
    if kind not in VOCABULARY_KINDS and vocabulary is not None:
        raise FormDefinitionError(f"{where}: only term, code and activity fields take a vocabulary")
    also = raw.get("alsoVocabularies", [])
    if also and (kind not in (TERM, CODE) or not all(isinstance(a, str) for a in also)):
        raise FormDefinitionError(f"{where}: alsoVocabularies is a list of names, for term and code fields")
    fmt = raw.get("format")
    if fmt is not None and (fmt not in TEXT_FORMATS or kind not in (TEXT,)):
        raise FormDefinitionError(f"{where}: format {fmt!r} is not allowed here")
    members = tuple(_parse_field(m, where, groups) for m in raw.get("fields", ()))
    if (kind == GROUP) != bool(members):
        raise FormDefinitionError(f"{where}: a group (and only a group) has fields")
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise FormDefinitionError(f"{where}: duplicate member names")
    fld = Field(
        name=name, kind=kind,
        label=_labels(raw.get("label"), where), help=_labels(raw.get("help"), where),
        required=bool(raw.get("required", False)), repeat=bool(raw.get("repeat", False)),
        vocabulary=vocabulary, min=raw.get("min"), max=raw.get("max"),
        integer=bool(raw.get("integer", False)), max_length=raw.get("maxLength"),
        min_items=raw.get("minItems"), max_items=raw.get("maxItems"), fields=members,
        schemas=tuple(raw.get("schemas", ())), format=fmt,
        require_revision=bool(raw.get("requireRevision", False)),
        date_order=_pairs(raw.get("dateOrder"), where),
        mandatory_any_of=_any_of(raw.get("mandatoryAnyOf"), where),
        printed=bool(raw.get("printed", True)),
        also_vocabularies=tuple(also),
        rules=_rules(raw.get("rules"), where, names),
    )
    if fld.rules and kind != GROUP:
        raise FormDefinitionError(f"{where}: only a group has rules")
    if not fld.label:
        raise FormDefinitionError(f"{where}: a field needs a label")
    for a, b in fld.date_order:
        if not (fld.field(a) and fld.field(b)):
            raise FormDefinitionError(f"{where}: dateOrder names unknown members {a}, {b}")
    return fld


def parse_form(raw: Any, *, source: str = "<form>") -> FormDefinition:
    """Build a :class:`FormDefinition` from a parsed form file (checks its structure)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("schema"), str):
        raise FormDefinitionError(f"{source}: a form file is an object with a schema name")
    schema = raw["schema"]
    groups = raw.get("groups", {})
    sections = []
    for i, sec in enumerate(raw.get("sections", ())):
        where = f"{schema}.sections[{i}]"
        if not isinstance(sec, dict) or not isinstance(sec.get("name"), str):
            raise FormDefinitionError(f"{where}: a section needs a name")
        fields = tuple(_parse_field(f, f"{schema}", groups) for f in sec.get("fields", ()))
        sections.append(Section(name=sec["name"], title=_labels(sec.get("title"), where),
                                help=_labels(sec.get("help"), where), fields=fields))
    form = FormDefinition(
        schema=schema, version=int(raw.get("formVersion", FORM_VERSION)),
        national=bool(raw.get("national", False)),
        label=_labels(raw.get("label"), schema), help=_labels(raw.get("help"), schema),
        sections=tuple(sections),
        mandatory_any_of=_any_of(raw.get("mandatoryAnyOf"), schema),
        date_order=_pairs(raw.get("dateOrder"), schema),
        rules=_rules(raw.get("rules"), schema, [f.name for sec in sections for f in sec.fields]),
        focalpoint_only=bool(raw.get("focalpointOnly", False)),
        legacy=bool(raw.get("legacy", False)),
        superseded_by=raw.get("supersededBy"),
        chm_source=raw.get("chmSource"),
    )
    names = [f.name for f in form.fields]
    if len(set(names)) != len(names):
        raise FormDefinitionError(f"{schema}: duplicate field names")
    if "header" in names:
        raise FormDefinitionError(f"{schema}: 'header' is reserved")
    gov = next((f for f in form.fields if f.name == "government"), None)
    if form.national and (gov is None or not gov.required or gov.kind != TERM):
        raise FormDefinitionError(f"{schema}: a national form needs a required government term")
    for group in form.mandatory_any_of:
        if not all(n in names for n in group):
            raise FormDefinitionError(f"{schema}: mandatoryAnyOf names unknown fields {group}")
    for a, b in form.date_order:
        if a not in names or b not in names:
            raise FormDefinitionError(f"{schema}: dateOrder names unknown fields {a}, {b}")
    return form


# ------------------------------------------------------------------ loading

_lock = threading.Lock()
_forms: dict[str, FormDefinition] = {}
_schema_names: tuple[str, ...] | None = None


def forms_dir() -> Path:
    """The folder of the shipped form definitions. Any thread."""
    return resource_path("forms")


def schemas() -> tuple[str, ...]:
    """The record types FocalPoint knows, in a stable order (the file names in resources/forms)."""
    global _schema_names
    with _lock:
        if _schema_names is None:
            _schema_names = tuple(sorted(p.stem for p in forms_dir().glob("*.json")
                                         if not p.name.startswith("_")))
        return _schema_names


def load_form(schema: str) -> FormDefinition:
    """The form definition of ``schema``; raises KeyError for a record type FocalPoint lacks."""
    with _lock:
        cached = _forms.get(schema)
    if cached is not None:
        return cached
    if schema not in schemas():
        raise KeyError(schema)
    path = forms_dir() / f"{schema}.json"
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    form = parse_form(raw, source=str(path))
    if form.schema != schema:
        raise FormDefinitionError(f"{path}: declares schema {form.schema!r}")
    from focalpoint.forms.vocabularies import vocabulary_names

    known = set(vocabulary_names())
    for where, f in form.iter_fields():
        for name in (f.vocabulary,) + f.also_vocabularies if f.vocabulary else ():
            if name not in known:
                raise FormDefinitionError(f"{schema}.{where}: unknown vocabulary {name!r}")
        for target in f.schemas:
            if target not in schemas():
                raise FormDefinitionError(f"{schema}.{where}: unknown record type {target!r}")
    with _lock:
        _forms[schema] = form
    return form


def is_national(schema: str) -> bool:
    """True for national records (they carry a ``government``), False for reference records."""
    return load_form(schema).national


def is_focalpoint_only(schema: str | FormDefinition) -> bool:
    """True for FocalPoint's own record types (capacity needs assessments, the QA checklists),
    which the central CHM does not have; False for CHM types and for types without a form.
    Any thread may call this."""
    if isinstance(schema, FormDefinition):
        return schema.focalpoint_only
    if schema not in schemas():
        return False
    return load_form(schema).focalpoint_only


def is_legacy(schema: str) -> bool:
    """True for a record type kept only so old records stay readable (``capacityBuildingResource``)."""
    return schema in schemas() and load_form(schema).legacy


def clear_cache() -> None:
    """Forget loaded definitions (tests that edit resources use this)."""
    global _schema_names
    with _lock:
        _forms.clear()
        _schema_names = None
