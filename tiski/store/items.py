"""Records (titles) and items (copies)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from ..clock import stamp


@dataclass(frozen=True)
class ItemRecord:
    """A copy with its title's title and author."""

    id: int
    barcode: str
    record_id: int
    format: str
    rating: int | None
    children: bool  # children's and youth material: no late fees
    price_cents: int | None
    home_branch: str
    loanable: bool
    transit_to: str | None  # on its way to this branch
    title: str
    author: str | None


_ITEM = """
SELECT i.id, i.barcode, i.record_id, i.format, i.rating, i.children, i.price_cents, i.home_branch, i.loanable,
       i.transit_to, r.title, r.author
FROM items i JOIN records r ON r.id = i.record_id
"""


def _item(row: sqlite3.Row | None) -> ItemRecord | None:
    if row is None:
        return None
    return ItemRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7], bool(row[8]), row[9],
                      row[10], row[11])


def by_barcode(conn: sqlite3.Connection, barcode: str) -> ItemRecord | None:
    return _item(conn.execute(_ITEM + "WHERE i.barcode = ?", (barcode,)).fetchone())


def by_id(conn: sqlite3.Connection, item_id: int) -> ItemRecord | None:
    return _item(conn.execute(_ITEM + "WHERE i.id = ?", (item_id,)).fetchone())


def record_by_isbn(conn: sqlite3.Connection, isbn: str) -> int | None:
    row = conn.execute("SELECT id FROM records WHERE isbn = ? ORDER BY id LIMIT 1", (isbn,)).fetchone()
    return int(row[0]) if row else None


def insert_record(conn: sqlite3.Connection, fields: Mapping[str, object], now: datetime,
                  terms: Iterable[tuple[str, str]] = ()) -> int:
    """A title; `fields` are columns of `records` (title, author, isbn, …), named by the caller's code."""
    fields = {**fields, "created_at": stamp(now)}
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    cursor = conn.execute(f"INSERT INTO records ({columns}) VALUES ({marks})", tuple(fields.values()))
    record_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT OR IGNORE INTO record_terms (record_id, kind, term) VALUES (?, ?, ?)",
        [(record_id, kind, term) for kind, term in terms],
    )
    return record_id


def insert_item(conn: sqlite3.Connection, fields: Mapping[str, object], now: datetime) -> int:
    """A copy; `fields` are columns of `items` (barcode, record_id, format, …), named by the caller's code."""
    fields = {**fields, "created_at": stamp(now)}
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    return int(conn.execute(f"INSERT INTO items ({columns}) VALUES ({marks})", tuple(fields.values())).lastrowid or 0)


def barcode_exists(conn: sqlite3.Connection, barcode: str) -> bool:
    return conn.execute("SELECT 1 FROM items WHERE barcode = ?", (barcode,)).fetchone() is not None


def loanable_copies(conn: sqlite3.Connection, record_id: int) -> int:
    return int(conn.execute(
        "SELECT COUNT(*) FROM items WHERE record_id = ? AND loanable = 1", (record_id,)
    ).fetchone()[0])


def set_transit(conn: sqlite3.Connection, item_id: int, branch: str | None) -> None:
    conn.execute("UPDATE items SET transit_to = ? WHERE id = ?", (branch, item_id))
