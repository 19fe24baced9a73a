"""Sync benchmark: bytes on the wire and round trips, beside a naive client.

Scenarios (a real hub on loopback, real SQLite files):

* first pull of N records (default 10,000 CHM-shaped capacity needs assessments in
  six languages);
* a sync with nothing changed (target: one request, under 2 KB);
* a push of 100 edits (and the sync's pull of what changed).

The naive client beside each: no gzip, no change feed, no batch: it PUTs every
edited document one by one and downloads every document again, as the real CHM's API
gives them (the ``/api/v2013/documents?collection=mydraft`` listing, 500 infos per page
without bodies, then ``GET /api/v2013/documents/{uid}/versions/draft`` for each).

Also: FocalPoint's own client on the real API's shapes (a ``--plain-chm`` hub, the path
it takes against the central CHM) for a first pull and a sync with nothing changed, on a
smaller set (``plain_chm``), beside the same naive client on that set.

Optional (``--netns`` or ``FOCALPOINT_BENCH_NETNS=1``, as root): the first pull of a
smaller set over ``tc netem`` (256 kbit/s, 600 ms RTT, 2 % loss) in a network
namespace made for the purpose; skipped with a reason when ``ip``/``tc`` or the
privileges are missing.

Also (``--shaped`` or ``FOCALPOINT_BENCH_SHAPED=1``): the first pull of 1,000 records through
the user-space shaper from a hub offering zstd with the dictionary and from one offering gzip only.

Baselines in the same run: the first pull's apply time beside a plain ``executemany`` of the same
rows into the same schema (``first_pull.apply``); the change feed read with zstd and with gzip only
(``first_pull.feed_only``); the naive client's bytes beside every scenario.

Two corpora, measured in the same run: ``first_pull`` uses ``realistic_document`` (every word drawn
uniformly from a short list: its ``information_floor`` bounds what any compressor can do), and
``first_pull_real_text`` uses ``realtext.real_text_document`` (real CBD sentences in six languages,
the same organisations and contacts recurring), each beside the naive client on the same documents.
``wire`` says where a page's compressed bytes go: the documents alone at the same settings, and the
feed's envelope (the rest).

``main(results)`` adds ``results["sync"]``; run alone: ``python bench/bench_sync.py``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

PASSWORD = "bench-password"
GOV = "ws"

WORDS = {
    "en": ["marine", "coastal", "forest", "wetland", "species", "inventory", "training", "workshop", "national", "strategy", "biodiversity", "monitoring", "protected", "area", "restoration", "community", "knowledge", "indicator", "finance", "policy", "data"],
    "fr": ["marin", "côtier", "forêt", "zone", "humide", "espèces", "inventaire", "formation", "atelier", "stratégie", "nationale", "biodiversité", "suivi", "aire", "protégée", "restauration", "communauté", "savoirs", "indicateur", "financement"],
    "es": ["marino", "costero", "bosque", "humedal", "especies", "inventario", "capacitación", "taller", "estrategia", "nacional", "biodiversidad", "seguimiento", "área", "protegida", "restauración", "comunidad", "conocimientos", "indicador"],
    "ar": ["البحرية", "الساحلية", "الغابات", "الأراضي", "الرطبة", "الأنواع", "الجرد", "التدريب", "حلقة", "عمل", "الاستراتيجية", "الوطنية", "التنوع", "البيولوجي", "الرصد", "المناطق", "المحمية", "الاستعادة", "المجتمع", "المعارف", "المؤشر"],
    "ru": ["морской", "прибрежный", "лес", "водно-болотные", "виды", "инвентаризация", "обучение", "семинар", "национальная", "стратегия", "биоразнообразие", "мониторинг", "охраняемая", "территория", "восстановление", "сообщество"],
    "zh": ["海洋", "沿海", "森林", "湿地", "物种", "清查", "培训", "讲习班", "国家", "战略", "生物多样性", "监测", "保护区", "恢复", "社区", "知识", "指标", "资金"],
}
LANGS = ("ar", "en", "es", "fr", "ru", "zh")


def _text(rng: random.Random, lang: str, n: int) -> str:
    sep = "" if lang == "zh" else " "
    return sep.join(rng.choice(WORDS[lang]) for _ in range(n))


def _localized(rng: random.Random, n: int) -> dict[str, str]:
    return {lang: _text(rng, lang, n) for lang in LANGS}


def realistic_document(rng: random.Random, identifier: str, government: str = GOV) -> dict[str, Any]:
    """A capacity needs assessment in six languages, shaped by the form, with varied text."""
    from focalpoint.forms.templates import template

    doc = template("capacityNeedsAssessment", languages=LANGS)
    doc["header"]["identifier"] = identifier
    doc["government"] = {"identifier": government}
    doc["title"] = _localized(rng, 6)
    doc["summary"] = _localized(rng, 40)
    doc["methodology"] = _localized(rng, 25)
    year = rng.randint(2018, 2026)
    doc["startDate"], doc["endDate"] = f"{year}-0{rng.randint(1, 9)}-01", f"{year + 2}-12-31"
    base_need = doc["needs"][0]
    needs = []
    for _ in range(rng.randint(1, 3)):
        need = copy.deepcopy(base_need)
        need["title"] = _localized(rng, 5)
        need["gap"] = _localized(rng, 20)
        need["aichiTargets"] = [{"identifier": f"AICHI-TARGET-{rng.randint(1, 20):02d}"}]
        need["estimatedCost"] = {"amount": rng.randint(5, 500) * 1000, "currency": "USD"}
        needs.append(need)
    doc["needs"] = needs
    return doc


def information_floor(documents: list[dict[str, Any]]) -> int:
    """About the bytes of information in the generated documents: each word of their text is drawn uniformly
    from its language's list (``WORDS``), so it carries log2(list size) bits, and an identifier 128
    bits (the rest is the same in every document). No compressor can send them in fewer bytes."""
    import math

    bits = 0.0
    zh_word = sum(len(w) for w in WORDS["zh"]) / len(WORDS["zh"])  # characters in an average Chinese word

    def walk(value: Any) -> None:
        nonlocal bits
        if isinstance(value, dict):
            for key, item in value.items():
                if key in WORDS and isinstance(item, str):
                    words = len(item) / zh_word if key == "zh" else len(item.split())  # zh: no spaces
                    bits += words * math.log2(len(WORDS[key]))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for document in documents:
        walk(document)
        bits += 128
    return int(bits / 8)


def _seed(hub_url: str, email: str, n: int, rng: random.Random, government: str = GOV,
          make: Callable[[random.Random, str, str], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Put n drafts made by ``make`` (``realistic_document``) on the hub through the batch API (100 per request)."""
    from focalpoint.records import new_entry_id, new_identifier
    from focalpoint.sync.client import HubClient, Timeouts
    from focalpoint.sync.protocol import BATCH_PATH, TOKEN_PATH, draft_path

    docs = [(make or realistic_document)(rng, new_identifier(), government) for _ in range(n)]
    with HubClient(hub_url, timeouts=Timeouts(30, 300, 300, 30)) as client:
        client.token = client.request("POST", TOKEN_PATH, json_body={"email": email, "password": PASSWORD},
                                      auth=False).body["authenticationToken"]
        for start in range(0, n, 100):
            ops = [{"id": new_entry_id(), "method": "PUT",
                    "path": draft_path(d["header"]["identifier"], d["header"]["schema"]),
                    "headers": {"If-None-Match": "*"}, "body": d} for d in docs[start:start + 100]]
            answer = client.request("POST", BATCH_PATH, json_body={"operations": ops})
            bad = [r for r in answer.body["results"] if r["status"] != 200]
            if bad:
                raise RuntimeError(f"seeding failed: {bad[:1]}")
    return docs


class NaiveClient:
    """What a client without the extension does: no gzip, one PUT per document, full re-download."""

    def __init__(self, hub_url: str, email: str):
        from focalpoint.sync.client import HubClient, Timeouts
        from focalpoint.sync.protocol import TOKEN_PATH

        self.client = HubClient(hub_url, timeouts=Timeouts(30, 300, 300, 30), gzip_requests=False)
        self.identity = {"Accept-Encoding": "identity"}
        self.client.token = self.client.request(
            "POST", TOKEN_PATH, json_body={"email": email, "password": PASSWORD}, auth=False,
            headers=self.identity).body["authenticationToken"]
        self.client.stats.requests = self.client.stats.bytes_sent = self.client.stats.bytes_received = 0

    def download_everything(self) -> int:
        from focalpoint.sync.protocol import DOCUMENTS_PATH, draft_path

        skip, total = 0, 0
        while True:
            answer = self.client.request("GET", DOCUMENTS_PATH, headers=self.identity,
                                         params={"collection": "mydraft", "$top": 500, "$skip": skip})
            items = answer.body["Items"]
            for item in items:  # listings carry no body: one GET per document
                document = self.client.request("GET", draft_path(item["identifier"]), headers=self.identity)
                if document.status != 200:
                    raise RuntimeError(f"naive GET failed: {document.status}")
            total += len(items)
            if len(items) < 500:
                return total
            skip += len(items)

    def put_each(self, documents: list[dict[str, Any]]) -> None:
        from focalpoint.sync.protocol import draft_path

        for doc in documents:
            answer = self.client.request("PUT", draft_path(doc["header"]["identifier"], doc["header"]["schema"]),
                                         json_body=doc, headers=self.identity)
            if answer.status != 200:
                raise RuntimeError(f"naive PUT failed: {answer.status}")

    def measure(self, fn, *args) -> dict[str, int]:  # noqa: ANN001
        before = self.client.stats.copy()
        fn(*args)
        after = self.client.stats
        return {"requests": after.requests - before.requests, "bytes_sent": after.bytes_sent - before.bytes_sent,
                "bytes_received": after.bytes_received - before.bytes_received}


def _figures(report) -> dict[str, Any]:  # noqa: ANN001
    return {"requests": report.requests, "bytes_sent": report.bytes_sent, "bytes_received": report.bytes_received,
            "bytes_total": report.bytes_sent + report.bytes_received}


def _ratio(naive: dict[str, int], ours: dict[str, Any]) -> float:
    ours_total = ours["bytes_sent"] + ours["bytes_received"]
    return round((naive["bytes_sent"] + naive["bytes_received"]) / max(1, ours_total), 1)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)] if ordered else 0.0


class _ApplyTimer:
    """Times every ``focalpoint.sync.pull.apply_changes`` call (one per pulled page) while active."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __enter__(self) -> _ApplyTimer:
        from focalpoint.sync import pull

        self._original = original = pull.apply_changes

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds.append(time.perf_counter() - t0)

        pull.apply_changes = timed
        return self

    def __exit__(self, *exc: object) -> None:
        from focalpoint.sync import pull

        pull.apply_changes = self._original


PULLED_TABLES = ("records", "audit_event", "workflow", "record_fts_ids")


def executemany_baseline(source_db, pages: int) -> list[float]:  # noqa: ANN001
    """Seconds per page to write the rows a pull wrote (records, audit entries, workflows, search
    rows) into a fresh database of the same schema with plain ``executemany``, in as many
    transactions as the pull had pages."""
    from sqlalchemy import text

    from focalpoint.db import open_database

    rows: dict[str, list[tuple]] = {}
    with source_db.session() as session:
        columns = {t: [c[1] for c in session.execute(text(f"PRAGMA table_info({t})"))] for t in PULLED_TABLES}
        for table in PULLED_TABLES:
            rows[table] = [tuple(r) for r in session.execute(text(f"SELECT {', '.join(columns[table])} FROM {table}"))]
        rows["record_fts"] = [tuple(r) for r in session.execute(text("SELECT rowid, identifier, body FROM record_fts"))]
    columns["record_fts"] = ["rowid", "identifier", "body"]
    with tempfile.TemporaryDirectory(prefix="focalpoint-bench-baseline-") as tmp:
        target = open_database(Path(tmp))
        raw = target.engine.raw_connection()
        try:
            cursor = raw.cursor()
            seconds = []
            for page in range(pages):
                t0 = time.perf_counter()
                cursor.execute("BEGIN")
                for table, table_rows in rows.items():
                    size = -(-len(table_rows) // pages)
                    chunk = table_rows[page * size:(page + 1) * size]
                    if chunk:
                        names = columns[table]
                        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                                           f"({', '.join('?' * len(names))})", chunk)
                raw.commit()
                seconds.append(time.perf_counter() - t0)
        finally:
            raw.close()
            target.close()
    return seconds


def _apply_figures(applied: list[float], baseline: list[float]) -> dict[str, Any]:
    return {"pages": len(applied),
            "apply_s": round(sum(applied), 2), "executemany_s": round(sum(baseline), 2),
            "ratio": round(sum(applied) / max(1e-9, sum(baseline)), 2),
            "apply_page_median_ms": round(statistics.median(applied) * 1000, 1),
            "apply_page_p95_ms": round(_p95(applied) * 1000, 1),
            "executemany_page_median_ms": round(statistics.median(baseline) * 1000, 1),
            "executemany_page_p95_ms": round(_p95(baseline) * 1000, 1),
            "target_ratio": 3.0}


def feed_bytes(hub_url: str, email: str, *, zstd: bool) -> dict[str, int]:
    """Bytes of reading the whole change feed (bodies included) without applying it, paged as the
    client pages it (500 records, ``pull.PAGE_BYTES``), with zstd and the shared dictionary, or with
    gzip only."""
    from focalpoint import compression
    from focalpoint.sync.client import HubClient, Timeouts
    from focalpoint.sync.protocol import CHANGES_PATH, TOKEN_PATH
    from focalpoint.sync.pull import PAGE_BYTES

    with HubClient(hub_url, timeouts=Timeouts(30, 300, 300, 30)) as client:
        client.token = client.request("POST", TOKEN_PATH, json_body={"email": email, "password": PASSWORD},
                                      auth=False).body["authenticationToken"]
        client.negotiate(compression.advertised() if zstd else [])
        before = client.stats.copy()
        since, records = 0, 0
        while True:
            page = client.request("GET", CHANGES_PATH,
                                  params={"since": since, "limit": 500, "maxBytes": PAGE_BYTES}).body
            records += len(page["results"])
            if not page["more"]:
                break
            since = page["last_seq"]
        return {"records": records, "requests": client.stats.requests - before.requests,
                "bytes_received": client.stats.bytes_received - before.bytes_received}


def feed_comparison(hub_url: str, email: str) -> dict[str, Any]:
    """``feed_bytes`` with zstd and with gzip only, and their ratio."""
    feed: dict[str, Any] = {kind: feed_bytes(hub_url, email, zstd=kind == "zstd") for kind in ("zstd", "gzip")}
    feed["gzip_over_zstd"] = round(feed["gzip"]["bytes_received"] / max(1, feed["zstd"]["bytes_received"]), 2)
    return feed


def wire_breakdown(hub_url: str, email: str) -> dict[str, Any]:
    """Where the compressed bytes of the feed's first page go, paged as the client pages it and
    compressed as the hub compresses it for a client holding the dictionary: the whole page, the
    documents alone (a JSON array of the bodies) at the same settings, and the envelope the feed
    adds to them (the difference); beside it, the page compressed with the dictionary regardless
    of its size (as before pages over ``compression.DICTIONARY_UP_TO`` went without it)."""
    import httpx

    from focalpoint import compression
    from focalpoint.hub.changes import render
    from focalpoint.sync.protocol import CHANGES_PATH, TOKEN_PATH
    from focalpoint.sync.pull import PAGE_BYTES

    token = httpx.post(hub_url + TOKEN_PATH, json={"email": email, "password": PASSWORD},
                       timeout=60).json()["authenticationToken"]
    raw = httpx.get(hub_url + CHANGES_PATH, params={"since": 0, "limit": 500, "maxBytes": PAGE_BYTES},
                    headers={"Authorization": f"Ticket {token}", "Accept-Encoding": "identity"},
                    timeout=600).content
    items = json.loads(raw)["results"]
    documents = render([item["info"]["body"] for item in items])
    dict_id = max(compression.dictionaries())
    page = len(compression.compress_answer(raw, dict_id))
    alone = len(compression.compress_answer(documents, dict_id))
    return {"records": len(items), "page_json_bytes": len(raw), "documents_json_bytes": len(documents),
            "page_zstd_bytes": page, "documents_zstd_bytes": alone, "envelope_zstd_bytes": page - alone,
            "envelope_share": round((page - alone) / max(1, page), 3),
            "zstd_bytes_per_record": round(page / max(1, len(items))),
            "page_zstd_bytes_with_dictionary": len(compression.compress(raw, dict_id))}


def per_document(documents: list[dict[str, Any]], naive_bytes: int, sample: int = 300) -> dict[str, Any]:
    """Bytes per record when each document is compressed alone (zstd with the shipped dictionary,
    as the hub sends a single document): what is left without the context other records give.
    Measured on the first ``sample`` documents; ``ratio``: the naive client's bytes over that many
    bytes for every document."""
    from focalpoint import compression
    from focalpoint.hub.changes import render

    chosen = documents[:sample]
    dict_id = max(compression.dictionaries())
    raw = [render(d) for d in chosen]
    packed = sum(len(compression.compress(r, dict_id)) for r in raw)
    per_record = packed / max(1, len(raw))
    return {"sample": len(chosen), "json_bytes_per_record": round(sum(map(len, raw)) / max(1, len(raw))),
            "zstd_bytes_per_record": round(per_record),
            "ratio": round(naive_bytes / max(1.0, per_record * len(documents)), 1)}


def page_codecs(documents: list[dict[str, Any]], size: int = 500) -> dict[str, Any]:
    """One feed page's worth of documents (the first ``size``, as the hub renders them, in one JSON
    array) under the hub's codec (zstd level 19 without the dictionary, as pages over 512 KB go) and
    under the strongest settings of the standard codecs at hand (zstd 22 with a long window, xz -9e,
    gzip -9), beside the information those documents carry (``information_floor``): how close any
    of them comes to what cannot be compressed away."""
    import gzip
    import lzma

    import zstandard

    from focalpoint.hub.changes import render

    chosen = documents[:size]
    page = b"[" + b",".join(render(d) for d in chosen) + b"]"
    floor = information_floor(chosen)
    sizes = {
        "zstd_19_hub": len(zstandard.ZstdCompressor(level=19).compress(page)),
        "zstd_22_long": len(zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters
                                                     .from_level(22, window_log=27, enable_ldm=True)).compress(page)),
        "xz_9e": len(lzma.compress(page, preset=9 | lzma.PRESET_EXTREME)),
        "gzip_9": len(gzip.compress(page, compresslevel=9, mtime=0)),
    }
    return {"documents": len(chosen), "json_bytes": len(page), "information_floor_bytes": floor,
            "bytes": sizes, "over_floor": {name: round(n / floor, 2) for name, n in sizes.items()}}


UNIFORM_CORPUS = ("capacity needs assessments in six languages, every word drawn uniformly from a list of "
                  "16 to 21 words per language (bench_sync.realistic_document)")
REAL_TEXT_CORPUS = ("capacity needs assessments in six languages written with sentences of the action plan's "
                    "activities, thesaurus term names and the glossary's organisation names, the same few "
                    "organisations and contacts recurring across one government's records "
                    "(realtext.real_text_document)")


def real_text_first_pull(tmp: Path, n_records: int, rng: random.Random) -> dict[str, Any]:
    """The first pull of ``n_records`` real-text documents (``realtext``) from a hub of their own,
    beside the naive client on the same documents; the feed read with zstd and with gzip only."""
    from realtext import pool, real_text_document

    from tests.support.hub import start_hub
    from tests.support.sync import Station

    (tmp / "realtext").mkdir(exist_ok=True)
    with start_hub(tmp_path=tmp / "realtext") as hub:
        hub.add_user(f"author@{GOV}.org", PASSWORD, "authorized-user", GOV)
        hub.add_user(f"reader@{GOV}.org", PASSWORD, "authorized-user", GOV)
        t0 = time.perf_counter()
        seeded = _seed(hub.url, f"author@{GOV}.org", n_records, rng, make=real_text_document)
        seconds = round(time.perf_counter() - t0, 1)
        station = Station(tmp / "realtext-client", hub.url, f"reader@{GOV}.org", PASSWORD)
        naive = NaiveClient(hub.url, f"reader@{GOV}.org")
        try:
            first = _pull_then_nothing(station, naive)["first_pull"]
        finally:
            station.close()
            naive.client.close()
        first["feed_only"] = feed_comparison(hub.url, f"reader@{GOV}.org")
        first["wire"] = wire_breakdown(hub.url, f"reader@{GOV}.org")
    first["per_document"] = per_document(seeded, first["naive"]["bytes_sent"] + first["naive"]["bytes_received"])
    return {"records": n_records, "corpus": REAL_TEXT_CORPUS, "pool": pool()["sizes"], "seed_seconds": seconds,
            **first}


def fetch_ahead_comparison(tmp: Path, n_records: int = 2000) -> dict[str, Any]:
    """The first pull of the same ``n_records`` documents from two fresh hubs (cold page caches,
    the same seed): once fetching the next page while applying one (as shipped), once without
    (``SyncEngine.fetch_ahead``); ``ratio``: seconds without over seconds with."""
    from tests.support.hub import start_hub
    from tests.support.sync import Station

    seconds: dict[str, float] = {}
    for label, ahead in (("without", False), ("with", True)):
        folder = tmp / f"ahead-{label}"
        folder.mkdir()
        with start_hub(tmp_path=folder) as hub:
            hub.add_user(f"author@{GOV}.org", PASSWORD, "authorized-user", GOV)
            hub.add_user(f"reader@{GOV}.org", PASSWORD, "authorized-user", GOV)
            _seed(hub.url, f"author@{GOV}.org", n_records, random.Random(11))
            station = Station(folder / "client", hub.url, f"reader@{GOV}.org", PASSWORD)
            try:
                station.use_client(timeouts=None)
                station.engine.fetch_ahead = ahead
                t0 = time.perf_counter()
                report = station.sync()
                seconds[label] = round(time.perf_counter() - t0, 1)
                assert report.ok and report.pulled == n_records, (report.error, report.pulled)
            finally:
                station.close()
    return {"records": n_records, "seconds_with": seconds["with"], "seconds_without": seconds["without"],
            "ratio": round(seconds["without"] / max(0.1, seconds["with"]), 2)}


def _pull_then_nothing(station, naive: NaiveClient) -> dict[str, Any]:  # noqa: ANN001
    """``first_pull`` and ``no_change`` figures: the station's first sync and a sync with nothing
    changed, each beside the naive client's download of everything; the first pull's apply time
    beside a plain ``executemany`` of the same rows into the same schema."""
    station.use_client(timeouts=None)
    t0 = time.perf_counter()
    with _ApplyTimer() as timer:
        report = station.sync()
    assert report.ok, report.error
    first = _figures(report)
    first["seconds"] = round(time.perf_counter() - t0, 1)
    first["records_pulled"] = report.pulled
    apply = _apply_figures(timer.seconds, executemany_baseline(station.db, len(timer.seconds)))
    naive_first = naive.measure(naive.download_everything)
    report = station.sync()
    assert report.ok, report.error
    nothing = _figures(report)
    return {"first_pull": {"focalpoint": first, "naive": naive_first, "ratio": _ratio(naive_first, first),
                           "target_ratio": 25, "apply": apply},
            "no_change": {"focalpoint": nothing, "naive": naive_first, "ratio": _ratio(naive_first, nothing)}}


def run_benchmark(n_records: int = 10_000, edits: int = 100, netns: bool = False) -> dict[str, Any]:
    from tests.support.hub import start_hub
    from tests.support.sync import Station

    rng = random.Random(2025)
    out: dict[str, Any] = {"records": n_records}
    tmp = Path(tempfile.mkdtemp(prefix="focalpoint-bench-sync-"))
    try:
        with start_hub(tmp_path=tmp) as hub:
            hub.add_user(f"author@{GOV}.org", PASSWORD, "authorized-user", GOV)
            hub.add_user(f"reader@{GOV}.org", PASSWORD, "authorized-user", GOV)
            t0 = time.perf_counter()
            seeded = _seed(hub.url, f"author@{GOV}.org", n_records, rng)
            out["seed_seconds"] = round(time.perf_counter() - t0, 1)

            station = Station(tmp / "client", hub.url, f"reader@{GOV}.org", PASSWORD)
            naive = NaiveClient(hub.url, f"reader@{GOV}.org")
            out.update(_pull_then_nothing(station, naive))
            # the same change feed read twice more, not applied: zstd with the dictionary, gzip only
            out["first_pull"]["corpus"] = UNIFORM_CORPUS
            out["first_pull"]["feed_only"] = feed_comparison(hub.url, f"reader@{GOV}.org")
            out["first_pull"]["wire"] = wire_breakdown(hub.url, f"reader@{GOV}.org")
            naive_first = out["first_pull"]["naive"]
            out["first_pull"]["per_document"] = per_document(seeded, naive_first["bytes_sent"] + naive_first["bytes_received"])
            out["first_pull"]["page_codecs"] = page_codecs(seeded)
            floor = information_floor(seeded)
            out["first_pull"]["information_floor_bytes"] = floor
            out["first_pull"]["best_possible_ratio"] = round(
                (out["first_pull"]["naive"]["bytes_sent"] + out["first_pull"]["naive"]["bytes_received"]) / floor, 1)
            nothing = out["no_change"]["focalpoint"]
            out["no_change"]["target_met"] = nothing["requests"] == 1 and nothing["bytes_total"] < 2048

            views = station.store.list(limit=edits)
            edited = []
            for view in views:
                doc = copy.deepcopy(view.document)
                doc["title"]["fr"] = doc["title"]["fr"] + " (révisé)"
                station.store.save(doc)
                edited.append(doc)
            t0 = time.perf_counter()
            report = station.sync()
            assert report.ok and report.pushed == len(edited), (report.error, report.pushed)
            push = _figures(report)
            push["seconds"] = round(time.perf_counter() - t0, 1)
            naive_push = naive.measure(lambda: (naive.put_each(edited), naive.download_everything()))
            out["push_100_edits"] = {"focalpoint": push, "naive": naive_push, "ratio": _ratio(naive_push, push),
                                     "target_bytes": 30 * 1024, "target_met": push["bytes_total"] <= 30 * 1024}
            station.close()
            naive.client.close()

            out["plain_chm"] = plain_first_pull(tmp, min(n_records, PLAIN_RECORDS), rng)
            out["first_pull_real_text"] = real_text_first_pull(tmp, n_records, random.Random(2026))
            out["fetch_ahead"] = fetch_ahead_comparison(tmp, min(n_records, 2000))

            if netns:
                out["netns"] = netns_first_pull(hub, tmp, min(n_records, 1000))
                if "skipped" in out["netns"]:
                    out["shaped_link"] = shaped_first_pull(hub, tmp, min(n_records, 1000))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


PLAIN_RECORDS = 1000


def plain_first_pull(tmp: Path, n_records: int, rng: random.Random) -> dict[str, Any]:
    """A first pull and a no-change sync of ``n_records`` through a ``--plain-chm`` hub (the real API's
    shapes: listings without bodies, raw documents), beside the naive client on the same hub."""
    from tests.support.hub import start_hub
    from tests.support.sync import Station

    out: dict[str, Any] = {"records": n_records}
    (tmp / "plain").mkdir(exist_ok=True)
    with start_hub(tmp_path=tmp / "plain", plain_chm=True) as hub:
        hub.add_user(f"author@{GOV}.org", PASSWORD, "authorized-user", GOV)
        hub.add_user(f"reader@{GOV}.org", PASSWORD, "authorized-user", GOV)
        _seed_plain(hub.url, f"author@{GOV}.org", n_records, rng)
        station = Station(tmp / "plain-client", hub.url, f"reader@{GOV}.org", PASSWORD)
        naive = NaiveClient(hub.url, f"reader@{GOV}.org")
        out.update(_pull_then_nothing(station, naive))
        station.close()
        naive.client.close()
    return out


def _seed_plain(hub_url: str, email: str, n: int, rng: random.Random) -> None:
    """The seed documents, one PUT each (a plain CHM has no batch)."""
    from focalpoint.sync.client import HubClient, Timeouts
    from focalpoint.sync.protocol import TOKEN_PATH, draft_path

    with HubClient(hub_url, timeouts=Timeouts(30, 300, 300, 30)) as client:
        client.token = client.request("POST", TOKEN_PATH, json_body={"email": email, "password": PASSWORD},
                                      auth=False).body["authenticationToken"]
        for i in range(n):
            doc = realistic_document(rng, f"PLAIN-{i:08d}-0000-4000-8000-000000000000")
            answer = client.request("PUT", draft_path(doc["header"]["identifier"], doc["header"]["schema"]),
                                    json_body=doc)
            if answer.status != 200:
                raise RuntimeError(f"plain seed failed: {answer.status} {answer.body}")


# --------------------------------------------------------------------- netem


NETNS_CLIENT = r"""
import json, sys, time
sys.path.insert(0, {repo!r})
from focalpoint.sync.client import Timeouts
from tests.support.sync import Station
st = Station(__import__("pathlib").Path({data!r}), {url!r}, {email!r}, {password!r}, max_attempts=8)
st.use_client(timeouts=Timeouts(30, 120, 120, 30))
t0 = time.perf_counter()
r = st.sync()
print(json.dumps({{"ok": r.ok, "error": r.error, "requests": r.requests, "bytes_sent": r.bytes_sent,
                  "bytes_received": r.bytes_received, "records_pulled": r.pulled,
                  "seconds": round(time.perf_counter() - t0, 1)}}))
"""


def _sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def netns_first_pull(hub, tmp: Path, limit: int) -> dict[str, Any]:  # noqa: ANN001
    """First pull over a slow, lossy link: hub in the root namespace, client in a new one."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tc"):
        return {"skipped": "needs root, ip and tc"}
    ns, host_if, ns_if = "fpbench", "fpb0", "fpb1"
    try:
        _sh("ip", "netns", "add", ns)
    except subprocess.CalledProcessError as exc:
        return {"skipped": f"cannot create a network namespace: {exc.stderr.decode().strip()}"}
    try:
        _sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _sh("ip", "link", "set", ns_if, "netns", ns)
        _sh("ip", "addr", "add", "10.77.0.1/24", "dev", host_if)
        _sh("ip", "link", "set", host_if, "up")
        _sh("ip", "netns", "exec", ns, "ip", "addr", "add", "10.77.0.2/24", "dev", ns_if)
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        netem = ["netem", "rate", "256kbit", "delay", "300ms", "loss", "2%"]
        _sh("tc", "qdisc", "add", "dev", host_if, "root", *netem)
        _sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", ns_if, "root", *netem)
        # the hub listens on loopback: forward 10.77.0.1:port to it with a tiny relay
        port = int(hub.url.rsplit(":", 1)[1])
        relay = _start_relay(("10.77.0.1", 0), ("127.0.0.1", port))
        gov = "fj"  # a government of its own, holding ``limit`` records
        hub.add_user(f"author@{gov}.org", PASSWORD, "authorized-user", gov)
        hub.add_user(f"netem@{gov}.org", PASSWORD, "authorized-user", gov)
        _seed(hub.url, f"author@{gov}.org", limit, random.Random(7), government=gov)
        script = NETNS_CLIENT.format(repo=str(REPO), data=str(tmp / "netns-client"),
                                     url=f"http://10.77.0.1:{relay.getsockname()[1]}",
                                     email=f"netem@{gov}.org", password=PASSWORD)
        proc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", script], capture_output=True,
                              timeout=3600)
        relay.close()
        if proc.returncode != 0:
            return {"skipped": "client failed: " + proc.stderr.decode()[-500:]}
        result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
        result["link"] = "256 kbit/s each way, 600 ms RTT, 2 % loss (tc netem)"
        result["note"] = f"all {result['records_pulled']} records of the hub"
        return result
    except subprocess.CalledProcessError as exc:
        return {"skipped": f"{' '.join(exc.cmd)}: {exc.stderr.decode().strip()}"}
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def shaped_first_pull(hub, tmp: Path, limit: int) -> dict[str, Any]:  # noqa: ANN001
    """Without netem: the same first pull through a user-space shaper (256 kbit/s each way,
    300 ms each way, 2 % of segments lost and retransmitted; tests.support.linkproxy). An
    approximation of the real link."""
    from focalpoint.sync.client import Timeouts
    from tests.support.linkproxy import LinkProxy, Shape
    from tests.support.sync import Station

    port = int(hub.url.rsplit(":", 1)[1])
    link = LinkProxy(("127.0.0.1", port), shape=Shape(rate_bps=256_000, delay=0.3, loss=0.02), seed=11)
    gov = "fj"
    hub.add_user(f"author@{gov}.org", PASSWORD, "authorized-user", gov)
    hub.add_user(f"shaped@{gov}.org", PASSWORD, "authorized-user", gov)
    _seed(hub.url, f"author@{gov}.org", limit, random.Random(7), government=gov)
    station = Station(tmp / "shaped-client", link.url, f"shaped@{gov}.org", PASSWORD, max_attempts=8)
    station.use_client(timeouts=Timeouts(30, 120, 120, 30))
    try:
        t0 = time.perf_counter()
        report = station.sync()
        seconds = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        again = station.sync()
        seconds_again = round(time.perf_counter() - t0, 2)
    finally:
        station.close()
        link.close()
    return {"ok": report.ok, "error": report.error, "records_pulled": report.pulled, "requests": report.requests,
            "bytes_sent": report.bytes_sent, "bytes_received": report.bytes_received, "seconds": seconds,
            "no_change_seconds": seconds_again, "no_change_requests": again.requests,
            "link": "user-space shaper: 256 kbit/s each way, 300 ms each way (600 ms RTT), 2 % of segments "
                    "lost (each costs a retransmission timeout), 64 KiB in flight; netem was not available"}


def shaped_comparison(limit: int = 1000) -> dict[str, Any]:
    """The first pull of ``limit`` records through the user-space shaper, from a hub that offers
    zstd with the dictionary and from one that offers gzip only (same documents, same run)."""
    from tests.support.hub import start_hub

    out: dict[str, Any] = {"records": limit}
    for name, zstd in (("zstd", True), ("gzip_only", False)):
        tmp = Path(tempfile.mkdtemp(prefix="focalpoint-bench-shaped-"))
        try:
            with start_hub(tmp_path=tmp, zstd=zstd) as hub:
                out[name] = shaped_first_pull(hub, tmp, limit)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    out["seconds_gzip_over_zstd"] = round(out["gzip_only"]["seconds"] / max(0.1, out["zstd"]["seconds"]), 2)
    return out


def _start_relay(listen: tuple[str, int], target: tuple[str, int]):  # noqa: ANN202
    import socket
    import threading

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(listen)
    server.listen(16)

    def pipe(src, dst) -> None:  # noqa: ANN001
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            up = socket.create_connection(target)
            threading.Thread(target=pipe, args=(conn, up), daemon=True).start()
            threading.Thread(target=pipe, args=(up, conn), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return server


def main(results: dict) -> None:
    n = int(os.environ.get("FOCALPOINT_BENCH_SYNC_RECORDS", "10000"))
    results["sync"] = run_benchmark(n, netns=os.environ.get("FOCALPOINT_BENCH_NETNS") == "1")
    if os.environ.get("FOCALPOINT_BENCH_SHAPED") == "1":  # a few minutes: 1,000 records at 256 kbit/s, twice
        results["sync"]["shaped_link"] = shaped_comparison()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--netns", action="store_true")
    parser.add_argument("--shaped", action="store_true", help="only the shaped-link comparison (zstd, gzip)")
    args = parser.parse_args()
    if args.shaped:
        print(json.dumps(shaped_comparison(), indent=1))
    else:
        print(json.dumps(run_benchmark(args.records, netns=args.netns), indent=1))
