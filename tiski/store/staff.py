"""Staff accounts: who may log in, with which role, mapped to which Unix user."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..clock import stamp


@dataclass(frozen=True)
class StaffAccount:
    username: str
    name: str | None
    role: str
    unix_user: str | None
    created_at: str
    disabled_at: str | None
    can_log_in: bool


@dataclass(frozen=True)
class Credentials:
    """What a login is checked against (an active account only)."""

    username: str
    password_hash: str | None
    token_hash: str | None


def any_accounts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is not None


def role_of(conn: sqlite3.Connection, username: str) -> str | None:
    """The role of an active account; None for an unknown or disabled one."""
    row = conn.execute("SELECT role FROM staff WHERE username = ? AND disabled_at IS NULL", (username,)).fetchone()
    return row[0] if row else None


def exists(conn: sqlite3.Connection, username: str) -> bool:
    return conn.execute("SELECT 1 FROM staff WHERE username = ?", (username,)).fetchone() is not None


def unix_user_taken(conn: sqlite3.Connection, unix_user: str) -> bool:
    return conn.execute("SELECT 1 FROM staff WHERE unix_user = ?", (unix_user,)).fetchone() is not None


def by_unix_user(conn: sqlite3.Connection, unix_user: str) -> str | None:
    """The active account mapped to a Unix user."""
    row = conn.execute("SELECT username FROM staff WHERE unix_user = ? AND disabled_at IS NULL",
                       (unix_user,)).fetchone()
    return row[0] if row else None


def credentials(conn: sqlite3.Connection, username: str) -> Credentials | None:
    row = conn.execute("SELECT username, password_hash, token_hash FROM staff WHERE username = ?"
                       " AND disabled_at IS NULL", (username,)).fetchone()
    return Credentials(row[0], row[1], row[2]) if row else None


def add(conn: sqlite3.Connection, username: str, name: str | None, role: str, password_hash: str | None,
        unix_user: str | None, now: datetime) -> None:
    conn.execute(
        "INSERT INTO staff (username, name, role, password_hash, unix_user, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (username, name, role, password_hash, unix_user, stamp(now)),
    )


def accounts(conn: sqlite3.Connection) -> list[StaffAccount]:
    return [StaffAccount(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in conn.execute(
        "SELECT username, name, role, unix_user, created_at, disabled_at, password_hash IS NOT NULL"
        " FROM staff ORDER BY username")]


def set_password(conn: sqlite3.Connection, username: str, password_hash: str) -> bool:
    return conn.execute("UPDATE staff SET password_hash = ? WHERE username = ?",
                        (password_hash, username)).rowcount > 0


def set_token(conn: sqlite3.Connection, username: str, token_hash: str) -> bool:
    return conn.execute("UPDATE staff SET token_hash = ? WHERE username = ? AND disabled_at IS NULL",
                        (token_hash, username)).rowcount > 0


def disable(conn: sqlite3.Connection, username: str, now: datetime) -> bool:
    return conn.execute("UPDATE staff SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL",
                        (stamp(now), username)).rowcount > 0
