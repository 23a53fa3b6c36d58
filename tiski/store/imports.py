"""What the imports ask the register beyond inserting records, items and patrons."""

from __future__ import annotations

import sqlite3


def record_by_control(conn: sqlite3.Connection, control_no: str, control_org: str | None) -> int | None:
    """The record imported earlier with this 001 (of this 003's catalogue)."""
    row = conn.execute(
        "SELECT id FROM records WHERE control_no = ? AND control_org IS ? ORDER BY id LIMIT 1",
        (control_no, control_org),
    ).fetchone()
    return row[0] if row else None


def first_in_file(conn: sqlite3.Connection, kind: str, key: str) -> bool:
    """True the first time `key` of `kind` (a card, a HETU digest) is met in the file
    being checked. Kept in a TEMP table — the connection's own, on disk, never the
    register's — so a file of any length is checked in bounded memory."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen (kind TEXT, key TEXT, PRIMARY KEY (kind, key))"
                 " WITHOUT ROWID")
    return conn.execute("INSERT OR IGNORE INTO temp.import_seen VALUES (?, ?)", (kind, key)).rowcount == 1


def forget_file(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.import_seen")
