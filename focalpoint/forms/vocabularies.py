"""Controlled vocabularies: the terms a choice field may hold.

Most vocabularies are files ``resources/vocabularies/<name>.json``::

    {"name": "assistanceTypes",
     "label": {"ar": "…", "en": "Types of assistance", …},
     "terms": [{"identifier": "ASSISTANCE-TRAINING", "label": {…six languages…},
                "help": {…optional…}, "custom": false}]}

``custom: true`` marks an "other" term: a document may then add
``"customValue": {"en": "…"}`` next to its identifier.

A vocabulary that is a CHM thesaurus domain names it (``"domain": "<GUID or name>"``,
fetched from ``GET /api/v2013/thesaurus/domains/{domain}/terms``); its terms carry the
CHM's own identifiers. A term marked ``"focalpointOnly": true`` is an old FocalPoint code
with no known CHM counterpart yet; a vocabulary marked ``"focalpointOnly": true`` belongs
to FocalPoint's own record types. ``legacy-codes.json`` (not a vocabulary) maps the old
codes to real terms: see :mod:`focalpoint.forms.legacy_terms`.

Terms refreshed from the server (:mod:`focalpoint.sync.thesaurus`) are laid over the shipped
ones with :func:`install_server_terms`: their labels win, new terms are appended.
A term the client does not know is shown by its identifier (:func:`term_label`).

Three vocabularies are generated rather than written by hand:

* ``countries``: ISO 3166-1 alpha-2 codes in lower case, as the CHM writes them
  (``{"identifier": "ws"}``), named from babel's CLDR data, plus ``eu`` (the European
  Union, a Party the CHM's ``countries`` domain lists);
* ``currencies``: ISO 4217 codes named from babel's CLDR data;
* ``actionPlanActivities``: the 110 activities of the short-term action plan
  (2017–2020) annexed to decision XIII/23, ``CBD-CB-ACTION-PLAN-2017-<number>``;
* ``languages``: the six UN languages, each named in the six languages.

Any thread may call these functions; vocabularies are cached and immutable.
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

from focalpoint.forms.legacy_terms import LEGACY_CODES_FILE, has_legacy_terms, upgrade_terms  # noqa: F401 (re-exported)
from focalpoint.forms.model import FormDefinitionError, LabelMap, _labels
from focalpoint.i18n import LANGUAGES, localize
from focalpoint.resources import resource_path

#: the CHM's shared "Other" term, used with a ``customValue`` (thesaurus/absch__thesaurus-service.js)
OTHER_TERM = "5B6177DD-5E5E-434E-8CB7-D63D67D5EBED"

ACTION_PLAN_PREFIX = "CBD-CB-ACTION-PLAN-2017-"
ACTION_PLAN_SIZE = 110
ACTIVITY_RE = re.compile(r"^CBD-CB-ACTION-PLAN-2017-([1-9][0-9]{0,2})$")

# Codes in CLDR's territory list that are not ISO 3166-1 countries or territories
# (EU is kept: the CHM's countries domain has ``eu``).
_NOT_COUNTRIES = frozenset({"EZ", "UN", "QO", "XA", "XB", "XK", "ZZ",
                            "AC", "CP", "CQ", "DG", "EA", "IC", "TA"})


@dataclass(frozen=True, eq=False)
class Term:
    """One entry of a vocabulary: a stable identifier and its name in six languages."""

    identifier: str
    label: LabelMap
    help: LabelMap = field(default_factory=lambda: MappingProxyType({}))
    custom: bool = False
    #: an old FocalPoint code with no known CHM counterpart (kept until the real one is known)
    focalpoint_only: bool = False
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A named, ordered list of terms."""

    name: str
    label: LabelMap
    terms: tuple[Term, ...]
    _index: Mapping[str, Term] = field(default_factory=dict, repr=False)
    #: the CHM thesaurus domain (GUID or name) this vocabulary mirrors; None for FocalPoint's own
    domain: str | None = None
    #: a vocabulary of FocalPoint's own record types, not a CHM domain
    focalpoint_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({t.identifier: t for t in self.terms}))

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._index

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def term(self, identifier: str) -> Term | None:
        """The term with this identifier, None when the vocabulary lacks it."""
        return self._index.get(identifier)

    def identifiers(self) -> tuple[str, ...]:
        """Every term's identifier, in the vocabulary's order."""
        return tuple(t.identifier for t in self.terms)

    def label_of(self, identifier: str, lang: str | None = None) -> str:
        """The term's name in ``lang``; the identifier itself when the term is unknown or unnamed."""
        term = self.term(identifier)
        if term is None:
            return identifier
        return localize(term.label, lang) or identifier


_lock = threading.Lock()
_cache: dict[str, Vocabulary] = {}


def _countries() -> Vocabulary:
    from babel import Locale

    locales = {lang: Locale.parse(lang) for lang in LANGUAGES}
    codes = sorted(c for c in locales["en"].territories
                   if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)
    terms = tuple(Term(identifier=c.lower(),
                       label=MappingProxyType({lang: loc.territories.get(c, c)
                                               for lang, loc in locales.items()}))
                  for c in codes)
    label = {"ar": "البلدان", "en": "Countries", "es": "Países", "fr": "Pays",
             "ru": "Страны", "zh": "国家"}
    return Vocabulary("countries", MappingProxyType(label), terms, domain="countries")


def _currencies() -> Vocabulary:
    from babel import Locale
    from babel.numbers import list_currencies

    locales = {lang: Locale.parse(lang) for lang in LANGUAGES}
    codes = sorted(c for c in list_currencies() if len(c) == 3 and c.isalpha() and c.isupper())
    terms = tuple(Term(identifier=c,
                       label=MappingProxyType({lang: loc.currencies.get(c, c)
                                               for lang, loc in locales.items()}))
                  for c in codes)
    label = {"ar": "العملات", "en": "Currencies", "es": "Monedas", "fr": "Monnaies",
             "ru": "Валюты", "zh": "货币"}
    return Vocabulary("currencies", MappingProxyType(label), terms)


_ACTIVITY_LABEL = {"ar": "النشاط {n}", "en": "Activity {n}", "es": "Actividad {n}",
                   "fr": "Activité {n}", "ru": "Мероприятие {n}", "zh": "活动 {n}"}


def activity_identifier(number: int) -> str:
    """The identifier of action-plan activity ``number`` (1–110)."""
    if not 1 <= number <= ACTION_PLAN_SIZE:
        raise ValueError(f"action-plan activities are numbered 1 to {ACTION_PLAN_SIZE}")
    return f"{ACTION_PLAN_PREFIX}{number}"


def activity_number(identifier: str) -> int | None:
    """The activity number in ``CBD-CB-ACTION-PLAN-2017-<n>``, None when it is not one."""
    match = ACTIVITY_RE.match(identifier) if isinstance(identifier, str) else None
    if not match:
        return None
    n = int(match.group(1))
    return n if 1 <= n <= ACTION_PLAN_SIZE else None


def _activities() -> Vocabulary:
    terms = tuple(Term(identifier=activity_identifier(n),
                       label=MappingProxyType({k: v.format(n=n) for k, v in _ACTIVITY_LABEL.items()}))
                  for n in range(1, ACTION_PLAN_SIZE + 1))
    label = {
        "ar": "أنشطة خطة العمل قصيرة الأجل لبناء القدرات (المقرر 13/23)",
        "en": "Activities of the short-term action plan on capacity-building (decision XIII/23)",
        "es": "Actividades del plan de acción a corto plazo para la creación de capacidad (decisión XIII/23)",
        "fr": "Activités du plan d'action à court terme pour le renforcement des capacités (décision XIII/23)",
        "ru": "Мероприятия краткосрочного плана действий по созданию потенциала (решение XIII/23)",
        "zh": "能力建设短期行动计划的活动（第XIII/23号决定）",
    }
    return Vocabulary("actionPlanActivities", MappingProxyType(label), terms)


def _languages() -> Vocabulary:
    from babel import Locale

    locales = {lang: Locale.parse(lang) for lang in LANGUAGES}
    terms = tuple(Term(identifier=code,
                       label=MappingProxyType({lang: loc.languages.get(code, code)
                                               for lang, loc in locales.items()}))
                  for code in LANGUAGES)
    label = {"ar": "لغات الأمم المتحدة", "en": "UN languages", "es": "Idiomas de las Naciones Unidas",
             "fr": "Langues des Nations Unies", "ru": "Языки Организации Объединенных Наций",
             "zh": "联合国语文"}
    return Vocabulary("languages", MappingProxyType(label), terms)


GENERATED = {"countries": _countries, "currencies": _currencies,
             "actionPlanActivities": _activities, "languages": _languages}


def vocabularies_dir() -> Path:
    """The folder of the shipped vocabularies. Any thread."""
    return resource_path("vocabularies")


def vocabulary_names() -> tuple[str, ...]:
    """Every vocabulary FocalPoint ships (files and generated ones)."""
    files = {p.stem for p in vocabularies_dir().glob("*.json") if p.name != LEGACY_CODES_FILE}
    return tuple(sorted(files | set(GENERATED)))


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FormDefinitionError(f"{where}: broader/narrower terms must be a list of identifiers")
    return tuple(value)


def _load_file(name: str) -> Vocabulary:
    path = vocabularies_dir() / f"{name}.json"
    if not path.exists():
        raise KeyError(name)
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    if not isinstance(raw, dict) or raw.get("name") != name:
        raise FormDefinitionError(f"{path}: the file must be an object named {name!r}")
    terms = []
    for i, t in enumerate(raw.get("terms", ())):
        where = f"{name}.terms[{i}]"
        if not isinstance(t, dict) or not isinstance(t.get("identifier"), str):
            raise FormDefinitionError(f"{where}: a term needs an identifier")
        terms.append(Term(identifier=t["identifier"], label=_labels(t.get("label"), where),
                          help=_labels(t.get("help"), where), custom=bool(t.get("custom", False)),
                          focalpoint_only=bool(t.get("focalpointOnly", False)),
                          broader=_strings(t.get("broaderTerms"), where),
                          narrower=_strings(t.get("narrowerTerms"), where)))
    ids = [t.identifier for t in terms]
    if len(set(ids)) != len(ids):
        raise FormDefinitionError(f"{path}: duplicate term identifiers")
    domain = raw.get("domain")
    if domain is not None and not isinstance(domain, str):
        raise FormDefinitionError(f"{path}: the domain must be a string or null")
    return Vocabulary(name, _labels(raw.get("label"), name), tuple(terms), domain=domain,
                      focalpoint_only=bool(raw.get("focalpointOnly", False)))


_shipped: dict[str, Vocabulary] = {}
#: terms from the server per vocabulary name, in the CHM's shape (identifier, title, …)
_server_terms: dict[str, tuple[dict[str, Any], ...]] = {}
_generation = 0


def shipped_vocabulary(name: str) -> Vocabulary:
    """The vocabulary as FocalPoint ships it, without terms from the server."""
    with _lock:
        cached = _shipped.get(name)
    if cached is not None:
        return cached
    vocab = GENERATED[name]() if name in GENERATED else _load_file(name)
    with _lock:
        _shipped[name] = vocab
    return vocab


def _server_label(raw: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("title", "shortTitle"):  # a short title, when there is one, fits a choice list better
        value = raw.get(key)
        if isinstance(value, dict):
            out.update({k: v.strip() for k, v in value.items()
                        if k in LANGUAGES and isinstance(v, str) and v.strip()})
    if not out and isinstance(raw.get("name"), str) and raw["name"].strip():
        out["en"] = raw["name"].strip()
    return out


def _identifiers(value: Any) -> tuple[str, ...]:
    return tuple(x for x in value if isinstance(x, str)) if isinstance(value, list) else ()


def _merge(shipped: Vocabulary, server: tuple[dict[str, Any], ...]) -> Vocabulary:
    """Shipped terms with the server's labels laid over them, then the server's new terms."""
    by_id = {t["identifier"]: t for t in server if isinstance(t.get("identifier"), str)}
    terms: list[Term] = []
    for term in shipped.terms:
        raw = by_id.pop(term.identifier, None)
        if raw is None:
            terms.append(term)
            continue
        label = {**term.label, **_server_label(raw)}
        terms.append(Term(identifier=term.identifier, label=MappingProxyType(label), help=term.help,
                          custom=term.custom, focalpoint_only=False,
                          broader=_identifiers(raw.get("broaderTerms")) or term.broader,
                          narrower=_identifiers(raw.get("narrowerTerms")) or term.narrower))
    custom_ids = {t.identifier for t in shipped.terms if t.custom} | {OTHER_TERM}
    for ident, raw in by_id.items():
        terms.append(Term(identifier=ident, label=MappingProxyType(_server_label(raw)),
                          custom=ident in custom_ids,
                          broader=_identifiers(raw.get("broaderTerms")),
                          narrower=_identifiers(raw.get("narrowerTerms"))))
    return Vocabulary(shipped.name, shipped.label, tuple(terms), domain=shipped.domain,
                      focalpoint_only=shipped.focalpoint_only)


def vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``name`` (shipped terms plus those refreshed from the server).

    Raises KeyError when there is none.
    """
    with _lock:
        cached = _cache.get(name)
        server = _server_terms.get(name)
    if cached is not None:
        return cached
    vocab = shipped_vocabulary(name)
    if server:
        vocab = _merge(vocab, server)
    with _lock:
        _cache[name] = vocab
    return vocab


def term_label(name: str, identifier: str, lang: str | None = None) -> str:
    """The name of term ``identifier`` of vocabulary ``name`` in ``lang``.

    A term the client does not know (or a vocabulary that does not exist) is shown by its
    identifier, never as an empty string.
    """
    try:
        return vocabulary(name).label_of(identifier, lang)
    except KeyError:
        return identifier


def vocabulary_for_domain(domain: str) -> str | None:
    """The name of the shipped vocabulary that mirrors CHM domain ``domain``, if any."""
    for name in vocabulary_names():
        if shipped_vocabulary(name).domain == domain:
            return name
    return None


def chm_domains() -> dict[str, str]:
    """Vocabulary name → CHM domain, for every vocabulary that mirrors a CHM domain."""
    out = {}
    for name in vocabulary_names():
        domain = shipped_vocabulary(name).domain
        if domain:
            out[name] = domain
    return out


def install_server_terms(name: str, terms: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> None:
    """Lay terms fetched from the server (the CHM's term objects) over vocabulary ``name``."""
    global _generation
    new = tuple(t for t in terms if isinstance(t, dict))
    with _lock:
        if _server_terms.get(name) == new:
            return  # the same terms again: caches stay valid
        _server_terms[name] = new
        _cache.pop(name, None)
        _generation += 1


def clear_server_terms() -> None:
    """Forget every term from the server (back to the shipped vocabularies)."""
    global _generation
    with _lock:
        _server_terms.clear()
        _cache.clear()
        _generation += 1


def generation() -> int:
    """A number that changes whenever server terms are installed: caches of choices compare it."""
    with _lock:
        return _generation


def clear_cache() -> None:
    """Forget loaded vocabularies (shipped and merged), so the next look-up reads the files again;
    server terms are kept. Any thread (guarded by the module's lock)."""
    with _lock:
        _cache.clear()
        _shipped.clear()

