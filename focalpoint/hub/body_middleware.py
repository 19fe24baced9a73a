"""ASGI middleware for request bodies: size limit, gzip decoding, ``realm`` echo.

A body over the limit (by ``Content-Length`` or as it streams, and again after
decompression, so a small gzip bomb is refused too) gets 413
``Error.PayloadTooLarge``; ``Content-Encoding: gzip`` bodies reach the routes
decoded. Response compression is Starlette's ``GZipMiddleware``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from focalpoint import jsonsafe


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"statusCode": status, "code": code, "message": message}).encode()  # the CHM envelope
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _gunzip(data: bytes, limit: int) -> bytes:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decoder.decompress(data, limit + 1)
    if len(out) > limit or decoder.unconsumed_tail:
        raise _TooLarge()
    out += decoder.flush()
    if len(out) > limit:
        raise _TooLarge()
    if not decoder.eof:
        raise zlib.error("truncated gzip stream")
    return out


class RequestBodyMiddleware:
    """``streamed(method, path)`` names the routes whose body is a file they stream to disk under
    their own limit (attachments): those pass unbuffered, plain or ``identity`` only."""

    def __init__(self, app: ASGIApp, max_bytes: int, streamed: Callable[[str, str], bool] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        lookup = {k.lower(): v for k, v in headers}
        if self.streamed is not None and self.streamed(scope.get("method", ""), scope.get("path", "")):
            encoding = lookup.get(b"content-encoding", b"").decode("latin-1").strip().lower()
            if encoding not in ("", "identity"):
                await _send_error(send, 415, "Error.UnsupportedEncoding", "Files are sent as they are, not compressed.")
                return
            await self.app(scope, receive, send)  # the route applies the file size limit as it streams
            return
        too_large = f"The request body is larger than {self.max_bytes // (1024 * 1024)} MB."
        length = lookup.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _send_error(send, 413, "Error.PayloadTooLarge", too_large)
            return
        encoding = lookup.get(b"content-encoding", b"").decode("latin-1").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            await _send_error(send, 415, "Error.UnsupportedEncoding",
                              "Request bodies may be sent plain or with Content-Encoding: gzip.")
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, "Error.PayloadTooLarge", too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if encoding == "gzip" and body:
            try:
                body = _gunzip(body, self.max_bytes)
            except _TooLarge:
                await _send_error(send, 413, "Error.PayloadTooLarge", too_large)
                return
            except zlib.error:
                await _send_error(send, 400, "Error.InvalidEncoding", "The gzip request body is damaged.")
                return
        if encoding:
            headers = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length")]
            headers.append((b"content-length", str(len(body)).encode()))
        scope = dict(scope, headers=headers)

        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        realm = lookup.get(b"realm")

        async def send_with_realm(message: Message) -> None:
            if realm is not None and message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [(b"realm", realm)]
            await send(message)

        await self.app(scope, replay_receive, send_with_realm if realm is not None else send)


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body; raises ValueError with a short reason."""
    if not body:
        raise ValueError("The request has no body.")
    return jsonsafe.loads(body.decode("utf-8"))
