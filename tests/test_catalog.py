"""The action plan in the store: loading, refresh on change, search in every script, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from focalpoint.catalog import (Filters, action_plan_dir, activity_detail, counts, ensure_catalog,
                                list_activities, search_numbers)
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
    out = subprocess.run(env_args + ["catalog", "search", "信息交换所"], capture_output=True, text=True,
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
