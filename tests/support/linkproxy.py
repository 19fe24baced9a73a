"""A user-space TCP link between a client and a server on loopback, for file-transfer tests and
benchmarks: it counts the bytes that enter it, cuts or stalls the connection after given byte
counts, can drop ``Range`` headers (a server that ignores them), and can shape the traffic like a
slow satellite link (rate, one-way delay, lost segments that cost a retransmission timeout, a
bounded in-flight window as TCP has).

    with LinkProxy(("127.0.0.1", hub_port)) as link:
        link.cut_after("up", 2_000_000)   # cut once two million bytes went client -> server
        ... client talks to link.url ...
        link.bytes_in["up"]               # bytes the client pushed into the link

Directions: ``"up"`` is client -> server, ``"down"`` server -> client. Byte counts are cumulative
over every connection. Threads only; no asyncio.
"""

from __future__ import annotations

import queue
import random
import re
import socket
import threading
import time
from dataclasses import dataclass

SEGMENT = 1448
_RANGE_LINES = re.compile(rb"(?im)^(?:range|if-range):[^\r\n]*\r\n")


@dataclass(frozen=True)
class Shape:
    """A slow link: ``rate_bps`` each way, ``delay`` seconds each way (RTT = 2 x delay), ``loss`` of
    segments lost (each costs a retransmission timeout), at most ``window`` bytes in flight."""

    rate_bps: float = 256_000
    delay: float = 0.3
    loss: float = 0.02
    window: int = 64 * 1024


class _Schedule:
    """When each piece of one direction arrives (also the link of bench/bench_sync.py's shaped pull)."""

    def __init__(self, shape: Shape, rng: random.Random):
        self.shape, self.rng = shape, rng
        self.free_at = 0.0

    def due(self, size: int) -> float:
        now = time.monotonic()
        start = max(now, self.free_at)
        self.free_at = start + size * 8 / self.shape.rate_bps
        for _ in range(max(1, size // SEGMENT)):
            if self.rng.random() < self.shape.loss:
                self.free_at += max(0.2, 4 * self.shape.delay)  # a retransmission timeout (~2 RTT)
        return self.free_at + self.shape.delay


class LinkProxy:
    """Listens on 127.0.0.1 (free port); each accepted connection is relayed to ``target``."""

    def __init__(self, target: tuple[str, int], *, shape: Shape | None = None, seed: int = 0,
                 strip_range: bool = False):
        self.target = target
        self.shape = shape
        self.strip_range = strip_range
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.bytes_in = {"up": 0, "down": 0}  # entered the link (sent by that side)
        self.bytes_out = {"up": 0, "down": 0}  # left the link (delivered to the other side)
        self.cuts = 0
        self.connections = 0
        self._cut_at: dict[str, list[int]] = {"up": [], "down": []}
        self._stall_at: dict[str, int | None] = {"up": None, "down": None}
        self.stalled = threading.Event()
        self._released = threading.Event()
        self._open: list[socket.socket] = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(32)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name=f"link-{self.port}").start()

    # ------------------------------------------------------------------ faults

    def cut_after(self, direction: str, *offsets: int) -> None:
        """Cut the connection carrying byte ``offset`` of ``direction`` (cumulative), once per offset."""
        with self.lock:
            self._cut_at[direction] = sorted(self._cut_at[direction] + list(offsets))

    def stall_after(self, direction: str, offset: int) -> None:
        """Stop relaying ``direction`` once ``offset`` bytes passed (the connection stays open,
        silent) until :meth:`release`; :attr:`stalled` is set when it happens."""
        with self.lock:
            self._stall_at[direction] = offset

    def release(self) -> None:
        """End a stall: the stalled connections are closed."""
        self._released.set()

    def clear(self) -> None:
        """End any stall (its connections close) and forget the cuts not yet made."""
        self._released.set()
        with self.lock:
            self._cut_at = {"up": [], "down": []}
            self._stall_at = {"up": None, "down": None}

    # ------------------------------------------------------------------ life

    def close(self) -> None:
        self._closed = True
        self._released.set()
        try:
            self._server.close()
        except OSError:
            pass
        with self.lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            _close(sock)

    def __enter__(self) -> LinkProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _close(client)
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections += 1
                self._open += [client, upstream]
            if self.shape is not None:
                time.sleep(2 * self.shape.delay)  # the TCP handshake's round trip
            pair = (client, upstream)
            for direction, src, dst in (("up", client, upstream), ("down", upstream, client)):
                target = self._shaped if self.shape is not None else self._plain
                threading.Thread(target=target, args=(direction, src, dst, pair), daemon=True).start()

    # ------------------------------------------------------------------ relaying

    def _limit(self, direction: str) -> tuple[int | None, str | None]:
        """How many more bytes may pass in ``direction`` before a fault, and which fault."""
        total = self.bytes_out[direction]
        cut = self._cut_at[direction][0] if self._cut_at[direction] else None
        stall = self._stall_at[direction]
        candidates = [(cut - total, "cut")] if cut is not None else []
        if stall is not None:
            candidates.append((stall - total, "stall"))
        if not candidates:
            return None, None
        room, kind = min(candidates)
        return max(0, room), kind

    def _deliver(self, direction: str, data: bytes, dst: socket.socket, pair: tuple[socket.socket, ...]) -> bool:
        """Send ``data`` on, honouring cuts and stalls; False when the connection ended."""
        with self.lock:
            room, kind = self._limit(direction)
        if room is not None and len(data) >= room:
            head = data[:room]
            if head:
                dst.sendall(head)
            with self.lock:
                self.bytes_out[direction] += len(head)
                if kind == "cut":
                    self._cut_at[direction].pop(0)
                    self.cuts += 1
            if kind == "stall":
                self.stalled.set()
                self._released.wait()
            for sock in pair:
                _close(sock)
            return False
        dst.sendall(data)
        with self.lock:
            self.bytes_out[direction] += len(data)
        return True

    def _read(self, direction: str, src: socket.socket, size: int) -> bytes:
        data = src.recv(size)
        if data and direction == "up" and self.strip_range:
            data = _RANGE_LINES.sub(b"", data)
        if data:
            with self.lock:
                self.bytes_in[direction] += len(data)
        return data

    def _plain(self, direction: str, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, ...]) -> None:
        try:
            while data := self._read(direction, src, 65536):
                if not self._deliver(direction, data, dst, pair):
                    return
        except OSError:
            pass
        _half_close(dst)

    def _shaped(self, direction: str, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, ...]) -> None:
        assert self.shape is not None
        schedule = _Schedule(self.shape, random.Random(self.rng.random()))
        pending: queue.Queue = queue.Queue(maxsize=max(1, self.shape.window // SEGMENT))

        def deliver() -> None:
            try:
                while (item := pending.get()) is not None:
                    due, data = item
                    pause = due - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    if not self._deliver(direction, data, dst, pair):
                        break
            except OSError:
                pass
            finally:
                _half_close(dst)

        writer = threading.Thread(target=deliver, daemon=True)
        writer.start()
        try:
            while data := self._read(direction, src, SEGMENT):
                while True:
                    try:
                        pending.put((schedule.due(len(data)), data), timeout=0.5)
                        break
                    except queue.Full:
                        if not writer.is_alive():
                            return
        except OSError:
            pass
        finally:
            try:
                pending.put(None, timeout=5)
            except queue.Full:
                pass


def _half_close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
