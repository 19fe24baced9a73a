"""Hub figures on loopback over real HTTP (SQLite backend):

- bytes of an empty change-feed poll (request + response, headers included, as on the wire);
- median / p95 latency of a draft save (a capacity needs assessment), of an empty poll and of a
  publication (request + approval);
- pull throughput: records per second through the change feed, 500 per page, gzip on.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_RECORDS = 1_000


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2)}


def _empty_poll_bytes(url: str, client, since: int) -> tuple[int, int]:
    request = client.build_request("GET", "/api/v2013/focalpoint/changes", params={"since": since})
    head = f"GET {request.url.raw_path.decode()} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in request.headers.items() if k.lower() != "connection")
    sent = (head + "Connection: close\r\n\r\n").encode()
    parts = urlsplit(url)
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(sent)
        while chunk := sock.recv(65536):
            received += chunk
    return len(sent), len(received)


def main(results: dict) -> None:
    from tests.support.hub import start_hub
    from tests.support.hubkit import HubEnv, seed_example_records

    with tempfile.TemporaryDirectory() as tmp, start_hub(tmp_path=tmp) as hub:
        seed_example_records(hub)
        env = HubEnv(hub)
        author = env.user("authorized-user", "ws")
        focal_point = env.user("focal-point", "ws")
        docs = [env.national("ws") for _ in range(N_RECORDS)]
        saves = []
        for doc in docs:
            t = time.perf_counter()
            author.put_draft(doc).raise_for_status()
            saves.append(time.perf_counter() - t)
        results["draft_save"] = _ms(saves)

        publications = []
        for doc in docs[:50]:
            t = time.perf_counter()
            response = author.request_publication(doc["header"]["identifier"])
            response.raise_for_status()
            focal_point.approve(response.json()["_id"]).raise_for_status()
            publications.append(time.perf_counter() - t)
        results["publication_request_and_approval"] = _ms(publications)

        t = time.perf_counter()
        since, pulled, pages = 0, 0, 0
        while True:
            page = focal_point.changes(since, 500)
            pulled += len(page["results"])
            pages += 1
            since = page["last_seq"]
            if not page["more"]:
                break
        elapsed = time.perf_counter() - t
        results["pull_all"] = {"records": pulled, "pages": pages, "seconds": round(elapsed, 3),
                               "records_per_second": round(pulled / elapsed)}

        polls = []
        for _ in range(200):
            t = time.perf_counter()
            focal_point.changes(since)
            polls.append(time.perf_counter() - t)
        results["empty_poll"] = _ms(polls)
        sent, received = _empty_poll_bytes(hub.url, focal_point.client, since)
        results["empty_poll_bytes"] = {"request": sent, "response": received, "total": sent + received}
        env.close()


if __name__ == "__main__":
    import json

    figures: dict = {}
    main(figures)
    print(json.dumps(figures, indent=1))
