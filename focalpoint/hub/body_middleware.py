"""ASGI middleware for request bodies: size limit, gzip decoding, ``realm`` echo.

A body over the limit (by ``Content-Length`` or as it streams, and again after
decompression, so a small gzip bomb is refused too) gets 413
``Error.PayloadTooLarge``; ``Content-Encoding: gzip`` bodies reach the routes
decoded. Response compression is Starlette's ``GZipMiddleware``.

The helpers below (:func:`read_body`, :func:`decoded_headers`, :func:`replay_receive`,
:func:`send_error`) also serve :mod:`focalpoint.hub.zstd_middleware`, which decodes zstd bodies
the same way. They run on the event loop.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from focalpoint import jsonsafe


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """Answer ``status`` with the CHM's error envelope and close the connection."""
    body = json.dumps({"statusCode": status, "code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def too_large_message(max_bytes: int) -> str:
    """The 413 message for a body over ``max_bytes``."""
    return f"The request body is larger than {max_bytes // (1024 * 1024)} MB."


async def read_body(receive: Receive, send: Send, max_bytes: int) -> bytes | None:
    """The whole request body as received; None when the client went away or the body passed
    ``max_bytes`` (then 413 ``Error.PayloadTooLarge`` has been answered)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            await send_error(send, 413, "Error.PayloadTooLarge", too_large_message(max_bytes))
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def decoded_headers(headers: list[tuple[bytes, bytes]], body: bytes) -> list[tuple[bytes, bytes]]:
    """``headers`` of a request whose body was decoded to ``body``: no ``Content-Encoding``, and
    the decoded ``Content-Length``."""
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length")]
    return [*kept, (b"content-length", str(len(body)).encode())]


def replay_receive(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app ``body`` (already read) as the request, then passes on to
    ``receive`` (for the disconnect)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


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

    def __init__(self, app: ASGIApp, max_bytes: int, streamed: Callable[[str, str], bool] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        lookup = {k.lower(): v for k, v in headers}
        encoding = lookup.get(b"content-encoding", b"").decode("latin-1").strip().lower()
        if self.streamed is not None and self.streamed(scope.get("method", ""), scope.get("path", "")):
            if encoding not in ("", "identity"):
                await send_error(send, 415, "Error.UnsupportedEncoding", "Files are sent as they are, not compressed.")
                return
            await self.app(scope, receive, send)  # the route applies the file size limit as it streams
            return
        length = lookup.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await send_error(send, 413, "Error.PayloadTooLarge", too_large_message(self.max_bytes))
            return
        if encoding not in ("", "identity", "gzip"):
            await send_error(send, 415, "Error.UnsupportedEncoding",
                             "Request bodies may be sent plain or with Content-Encoding: gzip.")
            return

        body = await read_body(receive, send, self.max_bytes)
        if body is None:
            return
        if encoding == "gzip" and body:
            try:
                body = _gunzip(body, self.max_bytes)
            except _TooLarge:
                await send_error(send, 413, "Error.PayloadTooLarge", too_large_message(self.max_bytes))
                return
            except zlib.error:
                await send_error(send, 400, "Error.InvalidEncoding", "The gzip request body is damaged.")
                return
        if encoding:
            headers = decoded_headers(headers, body)
        scope = dict(scope, headers=headers)

        realm = lookup.get(b"realm")

        async def send_with_realm(message: Message) -> None:
            if realm is not None and message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [(b"realm", realm)]
            await send(message)

        await self.app(scope, replay_receive(body, receive), send_with_realm if realm is not None else send)


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body; raises ValueError with a short reason."""
    if not body:
        raise ValueError("The request has no body.")
    return jsonsafe.loads(body.decode("utf-8"))
