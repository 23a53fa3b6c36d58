"""Self-service machine accounts, their logins, and wrong PINs typed at the machines."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..clock import HELSINKI, stamp
from ..core.automat import Machine

_MACHINE = """
SELECT a.name, a.branch, a.encoding, a.terminator, a.error_detect, a.fees_at_machine, a.language
FROM sip2_accounts a JOIN staff s ON s.username = a.name
"""


@dataclass(frozen=True)
class PinRecord:
    """What a PIN check needs of a card: whose it is, whether it is open, the PIN's hash."""

    patron_id: int
    card_status: str
    pin_hash: str | None


def _machine(row: sqlite3.Row) -> Machine:
    return Machine(
        name=row["name"],
        branch=row["branch"],
        encoding=row["encoding"],
        terminator=row["terminator"],
        error_detect=bool(row["error_detect"]),
        fees_at_machine=bool(row["fees_at_machine"]),
        language=row["language"],
    )


def staff_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM staff WHERE username = ?", (name,)).fetchone() is not None


def has_admin(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM staff WHERE role = 'admin' LIMIT 1").fetchone() is not None


def add_machine(conn: sqlite3.Connection, machine: Machine, password_hash: str, now: datetime) -> None:
    """The machine as a staff account of its own (role 'automat', no desk password) and
    its wire settings."""
    conn.execute(
        "INSERT INTO staff (username, name, role, password_hash, created_at) VALUES (?, ?, 'automat', NULL, ?)",
        (machine.name, machine.name, stamp(now)),
    )
    conn.execute(
        "INSERT INTO sip2_accounts (name, branch, password_hash, encoding, terminator, error_detect,"
        " fees_at_machine, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (machine.name, machine.branch, password_hash, machine.encoding, machine.terminator,
         int(machine.error_detect), int(machine.fees_at_machine), machine.language, stamp(now)),
    )


def machine(conn: sqlite3.Connection, name: str) -> Machine | None:
    """An enabled machine account by name."""
    row = conn.execute(_MACHINE + " WHERE a.name = ? AND s.disabled_at IS NULL", (name,)).fetchone()
    return _machine(row) if row else None


def machines(conn: sqlite3.Connection) -> list[tuple[Machine, bool]]:
    """Every machine account, with whether it is disabled."""
    rows = conn.execute(_MACHINE.replace("SELECT", "SELECT s.disabled_at IS NOT NULL AS disabled,", 1)
                        + " ORDER BY a.name").fetchall()
    return [(_machine(row), bool(row["disabled"])) for row in rows]


def password_hash(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute(
        "SELECT a.password_hash FROM sip2_accounts a JOIN staff s ON s.username = a.name"
        " WHERE a.name = ? AND s.disabled_at IS NULL",
        (name,),
    ).fetchone()
    return row[0] if row else None


def log_session(conn: sqlite3.Connection, at: datetime, machine: str, branch: str | None, action: str) -> None:
    """A machine's login, right or wrong, in the audit trail (kind 'session', like the staff's)."""
    conn.execute(
        "INSERT INTO audit_log (at, staff, branch, action, kind) VALUES (?, ?, ?, ?, 'session')",
        (stamp(at), machine, branch, action),
    )


def failed_logins(conn: sqlite3.Connection, machine: str) -> list[datetime]:
    """The machine's wrong passwords since its last right one."""
    rows = conn.execute(
        """
        SELECT at FROM audit_log
        WHERE kind = 'session' AND staff = ? AND action = 'sip2_login_failed'
          AND id > COALESCE((SELECT MAX(id) FROM audit_log
                             WHERE kind = 'session' AND staff = ? AND action = 'sip2_login'), 0)
        """,
        (machine, machine),
    ).fetchall()
    return [_moment(row[0]) for row in rows]


def pin_record(conn: sqlite3.Connection, card: str) -> PinRecord | None:
    row = conn.execute(
        "SELECT c.patron_id, c.status, p.pin_hash FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.card = ?",
        (card,),
    ).fetchone()
    return PinRecord(row[0], row[1], row[2]) if row else None


def pin_failures(conn: sqlite3.Connection, patron_id: int) -> list[datetime]:
    rows = conn.execute("SELECT at FROM pin_failures WHERE patron_id = ? ORDER BY at", (patron_id,)).fetchall()
    return [_moment(row[0]) for row in rows]


def add_pin_failure(conn: sqlite3.Connection, patron_id: int, machine: str | None, at: datetime) -> None:
    conn.execute(
        "INSERT INTO pin_failures (patron_id, machine, at) VALUES (?, ?, ?)", (patron_id, machine or "", stamp(at))
    )


def clear_pin_failures(conn: sqlite3.Connection, patron_id: int) -> None:
    conn.execute("DELETE FROM pin_failures WHERE patron_id = ?", (patron_id,))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(HELSINKI)
