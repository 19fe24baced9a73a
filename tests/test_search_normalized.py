"""Search finds what people type: words in any order, Arabic with or without hamza, harakat and
tatweel, Latin and Cyrillic in any case and with or without accents, Chinese by any substring.

Real SQLite files (the store FocalPoint opens), no mocks. The last tests build a database the way
the previous release left it (schema 0006, index rows of raw text) and check that migration 0007
rewrites its index so the old records are found with the new rules.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from focalpoint.catalog import search_numbers
from focalpoint.db import make_engine, migrate, open_database
from focalpoint.paths import database_path
from focalpoint.records import RecordStore, document_text, fts_rowid, index_row, search_record_ids
from focalpoint.textsearch import normalize

CBI = "capacityBuildingInitiative"


def _save(store: RecordStore, lang: str, title: str, description: str | None = None) -> str:
    doc = {"header": {"schema": CBI, "languages": [lang]}, "title": {lang: title}}
    if description is not None:
        doc["description"] = {lang: description}
    return store.save(doc).identifier


@pytest.fixture
def records(catalog_db):
    store = RecordStore(catalog_db)
    ids = {
        "water_ar": _save(store, "ar", "إدارة الموارد المائية"),
        "level_ar": _save(store, "ar", "مستوى التنوع البيولوجي في جيبوتي"),
        "eco_en": _save(store, "en", "Ecosystem restoration in the Pacific", "Conservation of biodiversity"),
        "plan_en": _save(store, "en", "Biodiversity plan for Samoa"),
        "reef_fr": _save(store, "fr", "Suivi des récifs coralliens", "Straße der Korallen"),
        "mangrove_zh": _save(store, "zh", "老挝红树林恢复培训"),
        "diversity_zh": _save(store, "zh", "国家生物多样性战略"),
        "strategy_ru": _save(store, "ru", "Стратегия сохранения биоразнообразия", "Ёлки и ЕС"),
    }
    return catalog_db, ids


def _find(db, query: str) -> set[str]:
    with db.session() as s:
        return set(search_record_ids(s, query))


def test_words_are_found_in_any_order(records):
    db, ids = records
    assert _find(db, "ecosystem restoration") == {ids["eco_en"]}
    assert _find(db, "restoration ecosystem") == {ids["eco_en"]}
    assert _find(db, "  Pacific   ECOSYSTEM  ") == {ids["eco_en"]}
    assert _find(db, "restoration zebra") == set()  # every word must be there
    # words from the title and the description, which are different strings of the document
    assert _find(db, "biodiversity restoration") == {ids["eco_en"]}
    # a word shorter than a trigram with a longer one: "of" is in the first record only
    assert _find(db, "of biodiversity") == {ids["eco_en"]}
    assert _find(db, "biodiversity") == {ids["eco_en"], ids["plan_en"]}


def test_the_action_plan_finds_words_in_any_order_and_arabic_without_hamza(catalog_db):
    with catalog_db.session() as s:
        assert 1 in search_numbers(s, "communicate assess")  # "to assess and communicate their"
        assert 1 in search_numbers(s, "cooperation scientific technical")
        assert 1 in search_numbers(s, "احتياجاتها تقييم")  # Arabic, words swapped
        assert 1 in search_numbers(s, "الاطراف اليه تبادل")  # "الأطراف", "آلية" typed without hamza/madda, ة as ه
        assert 1 in search_numbers(s, "потребности ОЦЕНИВАТЬ")
        assert 1 in search_numbers(s, "echange evaluer")  # "d'échange", "d'évaluer"
        assert search_numbers(s, "communicate zebra") == []


@pytest.mark.parametrize("query", [
    "ادارة الموارد",  # إ typed as ا
    "اداره الموارد",  # ة typed as ه
    "الموارد اداره",  # and the words in the other order
    "المائيه",
    "إِدارة",  # with a kasra
    "إدَارَةُ المَوَارِد",  # fully vowelled
    "إدارـــة",  # tatweel
    "أدارة",  # the wrong hamza: still alef
])
def test_arabic_is_found_with_or_without_hamza_harakat_and_tatweel(records, query):
    db, ids = records
    assert _find(db, query) == {ids["water_ar"]}, query


def test_arabic_alef_maksura_reads_as_yeh(records):
    db, ids = records
    assert _find(db, "مستوي") == {ids["level_ar"]}
    assert _find(db, "مستوى البيولوجى") == {ids["level_ar"]}
    assert _find(db, "المياه") == set()  # folding does not make unrelated words match


def test_chinese_is_found_by_any_substring_and_several_words(records):
    db, ids = records
    assert _find(db, "红树") == {ids["mangrove_zh"]}  # two characters
    assert _find(db, "树林恢复") == {ids["mangrove_zh"]}  # four
    assert _find(db, "训") == {ids["mangrove_zh"]}  # the last character of the text
    assert _find(db, "培训 红树") == {ids["mangrove_zh"]}  # two two-character words, any order
    assert _find(db, "恢复 老挝红树林") == {ids["mangrove_zh"]}
    assert _find(db, "生物 战略") == {ids["diversity_zh"]}
    assert _find(db, "红树 战略") == set()
    assert _find(db, "火车") == set()
    with db.session() as s:
        found = search_numbers(s, "生物 能力")
        assert found
        for number in found:
            body = s.execute(text("SELECT body FROM catalog_fts WHERE number = :n"), {"n": number}).scalar_one()
            assert "生物" in body and "能力" in body


def test_latin_and_cyrillic_ignore_case_and_accents(records):
    db, ids = records
    assert _find(db, "RECIFS") == {ids["reef_fr"]}
    assert _find(db, "coralliens récifs") == {ids["reef_fr"]}
    assert _find(db, "strasse") == {ids["reef_fr"]}  # ß folds to ss
    assert _find(db, "СТРАТЕГИЯ") == {ids["strategy_ru"]}
    assert _find(db, "биоразнообразия стратегия") == {ids["strategy_ru"]}
    assert _find(db, "елки") == {ids["strategy_ru"]}  # ё as е
    assert _find(db, "ес") == {ids["strategy_ru"]}  # two Cyrillic letters, any case
    assert _find(db, "Ёлки ес") == {ids["strategy_ru"]}


def test_normalize():
    assert normalize("Récifs ÉCOSYSTÈME") == "recifs ecosysteme"
    assert normalize("إِدارـــة") == normalize("ادارة") == normalize("اداره") == "اداره"
    assert normalize("آلية") == normalize("ألية") == "اليه"
    assert normalize("مستوى") == "مستوي"
    assert normalize("Ёлка") == "елка"
    assert normalize("生物多样性") == "生物多样性"
    assert normalize("ＵＮＤＰ ٢٠٢٠") == "undp 2020"
    for sample in ("إِدارةُ الموارد", "Straße", "Ǆemal", "ﻻ", "한국어", "がぎ", "İstanbul"):
        once = normalize(sample)
        assert normalize(once) == once, sample


def test_edited_and_deleted_records_leave_the_index_in_step(records):
    db, ids = records
    store = RecordStore(db)
    view = store.get(ids["water_ar"])
    store.save({**view.document, "title": {"ar": "إدارة الغابات"}})
    assert _find(db, "الموارد") == set()
    assert _find(db, "الغابات اداره") == {ids["water_ar"]}
    store.delete(ids["mangrove_zh"], confirmed_twice=True)
    assert _find(db, "红树") == set()


# ------------------------------------------------------------------------------- migration 0007

OLD_DOCS = {
    "OLD-AR-0001": {"header": {"identifier": "OLD-AR-0001", "schema": CBI}, "title": {"ar": "إدارة الموارد المائية"}},
    "OLD-EN-0002": {"header": {"identifier": "OLD-EN-0002", "schema": CBI},
                    "title": {"en": "Ecosystem restoration", "fr": "Restauration des écosystèmes"}},
    "OLD-ZH-0003": {"header": {"identifier": "OLD-ZH-0003", "schema": CBI}, "title": {"zh": "老挝红树林恢复培训"}},
}


@pytest.fixture
def old_data_dir(data_dir):
    """A store at 0006 whose index rows were written by the previous release: raw text, one string
    a line, no sentinel; and a catalogue row of the same kind."""
    engine = make_engine(database_path(data_dir))
    migrate.upgrade(engine, "0006_no_null_conflicts")
    with engine.begin() as conn:
        for ident, doc in OLD_DOCS.items():
            conn.execute(text(
                "INSERT INTO records (identifier, schema, document, title, status, local_revision, sync_state,"
                " deleted, created_at, updated_at) VALUES (:i, :s, :d, '{}', 'draft', 1, 'local', 0,"
                " '2026-01-01', '2026-01-01')"), {"i": ident, "s": CBI, "d": json.dumps(doc, ensure_ascii=False)})
            conn.execute(text("INSERT INTO record_fts (rowid, identifier, body) VALUES (:r, :i, :b)"),
                         {"r": fts_rowid(ident), "i": ident, "b": "\n".join(document_text(doc))})
        conn.execute(text("INSERT INTO catalog_fts (number, body) VALUES (901, :b)"),
                     {"b": "901\nإدارة المناطق المحمية\nProtected areas management"})
    engine.dispose()
    return data_dir


def test_migration_rewrites_an_old_index_so_old_records_are_found_with_the_new_rules(old_data_dir):
    db = open_database(old_data_dir)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert _find(db, "ادارة الموارد") == {"OLD-AR-0001"}
        assert _find(db, "الموارد اداره") == {"OLD-AR-0001"}
        assert _find(db, "restoration ecosystem") == {"OLD-EN-0002"}
        assert _find(db, "ecosystemes restauration") == {"OLD-EN-0002"}
        assert _find(db, "培训") == {"OLD-ZH-0003"}  # the last two characters of the old body
        assert _find(db, "训 老挝") == {"OLD-ZH-0003"}
        with db.session() as s:
            assert search_numbers(s, "management protected") == [901]
            assert search_numbers(s, "المحميه اداره") == [901]
            # each row is what today's code writes for the same document
            for ident, doc in OLD_DOCS.items():
                body = s.execute(text("SELECT body FROM record_fts WHERE rowid = :r"),
                                 {"r": fts_rowid(ident)}).scalar_one()
                assert body == index_row(ident, doc)["b"]
        # an old record edited after the migration: one index row, the new text
        store = RecordStore(db)
        view = store.get("OLD-EN-0002")
        store.save({**view.document, "title": {"en": "Mangrove nursery"}})
        assert _find(db, "restoration") == set()
        assert _find(db, "nursery mangrove") == {"OLD-EN-0002"}
    finally:
        db.close()
    backups = list((old_data_dir / "backups").glob("*0006_no_null_conflicts*.sqlite3"))
    assert len(backups) == 1


def test_migrating_again_changes_nothing(old_data_dir):
    """A store put back to 0006 by hand (as tests of later migrations do) migrates again to the same index."""
    db = open_database(old_data_dir)
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT rowid, identifier, body FROM record_fts ORDER BY rowid")).all()
    db.close()
    engine = make_engine(database_path(old_data_dir))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0006_no_null_conflicts'"))
    engine.dispose()
    db = open_database(old_data_dir)
    try:
        with db.engine.connect() as conn:
            after = conn.execute(text("SELECT rowid, identifier, body FROM record_fts ORDER BY rowid")).all()
        assert after == before
        assert _find(db, "ادارة الموارد") == {"OLD-AR-0001"}
    finally:
        db.close()
