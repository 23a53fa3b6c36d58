"""Reading the audit trail (it is written by the facade, see tiski.desk)."""

from __future__ import annotations

import sqlite3
from datetime import date


def entries(conn: sqlite3.Connection, *, patron_id: int | None = None, staff: str | None = None,
            since: date | None = None) -> list[dict]:
    clauses, params = [], []
    if patron_id is not None:
        clauses.append("patron_id = ?")
        params.append(patron_id)
    if staff is not None:
        clauses.append("staff = ?")
        params.append(staff)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    where = " AND ".join(clauses) or "1"
    return [dict(r) for r in conn.execute(
        f"SELECT at, staff, branch, action, kind, patron_id, detail FROM audit_log WHERE {where}"  # noqa: S608
        " ORDER BY id", params)]
