"""Switching the interface language while the app runs: every visible label, Qt's own texts, direction, digits."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from focalpoint import i18n  # noqa: E402
from tests.support.ui import close_main_window, make_database, open_main_window, write_sample_plan  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop")]


@pytest.fixture
def app_window(qtbot, tmp_path):
    from focalpoint.ui.language import LanguageController
    from focalpoint.ui.settings import open_settings

    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    db = make_database(data, plan)
    settings = open_settings(data)
    controller = LanguageController(QApplication.instance(), settings)
    controller.apply("en")
    win = open_main_window(qtbot, db, plan, language=controller, settings=settings)
    yield win, controller, data
    win.records.close_editors()
    controller.switch("en")
    controller.detach()
    close_main_window(win)


def _show_activity(qtbot, win, number: int) -> None:
    win.catalog.show_activity(number)
    qtbot.waitUntil(lambda: win.catalog._detail is not None and win.catalog._detail.detail["number"] == number,
                    timeout=5000)


def test_language_menu_lists_the_six_languages_in_their_own_names(app_window):
    win, _controller, _data = app_window
    names = [a.text() for a in win.language_menu.actions()]
    assert names == ["العربية", "English", "Español", "Français", "Русский", "中文"]
    assert win.language_actions["en"].isChecked()


def test_switching_to_chinese_relabels_data_and_is_remembered(qtbot, app_window):
    win, _controller, data = app_window
    _show_activity(qtbot, win, 100)
    assert "Organize training courses on risk assessment" in win.catalog.detail_text()
    win.language_actions["zh"].trigger()
    assert i18n.get_language() == "zh"
    assert win.language_actions["zh"].isChecked()
    assert "组织关于改性活生物体风险评估的培训课程" in win.catalog.detail_text()
    tree = win.catalog.tree_model
    assert tree.index(0, 0).data().startswith("A. 将由秘书处执行和协调")
    assert QCoreApplication.translate("QLineEdit", "&Undo") == "撤消(&U)"  # Qt's own texts follow
    stored = QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat).value("ui/language")
    assert stored == "zh"


def test_arabic_turns_the_whole_app_right_to_left_with_latin_digits(qtbot, app_window):
    win, controller, _data = app_window
    editor = win.records.new_record("contact")
    controller.switch("ar")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert win.isRightToLeft() and win.catalog.tree.isRightToLeft() and editor.isRightToLeft()
    assert QLocale().zeroDigit() == "0"
    assert QLocale().toString(1234567) == "1,234,567"
    assert QCoreApplication.translate("QLineEdit", "&Undo") == "&تراجع"
    _show_activity(qtbot, win, 100)
    assert "تنظيم دورات تدريبية بشأن تقييم مخاطر الكائنات الحية المحورة" in win.catalog.detail_text()
    assert 'dir="rtl"' in win.catalog.detail.toHtml() or win.catalog.detail.isRightToLeft()
    controller.switch("fr")
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert not editor.isRightToLeft()


def _visible_texts(win, editor) -> dict[str, str]:
    """Interface texts (not data) of the main window and an editor, by where they are."""
    texts: dict[str, str] = {}
    for m, action in enumerate(win.menuBar().actions()):
        texts[f"menu {m}"] = action.text()
        for a, sub in enumerate(action.menu().actions()):
            if sub.text() and sub.data() is None and not sub.isSeparator() and sub.menu() is None:
                texts[f"action {m}.{a}"] = sub.text()
    for i in range(win.tabs.count()):
        texts[f"tab {i}"] = win.tabs.tabText(i)
    cat = win.catalog
    bar = cat.filter_bar
    texts["search label"] = bar.search_label.text()
    texts["search placeholder"] = bar.search.placeholderText()
    texts["clear"] = bar.clear_button.text()
    texts["result count"] = bar.result_label.text()
    for combo in (bar.section, bar.target, bar.partner, bar.priority, bar.secretariat, bar.year):
        texts[f"combo {combo.objectName()}"] = combo.itemText(0)
    for i in range(cat.views.count()):
        texts[f"view tab {i}"] = cat.views.tabText(i)
    for col in range(cat.table_model.columnCount()):
        texts[f"activity column {col}"] = cat.table_model.headerData(col, Qt.Orientation.Horizontal)
    for col in range(win.records.model.columnCount()):
        texts[f"record column {col}"] = win.records.model.headerData(col, Qt.Orientation.Horizontal)
    texts["db location"] = win.status.location.text()
    texts["counts"] = win.status.counts.text()
    texts["sync"] = win.status.sync.label.text()
    for a, action in enumerate(win.records.toolbar.actions()):
        if not action.isSeparator():
            texts[f"records action {a}"] = action.text()
    texts["records search"] = win.records.search.placeholderText()
    texts["records status"] = win.records.status_filter.itemText(0)
    for a, action in enumerate(editor.toolbar.actions()):
        if action.text():
            texts[f"editor action {a}"] = action.text()
    texts["editor languages"] = editor.languages_label.text()
    texts["editor state"] = editor.state_label.text()
    texts["editor problems tab"] = editor.side.tabText(0)
    texts["editor add need"] = editor.form_view.field_rows["needs"].widget.add_button.text()
    return texts


def test_switching_re_translates_every_visible_widget(qtbot, app_window, monkeypatch):
    """With pseudo-translation on, every interface text must change when the language switches."""
    win, controller, _data = app_window
    editor = win.records.new_record("capacityNeedsAssessment", languages=["en"])
    qtbot.waitUntil(lambda: win.status.counts.text() != "", timeout=5000)
    before = _visible_texts(win, editor)
    monkeypatch.setenv("FOCALPOINT_PSEUDO", "1")
    controller.switch("fr")
    after = _visible_texts(win, editor)
    stale = {k: v for k, v in after.items() if "~" not in v}
    assert not stale, f"not re-translated: {stale}"
    assert before.keys() == after.keys()
    monkeypatch.delenv("FOCALPOINT_PSEUDO")
    controller.switch("en")
    assert _visible_texts(win, editor) == before


def test_form_labels_follow_the_language(qtbot, app_window):
    win, controller, _data = app_window
    editor = win.records.new_record("capacityNeedsAssessment", languages=["en"])
    title_row = editor.form_view.field_rows["title"]
    english = title_row.label.text()
    controller.switch("es")
    from focalpoint.forms import load_form

    spanish = load_form("capacityNeedsAssessment").field("title").label["es"]
    assert title_row.label.text().startswith(spanish) and title_row.label.text() != english


@pytest.mark.parametrize("lang", ["ar", "en", "es", "fr", "ru", "zh"])
def test_the_window_fits_a_small_laptop_screen_in_every_language(qtbot, app_window, lang):
    """Long Russian or French names in a filter must not push the window past 1024 pixels; the
    drop-down still shows them in full."""
    win, controller, _data = app_window
    controller.switch(lang)
    qtbot.wait(50)
    assert win.minimumSizeHint().width() <= 1024, [
        (win.tabs.widget(i).objectName(), win.tabs.widget(i).minimumSizeHint().width()) for i in range(win.tabs.count())]
    assert win.minimumSizeHint().height() <= 600
    from PySide6.QtWidgets import QComboBox

    combo = win.findChild(QComboBox, "reviewTypeFilter")
    assert combo.count() > 3
    longest = combo.view().sizeHintForColumn(0)
    assert combo.view().minimumWidth() >= longest > combo.width() / 2
