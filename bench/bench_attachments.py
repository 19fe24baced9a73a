"""Attachments over a slow, broken link: a file through the user-space shaper (256 kbit/s each way,
600 ms RTT, 2 % of segments lost, each costing a retransmission timeout; at most 64 KiB in flight),
with the connection cut 5 times, to a real hub on loopback.

Reported, each leg in the same run:

* ``upload_cut``: the tus upload (``focalpoint.sync.transfer.upload_file(resumable=True)``) with 5
  cuts: completed, seconds, bytes the client pushed into the link, and that over the file's size
  (target: at most 1.1);
* ``upload_baseline``: the same upload over the same shaper without cuts;
* ``download_cut``: the download (``download_file``: ``Range`` after each cut) with 5 cuts;
* ``restart_from_zero_bytes``: what a client without resumption would push for ``upload_cut``'s
  cuts (each cut throws away what was sent; computed from the cut positions, not run).

At 256 kbit/s a 20 MB file takes about a quarter of an hour each way, so the default moves a
1 MB file (about two minutes for all three legs); ``--full`` runs the issue's 20 MB.

    .venv/bin/python bench/bench_attachments.py [--full | --size-mb N]

writes its figures to ``bench/results.json`` under ``benchmarks.attachments`` (``--full``:
``benchmarks.attachments_20mb``; other keys kept);
``main(results)`` is what ``bench/run.py`` calls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

PASSWORD = "bench-attachments-pw"
CUTS = 5
DEFAULT_MB = 1.0
FULL_MB = 20.0
LINK = ("user-space shaper: 256 kbit/s each way, 300 ms each way (600 ms RTT), 2 % of segments lost "
        "(each costs a retransmission timeout), 64 KiB in flight")


def _leg(run, link, size: int) -> dict[str, Any]:  # noqa: ANN001
    before_up, before_down, cuts = link.bytes_in["up"], link.bytes_in["down"], link.cuts
    t0 = time.perf_counter()
    error = None
    try:
        run()
    except Exception as exc:  # a failed leg is a figure too (completed: false, with the reason)
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    sent, received = link.bytes_in["up"] - before_up, link.bytes_in["down"] - before_down
    return {"completed": error is None, "error": error, "seconds": round(seconds, 1), "cuts": link.cuts - cuts,
            "bytes_sent": sent, "bytes_received": received, "file_bytes": size,
            "kbit_per_s": round(size * 8 / 1000 / seconds, 1)}


def run_benchmark(size_mb: float = DEFAULT_MB, seed: int = 7) -> dict[str, Any]:
    import httpx

    from focalpoint.sync.transfer import download_file, server_supports_resumable, upload_file
    from tests.support.hub import start_hub
    from tests.support.hubkit import new_uid
    from tests.support.linkproxy import LinkProxy, Shape

    size = int(size_mb * 1024 * 1024)
    rng = random.Random(seed)
    data = rng.randbytes(size)
    sha = hashlib.sha256(data).hexdigest()
    baseline_data = rng.randbytes(size)  # other content: the hub would not take the same twice
    out: dict[str, Any] = {"file_mb": round(size / (1024 * 1024), 2), "cuts": CUTS, "link": LINK}
    with tempfile.TemporaryDirectory(prefix="focalpoint-bench-attachments-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "file.pdf").write_bytes(data)
        (tmp / "baseline.pdf").write_bytes(baseline_data)
        with start_hub(tmp_path=tmp) as hub:
            hub.add_user("bench@ws.org", PASSWORD, "authorized-user", "ws")
            token = hub.login("bench@ws.org", PASSWORD)
            port = int(hub.url.rsplit(":", 1)[1])
            timeout = httpx.Timeout(connect=30, read=120, write=120, pool=30)
            with httpx.Client(headers={"Authorization": f"Ticket {token}"}, timeout=timeout) as http:
                info = http.get(hub.url + "/api/v2013/focalpoint/capabilities").json()
                assert server_supports_resumable(info)
                uid = new_uid()
                described: dict[str, Any] = {}

                with LinkProxy(("127.0.0.1", port), shape=Shape(), seed=seed) as link:
                    points = [size * k // (CUTS + 1) for k in range(1, CUTS + 1)]
                    link.cut_after("up", *points)

                    def upload() -> None:
                        described.update(upload_file(http, link.url, uid, "manual.pdf", tmp / "file.pdf", sha,
                                                     resumable=True, state_dir=tmp / "state"))

                    out["upload_cut"] = _leg(upload, link, size)
                    out["restart_from_zero_bytes"] = sum(points) + size

                with LinkProxy(("127.0.0.1", port), shape=Shape(), seed=seed + 1) as link:
                    baseline_sha = hashlib.sha256(baseline_data).hexdigest()
                    out["upload_baseline"] = _leg(lambda: upload_file(
                        http, link.url, new_uid(), "baseline.pdf", tmp / "baseline.pdf", baseline_sha,
                        resumable=True, state_dir=tmp / "state"), link, size)

                with LinkProxy(("127.0.0.1", port), shape=Shape(), seed=seed + 2) as link:
                    link.cut_after("down", *[size * k // (CUTS + 1) for k in range(1, CUTS + 1)])
                    dest = tmp / "received"
                    out["download_cut"] = _leg(lambda: download_file(http, link.url, described["url"], dest, sha),
                                               link, size)
                    out["download_cut"]["byte_for_byte"] = (dest / sha).is_file() and (dest / sha).read_bytes() == data
    for leg in ("upload_cut", "upload_baseline", "download_cut"):
        moved = out[leg]["bytes_sent"] if leg.startswith("upload") else out[leg]["bytes_received"]
        out[leg]["over_file_size"] = round(moved / size, 3)
    out["upload_cut"]["target_met"] = out["upload_cut"]["completed"] and out["upload_cut"]["over_file_size"] <= 1.1
    out["download_cut"]["target_met"] = (out["download_cut"]["completed"]
                                         and out["download_cut"]["over_file_size"] <= 1.1)
    out["restart_from_zero_over_file_size"] = round(out["restart_from_zero_bytes"] / size, 2)
    # a cut costs what was on the way (the link's window), whatever the file's size: what the same
    # cuts would cost on the 20 MB file (a projection from this run, not a measurement)
    lost = max(0, out["upload_cut"]["bytes_sent"] - out["upload_baseline"]["bytes_sent"]) / CUTS
    out["upload_cut"]["bytes_lost_per_cut"] = round(lost)
    full = FULL_MB * 1024 * 1024
    out["upload_cut"]["projected_over_file_size_at_20mb"] = round(
        (out["upload_baseline"]["bytes_sent"] / size * full + CUTS * lost) / full, 3)
    return out


def main(results: dict) -> None:
    results.update(run_benchmark(float(os.environ.get("FOCALPOINT_BENCH_ATTACHMENT_MB", DEFAULT_MB))))


def write_results(figures: dict[str, Any], path: Path, key: str = "attachments") -> None:
    """Put the figures under ``benchmarks.<key>`` of ``path``, keeping every other key."""
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        current = {}
    current.setdefault("benchmarks", {})[key] = {
        **figures, "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--size-mb", type=float, default=DEFAULT_MB, help="file size in MB (default %(default)s)")
    size.add_argument("--full", action="store_true", help=f"the issue's {FULL_MB:.0f} MB file (~45 minutes)")
    parser.add_argument("--output", default=str(REPO / "bench" / "results.json"))
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    args = parser.parse_args()
    figures = run_benchmark(FULL_MB if args.full else args.size_mb)
    print(json.dumps(figures, indent=1))
    if not args.no_write:
        # the size is kept beside the default run's figures, not over them
        write_results(figures, Path(args.output), "attachments_20mb" if args.full else "attachments")
