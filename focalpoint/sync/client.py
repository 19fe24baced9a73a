"""HTTP access to a hub: JSON in and out, gzip (or zstd, see :meth:`HubClient.negotiate`) both ways,
bytes counted, limits enforced.

``HubClient`` wraps one ``httpx.Client`` (its transport can be swapped for a
fake or a proxy in tests). It never interprets what an answer means for the
records; it only makes sure an answer is what HTTP and JSON promise:

* a connection that fails, breaks, stalls past the timeouts or ends early
  (a truncated body) raises :class:`NetworkError` (worth retrying);
* a 2xx answer that is not JSON, is too big, or cannot be decompressed raises
  :class:`MalformedAnswer` (not retried: local data stays untouched);
* any other status is returned as an :class:`Answer` for the caller to judge.

Every request carries the ``Realm`` header, as every SCBD client sends it
(``CHM`` by default; ``CHM-DEV`` for the development API).

Bytes are counted as they travel: request line, headers and (compressed)
body out; status line, headers and raw (still compressed) body in.

A ``HubClient`` belongs to one thread at a time (the sync worker).
"""

from __future__ import annotations

import gzip
import json
import ssl
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from focalpoint import __version__, compression, jsonsafe
from focalpoint.i18n import _
from focalpoint.sync.errors import MalformedAnswer, NetworkError

DEFAULT_MAX_BODY = 64 * 1024 * 1024  # raw bytes of one answer
DEFAULT_REALM = "CHM"  # every SCBD client sends ``Realm`` (CHM-DEV on the development API)
GZIP_REQUESTS_OVER = 1024  # bytes of JSON; smaller bodies are sent as they are


@dataclass(frozen=True)
class Timeouts:
    """Seconds. Generous defaults for a slow, lossy satellite or mobile link."""

    connect: float = 30.0
    read: float = 90.0
    write: float = 90.0
    pool: float = 30.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass
class WireStats:
    """What went over the wire through one client (cumulative)."""

    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0

    def copy(self) -> WireStats:
        return WireStats(self.requests, self.bytes_sent, self.bytes_received)


@dataclass
class Answer:
    """One HTTP answer: status, parsed JSON body (None when empty or unreadable), headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def normalize_server_url(url: str) -> str:
    """``https://hub.example.org/`` → ``https://hub.example.org`` (no trailing slash, scheme kept)."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client (loading the CA store costs ~25 ms each time)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


def _header_bytes(headers: httpx.Headers) -> int:
    return sum(len(k) + len(v) + 4 for k, v in headers.raw) + 2


class HubClient:
    """JSON over HTTP to one hub. Call from one thread at a time."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None,
                 timeouts: Timeouts = Timeouts(), max_body: int = DEFAULT_MAX_BODY,
                 token: str | None = None, gzip_requests: bool = True, realm: str = DEFAULT_REALM) -> None:
        self.base_url = normalize_server_url(base_url)
        self.realm = (realm or DEFAULT_REALM).strip() or DEFAULT_REALM
        self.max_body = max_body
        self.token = token
        self.gzip_requests = gzip_requests
        self.zstd_dictionary: int | None = None  # set by :meth:`negotiate` when the hub shares one
        self.stats = WireStats()
        self._http = httpx.Client(base_url=self.base_url, transport=transport, verify=ssl_context(),
                                  timeout=timeouts.httpx(), follow_redirects=False,
                                  headers={"Accept": "application/json", "Accept-Encoding": "gzip",
                                           "User-Agent": f"FocalPoint/{__version__}"})

    def close(self) -> None:
        self._http.close()

    def negotiate(self, extensions: Iterable[str]) -> None:
        """Use zstd with the newest dictionary this client shares with the hub (its capability names),
        both ways; gzip when there is none. Call from the thread that owns the client."""
        self.zstd_dictionary = compression.shared_dictionary(extensions)
        if self.zstd_dictionary is None:
            self._http.headers["Accept-Encoding"] = "gzip"
            self._http.headers.pop(compression.DICTIONARY_HEADER, None)
        else:
            self._http.headers["Accept-Encoding"] = "zstd, gzip"
            self._http.headers[compression.DICTIONARY_HEADER] = str(self.zstd_dictionary)

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ requests

    def request(self, method: str, path: str, *, json_body: Any = None,
                params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                auth: bool = True) -> Answer:
        """Send one request and return the answer (see the module docstring for what raises)."""
        send_headers: dict[str, str] = {"Realm": self.realm, **(headers or {})}
        content: bytes | None = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            send_headers.setdefault("Content-Type", "application/json")  # or a merge patch's own type
            if self.gzip_requests and len(content) > GZIP_REQUESTS_OVER:
                if self.zstd_dictionary is not None:
                    # the dictionary helps small bodies and hinders large ones (compression.compress_answer)
                    small = len(content) <= compression.DICTIONARY_UP_TO
                    level = 19 if len(content) <= 1024 * 1024 else 12  # strongest where it costs little
                    content = compression.compress(content, self.zstd_dictionary if small else None, level=level)
                    send_headers["Content-Encoding"] = compression.ENCODING
                else:
                    content = gzip.compress(content, compresslevel=6, mtime=0)
                    send_headers["Content-Encoding"] = "gzip"
        if auth and self.token:
            send_headers["Authorization"] = f"Ticket {self.token}"
        request = self._http.build_request(method, path, params=params, headers=send_headers,
                                           content=content)
        sent = len(method) + len(str(request.url.raw_path)) + 12 + _header_bytes(request.headers) + len(content or b"")
        self.stats.requests += 1
        self.stats.bytes_sent += sent
        try:
            response = self._http.send(request, stream=True)
        except httpx.ConnectTimeout as exc:
            raise NetworkError(_("no connection could be made in time"), unreachable=True) from exc
        except httpx.TimeoutException as exc:
            raise NetworkError(_("the server took too long to answer")) from exc
        except httpx.ConnectError as exc:
            raise NetworkError(_connection_detail(exc), unreachable=True) from exc
        except (httpx.TransportError, OSError) as exc:
            raise NetworkError(_connection_detail(exc)) from exc
        try:
            raw = self._read_raw(response)
        finally:
            response.close()
        self.stats.bytes_received += 15 + len(response.reason_phrase) + _header_bytes(response.headers) + len(raw)
        return self._answer(response, raw)

    def _read_raw(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            raise MalformedAnswer(_("an answer of {size} bytes, over the limit of {limit}").format(
                size=declared, limit=self.max_body))
        try:
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > self.max_body:
                    raise MalformedAnswer(_("an answer over the limit of {limit} bytes").format(
                        limit=self.max_body))
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise NetworkError(_("the server stopped answering")) from exc
        except httpx.TransportError as exc:
            raise NetworkError(_connection_detail(exc)) from exc
        return b"".join(chunks)

    def _decode(self, response: httpx.Response, raw: bytes) -> bytes:
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if not encoding or encoding == "identity" or not raw:
            return raw
        if encoding == compression.ENCODING:
            try:
                return compression.decompress(raw, self.max_body * 8)
            except compression.TooLarge as exc:
                raise MalformedAnswer(_("an answer that unpacks to more than {limit} bytes").format(
                    limit=self.max_body * 8)) from exc
            except compression.CompressionError as exc:
                raise MalformedAnswer(_("a damaged compressed answer")) from exc
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise MalformedAnswer(_("an answer in an unknown encoding {encoding}").format(encoding=encoding))
        wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
        try:
            decoder = zlib.decompressobj(wbits)
            out = decoder.decompress(raw, self.max_body * 8)
            if decoder.unconsumed_tail:
                raise MalformedAnswer(_("an answer that unpacks to more than {limit} bytes").format(
                    limit=self.max_body * 8))
            if not decoder.eof:
                # the HTTP body arrived whole (its length checked by httpx), the gzip inside did not
                raise MalformedAnswer(_("a compressed answer that ends too early"))
        except zlib.error as exc:
            raise MalformedAnswer(_("a damaged compressed answer")) from exc
        return out

    def _answer(self, response: httpx.Response, raw: bytes) -> Answer:
        headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        ok = 200 <= status < 300
        try:
            data = self._decode(response, raw)
        except MalformedAnswer:
            if ok:
                raise
            return Answer(status, None, headers, "")
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        if not data.strip():
            return Answer(status, None, headers, "")
        if not is_json:
            if ok:
                raise MalformedAnswer(_("an answer of type {type} instead of JSON").format(
                    type=content_type or _("unknown")))
            return Answer(status, None, headers, data[:500].decode("utf-8", "replace"))
        try:
            body = jsonsafe.loads(data)  # no NaN, no infinities, no absurd nesting
        except (ValueError, UnicodeDecodeError) as exc:
            if ok:
                raise MalformedAnswer(_("an answer that is not valid JSON")) from exc
            return Answer(status, None, headers, data[:500].decode("utf-8", "replace"))
        return Answer(status, body, headers, "")


def _connection_detail(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError):
        return _("could not connect")
    if isinstance(exc, httpx.RemoteProtocolError):
        return _("the connection was cut")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return _("the connection broke")
    return exc.__class__.__name__


def probe(url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 8.0,
          realm: str = DEFAULT_REALM) -> bool:
    """True when a hub answers at ``url`` (any HTTP answer counts). Call from a worker thread."""
    try:
        with httpx.Client(base_url=normalize_server_url(url), transport=transport, verify=ssl_context(),
                          timeout=timeout, headers={"Realm": realm}) as http:
            http.get("/api/v2013/focalpoint/capabilities")
        return True
    except (httpx.HTTPError, OSError, ValueError):
        return False
