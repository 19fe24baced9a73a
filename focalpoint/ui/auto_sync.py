"""Sync without being asked: on a schedule, and as soon as the hub can be reached again.

Only for someone who has signed in before (a saved server, e-mail and token): an automatic sync
never opens a dialog. While the hub cannot be reached, it is probed every ``probe_every`` seconds
on the network worker (one small GET); the first successful probe after a failure starts a sync.
Qt's ``QNetworkInformation`` (where the platform has a backend) makes the probe immediate when the
system says the network came back. A sync the person started is never doubled. Whether a token
is saved is asked on the network worker (``SyncController.sync_if_signed_in``): the keyring may
answer over D-Bus, never on the UI thread. UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QNetworkInformation

from focalpoint.db import Database
from focalpoint.ui.signin_dialog import saved_sign_in
from focalpoint.ui.sync_controller import SyncController
from focalpoint.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


def http_probe(server: str) -> bool:
    """``focalpoint.sync.client.probe``, imported on first use (the HTTP client is not needed to
    start the app). Network worker."""
    from focalpoint.sync.client import probe

    return probe(server)


class AutoSync(QObject):
    """Drives ``controller.sync_now()`` by timer and by connectivity; see the module docstring."""

    def __init__(self, controller: SyncController, db: Database, runner: TaskRunner, *, every_s: float = 15 * 60,
                 probe_every_s: float = 60, probe: Callable[[str], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._db = db
        self._runner = runner
        self._probe = probe
        self._reachable: bool | None = None  # unknown until a sync or a probe says
        self.schedule = QTimer(self)
        self.schedule.setInterval(int(every_s * 1000))
        self.schedule.timeout.connect(self.maybe_sync)
        self.prober = QTimer(self)
        self.prober.setInterval(int(probe_every_s * 1000))
        self.prober.timeout.connect(self.probe_now)
        controller.finished.connect(self._after_sync)
        self._watch_network()

    def start(self) -> None:
        """Start the schedule and the probe."""
        self.schedule.start()
        self.prober.start()

    def stop(self) -> None:
        """Stop the schedule and the probe."""
        self.schedule.stop()
        self.prober.stop()

    # -------------------------------------------------------------- triggers

    def maybe_sync(self) -> None:
        """Start a sync if someone is signed in (a token is saved) and none is running; signing in
        needs the person: never a dialog out of the blue."""
        if self._controller.running:
            return
        self._controller.sync_if_signed_in()

    def probe_now(self) -> None:
        """While the hub is (or may be) out of reach, ask whether it answers again."""
        if self._reachable or self._controller.running:
            return
        self._runner.run_db(saved_sign_in, self._db, on_done=self._probe_server)

    def _probe_server(self, saved: tuple[str, str]) -> None:
        server, _email = saved
        if not server:
            return
        self._runner.run_net(self._probe or http_probe, server, on_done=self._probed)

    def _probed(self, reachable: bool) -> None:
        came_back = reachable and self._reachable is not True
        self._reachable = bool(reachable)
        if came_back:
            self.maybe_sync()

    def _after_sync(self, report: Any) -> None:
        if report is None:
            return
        kind = getattr(report, "error_kind", None)
        if kind == "network":
            self._reachable = False
        elif getattr(report, "ok", False):
            self._reachable = True

    # ---------------------------------------------------------- the system's word

    def _watch_network(self) -> None:
        if not QNetworkInformation.loadDefaultBackend():  # no backend on this platform (a headless box)
            log.info("no network information backend: the hub is probed every %s s", self.prober.interval() // 1000)
            return
        info = QNetworkInformation.instance()
        if info is None:
            return

        def changed(reachability: QNetworkInformation.Reachability) -> None:
            if reachability == QNetworkInformation.Reachability.Online:
                self._reachable = None
                self.probe_now()
            else:
                self._reachable = False

        info.reachabilityChanged.connect(changed)
