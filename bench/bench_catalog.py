"""As-you-type search latency over the catalogue plus 10,000 records (target: p95 under 30 ms)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

# what a person types, one keystroke at a time, in several scripts
TYPED = ["mangrove", "protected area", "traditional", "海洋空间", "能力建设", "红树", "إدارة المناطق",
         "بناء", "стратегия", "механизм", "récifs", "facilitación", "BBI", "UNDP", "2018"]


def _keystrokes(word: str) -> list[str]:
    return [word[:i] for i in range(1, len(word) + 1)]


def main(results: dict) -> None:
    from datagen import populate

    from focalpoint.catalog import ensure_catalog, search_numbers
    from focalpoint.db import open_database
    from focalpoint.records import search_record_ids

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp))
        t0 = time.perf_counter()
        ensure_catalog(db)
        results["catalog_first_load_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        t0 = time.perf_counter()
        populate(db, 10_000)
        results["populate_10000_records_s"] = round(time.perf_counter() - t0, 2)
        timings = []
        for word in TYPED:
            for prefix in _keystrokes(word):
                start = time.perf_counter()
                with db.session() as session:
                    acts = search_numbers(session, prefix)
                    recs = search_record_ids(session, prefix)[:200]
                timings.append((time.perf_counter() - start) * 1000)
                del acts, recs
        timings.sort()
        results["search_keystrokes"] = len(timings)
        results["search_median_ms"] = round(statistics.median(timings), 2)
        results["search_p95_ms"] = round(timings[int(len(timings) * 0.95) - 1], 2)
        results["search_max_ms"] = round(timings[-1], 2)
        results["search_target_p95_ms"] = 30
        db.close()
