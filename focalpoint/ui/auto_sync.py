"""Sync without being asked: on a schedule, and as soon as the hub can be reached again.

Only for someone who has signed in before (a saved server, e-mail and token): an automatic sync
never opens a dialog. While the hub cannot be reached, it is probed every ``probe_every`` seconds
on the network worker (one small GET); the first successful probe after a failure starts a sync.
Qt's ``QNetworkInformation`` (where the platform has a backend) makes the probe immediate when the
system says the network came back. A sync the person started is never doubled. UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from focalpoint.db import Database


def _saved_sign_in(db: Database) -> tuple[str | None, str | None]:
    from focalpoint.sync import localstore as ls

    with db.session() as session:
        return ls.get_meta(session, "sync.server"), ls.get_meta(session, "sync.email")


class AutoSync(QObject):
    """Drives ``controller.sync_now()`` by timer and by connectivity; see the module docstring."""

    def __init__(self, controller, db: Database, runner, *, every_s: float = 15 * 60,  # noqa: ANN001
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
        self.schedule.start()
        self.prober.start()

    def stop(self) -> None:
        self.schedule.stop()
        self.prober.stop()

    # -------------------------------------------------------------- triggers

    def maybe_sync(self) -> None:
        """Start a sync if someone is signed in and none is running."""
        if self._controller.running or not getattr(self._controller, "_available", True):
            return
        self._runner.run_db(_saved_sign_in, self._db, on_done=self._start_if_signed_in)

    def _start_if_signed_in(self, saved: tuple[str | None, str | None]) -> None:
        server, email = saved
        if not server or not email or self._controller.running:
            return
        if not self._controller.tokens().get(server, email):
            return  # signing in needs the person: never a dialog out of the blue
        self._controller.sync_now()

    def probe_now(self) -> None:
        """While the hub is (or may be) out of reach, ask whether it answers again."""
        if self._reachable or self._controller.running:
            return
        self._runner.run_db(_saved_sign_in, self._db, on_done=self._probe_server)

    def _probe_server(self, saved: tuple[str | None, str | None]) -> None:
        server, _email = saved
        if not server:
            return
        probe = self._probe
        if probe is None:
            from focalpoint.sync.client import probe as http_probe

            probe = http_probe
        self._runner.run_net(probe, server, on_done=self._probed)

    def _probed(self, reachable: bool) -> None:
        came_back = reachable and self._reachable is not True
        self._reachable = bool(reachable)
        if came_back:
            self.maybe_sync()

    def _after_sync(self, report) -> None:  # noqa: ANN001
        if report is None:
            return
        kind = getattr(report, "error_kind", None)
        if kind == "network":
            self._reachable = False
        elif getattr(report, "ok", False):
            self._reachable = True

    # ---------------------------------------------------------- the system's word

    def _watch_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        try:
            if not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
        except Exception:  # no backend on this platform (a headless Linux box has none)
            return
        if info is None:
            return

        def changed(reachability) -> None:  # noqa: ANN001
            if reachability == QNetworkInformation.Reachability.Online:
                self._reachable = None
                self.probe_now()
            else:
                self._reachable = False

        info.reachabilityChanged.connect(changed)
