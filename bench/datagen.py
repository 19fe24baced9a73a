"""Realistic local data for benchmarks: CHM-shaped records in the six UN languages.

``generate_documents(n, seed)`` yields documents of the record types a focal point
keeps (needs assessments, initiatives, resources, contacts, organizations) with
titles and descriptions in one to three languages drawn from all six.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

PHRASES: dict[str, list[str]] = {
    "en": ["marine spatial planning", "protected area management", "invasive alien species",
           "national biodiversity strategy", "traditional knowledge", "genetic resources",
           "coral reef monitoring", "mangrove restoration", "biosafety laboratory", "capacity needs",
           "clearing-house mechanism", "taxonomy training", "ecosystem valuation", "youth engagement"],
    "fr": ["planification de l'espace marin", "gestion des aires protégées", "espèces exotiques envahissantes",
           "stratégie nationale pour la biodiversité", "connaissances traditionnelles", "ressources génétiques",
           "suivi des récifs coralliens", "restauration des mangroves", "mécanisme d'échange d'informations",
           "formation en taxonomie", "évaluation des écosystèmes", "développement des capacités"],
    "es": ["planificación espacial marina", "gestión de áreas protegidas", "especies exóticas invasoras",
           "estrategia nacional de biodiversidad", "conocimientos tradicionales", "recursos genéticos",
           "monitoreo de arrecifes de coral", "restauración de manglares", "mecanismo de facilitación",
           "formación en taxonomía", "creación de capacidad", "valoración de ecosistemas"],
    "ru": ["морское пространственное планирование", "управление охраняемыми районами",
           "инвазивные чужеродные виды", "национальная стратегия сохранения биоразнообразия",
           "традиционные знания", "генетические ресурсы", "мониторинг коралловых рифов",
           "механизм посредничества", "наращивание потенциала", "подготовка таксономистов"],
    "ar": ["التخطيط المكاني البحري", "إدارة المناطق المحمية", "الأنواع الغريبة الغازية",
           "الاستراتيجية الوطنية للتنوع البيولوجي", "المعارف التقليدية", "الموارد الجينية",
           "رصد الشعاب المرجانية", "استعادة أشجار المانغروف", "آلية تبادل المعلومات", "بناء القدرات"],
    "zh": ["海洋空间规划", "保护区管理", "外来入侵物种", "国家生物多样性战略", "传统知识", "遗传资源",
           "珊瑚礁监测", "红树林恢复", "信息交换所机制", "能力建设", "生态系统估值", "生物安全实验室"],
}
LANGS = list(PHRASES)
GOVERNMENTS = ["ws", "dj", "ht", "kg", "la", "fj", "to", "vu", "km", "mv", "sc", "cv"]
SCHEMAS = [("capacityNeedsAssessment", 0.3), ("capacityBuildingInitiative", 0.25),
           ("capacityBuildingResource", 0.2), ("contact", 0.15), ("organization", 0.1)]


def _text(rng: random.Random, lang: str, words: int) -> str:
    parts = [rng.choice(PHRASES[lang]) for _ in range(words)]
    sep = "" if lang == "zh" else (" ، " if lang == "ar" else ", ")
    return sep.join(parts)


def _localized(rng: random.Random, langs: list[str], words: int) -> dict[str, str]:
    return {lang: _text(rng, lang, words) for lang in langs}


def generate_document(rng: random.Random) -> dict[str, Any]:
    schema = rng.choices([s for s, _ in SCHEMAS], weights=[w for _, w in SCHEMAS])[0]
    langs = rng.sample(LANGS, rng.choice([1, 1, 2, 3]))
    gov = rng.choice(GOVERNMENTS)
    doc: dict[str, Any] = {
        "header": {"identifier": str(uuid.UUID(int=rng.getrandbits(128))).upper(), "schema": schema,
                   "languages": langs},
        "government": {"identifier": gov},
    }
    targets = [{"identifier": f"AICHI-TARGET-{n:02d}"} for n in rng.sample(range(1, 21), rng.randint(1, 4))]
    if schema == "contact":
        doc.update(firstName=rng.choice(["Ana", "Sione", "Aigerim", "Souksavanh", "Mahamoud", "Marie"]),
                   lastName=rng.choice(["Tuilagi", "Fale", "Abdyldaeva", "Phommachanh", "Ali", "Joseph"]),
                   emails=[f"user{rng.randint(1, 99999)}@example.org"], country={"identifier": gov})
    elif schema == "organization":
        doc.update(name=_localized(rng, langs, 2), city=rng.choice(["Apia", "Djibouti", "Bishkek", "Vientiane"]),
                   country={"identifier": gov}, emails=[f"info{rng.randint(1, 999)}@example.org"])
    else:
        doc.update(title=_localized(rng, langs, 3), description=_localized(rng, langs, 25),
                   aichiTargets=targets)
        if schema == "capacityNeedsAssessment":
            doc["needs"] = [{"gap": _localized(rng, langs, 12), "aichiTargets": targets,
                             "activities": [{"identifier": f"CBD-CB-ACTION-PLAN-2017-{rng.randint(1, 110)}"}]}
                            for _ in range(rng.randint(1, 5))]
    return doc


def generate_documents(n: int, seed: int = 13) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for _ in range(n):
        yield generate_document(rng)


def populate(db, n: int = 10_000, seed: int = 13) -> None:
    """Fill a store with ``n`` records fast (one transaction, no outbox: as if pulled)."""
    from focalpoint.models import Record, utcnow
    from focalpoint.records import document_title, government_of, index_row, write_index_rows

    now = utcnow()
    with db.session() as session:
        for i, doc in enumerate(generate_documents(n, seed)):
            ident = doc["header"]["identifier"]
            session.add(Record(identifier=ident, schema=doc["header"]["schema"], government=government_of(doc),
                               document=doc, title=document_title(doc), status="published",
                               local_revision=1, server_revision=1, base_document=doc,
                               sync_state="synced", deleted=False, created_at=now, updated_at=now))
            write_index_rows(session, index_row(ident, doc))
            if i % 1000 == 999:
                session.flush()
