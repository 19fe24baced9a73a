""""Changes waiting for you": a reviewer's decision refused by a real hub on loopback is listed,
tried again, opened in the Review tab, and discarded only after two confirmations."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from focalpoint.models import OutboxEntry  # noqa: E402
from focalpoint.review import approve, request_publication, review_queue  # noqa: E402
from focalpoint.sync.status import failed_changes  # noqa: E402
from tests.support.sync import Office, government_codes, publishable_assessment  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("gc_when_threads_stop", "reference_records")]

PASSWORD = "failed-dialog-pw"
_governments = iter([g for g in government_codes() if g not in ("ws",)][20:])


@pytest.fixture
def refused(hub, tmp_path):
    """An author's request and a focal point whose approval the hub refused (a stale revision)."""
    office = Office(hub, tmp_path, next(_governments), PASSWORD)
    author, nfp = office.station("author"), office.station("nfp", "focal-point")
    ident = author.store.save(publishable_assessment(office.gov, "Needs of the coastal provinces")).identifier
    request_publication(author.db, ident)
    assert author.sync().ok and nfp.sync().ok
    item = review_queue(nfp.db)[0]

    class Refused:
        pass

    r = Refused()
    r.author, r.nfp, r.ident, r.workflow_id = author, nfp, ident, item.workflow_id

    approve(nfp.db, item.workflow_id, actor=nfp.engine.actor, revision=item.revision - 1)  # not what is under review
    assert ident in nfp.sync().errors
    yield r
    office.close()


@pytest.fixture
def window(qtbot, refused, runner):
    """The real main window over the focal point's database."""
    from focalpoint.catalog import ensure_catalog
    from focalpoint.ui.compat import protect_none_refcount
    from focalpoint.ui.main_window import MainWindow

    protect_none_refcount()
    ensure_catalog(refused.nfp.db)
    win = MainWindow(refused.nfp.db, runner)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.records.close_editors()
    win.close()
    runner.wait_db_idle()


def _outbox(db) -> list[OutboxEntry]:  # noqa: ANN001
    with db.session() as session:
        return list(session.query(OutboxEntry).order_by(OutboxEntry.seq))


def _answer(monkeypatch, answers: list[bool]) -> list[str]:  # noqa: ANN001
    """Answer the dialog's confirmations from ``answers`` (Yes/No); returns the questions asked."""
    from focalpoint.ui import failed_dialog

    asked: list[str] = []

    def question(parent, title, text, buttons=None, default=None):  # noqa: ANN001, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.Yes if answers.pop(0) else QMessageBox.StandardButton.No

    monkeypatch.setattr(failed_dialog.QMessageBox, "question", question)
    return asked


def _reload(qtbot, dialog) -> None:  # noqa: ANN001
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        dialog.load()


def test_a_refused_decision_is_listed_tried_again_opened_and_discarded(qtbot, monkeypatch, refused, window,
                                                                       runner):
    ext = window.conflicts
    qtbot.waitUntil(lambda: len(ext.failed) == 1, timeout=10000)
    assert ext.failed_action.text().replace("&", "") == "Change waiting for you (1)…"
    ext.failed_action.trigger()
    dialog = ext.failed_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    assert dialog.width() <= 760 and dialog.height() <= 460
    assert dialog.table.item(0, 0).text() == "Needs of the coastal provinces"
    assert dialog.table.item(0, 1).text() == "Approval"
    message = failed_changes(refused.nfp.db)[0]["message"]
    assert message and dialog.table.item(0, 2).text() == message
    assert message in dialog.details.text()
    assert dialog.retry_button.isEnabled() and dialog.discard_button.isEnabled()
    assert dialog.open_button.isVisibleTo(dialog) and dialog.open_button.isEnabled()

    # Open the request: the Review tab, and the request's review screen
    dialog.open_button.click()
    assert window.tabs.currentWidget() is window.review.queue
    assert refused.workflow_id in window.review.screens
    window.review.screens[refused.workflow_id].close()

    # Try again: the change waits to be sent at the next sync
    with qtbot.waitSignal(dialog.changed, timeout=10000) as changed:
        dialog.retry_button.click()
    assert changed.args == [refused.ident]
    qtbot.waitUntil(lambda: dialog.empty.isVisibleTo(dialog), timeout=10000)
    assert failed_changes(refused.nfp.db) == []
    assert [e.state for e in _outbox(refused.nfp.db)] == ["pending"]
    qtbot.waitUntil(lambda: ext.failed == [], timeout=10000)
    assert ext.failed_action.text().replace("&", "") == "Changes waiting for you…"
    assert ext.failed_action.isEnabled()

    # still the wrong revision: refused again
    runner.wait_db_idle()
    assert refused.ident in refused.nfp.sync().errors
    _reload(qtbot, dialog)
    assert dialog.table.rowCount() == 1

    # Discard, the first confirmation declined: nothing happens
    asked = _answer(monkeypatch, [False])
    dialog.discard_button.click()
    assert len(asked) == 1 and "cannot be undone" in asked[0]
    assert "Needs of the coastal provinces" in asked[0]
    runner.wait_db_idle()
    assert len(_outbox(refused.nfp.db)) == 1 and len(failed_changes(refused.nfp.db)) == 1

    # … the second declined: nothing happens either
    asked = _answer(monkeypatch, [True, False])
    dialog.discard_button.click()
    assert len(asked) == 2 and "cannot be undone" in asked[1]
    runner.wait_db_idle()
    assert len(_outbox(refused.nfp.db)) == 1
    assert dialog.message.text() == "Nothing was discarded."

    # both accepted: the change is dropped
    asked = _answer(monkeypatch, [True, True])
    with qtbot.waitSignal(dialog.changed, timeout=10000):
        dialog.discard_button.click()
    assert len(asked) == 2
    assert _outbox(refused.nfp.db) == [] and failed_changes(refused.nfp.db) == []
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0 and dialog.empty.isVisibleTo(dialog), timeout=10000)
    assert dialog.message.text() == "1 change discarded."
    assert not dialog.retry_button.isEnabled() and not dialog.discard_button.isEnabled()
    dialog.close()


def test_the_dialog_alone_asks_for_the_request_and_reads_right_to_left(qtbot, refused, runner, hold):
    """The dialog by itself (no main window): a decision asks for its request; in Arabic it is laid
    out right to left."""
    from PySide6.QtCore import Qt

    from focalpoint.i18n import set_language
    from focalpoint.ui.failed_dialog import FailedChangesDialog

    dialog = hold(FailedChangesDialog(refused.nfp.db, runner))
    qtbot.addWidget(dialog)
    opened = []
    dialog.open_request.connect(opened.append)
    _reload(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    dialog.open_selected()
    assert opened == [refused.workflow_id]
    set_language("ar")
    try:
        from PySide6.QtWidgets import QApplication

        QApplication.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        dialog.retranslate()
        dialog.show()
        assert dialog.isRightToLeft()
        assert dialog.table.isRightToLeft() and dialog.table.rowCount() == 1
    finally:
        QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        set_language("en")
    dialog.close()


def test_the_sync_menu_offers_the_changes_waiting(main_window):
    ext = main_window.conflicts
    actions = main_window.sync_menu.actions()
    assert ext.failed_action in actions
    assert actions.index(ext.failed_action) == actions.index(ext.conflicts_action) + 1
    assert ext.failed_action.objectName() == "failedChangesAction"
    assert ext.failed_action.text().replace("&", "") == "Changes waiting for you…"
    assert ext.failed_action.isEnabled()
    dialog = ext.open_failed_changes()
    assert ext.open_failed_changes() is dialog  # one list, not two
    dialog.close()
