"""Bans: borrowing, use and visit bans, and those of the annual clearance."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from ..clock import stamp


def add(conn: sqlite3.Connection, patron_id: int, ban_type: str, reason: str, *, starts_on: date, given_by: str | None,
        branch: str | None, now: datetime, written: bool = False, hearing_date: date | None = None,
        until: date | None = None, clearance: bool = False) -> int:
    cursor = conn.execute(
        """
        INSERT INTO bans (patron_id, type, reason, written, hearing_date, clearance, starts_on, until, given_by,
                          branch, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (patron_id, ban_type, reason, int(written), hearing_date.isoformat() if hearing_date else None,
         int(clearance), starts_on.isoformat(), until.isoformat() if until else None, given_by, branch, stamp(now)),
    )
    return int(cursor.lastrowid or 0)


def lift_all(conn: sqlite3.Connection, patron_id: int, reason: str, now: datetime) -> int:
    """Lift the patron's active bans; how many."""
    return conn.execute("UPDATE bans SET lifted_at = ?, lifted_reason = ? WHERE patron_id = ? AND lifted_at IS NULL",
                        (stamp(now), reason, patron_id)).rowcount


def has_clearance_ban(conn: sqlite3.Connection, patron_id: int) -> bool:
    return conn.execute("SELECT 1 FROM bans WHERE patron_id = ? AND clearance = 1 AND lifted_at IS NULL",
                        (patron_id,)).fetchone() is not None
