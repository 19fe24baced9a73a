"""Sync without being asked: on a schedule and when the hub can be reached again (real hub on loopback).

The network's ups and downs are a fake probe (what we do not ship); the sync itself is real.
"""

from __future__ import annotations

import pytest

from focalpoint.records import RecordStore

pytestmark = pytest.mark.gui
PASSWORD = "correct horse"


def _contact(gov: str, name: str) -> dict:
    return {"header": {"schema": "contact", "languages": ["en"]}, "type": "person", "firstName": name,
            "lastName": "Fale", "organization": {"en": "MNRE"}, "country": {"identifier": gov},
            "emails": ["sione@example.org"]}


def _sign_in_once(qtbot, hub, main_window, gov: str) -> str:
    from focalpoint.ui.sync_controller import SignIn

    email = f"auto@{gov}.org"
    hub.add_user(email, PASSWORD, "authorized-user", gov)
    main_window.sync.ask_sign_in = lambda server, mail, reason: SignIn(hub.url, email, PASSWORD)
    with qtbot.waitSignal(main_window.sync.finished, timeout=30000) as blocker:
        main_window.sync.sync_now()
    assert blocker.args[0].ok
    return email


def test_nobody_signed_in_means_no_sync_and_no_dialog(qtbot, main_window):
    asked = []
    main_window.sync.ask_sign_in = lambda *a: asked.append(a)
    main_window.auto_sync.maybe_sync()
    qtbot.wait(300)
    assert not asked and not main_window.sync.running


def test_scheduled_sync_sends_what_was_saved(qtbot, hub, main_window):
    from tests.support.sync import government_codes

    gov = government_codes()[-3]
    _sign_in_once(qtbot, hub, main_window, gov)
    main_window.sync.ask_sign_in = lambda *a: pytest.fail("an automatic sync must not ask")
    view = RecordStore(main_window.db).save(_contact(gov, "Sione"))
    main_window.auto_sync.schedule.setInterval(50)
    with qtbot.waitSignal(main_window.sync.finished, timeout=30000) as blocker:
        main_window.auto_sync.schedule.start()
    main_window.auto_sync.schedule.stop()
    assert blocker.args[0].ok and blocker.args[0].pushed == 1
    assert RecordStore(main_window.db).get(view.identifier).sync_state == "synced"


def test_sync_starts_when_the_hub_answers_again(qtbot, hub, main_window):
    from tests.support.sync import government_codes

    gov = government_codes()[-4]
    _sign_in_once(qtbot, hub, main_window, gov)
    main_window.sync.ask_sign_in = lambda *a: pytest.fail("an automatic sync must not ask")
    network = {"up": False}
    probes = []

    def probe(server: str) -> bool:
        probes.append(server)
        return network["up"]

    auto = main_window.auto_sync
    auto._probe = probe
    auto._reachable = False  # the last sync found no network
    view = RecordStore(main_window.db).save(_contact(gov, "Offline edit"))
    auto.probe_now()
    qtbot.waitUntil(lambda: len(probes) == 1, timeout=5000)
    qtbot.wait(200)
    assert not main_window.sync.running  # still offline: nothing attempted
    network["up"] = True
    with qtbot.waitSignal(main_window.sync.finished, timeout=30000) as blocker:
        auto.probe_now()
    assert probes[-1] == hub.url.rstrip("/") or hub.url.startswith(probes[-1])
    assert blocker.args[0].ok and blocker.args[0].pushed == 1
    assert RecordStore(main_window.db).get(view.identifier).sync_state == "synced"
    # reachable now: no more probing until a sync fails again
    count = len(probes)
    auto.probe_now()
    qtbot.wait(200)
    assert len(probes) == count


def test_progress_shows_the_bytes_moved(qtbot, hub, main_window):
    from focalpoint.ui.sync_controller import human_size
    from tests.support.sync import government_codes

    assert human_size(850) == "850 B" and human_size(12_700) == "12.4 KB"
    gov = government_codes()[-5]
    _sign_in_once(qtbot, hub, main_window, gov)
    RecordStore(main_window.db).save(_contact(gov, "Bytes"))
    messages = []
    main_window.sync.progress.connect(lambda done, total, message: messages.append(message))
    with qtbot.waitSignal(main_window.sync.finished, timeout=30000):
        main_window.sync.sync_now()
    assert any("so far)" in m and ("KB" in m or " B " in m or m.endswith("B so far)")) for m in messages), messages
