"""Controlled vocabularies: the terms a choice field may hold.

Most vocabularies are files ``resources/vocabularies/<name>.json``::

    {"name": "assistanceTypes",
     "label": {"ar": "…", "en": "Types of assistance", …},
     "terms": [{"identifier": "ASSISTANCE-TRAINING", "label": {…six languages…},
                "help": {…optional…}, "custom": false}]}

``custom: true`` marks an "other" term: a document may then add
``"customValue": {"en": "…"}`` next to its identifier.

Three vocabularies are generated rather than written by hand:

* ``countries``: ISO 3166-1 alpha-2 codes in lower case, as the CHM writes them
  (``{"identifier": "ws"}``), named from babel's CLDR data;
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
from types import MappingProxyType

from focalpoint.forms.model import FormDefinitionError, LabelMap, _labels
from focalpoint.i18n import LANGUAGES
from focalpoint.resources import resource_path

ACTION_PLAN_PREFIX = "CBD-CB-ACTION-PLAN-2017-"
ACTION_PLAN_SIZE = 110
ACTIVITY_RE = re.compile(r"^CBD-CB-ACTION-PLAN-2017-([1-9][0-9]{0,2})$")

# Codes in CLDR's territory list that are not ISO 3166-1 countries or territories.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ",
                            "AC", "CP", "CQ", "DG", "EA", "IC", "TA"})


@dataclass(frozen=True, eq=False)
class Term:
    """One entry of a vocabulary: a stable identifier and its name in six languages."""

    identifier: str
    label: LabelMap
    help: LabelMap = field(default_factory=lambda: MappingProxyType({}))
    custom: bool = False


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A named, ordered list of terms."""

    name: str
    label: LabelMap
    terms: tuple[Term, ...]
    _index: Mapping[str, Term] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({t.identifier: t for t in self.terms}))

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._index

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def term(self, identifier: str) -> Term | None:
        return self._index.get(identifier)

    def identifiers(self) -> tuple[str, ...]:
        return tuple(t.identifier for t in self.terms)


_lock = threading.Lock()
_cache: dict[str, Vocabulary] = {}


def _six(fn) -> dict[str, str]:
    return {lang: fn(lang) for lang in LANGUAGES}


def _countries() -> Vocabulary:
    from babel import Locale

    locales = {lang: Locale.parse(lang) for lang in LANGUAGES}
    codes = sorted(c for c in locales["en"].territories
                   if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)
    terms = tuple(Term(identifier=c.lower(),
                       label=MappingProxyType({lang: loc.territories.get(c, c)
                                               for lang, loc in locales.items()}))
                  for c in codes)
    label = {"ar": "البلدان", "en": "Countries", "es": "Países", "fr": "Pays",
             "ru": "Страны", "zh": "国家"}
    return Vocabulary("countries", MappingProxyType(label), terms)


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


def vocabularies_dir():
    return resource_path("vocabularies")


def vocabulary_names() -> tuple[str, ...]:
    """Every vocabulary FocalPoint ships (files and generated ones)."""
    files = {p.stem for p in vocabularies_dir().glob("*.json")}
    return tuple(sorted(files | set(GENERATED)))


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
                          help=_labels(t.get("help"), where), custom=bool(t.get("custom", False))))
    ids = [t.identifier for t in terms]
    if len(set(ids)) != len(ids):
        raise FormDefinitionError(f"{path}: duplicate term identifiers")
    return Vocabulary(name, _labels(raw.get("label"), name), tuple(terms))


def vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``name``; raises KeyError when there is none."""
    with _lock:
        cached = _cache.get(name)
    if cached is not None:
        return cached
    vocab = GENERATED[name]() if name in GENERATED else _load_file(name)
    with _lock:
        _cache[name] = vocab
    return vocab


def clear_cache() -> None:
    with _lock:
        _cache.clear()
