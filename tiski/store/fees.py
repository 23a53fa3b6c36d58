"""The fee ledger (insert only) and its settlements."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import stamp
from ..core.fees import OpenCharge


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
    return conn.execute(
        """
        INSERT INTO fees (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id,
                          hold_id, ill_id, branch, staff, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (patron_id, entry, charge_type, amount_cents, reason, item_id, loan_id, hold_id, ill_id, branch, staff, stamp(now)),
    ).lastrowid


def open_charges(conn: sqlite3.Connection, patron_id: int) -> list[OpenCharge]:
    """Charges with something left to pay, oldest first."""
    rows = conn.execute(
        """
        SELECT f.id, f.amount_cents - COALESCE(SUM(s.amount_cents), 0) AS open_cents
        FROM fees f LEFT JOIN fee_settlements s ON s.charge_id = f.id
        WHERE f.patron_id = ? AND f.entry = 'charge'
        GROUP BY f.id HAVING open_cents > 0
        ORDER BY julianday(f.at), f.id
        """,
        (patron_id,),
    ).fetchall()
    return [OpenCharge(r[0], r[1]) for r in rows]


def settle(conn: sqlite3.Connection, credit_id: int, parts: list[tuple[int, int]]) -> None:
    conn.executemany(
        "INSERT INTO fee_settlements (credit_id, charge_id, amount_cents) VALUES (?, ?, ?)",
        [(credit_id, charge_id, cents) for charge_id, cents in parts],
    )


def ledger(conn: sqlite3.Connection, patron_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT f.*, i.barcode, r.title,
               CASE f.entry WHEN 'charge'
                    THEN f.amount_cents - COALESCE((SELECT SUM(amount_cents) FROM fee_settlements
                                                   WHERE charge_id = f.id), 0)
               END AS open_cents
        FROM fees f LEFT JOIN items i ON i.id = f.item_id LEFT JOIN records r ON r.id = i.record_id
        WHERE f.patron_id = ? ORDER BY julianday(f.at), f.id
        """,
        (patron_id,),
    ).fetchall()


def patrons_in_debt(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT patron_id, SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END) AS balance
        FROM fees GROUP BY patron_id HAVING balance > 0 ORDER BY patron_id
        """
    ).fetchall()
