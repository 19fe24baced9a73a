"""The action-plan browser: tree, list, search as you type in any script, filters, detail, keyboard."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.support.ui import sample_counts, shipped_plan_available, type_text  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]


@pytest.fixture
def window(main_window):
    """The main window with the sample plan's catalogue on screen."""
    return main_window


def table_numbers(win) -> list[int]:
    model = win.catalog.table_model
    return [model.activity(r).number for r in range(model.rowCount())]


def search(qtbot, win, text: str) -> None:
    bar = win.catalog.filter_bar
    bar.search.clear()
    type_text(bar.search, text)
    before = win.catalog._search_seq
    qtbot.waitUntil(lambda: win.catalog._search_seq > before and not win.runner.busy, timeout=5000)


def detail_text(qtbot, win, number: int) -> str:
    win.catalog.show_activity(number)
    qtbot.waitUntil(lambda: win.catalog._detail is not None and win.catalog._detail.detail["number"] == number,
                    timeout=5000)
    return win.catalog.detail_text()


def test_tree_has_sections_a_to_d_with_their_activities(window):
    tree = window.catalog.tree_model
    expected = sample_counts()
    titles = [tree.index(r, 0).data() for r in range(tree.rowCount())]
    assert [t.split(".")[0] for t in titles] == ["A", "B", "C", "D"]
    assert {t.split(".")[0]: tree.activity_count(r) for r, t in enumerate(titles)} == expected
    # section B is split by Aichi target group, A is not
    b = tree.index(1, 0)
    assert [tree.index(r, 0, b).data() for r in range(tree.rowCount(b))] == [
        "Aichi Biodiversity Target 1", "Aichi Biodiversity Target 2"]
    assert window.catalog.filter_bar.result_label.text() == "10 activities"


def test_search_as_you_type_in_english_chinese_arabic_and_by_number(qtbot, window):
    search(qtbot, window, "revised communication")
    assert table_numbers(window) == [13]
    search(qtbot, window, "改性活生物体")  # "living modified organisms", official Chinese text
    assert sorted(table_numbers(window)) == [100, 107]
    search(qtbot, window, "الكائنات الحية")  # from the Arabic translation
    assert table_numbers(window) == [100]
    search(qtbot, window, "96")
    assert table_numbers(window)[0] == 96
    # the tree shows only what matches
    tree = window.catalog.tree_model
    assert tree.rowCount() == 1 and tree.activity_count(0) == 1
    window.catalog.filter_bar.search.clear()
    qtbot.waitUntil(lambda: len(table_numbers(window)) == 10, timeout=5000)


def test_search_is_debounced(qtbot, window):
    calls = []
    window.catalog.filter_bar.changed.connect(lambda: calls.append(1))
    qtbot.keyClicks(window.catalog.filter_bar.search, "capacity")
    qtbot.wait(400)
    assert len(calls) == 1  # one search for eight key strokes


def test_pick_an_activity_and_read_every_field(qtbot, window):
    search(qtbot, window, "clearing-house")
    view = window.catalog.table
    window.catalog.views.setCurrentWidget(view)
    row = window.catalog.table_model.row_of(1)
    view.setCurrentIndex(window.catalog.table_model.index(row, 0))
    qtbot.waitUntil(lambda: window.catalog._detail is not None, timeout=5000)
    text = window.catalog.detail_text()
    assert "Develop tools to enable Parties and indigenous peoples" in text
    assert "XII/2 B, para. 8 (f); XI/2" in text  # decisions
    assert "2017-2020" in text  # timeframe
    assert "A common format for capacity needs assessments" in text  # output
    assert "Trends in the number of Parties submitting requests" in text  # indicator
    assert "United Nations Development Programme" in text and "http://www.undp.org" in text  # glossary
    assert "Activities in which the Secretariat may play a role" in text  # footnote
    assert "Unofficial translation; official text: 中文" in text
    assert "Global priority" in text and "Secretariat role" in text


def test_official_text_has_no_notice_and_can_be_shown_from_a_translation(qtbot, window):
    from focalpoint import i18n

    text = detail_text(qtbot, window, 16)
    assert "Unofficial translation" in text
    window.catalog._on_link(__import__("PySide6.QtCore", fromlist=["QUrl"]).QUrl("focalpoint:official"))
    text = window.catalog.detail_text()
    assert "支持能力建设以便将生物多样性纳入发展进程" in text
    i18n.set_language("zh")
    window.retranslate()
    assert "Unofficial translation" not in window.catalog.detail_text()


def test_filters_by_section_priority_secretariat_year_target_and_partner(qtbot, window):
    bar = window.catalog.filter_bar

    def choose(combo, data):
        before = window.catalog._search_seq
        combo.setCurrentIndex(combo.findData(data))
        qtbot.waitUntil(lambda: window.catalog._search_seq > before and not window.runner.busy, timeout=5000)
        return sorted(table_numbers(window))

    assert choose(bar.section, "D") == [97, 100, 107]
    assert choose(bar.priority, True) == [97, 100]
    assert choose(bar.priority, False) == [107]
    bar.clear()
    qtbot.waitUntil(lambda: len(table_numbers(window)) == 10, timeout=5000)
    assert choose(bar.secretariat, True) == [1, 2, 10, 16]
    bar.clear()
    assert choose(bar.year, 2019) == [1, 2, 90, 96, 100, 107]
    bar.clear()
    assert choose(bar.target, 16) == [90, 96]
    bar.clear()
    assert choose(bar.partner, "IDLO") == [90, 96]


def test_keyboard_navigation(qtbot, window):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search_box = window.catalog.filter_bar.search
    assert search_box.hasFocus()
    qtbot.keyClick(search_box, Qt.Key.Key_Down)
    tree = window.catalog.tree
    assert tree.hasFocus()
    assert tree.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == 1  # the first activity, not a heading
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == 2
    qtbot.waitUntil(lambda: window.catalog._detail is not None and window.catalog._detail.detail["number"] == 2,
                    timeout=5000)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.catalog.detail.hasFocus()
    qtbot.keyClick(window.catalog.detail, Qt.Key.Key_Escape)
    assert tree.hasFocus()
    # the list follows the tree
    assert window.catalog.table.currentIndex().row() == window.catalog.table_model.row_of(2)


def test_catalogue_models_pass_the_model_tester(qtmodeltester, window):
    qtmodeltester.check(window.catalog.table_model)
    qtmodeltester.check(window.catalog.tree_model)


def test_status_bar_names_database_and_counts(qtbot, window):
    status = window.status
    assert str(window.db.path) in status.location.text()
    qtbot.waitUntil(lambda: "10 activities" in status.counts.text(), timeout=5000)
    assert "0 records" in status.counts.text() and "0 queued for sync" in status.counts.text()


@pytest.mark.skipif(not shipped_plan_available(), reason="resources/action_plan/action_plan.json not built yet")
def test_shipped_plan_tree_has_110_activities(qtbot, tmp_path):
    from focalpoint.db import open_database
    from focalpoint.ui.catalog_browser import CatalogBrowser
    from focalpoint.ui.tasks import TaskRunner

    db = open_database(tmp_path / "real")
    runner = TaskRunner()
    browser = CatalogBrowser(db, runner)
    qtbot.addWidget(browser)
    with qtbot.waitSignal(browser.loaded, timeout=30000):
        browser.load()
    tree = browser.tree_model
    assert [tree.index(r, 0).data().split(".")[0] for r in range(tree.rowCount())] == ["A", "B", "C", "D"]
    assert sum(tree.activity_count(r) for r in range(tree.rowCount())) == 110
    runner.shutdown()
    db.close()
