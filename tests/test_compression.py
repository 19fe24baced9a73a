"""zstd with the shipped CHM dictionary between a real hub on loopback and the client; gzip otherwise."""

from __future__ import annotations

import gzip
import json
import random

import httpx
import pytest
import zstandard

from focalpoint import compression
from focalpoint.sync.client import HubClient
from focalpoint.sync.errors import MalformedAnswer
from focalpoint.sync.protocol import BATCH_PATH, CAPABILITIES_PATH, CHANGES_PATH, TOKEN_PATH, draft_path
from tests.support.hub import start_hub
from tests.support.sync import Station, needs_assessment
from tests.test_sync_deltas import big_assessment

PASSWORD = "correct horse"
GOV = "ws"


@pytest.fixture(scope="module")
def zhub(hub):  # noqa: ANN001
    """The module's hub (it offers zstd), with Ana."""
    hub.add_user(f"ana@{GOV}.org", PASSWORD, "authorized-user", GOV)
    return hub


def _signed_in(url: str) -> HubClient:
    client = HubClient(url)
    client.token = client.request("POST", TOKEN_PATH, json_body={"email": f"ana@{GOV}.org", "password": PASSWORD},
                                  auth=False).body["authenticationToken"]
    return client


def test_the_shipped_dictionary_is_advertised_and_loads():
    ids = sorted(compression.dictionaries())
    assert ids and all(i > 32767 for i in ids)  # private ids, outside zstd's reserved range
    caps = [f"zstd-dictionary:{i}" for i in ids]
    assert compression.advertised() == ["zstd", *caps]
    assert compression.shared_dictionary(["zstd", *caps, "zstd-dictionary:99999"]) == max(ids)
    assert compression.shared_dictionary(["zstd-dictionary:99999", "zstd"]) is None
    assert compression.shared_dictionary(caps) is None  # no "zstd": the hub does not take it


def test_hub_answers_zstd_to_a_client_that_asks_and_gzip_to_one_that_does_not(zhub):
    doc = big_assessment(GOV, random.Random(1))
    asking, plain = _signed_in(zhub.url), _signed_in(zhub.url)
    try:
        caps = asking.request("GET", CAPABILITIES_PATH, auth=False).body
        asking.negotiate(caps["extensions"])
        assert asking.zstd_dictionary == max(compression.dictionaries())
        saved = asking.request("PUT", draft_path(doc["header"]["identifier"]), json_body=doc)  # a zstd body
        assert saved.status == 200, saved.body

        zstd_answer = asking.request("GET", draft_path(doc["header"]["identifier"]))
        gzip_answer = plain.request("GET", draft_path(doc["header"]["identifier"]))

        assert zstd_answer.headers["content-encoding"] == "zstd"
        assert gzip_answer.headers["content-encoding"] == "gzip"
        assert zstd_answer.body == gzip_answer.body == doc
        assert "accept-encoding" in zstd_answer.headers.get("vary", "").lower()
    finally:
        asking.close()
        plain.close()


def test_zstd_frames_name_their_dictionary_and_unknown_ones_are_refused(zhub):
    dict_id = max(compression.dictionaries())
    raw = json.dumps(needs_assessment(GOV, "Frame")).encode()
    frame = compression.compress(raw, dict_id)
    assert zstandard.get_frame_parameters(frame).dict_id == dict_id
    assert compression.decompress(frame, 1 << 20) == raw
    stranger = zstandard.train_dictionary(4096, [raw + bytes([i]) * 40 for i in range(200)], dict_id=40000)
    foreign = zstandard.ZstdCompressor(dict_data=stranger).compress(raw)
    with pytest.raises(compression.CompressionError, match="dictionary 40000"):
        compression.decompress(foreign, 1 << 20)
    with pytest.raises(compression.CompressionError, match="cut short"):
        compression.decompress(compression.compress(raw * 50, dict_id)[:-20], 1 << 20)
    with pytest.raises(compression.CompressionError, match="more than"):
        compression.decompress(compression.compress(b"\0" * 5_000_000, None), 1_000_000)
    # a hub answer made with an unknown dictionary is a malformed answer, never applied
    client = HubClient(zhub.url)
    try:
        response = httpx.Response(200, headers={"content-type": "application/json", "content-encoding": "zstd"})
        with pytest.raises(MalformedAnswer):
            client._decode(response, foreign)
    finally:
        client.close()


def test_hub_refuses_damaged_and_oversized_zstd_bodies(tmp_path):
    with start_hub(tmp_path=tmp_path, max_body_bytes=200_000) as small:
        small.add_user(f"ana@{GOV}.org", PASSWORD, "authorized-user", GOV)
        token = small.login(f"ana@{GOV}.org", PASSWORD)
        headers = {"Authorization": f"Ticket {token}", "Content-Type": "application/json",
                   "Content-Encoding": "zstd"}
        url = small.url + BATCH_PATH
        bomb = compression.compress(b'{"operations":[' + b" " * 1_000_000 + b"]}", None)
        assert len(bomb) < 200_000
        assert httpx.post(url, content=bomb, headers=headers, timeout=30).status_code == 413
        damaged = compression.compress(b'{"operations":[]}', max(compression.dictionaries()))[:-6]
        answer = httpx.post(url, content=damaged, headers=headers, timeout=30)
        assert answer.status_code == 400 and answer.json()["code"] == "Error.InvalidEncoding"
        fine = compression.compress(b'{"operations":[]}', max(compression.dictionaries()))
        assert httpx.post(url, content=fine, headers=headers, timeout=30).json() == {"results": []}


def _seed(url: str, documents: list[dict]) -> None:
    client = _signed_in(url)
    try:
        for start in range(0, len(documents), 100):
            ops = [{"id": f"seed-{d['header']['identifier']}", "method": "PUT",
                    "path": draft_path(d["header"]["identifier"], d["header"]["schema"]),
                    "headers": {"If-None-Match": "*"}, "body": d} for d in documents[start:start + 100]]
            answer = client.request("POST", BATCH_PATH, json_body={"operations": ops})
            assert all(r["status"] == 200 for r in answer.body["results"])
    finally:
        client.close()


def test_first_pull_bytes_with_zstd_against_gzip(tmp_path):
    rng = random.Random(3)
    documents = [big_assessment(GOV, rng) for _ in range(300)]
    figures = {}
    for name, zstd in (("zstd", True), ("gzip", False)):
        (tmp_path / name).mkdir()
        with start_hub(tmp_path=tmp_path / name, zstd=zstd) as running:
            running.add_user(f"ana@{GOV}.org", PASSWORD, "authorized-user", GOV)
            _seed(running.url, documents)
            station = Station(tmp_path / f"{name}-client", running.url, f"ana@{GOV}.org", PASSWORD)
            try:
                report = station.sync()
                assert report.ok, report.error
                assert report.pulled == len(documents)
                assert station.document(documents[7]["header"]["identifier"]) == documents[7]
                assert (station.client.zstd_dictionary is not None) == zstd
                figures[name] = report.bytes_received
            finally:
                station.close()
    raw = sum(len(json.dumps(d, ensure_ascii=False).encode()) for d in documents)
    assert figures["zstd"] < 0.9 * figures["gzip"], figures
    assert figures["gzip"] < len(gzip.compress(json.dumps(documents).encode())) * 1.5 < raw


def test_large_feed_pages_come_without_the_dictionary_and_smaller_than_with_it(tmp_path):
    """A change-feed page of hundreds of KB is its own context: the hub frames it without the
    dictionary (plain zstd, read by any zstd reader), which is smaller than with it; a single
    document still comes framed with the dictionary."""
    dict_id = max(compression.dictionaries())
    rng = random.Random(5)
    documents = [big_assessment(GOV, rng) for _ in range(240)]
    with start_hub(tmp_path=tmp_path) as running:
        running.add_user(f"ana@{GOV}.org", PASSWORD, "authorized-user", GOV)
        _seed(running.url, documents)
        headers = {"Authorization": f"Ticket {running.login(f'ana@{GOV}.org', PASSWORD)}"}
        zstd = {**headers, "Accept-Encoding": "zstd", compression.DICTIONARY_HEADER: str(dict_id)}
        params = {"since": 0, "limit": 500, "maxBytes": 8 * 1024 * 1024}

        def raw(path: str, sent: dict[str, str], query: dict | None = None) -> httpx.Response:
            with httpx.stream("GET", running.url + path, params=query, headers=sent, timeout=60) as answer:
                answer.raw_bytes = b"".join(answer.iter_raw())  # type: ignore[attr-defined]
                return answer

        page = raw(CHANGES_PATH, zstd, params)
        plain = raw(CHANGES_PATH, {**headers, "Accept-Encoding": "identity"}, params)
        assert page.headers["content-encoding"] == "zstd" and "content-encoding" not in plain.headers
        body = plain.raw_bytes
        assert len(json.loads(body)["results"]) == len(documents) and len(body) > compression.DICTIONARY_UP_TO
        assert zstandard.get_frame_parameters(page.raw_bytes).dict_id == 0
        assert compression.decompress(page.raw_bytes, len(body)) == body
        assert len(page.raw_bytes) < len(compression.compress(body, dict_id))
        assert raw(CHANGES_PATH, zstd, params).raw_bytes == page.raw_bytes  # the same page again (cached)

        one = raw(draft_path(documents[0]["header"]["identifier"]), zstd)
        assert one.headers["content-encoding"] == "zstd"
        assert zstandard.get_frame_parameters(one.raw_bytes).dict_id == dict_id
        assert json.loads(compression.decompress(one.raw_bytes, 1 << 20)) == documents[0]


def test_large_answers_are_compressed_once_and_the_cache_stays_within_its_bound(monkeypatch):
    rng = random.Random(9)
    dict_id = max(compression.dictionaries())
    bodies = [json.dumps([big_assessment(GOV, rng) for _ in range(12)]).encode() for _ in range(6)]
    assert all(len(b) > compression.CACHE_OVER for b in bodies)
    first = compression.compress_answer(bodies[0], dict_id)
    assert compression.compress_answer(bodies[0], dict_id) is first  # served from the cache
    assert compression.decompress(first, len(bodies[0])) == bodies[0]
    monkeypatch.setattr(compression, "CACHE_BYTES", 3 * len(first))
    frames = [compression.compress_answer(b, dict_id) for b in bodies]
    assert sum(len(f) for f in compression._cache.values()) == compression._cache_size <= 3 * len(first)
    assert compression.compress_answer(bodies[-1], dict_id) is frames[-1]  # the newest is kept
    assert all(compression.decompress(f, len(b)) == b for f, b in zip(frames, bodies, strict=True))
