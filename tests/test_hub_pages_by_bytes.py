"""The change feed's pages are sized by bytes as well as by count (extension ``changes-max-bytes``).

A page of large records stays a short answer a cut link can afford to fetch again; a page of small
ones is not split needlessly; no change is skipped or repeated; a client with a small budget ends up
with the same records as one with a large budget.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from focalpoint.models import Record
from focalpoint.sync.pull import PAGE_BYTES, read_checkpoint
from tests.support.hubkit import NATIONAL_SCHEMA, PASSWORD, Actor, HubEnv
from tests.support.sync import Station

FEED = "/api/v2013/focalpoint/changes"
BIG, SMALL = 30, 300
WORDS = ["mangrove", "seagrass", "reef", "monitoring", "staff", "training", "equipment", "survey",
         "taxonomy", "herbarium", "database", "workshop", "community", "fisheries", "invasive"]


@dataclass
class Seeded:
    env: HubEnv
    gov: str
    user: Actor
    since: int  # the feed's position before the records were written
    big: set[str]
    small: set[str]


def _text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(WORDS) + str(rng.randint(0, 999)))
        length += len(words[-1]) + 1
    return " ".join(words)


def _feed_end(actor: Actor) -> int:
    page = actor.changes(0, limit=1000)
    while page["more"]:
        page = actor.changes(page["last_seq"], limit=1000)
    return page["last_seq"]


@pytest.fixture(scope="module")
def seeded(hub_server) -> Iterator[Seeded]:
    """30 records of about 100 KB among 300 of about 1 KB, written in one government (in batches)."""
    env = HubEnv(hub_server)
    try:
        gov = env.government()
        user = env.user("authorized-user", gov)
        since = _feed_end(user)
        rng = random.Random(18)
        big, small, ops = set(), set(), []
        for i in range(BIG + SMALL):
            large = i % 11 == 5  # spread through the feed: 30 of 330
            doc = env.national(gov, methodology={"en": _text(rng, 100_000 if large else 600)})
            uid = doc["header"]["identifier"]
            (big if large else small).add(uid)
            ops.append({"id": f"seed-{uid}", "method": "PUT", "body": doc,
                        "path": f"/api/v2013/documents/{uid}/versions/draft?schema={NATIONAL_SCHEMA}"})
        assert len(big) == BIG and len(small) == SMALL
        for start in range(0, len(ops), 50):
            answer = user.client.post("/api/v2013/focalpoint/batch", json={"operations": ops[start:start + 50]})
            assert answer.status_code == 200, answer.text
            assert all(r["status"] == 200 for r in answer.json()["results"]), answer.text[:2000]
        yield Seeded(env, gov, user, since, big, small)
    finally:
        env.close()


def _pages(actor: Actor, since: int, max_bytes: int | None, limit: int = 1000) -> list[tuple[bytes, dict[str, Any]]]:
    """Every page after ``since``: (the JSON as sent, before compression; its content)."""
    pages = []
    while True:
        params: dict[str, Any] = {"since": since, "limit": limit}
        if max_bytes is not None:
            params["maxBytes"] = max_bytes
        response = actor.client.get(FEED, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append((response.content, page))
        assert page["last_seq"] >= since
        since = page["last_seq"]
        if not page["more"]:
            return pages


def _item_bytes(item: dict[str, Any]) -> int:
    return len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@pytest.mark.parametrize("budget", [None, 256 * 1024, 64 * 1024])
def test_pages_respect_the_byte_budget_and_carry_every_record_once(seeded: Seeded, budget: int | None,
                                                                   record_property) -> None:
    limit = budget or 512 * 1024  # no maxBytes: the hub's default, 512 KiB
    pages = _pages(seeded.user, seeded.since, budget)
    results = [r for _, page in pages for r in page["results"]]

    # every record exactly once, in feed order, and the checkpoint at the feed's end
    seen = Counter(r["identifier"] for r in results)
    assert set(seen) == seeded.big | seeded.small and set(seen.values()) == {1}
    seqs = [r["seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    for _, page in pages[:-1]:
        assert page["more"] and page["last_seq"] == page["results"][-1]["seq"]
    assert pages[-1][1]["last_seq"] == _feed_end(seeded.user)
    assert all(r["info"]["body"]["header"]["identifier"] == r["identifier"] for r in results)

    for index, (raw, page) in enumerate(pages):
        if len(page["results"]) > 1:
            assert len(raw) <= limit, (index, len(raw), len(page["results"]))
        else:  # only a record larger than the budget goes over it, alone
            assert len(raw) <= limit or page["results"][0]["identifier"] in seeded.big
        if index + 1 < len(pages):
            # not split needlessly: the next page's first record would not have fitted
            following = _item_bytes(pages[index + 1][1]["results"][0])
            assert len(raw) + 1 + following > limit - 16, (index, len(raw), following)
    if budget == 64 * 1024:  # each large record comes alone, over the budget
        alone = [page["results"][0]["identifier"] for raw, page in pages if len(raw) > limit]
        assert sorted(alone) == sorted(seeded.big)
    record_property("pages", len(pages))
    record_property("largest_page_bytes", max(len(raw) for raw, _ in pages))


def test_count_limit_still_applies_with_a_large_budget(seeded: Seeded) -> None:
    pages = _pages(seeded.user, seeded.since, 8 * 1024 * 1024, limit=40)
    assert all(len(page["results"]) <= 40 for _, page in pages)
    assert sum(len(page["results"]) for _, page in pages) == BIG + SMALL
    # 40 records with ~3 large ones fit in 8 MiB: the count, not the budget, ends each full page
    assert [len(page["results"]) for _, page in pages[:-1]] == [40] * (len(pages) - 1)


def test_budget_is_advertised_bounded_and_checked(seeded: Seeded) -> None:
    anonymous = seeded.env.anonymous()
    caps = anonymous.get("/api/v2013/focalpoint/capabilities").json()
    assert "changes-max-bytes" in caps["extensions"]
    # more than the hub's maximum is taken as the maximum (one page holds the whole feed here)
    huge = seeded.user.client.get(FEED, params={"since": seeded.since, "limit": 1000, "maxBytes": 10**12})
    assert huge.status_code == 200 and len(huge.json()["results"]) == BIG + SMALL
    for bad in ("0", "-5", "many"):
        answer = seeded.user.client.get(FEED, params={"since": seeded.since, "maxBytes": bad})
        assert answer.status_code == 400 and "maxBytes" in answer.text, (bad, answer.text)


def _local_state(station: Station) -> dict[str, tuple[int | None, Any]]:
    with station.db.session() as session:
        return {uid: (rev, doc) for uid, rev, doc in session.query(
            Record.identifier, Record.server_revision, Record.document)}


def test_a_small_budget_pulls_the_same_records_as_a_large_one(seeded: Seeded, tmp_path) -> None:
    stations = []
    try:
        for name, page_bytes in (("small", 64 * 1024), ("large", 8 * 1024 * 1024)):
            email = f"{name}-{random.randrange(10**9)}@{seeded.gov}.org"
            seeded.env.hub.add_user(email, PASSWORD, "authorized-user", seeded.gov)
            station = Station(tmp_path / name, seeded.env.url, email, PASSWORD, page_size=1000)
            station.engine.page_bytes = page_bytes
            stations.append(station)
        small, large = stations
        small_report, large_report = small.sync(), large.sync()
        assert small_report.ok and large_report.ok, (small_report.error, large_report.error)
        assert small_report.pulled == large_report.pulled
        state = _local_state(small)
        assert state == _local_state(large)
        assert seeded.big | seeded.small <= set(state)
        assert all(len(state[uid][1]["methodology"]["en"]) > 99_000 for uid in seeded.big)
        with small.db.session() as s1, large.db.session() as s2:
            assert read_checkpoint(s1, small.client.base_url) == read_checkpoint(s2, large.client.base_url)
        # each large record came alone to the small budget; the large budget needed a page or two
        assert small_report.requests >= large_report.requests + BIG
    finally:
        for station in stations:
            station.close()


def test_without_the_extension_the_client_sends_no_budget(seeded: Seeded, tmp_path) -> None:
    """A hub that does not advertise ``changes-max-bytes`` gets the feed request as before."""
    from focalpoint.sync.meta import get_meta_json, server_key, set_meta_json

    email = f"older-{random.randrange(10**9)}@{seeded.gov}.org"
    seeded.env.hub.add_user(email, PASSWORD, "authorized-user", seeded.gov)
    asked: list[httpx.URL] = []

    class Noting(httpx.HTTPTransport):  # real HTTP; it only notes each address asked for
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            asked.append(request.url)
            return super().handle_request(request)

    station = Station(tmp_path / "older", seeded.env.url, email, PASSWORD, page_size=1000, transport=Noting())
    try:
        assert station.engine.capabilities(refresh=True)
        key = f"sync.{server_key(station.engine.server)}.capabilities"
        with station.db.session() as session:
            cached = get_meta_json(session, key)
            cached["value"]["extensions"] = [e for e in cached["value"]["extensions"] if e != "changes-max-bytes"]
            set_meta_json(session, key, cached)
        assert station.sync().ok
        feed = [url for url in asked if url.path == FEED]
        assert feed and all("maxBytes" not in url.params for url in feed)
        assert seeded.big | seeded.small <= set(_local_state(station))
    finally:
        station.close()


def test_a_link_that_cuts_long_answers_gets_smaller_pages(seeded: Seeded, tmp_path) -> None:
    """Feed answers over 600 KB are cut half-way (as a flaky slow link does): the engine halves its
    budget after each broken page and the sync completes with every record."""
    from urllib.parse import parse_qs, urlsplit

    from tests.support.sync import FaultProxy

    email = f"cut-{random.randrange(10**9)}@{seeded.gov}.org"
    seeded.env.hub.add_user(email, PASSWORD, "authorized-user", seeded.gov)
    budgets: list[int] = []

    def cut_long_pages(method: str, path: str) -> str | None:
        if FEED not in path:
            return None
        budget = int(parse_qs(urlsplit(path).query)["maxBytes"][0])
        budgets.append(budget)
        return "truncate" if budget > 600_000 else None

    with FaultProxy(seeded.env.url, rate=0) as proxy:
        proxy.rules.append(cut_long_pages)
        station = Station(tmp_path / "cut", proxy.url, email, PASSWORD, page_size=1000, max_attempts=8)
        try:
            report = station.sync()
            assert report.ok, report.error
            assert seeded.big | seeded.small <= set(_local_state(station))
            halved = [PAGE_BYTES >> i for i in range(PAGE_BYTES.bit_length()) if PAGE_BYTES >> i >= 512 * 1024]
            assert budgets[:len(halved)] == halved  # the client's own budget, halved down to one that passes
            assert set(budgets[len(halved) - 1:]) == {512 * 1024} and station.engine.page_bytes == 512 * 1024
        finally:
            station.close()
