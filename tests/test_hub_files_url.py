"""A hub keeping its finished files in an fsspec store (``files_url``: ``memory://`` and a ``file://``
folder apart from ``files_dir``), over real HTTP on loopback: plain and tus uploads land in the
store byte for byte, downloads (whole, ``Range``, resumed after a cut) come back from it, one
content is stored once, a wrong digest leaves nothing there, and nothing finished stays on the
hub's local disk."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import fsspec
import httpx
import pytest

from focalpoint.hub.files import FileStore, FileStoreError
from focalpoint.sync.transfer import DigestMismatch, RetryPolicy, download_file, upload_file
from tests.support.hub import start_hub
from tests.support.hubkit import PASSWORD, new_uid, random_file, signed_in
from tests.support.linkproxy import LinkProxy

TWO_MB = 2 * 1024 * 1024
FAST = RetryPolicy(max_attempts=5, backoff_base=0.02, backoff_cap=0.2)


@pytest.fixture(scope="module", params=["memory", "file"])
def remote_hub(request, tmp_path_factory):
    """A hub (tus on) whose contents live in ``memory://fp-test-…`` or a ``file://`` folder that is
    not its ``files_dir``; ``.store_url`` names the store."""
    base = tmp_path_factory.mktemp(f"hub-{request.param}")
    if request.param == "memory":
        url = f"memory://fp-test-{secrets.token_hex(6)}"
    else:
        url = (base / "object-store").as_uri()
    with start_hub(tmp_path=base, files_dir=base / "local-files", files_url=url) as running:
        running.store_url = url
        yield running
    if request.param == "memory":
        fs, root = fsspec.core.url_to_fs(url)
        fs.rm(root, recursive=True)


@pytest.fixture
def two_mb(tmp_path) -> tuple[Path, bytes, str]:
    return random_file(tmp_path / "rapport national.pdf", TWO_MB)


def store_listing(hub) -> list[str]:  # noqa: ANN001
    """Every object in the hub's store, read with fsspec directly (not through the hub)."""
    fs, root = fsspec.core.url_to_fs(hub.store_url)
    return sorted(name[len(root.rstrip("/")) + 1:] for name in fs.find(root))


def local_leftovers(hub) -> list[Path]:  # noqa: ANN001
    """Files in the hub's local folders that should be empty once nothing is in progress."""
    store = hub.app.state.files
    content = list(store.content_dir.rglob("*")) if store.content_dir.exists() else []
    return content + list(store.incoming_dir.iterdir())


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_upload_lands_in_the_store_and_downloads_byte_for_byte(remote_hub, tmp_path, two_mb, which):
    path, data, sha = two_mb
    with signed_in(remote_hub) as http:
        described = upload_file(http, remote_hub.url, new_uid(), "rapport national é.pdf", path, sha,
                                resumable=which == "tus", state_dir=tmp_path / "state", retry=FAST)
        assert described["sha256"] == sha and described["size"] == TWO_MB
        assert f"{sha[:2]}/{sha}" in store_listing(remote_hub)
        head = http.head(remote_hub.url + described["url"])
        assert head.status_code == 200 and head.headers["content-length"] == str(TWO_MB)
        assert head.headers["etag"] == f'"{sha}"' and head.headers["accept-ranges"] == "bytes"
        assert "filename*=utf-8''rapport%20national%20%C3%A9.pdf" in head.headers["content-disposition"]
        assert head.content == b""
        got = download_file(http, remote_hub.url, described["url"], tmp_path / "in", sha, retry=FAST)
    assert got.read_bytes() == data
    fs, root = fsspec.core.url_to_fs(remote_hub.store_url)
    assert fs.cat_file(f"{root.rstrip('/')}/{sha[:2]}/{sha}") == data
    assert local_leftovers(remote_hub) == []  # nothing finished kept on the hub's own disk


def test_range_requests_are_served_from_the_store(remote_hub, tmp_path, two_mb):
    path, data, sha = two_mb
    with signed_in(remote_hub) as http:
        route = upload_file(http, remote_hub.url, new_uid(), "r.pdf", path, sha, resumable=False)["url"]
        url = remote_hub.url + route
        part = http.get(url, headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == data[1000:2000]
        assert part.headers["content-range"] == f"bytes 1000-1999/{TWO_MB}"
        assert part.headers["content-length"] == "1000"
        tail = http.get(url, headers={"Range": "bytes=-300"})
        assert tail.status_code == 206 and tail.content == data[-300:]
        rest = http.get(url, headers={"Range": f"bytes={TWO_MB - 5}-", "If-Range": f'"{sha}"'})
        assert rest.status_code == 206 and rest.content == data[-5:]
        past = http.get(url, headers={"Range": f"bytes={TWO_MB}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{TWO_MB}"
        stale = http.get(url, headers={"Range": "bytes=0-9", "If-Range": '"another-version"'})
        assert stale.status_code == 200 and stale.content == data
        several = http.get(url, headers={"Range": "bytes=0-9,20-29"})
        assert several.status_code == 200 and several.content == data
        # a download cut twice resumes with Range and ends byte for byte
        host, port = "127.0.0.1", int(remote_hub.url.rsplit(":", 1)[1])
        with LinkProxy((host, port)) as link:
            link.cut_after("down", 700_000, 1_400_000)
            got = download_file(http, link.url, route, tmp_path / "in", sha, retry=FAST)
            assert link.cuts == 2 and link.bytes_in["down"] <= 1.2 * TWO_MB, link.bytes_in
    assert got.read_bytes() == data


def test_the_same_content_is_stored_once(remote_hub, tmp_path, two_mb):
    path, data, sha = two_mb
    with signed_in(remote_hub) as http:
        first = upload_file(http, remote_hub.url, new_uid(), "first.pdf", path, sha, resumable=False)
        second = upload_file(http, remote_hub.url, new_uid(), "again.pdf", path, sha, resumable=False)
        third = upload_file(http, remote_hub.url, new_uid(), "tus.pdf", path, sha, resumable=True,
                            state_dir=tmp_path / "state")
        assert len({first["url"], second["url"], third["url"]}) == 3
        assert http.get(remote_hub.url + third["url"]).content == data
    named = [name for name in store_listing(remote_hub) if name.endswith(sha)]
    assert named == [f"{sha[:2]}/{sha}"]
    assert local_leftovers(remote_hub) == []


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_a_wrong_digest_stores_nothing(remote_hub, tmp_path, two_mb, which):
    path, _data, sha = two_mb
    damaged = tmp_path / "damaged.pdf"
    content = path.read_bytes()
    damaged.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))  # the last byte changed, whatever it was
    wrong = hashlib.sha256(damaged.read_bytes()).hexdigest()
    before = store_listing(remote_hub)
    with signed_in(remote_hub) as http, pytest.raises(DigestMismatch):
        upload_file(http, remote_hub.url, new_uid(), "damaged.pdf", damaged, sha, resumable=which == "tus",
                    state_dir=tmp_path / "state", retry=FAST)
    after = store_listing(remote_hub)
    assert after == before
    assert not any(sha in name or wrong in name for name in after)
    assert local_leftovers(remote_hub) == []


def test_a_store_url_that_cannot_be_opened_is_a_clear_error(tmp_path):
    with pytest.raises(FileStoreError, match="no-such-scheme://bucket"):
        FileStore(tmp_path, url="no-such-scheme://bucket/files")


def test_without_a_url_the_local_layout_is_unchanged(tmp_path):
    store = FileStore(tmp_path / "files")
    assert not store.is_remote
    body = store.new_incoming()
    body.write_bytes(b"hello")
    sha = hashlib.sha256(b"hello").hexdigest()
    store.adopt(body, sha)
    assert (tmp_path / "files" / "content" / sha[:2] / sha).read_bytes() == b"hello"
    assert b"".join(store.read_range(sha, 1, 4)) == b"ell" and store.size_of(sha) == 5


def test_the_hubs_bundle_carries_files_from_the_store(remote_hub, tmp_path):
    """An offline computer importing the hub's bundle gets the files the store holds; the copies the
    hub fetched to write it are gone once it is sent."""
    from focalpoint.forms.attachments import attachment_path
    from focalpoint.records.attachments import attach_to_record
    from focalpoint.sync.bundle import import_bundle
    from tests.support.sync import Station, government_codes, needs_assessment, wait_until

    gov = [g for g in government_codes() if g != "ws"][150]
    email = f"bundle-{secrets.token_hex(4)}@{gov}.org"
    remote_hub.add_user(email, PASSWORD, "authorized-user", gov)
    a = Station(tmp_path / "a", remote_hub.url, email, PASSWORD)
    offline = Station(tmp_path / "offline", remote_hub.url, "offline@nowhere.org", "never used")
    try:
        report = tmp_path / "Assessment report.pdf"
        report.write_bytes(os.urandom(TWO_MB))
        sha = hashlib.sha256(report.read_bytes()).hexdigest()
        ident = a.store.save(needs_assessment(gov, "With a report")).identifier
        attach_to_record(a.store, ident, report)
        assert a.sync().ok
        assert f"{sha[:2]}/{sha}" in store_listing(remote_hub)
        response = httpx.get(remote_hub.url + "/api/v2013/focalpoint/bundle", params={"government": gov},
                             headers={"Authorization": f"Ticket {remote_hub.login(email, PASSWORD)}"},
                             timeout=60)
        assert response.status_code == 200, response.text
        stick = tmp_path / "hub.fpb"
        stick.write_bytes(response.content)
        summary = import_bundle(offline.db, stick)
        assert summary.files == 1 and summary.files_new == 1
        assert attachment_path(offline.data_dir, sha).read_bytes() == report.read_bytes()
        # the bundle (removed once sent) and the copy fetched from the store
        assert wait_until(lambda: local_leftovers(remote_hub) == []), local_leftovers(remote_hub)
    finally:
        a.close()
        offline.close()


@pytest.mark.parametrize("which", ["plain", "tus"])
def test_an_empty_file_goes_to_the_store_too(remote_hub, tmp_path, which):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    sha = hashlib.sha256(b"").hexdigest()
    with signed_in(remote_hub) as http:
        described = upload_file(http, remote_hub.url, new_uid(), "empty.txt", path, sha,
                                resumable=which == "tus", state_dir=tmp_path / "state", retry=FAST)
        whole = http.get(remote_hub.url + described["url"])
        assert whole.status_code == 200 and whole.content == b""
        assert http.get(remote_hub.url + described["url"], headers={"Range": "bytes=0-"}).status_code == 416
    assert f"{sha[:2]}/{sha}" in store_listing(remote_hub)
    assert local_leftovers(remote_hub) == []


def test_the_multi_worker_start_reads_the_files_settings(tmp_path, monkeypatch):
    """``uvicorn --factory focalpoint.hub.asgi:from_env`` (several workers, docs/deploy-hub.md) takes
    the files folder and the store URL from the environment, as ``focalpoint-hub serve`` does."""
    from focalpoint.hub.asgi import from_env

    monkeypatch.setenv("FOCALPOINT_HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    monkeypatch.setenv("FOCALPOINT_HUB_FILES_DIR", str(tmp_path / "incoming-files"))
    monkeypatch.setenv("FOCALPOINT_HUB_FILES_URL", (tmp_path / "store").as_uri())
    hub = from_env().state.hub
    assert str(hub.files_dir) == str(tmp_path / "incoming-files")
    assert hub.files_url == (tmp_path / "store").as_uri()
