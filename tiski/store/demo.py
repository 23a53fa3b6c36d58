"""What the demo generator (tiski.demo) writes in bulk and looks up while it plays
two months at the desk. Bulk inserts go through sqlite-utils, in batches."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any


def _uniform(rows: list[dict[str, Any]], **defaults: Any) -> list[dict[str, Any]]:
    """Every row with every column: sqlite-utils would store NULL for a missing key
    rather than the column's default."""
    columns = {key for row in rows for key in row}
    return [{key: row.get(key, defaults.get(key)) for key in columns} for row in rows]


def insert_patrons(conn: sqlite3.Connection, patrons: list[dict[str, Any]], cards: list[dict[str, Any]]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    db.table("patrons").insert_all(_uniform(patrons, verify_id=0, is_organisation=0), batch_size=500, alter=False)
    db.table("cards").insert_all(cards, batch_size=500, alter=False)


def insert_collection(conn: sqlite3.Connection, records: list[dict[str, Any]], terms: list[dict[str, Any]],
                      items: list[dict[str, Any]]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    db.table("records").insert_all(records, batch_size=1000, alter=False)
    db.table("record_terms").insert_all(terms, batch_size=1000, alter=False)
    db.table("items").insert_all(items, batch_size=1000, alter=False)


def loanable_barcodes(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT barcode FROM items WHERE loanable = 1 ORDER BY id")]


def in_transit_to(conn: sqlite3.Connection, branch: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT barcode FROM items WHERE transit_to = ? ORDER BY id", (branch,))]


def waiting_on_the_shelf(conn: sqlite3.Connection, branch: str) -> list[tuple[str, str]]:
    """(barcode, card) of each hold waiting for pickup at the branch."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT i.barcode, c.card FROM holds h JOIN items i ON i.id = h.item_id"
        " JOIN cards c ON c.patron_id = h.patron_id AND c.status = 'active'"
        " WHERE h.status = 'waiting' AND h.pickup_branch = ? ORDER BY h.id",
        (branch,),
    )]


def born_before(conn: sqlite3.Connection, day: date) -> set[int]:
    """The patrons born before `day` (organisations have no birth date)."""
    return {r[0] for r in conn.execute("SELECT id FROM patrons WHERE birth_date < ?", (day.isoformat(),))}


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "patrons": one("SELECT COUNT(*) FROM patrons"),
        "items": one("SELECT COUNT(*) FROM items"),
        "loans": one("SELECT COUNT(*) FROM loans WHERE returned_at IS NULL"),
        "holds": one("SELECT COUNT(*) FROM holds WHERE status IN ('queued', 'in_transit', 'waiting')"),
    }
