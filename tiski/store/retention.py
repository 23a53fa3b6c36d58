"""What retention removes: patrons off returned loans, old notices, closed holds and
interlibrary loans (a row a fee still refers to stays, for the fee's sake). The audit
trail's oldest rows go by a checkpoint (store/audit.py); the fee ledger stays."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import stamp


def anonymise_returned_loans(conn: sqlite3.Connection) -> int:
    return conn.execute(
        "UPDATE loans SET patron_id = NULL, card = '' WHERE returned_at IS NOT NULL AND patron_id IS NOT NULL"
    ).rowcount


def remove_notices(conn: sqlite3.Connection, before: datetime) -> int:
    """Notices sent (or cancelled) before `before`; a pending or failed one is still work.
    A reminder or invoice stays while the patron still has loans out due that day: it is
    the ladder's memory of how far it went (without it the run would stop short of the
    invoice, or send and charge a reminder again). A returned loan loses its patron, so
    only loans still out keep one."""
    return conn.execute(
        "DELETE FROM notices WHERE status IN ('sent', 'cancelled')"
        " AND julianday(COALESCE(sent_at, created_at)) < julianday(?)"
        " AND NOT (kind IN ('overdue', 'invoice') AND EXISTS (SELECT 1 FROM loans l"
        " WHERE l.patron_id = notices.patron_id AND l.due_date = notices.due_date AND l.returned_at IS NULL))",
        (stamp(before),)).rowcount


def remove_closed_holds(conn: sqlite3.Connection, before: datetime) -> int:
    conn.execute("DELETE FROM notices WHERE hold_id IN (SELECT id FROM holds WHERE closed_at IS NOT NULL"
                 " AND julianday(closed_at) < julianday(?))", (stamp(before),))
    return conn.execute(
        "DELETE FROM holds WHERE closed_at IS NOT NULL AND julianday(closed_at) < julianday(?)"
        " AND id NOT IN (SELECT hold_id FROM fees WHERE hold_id IS NOT NULL)", (stamp(before),)).rowcount


def remove_closed_ill(conn: sqlite3.Connection, before: datetime) -> int:
    return conn.execute(
        "DELETE FROM ill_requests WHERE closed_at IS NOT NULL AND julianday(closed_at) < julianday(?)"
        " AND id NOT IN (SELECT ill_id FROM fees WHERE ill_id IS NOT NULL)", (stamp(before),)).rowcount
