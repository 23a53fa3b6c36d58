"""Circulation notes: short notes on a patron, open until someone marks them done."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import stamp
from ..core.alerts import Note


def add(conn: sqlite3.Connection, patron_id: int, text: str, *, now: datetime, staff: str | None,
        branch: str | None) -> Note:
    cursor = conn.execute(
        "INSERT INTO circulation_notes (patron_id, text, added_at, added_by, branch) VALUES (?, ?, ?, ?, ?)",
        (patron_id, text, stamp(now), staff, branch),
    )
    return Note(int(cursor.lastrowid or 0), text, now, staff)


def open_notes(conn: sqlite3.Connection, patron_id: int) -> tuple[Note, ...]:
    rows = conn.execute(
        "SELECT id, text, added_at, added_by FROM circulation_notes WHERE patron_id = ? AND done_at IS NULL"
        " ORDER BY id",
        (patron_id,),
    ).fetchall()
    return tuple(Note(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows)


def mark_done(conn: sqlite3.Connection, patron_id: int, note_id: int, *, now: datetime,
              staff: str | None) -> Note | None:
    """The note, now done; None when the patron has no such open note."""
    row = conn.execute(
        "SELECT id, text, added_at, added_by FROM circulation_notes WHERE id = ? AND patron_id = ?"
        " AND done_at IS NULL",
        (note_id, patron_id),
    ).fetchone()
    if row is None:
        return None
    conn.execute("UPDATE circulation_notes SET done_at = ?, done_by = ? WHERE id = ?", (stamp(now), staff, note_id))
    return Note(row[0], row[1], datetime.fromisoformat(row[2]), row[3])
