"""Identity codes (HETU) at rest: sealed, so a stolen database file or backup does not
reveal them.

Threat model. Protected: someone who gets the SQLite file or a backup of it (a lost
laptop, a leaked backup disk) learns no HETU — each is sealed with Fernet
(AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under a key that is
*not* in the database, and duplicates are found by a keyed HMAC digest, which is
useless without the key. Not protected: someone who can act as the desk's own OS
account (they can read the key file too) or read the running process's memory.

The key lives in the keys folder (TISKI_KEYS_DIR, else the user config directory's
tiski/keys), in a file named by the key id the database carries, readable by its
owner only (or by the register's group, when the register is shared: see
store/files.py). Back it up apart from the database: a restored database on another
machine needs its key file to show or check identity codes (everything else works).
The audit key (store/chain.py) lives beside it, the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sqlite3
from pathlib import Path

from ..core.errors import invalid
from ..settings import keys_dir
from .files import Sharing, create_file, make_folder, sharing

SETTING = "hetu_key_id"


_read: dict[Path, bytes] = {}  # key files this process has read (the audit key: at every write)


def register_key(conn: sqlite3.Connection, setting: str, *, create: bool, what: str = "hetu_key") -> bytes:
    """The 64-byte secret whose id the register keeps under `setting`, made on first
    need when `create` (its id goes into the open transaction). Refuses, naming the
    file, when the key is not there: `what` names the message."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (setting,)).fetchone()
    if row is None:
        if not create:
            raise invalid(what, path=str(keys_dir()))
        import secrets  # (and random): only when a register makes its key, not every audited call

        key_id, secret = secrets.token_hex(8), secrets.token_bytes(64)
        _write_key(key_id, secret, sharing(conn))
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (setting, key_id))
        return secret
    path = keys_dir() / f"{row[0]}.key"
    if path not in _read:
        try:
            secret = base64.b64decode(path.read_bytes())
        except (OSError, ValueError):
            raise invalid(what, path=str(path)) from None
        if len(secret) != 64:
            raise invalid(what, path=str(path))
        _read[path] = secret
    return _read[path]


class HetuVault:
    def __init__(self, secret: bytes):
        from cryptography.fernet import Fernet

        self._fernet = Fernet(base64.urlsafe_b64encode(secret[:32]))
        self._mac_key = secret[32:]

    @classmethod
    def of(cls, conn: sqlite3.Connection, create: bool = False) -> "HetuVault":
        """The vault of this database: its key, made on first need when `create`."""
        return cls(register_key(conn, SETTING, create=create))

    def seal(self, hetu: str) -> str:
        return self._fernet.encrypt(hetu.encode()).decode()

    def open(self, token: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise invalid("hetu_key", path=str(keys_dir())) from None

    def digest(self, hetu: str) -> str:
        """Equal for equal codes, so the register can refuse a second registration."""
        return hmac.new(self._mac_key, hetu.encode(), hashlib.sha256).hexdigest()


def _write_key(key_id: str, secret: bytes, how: Sharing) -> None:
    folder = keys_dir()
    make_folder(folder, how)
    with os.fdopen(create_file(folder / f"{key_id}.key", how, mode=how.key_mode), "wb") as handle:
        handle.write(base64.b64encode(secret))
