"""Password hashing and authentication tokens.

Passwords are hashed with scrypt (RFC 7914) and a random 16-byte salt per user;
the parameters are kept in the stored string so they can be raised later without
invalidating old hashes. Tokens are ``secrets.token_urlsafe(32)``; only their
SHA-256 digest is stored. Nothing here logs a password or a token.

Any thread may call these functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

# OWASP Password Storage Cheat Sheet (2023-): scrypt N=2^17, r=8, p=1 (128 MiB, about 0.3 s here).
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
_DKLEN = 32
# at most this many password hashes at once: 64 parallel sign-ins must not take 8 GiB
_HASHING = threading.BoundedSemaphore(4)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    """A self-describing scrypt hash: ``scrypt$n$r$p$salt$hash``.

    ``n`` (the CPU/memory cost) stays at its default outside tests, which lower it
    for throw-away users only.
    """
    salt = secrets.token_bytes(16)
    with _HASHING:
        digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P,
                                dklen=_DKLEN, maxmem=_maxmem(n, SCRYPT_R))
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``, compared in constant time."""
    try:
        algo, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if algo != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        if not (1 < int(n) <= 2**20 and 0 < int(r) <= 32 and 0 < int(p) <= 16):
            return False
        with _HASHING:
            digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                                    dklen=len(expected), maxmem=_maxmem(int(n), int(r)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def _maxmem(n: int, r: int) -> int:
    return 128 * n * r + 16 * 1024 * 1024


def needs_rehash(stored: str, *, n: int = SCRYPT_N) -> bool:
    """True when ``stored`` was made with weaker parameters than ``n`` (rehashed at the next sign-in)."""
    try:
        algo, cost, r, p, _salt, _digest = stored.split("$")
        return algo != "scrypt" or int(cost) < n or int(r) < SCRYPT_R or int(p) < SCRYPT_P
    except ValueError:
        return True


# A hash checked when the e-mail is unknown, so the answer takes as long either way.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def burn_time_like_a_login(password: str) -> None:
    verify_password(password, _DUMMY_HASH)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
