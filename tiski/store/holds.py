"""Holds: one queue per title, first come first served (in the order they were placed,
which is the order of their ids: a clock that jumps, or an offset that changes in
autumn, cannot reorder a queue), the copies trapped for them and the hold shelf."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from ..clock import stamp
from .values import day, moment


@dataclass(frozen=True)
class HoldRecord:
    id: int
    patron_id: int
    record_id: int
    pickup_branch: str
    placed_at: datetime
    status: str  # queued | in_transit | waiting | fulfilled | cancelled | expired
    item_id: int | None  # the copy trapped for it
    trapped_at: datetime | None
    pickup_by: date | None  # the last day on the hold shelf
    pickup_code: str | None  # the shelf number: never the name


@dataclass(frozen=True)
class PatronHold(HoldRecord):
    """One of a patron's active holds, with its title (and its copy, once trapped)."""

    title: str
    author: str | None
    barcode: str | None


@dataclass(frozen=True)
class PullItem:
    """A copy on a branch's shelves that can fill a queued hold."""

    barcode: str
    title: str
    author: str | None
    queued: int  # holds queued for its title
    shelf: str | None = None  # where to fetch it from
    call_number: str | None = None


_COLUMNS = ("h.id, h.patron_id, h.record_id, h.pickup_branch, h.placed_at, h.status, h.item_id, h.trapped_at,"
            " h.pickup_by, h.pickup_code")
_HOLD = f"SELECT {_COLUMNS} FROM holds h "


def _fields(row: sqlite3.Row) -> tuple[int, int, int, str, datetime, str, int | None, datetime | None, date | None,
                                       str | None]:
    return (row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), row[5], row[6], moment(row[7]),
            day(row[8]), row[9])


def _hold(row: sqlite3.Row | None) -> HoldRecord | None:
    return HoldRecord(*_fields(row)) if row is not None else None


def by_id(conn: sqlite3.Connection, hold_id: int) -> HoldRecord | None:
    return _hold(conn.execute(_HOLD + "WHERE h.id = ?", (hold_id,)).fetchone())


def trapped_for(conn: sqlite3.Connection, item_id: int) -> HoldRecord | None:
    """The hold this copy is set aside for (on its way or on the hold shelf)."""
    return _hold(conn.execute(_HOLD + "WHERE h.item_id = ? AND h.status IN ('in_transit', 'waiting')",
                              (item_id,)).fetchone())


def first_queued(conn: sqlite3.Connection, record_id: int) -> HoldRecord | None:
    """The title's first in line."""
    return _hold(conn.execute(_HOLD + "WHERE h.record_id = ? AND h.status = 'queued' ORDER BY h.id LIMIT 1",
                              (record_id,)).fetchone())


def queued_count(conn: sqlite3.Connection, record_id: int) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM holds WHERE record_id = ? AND status = 'queued'",
                            (record_id,)).fetchone()[0])


def queued_by_others(conn: sqlite3.Connection, record_id: int, patron_id: int) -> int:
    return int(conn.execute(
        "SELECT COUNT(*) FROM holds WHERE record_id = ? AND status = 'queued' AND patron_id != ?",
        (record_id, patron_id),
    ).fetchone()[0])


def queue_position(conn: sqlite3.Connection, hold: HoldRecord) -> int:
    """1-based place among the title's queued holds."""
    return int(conn.execute(
        "SELECT COUNT(*) FROM holds WHERE record_id = ? AND status = 'queued' AND id <= ?",
        (hold.record_id, hold.id),
    ).fetchone()[0])


def active_hold(conn: sqlite3.Connection, patron_id: int, record_id: int) -> HoldRecord | None:
    """The patron's hold on the title, queued, on its way or on the shelf."""
    return _hold(conn.execute(
        _HOLD + "WHERE h.patron_id = ? AND h.record_id = ? AND h.status IN ('queued', 'in_transit', 'waiting')",
        (patron_id, record_id),
    ).fetchone())


def patron_holds(conn: sqlite3.Connection, patron_id: int) -> list[PatronHold]:
    rows = conn.execute(
        f"""
        SELECT {_COLUMNS}, r.title, r.author, i.barcode
        FROM holds h JOIN records r ON r.id = h.record_id LEFT JOIN items i ON i.id = h.item_id
        WHERE h.patron_id = ? AND h.status IN ('queued', 'in_transit', 'waiting')
        ORDER BY h.id
        """,
        (patron_id,),
    ).fetchall()
    return [PatronHold(*_fields(r), r[10], r[11], r[12]) for r in rows]


def waiting_count(conn: sqlite3.Connection, patron_id: int) -> int:
    """The patron's holds waiting on a hold shelf."""
    return int(conn.execute(
        "SELECT COUNT(*) FROM holds WHERE patron_id = ? AND status = 'waiting'", (patron_id,)
    ).fetchone()[0])


def used_pickup_codes(conn: sqlite3.Connection, branch: str) -> set[str]:
    rows = conn.execute(
        "SELECT pickup_code FROM holds WHERE pickup_branch = ? AND status = 'waiting' AND pickup_code IS NOT NULL",
        (branch,),
    ).fetchall()
    return {r[0] for r in rows}


# The hold's arrival notice has not gone: pending (the call list's, or not sent yet) or
# failed. The patron was never told, so no pickup week runs: the hold waits, uncharged.
_UNTOLD = ("EXISTS (SELECT 1 FROM notices n WHERE n.hold_id = h.id AND n.kind = 'hold_arrived'"
           " AND n.status IN ('pending', 'failed'))")


def expired_waiting(conn: sqlite3.Connection, today: date) -> list[HoldRecord]:
    """Holds left on the shelf past their last pickup day. A hold whose arrival notice
    has not gone yet has no pickup week running: it waits (on the staff's lists)."""
    rows = conn.execute(
        _HOLD + f"WHERE h.status = 'waiting' AND h.pickup_by < ? AND NOT {_UNTOLD}"
        " ORDER BY h.pickup_by, h.id", (today.isoformat(),)).fetchall()
    return [HoldRecord(*_fields(r)) for r in rows]


def untold(conn: sqlite3.Connection, hold_id: int) -> str | None:
    """The status of the hold's arrival notice that has not gone (pending or failed), if any."""
    row = conn.execute("SELECT n.status FROM notices n WHERE n.hold_id = ? AND n.kind = 'hold_arrived'"
                       " AND n.status IN ('pending', 'failed') ORDER BY n.id DESC LIMIT 1", (hold_id,)).fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class ShelfHold:
    """A copy on a branch's hold shelf whose last pickup day is today or past."""

    hold: HoldRecord
    barcode: str
    title: str


def shelf_ending(conn: sqlite3.Connection, branch: str, today: date) -> list[ShelfHold]:
    """The branch's hold shelf, the copies whose pickup ends today or has ended, by shelf
    number — none whose patron was never told (their week has not begun)."""
    rows = conn.execute(
        f"""
        SELECT {_COLUMNS}, i.barcode, r.title
        FROM holds h JOIN items i ON i.id = h.item_id JOIN records r ON r.id = i.record_id
        WHERE h.status = 'waiting' AND h.pickup_by <= ? AND h.pickup_branch = ? AND NOT {_UNTOLD}
        ORDER BY h.pickup_code, h.id
        """,
        (today.isoformat(), branch),
    ).fetchall()
    return [ShelfHold(HoldRecord(*_fields(r)), r[10], r[11]) for r in rows]


def pull_list(conn: sqlite3.Connection, branch: str) -> list[PullItem]:
    """Copies at home on the branch's shelves — loanable, not on loan, not on their way,
    not trapped — whose title has a queued hold. Driven by the queued holds (a partial
    index), so it costs the queues, not the collection: CROSS JOIN keeps that order
    (SQLite's way to fix it), whatever index on the branch's shelf may tempt the planner."""
    rows = conn.execute(
        """
        SELECT i.barcode, r.title, r.author, wanted.queued, i.shelf, i.call_number
        FROM (SELECT record_id, COUNT(*) AS queued FROM holds WHERE status = 'queued' GROUP BY record_id) AS wanted
        CROSS JOIN items i ON i.record_id = wanted.record_id
        JOIN records r ON r.id = i.record_id
        WHERE i.home_branch = ? AND i.loanable = 1 AND i.transit_to IS NULL
          AND i.status IS NULL
          AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM holds t WHERE t.item_id = i.id AND t.status IN ('in_transit', 'waiting'))
        ORDER BY i.shelf, i.call_number, r.title, i.barcode
        """,
        (branch,),
    ).fetchall()
    return [PullItem(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def insert(conn: sqlite3.Connection, patron_id: int, record_id: int, pickup_branch: str, now: datetime) -> int:
    """A hold at the end of the title's queue."""
    cursor = conn.execute(
        "INSERT INTO holds (patron_id, record_id, pickup_branch, placed_at) VALUES (?, ?, ?, ?)",
        (patron_id, record_id, pickup_branch, stamp(now)),
    )
    return int(cursor.lastrowid or 0)


def close(conn: sqlite3.Connection, hold_id: int, status: str, now: datetime) -> None:
    """The hold ends: fulfilled, cancelled or expired."""
    if status not in ("fulfilled", "cancelled", "expired"):
        raise ValueError(f"a hold does not close as {status}")
    conn.execute("UPDATE holds SET status = ?, closed_at = ? WHERE id = ?", (status, stamp(now), hold_id))
    _cancel_arrival_notices(conn, hold_id)


def _cancel_arrival_notices(conn: sqlite3.Connection, hold_id: int) -> None:
    """An arrival notice not yet gone is owed no more once its copy has left the shelf."""
    conn.execute("UPDATE notices SET status = 'cancelled', attempt_at = NULL, next_try_at = NULL"
                 " WHERE hold_id = ? AND status IN ('pending', 'failed')", (hold_id,))


def requeue(conn: sqlite3.Connection, hold_id: int) -> None:
    """Back in the queue in its old place: its copy went to someone else."""
    conn.execute(
        "UPDATE holds SET status = 'queued', item_id = NULL, trapped_at = NULL, pickup_by = NULL, pickup_code = NULL"
        " WHERE id = ?",
        (hold_id,),
    )
    _cancel_arrival_notices(conn, hold_id)


def send(conn: sqlite3.Connection, hold_id: int, item_id: int, now: datetime) -> None:
    """A copy is trapped for the hold and travels to its pickup branch."""
    conn.execute("UPDATE holds SET status = 'in_transit', item_id = ?, trapped_at = ? WHERE id = ?",
                 (item_id, stamp(now), hold_id))


def shelve(conn: sqlite3.Connection, hold_id: int, item_id: int, trapped_at: datetime, pickup_by: date,
           pickup_code: str) -> None:
    """The copy is on the pickup branch's hold shelf under a number."""
    conn.execute(
        "UPDATE holds SET status = 'waiting', item_id = ?, trapped_at = ?, pickup_by = ?, pickup_code = ? WHERE id = ?",
        (item_id, stamp(trapped_at), pickup_by.isoformat(), pickup_code, hold_id),
    )


def set_pickup_by(conn: sqlite3.Connection, hold_id: int, pickup_by: date) -> None:
    """The pickup week runs from the arrival notice's sending (see desk/notice_run.py)."""
    conn.execute("UPDATE holds SET pickup_by = ? WHERE id = ?", (pickup_by.isoformat(), hold_id))
