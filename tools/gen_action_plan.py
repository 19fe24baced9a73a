#!/usr/bin/env python3
"""Generate ``resources/action_plan/action_plan.json`` from the Chinese text of CBD decision XIII/23.

Usage::

    .venv/bin/python tools/gen_action_plan.py [SEED] [--output PATH] [--check]

``SEED`` defaults to ``<parent of the repo>/shared/seeds/000_b87ff8371c23ef7f.txt`` (the repo refers
to it as ``../shared/seeds/000_b87ff8371c23ef7f.txt``).  ``--check`` exits with status 1 instead of
writing when the committed JSON differs from what the parser produces now.  Importable:
``parse(seed_path) -> dict`` and ``render(data) -> str`` are pure functions (no Qt, no globals
mutated), safe to call from any thread.

The seed is a Markdown-ish text conversion of the PDF.  What the parser does with it:

* **Operative paragraphs 1-16** (lines ``N. ...``) with sub-items ``(a) ...``.  Lines that are
  neither a paragraph, an item, a footnote definition nor a ``---`` page separator continue the
  previous paragraph/item (paragraph 5(d) is split by a page break).  The preamble (everything
  between "缔约方大会，" and paragraph 1) is kept in the extra key ``preamble``.
* **Annex table.**  Every tab-separated line is a row of six cells (activity, decisions,
  timeframe, outputs, indicators, partners).  The column-header line (starts with ``活动``)
  repeats on each page; it is dropped, but its wording per section is kept in the extra key
  ``table_columns`` (the wording differs between sections A, B and C/D).  A row that follows a
  header line and neither starts with ``N.`` nor is an Aichi heading is the remainder of the
  activity split by the page break: it is joined to the previous activity cell by cell.
  Fragments are glued without a separator when either side of the join is a CJK character or
  CJK punctuation or the left side ends with ``-`` or ``/`` (``"2017-" + "2020 年"``); otherwise
  with one space (``"第" + "3 段"`` -> ``"第 3 段"``, ``"CPF" + "成员"`` -> ``"CPF 成员"``), which is
  the spelling the source uses elsewhere.  A fragment continuing a ``<p>`` list item is put
  inside that item.
* **Aichi headings** are rows whose first cell names 爱知生物多样性指标 (with or without
  ``<b>``) or starts with 跨领域活动, all other cells empty.  They become ``target_groups``
  (ids 1.. in document order); ``targets`` are all target numbers the heading names, sorted and
  de-duplicated, including the ones in parentheses ("和其他 (...)", "间接指标 ...", "此外，指标
  ...").  The two headings "跨领域活动 (所有爱知生物多样性指标) –..." name *all* targets and get
  1-20.  The heading text in ``title`` keeps the main/secondary distinction.  Sections A, C and D
  have no Aichi heading rows (C's *title* mentions target 16, but no activity row sits under a
  heading), so their activities have ``target_group: null`` and ``aichi_targets: []``.
* **Activity text**: the leading number, the ``*`` global-priority marker (``priority``) and the
  trailing ``(S)`` Secretariat marker (``secretariat``) are removed from ``text``.
* **Footnotes**: ``<sup>N</sup>`` markers are removed (with the whitespace before them) from
  every text; an activity lists the footnotes referenced from any of its cells.  Footnotes
  referenced elsewhere (preamble, paragraphs, annex title, section titles, column headers) are in
  the extra top-level key ``footnotes`` (all 26, with ``referenced_from``).  Footnote 6
  (paragraph 11) has no footnote text anywhere in the seed: its ``text`` is null.  Markdown links
  in footnotes are reduced to their visible text; ``<http://...>`` autolinks to the bare URL.
* **Lists** (outputs, indicators): ``<p>...</p>`` elements are items.  Cells without ``<p>``
  separate items by a run of two or more spaces, or by a *single* space between two CJK
  characters (the converter renders most list breaks as one space, e.g. activity 12's
  indicators; the brief only mentioned double spaces).  Semicolons by themselves are not
  separators: "甲；乙" and "甲; 乙" stay one item, exactly as written ("; " is not CJK), while
  "甲； 乙" splits by the space rule and the first item keeps its "；".  Exceptions, decided by
  reading the source and listed in ``WRAP_SPACE_ROWS`` / ``EXTRA_ITEM_BREAKS`` /
  ``PAGE_BREAK_ITEM_BOUNDARIES`` below:

  - rows 73, 74, 75, 76 and 96 come from PDF lines whose text layer kept *line-wrap* spaces
    inside words (相 关, 生物 多样性, 组 织, 反映 获取和 ...), so there a single space is not a
    separator; the item boundaries that do exist there are listed explicitly;
  - where a page break falls exactly between two list items (activities 9, 49, 56, 66, 76, 103)
    the two fragments become separate items instead of being glued into one.

  Item text is never rewritten: wrap spaces stay inside the item, trailing "；" stays.
* **Partners** are split on 、 ， , ; ； and runs of two or more spaces outside parentheses
  (so "NBSAP 论坛 (UNDP、UNEP-WCMC)" stays one partner), and on 和 / 以及 when they are
  conjunctions between partners: with a space on either side ("CABI 和 IMO") or before 其他
  ("自然保护联盟和其他伙伴").  Organisation names containing 和 ("全球企业和生物多样性伙伴关系",
  "生物多样性和社区健康倡议") are therefore not split; "世界银行和世界动物园暨水族馆协会全球伙伴关系"
  is kept whole for the same reason.  "，包括..." is not a split point (activity 53).  A leading
  以及 left by the split is dropped as a conjunction.  ``glossary`` lists the glossary
  abbreviations named in the partner text: longest abbreviation first, matched as a whole token
  (the characters before and after must not be ASCII letters/digits; ``-``, ``/`` and spaces
  delimit tokens), so "UNEP-WCMC" matches only UNEP-WCMC, "UNCCD/GM" only UNCCD/GM, while
  "UNDP-BIOFIN" matches UNDP and BIOFIN and "IUCN-ISSG" matches IUCN.  Source misspellings are
  not corrected, so "CLEI", "OC-UNESCO", "IWBNI", "UNU- IAS" and "CSP" (glossary: CSPB) match
  nothing; see the activities' notes.
* **Empty cells** are kept as ``{"zh": ""}`` (type-stable for ``localize``) or ``[]``: activity 26
  has no decisions; activities 94 and 110 have no partners.
* **timeframe_start/_end** are the smallest/largest four-digit years in the timeframe cell.
* **Glossary**: "ABBR – name (address)" entries (the dash is sometimes glued to the name); the
  address is the link's visible text with Markdown escapes removed (``\\\\_`` -> ``_``), or null.
  BIOFIN's address is on the following line.  The ":" GYBN's name ends with before the address is
  a separator and dropped.  Entries are in source order.
* **Typos** noticed in activities are listed as plain strings in the activity's ``notes``; typos
  elsewhere (preamble, paragraphs, section titles, glossary) are in the extra top-level ``notes``.
  Every note names a fragment that is asserted to occur in the text it is about.

Extra top-level keys beyond the contract (kept so no source data is lost): ``title``,
``annex_title``, ``preamble``, ``table_columns``, ``footnotes``, ``notes``.

Output: UTF-8, ``ensure_ascii=False``, ``indent=1``, trailing newline; all lists in document
order, so the bytes are identical on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED_NAME = "000_b87ff8371c23ef7f.txt"
DEFAULT_SEED = Path(__file__).resolve().parents[2] / "shared/seeds" / SEED_NAME
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "resources/action_plan/action_plan.json"

DECISION = "XIII/23"
DATE = "2016-12-16"
COLUMNS = ("text", "decisions", "timeframe", "outputs", "indicators", "partners")

# Rows whose text layer kept line-wrap spaces inside words: single spaces are not item separators.
WRAP_SPACE_ROWS = frozenset({73, 74, 75, 76, 96})
# Item boundaries inside wrap-space rows, found by reading: (left context, right context) around
# the single space that separates two items.
EXTRA_ITEM_BREAKS: dict[tuple[int, str], tuple[tuple[str, str], ...]] = {
    (73, "outputs"): (("展览会/展览会”", "缔约方通过"), ("科学和知识", "缔约方对技术")),
    (73, "indicators"): (("利益攸关方的反馈", "就与技术"),),
    (76, "indicators"): (("资源动员活动数量", "利用生物多样性"),),
}
# Page breaks that fall exactly between two list items of a cell (found by reading).
PAGE_BREAK_ITEM_BOUNDARIES = frozenset({
    (9, "indicators"),     # ...人员（校友）数量趋势 | 不同主题领域的活跃实践社区数量
    (49, "indicators"),    # ...的缔约方数量 | 培训和有效利用...的数量
    (56, "indicators"),    # 提供的在线课程数量； | 完成在线课程的学员人数
    (66, "outputs"),       # ...能力建设材料； | 推动关于...技术交流
    (76, "indicators"),    # ...的国 家数量趋势 | 制定了国家生物多样性融资计划的数量趋势。
    (103, "outputs"),      # ...检测和识别； | 协助缔约方履行...
    (103, "indicators"),   # ...讲习班的次数； | 参加讲习班的人数
})

# Typos and oddities noticed while reading: (activity, field, fragment that must occur, note).
_WAVES = ("partner 世界动物园暨水族馆协会全球伙伴关系 is probably a mistranslation of the WAVES global "
          "partnership (the glossary lists WAVES, which no partner cell names)")
ACTIVITY_NOTES: tuple[tuple[int, str, str, str], ...] = (
    (9, "text", "能力建设以及和技术科学合作", "source wording: 能力建设以及和技术科学合作 (probably "
     "能力建设以及技术和科学合作; 和 misplaced)"),
    (11, "text", "生物多样性性十年", "source typo at the page break: 生物多样性性十年 (probably "
     "生物多样性十年, 性 doubled)"),
    (18, "partners", "世界动物园暨水族馆协会全球伙伴关系", _WAVES),
    (19, "partners", "世界动物园暨水族馆协会全球伙伴关系", _WAVES),
    (20, "partners", "GPLSAB 城市", "no separator between GPLSAB and 城市 (probably a missing 、); "
     "kept as one partner 'GPLSAB 城市'"),
    (22, "indicators", "订约数", "source wording: 电子学习工具（产出）的订约数 (possibly a typo for 订阅数)"),
    (26, "partners", "CLEI", "source typo: CLEI (probably ICLEI); not matched to the glossary"),
    (35, "outputs", "能力和/理解", "source typo: 能力和/理解 (probably 能力和/或理解)"),
    (48, "text", "卡特赫纳", "source typo: 卡特赫纳 (elsewhere 卡塔赫纳)"),
    (48, "outputs", "管制的的能力", "source typo: 管制的的能力 (的 doubled)"),
    (48, "partners", "STDF IMO", "no separator between STDF and IMO (probably a missing 、); kept as "
     "one partner 'STDF IMO'"),
    (49, "indicators", "外来侵入物种", "source wording: 外来侵入物种 (elsewhere 外来入侵物种)"),
    (52, "partners", "OC-UNESCO", "source typo: OC-UNESCO (probably IOC-UNESCO); matches only UNESCO "
     "in the glossary"),
    (57, "partners", "UNU- IAS", "partners UNU- IAS and UNU- IIGH have a stray space after the hyphen; "
     "not matched to glossary UNU-IAS / UNU-IIGH"),
    (58, "outputs", "将多样性纳入", "source wording: 将多样性纳入卫生战略 (probably 将生物多样性纳入)"),
    (58, "partners", "UNU- IIGH", "partner UNU- IIGH has a stray space after the hyphen; not matched to "
     "glossary UNU-IIGH"),
    (62, "indicators", "战略和行划", "text lost at the page break: 战略和行划 (probably 战略和行动计划)"),
    (73, "outputs", "相 关", "outputs/indicators keep line-wrap spaces from the PDF text layer (e.g. "
     "相 关, 生物 多样性); items were separated by reading"),
    (73, "outputs", "展览会/展览会", "source wording: 生物多样性知识展览会/展览会 (in the text: "
     "博览会/展览会)"),
    (73, "partners", "CSP", "partner CSP: the glossary has CSPB, not CSP; not matched"),
    (74, "outputs", "相 关", "outputs/indicators keep line-wrap spaces from the PDF text layer; single "
     "spaces were not treated as item separators"),
    (74, "partners", "CSP", "partner CSP: the glossary has CSPB, not CSP; not matched"),
    (75, "outputs", "关于 资源调动", "outputs/indicators/timeframe keep line-wrap spaces from the PDF "
     "text layer; single spaces were not treated as item separators"),
    (76, "indicators", "评 估", "indicators keep line-wrap spaces from the PDF text layer (评 估, 国 家); "
     "items were separated by reading"),
    (77, "outputs", "活动的的能力", "source typo: 活动的的能力 (的 doubled)"),
    (81, "partners", "IWBNI", "source typo: IWBNI (probably IWBN); not matched to the glossary"),
    (89, "outputs", "非商业科研机构 and 行为体", "source typo: English 'and' in 非商业科研机构 and 行为体 "
     "(probably 和)"),
    (89, "outputs", "的组织的组织", "source typo: 建设执行《议定书》的组织的组织 (的组织 doubled)"),
    (92, "decisions", "第 NP-1/号决定 8", "source typo: 第 NP-1/号决定 8 (probably 第 NP-1/8 号决定)"),
    (93, "indicators", "外联活动 c 的", "stray character: 外联活动 c 的满意程度"),
    (96, "text", "组 织", "text/outputs keep line-wrap spaces from the PDF text layer (国际发展法组 织, "
     "反映 获取和)"),
    (96, "outputs", "即时", "source wording: 电子学习模块即时 (probably 及时, 'kept up to date')"),
)

# Typos noticed outside the activities: (where, fragment that must occur there, note).
DOCUMENT_NOTES: tuple[tuple[str, str, str], ...] = (
    ("preamble", "忆及球环境基金", "preamble: source typo: 忆及球环境基金 (probably 全球环境基金)"),
    ("paragraph 5", "和和教训", "paragraph 5(g): source typo: 最佳做法和和教训 (和 doubled)"),
    ("section B", "爱知多样性指标", "section B title: source wording 爱知多样性指标 (elsewhere "
     "爱知生物多样性指标)"),
    ("glossary", "全球外来入侵物种外来入侵物种伙伴关系", "glossary GIASIP: source typo: "
     "全球外来入侵物种外来入侵物种伙伴关系 (外来入侵物种 doubled)"),
    ("glossary", "www.wbcd.org", "glossary WBCSD: address www.wbcd.org as in the source (probably "
     "www.wbcsd.org)"),
    ("glossary", "国际海洋组织", "glossary IMO: 国际海洋组织 as in the source (IMO is usually "
     "国际海事组织)"),
)

_FOOTNOTE_MARK = re.compile(r"\s*<sup>(\d+)</sup>")
_FOOTNOTE_LINE = re.compile(r"^<sup>(\d+)</sup>\s*(.*)$")
_PARAGRAPH = re.compile(r"^(\d+)\.\s+(.*)$")
_ITEM = re.compile(r"^\(([a-z])\)\s+(.*)$")
_SECTION = re.compile(r"^\**\s*([A-D])\s*[：:]\s*(.*?)\s*\**$")
_ACTIVITY = re.compile(r"^(\d+)\.\s*(.*)$", re.S)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


class SourceFormatError(ValueError):
    """The seed does not have the structure this parser was written for."""


def _is_cjk(ch: str) -> bool:
    return ("\u2e80" <= ch <= "\u9fff") or ("\uff00" <= ch <= "\uffef") or ch in "“”"


def _is_cjk_punct(ch: str) -> bool:
    return ("\u3000" <= ch <= "\u303f") or ("\uff00" <= ch <= "\uffef") or ch in "“”"


def _glue(left: str, right: str, sep: str | None = None) -> str:
    """Join two fragments of one cell/paragraph split by a page break (see module docstring)."""
    if not left:
        return right
    if not right:
        return left
    if left.endswith("</p>") and not right.startswith("<p>"):
        return _glue(left[: -len("</p>")], right, sep) + "</p>"
    if sep is None:
        a, b = left[-1], right[0]
        if a in "-/" or _is_cjk_punct(a) or _is_cjk_punct(b) or (_is_cjk(a) and _is_cjk(b)):
            sep = ""
        else:
            sep = " "
    return left + sep + right


def _strip_footnotes(text: str) -> tuple[str, list[int]]:
    numbers = [int(n) for n in _FOOTNOTE_MARK.findall(text)]
    return _FOOTNOTE_MARK.sub("", text).strip(), numbers


def _strip_links(text: str) -> str:
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    return text.replace("\\\\_", "_").replace("\\_", "_")


def _ints(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


@dataclass
class _Row:
    number: int
    section: str
    group: int | None
    cells: list[str]
    page_break_fields: set[str] = field(default_factory=set)


def _split_items(cell: str, number: int, name: str) -> list[str]:
    """Split an outputs/indicators cell into list items (see module docstring)."""
    cell = cell.strip()
    if not cell:
        return []
    if "<p>" in cell:
        items = re.findall(r"<p>(.*?)</p>", cell, re.S)
        rest = re.sub(r"<p>.*?</p>", "", cell, flags=re.S).strip()
        if rest:
            raise SourceFormatError(f"activity {number} {name}: text outside <p>: {rest!r}")
        return [i.strip() for i in items if i.strip()]
    marked = cell
    for before, after in EXTRA_ITEM_BREAKS.get((number, name), ()):
        probe = before + " " + after
        if marked.count(probe) != 1:
            raise SourceFormatError(f"activity {number} {name}: expected one {probe!r}")
        marked = marked.replace(probe, before + "\x00" + after)
    marked = re.sub(r" {2,}", "\x00", marked)
    if number not in WRAP_SPACE_ROWS:
        marked = "".join(
            "\x00" if ch == " " and 0 < i < len(marked) - 1
            and _is_cjk(marked[i - 1]) and _is_cjk(marked[i + 1]) else ch
            for i, ch in enumerate(marked)
        )
    return [i.strip() for i in marked.split("\x00") if i.strip()]


def _split_partners(cell: str) -> list[str]:
    """Split a partners cell into partner names (see module docstring)."""
    cell = re.sub(r"</?p>", "", cell).strip()
    pieces: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    while i < len(cell):
        ch = cell[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if depth == 0:
            if ch in "、,;；" or (ch == "，" and not cell.startswith("包括", i + 1)):
                pieces.append("".join(buf))
                buf = []
                i += 1
                continue
            if cell.startswith("  ", i):
                pieces.append("".join(buf))
                buf = []
                while i < len(cell) and cell[i] == " ":
                    i += 1
                continue
            if ch == "和":
                before = cell[i - 1] if i > 0 else ""
                after = cell[i + 1] if i + 1 < len(cell) else ""
                if before.isspace() or after.isspace() or cell.startswith("其他", i + 1):
                    pieces.append("".join(buf))
                    buf = []
                    i += 1
                    continue
        buf.append(ch)
        i += 1
    pieces.append("".join(buf))
    out = []
    for piece in pieces:
        piece = re.sub(r"^以及\s*", "", piece.strip()).strip()
        if piece:
            out.append(piece)
    return out


def _glossary_matches(text: str, abbreviations: list[str]) -> list[str]:
    """Glossary abbreviations named in ``text`` as whole tokens, longest first, in text order."""
    by_length = sorted(abbreviations, key=lambda a: (-len(a), a))
    found: list[str] = []
    i = 0
    while i < len(text):
        if text[i].isascii() and text[i].isalnum() and (i == 0 or not (text[i - 1].isascii() and text[i - 1].isalnum())):
            for abbr in by_length:
                end = i + len(abbr)
                if text.startswith(abbr, i) and (end == len(text) or not (text[end].isascii() and text[end].isalnum())):
                    if abbr not in found:
                        found.append(abbr)
                    i = end
                    break
            else:
                i += 1
            continue
        i += 1
    return found


def _parse_glossary(lines: list[str]) -> list[dict]:
    entries: list[dict] = []
    address_re = re.compile(r"\(\s*(\[([^\]]*)\]\([^)]*\)|<([^>]*)>)\s*\)\s*$")
    for raw in lines:
        line = raw.strip()
        if not line or line == "---":
            continue
        m = address_re.search(line)
        if line.startswith("(") and m and m.start() == 0:
            if not entries or entries[-1]["address"] is not None:
                raise SourceFormatError(f"glossary address without entry: {line!r}")
            entries[-1]["address"] = _strip_links(m.group(2) if m.group(2) is not None else m.group(3))
            continue
        if "–" not in line:
            raise SourceFormatError(f"glossary line without dash: {line!r}")
        abbr, rest = line.split("–", 1)
        address = None
        if m:
            address = _strip_links(m.group(2) if m.group(2) is not None else m.group(3))
            rest = rest[: m.start() - len(abbr) - 1]
        name = rest.strip().rstrip(":").strip()
        entries.append({"abbreviation": abbr.strip(), "name": {"zh": name}, "address": address})
    return entries


def parse(seed_path: Path | str = DEFAULT_SEED) -> dict:
    """Parse the seed into the action-plan structure.  Pure; callable from any thread."""
    seed_path = Path(seed_path)
    raw = seed_path.read_bytes()
    lines = raw.decode("utf-8").split("\n")

    def index_of(pred, what: str, start: int = 0) -> int:
        for i in range(start, len(lines)):
            if pred(lines[i].strip()):
                return i
        raise SourceFormatError(f"not found: {what}")

    # --- document metadata -------------------------------------------------------------------
    symbol = index_of(lambda s: s.startswith("CBD/COP/DEC/"), "document symbol")
    if lines[symbol].strip() != f"CBD/COP/DEC/{DECISION}" or lines[symbol + 1].strip() != "16 December 2016":
        raise SourceFormatError("unexpected decision symbol or date")
    title_i = index_of(lambda s: s.startswith("#### ") and DECISION in s, "decision title")
    title = re.sub(r"^#+\s*\**\s*" + re.escape(DECISION) + r"\.\s*", "", lines[title_i].strip()).strip("* ")
    chapeau = index_of(lambda s: s == "缔约方大会，", "preamble chapeau", title_i)
    annex = index_of(lambda s: s == "附件", "annex", chapeau)
    glossary_i = index_of(lambda s: s.startswith("#### 表格所用简称表"), "glossary", annex)

    footnote_text: dict[int, str] = {}
    for line in lines:
        m = _FOOTNOTE_LINE.match(line.strip())
        if m:
            footnote_text.setdefault(int(m.group(1)), _strip_links(m.group(2).strip()))
    footnote_refs: dict[int, list[str]] = {}

    def refer(numbers: list[int], where: str) -> None:
        for n in numbers:
            refs = footnote_refs.setdefault(n, [])
            if where not in refs:
                refs.append(where)

    # --- preamble and operative paragraphs ----------------------------------------------------
    preamble: list[str] = []
    paragraphs: list[dict] = []
    target: list = [None]  # [dict-with-"text"] currently being continued

    for line in lines[chapeau:annex]:
        s = line.strip()
        if not s or s == "---" or _FOOTNOTE_LINE.match(s):
            continue
        m_par = _PARAGRAPH.match(s)
        m_item = _ITEM.match(s)
        if m_par and (not paragraphs or int(m_par.group(1)) == paragraphs[-1]["number"] + 1):
            text, notes = _strip_footnotes(m_par.group(2))
            refer(notes, f"paragraph {m_par.group(1)}")
            paragraphs.append({"number": int(m_par.group(1)), "text": {"zh": text}, "items": []})
            target[0] = paragraphs[-1]
        elif m_item and paragraphs:
            par = paragraphs[-1]
            text, notes = _strip_footnotes(m_item.group(2))
            refer(notes, f"paragraph {par['number']}({m_item.group(1)})")
            par["items"].append({"label": m_item.group(1), "text": {"zh": text}})
            target[0] = par["items"][-1]
        elif not paragraphs:
            text, notes = _strip_footnotes(s)
            refer(notes, "preamble")
            if preamble and not preamble[-1].endswith(("，", "；", "。")):
                preamble[-1] = _glue(preamble[-1], text)
            else:
                preamble.append(text)
        else:
            text, notes = _strip_footnotes(s)
            cur = target[0]
            where = f"paragraph {paragraphs[-1]['number']}"
            if "label" in cur:
                where += f"({cur['label']})"
            refer(notes, where)
            cur["text"]["zh"] = _glue(cur["text"]["zh"], text)

    # --- annex table ------------------------------------------------------------------------
    annex_title, notes = _strip_footnotes(next(l.strip() for l in lines[annex + 1:] if l.strip()))
    refer(notes, "annex title")
    sections: list[dict] = []
    table_columns: list[dict] = []
    target_groups: list[dict] = []
    rows: list[_Row] = []
    after_header = False
    group: int | None = None

    for lineno in range(annex + 1, glossary_i):
        line = lines[lineno]
        s = line.strip()
        if "\t" not in line:
            if not s or _FOOTNOTE_LINE.match(s) or s == "---":
                continue
            m = _SECTION.match(s)
            if m:
                text, notes = _strip_footnotes(m.group(2).replace("**", ""))
                refer(notes, f"section {m.group(1)}")
                sections.append({"code": m.group(1), "title": {"zh": text}})
                group = None
                after_header = False
                continue
            if s.startswith("为执行《公约》") and not sections:
                continue  # annex title, handled above
            raise SourceFormatError(f"line {lineno + 1}: unexpected text in the annex: {s[:40]!r}")
        cells = line.split("\t")
        if len(cells) != 6:
            raise SourceFormatError(f"line {lineno + 1}: {len(cells)} cells")
        if not sections:
            raise SourceFormatError(f"line {lineno + 1}: table row before section A")
        section = sections[-1]["code"]
        if cells[0].startswith("活动"):
            header = []
            for c in cells:
                text, notes = _strip_footnotes(c)
                refer(notes, f"section {section} table header")
                header.append({"zh": text})
            if not table_columns or table_columns[-1]["section"] != section:
                table_columns.append({"section": section, "columns": header})
            after_header = True
            continue
        first = re.sub(r"</?b>", "", cells[0]).strip()
        if ("爱知生物多样性指标" in first or first.startswith("跨领域活动")) and not any(c.strip() for c in cells[1:]):
            text, notes = _strip_footnotes(first)
            refer(notes, f"section {section} heading")
            targets = list(range(1, 21)) if "所有爱知生物多样性指标" in text else sorted(set(_ints(text)))
            target_groups.append({"id": len(target_groups) + 1, "section": section,
                                  "title": {"zh": text}, "targets": targets})
            group = len(target_groups)
            after_header = False
            continue
        m = _ACTIVITY.match(first)
        if m:
            number = int(m.group(1))
            if number != len(rows) + 1:
                raise SourceFormatError(f"line {lineno + 1}: activity {number} out of order")
            rows.append(_Row(number, section, group, list(cells)))
            after_header = False
            continue
        if not after_header or not rows:
            raise SourceFormatError(f"line {lineno + 1}: continuation row not after a page header")
        row = rows[-1]
        for k, name in enumerate(COLUMNS):
            left, right = row.cells[k].strip(), cells[k].strip()
            if k == 0:
                left = re.sub(r"</?b>", "", left)
            sep = "  " if (row.number, name) in PAGE_BREAK_ITEM_BOUNDARIES and left and right else None
            row.cells[k] = _glue(left, right, sep)
            if sep:
                row.page_break_fields.add(name)
        after_header = False

    if [s["code"] for s in sections] != ["A", "B", "C", "D"]:
        raise SourceFormatError(f"sections {[s['code'] for s in sections]}")
    for number, name in PAGE_BREAK_ITEM_BOUNDARIES:
        if name not in rows[number - 1].page_break_fields:
            raise SourceFormatError(f"activity {number} {name}: expected a page-break boundary")

    # --- glossary ---------------------------------------------------------------------------
    glossary = _parse_glossary(lines[glossary_i + 1:])
    abbreviations = [g["abbreviation"] for g in glossary]

    # --- activities -------------------------------------------------------------------------
    group_targets = {g["id"]: g["targets"] for g in target_groups}
    activities: list[dict] = []
    for row in rows:
        fields: dict[str, str] = {}
        used: list[int] = []
        for k, name in enumerate(COLUMNS):
            text, notes = _strip_footnotes(row.cells[k])
            for n in notes:
                if n not in used:
                    used.append(n)
            fields[name] = text
        refer(used, f"activity {row.number}")
        m = _ACTIVITY.match(fields["text"])
        body = m.group(2).strip()
        priority = body.startswith("*")
        if priority:
            body = body[1:].strip()
        secretariat = body.endswith("(S)")
        if secretariat:
            body = body[: -len("(S)")].strip()
        if "(S)" in body or "*" in body:
            raise SourceFormatError(f"activity {row.number}: stray marker in {body!r}")
        years = [int(y) for y in _YEAR.findall(fields["timeframe"])]
        activity_notes = []
        for fname, fragment, note in ((f, g, n) for a, f, g, n in ACTIVITY_NOTES if a == row.number):
            haystack = body if fname == "text" else fields[fname]
            if fragment not in haystack:
                raise SourceFormatError(f"activity {row.number}: note fragment {fragment!r} not in {fname}")
            activity_notes.append(note)
        activities.append({
            "number": row.number,
            "section": row.section,
            "target_group": row.group,
            "aichi_targets": list(group_targets[row.group]) if row.group else [],
            "priority": priority,
            "secretariat": secretariat,
            "text": {"zh": body},
            "decisions": {"zh": fields["decisions"]},
            "timeframe": {"zh": fields["timeframe"]},
            "timeframe_start": min(years) if years else None,
            "timeframe_end": max(years) if years else None,
            "outputs": [{"zh": t} for t in _split_items(fields["outputs"], row.number, "outputs")],
            "indicators": [{"zh": t} for t in _split_items(fields["indicators"], row.number, "indicators")],
            "partners": [{"text": {"zh": p}, "glossary": _glossary_matches(p, abbreviations)}
                         for p in _split_partners(fields["partners"])],
            "footnotes": [{"number": n, "text": {"zh": footnote_text[n]} if n in footnote_text else None}
                          for n in used],
            "notes": activity_notes,
        })
    if len(activities) != 110:
        raise SourceFormatError(f"{len(activities)} activities")
    if [p["number"] for p in paragraphs] != list(range(1, 17)):
        raise SourceFormatError(f"paragraphs {[p['number'] for p in paragraphs]}")

    # --- document notes ---------------------------------------------------------------------
    haystacks = {
        "preamble": "\n".join(preamble),
        "section B": sections[1]["title"]["zh"],
        "glossary": "\n".join(f"{g['name']['zh']} {g['address'] or ''}" for g in glossary),
    }
    for p in paragraphs:
        haystacks[f"paragraph {p['number']}"] = "\n".join(
            [p["text"]["zh"]] + [i["text"]["zh"] for i in p["items"]])
    document_notes = []
    for where, fragment, note in DOCUMENT_NOTES:
        if fragment not in haystacks[where]:
            raise SourceFormatError(f"note fragment {fragment!r} not in {where}")
        document_notes.append(note)

    all_numbers = sorted(set(footnote_text) | set(footnote_refs))
    footnotes = [{"number": n,
                  "text": {"zh": footnote_text[n]} if n in footnote_text else None,
                  "referenced_from": footnote_refs.get(n, [])} for n in all_numbers]

    return {
        "source": {"file": seed_path.name, "sha256": hashlib.sha256(raw).hexdigest(),
                   "language": "zh", "decision": DECISION, "date": DATE},
        "official_languages": ["zh"],
        "sections": sections,
        "target_groups": target_groups,
        "activities": activities,
        "paragraphs": paragraphs,
        "glossary": glossary,
        "title": {"zh": title},
        "annex_title": {"zh": annex_title},
        "preamble": [{"zh": p} for p in preamble],
        "table_columns": table_columns,
        "footnotes": footnotes,
        "notes": document_notes,
    }


def render(data: dict) -> str:
    """Serialize deterministically (UTF-8 text, ensure_ascii=False, indent=1, trailing newline)."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", nargs="?", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true", help="fail if the output file is not up to date")
    args = ap.parse_args(argv)
    text = render(parse(args.seed))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date; re-run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output} ({len(text.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
