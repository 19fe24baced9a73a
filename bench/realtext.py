"""Benchmark documents written with real CBD text in the six UN languages.

The sentences come from texts FocalPoint ships, each in Arabic, Chinese, English, French, Russian
and Spanish: the activities of the capacity-building action plan (``resources/action_plan``: the
Chinese original and its five translations; each activity's text, expected outputs and
indicators) and the names of the thesaurus terms in ``resources/vocabularies``. The organisations
are the action plan's glossary entries (real names, in six languages). A record is written as a
national focal point writes one: a term's name as its title, a few sentences of one activity per
field, in every language the same sentences, naming the same few organisations and contacts of
its government again and again.

Beside the uniform-word documents of ``bench_sync.realistic_document`` these carry the
repetition of real records (the same sentences, names and terms across records), so the ratio
they give says what a general compressor does with real text. The pool is finite (about 110
activities of 7 sentences, 300 term names), so at 10,000 records each sentence comes back far more
often than in one government's real records: see ``pool`` for its size.

The shipped zstd dictionary was trained on other text (``bench/datagen.py``'s phrases, the test
fixtures, the form templates), none of it taken from these sources.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("ar", "en", "es", "fr", "ru", "zh")
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
VOCABULARIES = ("cbdSubjects", "gbfTargets", "aichiTargets", "absSubjects", "cbiThematicAreas", "targetGroups",
                "organizationTypes", "resourceTypes", "deliveryModes", "assistanceTypes")
FIRST_NAMES = ("Ana", "Sione", "Aigerim", "Souksavanh", "Mahamoud", "Marie", "Tevita", "Leilani", "Ioane", "Ruta")
LAST_NAMES = ("Tuilagi", "Fale", "Abdyldaeva", "Phommachanh", "Ali", "Joseph", "Leota", "Schmidt", "Aumua", "Vaai")

Localized = dict[str, str]


@cache
def _plan() -> dict[str, Any]:
    """The action plan's activities and glossary with every language merged in."""
    plan = json.loads((RESOURCES / "action_plan" / "action_plan.json").read_text(encoding="utf-8"))
    translations = {lang: json.loads((RESOURCES / "action_plan" / "translations" / f"{lang}.json")
                                     .read_text(encoding="utf-8")) for lang in LANGS if lang != "zh"}
    return {"plan": plan, "translations": translations}


@cache
def pool() -> dict[str, Any]:
    """The sentences and names the documents are made of, each in all six languages:
    ``activities`` (number, text, outputs, indicators), ``terms`` (vocabulary identifier and name)
    and ``organisations`` (glossary names)."""
    data = _plan()
    plan, translations = data["plan"], data["translations"]

    def six(zh: str | None, pick) -> Localized | None:  # noqa: ANN001
        out = {"zh": zh} if zh else {}
        for lang, t in translations.items():
            value = pick(t)
            if not value:
                return None
            out[lang] = value
        return out if len(out) == len(LANGS) else None

    activities = []
    for activity in plan["activities"]:
        key = str(activity["number"])

        def field(t: dict[str, Any], name: str, i: int | None = None, key: str = key) -> str | None:
            found = t["activities"].get(key, {}).get(name)
            if i is None:
                return found if isinstance(found, str) else None
            return found[i] if isinstance(found, list) and i < len(found) else None

        text = six(activity["text"].get("zh"), lambda t: field(t, "text"))
        outputs = [six(o.get("zh"), lambda t, i=i: field(t, "outputs", i)) for i, o in enumerate(activity["outputs"])]
        indicators = [six(o.get("zh"), lambda t, i=i: field(t, "indicators", i))
                      for i, o in enumerate(activity["indicators"])]
        if text is None:
            continue
        activities.append({"number": activity["number"], "text": text,
                           "outputs": [o for o in outputs if o], "indicators": [o for o in indicators if o]})
    terms = []
    for name in VOCABULARIES:
        vocabulary = json.loads((RESOURCES / "vocabularies" / f"{name}.json").read_text(encoding="utf-8"))
        for term in vocabulary["terms"]:
            label = term.get("label") or {}
            if all(label.get(lang) for lang in LANGS):
                terms.append({"vocabulary": name, "identifier": term["identifier"],
                              "name": {lang: label[lang] for lang in LANGS}})
    organisations = []
    for entry in plan["glossary"]:
        name = six(entry["name"].get("zh"), lambda t, a=entry["abbreviation"]: t["glossary"].get(a))
        if name:
            organisations.append({"abbreviation": entry["abbreviation"], "name": name})
    sentences = len(activities) + sum(len(a["outputs"]) + len(a["indicators"]) for a in activities)
    return {"activities": activities, "terms": terms, "organisations": organisations,
            "sizes": {"activities": len(activities), "sentences": sentences, "terms": len(terms),
                      "organisations": len(organisations)}}


@cache
def government(code: str) -> dict[str, Any]:
    """A government's own few organisations (identifier, glossary name) and contacts, the same in
    every record it writes."""
    rng = random.Random(f"government:{code}")
    source = pool()
    organisations = [{"identifier": str(uuid.UUID(int=rng.getrandbits(128))).upper(), "name": o["name"]}
                     for o in rng.sample(source["organisations"], 3)]
    contacts = []
    for first, last in zip(rng.sample(FIRST_NAMES, 4), rng.sample(LAST_NAMES, 4), strict=True):
        contacts.append({"identifier": str(uuid.UUID(int=rng.getrandbits(128))).upper(),
                         "name": f"{first} {last}", "email": f"{first}.{last}@environment.gov.{code}".lower()})
    return {"organisations": organisations, "contacts": contacts}


def _sentence(text: str, lang: str) -> str:
    end = "。" if lang == "zh" else "."
    return text if text.endswith((".", "。", "؟", "?")) else text + end


def _sentences(parts: list[Localized]) -> Localized:
    return {lang: ("" if lang == "zh" else " ").join(_sentence(p[lang], lang) for p in parts) for lang in LANGS}


def _named(text: Localized, organisations: list[dict[str, Any]]) -> Localized:
    """The text followed by the organisations' names, as a record names its partners."""
    names = {lang: ("、" if lang == "zh" else "; ").join(o["name"][lang] for o in organisations) for lang in LANGS}
    return {lang: f"{text[lang]} ({names[lang]})" for lang in LANGS}


def real_text_document(rng: random.Random, identifier: str, code: str) -> dict[str, Any]:
    """A capacity needs assessment of the government ``code`` in six languages, its fields real CBD
    sentences (see the module docstring), shaped by the form like ``bench_sync.realistic_document``."""
    from focalpoint.forms.templates import template

    source, own = pool(), government(code)
    activities, terms = source["activities"], source["terms"]
    doc = template("capacityNeedsAssessment", languages=LANGS)
    doc["header"]["identifier"] = identifier
    doc["government"] = {"identifier": code}
    lead = rng.choice(own["organisations"])
    partners = rng.sample(own["organisations"], rng.randint(1, 2))
    doc["responsibleOrganization"] = {"identifier": lead["identifier"]}
    doc["contacts"] = [{"identifier": c["identifier"]} for c in rng.sample(own["contacts"], rng.randint(1, 2))]
    main = rng.choice(activities)
    doc["title"] = copy.deepcopy(rng.choice(terms)["name"])
    summary = [main["text"], *rng.sample(main["outputs"], min(len(main["outputs"]), rng.randint(1, 3)))]
    doc["summary"] = _named(_sentences(summary), [lead])
    method = rng.sample(main["indicators"], min(len(main["indicators"]), rng.randint(1, 3)))
    contact = rng.choice(own["contacts"])
    doc["methodology"] = {lang: f"{text} {contact['name']} <{contact['email']}>"
                          for lang, text in _named(_sentences(method), partners).items()}
    year = rng.randint(2018, 2026)
    doc["startDate"], doc["endDate"] = f"{year}-0{rng.randint(1, 9)}-01", f"{year + 2}-12-31"
    base_need = doc["needs"][0]
    needs = []
    for _ in range(rng.randint(1, 3)):
        activity = rng.choice(activities)
        need = copy.deepcopy(base_need)
        term = rng.choice(terms)
        need["title"] = copy.deepcopy(term["name"])
        gap = [activity["text"], *rng.sample(activity["outputs"], min(len(activity["outputs"]), rng.randint(0, 2)))]
        need["gap"] = _sentences(gap)
        need["actionPlanActivities"] = [{"identifier": f"CBD-CB-ACTION-PLAN-2017-{activity['number']}"}]
        need["aichiTargets"] = [{"identifier": f"AICHI-TARGET-{rng.randint(1, 20):02d}"}]
        need["estimatedCost"] = {"amount": rng.randint(5, 500) * 1000, "currency": "USD"}
        needs.append(need)
    doc["needs"] = needs
    return doc
