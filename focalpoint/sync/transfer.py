"""Moving attachment files between this computer and a hub (or the central CHM), over bad links.

* :func:`upload_file` sends a file to a record: with ``resumable`` (the hub advertises
  ``resumable-uploads``, see :func:`server_supports_resumable`) by the tus 1.0 protocol, in
  chunks, resuming from the hub's ``Upload-Offset`` after any cut; the upload's address is kept in
  ``state_dir`` so a restarted process resumes it too. Otherwise the CHM's own
  ``POST /api/v2013/documents/{uid}/attachments/{filename}`` with the whole file.
* :func:`download_file` fetches a file into ``<dest_dir>/.partial-<sha256>``, resumes with
  ``Range`` (and ``If-Range``) after a cut, checks the SHA-256 and only then renames it to
  ``<dest_dir>/<sha256>``; a damaged or truncated file never gets its content name.

Both retry what may pass (a cut, a timeout, HTTP 5xx/429) as the sync engine does: exponential
back-off with jitter, ``Retry-After`` honoured, up to ``RetryPolicy.max_attempts`` failures in a
row (a failure after progress starts the count again). Refusals raise :class:`TransferRefused`
(:class:`FileTooLarge`, :class:`TransferForbidden`, :class:`DigestMismatch`), never retried.
``cancel`` stops between pieces with :class:`~focalpoint.sync.errors.Cancelled`; what arrived is
kept for the next attempt.

The ``httpx.Client`` is the caller's (its headers, e.g. ``Authorization: Ticket …`` and ``Realm``,
go with every request; ``headers`` adds more). No Qt: call from a worker thread, one transfer per
client at a time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
import random
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from focalpoint.fileio import fsync_dir, sha256_file
from focalpoint.i18n import _
from focalpoint.sync.errors import (
    Cancelled,
    MalformedAnswer,
    NetworkError,
    ServerError,
    SignInRequired,
    SyncError,
    pause,
    raise_if_cancelled,
)

RESUMABLE_EXTENSION = "resumable-uploads"
TUS_VERSION = "1.0.0"
TUS_PATH = "/api/v2013/focalpoint/uploads"
SHA256_HEADER = "X-FocalPoint-SHA256"
ATTACHMENT_URL_HEADER = "X-FocalPoint-Attachment-Url"
PARTIAL_PREFIX = ".partial-"
DEFAULT_CHUNK = 256 * 1024
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_PIECE = 64 * 1024  # what one progress step covers inside a chunk

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------- errors


class TransferRefused(SyncError):
    """The server refused the file (not worth retrying as it is). ``status``/``code`` as answered."""

    transient = False

    def __init__(self, message: str, *, status: int = 0, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class FileTooLarge(TransferRefused):
    def __init__(self, limit: int | None, *, status: int = 413, code: str | None = None) -> None:
        if limit:
            message = _("The file is larger than the server accepts ({limit} MB). Make it smaller (for "
                        "example, save the PDF for the web), or attach a link instead.").format(
                limit=max(1, round(limit / (1024 * 1024))))
        else:
            message = _("The file is larger than the server accepts. Make it smaller, or attach a link instead.")
        super().__init__(message, status=status, code=code)
        self.limit = limit


class TransferForbidden(TransferRefused):
    def __init__(self, detail: str = "", *, status: int = 403, code: str | None = None) -> None:
        super().__init__(_("The server does not let you change or read this file: {detail}").format(
            detail=detail or _("it belongs to a record you may not edit")), status=status, code=code)


class DigestMismatch(TransferRefused):
    def __init__(self, *, status: int = 422, code: str | None = None) -> None:
        super().__init__(_("The file arrived damaged (its SHA-256 does not match) and was not kept. Try "
                           "again; if it keeps happening, the file may have changed on this computer."),
                         status=status, code=code)


class _Retry(Exception):
    """A passing refusal (locked upload, offset changed): ask again after a pause."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("retry")
        self.retry_after = retry_after


class _CancelledInBody(Exception):
    pass


# ---------------------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried (the sync engine's defaults)."""

    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Between half and all of base·2^(attempt-1), capped; at least ``Retry-After``."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2.0 ** max(0, attempt - 1)))
        delay = ceiling / 2 + rng.random() * ceiling / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_cap))
        return delay


class _Transfer:
    """What one call shares: the client, extra headers, retries, cancel."""

    def __init__(self, http: httpx.Client, base_url: str, headers: Mapping[str, str] | None,
                 cancel: threading.Event | None, retry: RetryPolicy | None,
                 sleep: Callable[[float], None] | None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        # answers here are small JSON or a file: never compressed (a zstd dictionary the caller's
        # client may have negotiated would not apply, and ranges count bytes of the file itself)
        self.headers = {**dict(headers or {}), "Accept-Encoding": "identity"}
        self.cancel = cancel
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = random.Random()
        self.failures = 0

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def check_cancel(self) -> None:
        raise_if_cancelled(self.cancel)

    def failed(self, error: SyncError, retry_after: float | None = None) -> None:
        """Count a transient failure; raise it when there were too many in a row, else wait."""
        self.failures += 1
        if self.failures >= self.retry.max_attempts:
            raise error
        delay = self.retry.delay(self.failures, retry_after, self.rng)
        pause(delay, self.cancel, self.sleep)

    def progressed(self) -> None:
        self.failures = 0


def _network_error(exc: BaseException) -> NetworkError:
    if isinstance(exc, httpx.ConnectTimeout):
        return NetworkError(_("no connection could be made in time"), unreachable=True)
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(_("the server took too long to answer"))
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(_("could not connect"), unreachable=True)
    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkError(_("the connection was cut"))
    return NetworkError(_("the connection broke"))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _refusal(response: httpx.Response) -> Exception:
    """The error an unsuccessful answer stands for (transient ones are ServerError / _Retry)."""
    status = response.status_code
    if status >= 500 or status == 429:
        return ServerError(status)
    body = _error_body(response)
    code = body.get("code") if isinstance(body.get("code"), str) else None
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    if status == 401:
        return SignInRequired()
    if status == 413:
        limit = body.get("maxBytes")
        return FileTooLarge(limit if isinstance(limit, int) else None, code=code)
    if status == 403:
        return TransferForbidden(str(message or ""), code=code)
    if code == "Error.DigestMismatch" or (status in (400, 422) and "digest" in (code or "").lower()):
        return DigestMismatch(status=status, code=code)
    if status == 404:
        return TransferRefused(_("The file is not on the server, or you may not read it."), status=404, code=code)
    return TransferRefused(_("The server refused the file (HTTP {status}): {message}").format(
        status=status, message=message or _("no reason given")), status=status, code=code)


# ---------------------------------------------------------------------------------------- helpers


def server_supports_resumable(info: Any) -> bool:
    """Whether the capabilities a server advertised (the JSON of ``/focalpoint/capabilities`` or a
    ``focalpoint.sync.protocol.Capabilities``; None for a plain CHM) include tus uploads."""
    if info is None:
        return False
    extensions = getattr(info, "extensions", None)
    if extensions is None and isinstance(info, Mapping):
        extensions = info.get("extensions")
    return isinstance(extensions, list | tuple | set | frozenset) and RESUMABLE_EXTENSION in extensions


def attachment_path(uid: str, filename: str) -> str:
    """The CHM's upload path of a record's file."""
    return f"/api/v2013/documents/{quote(uid, safe='')}/attachments/{quote(filename, safe='')}"


def _check_sha(sha256: str) -> str:
    if not _SHA256_RE.match(sha256 or ""):
        raise ValueError("sha256 must be 64 lower-case hexadecimal digits")
    return sha256


def _pieces(path: Path, start: int, length: int, t: _Transfer, report: Callable[[int], None]) -> Iterator[bytes]:
    """The bytes ``[start, start+length)`` of the file in pieces, reporting each as it is handed over."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            if t.cancel is not None and t.cancel.is_set():
                raise _CancelledInBody()
            piece = handle.read(min(_PIECE, left))
            if not piece:
                raise MalformedAnswer(_("the file became shorter while it was being sent"))
            left -= len(piece)
            yield piece
            report(len(piece))


def _write_json_atomic(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------- upload


def upload_file(http: httpx.Client, base_url: str, uid: str, filename: str, path: Path, sha256: str, *,
                resumable: bool, chunk_size: int = DEFAULT_CHUNK, on_progress: Progress | None = None,
                cancel: threading.Event | None = None, state_dir: Path | None = None,
                headers: Mapping[str, str] | None = None, retry: RetryPolicy | None = None,
                sleep: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Attach the file at ``path`` (whose SHA-256 is ``sha256``) to record ``uid`` as ``filename``.

    Returns the attachment as the server describes it: at least ``url``, ``filename``, ``name``,
    ``size``, ``sha256`` and ``documentUID``. ``on_progress(bytes_sent, size)`` after each piece.
    Worker thread only."""
    _check_sha(sha256)
    path = Path(path)
    size = path.stat().st_size
    t = _Transfer(http, base_url, headers, cancel, retry, sleep)
    try:
        if resumable:
            return _tus_upload(t, uid, filename, path, sha256, size, max(1, chunk_size), on_progress,
                               Path(state_dir) if state_dir is not None else None)
        return _plain_upload(t, uid, filename, path, sha256, size, on_progress)
    except _CancelledInBody:
        raise Cancelled() from None


def _described(body: Any, uid: str, filename: str, size: int, sha256: str, url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
    if url:
        out.setdefault("url", url)
    if not isinstance(out.get("url"), str) or not out["url"]:
        raise MalformedAnswer(_("the answer to an upload names no address for the file"))
    if "sha256" in out and out["sha256"] != sha256:
        raise DigestMismatch()
    out.setdefault("filename", filename)
    out.setdefault("name", out["filename"])
    out.setdefault("size", size)
    out.setdefault("sha256", sha256)
    out.setdefault("documentUID", uid)
    return out


def _plain_upload(t: _Transfer, uid: str, filename: str, path: Path, sha256: str, size: int,
                  on_progress: Progress | None) -> dict[str, Any]:
    url = t.url(attachment_path(uid, filename))
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    while True:
        t.check_cancel()
        sent = 0

        def report(n: int) -> None:
            nonlocal sent
            sent += n
            if on_progress is not None:
                on_progress(sent, size)

        send_headers = {**t.headers, "Content-Type": content_type, "Content-Length": str(size),
                        SHA256_HEADER: sha256}
        try:
            response = t.http.post(url, content=_pieces(path, 0, size, t, report), headers=send_headers)
        except httpx.TransportError as exc:
            t.failed(_network_error(exc))
            continue
        if response.is_success:
            try:
                body = response.json()
            except ValueError:
                raise MalformedAnswer(_("the answer to an upload is not JSON")) from None
            return _described(body, uid, filename, size, sha256, None)
        error = _refusal(response)
        if isinstance(error, ServerError):
            t.failed(error, _retry_after(response))
            continue
        raise error


def _state_file(state_dir: Path, base_url: str, uid: str, filename: str, sha256: str) -> Path:
    key = hashlib.sha256("\0".join((base_url.rstrip("/"), uid, filename, sha256)).encode("utf-8")).hexdigest()
    return state_dir / f"upload-{key[:40]}.json"


def _tus_headers(t: _Transfer, **extra: str) -> dict[str, str]:
    return {**t.headers, "Tus-Resumable": TUS_VERSION, **extra}


def _metadata(uid: str, filename: str, sha256: str) -> str:
    def b64(value: str) -> str:
        return base64.b64encode(value.encode("utf-8")).decode("ascii")

    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return ",".join(f"{k} {b64(v)}" for k, v in (("uid", uid), ("filename", filename), ("sha256", sha256),
                                                  ("filetype", content_type)))


def _offset(response: httpx.Response, size: int) -> int:
    value = response.headers.get("upload-offset", "")
    if not value.isdigit() or int(value) > size:
        raise MalformedAnswer(_("the server answered an upload without a valid Upload-Offset"))
    return int(value)


def _tus_upload(t: _Transfer, uid: str, filename: str, path: Path, sha256: str, size: int, chunk_size: int,
                on_progress: Progress | None, state_dir: Path | None) -> dict[str, Any]:
    state_path = _state_file(state_dir, t.base_url, uid, filename, sha256) if state_dir is not None else None
    location: str | None = None
    if state_path is not None and state_path.is_file():
        try:
            saved = json.loads(state_path.read_text(encoding="utf-8"))
            if saved.get("size") == size and isinstance(saved.get("url"), str):
                location = t.url(saved["url"])
        except ValueError:
            state_path.unlink()  # an unreadable note: start a new upload
    offset: int | None = None  # None: ask the hub (HEAD) before sending
    done_url: str | None = None
    confirmed = 0

    def forget() -> None:
        if state_path is not None:
            state_path.unlink(missing_ok=True)

    while True:
        t.check_cancel()
        try:
            if location is None:
                response = t.http.post(t.url(TUS_PATH), headers=_tus_headers(
                    t, **{"Upload-Length": str(size), "Upload-Metadata": _metadata(uid, filename, sha256),
                          "Content-Length": "0"}))
                if response.status_code != 201:
                    raise _refusal(response)
                if not response.headers.get("location"):
                    raise MalformedAnswer(_("the server created an upload without an address"))
                location = t.url(response.headers["location"])
                offset = _offset(response, size) if "upload-offset" in response.headers else 0
                done_url = response.headers.get(ATTACHMENT_URL_HEADER)
                if state_path is not None:  # as the server named it (a path: the same server, any address)
                    state_path.parent.mkdir(parents=True, exist_ok=True)
                    _write_json_atomic(state_path, {"url": response.headers["location"], "uid": uid, "filename": filename,
                                                    "sha256": sha256, "size": size})
            elif offset is None:
                response = t.http.head(location, headers=_tus_headers(t))
                if response.status_code in (404, 410):
                    forget()  # expired or never finished: start again
                    location = None
                    continue
                if response.status_code != 200:
                    raise _refusal(response)
                offset = _offset(response, size)
                done_url = response.headers.get(ATTACHMENT_URL_HEADER)
                if offset > confirmed:  # the cut came after some bytes landed: not a failure in a row
                    confirmed = offset
                    t.progressed()
            while done_url is None:  # at offset == size: an empty PATCH asks the hub to finish
                t.check_cancel()
                start = offset
                length = min(chunk_size, size - start)
                if on_progress is not None:
                    on_progress(start, size)

                def report(n: int, base: list[int] = [start]) -> None:  # noqa: B006  (a running total)
                    base[0] += n
                    if on_progress is not None:
                        on_progress(base[0], size)

                offset = None  # unknown until the hub answers
                response = t.http.patch(location, content=_pieces(path, start, length, t, report),
                                        headers=_tus_headers(t, **{"Upload-Offset": str(start),
                                                                   "Content-Length": str(length),
                                                                   "Content-Type": "application/offset+octet-stream"}))
                if response.status_code == 204:
                    offset = _offset(response, size)
                    done_url = response.headers.get(ATTACHMENT_URL_HEADER)
                    if offset <= start and done_url is None:
                        raise MalformedAnswer(_("the server took none of the bytes sent"))
                    confirmed = offset
                    t.progressed()
                elif response.status_code in (409, 423):
                    raise _Retry(_retry_after(response))  # ask where it stands, then go on
                elif response.status_code in (404, 410):
                    location = None  # gone (expired): a new upload, from the start
                    forget()
                    break
                else:
                    error = _refusal(response)
                    if isinstance(error, TransferRefused):
                        forget()
                    raise error
            if location is None or done_url is None:
                continue
            forget()
            if on_progress is not None:
                on_progress(size, size)
            return _described(None, uid, filename, size, sha256, done_url)
        except httpx.TransportError as exc:
            offset = None
            t.failed(_network_error(exc))
        except ServerError as exc:
            offset = None
            t.failed(exc)
        except _Retry as exc:
            offset = None
            t.failed(ServerError(423), exc.retry_after)


# ---------------------------------------------------------------------------------------- download


_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


def download_file(http: httpx.Client, base_url: str, url: str, dest_dir: Path, sha256: str, *,
                  on_progress: Progress | None = None, cancel: threading.Event | None = None,
                  headers: Mapping[str, str] | None = None, retry: RetryPolicy | None = None,
                  sleep: Callable[[float], None] | None = None) -> Path:
    """Fetch the file at ``url`` (absolute, or a path on ``base_url``) into ``dest_dir/<sha256>``
    and return that path. Resumes a ``.partial-<sha256>`` left by an earlier cut (``Range`` with
    ``If-Range``), or starts over when the server sends the whole file instead. The file gets its
    content name only after its SHA-256 matched; a mismatch is fetched once more from the start,
    then raises :class:`DigestMismatch`. ``on_progress(bytes_held, total)`` (total 0: unknown).
    Worker thread only."""
    _check_sha(sha256)
    dest_dir = Path(dest_dir)
    final = dest_dir / sha256
    if final.is_file():
        return final
    dest_dir.mkdir(parents=True, exist_ok=True)
    partial = dest_dir / f"{PARTIAL_PREFIX}{sha256}"
    etag_file = dest_dir / f"{PARTIAL_PREFIX}{sha256}.etag"
    t = _Transfer(http, base_url, headers, cancel, retry, sleep)
    target = t.url(url)
    mismatches = 0

    def start_over() -> None:
        partial.unlink(missing_ok=True)
        etag_file.unlink(missing_ok=True)

    while True:
        t.check_cancel()
        have = held = partial.stat().st_size if partial.exists() else 0
        send_headers = {**t.headers, "Accept-Encoding": "identity", "Accept": "*/*"}
        if have:
            send_headers["Range"] = f"bytes={have}-"
            if etag_file.exists():
                send_headers["If-Range"] = etag_file.read_text(encoding="utf-8").strip()
        total = 0
        try:
            with t.http.stream("GET", target, headers=send_headers) as response:
                if response.status_code == 416 and have:
                    response.read()
                    total = have  # the partial file may be whole already: the check below says
                elif response.status_code in (200, 206):
                    if response.status_code == 206:
                        match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
                        if match is None or int(match.group(1)) != have:
                            response.read()
                            start_over()
                            raise _Retry()
                        mode, total = "ab", (int(match.group(3)) if match.group(3) != "*" else 0)
                    else:
                        mode, have = "wb", 0  # no Range honoured (or a changed file): the whole file
                        declared = response.headers.get("content-length", "")
                        total = int(declared) if declared.isdigit() and "content-encoding" not in response.headers else 0
                    etag = response.headers.get("etag", "")
                    if etag and not etag.startswith("W/"):
                        etag_file.write_text(etag, encoding="utf-8")
                    with open(partial, mode) as out:
                        try:
                            for chunk in response.iter_bytes():
                                if cancel is not None and cancel.is_set():
                                    raise Cancelled()
                                out.write(chunk)
                                have += len(chunk)
                                if total and have > total:
                                    break
                                if on_progress is not None:
                                    on_progress(have, total)
                        finally:
                            out.flush()
                            os.fsync(out.fileno())
                    t.progressed()
                else:
                    response.read()
                    error = _refusal(response)
                    if isinstance(error, ServerError):
                        t.failed(error, _retry_after(response))
                        continue
                    raise error
        except httpx.TransportError as exc:
            if partial.exists() and partial.stat().st_size > held:
                t.progressed()  # the cut came after some bytes landed: not a failure in a row
            t.failed(_network_error(exc))
            continue
        except _Retry:
            t.failed(ServerError(416))
            continue
        if total and have < total:
            t.failed(NetworkError(_("the connection was cut")))
            continue
        if sha256_file(partial) != sha256:
            start_over()
            mismatches += 1
            if mismatches > 1:
                raise DigestMismatch()
            continue
        os.replace(partial, final)
        fsync_dir(dest_dir)
        etag_file.unlink(missing_ok=True)
        return final


__all__ = ["RESUMABLE_EXTENSION", "DigestMismatch", "FileTooLarge", "RetryPolicy", "TransferForbidden",
           "TransferRefused", "download_file", "server_supports_resumable", "upload_file"]

