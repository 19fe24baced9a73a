"""Seeded random network faults between real clients and a real hub: nothing lost, nothing doubled.

A fault-injecting proxy (``focalpoint.sync.testing.FaultProxy``) sits between two
data folders and the hub: connections dropped before and after the server
commits, 5xx answers, stalls past the timeout, duplicated requests, truncated
answers. Each schedule creates, edits (on both sides, sometimes the same field)
and requests publication while the faults happen; once they stop, a few more
syncs must converge: every edit present (or decided, for same-field clashes),
exactly one server record per local record, at most one workflow per request.

The same schedules run against a ``--plain-chm`` hub too (the real CHM's API: no batch, no
idempotency keys, no preconditions, no change feed), fewer of them to keep CI time reasonable.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from focalpoint.models import OutboxEntry, Workflow
from focalpoint.sync.client import Timeouts
from focalpoint.sync.conflicts import conflict_details, resolve_conflict
from focalpoint.sync.status import sync_status
from focalpoint.sync.testing import (
    FaultProxy,
    Station,
    government_codes,
    hub_get,
    national_record,
    needs_assessment,
    publishable_assessment,
    seed_reference_records,
)

PASSWORD = "pw-faults"
SCHEDULES = 200
GROUPS = 4  # one hub per group of schedules
PLAIN_SCHEDULES = 24  # against --plain-chm hubs (seeds 1000...); about a minute
PLAIN_GROUPS = 2
FAST = Timeouts(connect=0.5, read=0.15, write=0.15, pool=0.5)
CALM = Timeouts(connect=10, read=30, write=30, pool=10)


def _start_hubs(tmp_path_factory, groups: int, **options):  # noqa: ANN001, ANN003, ANN202
    from focalpoint.hub.testing import start_hub

    running = []
    try:
        for group in range(groups):
            hub = start_hub(tmp_path=tmp_path_factory.mktemp(f"hub{group}"), **options)
            hub.add_user("seed@example.org", PASSWORD, "authorized-user", "ws")
            seed_reference_records(hub.url, hub.login("seed@example.org", PASSWORD))
            proxy = FaultProxy(hub.url, rate=0.3, stall_seconds=0.2)
            running.append((hub, proxy))
        yield running
    finally:
        for hub, proxy in running:
            proxy.stop()
            hub.stop()


@pytest.fixture(scope="module")
def hubs(tmp_path_factory):
    yield from _start_hubs(tmp_path_factory, GROUPS)


@pytest.fixture(scope="module")
def plain_hubs(tmp_path_factory):
    yield from _start_hubs(tmp_path_factory, PLAIN_GROUPS, plain_chm=True)


def _entries(station: Station) -> int:
    with station.db.session() as session:
        return session.query(OutboxEntry).count()


def _local_ids(station: Station) -> set[str]:
    return {v.identifier for v in station.store.list()}


def _settle(stations: list[Station], decided: dict[tuple[str, str], str]) -> None:
    """Sync until quiet, resolving any conflict with the local side ("mine")."""
    for _round in range(6):
        busy = False
        for station in stations:
            report = station.sync()
            assert report.ok, report.error
            for ident in sync_status(station.db)["conflicts"]:
                fields = {d.path: "mine" for d in conflict_details(station.db, ident)}
                for path in fields:
                    decided[(ident, path)] = station.name
                resolve_conflict(station.db, ident, fields)
                busy = True
            if _entries(station) or report.pushed or report.pulled:
                busy = True
        if not busy:
            return
    raise AssertionError("the stations did not settle")


def _edit(station: Station, ident: str, path: str, value: str) -> None:
    doc = copy.deepcopy(station.document(ident))
    head, _, lang = path.partition(".")
    doc.setdefault(head, {})[lang] = value
    station.store.save(doc)


def run_schedule(hub, proxy: FaultProxy, tmp_path, seed: int, gov: str,  # noqa: ANN001
                 make=needs_assessment, make_complete=publishable_assessment) -> list[str]:  # noqa: ANN001
    """``make``/``make_complete``: the records written (a draft, one complete enough to publish)."""
    rng = random.Random(seed)
    proxy.reseed(seed)
    proxy.enabled = True
    emails = {"a": f"a{seed}@{gov}.org", "b": f"b{seed}@{gov}.org"}
    for email in emails.values():
        hub.add_user(email, PASSWORD, "authorized-user", gov)
    stations = {name: Station(tmp_path / f"{seed}-{name}", proxy.url, email, PASSWORD, timeouts=FAST,
                              seed=seed, max_attempts=3) for name, email in emails.items()}
    a, b = stations["a"], stations["b"]
    a.name, b.name = "a", "b"
    try:
        edits: dict[tuple[str, str], dict[str, str]] = {}  # (record, path) -> {station: value}
        # --- offline creation on both sides
        requested: str | None = None
        created = []
        if rng.random() < 0.4:
            requested = a.store.save(make_complete(gov, f"Publish {seed}")).identifier
            with a.db.session() as session:
                a.store.queue_action(session, requested, "request_publication")
            created.append(requested)
        for i in range(rng.randint(1, 2)):
            created.append(a.store.save(make(gov, f"A{seed}.{i}")).identifier)
        for i in range(rng.randint(0, 2)):
            created.append(b.store.save(make(gov, f"B{seed}.{i}")).identifier)
        for _ in range(rng.randint(1, 2)):
            rng.choice([a, b]).sync()
        b.sync()
        # --- edits on both sides: different fields, sometimes the same one
        for round_ in range(rng.randint(1, 2)):
            for station, path in ((a, "title.en"), (b, "summary.fr")):
                candidates = sorted(_local_ids(station) - {requested})
                if not candidates:
                    continue
                ident = rng.choice(candidates)
                chosen = path if rng.random() < 0.7 else "title.en"
                value = f"{station.name}-{seed}-{round_}-{chosen}"
                _edit(station, ident, chosen, value)
                edits.setdefault((ident, chosen), {})[station.name] = value
            rng.choice([a, b]).sync()
            if rng.random() < 0.5:
                rng.choice([a, b]).sync()
        # --- the faults stop; the stations settle
        proxy.enabled = False
        for station in (a, b):
            station.use_client(timeouts=CALM)
        decided: dict[tuple[str, str], str] = {}
        _settle([a, b], decided)

        # --- convergence: same records, same documents, nothing queued
        ids = _local_ids(a)
        assert ids == _local_ids(b) == set(created)
        for ident in ids:
            ra, rb = a.record(ident), b.record(ident)
            assert ra.sync_state == rb.sync_state == "synced", (ident, ra.sync_error, rb.sync_error)
            assert ra.document == rb.document
            assert ra.server_revision == rb.server_revision
        assert _entries(a) == _entries(b) == 0
        # --- no lost edit: each edited field holds its value, or the side the person chose
        for (ident, path), by in edits.items():
            head, _, lang = path.partition(".")
            final = a.document(ident)[head][lang]
            if len(by) == 1:
                (only,) = by.values()
                assert final == only, (ident, path, final, by)
            else:
                assert final in by.values(), (ident, path, final, by)
        # --- the hub holds exactly these records, at the same revisions; one workflow per request
        token = a.client.token
        listing = hub_get(hub.url, token, "/api/v2013/documents", collection="mydraft", **{"$top": 100})
        on_hub = {item["identifier"]: item["revision"] for item in listing["Items"]}
        published = hub_get(hub.url, token, "/api/v2013/documents", collection="my", **{"$top": 100})
        for item in published["Items"]:
            on_hub.setdefault(item["identifier"], item["revision"])
        assert set(on_hub) == set(created)
        for ident, revision in on_hub.items():
            assert a.record(ident).server_revision == revision
        flows = hub_get(hub.url, token, "/api/v2013/workflows", q=json.dumps({"data.government": gov}))
        per_record: dict[str, int] = {}
        for wf in flows:
            per_record[wf["data"]["identifier"]] = per_record.get(wf["data"]["identifier"], 0) + 1
        assert all(count == 1 for count in per_record.values()), per_record
        if requested:
            assert per_record.get(requested) == 1
            with a.db.session() as session:
                assert session.query(Workflow).filter_by(record_identifier=requested).count() == 1
            assert a.record(requested).status == "submitted"
        return proxy.faults_seen()
    finally:
        for station in stations.values():
            station.close()


@pytest.mark.parametrize("group", range(GROUPS))
def test_random_fault_schedules_converge(hubs, tmp_path, group):
    hub, proxy = hubs[group]
    codes = [c for c in government_codes() if c != "ws"]
    per_group = SCHEDULES // GROUPS
    faults: list[str] = []
    for seed in range(group * per_group, (group + 1) * per_group):
        proxy.log.clear()
        try:
            faults += run_schedule(hub, proxy, tmp_path, seed, codes[seed % per_group])
        except AssertionError as exc:
            raise AssertionError(f"schedule {seed} (faults: {proxy.faults_seen()}): {exc}") from exc
    # the schedules really exercised every kind of fault
    assert set(faults) >= {"drop_before", "drop_after", "error_after", "duplicate", "truncate", "stall_after"}


@pytest.mark.parametrize("group", range(PLAIN_GROUPS))
def test_random_fault_schedules_converge_through_a_plain_chm(plain_hubs, tmp_path, group):
    hub, proxy = plain_hubs[group]
    codes = [c for c in government_codes() if c != "ws"]
    per_group = PLAIN_SCHEDULES // PLAIN_GROUPS
    faults: list[str] = []
    for seed in range(1000 + group * per_group, 1000 + (group + 1) * per_group):
        proxy.log.clear()
        try:
            # the central CHM takes CHM record types only (a national target here)
            faults += run_schedule(hub, proxy, tmp_path, seed, codes[seed % per_group],
                                   make=national_record, make_complete=national_record)
        except AssertionError as exc:
            raise AssertionError(f"plain-CHM schedule {seed} (faults: {proxy.faults_seen()}): {exc}") from exc
        assert "/api/v2013/focalpoint/batch" not in {path.split("?")[0] for _m, path, _f in proxy.log}
    assert set(faults) >= {"drop_before", "drop_after", "error_after", "duplicate", "truncate"}
