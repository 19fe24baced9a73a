"""zstd with a shipped dictionary: the compression the hub and the client share.

FocalPoint ships zstd dictionaries trained on CHM documents (``focalpoint/dictionaries/chm-<id>.dict``,
made by ``python -m focalpoint.tools.train_zstd_dictionary``). A dictionary's version is its zstd
dictionary id, which every frame compressed with it names, so a frame can only be read with the
dictionary it was made with.

A hub advertises ``zstd`` and ``zstd-dictionary:<id>`` for each dictionary it has in its
capabilities. A client that holds one of them sends ``Accept-Encoding: zstd, gzip`` and names it in
``FocalPoint-Zstd-Dictionary``; the hub then answers ``Content-Encoding: zstd`` made with it, and
the client may send its request bodies the same way. Anyone else (the central CHM, an older hub or
client) keeps gzip.

Answers (:func:`compress_answer`) use the dictionary only where it helps: up to
:data:`DICTIONARY_UP_TO` bytes. A body that small lacks the context the dictionary gives it; a page of
hundreds of records has that context itself, and there a frame made with the dictionary comes out
larger (change-feed pages of the sync benchmark: 3 % at 1 MB; 14 % to 70 % at 8 MB). A
frame without a dictionary names none, and every zstd reader reads it. Large answers are kept in a
small cache by the digest of their bytes, so a page sent to several clients (the first pulls of one
government's stations) is compressed once.

Compressors are made per thread (zstandard's objects are not thread-safe); any thread may call
these functions.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from importlib import resources

import zstandard

ENCODING = "zstd"
DICTIONARY_HEADER = "FocalPoint-Zstd-Dictionary"
EXTENSION = "zstd"
DICTIONARY_EXTENSION = "zstd-dictionary:"
LEVEL = 19  # the strongest: small bodies cost milliseconds, an 8 MB feed page 3 to 5 s (cached)
DICTIONARY_UP_TO = 512 * 1024  # larger answers are compressed without the dictionary (module docstring)
CACHE_OVER = 64 * 1024  # answers larger than this are cached once compressed
CACHE_BYTES = 64 * 1024 * 1024  # compressed bytes the cache holds at most (least recently used go first)
_NAME = re.compile(r"^chm-(\d+)\.dict$")


class CompressionError(ValueError):
    """A zstd body that cannot be read: damaged, cut short, made with an unknown dictionary or too big."""


class TooLarge(CompressionError):
    """A zstd body that unpacks to more than the limit."""


@functools.cache
def dictionaries() -> dict[int, zstandard.ZstdCompressionDict]:
    """The shipped dictionaries by id (read once)."""
    found: dict[int, zstandard.ZstdCompressionDict] = {}
    folder = resources.files("focalpoint") / "dictionaries"
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        dictionary = zstandard.ZstdCompressionDict(entry.read_bytes())
        if dictionary.dict_id() != int(match.group(1)):
            raise CompressionError(f"the dictionary {entry.name} has the id {dictionary.dict_id()}")
        found[dictionary.dict_id()] = dictionary
    return found


def advertised() -> list[str]:
    """The capability names a hub adds: ``zstd`` and one ``zstd-dictionary:<id>`` per dictionary."""
    return [EXTENSION] + [f"{DICTIONARY_EXTENSION}{i}" for i in sorted(dictionaries())]


def shared_dictionary(extensions: Iterable[str]) -> int | None:
    """The newest dictionary both sides hold, from a server's capability names (None: no zstd)."""
    names = set(extensions)
    if EXTENSION not in names:
        return None
    theirs = {int(n[len(DICTIONARY_EXTENSION):]) for n in names
              if n.startswith(DICTIONARY_EXTENSION) and n[len(DICTIONARY_EXTENSION):].isdigit()}
    common = theirs & set(dictionaries())
    return max(common) if common else None


def parse_dictionary_header(value: str | None) -> int | None:
    """The dictionary a request names, when this side has it (None otherwise)."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    dict_id = int(text)
    return dict_id if dict_id in dictionaries() else None


_local = threading.local()


def _compressor(dict_id: int | None, level: int) -> zstandard.ZstdCompressor:
    cache = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    key = (dict_id, level)
    if key not in cache:
        dictionary = dictionaries()[dict_id] if dict_id is not None else None
        cache[key] = zstandard.ZstdCompressor(level=level, dict_data=dictionary, write_checksum=True,
                                              write_content_size=True)
    return cache[key]


def compress(data: bytes, dict_id: int | None, *, level: int = LEVEL) -> bytes:
    """One zstd frame of ``data`` (with the dictionary ``dict_id``, or none)."""
    return _compressor(dict_id, level).compress(data)


_cache: OrderedDict[tuple[bytes, int | None], bytes] = OrderedDict()
_cache_size = 0
_cache_lock = threading.Lock()


def compress_answer(data: bytes, dict_id: int | None) -> bytes:
    """One zstd frame of an answer body at :data:`LEVEL`, made with the dictionary ``dict_id`` when the
    body is at most :data:`DICTIONARY_UP_TO` bytes and without one when larger. Bodies over
    :data:`CACHE_OVER` are cached (by digest) up to :data:`CACHE_BYTES`. Any thread."""
    used = dict_id if len(data) <= DICTIONARY_UP_TO else None
    if len(data) <= CACHE_OVER:
        return compress(data, used)
    global _cache_size
    key = (hashlib.blake2b(data, digest_size=20).digest(), used)
    with _cache_lock:
        frame = _cache.get(key)
        if frame is not None:
            _cache.move_to_end(key)
            return frame
    frame = compress(data, used)  # outside the lock: other threads go on meanwhile
    with _cache_lock:
        if key not in _cache and len(frame) <= CACHE_BYTES:
            _cache[key] = frame
            _cache_size += len(frame)
            while _cache_size > CACHE_BYTES:
                _, dropped = _cache.popitem(last=False)
                _cache_size -= len(dropped)
    return frame


def decompress(data: bytes, limit: int) -> bytes:
    """The bytes of one zstd body (one or more frames), read with the dictionary its frame names.

    Raises :class:`CompressionError` when it is damaged, cut short, made with a dictionary this side
    does not have, or unpacks to more than ``limit`` bytes.
    """
    try:
        params = zstandard.get_frame_parameters(data)
    except zstandard.ZstdError as exc:
        raise CompressionError(f"not a zstd frame ({exc})") from None
    dictionary = None
    if params.dict_id:
        dictionary = dictionaries().get(params.dict_id)
        if dictionary is None:
            raise CompressionError(f"made with the dictionary {params.dict_id}, which this side does not have")
    if params.content_size not in (zstandard.CONTENTSIZE_UNKNOWN,) and params.content_size > limit:
        raise TooLarge(f"unpacks to more than {limit} bytes")
    decompressor = zstandard.ZstdDecompressor(dict_data=dictionary)
    out = bytearray()
    try:
        reader = decompressor.decompressobj()
        view = memoryview(data)
        step = 4096  # a few KB of input unpack to at most tens of MB: the limit is checked between steps
        for start in range(0, len(data), step):
            out += reader.decompress(view[start:start + step])
            if len(out) > limit:
                raise TooLarge(f"unpacks to more than {limit} bytes")
        if not reader.eof:
            raise CompressionError("cut short")
        if reader.unused_data:
            raise CompressionError("bytes after the end of the frame")
    except zstandard.ZstdError as exc:
        raise CompressionError(f"damaged ({exc})") from None
    return bytes(out)
