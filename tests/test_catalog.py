"""The action plan in the store: loading, refresh on change, search in every script, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from focalpoint.catalog import (
    Filters,
    action_plan_dir,
    activity_detail,
    counts,
    ensure_catalog,
    list_activities,
    search_numbers,
)
from focalpoint.cli import run
from focalpoint.records import RecordStore, search_record_ids


def test_catalogue_loads_once_and_refreshes_when_data_changes(db, tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(action_plan_dir(), folder)
    assert ensure_catalog(db, folder) is True
    assert ensure_catalog(db, folder) is False  # unchanged data: nothing to do
    with db.session() as s:
        assert counts(s)["activities"] == 110
        assert counts(s)["paragraphs"] == 16
    # the shipped data changes (a new release): the store follows
    plan = json.loads((folder / "action_plan.json").read_text(encoding="utf-8"))
    plan["activities"][0]["text"]["zh"] = "已更改的活动文本"
    (folder / "action_plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    assert ensure_catalog(db, folder) is True
    with db.session() as s:
        assert activity_detail(s, 1)["text"]["zh"] == "已更改的活动文本"


def test_search_finds_chinese_substrings_of_any_length(catalog_db):
    with catalog_db.session() as s:
        # two characters (shorter than a trigram), three, and a longer phrase
        for query in ("能力", "信息交换", "生物桥倡议"):
            found = search_numbers(s, query)
            assert found, query
            for number in found[:5]:
                detail = activity_detail(s, number)
                blob = json.dumps(detail, ensure_ascii=False)
                assert query in blob, (query, number)
        assert search_numbers(s, "不存在的词语组合") == []


def test_search_by_partner_abbreviation_and_number(catalog_db):
    with catalog_db.session() as s:
        assert 7 in search_numbers(s, "UNDP")
        assert search_numbers(s, "undp") == search_numbers(s, "UNDP")  # case folded
        assert search_numbers(s, "42")[0] == 42


def test_filters(catalog_db):
    with catalog_db.session() as s:
        every = list_activities(s)
        assert [a.number for a in every] == list(range(1, 111))
        by_section = {code: list_activities(s, Filters(section=code)) for code in "ABCD"}
        assert sum(len(v) for v in by_section.values()) == 110
        assert all(a.section == "A" for a in by_section["A"])
        prio = list_activities(s, Filters(priority=True))
        assert prio and all(a.priority for a in prio) and len(prio) < 110
        sec = list_activities(s, Filters(secretariat=True))
        assert sec and all(a.secretariat for a in sec)
        undp = list_activities(s, Filters(partner="UNDP"))
        assert 7 in [a.number for a in undp]
        combined = list_activities(s, Filters(section="A", priority=True))
        assert {a.number for a in combined} == {a.number for a in by_section["A"] if a.priority}
        y2017 = list_activities(s, Filters(year=2017))
        assert y2017 and len(y2017) < 110


def test_records_searchable_in_arabic_latin_and_chinese(catalog_db):
    store = RecordStore(catalog_db)
    ar = store.save({"header": {"schema": "capacityBuildingInitiative", "languages": ["ar"]},
                     "title": {"ar": "التخطيط المكاني البحري في جيبوتي"}})
    en = store.save({"header": {"schema": "capacityBuildingInitiative", "languages": ["en", "fr"]},
                     "title": {"en": "Mangrove restoration training", "fr": "Restauration des mangroves"}})
    zh = store.save({"header": {"schema": "capacityBuildingInitiative", "languages": ["zh"]},
                     "title": {"zh": "老挝红树林恢复培训"}})
    with catalog_db.session() as s:
        assert search_record_ids(s, "المكاني") == [ar.identifier]
        assert search_record_ids(s, "MANGROVE") == [en.identifier]
        assert search_record_ids(s, "restauration") == [en.identifier]
        assert search_record_ids(s, "红树") == [zh.identifier]  # two characters
        assert search_record_ids(s, "红树林恢复") == [zh.identifier]


def test_cli_export_shape(data_dir, capsys):
    assert run(["--data-dir", str(data_dir), "catalog", "export", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"activities", "paragraphs", "glossary"}
    assert len(data["activities"]) == 110
    keys = {"number", "section", "aichi_targets", "priority", "secretariat", "text", "decisions",
            "timeframe", "outputs", "indicators", "partners"}
    for act in data["activities"]:
        assert keys <= set(act)
        assert isinstance(act["text"], dict) and act["text"]["zh"]
        assert all(isinstance(n, int) for n in act["aichi_targets"])
        assert isinstance(act["outputs"], list) and isinstance(act["indicators"], list)
        assert isinstance(act["partners"], list)
    assert "zh" in data["languages"]["official"]


def test_cli_search_and_version_as_a_real_process(data_dir):
    env_args = [sys.executable, "-m", "focalpoint", "--data-dir", str(data_dir)]
    out = subprocess.run(env_args + ["--lang", "zh", "catalog", "search", "信息交换所"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0].split("\t")
    assert first[0].isdigit() and "信息交换所" in out.stdout
    none = subprocess.run(env_args + ["catalog", "search", "zzzzqqqq"], capture_output=True, text=True,
                          timeout=120)
    assert none.returncode == 1 and "zzzzqqqq" in none.stderr
    version = subprocess.run([sys.executable, "-m", "focalpoint", "--version"], capture_output=True,
                             text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("FocalPoint ")
    helptext = subprocess.run([sys.executable, "-m", "focalpoint", "--help"], capture_output=True,
                              text=True, timeout=60)
    assert helptext.returncode == 0 and "catalog" in helptext.stdout


def _complete_overlay(lang: str, marker: str) -> dict:
    """An overlay filled mechanically from the official data (enough to exercise the importer)."""
    plan = json.loads((action_plan_dir() / "action_plan.json").read_text(encoding="utf-8"))
    tag = lambda zh: f"{marker} {zh}"  # noqa: E731
    return {
        "language": lang, "official": False,
        "sections": {s["code"]: tag(s["title"]["zh"]) for s in plan["sections"]},
        "target_groups": {str(g["id"]): tag(g["title"]["zh"]) for g in plan["target_groups"]},
        "activities": {str(a["number"]): {
            "text": tag(a["text"]["zh"]), "decisions": tag(a["decisions"]["zh"]),
            "timeframe": tag(a["timeframe"]["zh"]),
            "outputs": [tag(o["zh"]) for o in a["outputs"]],
            "indicators": [tag(o["zh"]) for o in a["indicators"]],
            "partners": [tag(p["text"]["zh"]) for p in a["partners"]],
            "footnotes": {str(f["number"]): tag(f["text"]["zh"] or "") for f in a["footnotes"]}}
            for a in plan["activities"]},
        "paragraphs": {str(p["number"]): {"text": tag(p["text"]["zh"]),
                                          "items": {i["label"]: tag(i["text"]["zh"]) for i in p["items"]}}
                       for p in plan["paragraphs"]},
        "glossary": {g["abbreviation"]: tag(g["name"]["zh"]) for g in plan["glossary"]},
    }


def test_official_text_replaces_a_translation(data_dir, tmp_path, capsys):
    source = tmp_path / "ru-official.json"
    source.write_text(json.dumps(_complete_overlay("ru", "ОФИЦ"), ensure_ascii=False), encoding="utf-8")
    assert run(["--data-dir", str(data_dir), "catalog", "import-translation", str(source), "--official"]) == 0
    capsys.readouterr()
    assert run(["--data-dir", str(data_dir), "catalog", "export"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "ru" in data["languages"]["official"]
    assert data["activities"][0]["text"]["ru"].startswith("ОФИЦ ")
    assert run(["--data-dir", str(data_dir), "catalog", "search", "ОФИЦ"]) == 0


def test_incomplete_translation_is_refused_and_nothing_changes(data_dir, tmp_path, capsys):
    overlay = _complete_overlay("fr", "X")
    del overlay["activities"]["57"]
    source = tmp_path / "fr.json"
    source.write_text(json.dumps(overlay, ensure_ascii=False), encoding="utf-8")
    assert run(["--data-dir", str(data_dir), "catalog", "import-translation", str(source)]) == 2
    err = capsys.readouterr().err
    assert "activity 57" in err
    assert not (data_dir / "action_plan" / "translations" / "fr.json").exists()


def test_search_finds_an_activity_by_a_word_from_each_shipped_language(catalog_db):
    """Each shipped translation is searchable; the activity found is the one whose text has the word."""
    import focalpoint.catalog as catalog

    plan = catalog.load_plan()
    with catalog_db.session() as s:
        for lang in ["zh", *plan["translated_languages"]]:
            text = plan["activities"][71]["text"][lang]  # activity 72
            word = max(text.replace("，", " ").replace(",", " ").split(), key=len)[:12]
            assert 72 in search_numbers(s, word), (lang, word)


def test_detail_marks_translations_as_unofficial(catalog_db):
    with catalog_db.session() as s:
        detail = activity_detail(s, 7)
        assert detail["official_languages"] == ["zh"]
        assert detail["text"]["en"] and detail["text"]["zh"]
