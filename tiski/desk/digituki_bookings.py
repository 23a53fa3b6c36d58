"""Digital support by arrangement: the hours, booked appointments ("lainaa
kirjastolainen") and call-back requests (remote support by phone only)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ..clock import HELSINKI, parse_moment, stamp
from ..core import digituki as rules
from ..core.calendar import WEEKDAYS
from ..core.errors import Refusal, Refused, invalid, refuse
from ..core.text import clean_phone, clean_text
from .area import Area, call
from .context import DeskContext, raise_first
from .digituki import Appointment, _choice, _moment

# --- hours --------------------------------------------------------------------------------

def add_hours(desk: DeskContext, weekday: str, starts: str, ends: str, *, kind: str = "drop_in",
              slot_minutes: int | None = None, helper: str | None = None, branch: str | None = None) -> int:
    """Drop-in hours (e.g. Wednesdays 12–14) or hours for booked appointments."""
    if weekday.lower() not in WEEKDAYS:
        raise invalid("weekdays", value=weekday)
    _choice(kind, ("drop_in", "appointments"), "hours_kind")
    try:
        start, end = time.fromisoformat(starts), time.fromisoformat(ends)
    except ValueError:
        raise invalid("closing_time") from None
    if end <= start:
        raise invalid("hours_order")
    if kind == "appointments":
        slot_minutes = slot_minutes or desk.policy.digituki_appointment_minutes
        if not 10 <= slot_minutes <= 240:
            raise invalid("slot_minutes")
    with desk.write():
        code = desk.known_branch(branch)
        return desk.conn.execute(
            "INSERT INTO digituki_schedule (branch, kind, weekday, starts, ends, slot_minutes, helper)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code, kind, WEEKDAYS.index(weekday.lower()), start.strftime("%H:%M"), end.strftime("%H:%M"),
             slot_minutes if kind == "appointments" else None,
             clean_text(helper, "helper", required=False, max_length=40)),
        ).lastrowid


def remove_hours(desk: DeskContext, hours_id: int) -> None:
    with desk.write():
        if not desk.conn.execute("DELETE FROM digituki_schedule WHERE id = ?", (hours_id,)).rowcount:
            raise refuse("NOT_FOUND", what="hours")


def digituki_hours(desk: DeskContext) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT * FROM digituki_schedule WHERE branch = ? ORDER BY kind, weekday, starts", (desk.branch,))]


# --- appointments ------------------------------------------------------------------------------

def _appointment(row) -> Appointment:
    return Appointment(row["id"], _moment(row["starts_at"]), row["minutes"], row["name"], row["phone"],
                       row["topic"], row["helper"], row["status"])


def appointments_on(desk: DeskContext, day: date) -> list[Appointment]:
    return [_appointment(r) for r in desk.conn.execute(
        "SELECT * FROM digituki_appointments WHERE branch = ? AND substr(starts_at, 1, 10) = ?"
        " ORDER BY starts_at, id",
        (desk.branch, day.isoformat()),
    )]


def free_slots(desk: DeskContext, day: date) -> list[tuple[datetime, str | None, int]]:
    """(start, helper, minutes) of the bookable times of a day still free."""
    if not desk.calendar(desk.branch).is_open(day):
        return []
    taken = [
        (a.starts_at, a.starts_at + timedelta(minutes=a.minutes), a.helper)
        for a in appointments_on(desk, day) if a.status in ("booked", "arrived")
    ]
    out = []
    for row in desk.conn.execute(
        "SELECT * FROM digituki_schedule WHERE branch = ? AND kind = 'appointments' AND weekday = ?"
        " ORDER BY starts", (desk.branch, day.weekday())):
        minutes = row["slot_minutes"]
        for start in rules.slots(time.fromisoformat(row["starts"]), time.fromisoformat(row["ends"]), minutes):
            begins = datetime.combine(day, start, HELSINKI)
            ends = begins + timedelta(minutes=minutes)
            clash = any(b < ends and begins < e and (h == row["helper"] or h is None or row["helper"] is None)
                        for b, e, h in taken)
            if not clash and begins > desk.now():
                out.append((begins, row["helper"], minutes))
    return sorted(out, key=lambda s: (s[0], s[1] or ""))


def book(desk: DeskContext, starts_at: str | datetime, name: str, topic: str, *, phone: str | None = None,
         helper: str | None = None) -> Appointment:
    """Book one of the free times."""
    name = clean_text(name, "name", max_length=40)
    phone = clean_phone(phone)
    _choice(topic, rules.TOPICS, "topic")
    try:
        moment = starts_at if isinstance(starts_at, datetime) else parse_moment(str(starts_at))
    except ValueError:
        raise invalid("moment", field="starts_at") from None
    with desk.write():
        match = [s for s in free_slots(desk, moment.date()) if s[0] == moment and (helper is None or s[1] in
                                                                                   (helper, None))]
        if not match:
            raise refuse("SLOT_TAKEN")
        begins, slot_helper, minutes = match[0]
        appointment_id = desk.conn.execute(
            "INSERT INTO digituki_appointments (branch, helper, starts_at, minutes, name, phone, topic, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (desk.branch, helper or slot_helper, stamp(begins), minutes, name, phone, topic, stamp(desk.now())),
        ).lastrowid
        row = desk.conn.execute("SELECT * FROM digituki_appointments WHERE id = ?", (appointment_id,)).fetchone()
    return _appointment(row)


def _set_appointment(desk: DeskContext, appointment_id: int, status: str) -> Appointment:
    with desk.write():
        row = desk.conn.execute("SELECT * FROM digituki_appointments WHERE id = ?", (appointment_id,)).fetchone()
        if row is None:
            raise refuse("NOT_FOUND", what="appointment")
        if row["status"] != "booked":
            raise invalid("visit_state", value=row["status"])
        desk.conn.execute("UPDATE digituki_appointments SET status = ? WHERE id = ?", (status, appointment_id))
        row = desk.conn.execute("SELECT * FROM digituki_appointments WHERE id = ?", (appointment_id,)).fetchone()
    return _appointment(row)


def cancel_appointment(desk: DeskContext, appointment_id: int) -> Appointment:
    return _set_appointment(desk, appointment_id, "cancelled")


def no_show(desk: DeskContext, appointment_id: int) -> Appointment:
    return _set_appointment(desk, appointment_id, "no_show")


def appointment_arrived(desk: DeskContext, appointment_id: int, device: str = "own_phone",
                        language: str = "fi"):
    """The booked patron is here: they join the day's list and their helper starts."""
    from .digituki import start_visit

    appointment = _set_appointment(desk, appointment_id, "arrived")
    _choice(device, rules.DEVICES, "device")
    with desk.write():
        conn, now = desk.conn, desk.now()
        number = conn.execute(
            "SELECT COALESCE(MAX(queue_no), 0) + 1 FROM digituki_visits WHERE branch = ? AND day = ?",
            (desk.branch, now.date().isoformat()),
        ).fetchone()[0]
        visit_id = conn.execute(
            "INSERT INTO digituki_visits (branch, day, queue_no, name, topic, device, language, appointment_id,"
            " arrived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (desk.branch, now.date().isoformat(), number, appointment.name, appointment.topic, device, language,
             appointment_id, stamp(now)),
        ).lastrowid
    return start_visit(desk, visit_id, appointment.helper or desk.staff)


# --- call-back requests --------------------------------------------------------------------------

@dataclass(frozen=True)
class Callback:
    id: int
    name: str | None
    phone: str | None
    topic: str
    wish_from: datetime | None
    wish_to: datetime | None
    received_at: datetime
    due_by: datetime
    source: str
    status: str
    attempts: int
    overdue: bool


def _callback(desk: DeskContext, row) -> Callback:
    attempts = desk.conn.execute(
        "SELECT COUNT(*) FROM digituki_call_attempts WHERE callback_id = ?", (row["id"],)).fetchone()[0]
    due = _moment(row["due_by"])
    return Callback(row["id"], row["name"], row["phone"], row["topic"], _moment(row["wish_from"]),
                    _moment(row["wish_to"]), _moment(row["received_at"]), due, row["source"], row["status"],
                    attempts, row["status"] == "open" and due < desk.now())


def _prepare_callback(desk: DeskContext, name: str, phone: str, topic: str, wish_from: str | None,
                      wish_to: str | None, received: datetime) -> tuple:
    name = clean_text(name, "name", max_length=40)
    phone = clean_phone(phone)
    if phone is None:
        raise invalid("required", field="phone")
    _choice(topic, rules.TOPICS, "topic")
    try:
        start = parse_moment(wish_from) if wish_from else None
        end = parse_moment(wish_to) if wish_to else None
    except ValueError:
        raise invalid("moment", field="wish") from None
    if start and end and end <= start:
        raise invalid("hours_order")
    due = rules.callback_due(received, desk.calendar(desk.branch), desk.policy.digituki_callback_working_days)
    return (desk.branch, name, phone, topic, stamp(start) if start else None, stamp(end) if end else None,
            stamp(received), stamp(due))


def add_callback(desk: DeskContext, name: str, phone: str, topic: str, *, wish_from: str | None = None,
                 wish_to: str | None = None, source: str = "staff") -> Callback:
    """A request to be called back (by phone only: the patron keeps control of the device)."""
    _choice(source, ("staff", "web"), "source")
    values = _prepare_callback(desk, name, phone, topic, wish_from, wish_to, desk.now())
    with desk.write():
        callback_id = desk.conn.execute(
            "INSERT INTO digituki_callbacks (branch, name, phone, topic, wish_from, wish_to, received_at, due_by,"
            " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, source),
        ).lastrowid
    return callback(desk, callback_id)


def import_callbacks(desk: DeskContext, path: Path) -> tuple[int, list[tuple[int, Refusal]]]:
    """Requests from the web form (CSV: name, phone, topic, wish_from, wish_to, received_at).
    One bad row and nothing is imported; every bad row is reported."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("csv_encoding") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or not {"name", "phone", "topic"} <= {f.strip().lower() for f in reader.fieldnames}:
        raise invalid("csv_header", columns="name, phone, topic, wish_from, wish_to, received_at")
    prepared, errors = [], []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            received = parse_moment(row["received_at"]) if row.get("received_at") else desk.now()
            prepared.append(_prepare_callback(desk, row.get("name", ""), row.get("phone", ""), row.get("topic", ""),
                                              row.get("wish_from") or None, row.get("wish_to") or None, received))
        except Refused as refused:
            errors.append((reader.line_num, refused.first))
        except ValueError:
            errors.append((reader.line_num, Refusal("INVALID_INPUT", {"what": "moment", "field": "received_at"})))
    if errors:
        return 0, errors
    with desk.write():
        desk.conn.executemany(
            "INSERT INTO digituki_callbacks (branch, name, phone, topic, wish_from, wish_to, received_at, due_by,"
            " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'web')",
            prepared,
        )
    return len(prepared), []


def callback(desk: DeskContext, callback_id: int) -> Callback:
    row = desk.conn.execute("SELECT * FROM digituki_callbacks WHERE id = ?", (callback_id,)).fetchone()
    if row is None:
        raise refuse("NOT_FOUND", what="callback")
    return _callback(desk, row)


def callbacks(desk: DeskContext, include_closed: bool = False) -> list[Callback]:
    """Open requests, the one due first on top."""
    rows = desk.conn.execute(
        "SELECT * FROM digituki_callbacks WHERE status = 'open' OR ? ORDER BY julianday(due_by), id",
        (int(include_closed),),
    ).fetchall()
    return [_callback(desk, r) for r in rows]


def log_call(desk: DeskContext, callback_id: int, result: str, note: str | None = None) -> tuple[Callback,
                                                                                                 tuple[str, ...]]:
    _choice(result, rules.CALL_RESULTS, "call_result")
    removed: tuple[str, ...] = ()
    if note and note.strip():
        note, removed = rules.redact(note.strip())
        note = clean_text(note, "note", max_length=rules.NOTE_LIMIT)
    else:
        note = None
    with desk.write():
        current = callback(desk, callback_id)
        if current.status != "open":
            raise invalid("visit_state", value=current.status)
        desk.conn.execute(
            "INSERT INTO digituki_call_attempts (callback_id, at, staff, result, note) VALUES (?, ?, ?, ?, ?)",
            (callback_id, stamp(desk.now()), desk.staff, result, note),
        )
    return callback(desk, callback_id), removed


def close_callback(desk: DeskContext, callback_id: int, outcome: str, referral: str | None = None) -> Callback:
    referral = clean_text(referral, "referral", required=False, max_length=100)
    raise_first(rules.finish_refusals(outcome, referral))
    with desk.write():
        current = callback(desk, callback_id)
        if current.status != "open":
            raise invalid("visit_state", value=current.status)
        desk.conn.execute(
            "UPDATE digituki_callbacks SET status = 'done', outcome = ?, referral = ?, closed_at = ? WHERE id = ?",
            (outcome, referral, stamp(desk.now()), callback_id),
        )
    return callback(desk, callback_id)


class Bookings(Area):
    """Digi-support hours, appointments and call-back requests."""

    name = "bookings"
    add_hours = call(add_hours)
    remove_hours = call(remove_hours)
    hours = call(digituki_hours)
    appointments_on = call(appointments_on)
    free_slots = call(free_slots)
    book = call(book)
    cancel_appointment = call(cancel_appointment)
    no_show = call(no_show)
    appointment_arrived = call(appointment_arrived)
    add_callback = call(add_callback)
    import_callbacks = call(import_callbacks)
    callback = call(callback)
    callbacks = call(callbacks)
    log_call = call(log_call)
    close_callback = call(close_callback)
