"""Tests for tools/gen_action_plan.py: the parse of CBD decision XIII/23 (Chinese) and the committed JSON.

Every expectation below was read off the seed by hand (line numbers refer to the seed file), so a
parser regression or a drifting committed JSON makes a test fail.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "gen_action_plan.py"
COMMITTED = ROOT / "resources" / "action_plan" / "action_plan.json"
# Located exactly like the script's default: <parent of the repo>/shared/seeds/<name>.
SEED = Path(SCRIPT).resolve().parents[2] / "shared/seeds/000_b87ff8371c23ef7f.txt"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_action_plan", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses needs the module registered
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def data() -> dict:
    if not SEED.is_file():
        pytest.skip(f"seed file not present: {SEED} (the parser can only be checked against it)")
    return gen.parse(SEED)


@pytest.fixture(scope="module")
def acts(data) -> dict[int, dict]:
    return {a["number"]: a for a in data["activities"]}


def _zh(items) -> list[str]:
    return [i["zh"] for i in items]


def _partners(activity) -> list[str]:
    return [p["text"]["zh"] for p in activity["partners"]]


def test_script_default_seed_is_the_one_the_tests_use():
    assert gen.DEFAULT_SEED == SEED


def test_exactly_110_activities_numbered_in_order(data):
    assert [a["number"] for a in data["activities"]] == list(range(1, 111))


def test_activities_per_section(data):
    counts: dict[str, int] = {}
    for a in data["activities"]:
        counts[a["section"]] = counts.get(a["section"], 0) + 1
    # A: 1-9, B: 10-88, C: 89-96, D: 97-110 (section headings at seed lines 151, 185, 379, 406)
    assert counts == {"A": 9, "B": 79, "C": 8, "D": 14}
    assert [s["code"] for s in data["sections"]] == ["A", "B", "C", "D"]
    assert data["sections"][0]["title"]["zh"] == "将由秘书处执行和协调的跨领域能力建设支助活动、工具和服务"
    assert data["sections"][3]["title"]["zh"] == "为执行《卡塔赫纳生物安全议定书》开展的能力建设活动"
    assert data["sections"][2]["title"]["zh"].endswith("（包括爱知生物多样性指标 16）")


@pytest.mark.parametrize(("flag", "marked", "unmarked", "total", "marked_text"), [
    # "*" right after the number, sometimes followed by a space ("18. * 组织…", "52. * 举办…")
    pytest.param("priority", (1, 12, 18, 19, 52, 53, 80, 89, 96, 106), (13, 14, 15, 20, 26, 74, 88, 107, 108, 110),
                 71, lambda zh: zh.startswith("*"), id="priority"),
    # (S) at the end of the text, also when it sits in the page-break continuation (9, 17, 52, 76, 81)
    pytest.param("secretariat", (1, 3, 9, 17, 52, 53, 69, 76, 81, 83), (12, 18, 25, 38, 73, 80, 89, 97, 106, 110),
                 35, lambda zh: "(S)" in zh, id="secretariat"),
])
def test_flags_are_read_and_their_marks_left_out_of_the_text(acts, flag, marked, unmarked, total, marked_text):
    for n in marked:
        assert acts[n][flag] is True, n
    for n in unmarked:
        assert acts[n][flag] is False, n
    assert sum(a[flag] for a in acts.values()) == total
    assert not any(marked_text(a["text"]["zh"]) for a in acts.values())


def test_a_secretariat_mark_in_the_page_break_continuation_is_left_out(acts):
    assert acts[17]["text"]["zh"] == "制定工具包以指导将生物多样性和生态系统服务纳入公共城市基础设施发展"


def test_aichi_target_groups(data, acts):
    groups = data["target_groups"]
    assert [g["id"] for g in groups] == list(range(1, 22))
    assert all(g["section"] == "B" for g in groups)
    by_id = {g["id"]: g for g in groups}
    assert by_id[1]["title"]["zh"] == "爱知生物多样性指标 1" and by_id[1]["targets"] == [1]
    assert by_id[5]["targets"] == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 14, 15, 18, 20]
    assert by_id[6]["title"]["zh"] == "爱知生物多样性指标 5、14 和 15 (间接指标 7、11、12 和 13)"
    assert by_id[6]["targets"] == [5, 7, 11, 12, 13, 14, 15]
    assert by_id[9]["targets"] == [7, 8, 13, 14, 15]
    assert by_id[14]["title"]["zh"] == "爱知生物多样性指标 14、 8" and by_id[14]["targets"] == [8, 14]
    assert by_id[17]["targets"] == [16, 18]
    assert by_id[21]["title"]["zh"] == "跨领域活动 (所有爱知生物多样性指标) –性别主流化"
    assert by_id[21]["targets"] == list(range(1, 21))
    # activity ranges under each heading, read off the seed
    ranges = {1: (10, 15), 2: (16, 20), 3: (21, 22), 4: (23, 26), 5: (27, 29), 6: (30, 35),
              7: (36, 37), 8: (38, 44), 9: (45, 46), 10: (47, 50), 11: (51, 52), 12: (53, 56),
              13: (57, 58), 14: (59, 59), 15: (60, 62), 16: (63, 67), 17: (68, 71), 18: (72, 74),
              19: (75, 78), 20: (79, 80), 21: (81, 88)}
    expected = {n: None for n in range(1, 111)}
    for gid, (lo, hi) in ranges.items():
        for n in range(lo, hi + 1):
            expected[n] = gid
    assert {n: a["target_group"] for n, a in acts.items()} == expected
    for a in acts.values():
        assert a["aichi_targets"] == (by_id[a["target_group"]]["targets"] if a["target_group"] else [])
    assert acts[26]["aichi_targets"] == [4]  # under "指标 4", before the "4 和其他" heading
    assert acts[59]["aichi_targets"] == [8, 14]
    assert acts[9]["aichi_targets"] == [] and acts[89]["target_group"] is None


def test_no_empty_field_the_source_fills(acts):
    for n, a in acts.items():
        assert a["text"]["zh"], n
        assert a["timeframe"]["zh"], n
        assert a["outputs"] and all(o["zh"] for o in a["outputs"]), n
        assert a["indicators"] and all(i["zh"] for i in a["indicators"]), n
        assert isinstance(a["timeframe_start"], int) and isinstance(a["timeframe_end"], int), n
        assert 2017 <= a["timeframe_start"] <= a["timeframe_end"] <= 2020, n
        if n != 26:
            assert a["decisions"]["zh"], n
        if n not in (94, 110):
            assert a["partners"] and all(p["text"]["zh"] for p in a["partners"]), n
    # the rows that really have an empty cell (seed lines 231, 399, 432)
    assert acts[26]["decisions"] == {"zh": ""}
    assert acts[94]["partners"] == [] and acts[110]["partners"] == []


def test_timeframes(acts):
    assert (acts[6]["timeframe_start"], acts[6]["timeframe_end"]) == (2018, 2020)
    assert (acts[10]["timeframe_start"], acts[10]["timeframe_end"]) == (2017, 2018)
    assert (acts[96]["timeframe_start"], acts[96]["timeframe_end"]) == (2019, 2020)
    assert acts[89]["timeframe"]["zh"] == "2017-2020 年期间持续进行"
    assert acts[33]["timeframe"]["zh"] == "2017-2020 年"   # "2017-" | page break | "2020 年"
    assert acts[75]["timeframe"]["zh"] == "2017- 2018 年"  # as written in the source


def test_rows_split_by_page_breaks_are_joined(acts):
    assert acts[9]["text"]["zh"].endswith("能力建设以及和技术科学合作活动受益人（校友）制定和维持后续支持机制，"
                                          "以促进缔约方从业人员的同行学习和经验分享")
    assert acts[9]["decisions"]["zh"] == "XII/2 B、XI/2、和 XIII/23, 第 15(f)段"
    assert acts[11]["text"]["zh"] == "在宣传、教育和提高公众意识以及联合国生物多样性性十年框架内组织关于信息传播的讲习班"
    assert acts[13]["decisions"]["zh"].endswith("IX/32, 第 10 段、XII/2 C, 第 3 段、NP-1/9")
    assert acts[33]["decisions"]["zh"] == "XII/19, 第 5 段、XII/1, 第 13、18 和 20 (c) 段; XI/16, 第 2 段"
    assert _partners(acts[33]) == ["GPFLR", "CPF 成员"]
    assert acts[52]["text"]["zh"].endswith("并确定具有重要生物意义的湿地和红树林")
    assert _zh(acts[89]["indicators"])[-1] == "在获取和惠益分享信息交换所为非商业目的发布的国际公认并经过认证的遵规和核查公报的数目"
    assert acts[103]["decisions"]["zh"] == "BS-VII/10, 第 5 (d) 段; CP-VIII/16, 第 10(b) 段"
    assert _partners(acts[103]) == ["EU-JRC", "各区域的参考实验室"]
    # page breaks that fall between two list items give two items
    assert _zh(acts[9]["indicators"]) == ["积极参加校友支持网络和同行交流的人员（校友）数量趋势", "不同主题领域的活跃实践社区数量"]
    assert _zh(acts[103]["outputs"]) == ["缔约方参加培训并能够进行改性活生物体的取样、检测和识别；", "协助缔约方履行《卡塔赫纳议定书》第 17 条的规定"]
    # ...and page breaks inside a word do not
    assert _zh(acts[25]["outputs"])[-1] == "生物多样性问题更好地反映在采购政策和其他商业惯例中"


def test_list_items(acts):
    assert len(acts[1]["outputs"]) == 3 and len(acts[1]["indicators"]) == 3  # <p> items
    assert len(acts[89]["outputs"]) == 6 and len(acts[89]["indicators"]) == 7
    assert _zh(acts[5]["outputs"])[2] == "缔约方、其他国家政府和其他潜在的捐助方和倡议、共同资助技术和科学合作项目"  # double spaces
    assert len(acts[12]["indicators"]) == 5  # single spaces between CJK
    assert _zh(acts[50]["indicators"]) == ["小岛屿发展中国家提交的关于外来入侵物种的全球环境基金项目数量；",
                                           "从全球环境基金和其他来源调动用于外来入侵物种管理的资金数额；", "调动的技术资源"]
    # rows with PDF line-wrap spaces: not split at every space, wrap spaces kept
    assert _zh(acts[73]["outputs"]) == ["组织“生物多样性知识展览会/展览会”",
                                        "缔约方通过合作伙伴、大学和相 关利益攸关方提供最前沿的生物 多样性科学和知识",
                                        "缔约方对技术和科学问题、挑战 和机会的理解得到加强"]
    assert _zh(acts[75]["outputs"]) == ["通过信息交换所机制提供了关于 资源调动的最新实用指导文件"]
    assert len(acts[76]["indicators"]) == 3
    assert len(acts[96]["outputs"]) == 2
    # " - " inside an item is not a separator
    assert _zh(acts[57]["outputs"])[0] == "将生物多样性 - 健康关系纳入的国家能力得到增强"


def test_partners_and_glossary_links(acts):
    p1 = acts[1]["partners"]
    assert [(p["text"]["zh"], p["glossary"]) for p in p1] == [
        ("BBI", ["BBI"]), ("IPBES", ["IPBES"]), ("UNDP/ BES-Net", ["UNDP", "BES-Net"]),
        ("NBSAP 论坛 (UNDP、UNEP-WCMC)", ["NBSAP", "UNDP", "UNEP-WCMC"]), ("CTCN", ["CTCN"])]
    assert _partners(acts[17]) == ["SCBD", "ICLEI", "城市", "其他国家以下一级政府", "GPLSAB"]
    assert "生物多样性和社区健康倡议 (BaCH)" in _partners(acts[57])
    assert "全球企业和生物多样性伙伴关系" in _partners(acts[23])
    assert _partners(acts[9]) == ["IDLO", "BBI 伙伴", "UNDP", "UNEP", "相关组织"]
    glossary = {p["text"]["zh"]: p["glossary"] for a in acts.values() for p in a["partners"]}
    assert glossary["UNCCD/GM"] == ["UNCCD/GM"]
    assert glossary["UNEP-WCMC"] == ["UNEP-WCMC"]
    assert glossary["UNDP-BIOFIN 等"] == ["UNDP", "BIOFIN"]
    assert glossary["亚马逊 FAS/SDSN"] == ["FAS/SDSN"]
    assert glossary["WCS HEAL"] == ["WCS", "HEAL"]
    assert glossary["CSP"] == [] and glossary["CLEI"] == []  # no substring / fuzzy matches
    assert glossary["IUCN-CEC"] == ["IUCN-CEC"] and glossary["EU-JRC"] == ["EU-JRC"]


def test_activity_footnotes(data, acts):
    assert [f["number"] for f in acts[38]["footnotes"]] == [19, 20, 21]
    assert acts[38]["footnotes"][1]["text"]["zh"] == "迄今已为西非、东/西/东南亚、南美洲、东非和南太平洋举办了区域讲习班。"
    assert acts[89]["footnotes"] == [{"number": 25, "text": {"zh": "遵守《名古屋议定书》的能力。"}}]
    assert [f["number"] for f in acts[30]["footnotes"]] == [17, 18]
    assert [f["number"] for f in acts[17]["footnotes"]] == [15]  # marker in the continuation row
    assert acts[6]["footnotes"][0]["number"] == 11
    assert acts[1]["footnotes"] == [] and acts[110]["footnotes"] == []
    assert all(f["text"] and f["text"]["zh"] for a in acts.values() for f in a["footnotes"])
    assert acts[89]["outputs"][5]["zh"] == "非商业科研机构 and 行为体的能力加强"
    all_notes = {f["number"]: f for f in data["footnotes"]}
    assert sorted(all_notes) == list(range(1, 27))
    assert all_notes[6]["text"] is None and all_notes[6]["referenced_from"] == ["paragraph 11"]
    assert all_notes[8]["text"]["zh"] == "秘书处可发挥作用的活动标有“(S)”。"
    assert all_notes[19]["text"]["zh"].startswith("见 www.cbd.int/soi，")


def test_operative_paragraphs(data):
    paragraphs = data["paragraphs"]
    assert [p["number"] for p in paragraphs] == list(range(1, 17))
    items = {p["number"]: [i["label"] for i in p["items"]] for p in paragraphs}
    assert items[5] == list("abcdefghijk")
    assert items[15] == list("abcdefghijklmn")
    assert all(not items[n] for n in items if n not in (5, 15))
    p = {q["number"]: q for q in paragraphs}
    assert p[5]["items"][3]["text"]["zh"].endswith("能够获得专门技能和接触新的科学与技术创新；")  # split by a page break
    assert p[13]["text"]["zh"].startswith("回顾第 IX/30 号决定第 2(a)段")
    assert p[11]["text"]["zh"] == "注意到执行秘书为《公约》及其《议定书》编制的网络战略以及第 XIII/22 号决定通过的传播战略框架；"
    assert p[16]["text"]["zh"].endswith("促进协同增效。")
    assert data["preamble"][0]["zh"] == "缔约方大会，"


def test_glossary(data):
    glossary = data["glossary"]
    assert len(glossary) == 95
    by = {g["abbreviation"]: g for g in glossary}
    assert by["UNDP"] == {"abbreviation": "UNDP", "name": {"zh": "联合国开发计划署"}, "address": "http://www.undp.org"}
    assert by["ABS-I"]["address"] == "www.abs-initiative.info"
    assert by["SCBD"]["name"]["zh"] == "生物多样性公约秘书处" and by["SCBD"]["address"] == "www.cbd.int"
    assert by["BIOFIN"]["address"] == ("http://www.undp.org/content/undp/en/home/ourwork/environmentandenergy/"
                                       "projects_and_initiatives/biodiversity-finance-initiative/")
    assert by["EU"]["address"] == "http://europa.eu/index_en.htm"
    assert by["IWBN"]["address"] is None and by["NBSAP"]["name"]["zh"] == "国家生物多样性战略和行动计划"
    assert by["GEO BON"]["name"]["zh"] == "地球观测组织生物多样性观测网络"
    assert by["GYBN"]["name"]["zh"] == "全球青年生物多样性网络"
    assert by["WG8J"]["name"]["zh"].startswith("生物多样性公约第 8(j)条")
    assert glossary[0]["abbreviation"] == "ABS-I" and glossary[-1]["abbreviation"] == "WWF"


def test_source_metadata(data):
    assert data["source"] == {"file": SEED.name, "sha256": hashlib.sha256(SEED.read_bytes()).hexdigest(),
                              "language": "zh", "decision": "XIII/23", "date": "2016-12-16"}
    assert data["official_languages"] == ["zh"]


def test_notes_record_source_typos(data, acts):
    assert any("生物多样性性十年" in n for n in acts[11]["notes"])
    assert any("卡特赫纳" in n for n in acts[48]["notes"])
    assert any("CLEI" in n for n in acts[26]["notes"])
    assert any("忆及球环境基金" in n for n in data["notes"])
    assert acts[1]["notes"] == []
    assert all(isinstance(n, str) for a in acts.values() for n in a["notes"])


def _strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, path + (i,))
    elif isinstance(node, str):
        yield path, node


def test_no_markup_or_header_leftovers(data):
    for path, text in _strings(data):
        for bad in ("<sup", "</sup>", "<p>", "</p>", "<b>", "</b>", "\t", "**", "\\_"):
            assert bad not in text, (path, text)
        if path[0] != "table_columns":
            assert not text.startswith("活动"), (path, text)
            assert "预期产出/成果" not in text and "负责机构/伙伴" not in text, (path, text)
        assert text == text.strip(), (path, text)


# Activities whose rows are split by a page break (their joined cells are not verbatim substrings).
JOINED_ROWS = {9, 11, 13, 17, 21, 25, 29, 33, 37, 39, 45, 49, 52, 56, 59, 62, 66, 69, 76, 81, 85, 89, 93,
               96, 98, 103}


def test_texts_come_verbatim_from_the_source(acts):
    seed = re.sub(r"\s*<sup>\d+</sup>", "", SEED.read_text(encoding="utf-8"))
    for n, a in acts.items():
        if n in JOINED_ROWS:
            continue
        pieces = [a["text"]["zh"], a["decisions"]["zh"], a["timeframe"]["zh"]]
        pieces += _zh(a["outputs"]) + _zh(a["indicators"]) + _partners(a)
        for piece in pieces:
            assert piece in seed, (n, piece)


def test_committed_json_is_what_the_parser_produces(data):
    assert COMMITTED.is_file(), "run tools/gen_action_plan.py"
    assert COMMITTED.read_bytes() == gen.render(data).encode("utf-8"), (
        "resources/action_plan/action_plan.json is stale: re-run tools/gen_action_plan.py")
    assert gen.render(gen.parse(SEED)) == gen.render(data)  # deterministic


def test_cli_check_mode(tmp_path, data):
    out = tmp_path / "plan.json"
    assert gen.main([str(SEED), "--output", str(out), "--check"]) == 1  # missing file is stale
    assert gen.main([str(SEED), "--output", str(out)]) == 0
    assert gen.main([str(SEED), "--output", str(out), "--check"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["activities"][109]["number"] == 110
