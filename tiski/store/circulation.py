"""Loans, notices and overrides."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from ..clock import stamp
from .values import moment


@dataclass(frozen=True)
class LoanRecord:
    id: int
    item_id: int
    patron_id: int | None  # None once returned: a returned loan forgets its patron
    card: str  # the card presented
    kind: str  # normal | kirjakassi
    branch: str
    loaned_at: datetime
    due_date: date
    due_at: datetime  # the due date at the branch's closing time
    renewals: int
    lost_card: bool  # made with a card after it was reported lost: no late fees
    claims_returned_at: datetime | None = None  # the patron says it came back: accrues nothing from then


@dataclass(frozen=True)
class PatronLoan:
    """One of a patron's active loans, as the desk lists them."""

    id: int
    barcode: str
    title: str
    author: str | None
    format: str
    due_date: date
    due_at: datetime
    renewals: int
    lost_card: bool
    claims_returned: bool = False


@dataclass(frozen=True)
class LoanFacts:
    """What the rules need of each active loan: limits per format, overdue days."""

    format: str
    due_date: date
    due_at: datetime
    lost_card: bool


_LOAN = ("SELECT id, item_id, patron_id, card, kind, branch, loaned_at, due_date, due_at, renewals, lost_card,"
         " claims_returned_at FROM loans ")


def _loan(row: sqlite3.Row | None) -> LoanRecord | None:
    if row is None:
        return None
    return LoanRecord(row[0], row[1], row[2], row[3], row[4], row[5], datetime.fromisoformat(row[6]),
                      date.fromisoformat(row[7]), datetime.fromisoformat(row[8]), row[9], bool(row[10]),
                      moment(row[11]))


def active_loan(conn: sqlite3.Connection, item_id: int) -> LoanRecord | None:
    return _loan(conn.execute(_LOAN + "WHERE item_id = ? AND returned_at IS NULL", (item_id,)).fetchone())


def loan_patron(conn: sqlite3.Connection, barcode: str) -> int | None:
    """Who has the copy with this barcode on loan now, if anyone."""
    row = conn.execute(
        "SELECT l.patron_id FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE i.barcode = ? AND l.returned_at IS NULL", (barcode,)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def insert_loan(conn: sqlite3.Connection, *, item_id: int, patron_id: int, card: str, kind: str, branch: str,
                loaned_at: datetime, due_date: date, due_at: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO loans (item_id, patron_id, card, kind, branch, loaned_at, due_date, due_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, patron_id, card, kind, branch, stamp(loaned_at), due_date.isoformat(), stamp(due_at)),
    )
    return int(cursor.lastrowid or 0)


def close_loan(conn: sqlite3.Connection, loan_id: int, now: datetime, branch: str, counted_on: date) -> None:
    """The loan ends, counted from `counted_on` (a drop-box day). Privacy by default:
    what someone borrowed is not kept once it is back, so the loan forgets its patron."""
    conn.execute(
        "UPDATE loans SET returned_at = ?, returned_branch = ?, returned_on = ?, patron_id = NULL, card = ''"
        " WHERE id = ?",
        (stamp(now), branch, counted_on.isoformat(), loan_id),
    )


def renew_loan(conn: sqlite3.Connection, loan_id: int, due_date: date, due_at: datetime) -> None:
    conn.execute(
        "UPDATE loans SET renewals = renewals + 1, due_date = ?, due_at = ? WHERE id = ?",
        (due_date.isoformat(), stamp(due_at), loan_id),
    )


def flag_claims_returned(conn: sqlite3.Connection, loan_id: int, now: datetime) -> None:
    conn.execute("UPDATE loans SET claims_returned_at = ? WHERE id = ?", (stamp(now), loan_id))


def flag_lost_card_loans(conn: sqlite3.Connection, card: str, since: datetime) -> None:
    """Loans made with a card from the moment it was reported lost: the patron is not liable."""
    conn.execute(
        "UPDATE loans SET lost_card = 1 WHERE card = ? AND julianday(loaned_at) >= julianday(?)",
        (card, stamp(since)),
    )


def late_fees_charged(conn: sqlite3.Connection, loan_id: int) -> int:
    return int(conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM fees WHERE loan_id = ? AND entry = 'charge' AND charge_type = 'late'",
        (loan_id,),
    ).fetchone()[0])


def patron_loans(conn: sqlite3.Connection, patron_id: int) -> list[PatronLoan]:
    rows = conn.execute(
        """
        SELECT l.id, i.barcode, r.title, r.author, i.format, l.due_date, l.due_at, l.renewals, l.lost_card,
               l.claims_returned_at IS NOT NULL
        FROM loans l JOIN items i ON i.id = l.item_id JOIN records r ON r.id = i.record_id
        WHERE l.patron_id = ? AND l.returned_at IS NULL
        ORDER BY l.due_date, l.id
        """,
        (patron_id,),
    ).fetchall()
    return [PatronLoan(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), datetime.fromisoformat(r[6]), r[7],
                       bool(r[8]), bool(r[9])) for r in rows]


def loan_facts(conn: sqlite3.Connection, patron_id: int) -> list[LoanFacts]:
    """The loans that count for the limits and the overdue block: a loan the patron says
    was returned blocks nothing while it is searched for."""
    rows = conn.execute(
        "SELECT i.format, l.due_date, l.due_at, l.lost_card FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE l.patron_id = ? AND l.returned_at IS NULL AND l.claims_returned_at IS NULL",
        (patron_id,),
    ).fetchall()
    return [LoanFacts(r[0], date.fromisoformat(r[1]), datetime.fromisoformat(r[2]), bool(r[3])) for r in rows]


def patron_loan_for_record(conn: sqlite3.Connection, patron_id: int, record_id: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM loans l JOIN items i ON i.id = l.item_id"
            " WHERE l.patron_id = ? AND l.returned_at IS NULL AND i.record_id = ? LIMIT 1",
            (patron_id, record_id),
        ).fetchone()
        is not None
    )


# --- overrides ----------------------------------------------------------------------------

def add_override(conn: sqlite3.Connection, *, at: datetime, branch: str, staff: str | None, patron_id: int,
                 item_id: int, loan_id: int, code: str, reason: str) -> None:
    """A confirmable blocker staff overrode, with their reason."""
    conn.execute(
        "INSERT INTO overrides (at, branch, staff, patron_id, item_id, loan_id, code, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (stamp(at), branch, staff, patron_id, item_id, loan_id, code, reason),
    )
