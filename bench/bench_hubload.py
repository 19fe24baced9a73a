"""Hub under load: 4 uvicorn worker processes on PostgreSQL against 1 process on SQLite, same run.

100 simulated clients each save 20 national drafts; every request is delivered twice (the same
``Idempotency-Key``), as a flaky link would. Reported per setup: requests per second, median and
p95 latency, and the checks that matter: records on the hub (expected 2,000: none lost), records
whose revision is not 1 (expected 0: none written twice). The ratio compares the two setups of
this run. PostgreSQL comes from ``FOCALPOINT_TEST_POSTGRES_URL`` (a database of its own is made
and dropped); without it only SQLite is measured.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLIENTS = 100
EDITS = 20
USERS = 10
PASSWORD = "bench-load-pw"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    import httpx

    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"the hub stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(url + "/api/v2013/focalpoint/capabilities", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the hub did not start")


def _run(database_url: str, workers: int) -> dict:
    import httpx

    env = {**os.environ, "FOCALPOINT_HUB_DATABASE_URL": database_url, "FOCALPOINT_HUB_POOL_SIZE": "4",
           "FOCALPOINT_HUB_MAX_OVERFLOW": "4"}
    hub_cli = [sys.executable, "-m", "focalpoint.hub.cli"]
    subprocess.run([*hub_cli, "migrate", "--database-url", database_url], check=True, env=env,
                   capture_output=True)
    emails = [f"load{i}@ws.org" for i in range(USERS)]
    for email in emails:
        subprocess.run([*hub_cli, "user", "add", "--email", email, "--password", PASSWORD, "--role",
                        "ChmNrNationalAuthorizedUser", "--government", "ws", "--database-url", database_url],
                       check=True, env=env, capture_output=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "focalpoint.hub.asgi:from_env",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait(url, proc)
        tokens = {}
        for email in emails:
            answer = httpx.post(url + "/api/v2013/authentication/token", json={"email": email, "password": PASSWORD},
                                timeout=60)
            answer.raise_for_status()
            tokens[email] = answer.json()["authenticationToken"]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        uids: list[str] = []

        def client(n: int) -> None:
            token = tokens[emails[n % USERS]]
            with httpx.Client(base_url=url, headers={"Authorization": f"Ticket {token}"}, timeout=60) as http:
                for i in range(EDITS):
                    uid = str(uuid.uuid4()).upper()
                    doc = {"header": {"identifier": uid, "schema": "nationalTarget", "languages": ["en"]},
                           "government": {"identifier": "ws"}, "title": {"en": f"Load {n}.{i}"}}
                    key = str(uuid.uuid4())
                    for _delivery in range(2):  # the same request twice
                        t = time.perf_counter()
                        answer = http.put(f"/api/v2013/documents/{uid}/versions/draft",
                                          params={"schema": "nationalTarget"}, json=doc,
                                          headers={"Idempotency-Key": key, "If-None-Match": "*"})
                        elapsed = time.perf_counter() - t
                        with lock:
                            latencies.append(elapsed)
                            if answer.status_code != 200:
                                errors.append(f"{answer.status_code} {answer.text[:80]}")
                    with lock:
                        uids.append(uid)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        # what the hub holds: every record once, at revision 1
        token = tokens[emails[0]]
        held: dict[str, int] = {}
        since = 0
        with httpx.Client(base_url=url, headers={"Authorization": f"Ticket {token}"}, timeout=60) as http:
            while True:
                page = http.get("/api/v2013/focalpoint/changes", params={"since": since, "limit": 1000}).json()
                for item in page["results"]:
                    held[item["identifier"]] = item["revision"]
                if not page["more"]:
                    break
                since = page["last_seq"]
        ordered = sorted(latencies)
        return {"workers": workers, "requests": len(latencies), "seconds": round(wall, 2),
                "requests_per_second": round(len(latencies) / wall, 1),
                "median_ms": round(statistics.median(ordered) * 1000, 1),
                "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
                "errors": len(errors), "first_errors": errors[:3],
                "records_expected": CLIENTS * EDITS, "records_on_hub": len(set(uids) & set(held)),
                "lost": len(set(uids) - set(held)),
                "written_twice": sum(1 for uid in uids if held.get(uid, 1) != 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(results: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite_1_process"] = _run(f"sqlite:///{Path(tmp) / 'hub.sqlite3'}", 1)
    pg = os.environ.get("FOCALPOINT_TEST_POSTGRES_URL") or os.environ.get("FOCALPOINT_BENCH_POSTGRES_URL")
    if not pg:
        results["postgresql_4_processes"] = "not measured: set FOCALPOINT_TEST_POSTGRES_URL"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(pg)
    name = f"fp_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        results["postgresql_4_processes"] = _run(base.set(database=name).render_as_string(hide_password=False), 4)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    one, four = results["sqlite_1_process"], results["postgresql_4_processes"]
    results["ratio_requests_per_second_pg4_over_sqlite1"] = round(
        four["requests_per_second"] / one["requests_per_second"], 2)
    results["ratio_p95_pg4_over_sqlite1"] = round(four["p95_ms"] / one["p95_ms"], 2)
