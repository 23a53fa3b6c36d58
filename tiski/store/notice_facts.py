"""What the notices are about: the patrons' loans grouped by due date (one reminder
covers every loan of a patron due the same day), an invoice's loans, and the
replacement charge a billed loan carries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from ..clock import stamp


@dataclass(frozen=True)
class DueGroup:
    """A patron's active loans due on one day."""

    patron_id: int
    due_date: date
    branch: str  # where the first of them was lent: the library the reminder comes from


@dataclass(frozen=True)
class GroupLoan:
    loan_id: int
    item_id: int
    barcode: str
    title: str
    price_cents: int | None
    format: str
    home_branch: str  # the owning library: it invoices (seed 004)


# Loans a notice may speak of: ordinary ones (a book bag's are delivered and fetched),
# made with a card that was not lost, not invoiced yet, and not claimed returned (the
# copy is being searched for: found, it is returned; not found, it is lost — issue 12).
_OWED = ("l.returned_at IS NULL AND l.kind = 'normal' AND l.lost_card = 0 AND l.billed_at IS NULL"
         " AND l.claims_returned_at IS NULL")


def due_groups(conn: sqlite3.Connection, first: date, last: date) -> list[DueGroup]:
    """Patrons with loans due from `first` to `last`, one row per patron and due day."""
    rows = conn.execute(
        f"SELECT l.patron_id, l.due_date, MIN(l.branch) FROM loans l WHERE {_OWED}"
        " AND l.patron_id IS NOT NULL AND l.due_date BETWEEN ? AND ?"
        " GROUP BY l.patron_id, l.due_date ORDER BY l.due_date, l.patron_id",
        (first.isoformat(), last.isoformat())).fetchall()
    return [DueGroup(r[0], date.fromisoformat(r[1]), r[2]) for r in rows]


def patron_groups(conn: sqlite3.Connection, patron_id: int) -> list[DueGroup]:
    """The patron's loans still out, one row per due day, the earliest first."""
    rows = conn.execute(
        f"SELECT l.patron_id, l.due_date, MIN(l.branch) FROM loans l WHERE {_OWED} AND l.patron_id = ?"
        " GROUP BY l.due_date ORDER BY l.due_date", (patron_id,)).fetchall()
    return [DueGroup(r[0], date.fromisoformat(r[1]), r[2]) for r in rows]


def group_loans(conn: sqlite3.Connection, patron_id: int, due: date, owner: str | None = None) -> list[GroupLoan]:
    """The patron's loans still out that fell due on `due` (those `owner` owns)."""
    rows = conn.execute(
        f"SELECT l.id, i.id, i.barcode, r.title, i.price_cents, i.format, i.home_branch"
        f" FROM loans l JOIN items i ON i.id = l.item_id JOIN records r ON r.id = i.record_id"
        f" WHERE l.patron_id = ? AND l.due_date = ? AND {_OWED} AND (? IS NULL OR i.home_branch = ?)"
        f" ORDER BY r.title, i.barcode",
        (patron_id, due.isoformat(), owner, owner)).fetchall()
    return [GroupLoan(*r) for r in rows]


def mark_billed(conn: sqlite3.Connection, loan_id: int, now: datetime) -> None:
    conn.execute("UPDATE loans SET billed_at = ? WHERE id = ?", (stamp(now), loan_id))


@dataclass(frozen=True)
class Replacement:
    """The replacement price charged when a loan was invoiced."""

    charge_id: int
    patron_id: int
    amount_cents: int
    open_cents: int
    item_id: int | None


def billed_replacement(conn: sqlite3.Connection, loan_id: int) -> Replacement | None:
    """The invoiced replacement of a billed loan, while nothing has refunded it (paid or
    not: a paid one is given back too)."""
    row = conn.execute(
        "SELECT f.id, f.patron_id, f.amount_cents,"
        " f.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM fee_settlements WHERE charge_id = f.id), 0),"
        " f.item_id"
        " FROM fees f JOIN loans l ON l.id = f.loan_id"
        " WHERE f.loan_id = ? AND f.entry = 'charge' AND f.charge_type = 'replacement' AND l.billed_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM fees r WHERE r.refund_of = f.id)"
        " ORDER BY f.id LIMIT 1", (loan_id,)).fetchone()
    return Replacement(*row) if row else None
