"""Files of records between FocalPoint and a hub over real HTTP on loopback: the CHM's attachment
routes (a ``--plain-chm`` hub) and the tus extension, byte for byte; cuts mid-transfer resume and
cost little; wrong digests, other governments and oversized files are refused with nothing stored;
a process killed mid-transfer leaves nothing under a content name and the next run finishes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from focalpoint.fileio import sha256_file
from focalpoint.hub import files as hub_files
from focalpoint.sync import transfer
from focalpoint.sync.errors import Cancelled, SyncError
from focalpoint.sync.transfer import (
    DigestMismatch,
    FileTooLarge,
    RetryPolicy,
    TransferForbidden,
    TransferRefused,
    download_file,
    server_supports_resumable,
    upload_file,
)
from tests.support.hub import start_hub
from tests.support.hubkit import new_uid, random_file, signed_in
from tests.support.linkproxy import LinkProxy
from tests.support.sync import wait_until

REPO = Path(__file__).resolve().parent.parent
SIX_MB = 6 * 1024 * 1024
FAST = RetryPolicy(max_attempts=5, backoff_base=0.02, backoff_cap=0.2)
#: fewer attempts than cuts: a cut after progress must not count as a failure in a row
FEW = RetryPolicy(max_attempts=3, backoff_base=0.02, backoff_cap=0.2)
CUTS = tuple(range(900_000, SIX_MB, 900_000))  # six cuts
LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def ext_hub(tmp_path_factory):
    """A hub with the extension (tus) and an 8 MB file limit."""
    with start_hub(tmp_path=tmp_path_factory.mktemp("ext-hub"), max_file_bytes=LIMIT) as running:
        yield running


@pytest.fixture(scope="module")
def plain_hub(tmp_path_factory):
    """A hub answering as the real CHM does (no capabilities, no tus)."""
    # JSON bodies limited to 2 MB: files (6 MB here) are not held to that limit, only to the file limit
    with start_hub(tmp_path=tmp_path_factory.mktemp("plain-hub"), plain_chm=True, max_file_bytes=LIMIT,
                   max_body_bytes=2 * 1024 * 1024) as running:
        yield running


@pytest.fixture
def six_mb(tmp_path) -> tuple[Path, bytes, str]:
    """Fresh content per test (a hub does not take again content it already holds for that person)."""
    return random_file(tmp_path / "training-manual.pdf", SIX_MB)


def port_of(hub) -> tuple[str, int]:  # noqa: ANN001
    return "127.0.0.1", int(hub.url.rsplit(":", 1)[1])


def content_file(hub, sha256: str) -> Path:  # noqa: ANN001
    return hub.app.state.files.content_path(sha256)


def upload_states(hub, uid: str) -> list[dict]:  # noqa: ANN001
    """The hub's notes of the tus uploads to record ``uid``."""
    states = [json.loads(p.read_text()) for p in hub.app.state.files.uploads_dir.glob("*.json")]
    return [state for state in states if state["uid"] == uid]


def partial_uploads(hub, uid: str) -> list[Path]:  # noqa: ANN001
    """The bytes the hub holds of unfinished uploads to record ``uid``."""
    store = hub.app.state.files
    return [store.part_path(state.stem) for state in store.uploads_dir.glob("*.json")
            if json.loads(state.read_text())["uid"] == uid and store.part_path(state.stem).exists()]


def test_capabilities_advertise_tus_and_a_plain_chm_does_not(ext_hub, plain_hub):
    info = httpx.get(ext_hub.url + "/api/v2013/focalpoint/capabilities").json()
    assert server_supports_resumable(info)
    assert info["uploads"]["url"] == transfer.TUS_PATH and info["uploads"]["maxBytes"] == LIMIT
    options = httpx.options(ext_hub.url + transfer.TUS_PATH)
    assert options.status_code == 204
    assert options.headers["Tus-Version"] == "1.0.0" and options.headers["Tus-Max-Size"] == str(LIMIT)
    assert httpx.get(plain_hub.url + "/api/v2013/focalpoint/capabilities").status_code == 404
    assert not server_supports_resumable(None)
    assert httpx.options(plain_hub.url + transfer.TUS_PATH).status_code in (404, 405)
    # files live beside the SQLite database unless configured
    database = Path(ext_hub.database_url.removeprefix("sqlite:///"))
    assert ext_hub.app.state.files.root == database.with_name("hub-files").resolve()


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_six_mb_file_up_and_down_byte_for_byte(request, tmp_path, six_mb, which):
    hub = request.getfixturevalue("plain_hub" if which == "plain" else "ext_hub")
    path, data, sha = six_mb
    uid = new_uid()
    seen: list[tuple[int, int]] = []
    with signed_in(hub) as http:
        described = upload_file(http, hub.url, uid, "manuel de formation é.pdf", path, sha,
                                resumable=which == "tus", on_progress=lambda a, b: seen.append((a, b)),
                                state_dir=tmp_path / "state", retry=FAST)
        assert described["sha256"] == sha and described["size"] == SIX_MB
        assert described["filename"] == "manuel de formation é.pdf"
        assert [s["done"] for s in upload_states(hub, uid)] == ([True] if which == "tus" else [])
        assert seen[-1] == (SIX_MB, SIX_MB) and all(b == SIX_MB for _, b in seen)
        listing = http.get(f"{hub.url}/api/v2013/documents/{uid}/attachments").json()
        assert listing["Count"] == 1 and listing["Items"][0]["url"] == described["url"]
        head = http.head(hub.url + described["url"])
        assert head.status_code == 200 and head.headers["content-length"] == str(SIX_MB)
        assert head.headers["etag"] == f'"{sha}"' and head.headers["accept-ranges"] == "bytes"
        got = download_file(http, hub.url, described["url"], tmp_path / "attachments", sha, retry=FAST)
    assert got == tmp_path / "attachments" / sha
    assert got.read_bytes() == data
    assert content_file(hub, sha).read_bytes() == data
    assert not list((tmp_path / "state").glob("upload-*.json"))  # the finished upload's note is gone


def test_a_cut_mid_upload_resumes_from_the_hubs_offset(ext_hub, tmp_path, six_mb):
    path, data, sha = six_mb
    uid = new_uid()
    with signed_in(ext_hub) as http, LinkProxy(port_of(ext_hub)) as link:
        link.cut_after("up", *CUTS)
        described = upload_file(http, link.url, uid, "cut.pdf", path, sha, resumable=True, retry=FEW,
                                state_dir=tmp_path / "state")
        assert link.cuts == len(CUTS)
        assert link.bytes_in["up"] <= 1.1 * SIX_MB, link.bytes_in
        got = download_file(http, ext_hub.url, described["url"], tmp_path / "in", sha)
    assert got.read_bytes() == data


def test_a_cut_mid_download_resumes_with_range(ext_hub, tmp_path, six_mb):
    path, data, sha = six_mb
    uid = new_uid()
    with signed_in(ext_hub) as http, LinkProxy(port_of(ext_hub)) as link:
        described = upload_file(http, ext_hub.url, uid, "down.pdf", path, sha, resumable=True)
        link.cut_after("down", *CUTS)
        got = download_file(http, link.url, described["url"], tmp_path / "in", sha, retry=FEW)
        assert link.cuts == len(CUTS)
        assert link.bytes_in["down"] <= 1.1 * SIX_MB, link.bytes_in
    assert got.read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == [sha]  # no partial left


def test_a_server_ignoring_range_gets_a_whole_download(ext_hub, tmp_path, six_mb):
    path, data, sha = six_mb
    uid = new_uid()
    with signed_in(ext_hub) as http, LinkProxy(port_of(ext_hub), strip_range=True) as link:
        described = upload_file(http, ext_hub.url, uid, "norange.pdf", path, sha, resumable=False)
        link.cut_after("down", 3_000_000)
        got = download_file(http, link.url, described["url"], tmp_path / "in", sha, retry=FAST)
        assert link.cuts == 1 and link.bytes_in["down"] > SIX_MB + 2_000_000  # started over
    assert got.read_bytes() == data


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_a_wrong_digest_stores_nothing(request, tmp_path, six_mb, which):
    hub = request.getfixturevalue("plain_hub" if which == "plain" else "ext_hub")
    path, _data, sha = six_mb
    damaged = tmp_path / "damaged.pdf"
    content = path.read_bytes()
    damaged.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))  # the last byte changed, whatever it was
    wrong = hashlib.sha256(damaged.read_bytes()).hexdigest()
    uid = new_uid()
    with signed_in(hub) as http, pytest.raises(DigestMismatch) as caught:
        upload_file(http, hub.url, uid, "damaged.pdf", damaged, sha, resumable=which == "tus",
                    state_dir=tmp_path / "state", retry=FAST)
    assert not caught.value.transient and "SHA-256" in caught.value.user_message
    assert not content_file(hub, sha).exists() or content_file(hub, sha).read_bytes() == path.read_bytes()
    assert not content_file(hub, wrong).exists()
    store = hub.app.state.files
    assert not list(store.incoming_dir.iterdir())
    assert partial_uploads(hub, uid) == []


def test_a_download_that_does_not_match_its_digest_is_not_kept(ext_hub, tmp_path, six_mb):
    path, _data, sha = six_mb
    with signed_in(ext_hub) as http:
        described = upload_file(http, ext_hub.url, new_uid(), "x.pdf", path, sha, resumable=False)
        claimed = hashlib.sha256(b"something else").hexdigest()
        with pytest.raises(DigestMismatch):
            download_file(http, ext_hub.url, described["url"], tmp_path / "in", claimed, retry=FAST)
    assert list((tmp_path / "in").iterdir()) == []


def test_same_content_is_stored_once_and_not_sent_twice(ext_hub, tmp_path, six_mb):
    path, _data, sha = six_mb
    with signed_in(ext_hub) as http, LinkProxy(port_of(ext_hub)) as link:
        upload_file(http, ext_hub.url, new_uid(), "first.pdf", path, sha, resumable=True)
        second = upload_file(http, link.url, new_uid(), "again.pdf", path, sha, resumable=True)
        assert link.bytes_in["up"] < 10_000  # the hub knew the content: only the creation request
    assert second["sha256"] == sha
    stored = [p for p in ext_hub.app.state.files.content_dir.rglob("*") if p.is_file() and p.name == sha]
    assert len(stored) == 1


def _publish(env, author, approver, doc) -> None:  # noqa: ANN001
    assert author.put_draft(doc).status_code == 200
    workflow = author.request_publication(doc["header"]["identifier"])
    assert workflow.status_code == 201, workflow.text
    assert approver.approve(workflow.json()["_id"]).status_code == 200


@pytest.fixture
def people(hub_env):
    """An author, a colleague and a focal point of one government, a stranger of another, and a new
    national record of the first government (``doc``, not saved yet; ``uid``)."""
    from types import SimpleNamespace

    gov_a, gov_b = hub_env.government(), hub_env.government()
    doc = hub_env.national(gov_a)
    return SimpleNamespace(author=hub_env.user("authorized-user", gov_a), colleague=hub_env.user("authorized-user", gov_a),
                           approver=hub_env.user("focal-point", gov_a), stranger=hub_env.user("authorized-user", gov_b),
                           doc=doc, uid=doc["header"]["identifier"])


def test_another_government_can_neither_write_nor_read_a_drafts_files(hub_env, people, tmp_path):
    author, stranger, colleague, doc, uid = people.author, people.stranger, people.colleague, people.doc, people.uid
    assert author.put_draft(doc).status_code == 200
    file = tmp_path / "needs.pdf"
    file.write_bytes(b"%PDF-1.4 draft annex " * 1000)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    described = upload_file(author.client, hub_env.url, uid, "needs.pdf", file, sha, resumable=True)

    for resumable in (False, True):
        with pytest.raises(TransferForbidden) as caught:
            upload_file(stranger.client, hub_env.url, uid, "mine.pdf", file, sha, resumable=resumable)
        assert caught.value.status == 403
    with pytest.raises(TransferRefused) as caught:
        download_file(stranger.client, hub_env.url, described["url"], tmp_path / "b", sha, retry=FAST)
    assert caught.value.status == 404 and not (tmp_path / "b" / sha).exists()
    assert stranger.client.get(f"/api/v2013/documents/{uid}/attachments").json()["Count"] == 0
    # the record's own government reads it
    assert download_file(colleague.client, hub_env.url, described["url"], tmp_path / "a", sha).is_file()


def test_a_published_records_files_are_readable_by_anyone_signed_in(hub_env, people, tmp_path):
    author, approver, stranger, doc, uid = people.author, people.approver, people.stranger, people.doc, people.uid
    file = tmp_path / "public.pdf"
    file.write_bytes(b"%PDF-1.4 published annex " * 1000)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    # the file goes first (before the record that names it), then the record is published
    described = upload_file(author.client, hub_env.url, uid, "public.pdf", file, sha, resumable=False)
    with pytest.raises(TransferRefused):
        download_file(stranger.client, hub_env.url, described["url"], tmp_path / "early", sha, retry=FAST)
    _publish(hub_env, author, approver, doc)
    got = download_file(stranger.client, hub_env.url, described["url"], tmp_path / "b", sha)
    assert got.read_bytes() == file.read_bytes()
    with pytest.raises(TransferForbidden):  # readable is not writable
        upload_file(stranger.client, hub_env.url, uid, "public.pdf", file, sha, resumable=False)


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_a_file_over_the_limit_gets_a_clear_refusal(request, tmp_path, which):
    hub = request.getfixturevalue("plain_hub" if which == "plain" else "ext_hub")
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(LIMIT + 1)
    sha = sha256_file(big)
    with signed_in(hub) as http, pytest.raises(FileTooLarge) as caught:
        upload_file(http, hub.url, new_uid(), "big.bin", big, sha, resumable=which == "tus", retry=FAST)
    assert caught.value.status == 413 and caught.value.limit == LIMIT
    assert "8 MB" in caught.value.user_message
    assert not content_file(hub, sha).exists()
    raw = signed_in(hub).post(f"{hub.url}/api/v2013/documents/{new_uid()}/attachments/big.bin",
                              content=b"x" * (LIMIT + 1))
    assert raw.status_code == 413
    assert raw.json()["statusCode"] == 413 and raw.json()["code"] == "Error.PayloadTooLarge"


def test_the_chm_temporary_file_route_attaches_a_file(plain_hub, tmp_path):
    data = b"temporary " * 5000
    uid = new_uid()
    with signed_in(plain_hub) as http:
        slot = http.put(plain_hub.url + "/api/v2015/temporary-files",
                        json={"filename": "scan.png", "contentType": "image/png"}).json()
        assert slot["contentType"] == "image/png"
        assert http.put(slot["url"], content=data).status_code == 200
        persisted = http.post(f"{plain_hub.url}/api/v2013/documents/{uid}/attachments/persist-temporary/{slot['uid']}",
                              json="scan.png")
        assert persisted.status_code == 200, persisted.text
        described = persisted.json()
        assert described["filename"] == "scan.png" and described["size"] == len(data)
        got = download_file(http, plain_hub.url, described["url"], tmp_path, hashlib.sha256(data).hexdigest())
    assert got.read_bytes() == data


def test_cancel_keeps_what_arrived_and_a_later_call_resumes(ext_hub, tmp_path, six_mb):
    import threading

    path, data, sha = six_mb
    uid = new_uid()
    cancel = threading.Event()

    def stop_halfway(done: int, _total: int) -> None:
        if done >= SIX_MB // 2:
            cancel.set()

    with signed_in(ext_hub) as http, LinkProxy(port_of(ext_hub)) as link:
        with pytest.raises(Cancelled):
            upload_file(http, link.url, uid, "c.pdf", path, sha, resumable=True, on_progress=stop_halfway,
                        cancel=cancel, state_dir=tmp_path / "state")
        assert not content_file(ext_hub, sha).exists()
        sent_first = link.bytes_in["up"]
        described = upload_file(http, link.url, uid, "c.pdf", path, sha, resumable=True,
                                state_dir=tmp_path / "state")
        assert link.bytes_in["up"] - sent_first < 0.6 * SIX_MB  # the second call sent the rest only
        assert download_file(http, ext_hub.url, described["url"], tmp_path / "in", sha).read_bytes() == data


def test_expired_partial_uploads_are_swept(tmp_path):
    store = hub_files.FileStore(tmp_path / "files")
    store.write_state(store.uploads_dir, "a" * 20, {"done": False})
    store.part_path("a" * 20).write_bytes(b"partial")
    assert store.sweep() == 0
    assert store.sweep(now=time.time() + hub_files.UPLOAD_TTL.total_seconds() + 60) == 2
    assert list(store.uploads_dir.iterdir()) == []


# ---------------------------------------------------------------------------------------- SIGKILL


CHILD = r"""
import json, sys
from pathlib import Path
import httpx
from focalpoint.sync import transfer
args = json.loads(sys.argv[1])
http = httpx.Client(headers={"Authorization": "Ticket " + args["token"]}, timeout=60)
if args["what"] == "upload":
    transfer.upload_file(http, args["url"], args["uid"], "killed.pdf", Path(args["path"]), args["sha"],
                         resumable=True, state_dir=Path(args["state"]))
else:
    transfer.download_file(http, args["url"], args["file_url"], Path(args["dest"]), args["sha"])
"""


def _child(**args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", FOCALPOINT_LANG="en")
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_mid_upload_leaves_nothing_under_the_content_name_and_the_next_run_finishes(ext_hub, tmp_path):
    data = os.urandom(SIX_MB)
    path = tmp_path / "killed.pdf"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    uid = new_uid()
    http = signed_in(ext_hub)
    token = http.headers["Authorization"].split()[1]
    with LinkProxy(port_of(ext_hub)) as link:
        link.stall_after("up", 3_000_000)
        proc = _child(what="upload", token=token, url=link.url, uid=uid, path=str(path), sha=sha,
                      state=str(tmp_path / "state"))
        assert wait_until(link.stalled.is_set, timeout=60), proc.stderr.read1().decode() if proc.poll() else ""
        _kill(proc)
        link.clear()
        assert not content_file(ext_hub, sha).exists()
        # what arrived is kept, under no content name
        assert wait_until(lambda: [p.stat().st_size >= 2_000_000 for p in partial_uploads(ext_hub, uid)] == [True])
        assert len(list((tmp_path / "state").glob("upload-*.json"))) == 1
        before = link.bytes_in["up"]
        described = upload_file(http, link.url, uid, "killed.pdf", path, sha, resumable=True,
                                state_dir=tmp_path / "state")
        assert link.bytes_in["up"] - before < 0.6 * SIX_MB  # resumed, not started over
    assert content_file(ext_hub, sha).read_bytes() == data
    assert list((tmp_path / "state").glob("upload-*.json")) == []
    assert described["url"]
    http.close()


def test_sigkill_mid_download_leaves_nothing_under_the_content_name_and_the_next_run_finishes(ext_hub, tmp_path):
    data = os.urandom(SIX_MB)
    path = tmp_path / "source.pdf"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    http = signed_in(ext_hub)
    described = upload_file(http, ext_hub.url, new_uid(), "source.pdf", path, sha, resumable=False)
    dest = tmp_path / "attachments"
    token = http.headers["Authorization"].split()[1]
    with LinkProxy(port_of(ext_hub)) as link:
        link.stall_after("down", 3_000_000)
        proc = _child(what="download", token=token, url=link.url, file_url=described["url"], dest=str(dest), sha=sha)
        assert wait_until(link.stalled.is_set, timeout=60)
        partial = dest / f".partial-{sha}"
        assert wait_until(lambda: partial.exists() and partial.stat().st_size > 2_000_000, timeout=30)
        _kill(proc)
    assert not (dest / sha).exists()
    with LinkProxy(port_of(ext_hub)) as link:
        got = download_file(http, link.url, described["url"], dest, sha)
        assert link.bytes_in["down"] < 0.7 * SIX_MB  # resumed from the partial file
    assert got.read_bytes() == data
    assert sorted(p.name for p in dest.iterdir()) == [sha]
    http.close()


def test_refusals_are_sync_errors_with_messages():
    for error in (FileTooLarge(LIMIT), TransferForbidden(), DigestMismatch()):
        assert isinstance(error, SyncError) and not error.transient and str(error)


def test_an_upload_belongs_to_the_person_who_began_it(ext_hub):
    import base64

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    uid, sha = new_uid(), hashlib.sha256(b"0123456789").hexdigest()
    tus = {"Tus-Resumable": "1.0.0"}
    with signed_in(ext_hub) as ana, signed_in(ext_hub) as ben:
        assert ana.post(ext_hub.url + transfer.TUS_PATH, headers={"Upload-Length": "10"}).status_code == 412
        created = ana.post(ext_hub.url + transfer.TUS_PATH, headers={
            **tus, "Upload-Length": "10", "Upload-Metadata": f"uid {b64(uid)},filename {b64('a.txt')},sha256 {b64(sha)}"})
        assert created.status_code == 201 and created.headers["Upload-Offset"] == "0"
        location = ext_hub.url + created.headers["Location"]
        patch = {**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
        assert ben.head(location, headers=tus).status_code == 404
        assert ben.patch(location, headers=patch, content=b"01234").status_code == 404
        half = ana.patch(location, headers=patch, content=b"01234")
        assert half.status_code == 204 and half.headers["Upload-Offset"] == "5"
        stale = ana.patch(location, headers=patch, content=b"01234")  # offset 0 again: refused
        assert stale.status_code == 409 and stale.json()["uploadOffset"] == 5
        done = ana.patch(location, headers={**patch, "Upload-Offset": "5"}, content=b"56789")
        assert done.status_code == 204 and done.headers["X-FocalPoint-Attachment-Url"].endswith("/a.txt")
        assert ana.head(location, headers=tus).headers["Upload-Offset"] == "10"
    assert content_file(ext_hub, sha).read_bytes() == b"0123456789"



def test_a_hub_without_resumable_uploads_does_not_advertise_them(tmp_path, six_mb):
    path, data, sha = six_mb
    with start_hub(tmp_path=tmp_path, resumable_uploads=False, files_dir=tmp_path / "elsewhere") as hub:
        info = httpx.get(hub.url + "/api/v2013/focalpoint/capabilities").json()
        assert not server_supports_resumable(info) and "uploads" not in info
        assert httpx.options(hub.url + transfer.TUS_PATH).status_code in (404, 405)
        with signed_in(hub) as http:
            described = upload_file(http, hub.url, new_uid(), "plain.pdf", path, sha,
                                    resumable=server_supports_resumable(info))
        assert (tmp_path / "elsewhere" / "content" / sha[:2] / sha).read_bytes() == data
        assert described["url"].startswith("/api/v2013/documents/")
