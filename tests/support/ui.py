"""Helpers for UI tests and benchmarks: a small real action plan, a ready database, the main window.

The sample plan carries real text of decision XIII/23's annex (official Chinese)
for ten activities in sections A–D, an English overlay for all of them and an
Arabic overlay for two, in the exact shape ``focalpoint.catalog.load_plan`` reads.
Tests pass its folder to ``ensure_catalog(db, folder=...)``; when the parser's
``resources/action_plan/action_plan.json`` exists, ``shipped_plan_available()``
says so and tests may use the real thing.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SAMPLE_SECTIONS = [
    {"code": "A", "title": {"zh": "将由秘书处执行和协调的跨领域能力建设支助活动、工具和服务",
                            "en": "Cross-cutting capacity-building support activities, tools and services to be "
                                  "implemented and coordinated by the Secretariat"}},
    {"code": "B", "title": {"zh": "有效实施《生物多样性公约》的实质性能力建设活动，包括与不同的爱知多样性指标有关的活动",
                            "en": "Substantive capacity-building activities for the effective implementation of "
                                  "the Convention, including those related to the Aichi Biodiversity Targets"}},
    {"code": "C", "title": {"zh": "促进有效执行《获取和惠益分享名古屋议定书》的能力建设活动（包括爱知生物多样性指标 16）",
                            "en": "Capacity-building activities to support the effective implementation of the "
                                  "Nagoya Protocol (including Aichi Biodiversity Target 16)"}},
    {"code": "D", "title": {"zh": "为执行《卡塔赫纳生物安全议定书》开展的能力建设活动",
                            "en": "Capacity-building activities for the implementation of the Cartagena Protocol "
                                  "on Biosafety"}},
]

SAMPLE_TARGET_GROUPS = [
    {"id": 1, "section": "B", "title": {"zh": "爱知生物多样性指标 1", "en": "Aichi Biodiversity Target 1"},
     "targets": [1]},
    {"id": 2, "section": "B", "title": {"zh": "爱知生物多样性指标 2", "en": "Aichi Biodiversity Target 2"},
     "targets": [2]},
]


def _act(number: int, section: str, group: int | None, targets: list[int], priority: bool, secretariat: bool,
         zh: str, en: str, decisions: str, timeframe: tuple[int, int], outputs: list[tuple[str, str]],
         indicators: list[tuple[str, str]], partners: list[tuple[str, str, list[str]]],
         footnotes: list[tuple[int, str, str]] = ()) -> dict[str, Any]:
    start, end = timeframe
    tf = f"{start}-{end} 年" if start != end else f"{start} 年"
    return {
        "number": number, "section": section, "target_group": group, "aichi_targets": targets,
        "priority": priority, "secretariat": secretariat,
        "text": {"zh": zh, "en": en}, "decisions": {"zh": decisions, "en": decisions},
        "timeframe": {"zh": tf, "en": f"{start}-{end}"}, "timeframe_start": start, "timeframe_end": end,
        "outputs": [{"zh": z, "en": e} for z, e in outputs],
        "indicators": [{"zh": z, "en": e} for z, e in indicators],
        "partners": [{"text": {"zh": z, "en": e}, "glossary": g} for z, e, g in partners],
        "footnotes": [{"number": n, "text": {"zh": z, "en": e}} for n, z, e in footnotes],
        "notes": [],
    }


SAMPLE_ACTIVITIES = [
    _act(1, "A", None, [], True, True,
         "制定工具，使缔约方和土著人民和地方社区能通过信息交换所机制评估和交流其能力建设和技术及科学合作需求",
         "Develop tools to enable Parties and indigenous peoples and local communities to assess and communicate "
         "their capacity-building and technical and scientific cooperation needs through the clearing-house mechanism",
         "XII/2 B, para. 8 (f); XI/2", (2017, 2020),
         [("可通过信息交换所机制在线获取能力需求评估通用格式和技术及科学合作援助申请表",
           "A common format for capacity needs assessments is available online through the clearing-house mechanism")],
         [("提交援助请求的缔约方数量趋势", "Trends in the number of Parties submitting requests for assistance")],
         [("BBI、IPBES、UNDP/ BES-Net", "BBI, IPBES, UNDP/BES-Net", ["BBI", "IPBES", "UNDP"]),
          ("CTCN", "CTCN", ["CTCN"])],
         [(8, "秘书处可发挥作用的活动标有“(S)”。", "Activities in which the Secretariat may play a role are marked “(S)”.")]),
    _act(2, "A", None, [], True, True,
         "在信息交换所机制中为能力建设以及技术和科学合作倡议、资源和机会建立和维护能力发展门户网站和在线可搜索的数据库",
         "Establish and maintain a capacity development web portal and an online searchable database of "
         "capacity-building initiatives, resources and opportunities in the clearing-house mechanism",
         "XII/2 B, paras. 8 (f) and 9 (b)", (2017, 2020),
         [("合作伙伴组织通过信息交换所机制共享关于其能力建设支持和资源的信息",
           "Partner organizations share information on their capacity-building support through the CHM")],
         [("数据库中登记的缔约方数量趋势", "Trends in the number of Parties registered in the database")],
         [("CSP 等", "CSP, among others", ["CSP"])]),
    _act(10, "B", 1, [1], True, True,
         "制定关于宣传、教育和提高公众意识以及国家生物多样性战略和行动计划工具和指南，并鼓励使用工具和指南",
         "Develop and promote the use of tools and guidance on communication, education and public awareness "
         "and national biodiversity strategies and action plans",
         "XI/15, para. 5; XII/2 C", (2017, 2018),
         [("编制关于交流的指南和最佳做法", "Guidance and best practices on communication are compiled")],
         [("指导材料的质量（基于用户的反馈）", "Quality of guidance materials (based on user feedback)")],
         [("若干伙伴", "Several partners", [])],
         [(13, "环境规划署-传播和新闻司、联合国-新闻部、教科文组织", "UNEP Division of Communication, UN DPI, UNESCO")]),
    _act(13, "B", 1, [1], False, False,
         "制定经订正的宣传、教育和提高公众意识工具包, 并通过信息交换所机制提供",
         "Develop a revised communication, education and public awareness toolkit and make it available "
         "through the clearing-house mechanism",
         "XII/2 C; XII/10; VIII/6", (2017, 2018),
         [("缔约方设计和实施有效的宣传活动的能力得到加强", "Capacity of Parties to design effective campaigns strengthened")],
         [("使用工具包的缔约方数量", "Number of Parties using the toolkit")],
         [("UNESCO、UNEP", "UNESCO, UNEP", ["UNESCO", "UNEP"])]),
    _act(16, "B", 2, [2], True, True,
         "支持能力建设以便将生物多样性纳入发展进程、消除贫穷和执行《2030 年议程》的主流",
         "Support capacity-building for mainstreaming biodiversity into development processes, poverty "
         "eradication and the implementation of the 2030 Agenda",
         "XII/4, para. 3; XII/5, para. 15", (2017, 2018),
         [("2017-2018 年次区域试点讲习班", "Subregional pilot workshops in 2017-2018")],
         [("举办的讲习班和培训活动的数量", "Number of workshops and training events held")],
         [("UNEP、UNDP 和其他相关机构等", "UNEP, UNDP and other relevant organizations", ["UNEP", "UNDP"])]),
    _act(90, "C", None, [16], True, False,
         "将与国际发展法组织共同组织的关于建立执行《名古屋议定书》的法律框架的培训讲习班扩大至更多的缔约方",
         "Extend to more Parties the training workshops, organized with IDLO, on legal frameworks to implement "
         "the Nagoya Protocol",
         "NP-1/8", (2017, 2020),
         [("组织区域和（或）次区域培训讲习班", "Regional and/or subregional training workshops organized")],
         [("举办八个区域和/或次区域培训班", "Eight regional and/or subregional training courses held")],
         [("IDLO、ABS-I 和其他适当组织", "IDLO, ABS-I and other relevant organizations", ["IDLO"])]),
    _act(96, "C", None, [16], True, False,
         "更新同国际发展法组织共同制作的 8 个学习模块",
         "Update the eight e-learning modules developed with IDLO",
         "NP-1/8", (2019, 2020),
         [("电子学习模块得到更新", "E-learning modules are up to date")],
         [("更新的电子学习模块数目", "Number of e-learning modules updated")],
         [("IDLO 和其他适当组织", "IDLO and other relevant organizations", ["IDLO"])]),
    _act(97, "D", None, [], True, False,
         "制定关于将生物安全纳入国家生物多样性战略和行动计划和国家发展计划主流的能力建设教材和指导方针",
         "Develop capacity-building materials and guidance on mainstreaming biosafety into national biodiversity "
         "strategies and action plans and national development plans",
         "BS-VII/5, para. 10; BS-VII/1, para. 5", (2017, 2018),
         [("编制关于生物安全主流化的电子学习模块和工具包", "E-learning modules and toolkits on biosafety mainstreaming")],
         [("获取和使用电子学习模块的缔约方数目趋势", "Trends in the number of Parties using the modules")],
         [("斯特拉思克莱德大学", "University of Strathclyde", [])]),
    _act(100, "D", None, [], True, False,
         "组织关于改性活生物体风险评估的培训课程",
         "Organize training courses on risk assessment of living modified organisms",
         "BS-VII/12, paras. 11-14", (2017, 2020),
         [("缔约方根据《议定书》对改性活生物体进行风险评估的能力得到提高",
           "Capacity of Parties to carry out risk assessment of LMOs improved")],
         [("接受过风险评估培训的人数", "Number of people trained in risk assessment")],
         [("待定", "To be determined", [])]),
    _act(107, "D", None, [], False, False,
         "与相关组织协作编制关于改性活生物体取样、检测和识别的培训材料",
         "Develop, with relevant organizations, training materials on sampling, detection and identification of LMOs",
         "BS-VII/10, para. 5 (d)", (2017, 2020),
         [("缔约方在改性活生物体的取样、检测和识别方面得到培训", "Parties trained in sampling, detection and identification")],
         [("在编写能力建设课程方面进行协作的次数", "Number of collaborations on course development")],
         [("UNEP", "UNEP", ["UNEP"])]),
]

SAMPLE_GLOSSARY = [
    {"abbreviation": "BBI", "name": {"zh": "生物桥倡议", "en": "Bio-Bridge Initiative"},
     "address": "https://www.cbd.int/biobridge"},
    {"abbreviation": "CSP", "name": {"zh": "能力建设战略伙伴关系", "en": "Consortium of Scientific Partners"},
     "address": "https://www.cbd.int/csp"},
    {"abbreviation": "CTCN", "name": {"zh": "气候技术中心和网络", "en": "Climate Technology Centre and Network"},
     "address": "https://www.ctc-n.org"},
    {"abbreviation": "IDLO", "name": {"zh": "国际发展法组织", "en": "International Development Law Organization"},
     "address": "https://www.idlo.int"},
    {"abbreviation": "IPBES", "name": {"zh": "生物多样性和生态系统服务政府间科学与政策平台",
                                       "en": "Intergovernmental Science-Policy Platform on Biodiversity and "
                                             "Ecosystem Services"},
     "address": "https://www.ipbes.net"},
    {"abbreviation": "UNDP", "name": {"zh": "联合国开发计划署", "en": "United Nations Development Programme"},
     "address": "http://www.undp.org"},
    {"abbreviation": "UNEP", "name": {"zh": "联合国环境规划署", "en": "United Nations Environment Programme"},
     "address": "http://www.unep.org"},
    {"abbreviation": "UNESCO", "name": {"zh": "联合国教育、科学及文化组织",
                                        "en": "United Nations Educational, Scientific and Cultural Organization"},
     "address": "http://www.unesco.org"},
]

SAMPLE_ARABIC = {
    "language": "ar",
    "sections": {"A": "أنشطة ودعم وأدوات وخدمات شاملة لبناء القدرات تنفذها الأمانة وتنسقها",
                 "B": "أنشطة بناء القدرات الموضوعية من أجل التنفيذ الفعال للاتفاقية",
                 "C": "أنشطة بناء القدرات لدعم التنفيذ الفعال لبروتوكول ناغويا",
                 "D": "أنشطة بناء القدرات لتنفيذ بروتوكول قرطاجنة للسلامة الأحيائية"},
    "target_groups": {"1": "الهدف 1 من أهداف أيشي للتنوع البيولوجي", "2": "الهدف 2 من أهداف أيشي للتنوع البيولوجي"},
    "activities": {
        "1": {"text": "وضع أدوات تمكن الأطراف والشعوب الأصلية والمجتمعات المحلية من تقييم احتياجاتها من بناء "
                      "القدرات والتعاون التقني والعلمي عن طريق آلية تبادل المعلومات",
              "timeframe": "2017-2020"},
        "100": {"text": "تنظيم دورات تدريبية بشأن تقييم مخاطر الكائنات الحية المحورة", "timeframe": "2017-2020"},
    },
    "glossary": {"UNDP": "برنامج الأمم المتحدة الإنمائي"},
}


def sample_plan() -> dict[str, Any]:
    """The sample plan with its Chinese (official) and English texts in one file."""
    return {
        "official_languages": ["zh"],
        "sections": SAMPLE_SECTIONS,
        "target_groups": SAMPLE_TARGET_GROUPS,
        "activities": SAMPLE_ACTIVITIES,
        "paragraphs": [{"number": 1, "text": {"zh": "通过本决定附件所载的能力建设短期行动计划（2017-2020 年）",
                                              "en": "Adopts the short-term action plan (2017-2020)"},
                        "items": []}],
        "glossary": SAMPLE_GLOSSARY,
    }


def write_sample_plan(folder: Path) -> Path:
    """Write the sample plan (and its Arabic overlay) into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "action_plan.json").write_text(json.dumps(sample_plan(), ensure_ascii=False), encoding="utf-8")
    tdir = folder / "translations"
    tdir.mkdir(exist_ok=True)
    (tdir / "ar.json").write_text(json.dumps(SAMPLE_ARABIC, ensure_ascii=False), encoding="utf-8")
    return folder


def sample_counts() -> dict[str, int]:
    """Activities per section in the sample plan."""
    out: dict[str, int] = {}
    for act in SAMPLE_ACTIVITIES:
        out[act["section"]] = out.get(act["section"], 0) + 1
    return out


def shipped_plan_available() -> bool:
    from focalpoint.catalog import action_plan_dir

    return (action_plan_dir() / "action_plan.json").exists()


def make_database(data_dir: Path, plan_folder: Path | None = None):
    """A migrated database in ``data_dir`` with the sample plan loaded (core only, no Qt)."""
    from focalpoint.catalog import ensure_catalog
    from focalpoint.db import open_database

    db = open_database(data_dir)
    folder = plan_folder or write_sample_plan(data_dir.parent / (data_dir.name + "-plan"))
    ensure_catalog(db, folder=folder)
    return db


def open_main_window(qtbot, db, plan_folder: Path, *, start: bool = True, timeout: int = 10000,  # noqa: ANN001
                     **options):  # noqa: ANN003, ANN201
    """The real main window over ``db`` with its own task runner (``win.db``, ``win.runner``), shown,
    and started with its catalogue loaded unless ``start`` is False; ``options`` go to ``MainWindow``.
    Close it with :func:`close_main_window`. UI thread."""
    from focalpoint.ui.compat import protect_none_refcount
    from focalpoint.ui.main_window import MainWindow
    from focalpoint.ui.tasks import TaskRunner

    protect_none_refcount()
    win = MainWindow(db, TaskRunner(), plan_folder=plan_folder, **options)
    qtbot.addWidget(win)
    win.show()
    if start:
        with qtbot.waitSignal(win.catalog.loaded, timeout=timeout):
            win.start()
    return win


def shown_loaded(qtbot, widget, timeout: int = 10000):  # noqa: ANN001, ANN201
    """Show ``widget`` (a dialog or screen that reads its data on the database worker and then says
    ``loaded``) once its ``load()`` has delivered; returns it. UI thread."""
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.loaded, timeout=timeout):
        widget.load()
    widget.show()
    return widget


def close_main_window(win) -> None:  # noqa: ANN001
    """Close the window's editors, let its workers finish and stop, close its database. UI thread."""
    win.records.close_editors()
    win.runner.wait_db_idle(timeout=15)
    win.runner.shutdown(wait=True)
    win.db.close()


def type_text(widget, text: str) -> None:
    """Type ``text`` into a widget key by key, any script (``QTest.keyClicks`` only takes Latin-1).

    Each character arrives as a key press carrying its text, as an input method delivers
    Chinese or Arabic characters. UI thread.
    """
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown if ord(ch) > 0x7E else ord(ch.upper()),
                              Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


LAPTOP_SCREEN_ENV = "FOCALPOINT_TEST_SCREEN"  # "1024x600" in the child process of run_on_laptop_screen


def on_laptop_screen() -> bool:
    """Whether this process is the child that :func:`run_on_laptop_screen` started."""
    import os

    return bool(os.environ.get(LAPTOP_SCREEN_ENV))


def run_on_laptop_screen(test_file: str, tmp_path: Path, timeout: float):  # noqa: ANN201
    """Run the tests of ``test_file`` again in a child pytest whose only (offscreen) screen is
    1024x600 at 96 dpi; returns the finished ``subprocess.CompletedProcess`` (text output). Any thread."""
    import os
    import subprocess
    import sys

    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1024, "height": 600,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", **{LAPTOP_SCREEN_ENV: "1024x600"})
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", test_file],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                          timeout=timeout)


def controlled_gc() -> Iterator[None]:
    """For tests (use as an autouse fixture): no automatic collection while the test's worker
    threads run; one full collection afterwards, when they have stopped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()
