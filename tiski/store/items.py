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
    status: str | None = None  # lost | missing | repair | withdrawn; None: it circulates
    shelf: str | None = None  # the shelving location
    call_number: str | None = None


@dataclass(frozen=True)
class ItemEvent:
    """A change in a copy's life: when, where, who — never which patron."""

    at: datetime
    event: str  # lost | found | claims_returned | damaged | repair | missing | withdrawn | available
    staff: str | None
    branch: str | None
    note: str | None


_ITEM = """
SELECT i.id, i.barcode, i.record_id, i.format, i.rating, i.children, i.price_cents, i.home_branch, i.loanable,
       i.transit_to, r.title, r.author, i.status, i.shelf, i.call_number
FROM items i JOIN records r ON r.id = i.record_id
"""


def _item(row: sqlite3.Row | None) -> ItemRecord | None:
    if row is None:
        return None
    return ItemRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7], bool(row[8]), row[9],
                      row[10], row[11], row[12], row[13], row[14])


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
    """Copies that may yet fill a hold on the title: loanable, not lost or withdrawn."""
    return int(conn.execute(
        "SELECT COUNT(*) FROM items WHERE record_id = ? AND loanable = 1"
        " AND (status IS NULL OR status IN ('repair', 'missing'))", (record_id,)
    ).fetchone()[0])


def set_transit(conn: sqlite3.Connection, item_id: int, branch: str | None) -> None:
    conn.execute("UPDATE items SET transit_to = ? WHERE id = ?", (branch, item_id))


def set_status(conn: sqlite3.Connection, item_id: int, status: str | None) -> None:
    conn.execute("UPDATE items SET status = ? WHERE id = ?", (status, item_id))


def add_event(conn: sqlite3.Connection, item_id: int, event: str, now: datetime, *, staff: str | None,
              branch: str | None, note: str | None = None) -> None:
    conn.execute("INSERT INTO item_events (item_id, at, staff, branch, event, note) VALUES (?, ?, ?, ?, ?, ?)",
                 (item_id, stamp(now), staff, branch, event, note))


def events(conn: sqlite3.Connection, item_id: int) -> list[ItemEvent]:
    """The copy's life, oldest first."""
    rows = conn.execute("SELECT at, event, staff, branch, note FROM item_events WHERE item_id = ? ORDER BY id",
                        (item_id,)).fetchall()
    return [ItemEvent(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def in_transit_to(conn: sqlite3.Connection, branch: str) -> list[ItemRecord]:
    """Copies on their way to the branch (a partial index: the ones travelling), by title."""
    rows = conn.execute(_ITEM + "WHERE i.transit_to = ? ORDER BY r.title, i.barcode", (branch,)).fetchall()
    return [item for item in map(_item, rows) if item is not None]


def record_title(conn: sqlite3.Connection, record_id: int) -> str | None:
    row = conn.execute("SELECT title FROM records WHERE id = ?", (record_id,)).fetchone()
    return str(row[0]) if row else None
