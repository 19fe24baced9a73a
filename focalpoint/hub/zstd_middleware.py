"""ASGI middleware: zstd (with FocalPoint's shipped dictionary) both ways, for clients that ask.

Answers: a request whose ``Accept-Encoding`` takes ``zstd`` gets its JSON answer as
``Content-Encoding: zstd``, made with the dictionary named in ``FocalPoint-Zstd-Dictionary`` when
the hub has it and the answer is at most ``compression.DICTIONARY_UP_TO`` bytes (else plain zstd,
which any zstd reader reads); the inner gzip middleware is then told ``identity`` so the answer
is not compressed twice. Everyone else keeps gzip.

Requests: a ``Content-Encoding: zstd`` body is unpacked here (with the limit on its unpacked
size: a small zstd bomb is refused with 413) and reaches the routes as plain JSON.

It sits outside ``RequestBodyMiddleware`` (which refuses encodings it does not know). Large
answers are compressed in a worker thread, so the event loop keeps serving others.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from focalpoint import compression
from focalpoint.hub.body_middleware import decoded_headers, read_body, replay_receive, send_error, too_large_message

MINIMUM_SIZE = 500  # as the gzip middleware: smaller answers go as they are
THREAD_OVER = 64 * 1024  # answers bigger than this are compressed off the event loop


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


def _compress(body: bytes, dict_id: int | None) -> bytes:
    # the dictionary for small answers only, large ones cached (see focalpoint.compression)
    return compression.compress_answer(body, dict_id)


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
            headers = decoded_headers(headers, body)
            receive = replay_receive(body, receive)
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
        raw = await read_body(receive, send, self.max_bytes)
        if not raw:
            return raw  # None: refused or gone; b"": nothing to unpack
        try:
            return compression.decompress(raw, self.max_bytes)
        except compression.TooLarge:
            await send_error(send, 413, "Error.PayloadTooLarge", too_large_message(self.max_bytes))
        except compression.CompressionError as exc:
            await send_error(send, 400, "Error.InvalidEncoding", f"The zstd request body is {exc}.")
        return None


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
