"""Validation of CHM-shaped documents against their form definition.

Pure and fast: no database, no Qt, no network, no global state beyond the cached
form and vocabulary definitions. The hub runs exactly this code. Any thread may
call :func:`validate`.

Errors use the central CHM's codes and property paths: ``title.fr``,
``needs[1].aichiTargets[0]``, ``websites[0].url``, ``header.languages[2]``.
Indexes count from 0, as in the CHM's own answers.

Errors block a save, an import or a publication; warnings never do. What FocalPoint
does not know is a warning, because a real CHM document may hold it and FocalPoint
keeps it as it is: a property its form lacks (``Warning.UnknownProperty``), a term
of a real-thesaurus vocabulary that is not in the local copy yet
(``Warning.UnknownTerm``), a record type it has no form for (``Warning.NoForm``:
only the header is checked). An unknown term stays an error in FocalPoint's own
closed lists (:func:`is_closed_vocabulary`). :func:`validate` answers errors only
(many callers treat any item as a refusal); pass ``warnings=[]`` or call
:func:`check` to get the warnings too.
"""

from __future__ import annotations

import builtins
import datetime as dt
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from focalpoint.forms import model as m
from focalpoint.forms.model import Field, FormDefinition, load_form, schemas
from focalpoint.forms.vocabularies import vocabulary
from focalpoint.i18n import LANGUAGES

MANDATORY = "Error.Mandatory"
MANDATORY_ANY_OF = "Error.MandatoryAnyOf"
INVALID_VALUE = "Error.InvalidValue"
INVALID_PROPERTY = "Error.InvalidProperty"
UNSPECIFIED_LOCALE = "Error.UnspecifiedLocale"
UNEXPECTED_TERM = "Error.UnexpectedTerm"
INVALID_TYPE = "Error.InvalidType"
CODES = (MANDATORY, MANDATORY_ANY_OF, INVALID_VALUE, INVALID_PROPERTY, UNSPECIFIED_LOCALE,
         UNEXPECTED_TERM, INVALID_TYPE)

# warnings: reported, never a refusal
UNKNOWN_PROPERTY = "Warning.UnknownProperty"
UNKNOWN_TERM = "Warning.UnknownTerm"
NO_FORM = "Warning.NoForm"
WARNING_CODES = (UNKNOWN_PROPERTY, UNKNOWN_TERM, NO_FORM)


def is_closed_vocabulary(name: str) -> bool:
    """True for a list whose every term FocalPoint knows: its own lists (QA results, priorities,
    capacity levels ...), the CHM's string enums (contact and duration types) and the ISO and
    UN lists it generates: vocabularies that are no thesaurus domain of the CHM. An unknown
    term in one of these is an error; in a real-thesaurus vocabulary (even Aichi or GBF
    targets: real documents use component terms such as ``AICHI-TARGET-01-C2``) a warning."""
    return vocabulary(name).domain is None


IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9\-_]{11,128}$")
REFERENCE_RE = re.compile(r"^([A-Za-z0-9\-_]{11,128})(?:@([0-9]{1,9}))?$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^[0-9+()\-./ ]{3,40}(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
DECIMAL_RE = re.compile(r"^-?[0-9]{1,15}(?:\.[0-9]{1,4})?$")
PARTIAL_DATE_RE = re.compile(r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$")
URL_RE = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# an attachment stored by the CHM is linked by a path on its own server
CHM_PATH_RE = re.compile(r"^/api/v20[0-9]{2}/[^\s]+$")
MAX_URL = 2048
MAX_FILENAME = 255
HEADER_KEYS = frozenset({"identifier", "schema", "languages"})
LINK_KEYS = frozenset({"url", "name", "language", "tag", "tags"})
ATTACHMENT_KEYS = frozenset({"sha256", "filename", "size", "mimeType", "url"})
MONEY_KEYS = frozenset({"amount", "currency"})


@dataclass(frozen=True)
class ValidationError:
    """One problem in a document: the CHM's code, the property path, and details.

    ``params`` holds the details a message needs (``maxLength``, ``identifier``,
    ``reason`` …). ``schema`` lets :meth:`message` name the field by its label.
    """

    code: str
    property: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    schema: str | None = field(default=None, compare=False)

    @builtins.property  # the field ``property`` hides the builtin in this class
    def is_warning(self) -> bool:
        """True for a warning (``Warning.*``): reported, never a refusal."""
        return self.code.startswith("Warning.")

    def message(self, lang: str = "en") -> str:
        """A clear sentence in ``lang`` (one of the six UN languages) saying what is wrong."""
        from focalpoint.forms.messages import render_message

        return render_message(self, lang)

    def to_json(self) -> dict[str, Any]:
        """The CHM's wire shape: ``{"code", "property", "params"?}``."""
        out: dict[str, Any] = {"code": self.code, "property": self.property}
        if self.params:
            out["params"] = dict(self.params)
        return out


ReferenceExists = Callable[[str], bool]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            return all(not v.strip() for v in value.values())
        return not value
    return False


def _parse_date(value: str) -> dt.date | None:
    if not DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


class _Validator:
    __slots__ = ("errors", "languages", "reference_exists", "schema", "warnings")

    def __init__(self, schema: str | None, languages: tuple[str, ...],
                 reference_exists: ReferenceExists | None) -> None:
        self.errors: list[ValidationError] = []
        self.warnings: list[ValidationError] = []
        self.languages = languages
        self.reference_exists = reference_exists
        self.schema = schema

    def err(self, code: str, path: str, **params: Any) -> None:
        self.errors.append(ValidationError(code, path, params, self.schema))

    def warn(self, code: str, path: str, **params: Any) -> None:
        self.warnings.append(ValidationError(code, path, params, self.schema))

    def unknown_term(self, vocabulary_name: str, identifier: str, path: str) -> None:
        """An error in a closed vocabulary, a warning in a real-thesaurus one."""
        if is_closed_vocabulary(vocabulary_name):
            self.err(UNEXPECTED_TERM, path, vocabulary=vocabulary_name, identifier=identifier[:200])
        else:
            self.warn(UNKNOWN_TERM, path, vocabulary=vocabulary_name, identifier=identifier[:200])

    def known_object(self, value: Any, path: str, keys: Collection[str]) -> bool:
        """False (with an InvalidType error) unless ``value`` is an object; warns about each key
        not in ``keys``."""
        if not isinstance(value, dict):
            self.err(INVALID_TYPE, path, expected="object", found=_type_name(value))
            return False
        for key in value:
            if key not in keys:
                self.warn(UNKNOWN_PROPERTY, f"{path}.{key}")
        return True

    # ------------------------------------------------------------ containers

    def fields(self, obj: Mapping[str, Any], fields: tuple[Field, ...], prefix: str,
               any_of: tuple[tuple[str, ...], ...], date_order: tuple[tuple[str, str], ...],
               skip: frozenset[str] = frozenset()) -> None:
        known = {f.name: f for f in fields}
        for key in obj:
            if key not in known and key not in skip:
                self.warn(UNKNOWN_PROPERTY, prefix + str(key))
        for f in fields:
            value = obj.get(f.name)
            path = prefix + f.name
            if value is None or value == "" or value == [] or value == {}:
                if f.required:
                    self.err(MANDATORY, path)
                continue
            if f.required and not f.localized and isinstance(value, str) and not value.strip():
                self.err(MANDATORY, path)
                continue
            self.field(f, value, path)
        for group in any_of:
            if all(_empty(obj.get(n)) for n in group):
                self.err(MANDATORY_ANY_OF, prefix + group[0], anyOf=[prefix + n for n in group])
        for start, end in date_order:
            a, b = obj.get(start), obj.get(end)
            if isinstance(a, str) and isinstance(b, str):
                da, db = _parse_date(a), _parse_date(b)
                if da and db and db < da:
                    self.err(INVALID_VALUE, prefix + end, reason="endBeforeStart", start=prefix + start)

    def field(self, f: Field, value: Any, path: str) -> None:
        if f.repeat:
            if not isinstance(value, list):
                self.err(INVALID_TYPE, path, expected="array", found=_type_name(value))
                return
            if f.required and f.min_items and len(value) < f.min_items:
                self.err(MANDATORY, path, minItems=f.min_items)
            if len(value) > f.effective_max_items:
                self.err(INVALID_VALUE, path, reason="tooManyItems", maxItems=f.effective_max_items)
                return
            seen: set[str] = set()
            for i, item in enumerate(value):
                ipath = f"{path}[{i}]"
                if item is None:
                    self.err(INVALID_TYPE, ipath, expected=self._expected(f), found="null")
                    continue
                self.single(f, item, ipath)
                if f.kind in (m.TERM, m.ACTIVITY, m.REFERENCE) and isinstance(item, dict):
                    ident = item.get("identifier")
                    if isinstance(ident, str):
                        if ident in seen:
                            self.err(INVALID_VALUE, ipath, reason="duplicate", identifier=ident)
                        seen.add(ident)
                elif f.kind == m.CODE and isinstance(item, str):
                    if item in seen:
                        self.err(INVALID_VALUE, ipath, reason="duplicate", identifier=item)
                    seen.add(item)
        else:
            self.single(f, value, path)

    @staticmethod
    def _expected(f: Field) -> str:
        if f.kind in (m.TEXT, m.LONG_TEXT, m.DATE, m.CODE):
            return "string"
        if f.kind == m.NUMBER:
            return "number"
        if f.kind == m.BOOLEAN:
            return "boolean"
        return "object"

    # ------------------------------------------------------------ one value

    def single(self, f: Field, value: Any, path: str) -> None:
        kind = f.kind
        if kind in (m.TEXT, m.LONG_TEXT):
            self.text(f, value, path)
        elif kind in m.LOCALIZED_KINDS:
            self.ltext(f, value, path)
        elif kind == m.TERM or kind == m.ACTIVITY:
            self.term(f, value, path)
        elif kind == m.CODE:
            if not isinstance(value, str):
                self.err(INVALID_TYPE, path, expected="string", found=_type_name(value))
            elif not _in_vocabularies(f, value):
                self.unknown_term(f.vocabulary or "", value, path)
        elif kind == m.REFERENCE:
            self.reference(f, value, path)
        elif kind == m.DATE:
            if not isinstance(value, str):
                self.err(INVALID_TYPE, path, expected="string", found=_type_name(value))
            elif _parse_date(value) is None:
                self.err(INVALID_VALUE, path, reason="date", value=value[:40])
        elif kind == m.NUMBER:
            self.number(f, value, path)
        elif kind == m.BOOLEAN:
            if not isinstance(value, bool):
                self.err(INVALID_TYPE, path, expected="boolean", found=_type_name(value))
        elif kind == m.MONEY:
            self.money(f, value, path)
        elif kind == m.LINK:
            self.link(value, path)
        elif kind == m.ATTACHMENT:
            self.attachment(value, path)
        elif kind == m.GROUP:
            if not isinstance(value, dict):
                self.err(INVALID_TYPE, path, expected="object", found=_type_name(value))
            else:
                self.fields(value, f.fields, path + ".", f.mandatory_any_of, f.date_order)
                _rules(self, value, f.rules, path + ".")

    def text(self, f: Field, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.err(INVALID_TYPE, path, expected="string", found=_type_name(value))
            return
        limit = f.effective_max_length
        if limit is not None and len(value) > limit:
            self.err(INVALID_VALUE, path, reason="tooLong", maxLength=limit, length=len(value))
            return
        fmt = f.format
        if fmt and value.strip():
            stripped = value.strip()
            ok = {"email": EMAIL_RE, "phone": PHONE_RE, "decimal": DECIMAL_RE,
                  "url": URL_RE, "partialDate": PARTIAL_DATE_RE}[fmt].match(stripped)
            if not ok:
                self.err(INVALID_VALUE, path, reason=fmt, value=stripped[:200])

    def ltext(self, f: Field, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.err(INVALID_TYPE, path, expected="object", found=_type_name(value))
            return
        limit = f.effective_max_length
        declared = self.languages
        for lang, text in value.items():
            lpath = f"{path}.{lang}"
            if lang not in declared:
                self.err(UNSPECIFIED_LOCALE, lpath, language=str(lang)[:20])
                continue
            if not isinstance(text, str):
                self.err(INVALID_TYPE, lpath, expected="string", found=_type_name(text))
            elif limit is not None and len(text) > limit:
                self.err(INVALID_VALUE, lpath, reason="tooLong", maxLength=limit, length=len(text))
        if f.required:
            for lang in declared:
                text = value.get(lang)
                if not isinstance(text, str) or not text.strip():
                    if lang in value and text is not None and not isinstance(text, str):
                        continue  # already an InvalidType
                    self.err(MANDATORY, f"{path}.{lang}", language=lang)

    def term(self, f: Field, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.err(INVALID_TYPE, path, expected="object", found=_type_name(value))
            return
        ident = value.get("identifier")
        vocab = vocabulary(f.vocabulary or "")
        term = None
        if ident is None or ident == "":
            self.err(MANDATORY, path + ".identifier")
        elif not isinstance(ident, str):
            self.err(INVALID_TYPE, path + ".identifier", expected="string", found=_type_name(ident))
        else:
            term = vocab.term(ident)
            for other in f.also_vocabularies:
                if term is None:
                    term = vocabulary(other).term(ident)
            if term is None:
                self.unknown_term(vocab.name, ident, path)
        for key in value:
            if key == "identifier":
                continue
            if key == "customValue" and (term is None or term.custom):
                if term is not None:
                    self.ltext(_CUSTOM_VALUE, value[key], path + ".customValue")
                continue
            self.warn(UNKNOWN_PROPERTY, f"{path}.{key}")

    def reference(self, f: Field, value: Any, path: str) -> None:
        if not self.known_object(value, path, ("identifier",)):
            return
        ident = value.get("identifier")
        if ident is None or ident == "":
            self.err(MANDATORY, path + ".identifier")
            return
        if not isinstance(ident, str):
            self.err(INVALID_TYPE, path + ".identifier", expected="string", found=_type_name(ident))
            return
        match = REFERENCE_RE.match(ident)
        if not match:
            self.err(INVALID_VALUE, path + ".identifier", reason="identifier", value=ident[:200])
            return
        if f.require_revision and match.group(2) is None:
            self.err(INVALID_VALUE, path + ".identifier", reason="revisionRequired", value=ident)
            return
        if self.reference_exists is not None and not self.reference_exists(match.group(1)):
            self.err(INVALID_VALUE, path, reason="missingReference", identifier=match.group(1))

    def number(self, f: Field, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(INVALID_TYPE, path, expected="number", found=_type_name(value))
            return
        if isinstance(value, float) and not math.isfinite(value):
            self.err(INVALID_VALUE, path, reason="number")
            return
        if f.integer and not (isinstance(value, int) or float(value).is_integer()):
            self.err(INVALID_VALUE, path, reason="integer", value=value)
            return
        if f.min is not None and value < f.min:
            self.err(INVALID_VALUE, path, reason="tooSmall", min=f.min, value=value)
        elif f.max is not None and value > f.max:
            self.err(INVALID_VALUE, path, reason="tooLarge", max=f.max, value=value)

    def money(self, f: Field, value: Any, path: str) -> None:
        if not self.known_object(value, path, MONEY_KEYS):
            return
        amount, currency = value.get("amount"), value.get("currency")
        if amount is None:
            self.err(MANDATORY, path + ".amount")
        else:
            self.number(_AMOUNT if f.min is None and f.max is None else f, amount, path + ".amount")
        if currency is None or currency == "":
            self.err(MANDATORY, path + ".currency")
        elif not isinstance(currency, str):
            self.err(INVALID_TYPE, path + ".currency", expected="string", found=_type_name(currency))
        elif currency not in vocabulary("currencies"):
            self.err(UNEXPECTED_TERM, path + ".currency", vocabulary="currencies",
                     identifier=currency[:20])

    def link(self, value: Any, path: str) -> None:
        if not self.known_object(value, path, LINK_KEYS):
            return
        url = value.get("url")
        if url is None or url == "":
            self.err(MANDATORY, path + ".url")
        elif not isinstance(url, str):
            self.err(INVALID_TYPE, path + ".url", expected="string", found=_type_name(url))
        elif len(url) > MAX_URL or not (URL_RE.match(url) or CHM_PATH_RE.match(url)):
            self.err(INVALID_VALUE, path + ".url", reason="url", value=url[:200])
        for key in ("name", "tag"):
            text = value.get(key)
            if text is not None:
                if not isinstance(text, str):
                    self.err(INVALID_TYPE, f"{path}.{key}", expected="string", found=_type_name(text))
                elif len(text) > 1000:
                    self.err(INVALID_VALUE, f"{path}.{key}", reason="tooLong", maxLength=1000,
                             length=len(text))
        lang = value.get("language")
        if lang is not None and lang not in LANGUAGES:
            self.err(INVALID_VALUE, path + ".language", reason="language", value=str(lang)[:20])

    def attachment(self, value: Any, path: str) -> None:
        if not self.known_object(value, path, ATTACHMENT_KEYS):
            return
        sha, name, size = value.get("sha256"), value.get("filename"), value.get("size")
        if not sha:
            self.err(MANDATORY, path + ".sha256")
        elif not isinstance(sha, str) or not SHA256_RE.match(sha):
            self.err(INVALID_VALUE, path + ".sha256", reason="sha256")
        if not name:
            self.err(MANDATORY, path + ".filename")
        elif not isinstance(name, str):
            self.err(INVALID_TYPE, path + ".filename", expected="string", found=_type_name(name))
        elif len(name) > MAX_FILENAME or "/" in name or "\\" in name or "\x00" in name:
            self.err(INVALID_VALUE, path + ".filename", reason="filename")
        if size is None:
            self.err(MANDATORY, path + ".size")
        elif isinstance(size, bool) or not isinstance(size, int):
            self.err(INVALID_TYPE, path + ".size", expected="number", found=_type_name(size))
        elif size < 0:
            self.err(INVALID_VALUE, path + ".size", reason="tooSmall", min=0, value=size)
        for key in ("mimeType", "url"):
            text = value.get(key)
            if text is not None and (not isinstance(text, str) or len(text) > MAX_URL):
                self.err(INVALID_VALUE, f"{path}.{key}", reason="text")


_CUSTOM_VALUE = Field(name="customValue", kind=m.LOCALIZED_TEXT, label={"en": "Other"})
_AMOUNT = Field(name="amount", kind=m.NUMBER, label={"en": "Amount"}, min=0)


def _in_vocabularies(f: Field, identifier: str) -> bool:
    names = (f.vocabulary or "",) + f.also_vocabularies
    return any(identifier in vocabulary(name) for name in names)


def _condition_holds(cond: m.Condition, obj: Mapping[str, Any]) -> bool:
    """Whether ``cond`` holds for ``obj``; a condition on an absent value never holds."""
    value = obj.get(cond.field)
    if _empty(value):
        return False
    items = value if isinstance(value, list) else [value]
    found = [item.get("identifier") if isinstance(item, dict) else item for item in items]
    hit = any(x in cond.values for x in found if isinstance(x, (str, bool, int, float)))
    return hit if not cond.negate else not hit


def _rules(v: _Validator, obj: Mapping[str, Any], rules: tuple[m.Rule, ...], prefix: str) -> None:
    """Conditional and alternative requirements (``rules`` of a form definition)."""
    for rule in rules:
        if rule.when is not None and not _condition_holds(rule.when, obj):
            continue
        for name in rule.require:
            if _empty(obj.get(name)):
                v.err(MANDATORY, prefix + name)
        if rule.one_of:
            if any(all(not _empty(obj.get(n)) for n in group) for group in rule.one_of):
                continue
            started = [g for g in rule.one_of if any(not _empty(obj.get(n)) for n in g)]
            if started:
                for name in started[0]:
                    if _empty(obj.get(name)):
                        v.err(MANDATORY, prefix + name)
            else:
                v.err(MANDATORY_ANY_OF, prefix + rule.one_of[0][0],
                      anyOf=[prefix + g[0] for g in rule.one_of])


def _header(v: _Validator, header: Any) -> tuple[str | None, tuple[str, ...]]:
    """Check the header; answer the schema (None when unusable) and the declared languages."""
    if header is None:
        v.err(MANDATORY, "header")
        return None, ()
    if not isinstance(header, dict):
        v.err(INVALID_TYPE, "header", expected="object", found=_type_name(header))
        return None, ()
    for key in header:
        if key not in HEADER_KEYS:
            v.warn(UNKNOWN_PROPERTY, f"header.{key}")
    ident = header.get("identifier")
    if ident is None or ident == "":
        v.err(MANDATORY, "header.identifier")
    elif not isinstance(ident, str):
        v.err(INVALID_TYPE, "header.identifier", expected="string", found=_type_name(ident))
    elif not IDENTIFIER_RE.match(ident):
        v.err(INVALID_VALUE, "header.identifier", reason="identifier", value=ident[:200])
    schema = header.get("schema")
    known: str | None = None
    if schema is None or schema == "":
        v.err(MANDATORY, "header.schema")
    elif not isinstance(schema, str):
        v.err(INVALID_TYPE, "header.schema", expected="string", found=_type_name(schema))
    elif schema not in schemas():
        v.warn(NO_FORM, "header.schema", schema=schema[:100])
    else:
        known = schema
    langs = header.get("languages")
    declared: list[str] = []
    if langs is None or langs == []:
        v.err(MANDATORY, "header.languages")
    elif not isinstance(langs, list):
        v.err(INVALID_TYPE, "header.languages", expected="array", found=_type_name(langs))
    else:
        for i, lang in enumerate(langs):
            if not isinstance(lang, str):
                v.err(INVALID_TYPE, f"header.languages[{i}]", expected="string", found=_type_name(lang))
            elif lang not in LANGUAGES:
                v.err(INVALID_VALUE, f"header.languages[{i}]", reason="language", value=lang[:20])
            elif lang in declared:
                v.err(INVALID_VALUE, f"header.languages[{i}]", reason="duplicate", identifier=lang)
            else:
                declared.append(lang)
    return known, tuple(declared)


def _check(document: Any, reference_exists: ReferenceExists | None) -> _Validator:
    v = _Validator(None, (), reference_exists)
    if not isinstance(document, dict):
        v.err(INVALID_TYPE, "", expected="object", found=_type_name(document))
        return v
    schema, languages = _header(v, document.get("header"))
    if schema is None:
        return v  # no header, or a record type without a form: only the header is checked
    form: FormDefinition = load_form(schema)
    v.schema = schema
    v.languages = languages
    for e in v.errors + v.warnings:  # header problems found before the schema was known
        object.__setattr__(e, "schema", schema)
    v.fields(document, form.fields, "", form.mandatory_any_of, form.date_order,
             skip=frozenset({"header"}))
    _rules(v, document, form.rules, "")
    return v


def check(document: Any, *, reference_exists: ReferenceExists | None = None
          ) -> tuple[list[ValidationError], list[ValidationError]]:
    """``(errors, warnings)`` for a CHM-shaped document; no errors means it is valid.

    Errors use the CHM's codes (:data:`CODES`); warnings (:data:`WARNING_CODES`) say what
    FocalPoint does not know and keeps as it is. Any thread may call this.
    """
    v = _check(document, reference_exists)
    return v.errors, v.warnings


def validate(document: Any, *, reference_exists: ReferenceExists | None = None,
             warnings: list[ValidationError] | None = None) -> list[ValidationError]:
    """Check a CHM-shaped document; answer its blocking errors (an empty list means valid).

    ``reference_exists(identifier) -> bool``, when given, is asked about every
    record reference (the identifier without ``@revision``); a False answer gives
    ``Error.InvalidValue`` with ``params["reason"] == "missingReference"``.
    ``warnings``, when given, receives the warnings (never a refusal). Any thread may call this;
    ``reference_exists`` runs on the caller's thread, so one that reads the local database makes
    this a database-worker call.
    """
    v = _check(document, reference_exists)
    if warnings is not None:
        warnings.extend(v.warnings)
    return v.errors
