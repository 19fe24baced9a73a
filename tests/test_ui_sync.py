""""Sync now" from the desktop app against a real hub on loopback: sign in, send, status bar."""

from __future__ import annotations

import pytest

from focalpoint.records import RecordStore

pytestmark = pytest.mark.gui
PASSWORD = "correct horse"


def test_sync_now_signs_in_sends_and_reports(qtbot, hub, main_window):
    from focalpoint.ui.sync_controller import SignIn
    from tests.support.sync import government_codes

    gov = government_codes()[-1]
    email = f"ui@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    store = RecordStore(main_window.db)
    view = store.save({"header": {"schema": "contact", "languages": ["en"]}, "type": "person",
                       "firstName": "Ana", "lastName": "Tuilagi", "organization": {"en": "MNRE"},
                       "country": {"identifier": gov}, "emails": ["ana@example.org"]})
    asked = []

    def ask(server, mail, reason):
        asked.append((server, mail, reason))
        return SignIn(hub.url, email, PASSWORD)

    sync = main_window.sync
    sync.ask_sign_in = ask
    assert sync.action.isEnabled()
    with qtbot.waitSignal(sync.finished, timeout=30000) as blocker:
        sync.action.trigger()
    report = blocker.args[0]
    assert report is not None and report.ok, report and report.error
    assert report.pushed == 1, report.errors
    assert len(asked) == 1  # no saved sign-in yet: asked once
    assert store.get(view.identifier).sync_state == "synced"
    status = main_window.status.sync
    assert status.state == status.DONE and "1 change sent" in status.label.text()
    qtbot.waitUntil(lambda: "0 queued for sync" in main_window.status.counts.text(), timeout=5000)
    # the second sync uses the saved sign-in: nothing to ask
    with qtbot.waitSignal(sync.finished, timeout=30000) as blocker:
        sync.action.trigger()
    assert blocker.args[0].ok and len(asked) == 1


def test_sync_cancelled_at_sign_in_changes_nothing(qtbot, main_window):
    main_window.sync.ask_sign_in = lambda server, mail, reason: None
    with qtbot.waitSignal(main_window.sync.finished, timeout=10000) as blocker:
        main_window.sync.action.trigger()
    assert blocker.args[0] is None
    assert main_window.status.sync.state == main_window.status.sync.IDLE


def test_wrong_password_is_said_in_words(qtbot, hub, main_window):
    from focalpoint.ui.sync_controller import SignIn

    hub.add_user("wrong@ws.org", PASSWORD, "authorized-user", "ws")
    main_window.sync.ask_sign_in = lambda server, mail, reason: SignIn(hub.url, "wrong@ws.org", "not it")
    with qtbot.waitSignal(main_window.sync.finished, timeout=30000) as blocker:
        main_window.sync.action.trigger()
    report = blocker.args[0]
    assert report.error_kind == "auth"
    status = main_window.status.sync
    assert status.state == status.ERROR and "email and password" in status.label.text()


def test_the_sync_summary_follows_a_language_switch(qtbot):
    """The summary of the last sync is words asked again in the new language, not a string kept
    in the old one."""
    from types import SimpleNamespace

    from focalpoint.i18n import get_language, set_language
    from focalpoint.ui.status import SyncStatusWidget
    from focalpoint.ui.sync_controller import SyncController

    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    report = SimpleNamespace(pushed=2, pulled=3, conflicts=[], errors={})
    before = get_language()
    try:
        set_language("en")
        widget.set_state(widget.DONE, lambda: SyncController.summary(report))
        english = widget.label.text()
        assert "2 changes sent" in english
        set_language("fr")
        widget.retranslate()
        french = widget.label.text()
        assert french != english and "2" in french and "sent" not in french
    finally:
        set_language(before)
