"""Long translations are shown whole on a 1024x600 laptop: no form scrolls sideways, no field label
is cut, the status bar's counts and the Review tab's filters show their full texts (what may give way
ends in "…" and says all in its tooltip).

The checks run in this process on the offscreen platform's default screen, and again in a child
process whose only screen is 1024x600 (``test_on_a_1024x600_laptop_screen``), as
tests/test_ui_screen_fit.py does.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.ui import on_laptop_screen, run_on_laptop_screen  # noqa: E402

pytestmark = pytest.mark.gui
LANGUAGES = ["ru", "ar", "fr", "es", "zh", "en"]


@pytest.fixture(autouse=True)
def _bundled_fonts(qapp):
    """The fonts the app installs at start-up (the widths measured are the ones a person sees)."""
    from focalpoint.ui.fonts import install_application_font

    install_application_font(qapp)


@pytest.fixture
def in_language():
    from focalpoint import i18n

    def switch(lang: str) -> None:
        i18n.set_language(lang)

    yield switch
    i18n.set_language("en")


def settle(qtbot) -> None:
    qtbot.wait(60)  # the deferred fit after showing, and the layouts


def text_fits(label) -> bool:  # noqa: ANN001
    """The label shows its whole text: one line as wide as the text, or wrapped lines all in view."""
    if label.wordWrap():
        return label.height() >= label.heightForWidth(label.width()) - 1
    return label.width() >= label.sizeHint().width()  # the size hint counts a mnemonic's "&" out


def combo_text_fits(combo) -> bool:  # noqa: ANN001
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    return combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width()


def documents(schema: str, lang: str) -> list[dict]:
    """A new, empty record and a complete one (every repeat open) of ``schema``."""
    from focalpoint import forms

    filled = forms.template(schema)
    filled["header"]["languages"] = [lang, "en"] if lang != "en" else ["en"]
    return [forms.empty_document(schema, languages=[lang]), filled]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_form_scrolls_sideways_and_no_label_is_cut(qtbot, main_window, in_language, lang):
    from focalpoint import forms

    in_language(lang)
    for schema in forms.schemas():
        for document in documents(schema, lang):
            editor = main_window.records.open_editor(document, None)
            if editor is None:
                continue  # a type FocalPoint only shows
            editor.show()
            settle(qtbot)
            view = editor.form_view
            assert not view.horizontalScrollBar().isVisible(), (
                lang, schema, view.widget().minimumSizeHint().width(), view.viewport().width())
            for path, row in view.rows():
                if row.isVisible() and row.label.isVisible():
                    assert text_fits(row.label), (lang, schema, path, row.label.text(), row.label.size())
                    assert row.label.geometry().right() <= row.width(), (lang, schema, path)
            editor.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_status_bar_counts_are_whole_and_what_gives_way_says_all_in_its_tooltip(qtbot, main_window,
                                                                                 in_language, lang):
    from PySide6.QtGui import QGuiApplication

    from focalpoint.ui.status import StatusCounts, SyncStatusWidget

    if QGuiApplication.primaryScreen().availableGeometry().width() < 1024:
        pytest.skip("the counts are promised whole from a 1024-pixel-wide screen up (the child run below)")
    in_language(lang)
    area = main_window.status
    area.set_counts(StatusCounts(activities=267, records=1250, queued=14, failed=3,
                                 email="focal.point@environment.gov.ws", server="https://chm.environment.gov.ws/hub",
                                 signed_in=True, last_sync="2026-12-04T09:30:00+00:00"))
    area.sync.set_state(SyncStatusWidget.DONE, "12 changes sent, 40 received")
    settle(qtbot)
    assert text_fits(area.counts), (lang, area.counts.text(), area.counts.width())
    assert main_window.rect().contains(area.counts.geometry().translated(main_window.statusBar().pos()))
    for label in (area.account, area.sync.label, area.location):
        assert label.isVisible() and label.width() > 0, label.objectName()
        assert text_fits(label) or label.text() in label.toolTip(), (lang, label.objectName(), label.text())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_review_filters_show_their_full_texts(qtbot, main_window, in_language, lang):
    in_language(lang)
    main_window.review.show_queue()
    queue = main_window.review.queue
    queue._fill_governments(["ws", "ru"])  # what the queue's requests bring (a DB read)
    queue.retranslate()
    settle(qtbot)
    for caption in (queue.type_caption, queue.government_caption, queue.count_label):
        assert text_fits(caption), (lang, caption.text(), caption.width())
    for combo in (queue.type_filter, queue.government_filter):
        assert combo_text_fits(combo), (lang, combo.objectName(), combo.currentText(), combo.width())
    box = queue.overdue_filter
    assert box.width() >= box.sizeHint().width(), (lang, box.text(), box.width())
    for button in (queue.refresh_button, queue.open_button):
        assert button.width() >= button.sizeHint().width(), (lang, button.text())
    assert queue.rect().contains(queue.open_button.geometry())


@pytest.mark.skipif(on_laptop_screen(), reason="already on the small screen")
def test_on_a_1024x600_laptop_screen(tmp_path):
    """All the above again, in a child process whose only screen is 1024x600."""
    result = run_on_laptop_screen(__file__, tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize("lang", ["ru", "ar", "zh", "fr", "es", "en"])
def test_the_file_dialog_speaks_the_interface_language(qapp, lang):
    """Qt's own file dialog (USB bundles, backups, PDFs) has no English label left: this Qt's
    "&Look in:" and "Files of &type:" find their translations although Qt's catalogues lack the "&"."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QFileDialog, QLabel

    from focalpoint.ui.language import LanguageController

    controller = LanguageController(qapp)
    try:
        controller.switch(lang)
        dialog = QFileDialog()
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
        english = {"lookInLabel": "Look in:", "fileNameLabel": "File name:", "fileTypeLabel": "Files of type:"}
        for name, text in english.items():
            assert labels[name], (lang, name)
            assert (labels[name].replace("&", "") == text) == (lang == "en"), (lang, name, labels[name])
        dialog.deleteLater()
        # a text no catalogue has stays itself (never empty)
        assert QCoreApplication.translate("QFileDialog", "No such text in Qt: %1") == "No such text in Qt: %1"
    finally:
        controller.switch("en")
        controller.detach()


@pytest.mark.parametrize("lang", ["ru", "ar", "fr"])
def test_print_dialogs_fit_with_their_buttons(qtbot, main_window, in_language, lang):
    """The booklet's long section and target titles never push the dialog or its buttons off screen."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QGuiApplication

    in_language(lang)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    dialog = main_window.printing.open_plan_print_dialog()
    settle(qtbot)
    assert dialog.width() <= screen.width(), (lang, dialog.width(), screen.width())
    for widget in (dialog.pdf_button, dialog.printer_button, dialog.close_button, dialog.section, dialog.aichi):
        shown = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        assert widget.isVisible() and screen.contains(shown), (lang, widget.objectName(), shown, screen)
    for button in (dialog.pdf_button, dialog.printer_button, dialog.close_button):
        assert button.width() >= button.sizeHint().width(), (lang, button.text())
    dialog.close()


def test_a_cut_column_heading_says_all_in_its_tooltip(qtbot, main_window, in_language):
    from PySide6.QtCore import Qt

    in_language("ru")
    model = main_window.records.model
    for column in range(model.columnCount()):
        heading = model.headerData(column, Qt.Orientation.Horizontal)
        assert heading and model.headerData(column, Qt.Orientation.Horizontal,
                                            Qt.ItemDataRole.ToolTipRole) == heading


def test_a_status_message_shown_while_the_window_was_hidden_is_not_drawn_over_the_location(qtbot, main_window):
    """A decision or sync summary arriving while the window is hidden (a review window in front, the
    window minimized) used to be drawn over the database location once the window came back."""
    bar = main_window.statusBar()
    location = main_window.findChild(type(main_window.status.location), "databaseLocation")
    main_window.hide()
    main_window.show_status("Decision saved")
    main_window.show()
    qtbot.waitUntil(lambda: bar.isVisible())
    assert bar.currentMessage() == "Decision saved"
    assert not location.isVisible()
    bar.clearMessage()
    assert location.isVisible()
