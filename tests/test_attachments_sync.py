"""Files that travel with their records: through a real hub on loopback, and by USB bundle.

Machines are data folders with their own SQLite store (``Station``); the hub is a real one over
HTTP; a fault-injecting proxy cuts chosen requests. What a person would notice is asserted: the
file arrives byte for byte, is sent once however many records use it, and a record never reaches
the hub without its file.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from focalpoint.forms.attachments import attachment_path
from focalpoint.models import Record
from focalpoint.records.attachments import attach_to_record, write_settings
from focalpoint.sync.attachments import fetch_attachment, missing_files
from focalpoint.sync.bundle import export_outbox_bundle, export_records_bundle, import_bundle
from focalpoint.sync.credentials import TokenStore
from focalpoint.sync.errors import BundleError
from tests.support.sync import FaultProxy, Office, Station, government_codes, hub_get, needs_assessment

PASSWORD = "files-pw"
MB = 1024 * 1024
_governments = iter([g for g in government_codes() if g != "ws"][120:])


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("hub")) as running:
        yield running


@pytest.fixture(scope="module")
def plain_hub(tmp_path_factory):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path_factory.mktemp("plain"), plain_chm=True) as running:
        yield running


@pytest.fixture
def office(hub, tmp_path):
    """The computers of one government, each its own data folder."""
    with Office(hub, tmp_path, next(_governments), PASSWORD) as group:
        yield group


def _file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / "files" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _hub_record(hub, email: str, ident: str):  # noqa: ANN001, ANN202
    token = hub.login(email, PASSWORD)
    try:
        return hub_get(hub.url, token, f"/api/v2013/documents/{ident}/versions/draft")
    except Exception as exc:  # noqa: BLE001  (httpx's HTTPStatusError: the hub has no such draft)
        if getattr(getattr(exc, "response", None), "status_code", None) == 404:
            return None
        raise


def _hub_files_of(hub, email: str, ident: str) -> dict[str, dict]:  # noqa: ANN001
    token = hub.login(email, PASSWORD)
    listing = hub_get(hub.url, token, f"/api/v2013/documents/{ident}/attachments")
    return {item["sha256"]: item for item in listing["Items"]}


def _hub_content(hub, sha: str) -> bytes:  # noqa: ANN001
    return hub.app.state.files.content_path(sha).read_bytes()


def _record(station: Station, ident: str) -> Record:
    return station.record(ident)


def test_a_6_mb_file_reaches_b_through_the_hub_and_c_by_usb_byte_for_byte(office, tmp_path):
    a, b = office.station("a"), office.station("b")
    c = Station(tmp_path / "c", office.hub.url, "c@nowhere.org", "never used")  # no link, never syncs
    office.stations.append(c)
    manual = _file(tmp_path, "Training manual.pdf", 6 * MB)
    content = manual.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    ident = a.store.save(needs_assessment(office.gov, "With a manual")).identifier
    attach_to_record(a.store, ident, manual)

    report = a.sync()
    assert report.ok, report.error
    assert report.bytes_sent > 6 * MB  # the sync counts the file's bytes
    # the hub holds the record, its link to the file, and the file itself
    on_hub = _hub_record(office.hub, a.email, ident)
    (value,) = on_hub["attachments"]
    assert value["sha256"] == sha and value["url"].startswith(f"/api/v2013/documents/{ident}/attachments/")
    assert _hub_files_of(office.hub, a.email, ident)[sha]["url"] == value["url"]
    assert _hub_content(office.hub, sha) == content
    # A's copy is the hub's: same document, nothing left to send
    assert a.document(ident)["attachments"] == [value]
    assert _record(a, ident).sync_state == "synced"

    # B pulls the record; the file comes only when asked for (setting off by default)
    assert b.sync().ok
    assert b.document(ident)["attachments"] == [value]
    assert not attachment_path(b.data_dir, sha).exists()
    assert [v["sha256"] for v in missing_files(b.db)] == [sha]
    from focalpoint.cli import run

    out = tmp_path / "b-copy.pdf"
    assert run(["--data-dir", str(b.data_dir), "records", "attachment", ident, "Training manual.pdf",
                "-o", str(out)]) == 2  # says how to get it; writes nothing
    assert not out.exists()
    tokens = TokenStore(file_path=tmp_path / "tokens.json")
    tokens.set(b.client.base_url, b.email, b.client.token)
    path = fetch_attachment(b.db, value, tokens=tokens)  # what opening the record does
    assert path.read_bytes() == content and path == attachment_path(b.data_dir, sha)
    assert missing_files(b.db) == []
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no partial file left

    # C has no link: B carries the records, with their files, on a USB stick
    stick = tmp_path / "usb" / "records.fpb"
    counts = export_records_bundle(b.db, stick, government=office.gov)
    assert counts["files"] == 1 and counts["files_missing"] == 0
    summary = import_bundle(c.db, stick)
    assert summary.files == 1 and summary.files_new == 1
    assert c.document(ident)["attachments"] == [value]
    assert attachment_path(c.data_dir, sha).read_bytes() == content
    again = import_bundle(c.db, stick)  # idempotent: nothing new, nothing doubled
    assert again.files_new == 0 and again.imported == 0
    assert sorted(p.name for p in (c.data_dir / "attachments").iterdir()) == [sha]


def test_the_hubs_own_bundle_carries_the_files_its_records_name(office, tmp_path):
    """An offline computer that gets its records from the hub's bundle gets their files too."""
    import httpx

    a = office.station("a")
    offline = Station(tmp_path / "offline", office.hub.url, "offline@nowhere.org", "never used")  # never syncs
    office.stations.append(offline)
    report_file = _file(tmp_path, "Assessment report.pdf", 1536 * 1024)
    content = report_file.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    ident = a.store.save(needs_assessment(office.gov, "With a report")).identifier
    attach_to_record(a.store, ident, report_file)
    plain = a.store.save(needs_assessment(office.gov, "Without a file")).identifier
    assert a.sync().ok

    token = office.hub.login(a.email, PASSWORD)
    response = httpx.get(office.hub.url + "/api/v2013/focalpoint/bundle", params={"government": office.gov},
                         headers={"Authorization": f"Ticket {token}"}, timeout=60)
    assert response.status_code == 200, response.text
    assert len(response.content) > MB  # the file's bytes are in it (random bytes do not compress)
    stick = tmp_path / "usb" / "hub.fpb"
    stick.parent.mkdir()
    stick.write_bytes(response.content)
    incoming = office.hub.app.state.files.incoming_dir
    deadline = time.monotonic() + 10  # the hub removes its copy once the answer is sent
    while list(incoming.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not list(incoming.iterdir())

    summary = import_bundle(offline.db, stick)
    assert summary.files == 1 and summary.files_new == 1
    assert offline.document(ident)["attachments"] == a.document(ident)["attachments"]
    assert offline.document(plain)["title"] == a.document(plain)["title"]
    assert attachment_path(offline.data_dir, sha).read_bytes() == content
    assert missing_files(offline.db) == []
    assert import_bundle(offline.db, stick).files_new == 0  # a second import stores nothing twice


def test_the_hubs_bundle_never_hands_out_a_file_by_naming_its_checksum(office, hub, tmp_path):
    """Another government's person writes a record naming the checksum of this government's draft
    file: their bundle carries the record, not the file (they may not read it)."""
    import httpx

    a = office.station("a")
    secret = _file(tmp_path, "Internal draft.pdf", 200_000)
    sha = hashlib.sha256(secret.read_bytes()).hexdigest()
    ident = a.store.save(needs_assessment(office.gov, "A draft with a file")).identifier
    attach_to_record(a.store, ident, secret)
    assert a.sync().ok

    stranger_gov = next(_governments)
    hub.add_user(f"s@{stranger_gov}.org", PASSWORD, "authorized-user", stranger_gov)
    token = hub.login(f"s@{stranger_gov}.org", PASSWORD)
    doc = needs_assessment(stranger_gov, "Naming a checksum")
    doc["attachments"] = [{"sha256": sha, "filename": "guess.pdf", "size": 200_000}]
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Ticket {token}"}, timeout=30) as client:
        put = client.put(f"/api/v2013/documents/{doc['header']['identifier']}/versions/draft",
                         params={"schema": doc["header"]["schema"]}, json=doc)
        assert put.status_code < 300, put.text
        response = client.get("/api/v2013/focalpoint/bundle", params={"government": stranger_gov})
    assert response.status_code == 200, response.text
    stick = tmp_path / "stranger.fpb"
    stick.write_bytes(response.content)
    from focalpoint.sync.bundle import read_bundle

    bundle = read_bundle(stick)
    assert doc["header"]["identifier"] in {d["identifier"] for d in bundle.content["documents"]}
    assert bundle.files == {} and bundle.meta["files"] == 0 and "filesMissing" not in bundle.meta


def test_download_all_after_a_sync_when_the_setting_is_on(office, tmp_path):
    a, b = office.station("a"), office.station("b")
    files = [_file(tmp_path, f"annex {i}.pdf", 200_000 + i) for i in range(3)]
    idents = []
    for i, path in enumerate(files):
        ident = a.store.save(needs_assessment(office.gov, f"Record {i}")).identifier
        attach_to_record(a.store, ident, path)
        idents.append(ident)
    assert a.sync().ok
    assert b.sync().ok
    assert len(missing_files(b.db)) == 3
    write_settings(b.db, download_all=True)
    report = b.sync()
    assert report.ok, report.error
    assert report.bytes_received > 600_000
    for path in files:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert attachment_path(b.data_dir, sha).read_bytes() == path.read_bytes()
    # nothing is fetched twice: the next sync moves no file
    quiet = b.sync()
    assert quiet.ok and quiet.bytes_received < 20_000


def test_the_same_content_is_sent_once_for_two_records(office, tmp_path):
    a, b = office.station("a"), office.station("b")
    shared = _file(tmp_path, "shared annex.pdf", 1 * MB)
    sha = hashlib.sha256(shared.read_bytes()).hexdigest()
    first = a.store.save(needs_assessment(office.gov, "First")).identifier
    second = a.store.save(needs_assessment(office.gov, "Second")).identifier
    attach_to_record(a.store, first, shared)
    attach_to_record(a.store, second, shared)
    report = a.sync()
    assert report.ok, report.error
    assert MB < report.bytes_sent < 1.2 * MB  # one copy went, not two
    for ident in (first, second):  # each record has the file on the hub, under its own link
        assert sha in _hub_files_of(office.hub, a.email, ident)
        (value,) = _hub_record(office.hub, a.email, ident)["attachments"]
        assert value["sha256"] == sha and f"/documents/{ident}/" in value["url"]
    # a third record, later, with the same file: no byte of it goes again
    third = a.store.save(needs_assessment(office.gov, "Third")).identifier
    attach_to_record(a.store, third, shared)
    later = a.sync()
    assert later.ok and later.bytes_sent < 50_000
    assert sha in _hub_files_of(office.hub, a.email, third)
    # an edit of a record with a file sends the record, not the file
    doc = copy.deepcopy(a.document(first))
    doc["title"]["en"] = "First, edited"
    a.store.save(doc)
    edited = a.sync()
    assert edited.ok and edited.bytes_sent < 50_000
    # B, fetching all, gets the content once for the three records
    write_settings(b.db, download_all=True)
    got = b.sync()
    assert got.ok and MB < got.bytes_received < 1.3 * MB
    assert attachment_path(b.data_dir, sha).read_bytes() == shared.read_bytes()


def test_a_record_never_reaches_the_hub_before_its_file(office, tmp_path):
    with FaultProxy(office.hub.url, rate=0) as proxy:
        a = office.station("a", url=proxy.url)
        manual = _file(tmp_path, "manual.pdf", 2 * MB)
        sha = hashlib.sha256(manual.read_bytes()).hexdigest()
        ident = a.store.save(needs_assessment(office.gov, "Blocked file")).identifier
        attach_to_record(a.store, ident, manual)
        # every piece of the file is lost on the way: the record must not go either
        proxy.rules.append(lambda method, path: "drop_before" if method == "PATCH" else None)
        report = a.sync()
        assert not report.ok and report.error_kind == "network"
        assert _hub_record(office.hub, a.email, ident) is None
        assert not office.hub.app.state.files.has(sha)
        assert _record(a, ident).sync_state == "queued"
        # the link comes back: the upload resumes, then the record follows
        proxy.rules.clear()
        report = a.sync()
        assert report.ok, report.error
        assert _hub_record(office.hub, a.email, ident)["attachments"][0]["sha256"] == sha
        assert _hub_content(office.hub, sha) == manual.read_bytes()
        methods = [(m, p.split("?")[0]) for m, p, _f in proxy.log]
        first_patch = next(i for i, (m, p) in enumerate(methods) if m == "PATCH")
        save = max(i for i, (m, p) in enumerate(methods) if p.endswith(f"/{ident}/versions/draft")
                   or "batch" in p)
        assert first_patch < save


def test_cut_uploads_resume_and_cost_at_most_a_chunk_each(office, tmp_path):
    with FaultProxy(office.hub.url, rate=0) as proxy:
        a = office.station("a", url=proxy.url)
        manual = _file(tmp_path, "big.pdf", 3 * MB)
        ident = a.store.save(needs_assessment(office.gov, "Resumed")).identifier
        attach_to_record(a.store, ident, manual)
        patches = {"n": 0}

        def cut_every_third(method: str, path: str) -> str | None:
            if method != "PATCH":
                return None
            patches["n"] += 1
            return "drop_after" if patches["n"] % 3 == 0 else None

        proxy.rules.append(cut_every_third)
        report = a.sync()
        assert report.ok, report.error
        cuts = patches["n"] // 3
        assert cuts >= 3
        chunk = 256 * 1024
        assert report.bytes_sent <= 3 * MB + cuts * chunk + 100_000
        sha = hashlib.sha256(manual.read_bytes()).hexdigest()
        assert _hub_content(office.hub, sha) == manual.read_bytes()


def test_a_file_the_hub_refuses_holds_back_only_its_record(tmp_path):
    from tests.support.hub import start_hub

    (tmp_path / "small-hub").mkdir()
    with start_hub(tmp_path=tmp_path / "small-hub", max_file_bytes=100_000) as small, \
            Office(small, tmp_path, next(_governments), PASSWORD) as group:
        a = group.station("a")
        big = _file(tmp_path, "too big.pdf", 200_000)
        with_file = a.store.save(needs_assessment(group.gov, "Has a big file")).identifier
        attach_to_record(a.store, with_file, big)
        plain = a.store.save(needs_assessment(group.gov, "No file")).identifier
        report = a.sync()
        assert report.ok  # the sync itself went through
        assert "too big.pdf" in report.errors[with_file] and "larger than the server accepts" in \
            report.errors[with_file]
        assert _record(a, with_file).sync_state == "error"
        assert _hub_record(small, a.email, with_file) is None
        assert _hub_record(small, a.email, plain) is not None  # other records go on


def test_through_a_plain_chm_the_file_goes_by_the_chms_own_route(plain_hub, tmp_path):
    """The central CHM's API has no resumable uploads: the file goes whole by ``POST .../attachments/``,
    still before its record, and comes back by its link."""
    from focalpoint import forms

    with Office(plain_hub, tmp_path, next(_governments), PASSWORD) as group:
        a = group.station("a")
        # the same person's second computer (a reference record's draft is its author's to see)
        b = group.station("a-laptop", user="a")
        doc = forms.template("capacityBuildingResource", languages=["en"])
        ident = a.store.save(doc).identifier
        paper = _file(tmp_path, "paper.pdf", 700_000)
        attach_to_record(a.store, ident, paper)
        report = a.sync()
        assert report.ok, report.error
        assert ident not in report.errors
        (linked,) = _hub_record(plain_hub, a.email, ident)["attachments"]
        sha = hashlib.sha256(paper.read_bytes()).hexdigest()
        assert linked["sha256"] == sha and linked["url"]
        assert _hub_content(plain_hub, sha) == paper.read_bytes()
        write_settings(b.db, download_all=True)
        assert b.sync().ok
        assert b.document(ident) is not None, "B does not see A's draft"
        assert attachment_path(b.data_dir, sha).read_bytes() == paper.read_bytes()


# ------------------------------------------------------------------------------------ USB bundles


def test_an_offline_machines_files_travel_by_stick_to_the_hub(office, tmp_path):
    offline, carrier = office.station("off"), office.station("car")
    report_file = _file(tmp_path, "national report.pdf", 6 * MB)
    content = report_file.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    ident = offline.store.save(needs_assessment(office.gov, "Written offline")).identifier
    attach_to_record(offline.store, ident, report_file)
    stick = tmp_path / "usb" / "changes.fpb"
    counts = export_outbox_bundle(offline.db, stick)
    assert counts["entries"] == 1 and counts["files"] == 1
    summary = import_bundle(carrier.db, stick)
    assert summary.imported == 1 and summary.files_new == 1
    assert attachment_path(carrier.data_dir, sha).read_bytes() == content
    again = import_bundle(carrier.db, stick)
    assert again.imported == 0 and again.already == 1 and again.files_new == 0
    assert carrier.sync().ok
    assert _hub_content(office.hub, sha) == content
    assert _hub_record(office.hub, carrier.email, ident)["attachments"][0]["sha256"] == sha


def _rewrite_file_bytes(path: Path, flip_at: int) -> None:
    """Change one byte of the files part of a bundle (the gzip stream stays valid)."""
    raw = gzip.decompress(path.read_bytes())
    header_line, _, rest = raw.partition(b"\n")
    header = json.loads(header_line)
    offset = len(header_line) + 1 + header["length"] + flip_at
    changed = bytearray(raw)
    changed[offset] ^= 0xFF
    path.write_bytes(gzip.compress(bytes(changed)))


def test_a_bundle_with_a_damaged_file_changes_nothing_and_names_the_file(office, tmp_path):
    offline = office.station("off")
    target = Station(tmp_path / "target", office.hub.url, "t@nowhere.org", "unused")
    office.stations.append(target)
    first = _file(tmp_path, "first.pdf", 300_000)
    second = _file(tmp_path, "second annex.pdf", 300_000)
    for i, path in enumerate((first, second)):
        ident = offline.store.save(needs_assessment(office.gov, f"R{i}")).identifier
        attach_to_record(offline.store, ident, path)
    stick = tmp_path / "usb" / "changes.fpb"
    export_outbox_bundle(offline.db, stick)
    header = json.loads(gzip.decompress(stick.read_bytes()).partition(b"\n")[0])
    names = [f["filename"] for f in header["files"]]
    damaged = tmp_path / "usb" / "damaged.fpb"
    damaged.write_bytes(stick.read_bytes())
    _rewrite_file_bytes(damaged, header["files"][0]["size"] + 1000)  # inside the second file
    with pytest.raises(BundleError) as info:
        import_bundle(target.db, damaged)
    assert names[1] in str(info.value) and "Nothing was imported" in str(info.value)
    assert target.store.list() == []
    assert [p.name for p in (target.data_dir / "attachments").iterdir()] == []  # not even the good one
    # a cut stick: refused, nothing kept either
    cut = tmp_path / "usb" / "cut.fpb"
    cut.write_bytes(stick.read_bytes()[: len(stick.read_bytes()) - 5000])
    with pytest.raises(BundleError):
        import_bundle(target.db, cut)
    assert target.store.list() == []
    assert [p.name for p in (target.data_dir / "attachments").iterdir()] == []
    # the good stick goes in whole
    summary = import_bundle(target.db, stick)
    assert summary.imported == 2 and summary.files_new == 2
    for path in (first, second):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert attachment_path(target.data_dir, sha).read_bytes() == path.read_bytes()


def test_a_person_cancels_mid_file_and_the_next_sync_goes_on_from_there(office, tmp_path):
    import threading

    a = office.station("a")
    manual = _file(tmp_path, "long manual.pdf", 4 * MB)
    ident = a.store.save(needs_assessment(office.gov, "Cancelled")).identifier
    attach_to_record(a.store, ident, manual)
    cancel = threading.Event()
    seen: list = []

    def progress(p) -> None:  # noqa: ANN001
        seen.append(p)
        if p.bytes_sent > 1.5 * MB:
            cancel.set()

    first = a.sync(progress=progress, cancel=cancel)
    assert first.cancelled and not first.ok
    assert any("long manual.pdf" in p.message for p in seen)  # the progress names the file …
    assert max(p.bytes_sent for p in seen) > 1.5 * MB  # … and counts its bytes
    assert _hub_record(office.hub, a.email, ident) is None  # the record waits for its file
    assert _record(a, ident).sync_state == "queued"
    second = a.sync()
    assert second.ok, second.error
    # what went before the cancel is not sent again (at most the piece on the way)
    assert first.bytes_sent + second.bytes_sent < 4 * MB + 256 * 1024 + 60_000
    assert second.bytes_sent < 4 * MB - 1.2 * MB
    sha = hashlib.sha256(manual.read_bytes()).hexdigest()
    assert _hub_content(office.hub, sha) == manual.read_bytes()
    assert _hub_record(office.hub, a.email, ident)["attachments"][0]["sha256"] == sha


# ------------------------------------------------------------------------------------ SIGKILL


def _cli_sync(data_dir: Path, server: str, email: str):  # noqa: ANN202
    import subprocess
    import sys

    env = dict(os.environ, FOCALPOINT_EMAIL=email, FOCALPOINT_PASSWORD=PASSWORD,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", FOCALPOINT_LANG="en")
    return subprocess.Popen([sys.executable, "-m", "focalpoint", "--data-dir", str(data_dir), "sync",
                             "--server", server, "--json"], cwd=Path(__file__).resolve().parent.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _killed_while_held(proxy: FaultProxy, data_dir: Path, email: str, needle) -> None:  # noqa: ANN001
    import signal

    proxy.rules.append(needle)
    process = _cli_sync(data_dir, proxy.url, email)
    try:
        assert proxy.held.wait(60), process.communicate(timeout=5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        proxy.rules.clear()
        proxy.release()
    assert process.returncode == -signal.SIGKILL


def test_sigkill_mid_upload_and_mid_download_then_the_next_sync_completes(office, tmp_path):
    a, b = office.station("a"), office.station("b")
    a_email, b_email = a.email, b.email
    manual = _file(tmp_path, "killed manual.pdf", 3 * MB)
    content = manual.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    ident = a.store.save(needs_assessment(office.gov, "Killed")).identifier
    attach_to_record(a.store, ident, manual)
    a.close()
    patches = {"n": 0}

    def third_patch(method: str, path: str) -> str | None:
        if method == "PATCH":
            patches["n"] += 1
            return "hold" if patches["n"] == 3 else None
        return None

    with FaultProxy(office.hub.url, rate=0) as proxy:  # the same server address before and after
        _killed_while_held(proxy, a.data_dir, a_email, third_patch)
        assert _hub_record(office.hub, a_email, ident) is None  # the record waited for its file
        assert not office.hub.app.state.files.has(sha)
        a = Station(a.data_dir, proxy.url, a_email, PASSWORD)
        office.stations.append(a)
        report = a.sync()
    assert report.ok, report.error
    assert report.bytes_sent < 3 * MB - 512 * 1024 + 60_000  # three chunks were on the hub already
    assert _hub_content(office.hub, sha) == content
    assert _hub_record(office.hub, a_email, ident)["attachments"][0]["sha256"] == sha

    # B fetches every file; killed while the file is on its way
    assert b.sync().ok
    write_settings(b.db, download_all=True)
    b.close()
    with FaultProxy(office.hub.url, rate=0) as proxy:
        _killed_while_held(proxy, b.data_dir, b_email,
                           lambda method, path: "hold" if method == "GET" and "/attachments/" in path else None)
    assert not attachment_path(b.data_dir, sha).exists()  # nothing under the content name
    b = Station(b.data_dir, office.hub.url, b_email, PASSWORD)
    office.stations.append(b)
    assert b.sync().ok
    assert attachment_path(b.data_dir, sha).read_bytes() == content
    assert sorted(p.name for p in (b.data_dir / "attachments").iterdir()) == [sha]
