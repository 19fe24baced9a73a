"""A fault-injecting HTTP proxy for tests: a real TCP server on 127.0.0.1, in a thread.

Put it in front of a real hub and point the client at ``proxy.url``. Each
request may suffer one fault, drawn from a seeded random source (the schedule
is reproducible from the seed):

=================  ==========================================================
``drop_before``    the connection is closed before the request reaches the hub
``drop_after``     the hub handles (and commits) the request; the answer is lost
``reset_after``    as ``drop_after``, with a TCP reset instead of a clean close
``error_before``   a 503 answer; the hub never sees the request
``error_after``    the hub commits, the client gets a 502
``stall_before``   nothing happens for ``stall_seconds`` (past the client's timeout)
``stall_after``    the hub commits, then the answer stalls
``duplicate``      the request reaches the hub twice; the second answer is returned
``truncate``       the hub commits; the answer is cut off part-way through
=================  ==========================================================

``proxy.enabled = False`` stops the faults (requests pass through). Rules
(``proxy.rules``) force a fault or a rewritten answer for chosen requests; a
``hold`` rule lets the hub commit and then keeps the client waiting until
``proxy.release()`` (to kill a client mid-sync). Every request is logged in
``proxy.log`` as ``(method, path, fault)``.

Also here: test stations (a data folder, database and sync engine on a fake clock) and sample records.
"""

from __future__ import annotations

import copy
import random
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

FAULTS = ("drop_before", "drop_after", "reset_after", "error_before", "error_after", "stall_before",
          "stall_after", "duplicate", "truncate")

Rule = Callable[[str, str], "str | bytes | None"]


def http_response(status: int, body: bytes, content_type: str = "application/json",
                  headers: dict[str, str] | None = None, reason: str = "X") -> bytes:
    """A complete raw HTTP/1.1 answer (for rules that rewrite what the hub said)."""
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}",
             f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class _Request:
    method: str
    path: str
    raw: bytes


def _read_request(conn: socket.socket) -> _Request | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > 1 << 20:
            return None
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].decode("latin-1").split(" ", 2)
    length = 0
    out_lines = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value.strip())
        if lname in (b"connection", b"keep-alive"):
            continue
        out_lines.append(line)
    out_lines.append(b"Connection: close")
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    raw = b"\r\n".join(out_lines) + b"\r\n\r\n" + rest[:length]
    return _Request(method, target, raw)


def _force_close_header(response: bytes) -> bytes:
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return response
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith((b"connection:", b"keep-alive:"))]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class FaultProxy:
    """A seeded, fault-injecting HTTP proxy in front of ``upstream`` (``http://host:port``)."""

    def __init__(self, upstream: str, *, seed: int = 0, rate: float = 0.3,
                 faults: tuple[str, ...] = FAULTS, stall_seconds: float = 0.5):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rng = random.Random(seed)
        self.rate = rate
        self.faults = faults
        self.stall_seconds = stall_seconds
        self.enabled = True
        self.rules: list[Rule] = []
        self.log: list[tuple[str, str, str]] = []
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:  # noqa: D401
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fault-proxy", daemon=True)
        self._thread.start()

    # -------------------------------------------------------------- control

    def reseed(self, seed: int) -> None:
        with self._lock:
            self.rng = random.Random(seed)

    def release(self) -> None:
        """Let held requests answer (and stop holding new ones)."""
        self._release.set()

    def stop(self) -> None:
        self._stopping.set()
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def faults_seen(self) -> list[str]:
        return [fault for _m, _p, fault in self.log if fault != "pass"]

    # -------------------------------------------------------------- serving

    def _choose(self, method: str, path: str) -> str | bytes:
        for rule in self.rules:
            decision = rule(method, path)
            if decision is not None:
                return decision
        with self._lock:
            if not self.enabled or self.rng.random() >= self.rate:
                return "pass"
            return self.rng.choice(self.faults)

    def _forward(self, raw: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=60) as up:
            up.sendall(raw)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            request = _read_request(conn)
        except (OSError, ValueError):
            return
        if request is None:
            return
        decision = self._choose(request.method, request.path)
        label = decision if isinstance(decision, str) else "rewrite"
        with self._lock:
            self.log.append((request.method, request.path, label))
        try:
            self._serve(conn, request, decision)
        except OSError:
            pass

    def _serve(self, conn: socket.socket, request: _Request, decision: str | bytes) -> None:
        if isinstance(decision, bytes):
            conn.sendall(decision)
            return
        if decision == "drop_before":
            return
        if decision == "error_before":
            conn.sendall(http_response(503, b'{"code":"Error.Unavailable"}', reason="Service Unavailable"))
            return
        if decision == "stall_before":
            self._stopping.wait(self.stall_seconds)
            return
        if decision == "hold":
            response = self._forward(request.raw)
            self.held.set()
            self._release.wait()
            conn.sendall(_force_close_header(response))
            return
        response = self._forward(request.raw)
        if decision == "duplicate":
            response = self._forward(request.raw)
        if decision == "drop_after":
            return
        if decision == "reset_after":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if decision == "error_after":
            conn.sendall(http_response(502, b"<html>Bad Gateway</html>", "text/html", reason="Bad Gateway"))
            return
        if decision == "stall_after":
            self._stopping.wait(self.stall_seconds)
            return
        response = _force_close_header(response)
        if decision == "truncate":
            head_end = response.find(b"\r\n\r\n") + 4
            body_len = len(response) - head_end
            cut = head_end + max(0, body_len // 2) if body_len > 1 else max(1, head_end // 2)
            conn.sendall(response[:cut])
            return
        conn.sendall(response)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# ------------------------------------------------------------------ test stations


class FakeClock:
    """A clock that only moves when told (naive UTC, like the local store)."""

    def __init__(self, start=None):  # noqa: ANN001
        import datetime as dt

        self.now = start or dt.datetime(2025, 3, 1, 9, 0, 0)

    def __call__(self):  # noqa: ANN204
        return self.now

    def advance(self, seconds: float) -> None:
        import datetime as dt

        self.now += dt.timedelta(seconds=seconds)


class FakeSleep:
    """Records the waits asked for and advances a FakeClock instead of sleeping."""

    def __init__(self, clock: FakeClock | None = None):
        self.calls: list[float] = []
        self.clock = clock

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)


def needs_assessment(government: str = "ws", title: str = "Capacity needs", identifier: str | None = None,
                     **fields):  # noqa: ANN003, ANN201
    """A small national record (a capacity needs assessment draft) in two languages."""
    from focalpoint.records import new_identifier

    doc = {"header": {"identifier": identifier or new_identifier(), "schema": "capacityNeedsAssessment",
                      "languages": ["en", "fr"]},
           "government": {"identifier": government},
           "title": {"en": title, "fr": title + " (fr)"},
           "summary": {"en": "Summary of " + title, "fr": "Résumé de " + title}}
    doc.update(fields)
    return doc


class Station:
    """One FocalPoint installation in a test: its data folder, database, records and sync engine."""

    def __init__(self, data_dir, server_url: str, email: str, password: str, *,  # noqa: ANN001
                 transport=None, timeouts=None, seed: int = 0, max_attempts: int = 4,  # noqa: ANN001
                 page_size: int = 500, max_body: int | None = None):
        from focalpoint.db import open_database
        from focalpoint.records import RecordStore
        from focalpoint.sync.client import DEFAULT_MAX_BODY, HubClient, Timeouts
        from focalpoint.sync.engine import SyncEngine

        self.data_dir = data_dir
        self.db = open_database(data_dir)
        self.store = RecordStore(self.db, actor=email)
        self.clock = FakeClock()
        self.sleep = FakeSleep(self.clock)
        self.client = HubClient(server_url, transport=transport, timeouts=timeouts or Timeouts(5, 10, 10, 5),
                                max_body=max_body or DEFAULT_MAX_BODY)
        self.engine = SyncEngine(self.db, self.client, clock=self.clock, sleep=self.sleep,
                                 rng=random.Random(seed), credentials=lambda: (email, password),
                                 actor=email, max_attempts=max_attempts, page_size=page_size,
                                 backoff_base=0.5, backoff_cap=10)

    def sync(self, **kwargs):  # noqa: ANN003, ANN201
        return self.engine.sync(**kwargs)

    def use_client(self, server_url: str | None = None, *, transport=None, timeouts=None) -> None:  # noqa: ANN001
        """Swap the HTTP client (another address, transport or timeouts), keeping the sign-in."""
        from focalpoint.sync.client import HubClient, Timeouts

        old = self.client
        self.client = HubClient(server_url or old.base_url, transport=transport,
                                timeouts=timeouts or Timeouts(5, 10, 10, 5), token=old.token,
                                max_body=old.max_body)
        old.close()
        self.engine.client = self.client
        self.engine.server = self.client.base_url

    def edit_text(self, identifier: str, field: str, lang: str, text: str):  # noqa: ANN201
        """Change one language of a text field of a record here and save it (sent at the next sync);
        returns the saved view."""
        doc = copy.deepcopy(self.document(identifier))
        doc[field][lang] = text
        return self.store.save(doc)

    def document(self, identifier: str):  # noqa: ANN201
        view = self.store.get(identifier)
        return None if view is None else view.document

    def record(self, identifier: str):  # noqa: ANN201
        from focalpoint.models import Record

        with self.db.session() as session:
            rec = session.get(Record, identifier)
            if rec is None:
                return None
            session.expunge(rec)
            return rec

    def close(self) -> None:
        self.client.close()
        self.db.close()


class Office:
    """The computers of one government on a test hub: each a :class:`Station` with its own data folder
    under ``tmp_path``, signed in as ``<name>@<government>.org``. ``accounts`` are made at once (a name,
    an authorized user, or ``(name, role)``). :meth:`close` (or leaving ``with``) closes the computers."""

    def __init__(self, hub, tmp_path, government: str, password: str,  # noqa: ANN001
                 accounts: tuple[str | tuple[str, str], ...] = ()) -> None:
        self.hub, self.tmp_path, self.gov, self.password = hub, tmp_path, government, password
        self.stations: list[Station] = []
        for account in accounts:
            self.user(*((account,) if isinstance(account, str) else account))

    def user(self, name: str, role: str = "authorized-user") -> str:
        """Create (or replace) the hub account ``<name>@<government>.org``; returns its e-mail."""
        email = f"{name}@{self.gov}.org"
        self.hub.add_user(email, self.password, role, self.gov)
        return email

    def station(self, name: str, role: str = "authorized-user", *, user: str | None = None,
                url: str | None = None, **options) -> Station:  # noqa: ANN003
        """A new computer in folder ``name``, with a new account of that name and ``role``, or signed
        in as the existing account ``user`` (a name); ``url`` instead of the hub's (a proxy);
        ``options`` go to :class:`Station`."""
        email = f"{user}@{self.gov}.org" if user else self.user(name, role)
        station = Station(self.tmp_path / name, url or self.hub.url, email, self.password, **options)
        station.gov, station.email = self.gov, email
        self.stations.append(station)
        return station

    def close(self) -> None:
        for station in self.stations:
            station.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


REFERENCE_IDS = {"organization": "EXAMPLE-ORGANIZATION-0001", "contact": "EXAMPLE-CONTACT-0001"}


def seed_reference_records(hub_url: str, token: str) -> None:
    """Create the organization and contact that :func:`publishable_assessment` refers to (drafts)."""
    import httpx

    from focalpoint.forms.templates import template

    for schema, identifier in REFERENCE_IDS.items():
        doc = template(schema)
        doc["header"]["identifier"] = identifier
        response = httpx.put(f"{hub_url}/api/v2013/documents/{identifier}/versions/draft",
                             params={"schema": schema}, json=doc,
                             headers={"Authorization": f"Ticket {token}"}, timeout=30)
        if response.status_code not in (200, 409):
            raise RuntimeError(f"cannot seed {schema}: {response.status_code} {response.text}")


def national_record(government: str = "ws", title: str = "National target", identifier: str | None = None,
                    **fields):  # noqa: ANN003, ANN201
    """A small national record of a CHM type FocalPoint has no form for (a national target), shaped
    like :func:`needs_assessment`: what the central CHM takes, where a needs assessment (a
    FocalPoint-only type) stays on the computer. Complete as it is (no form asks for more)."""
    doc = needs_assessment(government, title, identifier, **fields)
    doc["header"]["schema"] = "nationalTarget"
    return doc


def publishable_assessment(government: str, title: str, identifier: str | None = None):  # noqa: ANN201
    """A complete capacity needs assessment (valid for publication once the references exist)."""
    from focalpoint.forms.templates import template

    doc = template("capacityNeedsAssessment")
    if identifier:
        doc["header"]["identifier"] = identifier
    doc["government"] = {"identifier": government}
    doc["title"] = {"en": title, "fr": title + " (fr)"}
    return doc


def hub_get(hub_url: str, token: str, path: str, **params):  # noqa: ANN003, ANN201
    """GET a hub path as JSON (for assertions about what the server holds)."""
    import httpx

    from focalpoint.sync.client import ssl_context

    with httpx.Client(verify=ssl_context(), timeout=30) as http:
        response = http.get(hub_url + path, params=params, headers={"Authorization": f"Ticket {token}"})
    response.raise_for_status()
    return response.json()


def government_codes() -> tuple[str, ...]:
    """Every country code the forms accept as a government (two lowercase letters)."""
    from focalpoint.forms.vocabularies import vocabulary

    return vocabulary("countries").identifiers()
