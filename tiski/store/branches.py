"""Branches and their calendars."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time

from ..clock import stamp
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


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    closes: str
    closed_weekdays: str


def branches(conn: sqlite3.Connection) -> list[Branch]:
    return [Branch(r["code"], r["name"], r["closes"], r["closed_weekdays"]) for r in all_branches(conn)]


def add(conn: sqlite3.Connection, code: str, name: str, closes: str, closed_weekdays: str, now: datetime) -> None:
    conn.execute("INSERT INTO branches (code, name, closes, closed_weekdays, created_at) VALUES (?, ?, ?, ?, ?)",
                 (code, name, closes, closed_weekdays, stamp(now)))


def close_days(conn: sqlite3.Connection, code: str, days: list[tuple[date, str]]) -> None:
    """Exceptional closures (a day closed twice keeps the newer reason)."""
    conn.executemany("INSERT OR REPLACE INTO branch_closures (branch, day, reason) VALUES (?, ?, ?)",
                     [(code, day.isoformat(), reason) for day, reason in days])
