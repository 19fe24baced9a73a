"""The record's sync state as a state machine (Hypothesis stateful testing), against a real hub.

Three computers of one government share records: ``off`` has no link and travels by USB stick
through ``car``; ``col`` is a colleague online. Hypothesis chooses edits (sometimes of the same
field), syncs, sticks both ways, conflict decisions and re-exports in any order, and after every
step checks the promises that a flag never outlives its cause:

* a conflict names fields and has a change waiting to be sent; ``sync_state`` is exactly what the
  record's conflict, outbox entries and their errors imply; ``sync status`` lists the same conflicts;
* a change written to a stick is never rewritten (its key names that payload for good);
* a change acknowledged by a records bundle has left the offline computer's outbox.

At the end the link comes back for everyone: all three converge, nothing waits, no edit is lost.
"""

from __future__ import annotations

import copy
import itertools
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from focalpoint.models import OutboxEntry, Record
from focalpoint.sync.bundle import delivered_acks, export_outbox_bundle, export_records_bundle, import_bundle
from focalpoint.sync.conflicts import conflict_details, resolve_conflict
from focalpoint.sync.recordstate import SAVE_LIKE, entries_of, has_conflict
from focalpoint.sync.status import sync_status
from tests.support.sync import Station, government_codes, needs_assessment

PASSWORD = "state-machine-pw"
FIELDS = ("title.en", "summary.en", "summary.fr")
_governments = iter([g for g in government_codes() if g != "ws"][120:])
_runs = itertools.count()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        yield running


def _derived_state(session, rec: Record) -> str:  # noqa: ANN001
    entries = entries_of(session, rec.identifier)
    if rec.conflict is not None:
        return "conflict"
    if not entries:
        return "synced" if rec.server_revision is not None else "local"
    if any(e.state == "failed" or e.last_error for e in entries):
        return "error"
    return "queued"


@pytest.mark.timeout(900)
def test_sync_state_machine(hub, tmp_path_factory):
    gov = next(_governments)
    for name in ("off", "car", "col"):
        hub.add_user(f"{name}@{gov}.org", PASSWORD, "authorized-user", gov)

    class SyncMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            run = next(_runs)
            base = tmp_path_factory.mktemp(f"run{run}")
            self.st = {name: Station(base / name, hub.url, f"{name}@{gov}.org", PASSWORD)
                       for name in ("off", "car", "col")}
            self.sticks = itertools.count()
            self.base = base
            self.frozen: dict[str, dict] = {}  # entry id → payload written to a stick
            self.acked: set[str] = set()
            self.values: dict[tuple[str, str], set[str]] = {}
            self.ids = []
            for i in range(2):
                self.ids.append(self.st["col"].store.save(needs_assessment(gov, f"Shared {run}.{i}")).identifier)
            assert self.st["col"].sync().ok and self.st["car"].sync().ok
            self._records_to_off()

        def teardown(self) -> None:
            for station in getattr(self, "st", {}).values():
                station.close()

        # ---------------------------------------------------------------- helpers

        def _records_to_off(self) -> None:
            path = self.base / f"back-{next(self.sticks)}.fpb"
            with self.st["car"].db.session() as session:
                delivered = {ack["entry_id"] for ack in delivered_acks(session)}
            export_records_bundle(self.st["car"].db, path, government=gov)
            import_bundle(self.st["off"].db, path)
            self.acked |= delivered

        # ------------------------------------------------------------------ rules

        @rule(who=st.sampled_from(["off", "car", "col"]), which=st.integers(0, 1),
              field=st.sampled_from(FIELDS), n=st.integers(0, 999))
        def edit(self, who: str, which: int, field: str, n: int) -> None:
            station = self.st[who]
            ident = self.ids[which]
            doc = station.document(ident)
            if doc is None or station.record(ident).conflict is not None:
                return
            doc = copy.deepcopy(doc)
            head, _, lang = field.partition(".")
            value = f"{who}-{n}"
            doc.setdefault(head, {})[lang] = value
            station.store.save(doc)
            self.values.setdefault((ident, field), set()).add(value)

        @rule(who=st.sampled_from(["car", "col"]))
        def sync(self, who: str) -> None:
            report = self.st[who].sync()
            assert report.ok, report.error

        @rule()
        def stick_to_carrier(self) -> None:
            path = self.base / f"stick-{next(self.sticks)}.fpb"
            export_outbox_bundle(self.st["off"].db, path)
            with self.st["off"].db.session() as session:
                for entry in session.query(OutboxEntry):
                    self.frozen.setdefault(entry.entry_id, copy.deepcopy(entry.payload))
            import_bundle(self.st["car"].db, path)

        @rule()
        def records_back_to_offline(self) -> None:
            self._records_to_off()

        @rule(who=st.sampled_from(["off", "car", "col"]), choice=st.sampled_from(["mine", "theirs"]))
        def decide_conflicts(self, who: str, choice: str) -> None:
            station = self.st[who]
            for ident in sync_status(station.db)["conflicts"]:
                resolve_conflict(station.db, ident, {d.path: choice for d in conflict_details(station.db, ident)})

        # ------------------------------------------------------------- invariants

        @invariant()
        def flags_follow_their_causes(self) -> None:
            for name, station in getattr(self, "st", {}).items():
                with station.db.session() as session:
                    conflicted = []
                    for rec in session.query(Record):
                        if rec.conflict is not None:
                            assert has_conflict(rec), (name, rec.identifier, rec.conflict)
                            assert any(e.action in SAVE_LIKE for e in entries_of(session, rec.identifier)), \
                                (name, rec.identifier, "a conflict with nothing waiting")
                            conflicted.append(rec.identifier)
                        if rec.sync_state != "syncing":
                            assert rec.sync_state == _derived_state(session, rec), \
                                (name, rec.identifier, rec.sync_state, _derived_state(session, rec))
                    assert sorted(conflicted) == sync_status(station.db)["conflicts"], name

        @invariant()
        def sticks_are_never_rewritten(self) -> None:
            if not hasattr(self, "st"):
                return
            with self.st["off"].db.session() as session:
                for entry in session.query(OutboxEntry):
                    if entry.entry_id in self.frozen:
                        assert entry.payload == self.frozen[entry.entry_id], entry.entry_id

        @invariant()
        def acknowledged_changes_have_left(self) -> None:
            if not hasattr(self, "st"):
                return
            with self.st["off"].db.session() as session:
                left = {e.entry_id for e in session.query(OutboxEntry)} & self.acked
            assert not left, left

        # ------------------------------------------------------------------ the end

        def converge(self) -> None:
            off, car, col = self.st["off"], self.st["car"], self.st["col"]
            for _ in range(5):
                for name in ("off", "car", "col"):
                    self.decide_conflicts(name, "mine")
                self.stick_to_carrier()
                for station in (car, col, car):
                    assert station.sync().ok
                self.decide_conflicts("car", "mine")
                self.decide_conflicts("col", "mine")
                quiet = True
                for station in (car, col, car):
                    report = station.sync()
                    assert report.ok
                    quiet = quiet and not (report.pushed or report.pulled or report.merged)
                self._records_to_off()
                waiting = [len(s.store.pending_outbox()) for s in (off, car, col)]
                if quiet and not any(waiting):
                    break
            assert [len(s.store.pending_outbox()) for s in (off, car, col)] == [0, 0, 0]
            for ident in self.ids:
                docs = [s.document(ident) for s in (off, car, col)]
                assert docs[0] == docs[1] == docs[2], ident
                for station in (off, car, col):
                    assert station.record(ident).sync_state == "synced"
                for field in FIELDS:
                    head, _, lang = field.partition(".")
                    written = self.values.get((ident, field))
                    if written:  # the last word is one of the values somebody wrote
                        assert docs[0][head][lang] in written, (ident, field, docs[0][head][lang], written)

    class Checked(SyncMachine):
        def teardown(self) -> None:
            try:
                if hasattr(self, "st"):
                    self.converge()
            finally:
                super().teardown()

    Checked.TestCase.settings = settings(max_examples=int(os.environ.get("FOCALPOINT_STATE_EXAMPLES", "15")), stateful_step_count=12, deadline=None,
                                         suppress_health_check=list(HealthCheck))
    Checked.TestCase().runTest()
