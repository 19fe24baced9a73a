"""Draft saves as JSON Merge Patches (the hub's ``merge-patch`` extension), through a real hub on loopback.

Bytes are counted at the client's HTTP transport: every request as it leaves (line, headers,
compressed body) and every answer as it arrives (status line, headers, still-compressed body).
"""

from __future__ import annotations

import copy
import gzip
import json
import random

import httpx
import pytest

from focalpoint import compression
from focalpoint.sync.push import MERGE_PATCH_TYPE
from tests.support.hub import start_hub
from tests.support.sync import Office, Station, government_codes, hub_get, needs_assessment

PASSWORD = "correct horse"
WORDS = ["marine", "coastal", "forest", "wetland", "species", "inventory", "training", "workshop", "national",
         "strategy", "biodiversity", "monitoring", "protected", "area", "restoration", "community"]
_governments = iter(government_codes()[::-1])


class CountingTransport(httpx.BaseTransport):
    """A real HTTP transport that counts the bytes each way and keeps each request's decoded JSON body."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent = 0
        self.received = 0
        self.requests: list[tuple[str, str, dict[str, str], object]] = []

    def reset(self) -> None:
        self.sent = self.received = 0
        self.requests.clear()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        head = sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + 2
        self.sent += len(request.method) + len(request.url.raw_path) + 12 + head + len(body)
        encoding = request.headers.get("content-encoding", "")
        plain = compression.decompress(body, 1 << 26) if encoding == "zstd" else (
            gzip.decompress(body) if encoding == "gzip" else body)
        decoded = json.loads(plain) if plain else None
        self.requests.append((request.method, request.url.path, dict(request.headers), decoded))
        response = self.inner.handle_request(request)
        raw = b"".join(response.stream)
        head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2
        self.received += 15 + len(response.extensions.get("reason_phrase", b"")) + head + len(raw)
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                              extensions=response.extensions)

    def close(self) -> None:
        self.inner.close()

    def saves(self) -> list[tuple[dict[str, str], object]]:
        """(headers, body) of every draft save sent, alone or in a batch."""
        out = []
        for method, path, headers, body in self.requests:
            if method == "PUT" and path.endswith("/versions/draft"):
                out.append(({k.lower(): v for k, v in headers.items()}, body))
            elif path.endswith("/focalpoint/batch") and isinstance(body, dict):
                for op in body["operations"]:
                    if op["method"] == "PUT" and op["path"].split("?")[0].endswith("/versions/draft"):
                        out.append(({k.lower(): v for k, v in op.get("headers", {}).items()}, op.get("body")))
        return out


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def big_assessment(gov: str, rng: random.Random) -> dict:
    """A needs assessment of ~10 KB: long summaries and needs in six languages."""
    langs = ["ar", "en", "es", "fr", "ru", "zh"]
    doc = needs_assessment(gov, "Assessment " + _text(rng, 3))
    doc["header"]["languages"] = langs
    doc["title"] = {lang: f"{lang} " + _text(rng, 6) for lang in langs}
    doc["summary"] = {lang: _text(rng, 120) for lang in langs}
    return doc


@pytest.fixture
def office(hub, tmp_path):
    """A government with Ana and Ben; the computers made are closed at the end."""
    with Office(hub, tmp_path, next(_governments), PASSWORD, accounts=("ana", "ben")) as group:
        yield group


@pytest.fixture
def station(office):
    """Ana's computer, its traffic counted."""
    transport = CountingTransport()
    st = office.station("a", user="ana", transport=transport)
    st.transport = transport
    return st


def _edit_title_fr(station: Station, identifier: str, suffix: str) -> dict:
    doc = copy.deepcopy(station.document(identifier))
    doc["title"]["fr"] += suffix
    station.store.save(doc)
    return doc


def test_hundred_single_field_edits_push_under_30_kb_and_equal_a_whole_save(hub, station, office):
    rng = random.Random(5)
    ids = [station.store.save(big_assessment(station.gov, rng)).identifier for _ in range(100)]
    assert station.sync().ok
    edited = {i: _edit_title_fr(station, i, " (révisé)") for i in ids}
    station.transport.reset()

    report = station.sync()

    assert report.ok, report.error
    assert report.pushed == 100
    saves = station.transport.saves()
    assert len(saves) == 100
    assert all(h.get("content-type") == MERGE_PATCH_TYPE and "if-match" in h for h, _ in saves)
    expected = sorted(json.dumps({"title": {"fr": edited[i]["title"]["fr"]}}, ensure_ascii=False) for i in ids)
    assert sorted(json.dumps(body, ensure_ascii=False) for _, body in saves) == expected
    wire = station.transport.sent + station.transport.received
    assert wire <= 30 * 1024, f"{wire} bytes on the wire for 100 single-field edits"
    assert report.bytes_sent + report.bytes_received <= 30 * 1024
    # what the hub stores is the whole document, as a whole save would have made it
    token = hub.login(f"ana@{station.gov}.org", PASSWORD)
    for identifier in ids[:10]:
        assert hub_get(hub.url, token, f"/api/v2013/documents/{identifier}/versions/draft") \
            == edited[identifier]
    other = office.station("b", user="ben")
    assert other.sync().ok
    assert all(other.document(i) == edited[i] for i in ids)


def test_stale_base_gets_412_and_the_edit_is_merged_and_sent_again(hub, station, office):
    rec = station.store.save(big_assessment(station.gov, random.Random(6)))
    assert station.sync().ok
    other = office.station("b", user="ben")
    assert other.sync().ok
    other.edit_text(rec.identifier, "summary", "en", "Changed on the other computer")
    assert other.sync().ok
    mine = _edit_title_fr(station, rec.identifier, " — corrigé ici")
    station.transport.reset()

    report = station.sync()

    assert report.ok, report.error
    assert report.merged == [rec.identifier]
    saves = station.transport.saves()
    assert [h["content-type"] for h, _ in saves] == [MERGE_PATCH_TYPE, MERGE_PATCH_TYPE]
    assert saves[0][0]["if-match"] != saves[1][0]["if-match"]  # sent again on the newer revision
    token = hub.login(f"ana@{station.gov}.org", PASSWORD)
    stored = hub_get(hub.url, token, f"/api/v2013/documents/{rec.identifier}/versions/draft")
    assert stored["title"]["fr"] == mine["title"]["fr"]  # the edit made here is not lost
    assert stored["summary"]["en"] == "Changed on the other computer"
    assert station.document(rec.identifier) == stored


def test_same_field_edited_on_both_sides_is_a_conflict_keeping_the_local_edit(hub, station, office):
    rec = station.store.save(big_assessment(station.gov, random.Random(7)))
    assert station.sync().ok
    other = office.station("b", user="ben")
    assert other.sync().ok
    _edit_title_fr(other, rec.identifier, " (theirs)")
    assert other.sync().ok
    mine = _edit_title_fr(station, rec.identifier, " (mine)")

    report = station.sync()

    assert report.conflicts == [rec.identifier]
    assert station.document(rec.identifier)["title"]["fr"] == mine["title"]["fr"]
    assert station.record(rec.identifier).conflict["fields"] == ["title.fr"]


def _put_patch(hub, token: str, identifier: str, patch: dict, revision: int | None) -> httpx.Response:  # noqa: ANN001
    headers = {"Authorization": f"Ticket {token}", "Content-Type": MERGE_PATCH_TYPE}
    if revision is not None:
        headers["If-Match"] = f'"{revision}"'
    return httpx.put(f"{hub.url}/api/v2013/documents/{identifier}/versions/draft",
                     content=json.dumps(patch).encode(), headers=headers, timeout=30)


def _draft_on_hub(hub, station, title: str):  # noqa: ANN001, ANN202
    """Ana saves a new draft on the hub by plain HTTP: (her token, the document, the hub's answer)."""
    token = hub.login(f"ana@{station.gov}.org", PASSWORD)
    doc = needs_assessment(station.gov, title)
    created = httpx.put(f"{hub.url}/api/v2013/documents/{doc['header']['identifier']}/versions/draft", json=doc,
                        headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert created.status_code == 200, created.text
    return token, doc, created


def test_hub_answers_a_patch_as_a_whole_save_and_412_on_a_stale_revision(hub, station):
    token, doc, created = _draft_on_hub(hub, station, "Protocol")
    identifier = doc["header"]["identifier"]
    revision = created.json()["revision"]

    patched = _put_patch(hub, token, identifier, {"title": {"fr": "Protocole"}, "summary": None}, revision)

    assert patched.status_code == 200
    assert set(patched.json()) == set(created.json())  # the same answer as a whole save
    assert patched.json()["revision"] == revision + 1
    stored = hub_get(hub.url, token, f"/api/v2013/documents/{identifier}/versions/draft")
    expected = {k: v for k, v in doc.items() if k != "summary"}
    expected["title"] = {"en": "Protocol", "fr": "Protocole"}
    assert stored == expected

    stale = _put_patch(hub, token, identifier, {"title": {"en": "Late"}}, revision)
    assert stale.status_code == 412
    assert stale.json()["code"] == "Error.PreconditionFailed"
    assert stale.json()["current"]["revision"] == revision + 1
    assert stale.json()["current"]["body"] == stored

    assert _put_patch(hub, token, identifier, {"title": {"en": "No base"}}, None).status_code == 428
    invalid = _put_patch(hub, token, identifier, {"government": None}, revision + 1)
    assert invalid.status_code == 422  # the result is validated as a whole save
    assert hub_get(hub.url, token, f"/api/v2013/documents/{identifier}/versions/draft") == stored


def test_a_patch_replayed_with_its_idempotency_key_saves_once(hub, station):
    token, doc, created = _draft_on_hub(hub, station, "Once")
    identifier = doc["header"]["identifier"]
    revision = created.json()["revision"]
    headers = {"Authorization": f"Ticket {token}", "Content-Type": MERGE_PATCH_TYPE,
               "If-Match": str(revision), "Idempotency-Key": "delta-once-1"}
    url = f"{hub.url}/api/v2013/documents/{identifier}/versions/draft"
    first = httpx.put(url, content=b'{"title":{"fr":"Une fois"}}', headers=headers, timeout=30)
    again = httpx.put(url, content=b'{"title":{"fr":"Une fois"}}', headers=headers, timeout=30)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replay") == "true"
    assert again.json()["revision"] == first.json()["revision"] == revision + 1


def test_a_hub_without_the_extension_gets_whole_documents(tmp_path):
    with start_hub(tmp_path=tmp_path, merge_patch=False) as plain:
        gov = "ws"
        plain.add_user(f"ana@{gov}.org", PASSWORD, "authorized-user", gov)
        caps = httpx.get(plain.url + "/api/v2013/focalpoint/capabilities", timeout=30).json()
        assert "merge-patch" not in caps["extensions"]
        transport = CountingTransport()
        st = Station(tmp_path / "a", plain.url, f"ana@{gov}.org", PASSWORD, transport=transport)
        try:
            rec = st.store.save(needs_assessment(gov, "Whole"))
            assert st.sync().ok
            doc = _edit_title_fr(st, rec.identifier, " entier")
            transport.reset()
            assert st.sync().ok
            saves = transport.saves()
            assert len(saves) == 1
            headers, body = saves[0]
            assert headers.get("content-type", "application/json") == "application/json"
            assert body == doc
            token = plain.login(f"ana@{gov}.org", PASSWORD)
            refused = _put_patch(plain, token, rec.identifier, {"title": {"en": "x"}},
                                 st.record(rec.identifier).server_revision)
            assert refused.status_code == 415
        finally:
            st.close()


def test_a_hub_that_stops_taking_patches_gets_the_edit_whole(tmp_path):
    with start_hub(tmp_path=tmp_path) as running:
        gov = "ws"
        running.add_user(f"ana@{gov}.org", PASSWORD, "authorized-user", gov)
        transport = CountingTransport()
        st = Station(tmp_path / "a", running.url, f"ana@{gov}.org", PASSWORD, transport=transport)
        try:
            rec = st.store.save(needs_assessment(gov, "Restarted"))
            assert st.sync().ok  # the capabilities (merge-patch) are kept here for a day
            running.hub.merge_patch = False  # the hub restarted without the extension
            doc = _edit_title_fr(st, rec.identifier, " après")
            transport.reset()

            report = st.sync()

            assert report.ok, report.error
            assert report.pushed == 1 and not report.errors
            sent = transport.saves()
            assert [h.get("content-type") for h, _ in sent] == [MERGE_PATCH_TYPE, None]
            assert sent[1][1] == doc
            token = running.login(f"ana@{gov}.org", PASSWORD)
            assert hub_get(running.url, token, f"/api/v2013/documents/{rec.identifier}/versions/draft") == doc
        finally:
            st.close()


def test_a_reviewers_correction_may_be_a_patch_and_still_needs_the_review_header(hub_env):
    gov = hub_env.government()
    author, focal_point = hub_env.user("authorized-user", gov), hub_env.user("focal-point", gov)
    doc = hub_env.national(gov)
    uid = doc["header"]["identifier"]
    assert author.put_draft(doc).status_code == 200
    workflow = author.request_publication(uid)
    assert workflow.status_code == 201, workflow.text
    wf = workflow.json()["_id"]
    url = f"/api/v2013/documents/{uid}/versions/draft"
    patch = json.dumps({"title": {"en": "Corrected in review"}}).encode()
    headers = {"Content-Type": MERGE_PATCH_TYPE, "If-Match": "1"}

    assert focal_point.client.put(url, content=patch, headers=headers).status_code == 423  # locked
    edited = focal_point.client.put(url, content=patch, headers={**headers, "X-FocalPoint-Review": wf})

    assert edited.status_code == 200, edited.text
    assert edited.json()["revision"] == 2 and edited.json()["workingDocumentLock"]["workflowId"] == wf
    draft = focal_point.client.get(url).json()
    assert draft["title"] == {**doc["title"], "en": "Corrected in review"}
    assert {k: v for k, v in draft.items() if k != "title"} == {k: v for k, v in doc.items() if k != "title"}
