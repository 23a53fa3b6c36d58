"""Records (titles) and items (copies)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import stamp

ITEM_BY_BARCODE = """
SELECT i.*, r.title, r.author
FROM items i JOIN records r ON r.id = i.record_id
WHERE i.barcode = ?
"""


def by_barcode(conn: sqlite3.Connection, barcode: str) -> sqlite3.Row | None:
    return conn.execute(ITEM_BY_BARCODE, (barcode,)).fetchone()


def by_id(conn: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT i.*, r.title, r.author FROM items i JOIN records r ON r.id = i.record_id WHERE i.id = ?",
        (item_id,),
    ).fetchone()


def record_by_isbn(conn: sqlite3.Connection, isbn: str) -> int | None:
    row = conn.execute("SELECT id FROM records WHERE isbn = ? ORDER BY id LIMIT 1", (isbn,)).fetchone()
    return row[0] if row else None


def insert_record(conn: sqlite3.Connection, fields: dict, now: datetime, terms: list[tuple[str, str]] = ()) -> int:
    fields = {**fields, "created_at": stamp(now)}
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    record_id = conn.execute(f"INSERT INTO records ({columns}) VALUES ({marks})", tuple(fields.values())).lastrowid
    conn.executemany(
        "INSERT OR IGNORE INTO record_terms (record_id, kind, term) VALUES (?, ?, ?)",
        [(record_id, kind, term) for kind, term in terms],
    )
    return record_id


def insert_item(conn: sqlite3.Connection, fields: dict, now: datetime) -> int:
    fields = {**fields, "created_at": stamp(now)}
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    return conn.execute(f"INSERT INTO items ({columns}) VALUES ({marks})", tuple(fields.values())).lastrowid


def barcode_exists(conn: sqlite3.Connection, barcode: str) -> bool:
    return conn.execute("SELECT 1 FROM items WHERE barcode = ?", (barcode,)).fetchone() is not None


def loanable_copies(conn: sqlite3.Connection, record_id: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM items WHERE record_id = ? AND loanable = 1", (record_id,)
    ).fetchone()[0]


def set_transit(conn: sqlite3.Connection, item_id: int, branch: str | None) -> None:
    conn.execute("UPDATE items SET transit_to = ? WHERE id = ?", (branch, item_id))
