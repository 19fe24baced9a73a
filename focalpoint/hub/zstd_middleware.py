"""ASGI middleware: zstd (with FocalPoint's shipped dictionary) both ways, for clients that ask.

Answers: a request whose ``Accept-Encoding`` takes ``zstd`` gets its JSON answer as
``Content-Encoding: zstd``, made with the dictionary named in ``FocalPoint-Zstd-Dictionary`` when
the hub has it (else plain zstd, which any zstd reader reads); the inner gzip middleware is then
told ``identity`` so the answer is not compressed twice. Everyone else keeps gzip.

Requests: a ``Content-Encoding: zstd`` body is unpacked here (with the limit on its unpacked
size: a small zstd bomb is refused with 413) and reaches the routes as plain JSON.

It sits outside ``RequestBodyMiddleware`` (which refuses encodings it does not know). Large
answers are compressed in a worker thread, so the event loop keeps serving others.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from focalpoint import compression

MINIMUM_SIZE = 500  # as the gzip middleware: smaller answers go as they are
THREAD_OVER = 64 * 1024  # answers bigger than this are compressed off the event loop
SMALL = 1024 * 1024  # up to this size the strongest level costs little (tens of ms)
LARGE_LEVEL = 15  # a first pull's pages (megabytes): ~1.5 s each, a third less than gzip


def accepts_zstd(value: str) -> bool:
    """True when an ``Accept-Encoding`` value takes ``zstd`` (with a non-zero quality)."""
    for part in value.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() != compression.ENCODING:
            continue
        for param in params.split(";"):
            name, _, q = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(q) > 0
                except ValueError:
                    return False
        return True
    return False


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"statusCode": status, "code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _compress(body: bytes, dict_id: int | None) -> bytes:
    if len(body) <= SMALL:
        return compression.compress(body, dict_id, level=19)
    return compression.compress(body, dict_id, level=LARGE_LEVEL)


class ZstdMiddleware:
    """zstd answers and request bodies (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int, enabled: bool = True) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        lookup = {k.lower(): v for k, v in headers}
        encoding = lookup.get(b"content-encoding", b"").decode("latin-1").strip().lower()
        if encoding == compression.ENCODING:
            body = await self._read_body(receive, send)
            if body is None:
                return
            headers = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length")]
            headers.append((b"content-length", str(len(body)).encode()))
            receive = _replay(body, receive)
        zstd = accepts_zstd(lookup.get(b"accept-encoding", b"").decode("latin-1"))
        if zstd:
            headers = [(k, v) for k, v in headers if k.lower() != b"accept-encoding"]
            headers.append((b"accept-encoding", b"identity"))
        scope = dict(scope, headers=headers)
        if not zstd:
            await self.app(scope, receive, send)
            return
        dict_id = compression.parse_dictionary_header(
            lookup.get(compression.DICTIONARY_HEADER.lower().encode(), b"").decode("latin-1"))
        await self.app(scope, receive, _ZstdResponder(send, dict_id))

    async def _read_body(self, receive: Receive, send: Send) -> bytes | None:
        too_large = f"The request body is larger than {self.max_bytes // (1024 * 1024)} MB."
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, "Error.PayloadTooLarge", too_large)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        if not raw:
            return raw
        try:
            return compression.decompress(raw, self.max_bytes)
        except compression.TooLarge:
            await _send_error(send, 413, "Error.PayloadTooLarge", too_large)
        except compression.CompressionError as exc:
            await _send_error(send, 400, "Error.InvalidEncoding", f"The zstd request body is {exc}.")
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay_receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay_receive


class _ZstdResponder:
    """Buffers a JSON answer and sends it zstd-compressed; anything else passes through."""

    def __init__(self, send: Send, dict_id: int | None) -> None:
        self.send = send
        self.dict_id = dict_id
        self.start: Message | None = None
        self.passthrough = False
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if b"content-encoding" in headers or not _is_json(content_type):
                self.passthrough = True
                await self.send(message)
                return
            self.start = message
            return
        if message["type"] != "http.response.body" or self.passthrough:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        await self._finish()

    async def _finish(self) -> None:
        assert self.start is not None
        body = b"".join(self.chunks)
        headers = [(k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"]
        if len(body) >= MINIMUM_SIZE:
            if len(body) > THREAD_OVER:
                body = await run_in_threadpool(_compress, body, self.dict_id)
            else:
                body = _compress(body, self.dict_id)
            headers.append((b"content-encoding", compression.ENCODING.encode()))
        headers.append((b"vary", b"Accept-Encoding"))
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})
