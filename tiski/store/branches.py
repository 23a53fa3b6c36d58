"""Branches and their calendars."""

from __future__ import annotations

import sqlite3
from datetime import date, time

from ..core.calendar import BranchCalendar, parse_weekdays


def default_branch(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT code FROM branches ORDER BY created_at, rowid LIMIT 1").fetchone()
    return row[0] if row else None


def get(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM branches WHERE code = ?", (code,)).fetchone()


def all_branches(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM branches ORDER BY created_at, rowid").fetchall()


def calendar(conn: sqlite3.Connection, code: str, from_day: date) -> BranchCalendar:
    """The branch's calendar from `from_day` on (past closures are not needed)."""
    row = get(conn, code)
    closures = conn.execute(
        "SELECT day FROM branch_closures WHERE branch = ? AND day >= ?", (code, from_day.isoformat())
    ).fetchall()
    return BranchCalendar(
        code=code,
        closes=time.fromisoformat(row["closes"]),
        closed_weekdays=parse_weekdays(row["closed_weekdays"]),
        closures=frozenset(date.fromisoformat(r[0]) for r in closures),
    )


def closures(conn: sqlite3.Connection, code: str, from_day: date | None = None) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT day, reason FROM branch_closures WHERE branch = ? AND day >= ? ORDER BY day",
        (code, (from_day or date.min).isoformat()),
    ).fetchall()
