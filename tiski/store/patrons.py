"""Patron and card queries."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime

from ..clock import stamp
from ..core.text import phone_digits

PATRON_BY_CARD = """
SELECT c.card AS presented_card, c.status AS card_status, c.closed_at AS card_closed_at, p.*
FROM cards c JOIN patrons p ON p.id = c.patron_id
WHERE c.card = ?
"""


def by_card(conn: sqlite3.Connection, card: str) -> sqlite3.Row | None:
    return conn.execute(PATRON_BY_CARD, (card,)).fetchone()


def by_id(conn: sqlite3.Connection, patron_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM patrons WHERE id = ?", (patron_id,)).fetchone()


def active_card(conn: sqlite3.Connection, patron_id: int) -> str | None:
    row = conn.execute(
        "SELECT card FROM cards WHERE patron_id = ? AND status = 'active'", (patron_id,)
    ).fetchone()
    return row[0] if row else None


def card_exists(conn: sqlite3.Connection, card: str) -> bool:
    return conn.execute("SELECT 1 FROM cards WHERE card = ?", (card,)).fetchone() is not None


def hetu_exists(conn: sqlite3.Connection, digest: str) -> bool:
    """By the keyed digest: the code itself is never stored in clear."""
    return conn.execute("SELECT 1 FROM patrons WHERE hetu_digest = ?", (digest,)).fetchone() is not None


def insert(conn: sqlite3.Connection, fields: dict, card: str, now: datetime) -> int:
    fields = {**fields, "created_at": stamp(now), "updated_at": stamp(now)}
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    patron_id = conn.execute(f"INSERT INTO patrons ({columns}) VALUES ({marks})", tuple(fields.values())).lastrowid
    conn.execute(
        "INSERT INTO cards (card, patron_id, status, issued_at) VALUES (?, ?, 'active', ?)",
        (card, patron_id, stamp(now)),
    )
    return patron_id


def update(conn: sqlite3.Connection, patron_id: int, fields: dict, now: datetime) -> None:
    if not fields:
        return
    assignments = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(
        f"UPDATE patrons SET {assignments}, updated_at = ? WHERE id = ?",
        (*fields.values(), stamp(now), patron_id),
    )


def _fts_query(text: str) -> str | None:
    """Typed words -> an FTS5 prefix query: every word must match the start of a token."""
    if not re.search(r"[^\W\d_]", text):  # no letters: a phone number
        digits = phone_digits(text)
        return f'phone_digits : "{digits}"*' if digits and len(digits) >= 3 else None
    words = re.findall(r"\w+", text.lower())
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:6])


def search(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[sqlite3.Row]:
    """Patrons by name, e-mail or phone. The best 200 by bm25, then the ones whose
    surname starts with what was typed first, namesakes alphabetically with the oldest
    first — the order staff scan a list of Virtanens in."""
    query = _fts_query(text)
    if query is None:
        return []
    rows = conn.execute(
        """
        SELECT p.id, p.first_name, p.last_name, p.birth_date, p.is_organisation,
               (SELECT card FROM cards WHERE patron_id = p.id AND status = 'active') AS card
        FROM patrons_fts f JOIN patrons p ON p.id = f.rowid
        WHERE patrons_fts MATCH ?
        ORDER BY bm25(patrons_fts, 2.0, 3.0, 1.0, 1.0)
        LIMIT 200
        """,
        (query,),
    ).fetchall()
    words = re.findall(r"\w+", text.lower())
    first_word = words[0] if words else ""

    def order(row: sqlite3.Row) -> tuple:
        last, first = row["last_name"].lower(), row["first_name"].lower()
        return (not last.startswith(first_word), last, first, row["birth_date"] or "", row["id"])

    return sorted(rows, key=order)[:limit]


def balance_cents(conn: sqlite3.Connection, patron_id: int) -> int:
    return conn.execute(
        "SELECT COALESCE(SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END), 0)"
        " FROM fees WHERE patron_id = ?",
        (patron_id,),
    ).fetchone()[0]


def active_bans(conn: sqlite3.Connection, patron_id: int, today: date) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM bans WHERE patron_id = ? AND lifted_at IS NULL AND starts_on <= ?"
        " AND (until IS NULL OR until >= ?) ORDER BY id",
        (patron_id, today.isoformat(), today.isoformat()),
    ).fetchall()


def active_loan_formats(conn: sqlite3.Connection, patron_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT i.format, l.due_at, l.due_date, l.lost_card FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE l.patron_id = ? AND l.returned_at IS NULL",
        (patron_id,),
    ).fetchall()


def waiting_holds(conn: sqlite3.Connection, patron_id: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM holds WHERE patron_id = ? AND status = 'waiting'", (patron_id,)
    ).fetchone()[0]
