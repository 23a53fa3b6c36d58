"""Slow salted hashes for PINs and staff passwords (scrypt, from the standard library)."""

from __future__ import annotations

import math

# RFC 7914 interactive parameters: about 50 ms and 16 MiB per hash.
_N, _R, _P = 2**14, 8, 1

# Guessing at a login screen. The first LOGIN_TRIES wrong passwords in a row cost only
# the slow hash; from then on each try must wait, doubling from LOGIN_WAIT_FIRST up to
# LOGIN_WAIT_MOST seconds. Counted per terminal (the machine and its OS account), never
# per account, and the same for names that do not exist: nobody can lock a colleague
# out from a login screen, and the answer tells nobody which names are real. A right
# password at the terminal, an admin's unlock, or LOGIN_WINDOW_MINUTES of quiet start
# the count again.
LOGIN_TRIES = 5
LOGIN_WAIT_FIRST = 5
LOGIN_WAIT_MOST = 60
LOGIN_WINDOW_MINUTES = 15


# hashlib, hmac and secrets are imported by the calls that hash: every command loads
# this module (to know whether anyone must log in), few of them hash anything.


def hash_secret(secret: str) -> str:
    import hashlib
    import secrets

    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str | None) -> bool:
    import hashlib
    import hmac

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


def login_wait(failures: int, seconds_since_last: float) -> int:
    """Seconds the terminal must still wait before its next try, after `failures` wrong
    passwords in a row, the last of them `seconds_since_last` ago."""
    if failures < LOGIN_TRIES:
        return 0
    wait: int = min(LOGIN_WAIT_FIRST * 2 ** (failures - LOGIN_TRIES), LOGIN_WAIT_MOST)
    return max(0, math.ceil(wait - seconds_since_last))
