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
owner only. Back it up apart from the database: a restored database on another
machine needs its key file to show or check identity codes (everything else works).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sqlite3
from pathlib import Path

from ..core.errors import invalid

SETTING = "hetu_key_id"


def keys_dir() -> Path:
    configured = os.environ.get("TISKI_KEYS_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_config_dir

    return Path(user_config_dir("tiski", appauthor=False)) / "keys"


class HetuVault:
    def __init__(self, secret: bytes):
        from cryptography.fernet import Fernet

        self._fernet = Fernet(base64.urlsafe_b64encode(secret[:32]))
        self._mac_key = secret[32:]

    @classmethod
    def of(cls, conn: sqlite3.Connection, create: bool = False) -> "HetuVault":
        """The vault of this database: its key, made on first need when `create`."""
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
        if row is None:
            if not create:
                raise invalid("hetu_key", path=str(keys_dir()))
            key_id = secrets.token_hex(8)
            _write_key(key_id, secrets.token_bytes(64))
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (SETTING, key_id))
        else:
            key_id = row[0]
        path = keys_dir() / f"{key_id}.key"
        try:
            secret = base64.b64decode(path.read_bytes())
        except (OSError, ValueError):
            raise invalid("hetu_key", path=str(path)) from None
        if len(secret) != 64:
            raise invalid("hetu_key", path=str(path))
        return cls(secret)

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


def _write_key(key_id: str, secret: bytes) -> None:
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / f"{key_id}.key"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(secret))
