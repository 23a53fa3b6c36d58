"""Loans, holds, notices and overrides."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from ..clock import stamp

# --- loans -------------------------------------------------------------------------------

def active_loan(conn: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM loans WHERE item_id = ? AND returned_at IS NULL", (item_id,)).fetchone()


def loan_patron(conn: sqlite3.Connection, barcode: str) -> int | None:
    """Who has the copy with this barcode on loan now, if anyone."""
    row = conn.execute(
        "SELECT l.patron_id FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE i.barcode = ? AND l.returned_at IS NULL", (barcode,)).fetchone()
    return row[0] if row else None


def insert_loan(conn: sqlite3.Connection, **fields) -> int:
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    return conn.execute(f"INSERT INTO loans ({columns}) VALUES ({marks})", tuple(fields.values())).lastrowid


def close_loan(conn: sqlite3.Connection, loan_id: int, now: datetime, branch: str, counted_on: date) -> None:
    conn.execute(
        "UPDATE loans SET returned_at = ?, returned_branch = ?, returned_on = ? WHERE id = ?",
        (stamp(now), branch, counted_on.isoformat(), loan_id),
    )


def late_fees_charged(conn: sqlite3.Connection, loan_id: int) -> int:
    return conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM fees WHERE loan_id = ? AND entry = 'charge' AND charge_type = 'late'",
        (loan_id,),
    ).fetchone()[0]


def patron_loans(conn: sqlite3.Connection, patron_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT l.*, i.barcode, i.format, r.title, r.author
        FROM loans l JOIN items i ON i.id = l.item_id JOIN records r ON r.id = i.record_id
        WHERE l.patron_id = ? AND l.returned_at IS NULL
        ORDER BY l.due_date, l.id
        """,
        (patron_id,),
    ).fetchall()


def patron_loan_for_record(conn: sqlite3.Connection, patron_id: int, record_id: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM loans l JOIN items i ON i.id = l.item_id"
            " WHERE l.patron_id = ? AND l.returned_at IS NULL AND i.record_id = ? LIMIT 1",
            (patron_id, record_id),
        ).fetchone()
        is not None
    )


# --- holds -------------------------------------------------------------------------------

def hold_by_id(conn: sqlite3.Connection, hold_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM holds WHERE id = ?", (hold_id,)).fetchone()


def trapped_hold(conn: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    """The hold this copy is set aside for (on its way or on the hold shelf)."""
    return conn.execute(
        "SELECT * FROM holds WHERE item_id = ? AND status IN ('in_transit', 'waiting')", (item_id,)
    ).fetchone()


def first_queued(conn: sqlite3.Connection, record_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM holds WHERE record_id = ? AND status = 'queued' ORDER BY julianday(placed_at), id LIMIT 1",
        (record_id,),
    ).fetchone()


def queued_by_others(conn: sqlite3.Connection, record_id: int, patron_id: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM holds WHERE record_id = ? AND status = 'queued' AND patron_id != ?",
        (record_id, patron_id),
    ).fetchone()[0]


def active_hold(conn: sqlite3.Connection, patron_id: int, record_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM holds WHERE patron_id = ? AND record_id = ? AND status IN ('queued', 'in_transit', 'waiting')",
        (patron_id, record_id),
    ).fetchone()


def queue_position(conn: sqlite3.Connection, hold: sqlite3.Row) -> int:
    """1-based place among the title's queued holds."""
    return conn.execute(
        "SELECT COUNT(*) FROM holds WHERE record_id = ? AND status = 'queued'"
        " AND (julianday(placed_at) < julianday(?) OR (julianday(placed_at) = julianday(?) AND id <= ?))",
        (hold["record_id"], hold["placed_at"], hold["placed_at"], hold["id"]),
    ).fetchone()[0]


def patron_holds(conn: sqlite3.Connection, patron_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT h.*, r.title, r.author, i.barcode
        FROM holds h JOIN records r ON r.id = h.record_id LEFT JOIN items i ON i.id = h.item_id
        WHERE h.patron_id = ? AND h.status IN ('queued', 'in_transit', 'waiting')
        ORDER BY julianday(h.placed_at), h.id
        """,
        (patron_id,),
    ).fetchall()


def used_pickup_codes(conn: sqlite3.Connection, branch: str) -> set[str]:
    rows = conn.execute(
        "SELECT pickup_code FROM holds WHERE pickup_branch = ? AND status = 'waiting' AND pickup_code IS NOT NULL",
        (branch,),
    ).fetchall()
    return {r[0] for r in rows}


def expired_waiting(conn: sqlite3.Connection, today: date) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM holds WHERE status = 'waiting' AND pickup_by < ? ORDER BY pickup_by, id",
        (today.isoformat(),),
    ).fetchall()


def set_hold(conn: sqlite3.Connection, hold_id: int, **fields) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(f"UPDATE holds SET {assignments} WHERE id = ?", (*fields.values(), hold_id))


# --- notices and overrides ---------------------------------------------------------------

def add_notice(conn: sqlite3.Connection, patron_id: int, kind: str, now: datetime, **links) -> None:
    conn.execute(
        "INSERT INTO notices (patron_id, kind, hold_id, loan_id, created_at) VALUES (?, ?, ?, ?, ?)",
        (patron_id, kind, links.get("hold_id"), links.get("loan_id"), stamp(now)),
    )


def add_override(conn: sqlite3.Connection, **fields) -> None:
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    conn.execute(f"INSERT INTO overrides ({columns}) VALUES ({marks})", tuple(fields.values()))
