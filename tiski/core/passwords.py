"""Slow salted hashes for PINs and staff passwords (scrypt, from the standard library)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# RFC 7914 interactive parameters: about 50 ms and 16 MiB per hash.
_N, _R, _P = 2**14, 8, 1

# Guessing at a shared desk: after this many wrong passwords in a row, the account
# waits this long (a right password does not open it sooner).
LOGIN_TRIES = 5
LOGIN_PAUSE_MINUTES = 15


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
    )
    return hmac.compare_digest(candidate.hex(), digest)
