"""The fee ledger (insert only) and its settlements."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..clock import stamp
from ..core.fees import OpenCharge


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    at: datetime
    entry: str  # charge | payment | waiver | refund (a credit giving a charge back)
    charge_type: str | None
    amount_cents: int
    open_cents: int | None  # what is left to pay of a charge
    reason: str | None
    barcode: str | None
    title: str | None
    method: str | None = None  # cash | card | other: how it was paid (or paid back)


@dataclass(frozen=True)
class Settled:
    """What a payment settled of one charge."""

    charge_id: int
    charge_type: str | None
    reason: str | None
    barcode: str | None
    title: str | None
    amount_cents: int


@dataclass(frozen=True)
class Debt:
    patron_id: int
    balance_cents: int


def add_entry(
    conn: sqlite3.Connection,
    patron_id: int,
    entry: str,
    amount_cents: int,
    now: datetime,
    *,
    charge_type: str | None = None,
    reason: str | None = None,
    item_id: int | None = None,
    loan_id: int | None = None,
    hold_id: int | None = None,
    ill_id: int | None = None,
    branch: str | None = None,
    staff: str | None = None,
    method: str | None = None,
    refund_of: int | None = None,
) -> int:
    """One row of the ledger. `method`: how a payment was taken (or a refund paid back);
    `refund_of`: the charge a refund credit gives back."""
    return int(conn.execute(
        """
        INSERT INTO fees (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id,
                          hold_id, ill_id, branch, staff, at, method, refund_of)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id, hold_id, ill_id, branch, staff,
         stamp(now), method, refund_of),
    ).lastrowid or 0)


def open_charges(conn: sqlite3.Connection, patron_id: int) -> list[OpenCharge]:
    """Charges with something left to pay, oldest first (the ledger's own order)."""
    rows = conn.execute(
        """
        SELECT f.id, f.amount_cents - COALESCE(SUM(s.amount_cents), 0) AS open_cents
        FROM fees f LEFT JOIN fee_settlements s ON s.charge_id = f.id
        WHERE f.patron_id = ? AND f.entry = 'charge'
        GROUP BY f.id HAVING open_cents > 0
        ORDER BY f.id
        """,
        (patron_id,),
    ).fetchall()
    return [OpenCharge(r[0], r[1]) for r in rows]


def settle(conn: sqlite3.Connection, credit_id: int, parts: list[tuple[int, int]]) -> None:
    conn.executemany(
        "INSERT INTO fee_settlements (credit_id, charge_id, amount_cents) VALUES (?, ?, ?)",
        [(credit_id, charge_id, cents) for charge_id, cents in parts],
    )


def ledger(conn: sqlite3.Connection, patron_id: int) -> list[LedgerEntry]:
    """The patron's ledger in the order it was written."""
    rows = conn.execute(
        """
        SELECT f.id, f.at, CASE WHEN f.refund_of IS NOT NULL THEN 'refund' ELSE f.entry END, f.charge_type,
               f.amount_cents,
               CASE f.entry WHEN 'charge'
                    THEN f.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM fee_settlements
                                                   WHERE charge_id = f.id), 0)
               END AS open_cents,
               f.reason, i.barcode, r.title, f.method
        FROM fees f LEFT JOIN items i ON i.id = f.item_id LEFT JOIN records r ON r.id = i.record_id
        WHERE f.patron_id = ? ORDER BY f.id
        """,
        (patron_id,),
    ).fetchall()
    return [LedgerEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
            for r in rows]


def patrons_in_debt(conn: sqlite3.Connection) -> list[Debt]:
    rows = conn.execute(
        """
        SELECT patron_id, SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END) AS balance
        FROM fees GROUP BY patron_id HAVING balance > 0 ORDER BY patron_id
        """
    ).fetchall()
    return [Debt(r[0], r[1]) for r in rows]


def settled_by(conn: sqlite3.Connection, credit_id: int) -> list[Settled]:
    """The charges a payment (or waiver) settled, and how much of each."""
    rows = conn.execute(
        """
        SELECT c.id, c.charge_type, c.reason, i.barcode, r.title, s.amount_cents
        FROM fee_settlements s JOIN fees c ON c.id = s.charge_id
        LEFT JOIN items i ON i.id = c.item_id LEFT JOIN records r ON r.id = i.record_id
        WHERE s.credit_id = ? ORDER BY c.id
        """,
        (credit_id,),
    ).fetchall()
    return [Settled(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


@dataclass(frozen=True)
class OpenLoss:
    """The charges of the latest loss of a copy that nothing has given back yet."""

    patron_id: int
    loan_id: int | None
    charges: list[tuple[int, str, int, int]]  # (charge id, charge type, amount, open)


def unrefunded_loss(conn: sqlite3.Connection, item_id: int) -> OpenLoss | None:
    """The copy's latest replacement charge not yet refunded, with the processing fee and
    late fee of the same loan (the loss closed it)."""
    lost = conn.execute(
        "SELECT id, patron_id, loan_id FROM fees f WHERE item_id = ? AND entry = 'charge' AND charge_type = 'lost'"
        " AND NOT EXISTS (SELECT 1 FROM fees r WHERE r.refund_of = f.id) ORDER BY id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    if lost is None:
        return None
    rows = conn.execute(
        """
        SELECT f.id, f.charge_type, f.amount_cents,
               f.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM fee_settlements WHERE charge_id = f.id), 0)
        FROM fees f
        WHERE f.entry = 'charge' AND f.patron_id = ? AND (f.id = ? OR (f.loan_id = ? AND f.item_id = ?
              AND f.charge_type IN ('processing', 'late')))
          AND NOT EXISTS (SELECT 1 FROM fees r WHERE r.refund_of = f.id)
        ORDER BY f.id
        """,
        (lost[1], lost[0], lost[2], item_id),
    ).fetchall()
    return OpenLoss(lost[1], lost[2], [(r[0], r[1], r[2], r[3]) for r in rows])


def payments_toward(conn: sqlite3.Connection, charge_id: int) -> list[tuple[str, int]]:
    """What payments settled of a charge, by method, largest first (a waiver or another
    credit settles it without money: nothing of that is ever paid back)."""
    rows = conn.execute(
        "SELECT f.method, SUM(s.amount_cents) FROM fee_settlements s JOIN fees f ON f.id = s.credit_id"
        " WHERE s.charge_id = ? AND f.entry = 'payment' GROUP BY f.method ORDER BY SUM(s.amount_cents) DESC, f.method",
        (charge_id,),
    ).fetchall()
    return [(row[0] or "cash", int(row[1])) for row in rows]


def takings(conn: sqlite3.Connection, day: date, branch: str | None) -> list[tuple[str, str, int]]:
    """(entry, method, cents) of the day's payments and refunds paid back, at a branch or all."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    rows = conn.execute(
        "SELECT entry, method, amount_cents FROM fees WHERE method IS NOT NULL AND at >= ? AND at < ?"
        " AND (? IS NULL OR branch = ?)",
        (start, end, branch, branch),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]
