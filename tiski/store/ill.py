"""Interlibrary loan orders (kaukolainat)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..clock import stamp


@dataclass(frozen=True)
class IllOrder:
    id: int
    patron_id: int
    title: str
    from_library: str
    price_cents: int  # the sending library's price, charged when the item arrives
    status: str  # ordered | arrived | cancelled
    branch: str | None


_ORDER = "SELECT id, patron_id, title, from_library, price_cents, status, branch FROM ill_requests "


def insert(conn: sqlite3.Connection, patron_id: int, title: str, from_library: str, price_cents: int,
           branch: str, now: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO ill_requests (patron_id, title, from_library, price_cents, branch, ordered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (patron_id, title, from_library, price_cents, branch, stamp(now)),
    )
    return int(cursor.lastrowid or 0)


def by_id(conn: sqlite3.Connection, ill_id: int) -> IllOrder | None:
    row = conn.execute(_ORDER + "WHERE id = ?", (ill_id,)).fetchone()
    return IllOrder(*row) if row else None


def close(conn: sqlite3.Connection, ill_id: int, status: str, now: datetime) -> None:
    """The order ends: the item arrived, or it was cancelled."""
    if status not in ("arrived", "cancelled"):
        raise ValueError(f"an order does not close as {status}")
    conn.execute("UPDATE ill_requests SET status = ?, closed_at = ? WHERE id = ?", (status, stamp(now), ill_id))


def orders(conn: sqlite3.Connection, status: str | None) -> list[IllOrder]:
    """The orders in one status (all of them for None), oldest first."""
    if status is None:
        rows = conn.execute(_ORDER + "ORDER BY id").fetchall()
    else:
        rows = conn.execute(_ORDER + "WHERE status = ? ORDER BY id", (status,)).fetchall()
    return [IllOrder(*row) for row in rows]
