"""The outbox: every notice owed to a patron, once (its key is unique), with its channel,
text, status and tries; the patrons' channel choices; what a branch's notices say of it;
and the lock that lets one sender at a time work the outbox."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..clock import stamp
from .files import create_file, register_path, sharing
from .values import day, moment


@dataclass(frozen=True)
class Notice:
    id: int
    key: str
    patron_id: int
    kind: str
    level: int
    hold_id: int | None
    ill_id: int | None
    due_date: date | None
    branch: str | None
    channel: str  # email | sms | letter | call
    subject: str
    body: str
    status: str  # pending | sent | failed | cancelled
    tries: int
    last_error: str | None
    attempt_at: datetime | None  # a try under way, or one a dead run left
    next_try_at: datetime | None
    charged: bool
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class NoticeLine(Notice):
    """A notice on a staff list: with whom it is for (the card, the name, the phone to call)."""

    card: str | None
    name: str
    phone: str | None


@dataclass(frozen=True)
class BranchNotices:
    """What a branch's notices say of it."""

    name: str
    opening_hours: str
    contact: str


_COLUMNS = ("n.id, n.key, n.patron_id, n.kind, n.level, n.hold_id, n.ill_id, n.due_date, n.branch, n.channel,"
            " n.subject, n.body, n.status, n.tries, n.last_error, n.attempt_at, n.next_try_at, n.charged,"
            " n.created_at, n.sent_at")
_NOTICE = f"SELECT {_COLUMNS} FROM notices n "
_LINE = (f"SELECT {_COLUMNS}, (SELECT card FROM cards WHERE patron_id = n.patron_id AND status = 'active'),"
         " p.first_name || ' ' || p.last_name, p.phone FROM notices n JOIN patrons p ON p.id = n.patron_id ")


_NAMES = ("id", "key", "patron_id", "kind", "level", "hold_id", "ill_id", "due_date", "branch", "channel", "subject",
          "body", "status", "tries", "last_error", "attempt_at", "next_try_at", "charged", "created_at", "sent_at")


def _fields(r: sqlite3.Row) -> dict[str, Any]:
    values = dict(zip(_NAMES, r))
    values.update(due_date=day(r[7]), attempt_at=moment(r[15]), next_try_at=moment(r[16]), charged=bool(r[17]),
                  created_at=datetime.fromisoformat(r[18]), sent_at=moment(r[19]))
    return values


def _notice(row: sqlite3.Row | None) -> Notice | None:
    return Notice(**_fields(row)) if row is not None else None


def _lines(rows: list[sqlite3.Row]) -> list[NoticeLine]:
    return [NoticeLine(**_fields(r), card=r[20], name=r[21].strip(), phone=r[22]) for r in rows]


def insert(conn: sqlite3.Connection, *, key: str, patron_id: int, kind: str, channel: str, subject: str,
           body: str, now: datetime, level: int = 0, hold_id: int | None = None, ill_id: int | None = None,
           due_date: date | None = None, branch: str | None = None) -> int | None:
    """A new notice; None when one with this key exists already (it is never made twice)."""
    cursor = conn.execute(
        "INSERT INTO notices (key, patron_id, kind, level, hold_id, ill_id, due_date, branch, channel, subject,"
        " body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, patron_id, kind, level, hold_id, ill_id, due_date.isoformat() if due_date else None, branch, channel,
         subject, body, stamp(now)),
    )
    return int(cursor.lastrowid or 0) if cursor.rowcount else None


def by_id(conn: sqlite3.Connection, notice_id: int) -> Notice | None:
    return _notice(conn.execute(_NOTICE + "WHERE n.id = ?", (notice_id,)).fetchone())


def line(conn: sqlite3.Connection, notice_id: int) -> NoticeLine | None:
    lines = _lines(conn.execute(_LINE + "WHERE n.id = ?", (notice_id,)).fetchall())
    return lines[0] if lines else None


def to_send(conn: sqlite3.Connection, now: datetime) -> list[Notice]:
    """Pending notices a sender delivers now (the call list is staff's): new ones, those
    whose backoff is over, and any try a dead run left under way."""
    rows = conn.execute(
        _NOTICE + "WHERE n.status = 'pending' AND n.channel != 'call'"
        " AND (n.next_try_at IS NULL OR julianday(n.next_try_at) <= julianday(?)) ORDER BY n.id",
        (stamp(now),)).fetchall()
    return [Notice(**_fields(r)) for r in rows]


def open_notices(conn: sqlite3.Connection) -> list[Notice]:
    """Every pending and failed notice (to see whether each is still owed)."""
    rows = conn.execute(_NOTICE + "WHERE n.status IN ('pending', 'failed') ORDER BY n.id").fetchall()
    return [Notice(**_fields(r)) for r in rows]


def work_list(conn: sqlite3.Connection, sent_since: datetime) -> list[NoticeLine]:
    """Staff's list: failed first, then the calls to make, the rest pending, and what was
    sent since `sent_since` (today), newest first."""
    rows = conn.execute(
        _LINE + "WHERE n.status IN ('pending', 'failed')"
        " OR (n.status = 'sent' AND julianday(n.sent_at) >= julianday(?))"
        " ORDER BY CASE WHEN n.status = 'failed' THEN 0 WHEN n.status = 'pending' AND n.channel = 'call' THEN 1"
        " WHEN n.status = 'pending' THEN 2 ELSE 3 END, CASE WHEN n.status = 'sent' THEN -n.id ELSE n.id END",
        (stamp(sent_since),)).fetchall()
    return _lines(rows)


def by_status(conn: sqlite3.Connection, status: str, limit: int = 1000) -> list[NoticeLine]:
    """Notices in one status, newest first."""
    rows = conn.execute(_LINE + "WHERE n.status = ? ORDER BY n.id DESC LIMIT ?", (status, limit)).fetchall()
    return _lines(rows)


def ladder(conn: sqlite3.Connection, patron_id: int, due: date) -> list[Notice]:
    """The reminders and invoices of a patron's loans due on one day, by level."""
    rows = conn.execute(_NOTICE + "WHERE n.patron_id = ? AND n.due_date = ? AND n.kind IN ('overdue', 'invoice')"
                        " ORDER BY n.level, n.id", (patron_id, due.isoformat())).fetchall()
    return [Notice(**_fields(r)) for r in rows]


def exists(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM notices WHERE key = ?", (key,)).fetchone() is not None


def newest_for_hold(conn: sqlite3.Connection, hold_id: int) -> int | None:
    """The hold's latest arrival notice: a copy trapped again makes the earlier one moot."""
    row = conn.execute("SELECT MAX(id) FROM notices WHERE hold_id = ? AND kind = 'hold_arrived'",
                       (hold_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# --- what becomes of a notice -----------------------------------------------------------

def claim(conn: sqlite3.Connection, notice_id: int, subject: str, body: str, now: datetime) -> None:
    """A try begins: its text as it goes now, counted, marked under way."""
    conn.execute("UPDATE notices SET subject = ?, body = ?, tries = tries + 1, attempt_at = ? WHERE id = ?",
                 (subject, body, stamp(now), notice_id))


def mark_sent(conn: sqlite3.Connection, notice_id: int, now: datetime) -> None:
    conn.execute("UPDATE notices SET status = 'sent', sent_at = ?, attempt_at = NULL, next_try_at = NULL,"
                 " last_error = NULL WHERE id = ?", (stamp(now), notice_id))


def mark_charged(conn: sqlite3.Connection, notice_id: int) -> None:
    conn.execute("UPDATE notices SET charged = 1 WHERE id = ?", (notice_id,))


def mark_failed(conn: sqlite3.Connection, notice_id: int, error: str, retry_at: datetime | None) -> None:
    """A try failed: tried again from `retry_at`, or (None) failed, for staff."""
    conn.execute(
        "UPDATE notices SET status = ?, last_error = ?, attempt_at = NULL, next_try_at = ? WHERE id = ?",
        ("pending" if retry_at else "failed", error[:300], stamp(retry_at) if retry_at else None, notice_id))


def cancel(conn: sqlite3.Connection, notice_id: int) -> None:
    """No longer owed (the loans came back, the hold was collected)."""
    conn.execute("UPDATE notices SET status = 'cancelled', attempt_at = NULL, next_try_at = NULL WHERE id = ?",
                 (notice_id,))


def reopen(conn: sqlite3.Connection, notice_id: int, channel: str, subject: str, body: str) -> None:
    """Staff send it again, perhaps by another channel: pending, with fresh tries."""
    conn.execute("UPDATE notices SET status = 'pending', channel = ?, subject = ?, body = ?, tries = 0,"
                 " last_error = NULL, attempt_at = NULL, next_try_at = NULL WHERE id = ?",
                 (channel, subject, body, notice_id))


def retext(conn: sqlite3.Connection, notice_id: int, subject: str, body: str) -> None:
    conn.execute("UPDATE notices SET subject = ?, body = ? WHERE id = ?", (subject, body, notice_id))


# --- the patron's choices, the branch's words ------------------------------------------

def preferences(conn: sqlite3.Connection, patron_id: int) -> dict[str, str]:
    rows = conn.execute("SELECT kind, channel FROM notice_preferences WHERE patron_id = ?", (patron_id,))
    return {row[0]: row[1] for row in rows}


def set_preference(conn: sqlite3.Connection, patron_id: int, kind: str, channel: str | None) -> None:
    """The patron's channel for a kind; None: back to the default order."""
    if channel is None:
        conn.execute("DELETE FROM notice_preferences WHERE patron_id = ? AND kind = ?", (patron_id, kind))
    else:
        conn.execute("INSERT OR REPLACE INTO notice_preferences (patron_id, kind, channel) VALUES (?, ?, ?)",
                     (patron_id, kind, channel))


def branch_notices(conn: sqlite3.Connection, code: str) -> BranchNotices:
    row = conn.execute(
        "SELECT b.name, COALESCE(n.opening_hours, ''), COALESCE(n.contact, '') FROM branches b"
        " LEFT JOIN branch_notices n ON n.branch = b.code WHERE b.code = ?", (code,)).fetchone()
    return BranchNotices(row[0], row[1], row[2]) if row else BranchNotices(code, "", "")


def set_branch_notices(conn: sqlite3.Connection, code: str, opening_hours: str | None, contact: str | None) -> None:
    conn.execute("INSERT OR IGNORE INTO branch_notices (branch) VALUES (?)", (code,))
    if opening_hours is not None:
        conn.execute("UPDATE branch_notices SET opening_hours = ? WHERE branch = ?", (opening_hours, code))
    if contact is not None:
        conn.execute("UPDATE branch_notices SET contact = ? WHERE branch = ?", (contact, code))


# --- one sender at a time ----------------------------------------------------------------

def letters_folder(conn: sqlite3.Connection) -> Path | None:
    """Where letters go when no folder is set: `letters/` beside the register."""
    path = register_path(conn)
    return path.parent / "letters" if path is not None else None


@contextmanager
def sender_lock(conn: sqlite3.Connection) -> Iterator[bool]:
    """True while this process alone sends from the register's outbox. The operating
    system lets go of the lock when the process ends, however it ends: a run killed
    mid-send leaves a try marked under way and no lock, so the next run knows that try
    is nobody's and sends it again."""
    path = register_path(conn)
    if path is None:
        yield True
        return
    lock = path.with_name(path.name + ".notices-lock")
    try:
        fd = create_file(lock, sharing(conn))
    except FileExistsError:
        fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        yield _try_lock(fd)
    finally:
        os.close(fd)  # closing lets go of the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
