"""Digital support at the desk: the walk-in queue, the people being helped, the
directory of services to refer to, the end-of-day erasure and the statistics."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..clock import HELSINKI, stamp
from ..core import digituki as rules
from ..core.errors import invalid, refuse
from ..core.text import clean_card, clean_text
from .area import Area, call
from .context import DeskContext, raise_first


@dataclass(frozen=True)
class Visit:
    id: int
    queue_no: int
    name: str | None
    topic: str
    device: str
    language: str
    status: str  # waiting | serving | paused | finished | left
    helper: str | None
    arrived_at: datetime
    started_at: datetime | None
    elapsed: int  # seconds helped so far (pauses excluded)
    timer: str | None  # free | ok | warning | over, for those being helped
    estimate: int | None  # minutes still to wait, for those waiting
    appointment_id: int | None
    cap_hit: bool

    @property
    def label(self) -> str:
        return f"#{self.queue_no} {self.name}" if self.name else f"#{self.queue_no}"


@dataclass(frozen=True)
class Appointment:
    id: int
    starts_at: datetime
    minutes: int
    name: str | None
    phone: str | None
    topic: str
    helper: str | None
    status: str


@dataclass(frozen=True)
class QueueView:
    now: datetime
    hours_now: rules.Hours | None
    minutes_left: int | None
    next_hours: tuple[date, rules.Hours] | None
    serving: tuple[Visit, ...]
    waiting: tuple[Visit, ...]
    appointments: tuple[Appointment, ...]
    average_minutes: float
    helpers: int


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(HELSINKI) if text else None


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise invalid(what, value=value)
    return value


def drop_in_hours(conn: sqlite3.Connection, branch: str) -> list[rules.Hours]:
    return [
        rules.Hours(r["weekday"], time.fromisoformat(r["starts"]), time.fromisoformat(r["ends"]))
        for r in conn.execute(
            "SELECT weekday, starts, ends FROM digituki_schedule WHERE branch = ? AND kind = 'drop_in'"
            " ORDER BY weekday, starts",
            (branch,),
        )
    ]


# --- the queue --------------------------------------------------------------------------

def queue_add(desk: DeskContext, name: str | None, topic: str, device: str, language: str = "fi",
              card: str | None = None) -> Visit:
    """Someone joins the queue: a first name or just a queue number; the card is optional."""
    name = clean_text(name, "name", required=False, max_length=40)
    card = clean_card(card) if card and card.strip() else None
    _choice(topic, rules.TOPICS, "topic")
    _choice(device, rules.DEVICES, "device")
    _choice(language, rules.LANGUAGES, "language")
    with desk.write():
        conn, now, branch = desk.conn, desk.now(), desk.branch
        number = conn.execute(
            "SELECT COALESCE(MAX(queue_no), 0) + 1 FROM digituki_visits WHERE branch = ? AND day = ?",
            (branch, now.date().isoformat()),
        ).fetchone()[0]
        visit_id = conn.execute(
            "INSERT INTO digituki_visits (branch, day, queue_no, name, card, topic, device, language, arrived_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (branch, now.date().isoformat(), number, name, card, topic, device, language, stamp(now)),
        ).lastrowid
    return digituki_visit(desk, visit_id)


def _recent_services(conn: sqlite3.Connection, branch: str, since: date) -> list[int]:
    """Service times of the last fortnight: today's finished visits and the kept statistics."""
    today = [
        r[0] for r in conn.execute(
            "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 - paused_seconds FROM digituki_visits"
            " WHERE branch = ? AND status = 'finished' AND started_at IS NOT NULL ORDER BY finished_at",
            (branch,),
        )
    ]
    kept = [
        r[0] for r in conn.execute(
            "SELECT service_seconds FROM digituki_stats WHERE branch = ? AND day >= ? AND service_seconds > 0"
            " ORDER BY day, id",
            (branch, since.isoformat()),
        )
    ]
    return [int(s) for s in kept + today if s]


def queue_view(desk: DeskContext) -> QueueView:
    conn, now, branch, policy = desk.conn, desk.now(), desk.branch, desk.policy
    rows = conn.execute(
        "SELECT * FROM digituki_visits WHERE branch = ? AND day = ? AND status IN ('waiting', 'serving', 'paused')"
        " ORDER BY queue_no",
        (branch, now.date().isoformat()),
    ).fetchall()
    waiting_rows = [r for r in rows if r["status"] == "waiting"]
    serving_rows = [r for r in rows if r["status"] != "waiting"]
    average = rules.average_service_minutes(
        _recent_services(conn, branch, now.date() - timedelta(days=14)), policy.digituki_estimate_minutes
    )
    helpers = max(1, len({r["helper"] for r in serving_rows if r["helper"]}) or _helpers_today(conn, branch, now))
    serving = tuple(_visit(r, now, len(waiting_rows), policy, None) for r in serving_rows)
    remaining = [max(0.0, average - v.elapsed / 60) for v in serving]
    waits = rules.estimate_waits(len(waiting_rows), helpers, average, remaining)
    waiting = tuple(_visit(r, now, len(waiting_rows), policy, w) for r, w in zip(waiting_rows, waits))
    hours = drop_in_hours(conn, branch)
    current = rules.current_hours(hours, now)
    from .digituki_bookings import appointments_on

    return QueueView(
        now=now,
        hours_now=current,
        minutes_left=rules.minutes_left(current, now) if current else None,
        next_hours=None if current else rules.next_hours(hours, now),
        serving=serving,
        waiting=waiting,
        appointments=tuple(a for a in appointments_on(desk, now.date()) if a.status == "booked"),
        average_minutes=average,
        helpers=helpers,
    )


def _helpers_today(conn: sqlite3.Connection, branch: str, now: datetime) -> int:
    """Helpers at work: those who have helped someone in the last two hours."""
    since = stamp(now - timedelta(hours=2))
    return conn.execute(
        "SELECT COUNT(DISTINCT helper) FROM digituki_visits WHERE branch = ? AND helper IS NOT NULL"
        " AND julianday(COALESCE(finished_at, started_at)) >= julianday(?)",
        (branch, since),
    ).fetchone()[0]


def _visit(row: sqlite3.Row, now: datetime, waiting: int, policy, estimate: int | None) -> Visit:
    started = _moment(row["started_at"])
    elapsed = 0
    timer = None
    if started is not None:
        end = _moment(row["finished_at"]) or now
        elapsed = rules.elapsed_seconds(started, row["paused_seconds"], _moment(row["paused_at"]), end)
        others = waiting if row["status"] in ("serving", "paused") else 0
        timer = rules.timer_state(elapsed, others, policy.digituki_cap_minutes, policy.digituki_warn_minutes)
    return Visit(
        id=row["id"],
        queue_no=row["queue_no"],
        name=row["name"],
        topic=row["topic"],
        device=row["device"],
        language=row["language"],
        status=row["status"],
        helper=row["helper"],
        arrived_at=_moment(row["arrived_at"]),
        started_at=started,
        elapsed=elapsed,
        timer=timer,
        estimate=estimate,
        appointment_id=row["appointment_id"],
        cap_hit=bool(row["cap_hit"]),
    )


def digituki_visit(desk: DeskContext, visit_id: int) -> Visit:
    row = _row(desk, visit_id)
    waiting = desk.conn.execute(
        "SELECT COUNT(*) FROM digituki_visits WHERE branch = ? AND day = ? AND status = 'waiting'",
        (row["branch"], row["day"]),
    ).fetchone()[0]
    return _visit(row, desk.now(), waiting, desk.policy, None)


def _row(desk: DeskContext, visit_id: int) -> sqlite3.Row:
    row = desk.conn.execute("SELECT * FROM digituki_visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise refuse("NOT_FOUND", what="visit")
    return row


def call_next(desk: DeskContext, helper: str | None = None) -> Visit:
    """First come, first served: the longest-waiting person starts with this helper."""
    with desk.write():
        row = desk.conn.execute(
            "SELECT id FROM digituki_visits WHERE branch = ? AND day = ? AND status = 'waiting'"
            " ORDER BY queue_no LIMIT 1",
            (desk.branch, desk.today().isoformat()),
        ).fetchone()
        if row is None:
            raise refuse("NOT_FOUND", what="queue_empty")
        _start(desk, row["id"], helper)
    return digituki_visit(desk, row["id"])


def start_visit(desk: DeskContext, visit_id: int, helper: str | None = None) -> Visit:
    """Start with a particular person (someone with an appointment, say)."""
    with desk.write():
        row = _row(desk, visit_id)
        if row["status"] != "waiting":
            raise invalid("visit_state", value=row["status"])
        _start(desk, visit_id, helper)
    return digituki_visit(desk, visit_id)


def _start(desk: DeskContext, visit_id: int, helper: str | None) -> None:
    helper = clean_text(helper, "helper", required=False, max_length=40) or desk.staff
    desk.conn.execute(
        "UPDATE digituki_visits SET status = 'serving', helper = ?, started_at = ? WHERE id = ?",
        (helper, stamp(desk.now()), visit_id),
    )


def pause_visit(desk: DeskContext, visit_id: int) -> Visit:
    """The patron fetches a device, makes a call…: the timer stops."""
    with desk.write():
        row = _row(desk, visit_id)
        if row["status"] != "serving":
            raise invalid("visit_state", value=row["status"])
        desk.conn.execute("UPDATE digituki_visits SET status = 'paused', paused_at = ? WHERE id = ?",
                          (stamp(desk.now()), visit_id))
    return digituki_visit(desk, visit_id)


def resume_visit(desk: DeskContext, visit_id: int) -> Visit:
    with desk.write():
        row = _row(desk, visit_id)
        if row["status"] != "paused":
            raise invalid("visit_state", value=row["status"])
        paused = int((desk.now() - _moment(row["paused_at"])).total_seconds())
        desk.conn.execute(
            "UPDATE digituki_visits SET status = 'serving', paused_at = NULL, paused_seconds = paused_seconds + ?"
            " WHERE id = ?",
            (max(0, paused), visit_id),
        )
    return digituki_visit(desk, visit_id)


def mark_cap_hit(desk: DeskContext, visit_id: int) -> None:
    """The cap was reached while others waited: counted in the statistics."""
    with desk.write():
        desk.conn.execute("UPDATE digituki_visits SET cap_hit = 1 WHERE id = ?", (visit_id,))


def finish_visit(desk: DeskContext, visit_id: int, outcome: str, *, topic: str | None = None,
                 referral: str | None = None, note: str | None = None) -> tuple[Visit, tuple[str, ...]]:
    """Done: the outcome, the topic as it turned out, where the patron was referred.
    A note is optional and short; what must not be kept is taken out (and said so)."""
    referral = clean_text(referral, "referral", required=False, max_length=100)
    raise_first(rules.finish_refusals(outcome, referral))
    if topic is not None:
        _choice(topic, rules.TOPICS, "topic")
    removed: tuple[str, ...] = ()
    if note is not None and note.strip():
        note, removed = rules.redact(note.strip())
        if len(note) > rules.NOTE_LIMIT:
            raise invalid("too_long", field="note", limit=rules.NOTE_LIMIT)
        note = clean_text(note, "note", required=False, max_length=rules.NOTE_LIMIT)
    else:
        note = None
    with desk.write():
        row = _row(desk, visit_id)
        if row["status"] not in ("serving", "paused"):
            raise invalid("visit_state", value=row["status"])
        now = desk.now()
        paused = row["paused_seconds"]
        if row["status"] == "paused":
            paused += int((now - _moment(row["paused_at"])).total_seconds())
        desk.conn.execute(
            "UPDATE digituki_visits SET status = 'finished', finished_at = ?, paused_at = NULL,"
            " paused_seconds = ?, outcome = ?, topic = COALESCE(?, topic), referral = ?, note = ? WHERE id = ?",
            (stamp(now), paused, outcome, topic, referral, note, visit_id),
        )
    return digituki_visit(desk, visit_id), removed


def visit_left(desk: DeskContext, visit_id: int) -> Visit:
    """Someone left the queue before their turn."""
    with desk.write():
        row = _row(desk, visit_id)
        if row["status"] != "waiting":
            raise invalid("visit_state", value=row["status"])
        desk.conn.execute("UPDATE digituki_visits SET status = 'left', finished_at = ? WHERE id = ?",
                          (stamp(desk.now()), visit_id))
    return digituki_visit(desk, visit_id)


# --- the directory of services -------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    id: int
    name: str
    kind: str
    phone: str | None
    address: str | None
    url: str | None
    note: str | None


def referral_services(desk: DeskContext, include_inactive: bool = False) -> list[Service]:
    rows = desk.conn.execute(
        "SELECT * FROM digituki_services WHERE active = 1 OR ? ORDER BY kind, name", (int(include_inactive),)
    ).fetchall()
    return [Service(r["id"], r["name"], r["kind"], r["phone"], r["address"], r["url"], r["note"]) for r in rows]


def save_referral_service(desk: DeskContext, name: str, kind: str = "other", phone: str | None = None,
                 address: str | None = None, url: str | None = None, note: str | None = None) -> Service:
    """Add a service to refer to, or update the one with that name."""
    values = (
        clean_text(name, "name", max_length=100),
        clean_text(kind, "kind", max_length=40),
        clean_text(phone, "phone", required=False, max_length=40),
        clean_text(address, "address", required=False, max_length=200),
        clean_text(url, "url", required=False, max_length=200),
        clean_text(note, "note", required=False, max_length=300),
    )
    with desk.write():
        desk.conn.execute(
            "INSERT INTO digituki_services (name, kind, phone, address, url, note) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, phone = excluded.phone,"
            " address = excluded.address, url = excluded.url, note = excluded.note, active = 1",
            values,
        )
    return next(s for s in referral_services(desk) if s.name == values[0])


def remove_referral_service(desk: DeskContext, name: str) -> None:
    with desk.write():
        changed = desk.conn.execute("UPDATE digituki_services SET active = 0 WHERE name = ?", (name,)).rowcount
        if not changed:
            raise refuse("NOT_FOUND", what="service")


def seed_referral_services(desk: DeskContext) -> int:
    """The starting directory (data/digituki_services.toml), for a register without one."""
    import tomllib

    from ..resources import data_file

    if desk.conn.execute("SELECT 1 FROM digituki_services LIMIT 1").fetchone():
        return 0
    entries = tomllib.loads(data_file("digituki_services.toml").read_text(encoding="utf-8"))["service"]
    for entry in entries:
        save_referral_service(desk, **entry)
    return len(entries)


# --- the end of the day ----------------------------------------------------------------------

def close_digituki_days(desk: DeskContext, include_today: bool = False) -> dict[str, int]:
    """Erase the personal details of finished days; keep only the anonymous figures:
    date, branch, topic, device, wait, service time, outcome, referral, cap reached."""
    last = desk.today() if include_today else desk.today() - timedelta(days=1)
    cutoff = last.isoformat()
    counts = {"visits": 0, "appointments": 0, "callbacks": 0}
    with desk.write():
        conn = desk.conn
        for row in conn.execute(
            "SELECT * FROM digituki_visits WHERE day <= ? AND (day < ? OR status IN ('finished', 'left'))",
            (cutoff, desk.today().isoformat()),
        ).fetchall():
            started, finished = _moment(row["started_at"]), _moment(row["finished_at"])
            wait = int(((started or finished or _moment(row["arrived_at"])) - _moment(row["arrived_at"]))
                       .total_seconds())
            service = None
            if started is not None and finished is not None:
                service = rules.elapsed_seconds(started, row["paused_seconds"], None, finished)
            conn.execute(
                "INSERT INTO digituki_stats (day, branch, channel, topic, device, wait_seconds, service_seconds,"
                " outcome, referral, cap_hit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["day"], row["branch"], "appointment" if row["appointment_id"] else "walk_in", row["topic"],
                 row["device"], max(0, wait), service, row["outcome"], row["referral"], row["cap_hit"]),
            )
            conn.execute("DELETE FROM digituki_visits WHERE id = ?", (row["id"],))
            counts["visits"] += 1
        for row in conn.execute(
            "SELECT * FROM digituki_appointments WHERE substr(starts_at, 1, 10) <= ? AND name IS NOT NULL",
            (cutoff,),
        ).fetchall():
            if row["status"] in ("booked", "no_show"):
                conn.execute(
                    "INSERT INTO digituki_stats (day, branch, channel, topic, outcome) VALUES (?, ?, 'appointment', ?, NULL)",
                    (row["starts_at"][:10], row["branch"], row["topic"]),
                )
            conn.execute("UPDATE digituki_appointments SET name = NULL, phone = NULL WHERE id = ?", (row["id"],))
            counts["appointments"] += 1
        for row in conn.execute(
            "SELECT * FROM digituki_callbacks WHERE status != 'open' AND name IS NOT NULL"
            " AND substr(closed_at, 1, 10) <= ?",
            (cutoff,),
        ).fetchall():
            conn.execute(
                "INSERT INTO digituki_stats (day, branch, channel, topic, wait_seconds, outcome, referral)"
                " VALUES (?, ?, 'callback', ?, ?, ?, ?)",
                (row["closed_at"][:10], row["branch"] or desk.branch, row["topic"],
                 int((_moment(row["closed_at"]) - _moment(row["received_at"])).total_seconds()),
                 row["outcome"], row["referral"]),
            )
            conn.execute("UPDATE digituki_callbacks SET name = NULL, phone = NULL WHERE id = ?", (row["id"],))
            conn.execute("UPDATE digituki_call_attempts SET note = NULL WHERE callback_id = ?", (row["id"],))
            counts["callbacks"] += 1
    return counts


# --- statistics -----------------------------------------------------------------------------------

STAT_GROUPS = ("week", "month", "topic", "branch", "outcome", "device", "channel", "referral")


@dataclass(frozen=True)
class StatRow:
    group: str
    count: int
    average_wait_minutes: float | None
    average_service_minutes: float | None
    cap_hits: int


def digituki_stats(desk: DeskContext, start: date, end: date, by: str = "topic") -> list[StatRow]:
    """The kept figures between two days (inclusive), grouped by `by`."""
    if by not in STAT_GROUPS:
        raise invalid("stats_group", value=by)
    if end < start:
        raise invalid("date_order")
    key = {
        "week": "strftime('%Y-W%W', day)",
        "month": "substr(day, 1, 7)",
        "outcome": "COALESCE(outcome, 'none')",
        "referral": "COALESCE(referral, '-')",
        "device": "COALESCE(device, '-')",
    }.get(by, by)
    rows = desk.conn.execute(
        f"SELECT {key} AS grp, COUNT(*) AS n, AVG(wait_seconds) / 60.0 AS wait,"  # noqa: S608 (key is ours)
        " AVG(service_seconds) / 60.0 AS service, SUM(cap_hit) AS caps"
        " FROM digituki_stats WHERE day BETWEEN ? AND ? GROUP BY grp ORDER BY grp",
        (start.isoformat(), end.isoformat()),
    ).fetchall()
    return [StatRow(r["grp"], r["n"], r["wait"], r["service"], r["caps"] or 0) for r in rows]


def digituki_stats_rows(desk: DeskContext, start: date, end: date) -> list[sqlite3.Row]:
    """Every kept row between two days, for a report to the network (CSV)."""
    return desk.conn.execute(
        "SELECT day, branch, channel, topic, device, wait_seconds, service_seconds, outcome, referral, cap_hit"
        " FROM digituki_stats WHERE day BETWEEN ? AND ? ORDER BY day, id",
        (start.isoformat(), end.isoformat()),
    ).fetchall()


class Digituki(Area):
    """The digi-support queue, visits, referrals, the day's figures."""

    name = "digituki"
    queue_add = call(queue_add)
    queue_view = call(queue_view)
    visit = call(digituki_visit)
    call_next = call(call_next)
    start_visit = call(start_visit)
    pause_visit = call(pause_visit)
    resume_visit = call(resume_visit)
    mark_cap_hit = call(mark_cap_hit)
    finish_visit = call(finish_visit)
    visit_left = call(visit_left)
    referral_services = call(referral_services)
    save_referral_service = call(save_referral_service)
    remove_referral_service = call(remove_referral_service)
    seed_referral_services = call(seed_referral_services)
    close_days = call(close_digituki_days)
    stats = call(digituki_stats)
    stats_rows = call(digituki_stats_rows)
