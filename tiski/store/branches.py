"""Branches and their calendars."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time

from ..clock import stamp
from ..core.calendar import BranchCalendar, parse_weekdays


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    closes: str  # HH:MM: loans due that day end then
    closed_weekdays: str  # e.g. 'sat,sun'


@dataclass(frozen=True)
class Closure:
    """An exceptional closure (a holiday)."""

    day: date
    reason: str


_BRANCH = "SELECT code, name, closes, closed_weekdays FROM branches "


def default_branch(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT code FROM branches ORDER BY created_at, rowid LIMIT 1").fetchone()
    return str(row[0]) if row else None


def get(conn: sqlite3.Connection, code: str) -> Branch | None:
    row = conn.execute(_BRANCH + "WHERE code = ?", (code,)).fetchone()
    return Branch(*row) if row else None


def all_branches(conn: sqlite3.Connection) -> list[Branch]:
    """In the order they were created (the first is the default)."""
    return [Branch(*row) for row in conn.execute(_BRANCH + "ORDER BY created_at, rowid")]


def calendar(conn: sqlite3.Connection, code: str, from_day: date) -> BranchCalendar:
    """The branch's calendar from `from_day` on (past closures are not needed)."""
    branch = get(conn, code)
    if branch is None:
        raise LookupError(code)
    return BranchCalendar(
        code=code,
        closes=time.fromisoformat(branch.closes),
        closed_weekdays=parse_weekdays(branch.closed_weekdays),
        closures=frozenset(closure.day for closure in closures(conn, code, from_day)),
    )


def closures(conn: sqlite3.Connection, code: str, from_day: date | None = None) -> list[Closure]:
    rows = conn.execute(
        "SELECT day, reason FROM branch_closures WHERE branch = ? AND day >= ? ORDER BY day",
        (code, (from_day or date.min).isoformat()),
    ).fetchall()
    return [Closure(date.fromisoformat(r[0]), r[1]) for r in rows]


def add(conn: sqlite3.Connection, code: str, name: str, closes: str, closed_weekdays: str, now: datetime) -> None:
    conn.execute("INSERT INTO branches (code, name, closes, closed_weekdays, created_at) VALUES (?, ?, ?, ?, ?)",
                 (code, name, closes, closed_weekdays, stamp(now)))


def close_days(conn: sqlite3.Connection, code: str, days: list[tuple[date, str]]) -> None:
    """Exceptional closures (a day closed twice keeps the newer reason)."""
    conn.executemany("INSERT OR REPLACE INTO branch_closures (branch, day, reason) VALUES (?, ?, ?)",
                     [(code, day.isoformat(), reason) for day, reason in days])
