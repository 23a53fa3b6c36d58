"""The audit trail: who read or changed a patron's data, when, where, what — never an
identity code or a PIN. Append-only, and a keyed hash chain (store/chain.py): each
row is sealed as it is written, with the real time beside the desk's."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..clock import stamp
from . import chain
from .chain import AUDIT_COLUMNS, key, seal, utc_stamp

SESSION_ACTIONS = ("login", "login_failed", "login_unlocked")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # the desk's time (TISKI_NOW in a drill)
    written_at: str | None  # the real time, UTC (None: written before the chain began)
    staff: str | None
    branch: str | None
    action: str
    kind: str
    patron_id: int | None
    detail: str | None


def record(conn: sqlite3.Connection, *, at: datetime, staff: str | None, branch: str | None, action: str, kind: str,
           patron_id: int | None = None, detail: str | None = None) -> int:
    """Append one sealed row (inside the caller's transaction); returns its id."""
    secret = key(conn)
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row_id, previous = (last[0] + 1, last[1] or "") if last else (1, "")
    values = (row_id, stamp(at), chain.written_now(), staff, branch, action, kind, patron_id, detail)
    conn.execute(
        f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        (*values, seal(secret, previous, values)),
    )
    return row_id


def read_recently(conn: sqlite3.Connection, patron_id: int, staff: str | None, written_since: str) -> bool:
    """Has this member of staff's read of this patron been logged since then (real time)?"""
    return conn.execute(
        "SELECT 1 FROM audit_log WHERE patron_id = ? AND staff IS ? AND kind = 'read' AND written_at > ? LIMIT 1",
        (patron_id, staff, written_since),
    ).fetchone() is not None


def sessions_since(conn: sqlite3.Connection, written_since: str) -> list[AuditEntry]:
    """Logins, wrong passwords and unlocks written since then (real time), oldest first."""
    return _entries(conn, "kind = 'session' AND action IN (?, ?, ?) AND written_at > ?",
                    [*SESSION_ACTIONS, written_since])


def entries(conn: sqlite3.Connection, *, patron_id: int | None = None, staff: str | None = None,
            since: datetime | None = None) -> list[AuditEntry]:
    """What the data-protection officer reads, by patron and/or staff, from a real
    moment on (rows from before the chain began have only the desk's time)."""
    clauses: list[str] = []
    params: list[object] = []
    if patron_id is not None:
        clauses.append("patron_id = ?")
        params.append(patron_id)
    if staff is not None:
        clauses.append("staff = ?")
        params.append(staff)
    where = " AND ".join(clauses) or "1"
    if since is None:
        return _entries(conn, where, params)
    # Two ranges of the same index, not one OR that would defeat it.
    return sorted(_entries(conn, f"{where} AND written_at >= ?", [*params, utc_stamp(since)])
                  + _entries(conn, f"{where} AND written_at IS NULL AND julianday(at) >= julianday(?)",
                             [*params, stamp(since)]), key=lambda e: e.id)


def _entries(conn: sqlite3.Connection, where: str, params: list[object]) -> list[AuditEntry]:
    return [AuditEntry(*row) for row in conn.execute(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE {where} ORDER BY id", params)]  # noqa: S608


def remove_before(conn: sqlite3.Connection, before: datetime, *, at: datetime, staff: str | None,
                  branch: str | None) -> int:
    """Retention: remove the oldest rows, those written before `before`, by a checkpoint —
    a sealed row saying up to which row the trail was cut, whose hash the next row
    chains on. The delete trigger lets through only rows a checkpoint covers."""
    first, last = conn.execute("SELECT MIN(id), MAX(id) FROM audit_log").fetchone()
    if first is None:
        return 0
    kept = conn.execute(
        "SELECT MIN(id) FROM audit_log WHERE written_at >= ? OR (written_at IS NULL AND julianday(at) >= julianday(?))",
        (utc_stamp(before), stamp(before)),
    ).fetchone()[0]
    upto = kept - 1 if kept is not None else last
    if upto < first:
        return 0
    upto_hash = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (upto,)).fetchone()[0]
    removed = int(upto - first + 1)
    checkpoint = record(conn, at=at, staff=staff, branch=branch, action="audit_checkpoint", kind="change",
                        detail=f"upto={upto}, removed={removed}")
    conn.execute("INSERT INTO audit_checkpoints (audit_id, upto_id, upto_hash) VALUES (?, ?, ?)",
                 (checkpoint, upto, upto_hash or ""))
    conn.execute("DELETE FROM audit_log WHERE id <= ?", (upto,))
    return removed
