"""Digital support by arrangement: the hours, booked appointments ("lainaa
kirjastolainen") and call-back requests (remote support by phone only)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ..clock import HELSINKI, parse_moment
from ..core import digituki as rules
from ..core.calendar import WEEKDAYS
from ..core.errors import Refusal, Refused, invalid, refuse
from ..core.text import clean_phone, clean_text
from ..store import digituki as store
from ..store.digituki import Appointment, CallbackRecord, NewCallback, ScheduledHours
from .area import Area, call
from .context import DeskContext, raise_first
from .digituki import Visit, changing_queue, start_visit

__all__ = ["Bookings", "Callback"]

# --- hours --------------------------------------------------------------------------------

def add_hours(desk: DeskContext, weekday: str, starts: str, ends: str, *, kind: str = "drop_in",
              slot_minutes: int | None = None, helper: str | None = None, branch: str | None = None) -> int:
    """Drop-in hours (e.g. Wednesdays 12–14) or hours for booked appointments."""
    if weekday.lower() not in WEEKDAYS:
        raise invalid("weekdays", value=weekday)
    rules.check_choice(kind, ("drop_in", "appointments"), "hours_kind")
    try:
        start, end = time.fromisoformat(starts), time.fromisoformat(ends)
    except ValueError:
        raise invalid("closing_time") from None
    if end <= start:
        raise invalid("hours_order")
    if kind == "appointments":
        slot_minutes = slot_minutes or desk.policy.digituki_appointment_minutes
        if slot_minutes not in rules.SLOT_MINUTES:
            raise invalid("slot_minutes")
    else:
        slot_minutes = None
    helper = clean_text(helper, "helper", required=False, max_length=40)
    with desk.write():
        return store.add_hours(desk.conn, desk.known_branch(branch), kind, WEEKDAYS.index(weekday.lower()), start,
                               end, slot_minutes, helper)


def remove_hours(desk: DeskContext, hours_id: int) -> None:
    with desk.write():
        if not store.remove_hours(desk.conn, hours_id):
            raise refuse("NOT_FOUND", what="hours")


def digituki_hours(desk: DeskContext) -> list[ScheduledHours]:
    return store.hours(desk.conn, desk.branch)


# --- appointments ------------------------------------------------------------------------------

def appointments_on(desk: DeskContext, day: date) -> list[Appointment]:
    return store.appointments_on(desk.conn, desk.branch, day)


def free_slots(desk: DeskContext, day: date) -> list[tuple[datetime, str | None, int]]:
    """(start, helper, minutes) of the bookable times of a day still free."""
    if not desk.calendar(desk.branch).is_open(day):
        return []
    taken = [
        (a.starts_at, a.starts_at + timedelta(minutes=a.minutes), a.helper)
        for a in appointments_on(desk, day) if a.status in ("booked", "arrived")
    ]
    out = []
    for hours in store.hours(desk.conn, desk.branch, "appointments", day.weekday()):
        minutes = hours.slot_minutes or desk.policy.digituki_appointment_minutes
        for start in rules.slots(hours.starts, hours.ends, minutes):
            begins = datetime.combine(day, start, HELSINKI)
            ends = begins + timedelta(minutes=minutes)
            clash = any(b < ends and begins < e and (h == hours.helper or h is None or hours.helper is None)
                        for b, e, h in taken)
            if not clash and begins > desk.now():
                out.append((begins, hours.helper, minutes))
    return sorted(out, key=lambda s: (s[0], s[1] or ""))


def _appointment(desk: DeskContext, appointment_id: int) -> Appointment:
    appointment = store.appointment(desk.conn, appointment_id)
    if appointment is None:
        raise refuse("NOT_FOUND", what="appointment")
    return appointment


def book(desk: DeskContext, starts_at: str | datetime, name: str, topic: str, *, phone: str | None = None,
         helper: str | None = None) -> Appointment:
    """Book one of the free times."""
    name = clean_text(name, "name", max_length=40)
    phone = clean_phone(phone)
    rules.check_choice(topic, rules.TOPICS, "topic")
    try:
        moment = starts_at if isinstance(starts_at, datetime) else parse_moment(str(starts_at), desk.now().date())
    except ValueError:
        raise invalid("moment", field="starts_at") from None
    with desk.write():
        match = [s for s in free_slots(desk, moment.date())
                 if s[0] == moment and (helper is None or s[1] in (helper, None))]
        if not match:
            raise refuse("SLOT_TAKEN")
        begins, slot_helper, minutes = match[0]
        appointment_id = store.add_appointment(desk.conn, desk.branch, helper or slot_helper, begins, minutes, name,
                                               phone, topic, desk.now())
        return _appointment(desk, appointment_id)


def _set_appointment(desk: DeskContext, appointment_id: int, status: str) -> Appointment:
    with desk.write():
        current = _appointment(desk, appointment_id)
        if current.status != "booked":
            raise invalid("visit_state", value=current.status)
        store.set_appointment_status(desk.conn, appointment_id, status)
        return _appointment(desk, appointment_id)


def cancel_appointment(desk: DeskContext, appointment_id: int) -> Appointment:
    return _set_appointment(desk, appointment_id, "cancelled")


def no_show(desk: DeskContext, appointment_id: int) -> Appointment:
    return _set_appointment(desk, appointment_id, "no_show")


def appointment_arrived(desk: DeskContext, appointment_id: int, device: str = "own_phone",
                        language: str = "fi") -> Visit:
    """The booked patron is here: they join the day's list and their helper starts."""
    rules.check_choice(device, rules.DEVICES, "device")
    rules.check_choice(language, rules.LANGUAGES, "language")
    with changing_queue(desk):
        appointment = _set_appointment(desk, appointment_id, "arrived")
        visit_id = store.add_visit(desk.conn, desk.branch, desk.now(), name=appointment.name, card=None,
                                   topic=appointment.topic, device=device, language=language,
                                   appointment_id=appointment_id)
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


def _callback(desk: DeskContext, r: CallbackRecord) -> Callback:
    return Callback(r.id, r.name, r.phone, r.topic, r.wish_from, r.wish_to, r.received_at, r.due_by, r.source,
                    r.status, r.attempts, r.status == "open" and r.due_by < desk.now())


def _new_callback(desk: DeskContext, name: str, phone: str, topic: str, wish_from: str | None,
                  wish_to: str | None, received: datetime, source: str) -> NewCallback:
    name = clean_text(name, "name", max_length=40)
    cleaned_phone = clean_phone(phone)
    if cleaned_phone is None:
        raise invalid("required", field="phone")
    rules.check_choice(topic, rules.TOPICS, "topic")
    try:
        start = parse_moment(wish_from, desk.now().date()) if wish_from else None
        end = parse_moment(wish_to, desk.now().date()) if wish_to else None
    except ValueError:
        raise invalid("moment", field="wish") from None
    if start and end and end <= start:
        raise invalid("hours_order")
    due = rules.callback_due(received, desk.calendar(desk.branch), desk.policy.digituki_callback_working_days)
    return NewCallback(desk.branch, name, cleaned_phone, topic, start, end, received, due, source)


def add_callback(desk: DeskContext, name: str, phone: str, topic: str, *, wish_from: str | None = None,
                 wish_to: str | None = None, source: str = "staff") -> Callback:
    """A request to be called back (by phone only: the patron keeps control of the device)."""
    rules.check_choice(source, ("staff", "web"), "source")
    request = _new_callback(desk, name, phone, topic, wish_from, wish_to, desk.now(), source)
    with desk.write():
        [callback_id] = store.add_callbacks(desk.conn, [request])
        return callback(desk, callback_id)


def import_callbacks(desk: DeskContext, path: Path) -> tuple[int, list[tuple[int, Refusal]]]:
    """Requests from the web form (CSV: name, phone, topic, wish_from, wish_to, received_at).
    One bad row and nothing is imported; every bad row is reported."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("csv_encoding") from None
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or not {"name", "phone", "topic"} <= {f.strip().lower() for f in reader.fieldnames}:
        raise invalid("csv_header", columns="name, phone, topic, wish_from, wish_to, received_at")
    prepared: list[NewCallback] = []
    errors: list[tuple[int, Refusal]] = []
    for raw in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            received = parse_moment(row["received_at"], desk.now().date()) if row.get("received_at") else desk.now()
            prepared.append(_new_callback(desk, row.get("name", ""), row.get("phone", ""), row.get("topic", ""),
                                          row.get("wish_from") or None, row.get("wish_to") or None, received, "web"))
        except Refused as refused:
            errors.append((reader.line_num, refused.first))
        except ValueError:
            errors.append((reader.line_num, Refusal("INVALID_INPUT", {"what": "moment", "field": "received_at"})))
    if errors:
        return 0, errors
    with desk.write():
        store.add_callbacks(desk.conn, prepared)
    return len(prepared), []


def callback(desk: DeskContext, callback_id: int) -> Callback:
    record = store.callback(desk.conn, callback_id)
    if record is None:
        raise refuse("NOT_FOUND", what="callback")
    return _callback(desk, record)


def callbacks(desk: DeskContext, include_closed: bool = False) -> list[Callback]:
    """Open requests, the one due first on top."""
    return [_callback(desk, r) for r in store.callbacks(desk.conn, include_closed)]


def _open_callback(desk: DeskContext, callback_id: int) -> Callback:
    current = callback(desk, callback_id)
    if current.status != "open":
        raise invalid("visit_state", value=current.status)
    return current


def log_call(desk: DeskContext, callback_id: int, result: str,
             note: str | None = None) -> tuple[Callback, tuple[str, ...]]:
    rules.check_choice(result, rules.CALL_RESULTS, "call_result")
    removed: tuple[str, ...] = ()
    kept_note = None
    if note and note.strip():
        kept_note, removed = rules.redact(note.strip())
        kept_note = clean_text(kept_note, "note", max_length=rules.NOTE_LIMIT)
    with desk.write():
        _open_callback(desk, callback_id)
        store.add_call_attempt(desk.conn, callback_id, desk.now(), desk.staff, result, kept_note)
        return callback(desk, callback_id), removed


def close_callback(desk: DeskContext, callback_id: int, outcome: str, referral: str | None = None) -> Callback:
    referral = clean_text(referral, "referral", required=False, max_length=100)
    raise_first(rules.finish_refusals(outcome, referral))
    with desk.write():
        _open_callback(desk, callback_id)
        store.close_callback(desk.conn, callback_id, outcome, referral, desk.now())
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
