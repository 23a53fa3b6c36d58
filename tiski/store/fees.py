"""The fee ledger (insert only) and its settlements."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..clock import stamp
from ..core.fees import OpenCharge


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    at: datetime
    entry: str  # charge | payment | waiver
    charge_type: str | None
    amount_cents: int
    open_cents: int | None  # what is left to pay of a charge
    reason: str | None
    barcode: str | None
    title: str | None


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
) -> int:
    return int(conn.execute(
        """
        INSERT INTO fees (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id,
                          hold_id, ill_id, branch, staff, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id, hold_id, ill_id, branch, staff, stamp(now)),
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
        SELECT f.id, f.at, f.entry, f.charge_type, f.amount_cents,
               CASE f.entry WHEN 'charge'
                    THEN f.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM fee_settlements
                                                   WHERE charge_id = f.id), 0)
               END AS open_cents,
               f.reason, i.barcode, r.title
        FROM fees f LEFT JOIN items i ON i.id = f.item_id LEFT JOIN records r ON r.id = i.record_id
        WHERE f.patron_id = ? ORDER BY f.id
        """,
        (patron_id,),
    ).fetchall()
    return [LedgerEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]


def patrons_in_debt(conn: sqlite3.Connection) -> list[Debt]:
    rows = conn.execute(
        """
        SELECT patron_id, SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END) AS balance
        FROM fees GROUP BY patron_id HAVING balance > 0 ORDER BY patron_id
        """
    ).fetchall()
    return [Debt(r[0], r[1]) for r in rows]
