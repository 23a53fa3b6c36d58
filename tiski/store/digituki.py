"""Digital support's tables: the day's queue, the hours, appointments, call-back
requests, the directory of services and the anonymous figures kept of it all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..clock import HELSINKI, stamp
from ..core.digituki import Hours


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(HELSINKI) if text else None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(HELSINKI)


# --- the queue ----------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitRecord:
    id: int
    branch: str
    day: date
    queue_no: int
    name: str | None
    card: str | None
    topic: str
    device: str
    language: str
    appointment_id: int | None
    arrived_at: datetime
    status: str
    helper: str | None
    started_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    finished_at: datetime | None
    cap_hit: bool
    outcome: str | None
    referral: str | None
    note: str | None


def _visit(row: sqlite3.Row) -> VisitRecord:
    return VisitRecord(
        id=row["id"], branch=row["branch"], day=date.fromisoformat(row["day"]), queue_no=row["queue_no"],
        name=row["name"], card=row["card"], topic=row["topic"], device=row["device"], language=row["language"],
        appointment_id=row["appointment_id"], arrived_at=_at(row["arrived_at"]), status=row["status"],
        helper=row["helper"], started_at=_moment(row["started_at"]), paused_at=_moment(row["paused_at"]),
        paused_seconds=row["paused_seconds"], finished_at=_moment(row["finished_at"]), cap_hit=bool(row["cap_hit"]),
        outcome=row["outcome"], referral=row["referral"], note=row["note"],
    )


def add_visit(conn: sqlite3.Connection, branch: str, arrived_at: datetime, *, name: str | None, card: str | None,
              topic: str, device: str, language: str, appointment_id: int | None = None) -> int:
    """A new visit with the day's next queue number."""
    day = arrived_at.date().isoformat()
    cursor = conn.execute(
        "INSERT INTO digituki_visits (branch, day, queue_no, name, card, topic, device, language, appointment_id,"
        " arrived_at) SELECT ?, ?, COALESCE(MAX(queue_no), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM digituki_visits"
        " WHERE branch = ? AND day = ?",
        (branch, day, name, card, topic, device, language, appointment_id, stamp(arrived_at), branch, day),
    )
    return int(cursor.lastrowid or 0)


def visit(conn: sqlite3.Connection, visit_id: int) -> VisitRecord | None:
    row = conn.execute("SELECT * FROM digituki_visits WHERE id = ?", (visit_id,)).fetchone()
    return _visit(row) if row else None


def open_visits(conn: sqlite3.Connection, branch: str, day: date) -> list[VisitRecord]:
    """The day's queue: those waiting and those being helped, by queue number."""
    return [_visit(r) for r in conn.execute(
        "SELECT * FROM digituki_visits WHERE branch = ? AND status IN ('waiting', 'serving', 'paused') AND day = ?"
        " ORDER BY queue_no", (branch, day.isoformat()))]


def first_waiting(conn: sqlite3.Connection, branch: str, day: date) -> int | None:
    row = conn.execute(
        "SELECT id FROM digituki_visits WHERE branch = ? AND status = 'waiting' AND day = ? ORDER BY queue_no LIMIT 1",
        (branch, day.isoformat())).fetchone()
    return int(row[0]) if row else None


def waiting_count(conn: sqlite3.Connection, branch: str, day: date) -> int:
    return int(conn.execute(
        "SELECT COUNT(*) FROM digituki_visits WHERE branch = ? AND status = 'waiting' AND day = ?",
        (branch, day.isoformat())).fetchone()[0])


def start_visit(conn: sqlite3.Connection, visit_id: int, helper: str | None, at: datetime) -> None:
    conn.execute("UPDATE digituki_visits SET status = 'serving', helper = ?, started_at = ? WHERE id = ?",
                 (helper, stamp(at), visit_id))


def pause_visit(conn: sqlite3.Connection, visit_id: int, at: datetime) -> None:
    conn.execute("UPDATE digituki_visits SET status = 'paused', paused_at = ? WHERE id = ?", (stamp(at), visit_id))


def resume_visit(conn: sqlite3.Connection, visit_id: int, paused_seconds: int) -> None:
    conn.execute("UPDATE digituki_visits SET status = 'serving', paused_at = NULL, paused_seconds = ? WHERE id = ?",
                 (paused_seconds, visit_id))


def finish_visit(conn: sqlite3.Connection, visit_id: int, at: datetime, *, paused_seconds: int, outcome: str,
                 topic: str | None, referral: str | None, note: str | None) -> None:
    conn.execute(
        "UPDATE digituki_visits SET status = 'finished', finished_at = ?, paused_at = NULL, paused_seconds = ?,"
        " outcome = ?, topic = COALESCE(?, topic), referral = ?, note = ? WHERE id = ?",
        (stamp(at), paused_seconds, outcome, topic, referral, note, visit_id),
    )


def visit_left(conn: sqlite3.Connection, visit_id: int, at: datetime) -> None:
    conn.execute("UPDATE digituki_visits SET status = 'left', finished_at = ? WHERE id = ?", (stamp(at), visit_id))


def record_cap_hits(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> None:
    conn.executemany("UPDATE digituki_visits SET cap_hit = 1 WHERE id = ? AND cap_hit = 0",
                     [(visit_id,) for visit_id in visit_ids])


def recent_service_seconds(conn: sqlite3.Connection, branch: str, since: date) -> list[int]:
    """Service times of recent days, oldest first: the kept figures, then today's
    finished visits (pauses excluded)."""
    kept = conn.execute(
        "SELECT service_seconds FROM digituki_stats WHERE day >= ? AND branch = ? AND service_seconds > 0"
        " ORDER BY day, id", (since.isoformat(), branch)).fetchall()
    today = conn.execute(
        "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 - paused_seconds FROM digituki_visits"
        " WHERE branch = ? AND status = 'finished' AND started_at IS NOT NULL ORDER BY finished_at",
        (branch,)).fetchall()
    return [int(r[0]) for r in kept + today if r[0]]


def helpers_since(conn: sqlite3.Connection, branch: str, since: datetime) -> int:
    """Helpers who have helped someone at the branch since a moment."""
    return int(conn.execute(
        "SELECT COUNT(DISTINCT helper) FROM digituki_visits WHERE branch = ? AND helper IS NOT NULL"
        " AND julianday(COALESCE(finished_at, started_at)) >= julianday(?)", (branch, stamp(since))).fetchone()[0])


# --- hours ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduledHours:
    id: int
    branch: str
    kind: str  # drop_in | appointments
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    slot_minutes: int | None
    helper: str | None


def _hours(row: sqlite3.Row) -> ScheduledHours:
    return ScheduledHours(row["id"], row["branch"], row["kind"], row["weekday"], time.fromisoformat(row["starts"]),
                          time.fromisoformat(row["ends"]), row["slot_minutes"], row["helper"])


def add_hours(conn: sqlite3.Connection, branch: str, kind: str, weekday: int, starts: time, ends: time,
              slot_minutes: int | None, helper: str | None) -> int:
    cursor = conn.execute(
        "INSERT INTO digituki_schedule (branch, kind, weekday, starts, ends, slot_minutes, helper)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (branch, kind, weekday, starts.strftime("%H:%M"), ends.strftime("%H:%M"), slot_minutes, helper))
    return int(cursor.lastrowid or 0)


def remove_hours(conn: sqlite3.Connection, hours_id: int) -> bool:
    return conn.execute("DELETE FROM digituki_schedule WHERE id = ?", (hours_id,)).rowcount > 0


def hours(conn: sqlite3.Connection, branch: str, kind: str | None = None,
          weekday: int | None = None) -> list[ScheduledHours]:
    """A branch's hours (of one kind, on one weekday)."""
    return [_hours(r) for r in conn.execute(
        "SELECT * FROM digituki_schedule WHERE branch = ? AND kind = COALESCE(?, kind)"
        " AND weekday = COALESCE(?, weekday) ORDER BY kind, weekday, starts", (branch, kind, weekday))]


def drop_in_hours(conn: sqlite3.Connection, branch: str) -> list[Hours]:
    return [Hours(h.weekday, h.starts, h.ends) for h in hours(conn, branch, "drop_in")]


# --- appointments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Appointment:
    id: int
    starts_at: datetime
    minutes: int
    name: str | None
    phone: str | None
    topic: str
    helper: str | None
    status: str  # booked | cancelled | no_show | arrived
    branch: str


def _appointment(row: sqlite3.Row) -> Appointment:
    return Appointment(row["id"], _at(row["starts_at"]), row["minutes"], row["name"], row["phone"], row["topic"],
                       row["helper"], row["status"], row["branch"])


def appointments_on(conn: sqlite3.Connection, branch: str, day: date) -> list[Appointment]:
    return [_appointment(r) for r in conn.execute(
        "SELECT * FROM digituki_appointments WHERE branch = ? AND starts_at >= ? AND starts_at < ?"
        " ORDER BY starts_at, id", (branch, day.isoformat(), (day + timedelta(days=1)).isoformat()))]


def appointment(conn: sqlite3.Connection, appointment_id: int) -> Appointment | None:
    row = conn.execute("SELECT * FROM digituki_appointments WHERE id = ?", (appointment_id,)).fetchone()
    return _appointment(row) if row else None


def add_appointment(conn: sqlite3.Connection, branch: str, helper: str | None, starts_at: datetime, minutes: int,
                    name: str, phone: str | None, topic: str, created_at: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO digituki_appointments (branch, helper, starts_at, minutes, name, phone, topic, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (branch, helper, stamp(starts_at), minutes, name, phone, topic, stamp(created_at)))
    return int(cursor.lastrowid or 0)


def set_appointment_status(conn: sqlite3.Connection, appointment_id: int, status: str) -> None:
    conn.execute("UPDATE digituki_appointments SET status = ? WHERE id = ?", (status, appointment_id))


# --- call-back requests -----------------------------------------------------------------------

@dataclass(frozen=True)
class NewCallback:
    branch: str
    name: str
    phone: str
    topic: str
    wish_from: datetime | None
    wish_to: datetime | None
    received_at: datetime
    due_by: datetime
    source: str  # staff | web


@dataclass(frozen=True)
class CallbackRecord:
    id: int
    branch: str | None
    name: str | None
    phone: str | None
    topic: str
    wish_from: datetime | None
    wish_to: datetime | None
    received_at: datetime
    due_by: datetime
    source: str
    status: str
    outcome: str | None
    referral: str | None
    closed_at: datetime | None
    attempts: int


_CALLBACK = ("SELECT c.*, (SELECT COUNT(*) FROM digituki_call_attempts a WHERE a.callback_id = c.id) AS attempts"
             " FROM digituki_callbacks c")


def _callback(row: sqlite3.Row) -> CallbackRecord:
    return CallbackRecord(
        id=row["id"], branch=row["branch"], name=row["name"], phone=row["phone"], topic=row["topic"],
        wish_from=_moment(row["wish_from"]), wish_to=_moment(row["wish_to"]), received_at=_at(row["received_at"]),
        due_by=_at(row["due_by"]), source=row["source"], status=row["status"], outcome=row["outcome"],
        referral=row["referral"], closed_at=_moment(row["closed_at"]), attempts=row["attempts"],
    )


def add_callbacks(conn: sqlite3.Connection, requests: Sequence[NewCallback]) -> list[int]:
    ids = []
    for r in requests:
        cursor = conn.execute(
            "INSERT INTO digituki_callbacks (branch, name, phone, topic, wish_from, wish_to, received_at, due_by,"
            " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.branch, r.name, r.phone, r.topic, stamp(r.wish_from) if r.wish_from else None,
             stamp(r.wish_to) if r.wish_to else None, stamp(r.received_at), stamp(r.due_by), r.source))
        ids.append(int(cursor.lastrowid or 0))
    return ids


def callback(conn: sqlite3.Connection, callback_id: int) -> CallbackRecord | None:
    row = conn.execute(f"{_CALLBACK} WHERE c.id = ?", (callback_id,)).fetchone()
    return _callback(row) if row else None


def callbacks(conn: sqlite3.Connection, include_closed: bool = False) -> list[CallbackRecord]:
    """Requests, the one due first on top: the open ones (or all)."""
    where = "" if include_closed else " WHERE c.status = 'open'"
    return [_callback(r) for r in conn.execute(f"{_CALLBACK}{where} ORDER BY julianday(c.due_by), c.id")]


def add_call_attempt(conn: sqlite3.Connection, callback_id: int, at: datetime, staff: str | None, result: str,
                     note: str | None) -> None:
    conn.execute("INSERT INTO digituki_call_attempts (callback_id, at, staff, result, note) VALUES (?, ?, ?, ?, ?)",
                 (callback_id, stamp(at), staff, result, note))


def close_callback(conn: sqlite3.Connection, callback_id: int, outcome: str, referral: str | None,
                   at: datetime) -> None:
    conn.execute(
        "UPDATE digituki_callbacks SET status = 'done', outcome = ?, referral = ?, closed_at = ? WHERE id = ?",
        (outcome, referral, stamp(at), callback_id))


# --- the directory of services ---------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    id: int
    name: str
    kind: str
    phone: str | None
    address: str | None
    url: str | None
    note: str | None


def services(conn: sqlite3.Connection, include_inactive: bool = False) -> list[Service]:
    return [Service(r["id"], r["name"], r["kind"], r["phone"], r["address"], r["url"], r["note"])
            for r in conn.execute("SELECT * FROM digituki_services WHERE active = 1 OR ? ORDER BY kind, name",
                                  (int(include_inactive),))]


def has_services(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM digituki_services LIMIT 1").fetchone() is not None


def save_service(conn: sqlite3.Connection, name: str, kind: str, phone: str | None, address: str | None,
                 url: str | None, note: str | None) -> None:
    """Add a service, or update (and bring back) the one with that name."""
    conn.execute(
        "INSERT INTO digituki_services (name, kind, phone, address, url, note) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, phone = excluded.phone,"
        " address = excluded.address, url = excluded.url, note = excluded.note, active = 1",
        (name, kind, phone, address, url, note))


def retire_service(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("UPDATE digituki_services SET active = 0 WHERE name = ?", (name,)).rowcount > 0


# --- what is kept -----------------------------------------------------------------------------

@dataclass(frozen=True)
class KeptRow:
    """What is kept of a visit, an appointment or a call-back once its day is over:
    no names, no times of day."""

    day: date
    branch: str
    channel: str  # walk_in | appointment | callback
    topic: str
    device: str | None
    wait_seconds: int | None
    service_seconds: int | None
    outcome: str | None  # None: left without help, or did not come
    referral: str | None
    cap_hit: bool


def keep(conn: sqlite3.Connection, rows: Iterable[KeptRow]) -> None:
    conn.executemany(
        "INSERT INTO digituki_stats (day, branch, channel, topic, device, wait_seconds, service_seconds, outcome,"
        " referral, cap_hit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r.day.isoformat(), r.branch, r.channel, r.topic, r.device, r.wait_seconds, r.service_seconds, r.outcome,
          r.referral, int(r.cap_hit)) for r in rows])


def visits_to_close(conn: sqlite3.Connection, last_day: date, today: date) -> list[VisitRecord]:
    """Visits of days up to `last_day`: all of a past day, only the done ones of today."""
    return [_visit(r) for r in conn.execute(
        "SELECT * FROM digituki_visits WHERE day <= ? AND (day < ? OR status IN ('finished', 'left')) ORDER BY id",
        (last_day.isoformat(), today.isoformat()))]


def delete_visits(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> None:
    conn.executemany("DELETE FROM digituki_visits WHERE id = ?", [(i,) for i in visit_ids])


def named_appointments_until(conn: sqlite3.Connection, last_day: date) -> list[Appointment]:
    return [_appointment(r) for r in conn.execute(
        "SELECT * FROM digituki_appointments WHERE starts_at < ? AND name IS NOT NULL ORDER BY id",
        ((last_day + timedelta(days=1)).isoformat(),))]


def erase_appointments(conn: sqlite3.Connection, appointment_ids: Iterable[int]) -> None:
    conn.executemany("UPDATE digituki_appointments SET name = NULL, phone = NULL WHERE id = ?",
                     [(i,) for i in appointment_ids])


def named_callbacks_closed_until(conn: sqlite3.Connection, last_day: date) -> list[CallbackRecord]:
    return [_callback(r) for r in conn.execute(
        f"{_CALLBACK} WHERE c.status != 'open' AND c.name IS NOT NULL AND substr(c.closed_at, 1, 10) <= ?"
        " ORDER BY c.id", (last_day.isoformat(),))]


def erase_callbacks(conn: sqlite3.Connection, callback_ids: Iterable[int]) -> None:
    ids = [(i,) for i in callback_ids]
    conn.executemany("UPDATE digituki_callbacks SET name = NULL, phone = NULL WHERE id = ?", ids)
    conn.executemany("UPDATE digituki_call_attempts SET note = NULL WHERE callback_id = ?", ids)


@dataclass(frozen=True)
class StatRow:
    group: str
    count: int
    average_wait_minutes: float | None
    average_service_minutes: float | None
    cap_hits: int


# How each grouping of core.digituki.STAT_GROUPS reads in SQL (a column name is itself).
_GROUP_KEY = {
    "week": "strftime('%Y-W%W', day)",
    "month": "substr(day, 1, 7)",
    "outcome": "COALESCE(outcome, 'none')",
    "referral": "COALESCE(referral, '-')",
    "device": "COALESCE(device, '-')",
    "topic": "topic",
    "branch": "branch",
    "channel": "channel",
}


def stats(conn: sqlite3.Connection, start: date, end: date, by: str) -> list[StatRow]:
    """The kept figures between two days (inclusive), grouped by `by`."""
    rows = conn.execute(
        f"SELECT {_GROUP_KEY[by]} AS grp, COUNT(*) AS n, AVG(wait_seconds) / 60.0 AS wait,"  # noqa: S608 (ours)
        " AVG(service_seconds) / 60.0 AS service, SUM(cap_hit) AS caps"
        " FROM digituki_stats WHERE day BETWEEN ? AND ? GROUP BY grp ORDER BY grp",
        (start.isoformat(), end.isoformat())).fetchall()
    return [StatRow(r["grp"], r["n"], r["wait"], r["service"], r["caps"] or 0) for r in rows]


def kept_rows(conn: sqlite3.Connection, start: date, end: date) -> list[KeptRow]:
    return [KeptRow(date.fromisoformat(r["day"]), r["branch"], r["channel"], r["topic"], r["device"],
                    r["wait_seconds"], r["service_seconds"], r["outcome"], r["referral"], bool(r["cap_hit"]))
            for r in conn.execute(
                "SELECT day, branch, channel, topic, device, wait_seconds, service_seconds, outcome, referral, cap_hit"
                " FROM digituki_stats WHERE day BETWEEN ? AND ? ORDER BY day, id",
                (start.isoformat(), end.isoformat()))]
