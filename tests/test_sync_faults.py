"""Seeded random network faults between real clients and a real hub: nothing lost, nothing doubled.

A fault-injecting proxy (``tests.support.sync.FaultProxy``) sits between two
data folders and the hub: connections dropped before and after the server
commits, 5xx answers, stalls past the timeout, duplicated requests, truncated
answers. Each schedule creates, edits (on both sides, sometimes the same field)
and requests publication while the faults happen; once they stop, a few more
syncs must converge: every edit present (or decided, for same-field clashes),
exactly one server record per local record, at most one workflow per request.

A third computer has no link at all: it gets its records on a USB stick from a connected one,
edits offline, and sends its changes by stick through one connected computer (sometimes a second
stick, with the same changes again, through the other, before it heard back); once the faults stop
it gets a records bundle back from its carrier, with the acknowledgements. A focal point reviews
the publication request (approves or rejects it) during the faults, and the removal of a record
it published (asked for by its author, approved or rejected), during the faults too.

Some schedules attach files (one content sometimes to two records, and on the computer with no
link, whose files travel by stick); one computer fetches every file. Once settled, each record's
files are on the hub, byte for byte, once per record and content, and on every computer that
fetched them.

The same schedules run against a ``--plain-chm`` hub too (the real CHM's API: no batch, no
idempotency keys, no preconditions, no change feed), fewer of them to keep CI time reasonable.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import json
import random
from collections.abc import Callable

import pytest

from focalpoint.forms.attachments import attachment_path, attachment_values
from focalpoint.models import OutboxEntry, Workflow
from focalpoint.records.attachments import attach_to_record, write_settings
from focalpoint.review import approve, reject, request_deletion, review_queue
from focalpoint.sync.bundle import export_outbox_bundle, export_records_bundle, import_bundle
from focalpoint.sync.client import Timeouts
from focalpoint.sync.conflicts import conflict_details, resolve_conflict
from focalpoint.sync.status import sync_status
from tests.support.sync import (
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
EXERCISED: collections.Counter[str] = collections.Counter()  # what the schedules really did
FAST = Timeouts(connect=0.5, read=0.15, write=0.15, pool=0.5)
CALM = Timeouts(connect=10, read=30, write=30, pool=10)


def _start_hubs(tmp_path_factory, groups: int, **options):  # noqa: ANN001, ANN003, ANN202
    from tests.support.hub import start_hub

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


def _records_bundle(carrier: Station, path, gov: str):  # noqa: ANN001, ANN202
    export_records_bundle(carrier.db, path, government=gov)
    return path


def _approve_or_reject(rng: random.Random, reviewer: Station, identifier: str, reason: str) -> str:
    """The reviewer approves the request about ``identifier`` or rejects it with ``reason``, as ``rng``
    picks, then syncs; returns "approve" or "reject"."""
    decision = rng.choice(["approve", "reject"])
    if decision == "approve":
        approve(reviewer.db, identifier, actor=reviewer.engine.actor)
    else:
        reject(reviewer.db, identifier, reason, actor=reviewer.engine.actor)
    reviewer.sync()
    return decision


def _edit(station: Station, ident: str, path: str, value: str) -> None:
    doc = copy.deepcopy(station.document(ident))
    head, _, lang = path.partition(".")
    doc.setdefault(head, {})[lang] = value
    station.store.save(doc)


def _attach_some(station: Station, idents: list[str], rng: random.Random, folder, files: dict[str, bytes]) -> None:  # noqa: ANN001
    """Attach a small file to one or two of ``idents`` (the same content to both, sometimes)."""
    content = rng.randbytes(rng.randint(20_000, 90_000))
    path = folder / f"{station.name}-{len(files)}.pdf"
    path.write_bytes(content)
    chosen = rng.sample(idents, min(len(idents), rng.choice([1, 1, 2])))
    for ident in chosen:
        attach_to_record(station.store, ident, path)
    files[hashlib.sha256(content).hexdigest()] = content
    EXERCISED.update(["files", "shared file" if len(chosen) > 1 else "one file"])


def _check_files(hub, stations: list[Station], fetched: list[Station], files: dict[str, bytes], token: str) -> None:  # noqa: ANN001
    """No file lost, none corrupted, none twice: each record's files are on the hub (its own
    attachment, once) with the right bytes; every computer holding a content holds it whole."""
    a = stations[0]
    named: dict[str, set[str]] = {}
    for view in a.store.list():
        for value in attachment_values(view.document):
            named.setdefault(view.identifier, set()).add(value["sha256"])
            assert f"/documents/{view.identifier}/attachments/" in value.get("url", ""), (view.identifier, value)
    assert {sha for shas in named.values() for sha in shas} <= set(files)
    for ident, shas in named.items():
        listing = hub_get(hub.url, token, f"/api/v2013/documents/{ident}/attachments")["Items"]
        on_hub = [item["sha256"] for item in listing]
        assert sorted(on_hub) == sorted(set(on_hub)) and set(on_hub) >= shas, (ident, on_hub, shas)
        for sha in shas:
            assert hub.app.state.files.content_path(sha).read_bytes() == files[sha]
    for station in stations:
        for sha, content in files.items():
            path = attachment_path(station.data_dir, sha)
            if path.exists():
                assert path.read_bytes() == content, (station.name, sha)
        leftovers = [p.name for p in (station.data_dir / "attachments").glob("*")
                     if len(p.name) != 64 and not p.name.startswith(".partial-")] \
            if (station.data_dir / "attachments").is_dir() else []
        assert leftovers == [], (station.name, leftovers)
    for station in fetched:
        for shas in named.values():
            for sha in shas:
                assert attachment_path(station.data_dir, sha).read_bytes() == files[sha], (station.name, sha)


def run_schedule(hub, proxy: FaultProxy, tmp_path, seed: int, gov: str,  # noqa: ANN001
                 make=needs_assessment, make_complete=publishable_assessment,  # noqa: ANN001
                 second_stick: bool = True, with_files: bool = False) -> list[str]:
    """``make``/``make_complete``: the records written (a draft, one complete enough to publish).
    ``second_stick``: the offline computer may send the same changes through both connected ones
    (the hub recognizes the second delivery by its key; the real CHM has no keys, so a second
    delivery through another account meets the first as a conflict there). ``with_files``: some
    schedules attach files (drawn from their own random source, so the rest of the schedule is
    the same as without)."""
    rng = random.Random(seed)
    files_rng = random.Random(seed * 7919 + 17)
    files: dict[str, bytes] = {}
    use_files = with_files and files_rng.random() < 0.35
    proxy.reseed(seed)
    proxy.enabled = True
    emails = {"a": f"a{seed}@{gov}.org", "b": f"b{seed}@{gov}.org", "c": f"c{seed}@{gov}.org",
              "r": f"r{seed}@{gov}.org"}
    for name, email in emails.items():
        hub.add_user(email, PASSWORD, "focal-point" if name == "r" else "authorized-user", gov)
    stations = {name: Station(tmp_path / f"{seed}-{name}", proxy.url, email, PASSWORD, timeouts=FAST,
                              seed=seed, max_attempts=3) for name, email in emails.items()}
    a, b, c, r = stations["a"], stations["b"], stations["c"], stations["r"]
    for name, station in stations.items():
        station.name = name
    usb = tmp_path / f"{seed}-usb"
    usb.mkdir()
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
        if use_files:
            _attach_some(a, sorted(_local_ids(a) - {requested}), files_rng, usb, files)
            write_settings(b.db, download_all=True)  # b fetches every file, through the faults
        for _ in range(rng.randint(1, 2)):
            rng.choice([a, b]).sync()
        b.sync()
        # --- the computer with no link gets its records by stick, and works offline
        carrier = rng.choice([a, b])
        import_bundle(c.db, _records_bundle(carrier, usb / "to-c-0.fpb", gov))
        c_ids = sorted(_local_ids(c) - {requested})
        if c_ids:
            ident = rng.choice(c_ids)
            chosen = "summary.en" if rng.random() < 0.7 else "title.en"
            value = f"c-{seed}-{chosen}"
            _edit(c, ident, chosen, value)
            edits.setdefault((ident, chosen), {})["c"] = value
        if rng.random() < 0.5:
            created.append(c.store.save(make(gov, f"C{seed}")).identifier)
            if use_files and files_rng.random() < 0.6:  # its file travels on the stick
                _attach_some(c, [created[-1]], files_rng, usb, files)
        export_outbox_bundle(c.db, usb / "from-c-1.fpb")
        import_bundle(carrier.db, usb / "from-c-1.fpb")
        second_carrier = None
        if second_stick and rng.random() < 0.4:  # the same changes again, through the other computer, before any answer
            second_carrier = b if carrier is a else a
            export_outbox_bundle(c.db, usb / "from-c-2.fpb")
            imported = import_bundle(second_carrier.db, usb / "from-c-2.fpb")
            if imported.skipped:  # it has unsent changes of its own on that record: it syncs first
                second_carrier = None
        # --- a focal point reviews the request while the faults go on
        decision = None
        if requested and rng.random() < 0.6:
            r.sync()
            if any(item.identifier == requested for item in review_queue(r.db)):
                decision = _approve_or_reject(rng, r, requested, f"Rejected in schedule {seed}")
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
        # --- a published record's removal is asked for, and decided, while the faults go on
        removal = None
        if decision == "approve" and rng.random() < 0.6:
            a.sync()
            if a.record(requested).status == "published":
                request_deletion(a.db, requested, actor=a.engine.actor)
                removal = "pending"
                a.sync()
                r.sync()
                if any(i.identifier == requested and i.removal for i in review_queue(r.db)):
                    removal = _approve_or_reject(rng, r, requested, f"Keep it, schedule {seed}")
        EXERCISED.update([f"decision:{decision}", f"removal:{removal}", "usb",
                          "second stick" if second_carrier is not None else "one stick"])
        # --- the faults stop; the stations settle
        proxy.enabled = False
        for station in (a, b, r):
            station.use_client(timeouts=CALM)
        decided: dict[tuple[str, str], str] = {}
        _settle([a, b, r], decided)
        # --- the stick comes back to the computer with no link: what it sent is acknowledged
        back = import_bundle(c.db, _records_bundle(carrier, usb / "to-c-1.fpb", gov))
        if second_carrier is not None:
            import_bundle(c.db, _records_bundle(second_carrier, usb / "to-c-2.fpb", gov))
        assert _entries(c) == 0, ("the offline computer still holds delivered changes", back.to_json())
        assert not back.conflicts, back.to_json()

        # --- convergence: same records, same documents, nothing queued
        live = set(created) - ({requested} if removal == "approve" else set())
        ids = _local_ids(a)
        assert ids == _local_ids(b) == live
        for ident in ids:
            ra, rb = a.record(ident), b.record(ident)
            assert ra.sync_state == rb.sync_state == "synced", (ident, ra.sync_error, rb.sync_error)
            assert ra.document == rb.document
            assert ra.server_revision == rb.server_revision
        assert _entries(a) == _entries(b) == _entries(r) == 0
        for ident in ids:  # the offline computer holds what the others hold
            rc = c.record(ident)
            assert rc is not None and rc.document == a.document(ident), ident
            assert rc.sync_state == "synced" and rc.server_revision == a.record(ident).server_revision
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
        assert set(on_hub) == live
        for ident, revision in on_hub.items():
            assert a.record(ident).server_revision == revision
        flows = hub_get(hub.url, token, "/api/v2013/workflows", q=json.dumps({"data.government": gov}))
        per_request: dict[tuple[str, str], int] = {}
        for wf in flows:
            key = (wf["data"]["identifier"], wf["type"])
            per_request[key] = per_request.get(key, 0) + 1
        assert all(count == 1 for count in per_request.values()), per_request  # one workflow per request
        if files:
            _check_files(hub, [a, b, c, r], [b], files, token)
        if requested:
            assert per_request.get((requested, "deleteRecord"), 0) == (1 if removal else 0)
            with a.db.session() as session:
                assert session.query(Workflow).filter_by(record_identifier=requested).count() == (2 if removal else 1)
            if removal == "approve":  # removed from the clearing-house, and from every computer
                for station in (a, b, r, c):
                    assert station.record(requested) is None or station.record(requested).deleted, station.name
            else:
                expected = {None: "submitted", "approve": "published", "reject": "rejected"}[decision]
                if removal == "reject":
                    expected = "published"
                elif removal == "pending":
                    expected = "removal"
                assert a.record(requested).status == expected, (decision, removal, a.record(requested).status)
                assert r.record(requested).status == expected, (decision, removal, r.record(requested).status)
        return proxy.faults_seen()
    finally:
        for station in stations.values():
            station.close()


def _run_schedules(hub, proxy, tmp_path, seeds: range, label: str,  # noqa: ANN001
                   after_each: Callable[[], None] | None = None, **options) -> list[str]:  # noqa: ANN003
    """Run the schedules of ``seeds`` one after another (each government used once per group), with
    ``after_each`` checking the proxy's log of each; the faults they met. A failure of a schedule names
    it (``label`` and seed) and its faults."""
    codes = [c for c in government_codes() if c != "ws"]
    faults: list[str] = []
    for seed in seeds:
        proxy.log.clear()
        try:
            faults += run_schedule(hub, proxy, tmp_path, seed, codes[seed % len(seeds)], **options)
        except AssertionError as exc:
            raise AssertionError(f"{label} {seed} (faults: {proxy.faults_seen()}): {exc}") from exc
        if after_each is not None:
            after_each()
    return faults


@pytest.mark.parametrize("group", range(GROUPS))
def test_random_fault_schedules_converge(hubs, tmp_path, group):
    hub, proxy = hubs[group]
    per_group = SCHEDULES // GROUPS
    faults = _run_schedules(hub, proxy, tmp_path, range(group * per_group, (group + 1) * per_group), "schedule",
                            with_files=True)
    # the schedules really exercised every kind of fault, both decisions, removals and second sticks
    assert set(faults) >= {"drop_before", "drop_after", "error_after", "duplicate", "truncate", "stall_after"}
    done = {key for key, count in EXERCISED.items() if count}
    assert done >= {"decision:approve", "decision:reject", "second stick"}, EXERCISED
    assert {"removal:approve", "removal:reject"} & done, EXERCISED
    assert done >= {"files", "shared file"}, EXERCISED


@pytest.mark.parametrize("group", range(PLAIN_GROUPS))
def test_random_fault_schedules_converge_through_a_plain_chm(plain_hubs, tmp_path, group):
    hub, proxy = plain_hubs[group]
    per_group = PLAIN_SCHEDULES // PLAIN_GROUPS

    def no_batch_route() -> None:
        assert "/api/v2013/focalpoint/batch" not in {path.split("?")[0] for _m, path, _f in proxy.log}

    # the central CHM takes CHM record types only (a national target here)
    faults = _run_schedules(hub, proxy, tmp_path, range(1000 + group * per_group, 1000 + (group + 1) * per_group),
                            "plain-CHM schedule", after_each=no_batch_route, make=national_record,
                            make_complete=national_record, second_stick=False)
    assert set(faults) >= {"drop_before", "drop_after", "error_after", "duplicate", "truncate"}
