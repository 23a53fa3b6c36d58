"""Digital support at the desk: the walk-in queue, the people being helped, the
directory of services to refer to, the end-of-day erasure and the statistics.

The cap is recorded here, not by a screen: whenever the queue is read or changed,
each visit helped past the policy's cap while someone waited (as the core decides)
is marked — so the statistics count it with or without a TUI open."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..core import digituki as rules
from ..core.errors import invalid, refuse
from ..core.policy import Policy
from ..core.text import clean_card, clean_text
from ..resources import data_file
from ..store import digituki as store
from ..store.digituki import Appointment, KeptRow, Service, StatRow, VisitRecord
from .area import Area, call
from .context import DeskContext, raise_first

__all__ = ["Appointment", "Digituki", "QueueView", "Service", "StatRow", "Visit"]


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
    changes_at: datetime | None = None  # when the timer turns to warning or over, the queue staying as it is

    @property
    def label(self) -> str:
        return f"#{self.queue_no} {self.name}" if self.name else f"#{self.queue_no}"


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
    cap_minutes: int | None  # the cap in force: None while nobody waits


def _visit(record: VisitRecord, now: datetime, waiting: int, policy: Policy, estimate: int | None = None) -> Visit:
    elapsed, timer, changes_at = 0, None, None
    if record.started_at is not None:
        elapsed = rules.elapsed_seconds(record.started_at, record.paused_seconds, record.paused_at,
                                        record.finished_at or now)
        others = waiting if record.status in ("serving", "paused") else 0
        cap, warn = policy.digituki_cap_minutes, policy.digituki_warn_minutes
        timer = rules.timer_state(elapsed, others, cap, warn)
        if record.status == "serving":
            seconds = rules.timer_changes_in(elapsed, others, cap, warn)
            changes_at = now + timedelta(seconds=seconds) if seconds is not None else None
    return Visit(
        id=record.id, queue_no=record.queue_no, name=record.name, topic=record.topic, device=record.device,
        language=record.language, status=record.status, helper=record.helper, arrived_at=record.arrived_at,
        started_at=record.started_at, elapsed=elapsed, timer=timer, estimate=estimate,
        appointment_id=record.appointment_id, cap_hit=record.cap_hit, changes_at=changes_at,
    )


def _record_caps(desk: DeskContext) -> None:
    """Inside a write: mark every visit helped past the cap while someone waits."""
    now = desk.now()
    visits = store.open_visits(desk.conn, desk.branch, now.date())
    waiting = sum(v.status == "waiting" for v in visits)
    store.record_cap_hits(desk.conn, [
        v.id for v in visits
        if v.started_at is not None and not v.cap_hit and rules.cap_reached(
            rules.elapsed_seconds(v.started_at, v.paused_seconds, v.paused_at, now), waiting,
            desk.policy.digituki_cap_minutes)
    ])


@contextmanager
def changing_queue(desk: DeskContext) -> Iterator[None]:
    """One write that changes the queue: the cap is recorded as the queue stood before
    the change (since the last change it stood so) and as it stands after."""
    with desk.write():
        _record_caps(desk)
        yield
        _record_caps(desk)


def _record(desk: DeskContext, visit_id: int) -> VisitRecord:
    record = store.visit(desk.conn, visit_id)
    if record is None:
        raise refuse("NOT_FOUND", what="visit")
    return record


# --- the queue --------------------------------------------------------------------------

def queue_add(desk: DeskContext, name: str | None, topic: str, device: str, language: str = "fi",
              card: str | None = None) -> Visit:
    """Someone joins the queue: a first name or just a queue number; the card is optional."""
    name = clean_text(name, "name", required=False, max_length=40)
    card = clean_card(card) if card and card.strip() else None
    rules.check_choice(topic, rules.TOPICS, "topic")
    rules.check_choice(device, rules.DEVICES, "device")
    rules.check_choice(language, rules.LANGUAGES, "language")
    with changing_queue(desk):
        visit_id = store.add_visit(desk.conn, desk.branch, desk.now(), name=name, card=card, topic=topic,
                                   device=device, language=language)
        return digituki_visit(desk, visit_id)


def _queue_view(desk: DeskContext) -> QueueView:
    conn, now, branch, policy = desk.conn, desk.now(), desk.branch, desk.policy
    visits = store.open_visits(conn, branch, now.date())
    waiting_records = [v for v in visits if v.status == "waiting"]
    serving_records = [v for v in visits if v.status != "waiting"]
    since = now.date() - timedelta(days=policy.digituki_estimate_window_days)
    average = rules.average_service_minutes(store.recent_service_seconds(conn, branch, since),
                                            policy.digituki_estimate_minutes)
    helpers = max(1, len({v.helper for v in serving_records if v.helper})
                  or store.helpers_since(conn, branch, now - timedelta(hours=2)))
    serving = tuple(_visit(v, now, len(waiting_records), policy) for v in serving_records)
    remaining = [max(0.0, average - v.elapsed / 60) for v in serving]
    waits = rules.estimate_waits(len(waiting_records), helpers, average, remaining)
    waiting = tuple(_visit(v, now, len(waiting_records), policy, w) for v, w in zip(waiting_records, waits))
    hours = store.drop_in_hours(conn, branch)
    current = rules.current_hours(hours, now)
    return QueueView(
        now=now,
        hours_now=current,
        minutes_left=rules.minutes_left(current, now) if current else None,
        next_hours=None if current else rules.next_hours(hours, now),
        serving=serving,
        waiting=waiting,
        appointments=tuple(a for a in store.appointments_on(conn, branch, now.date()) if a.status == "booked"),
        average_minutes=average,
        helpers=helpers,
        cap_minutes=policy.digituki_cap_minutes if waiting else None,
    )


def queue_view(desk: DeskContext) -> QueueView:
    """Who is being helped, who waits and for how long. A cap reached since the queue
    was last read or changed is recorded first."""
    view = _queue_view(desk)
    if any(v.timer == "over" and not v.cap_hit for v in view.serving):
        with desk.write():
            _record_caps(desk)
            view = _queue_view(desk)
    return view


def queue_version(desk: DeskContext) -> int:
    """Changes whenever another desk has changed the register: the queue is worth reading again."""
    return desk.register_version()


def digituki_visit(desk: DeskContext, visit_id: int) -> Visit:
    record = _record(desk, visit_id)
    return _visit(record, desk.now(), store.waiting_count(desk.conn, record.branch, record.day), desk.policy)


def call_next(desk: DeskContext, helper: str | None = None) -> Visit:
    """First come, first served: the longest-waiting person starts with this helper."""
    with changing_queue(desk):
        visit_id = store.first_waiting(desk.conn, desk.branch, desk.today())
        if visit_id is None:
            raise refuse("NOT_FOUND", what="queue_empty")
        return start_visit(desk, visit_id, helper)


def start_visit(desk: DeskContext, visit_id: int, helper: str | None = None) -> Visit:
    """Start with a particular person (someone with an appointment, say)."""
    helper = clean_text(helper, "helper", required=False, max_length=40) or desk.staff
    with changing_queue(desk):
        rules.visit_moves_to(_record(desk, visit_id).status, "start")
        store.start_visit(desk.conn, visit_id, helper, desk.now())
        return digituki_visit(desk, visit_id)


def pause_visit(desk: DeskContext, visit_id: int) -> Visit:
    """The patron fetches a device, makes a call…: the timer stops."""
    with changing_queue(desk):
        rules.visit_moves_to(_record(desk, visit_id).status, "pause")
        store.pause_visit(desk.conn, visit_id, desk.now())
        return digituki_visit(desk, visit_id)


def _paused_seconds(record: VisitRecord, now: datetime) -> int:
    """The pauses so far, the one under way included."""
    running = int((now - record.paused_at).total_seconds()) if record.paused_at else 0
    return record.paused_seconds + max(0, running)


def resume_visit(desk: DeskContext, visit_id: int) -> Visit:
    with changing_queue(desk):
        record = _record(desk, visit_id)
        rules.visit_moves_to(record.status, "resume")
        store.resume_visit(desk.conn, visit_id, _paused_seconds(record, desk.now()))
        return digituki_visit(desk, visit_id)


def finish_visit(desk: DeskContext, visit_id: int, outcome: str, *, topic: str | None = None,
                 referral: str | None = None, note: str | None = None) -> tuple[Visit, tuple[str, ...]]:
    """Done: the outcome, the topic as it turned out, where the patron was referred.
    A note is optional and short; what must not be kept is taken out (and said so)."""
    referral = clean_text(referral, "referral", required=False, max_length=100)
    raise_first(rules.finish_refusals(outcome, referral))
    if topic is not None:
        rules.check_choice(topic, rules.TOPICS, "topic")
    removed: tuple[str, ...] = ()
    kept_note = None
    if note is not None and note.strip():
        kept_note, removed = rules.redact(note.strip())
        if len(kept_note) > rules.NOTE_LIMIT:
            raise invalid("too_long", field="note", limit=rules.NOTE_LIMIT)
        kept_note = clean_text(kept_note, "note", required=False, max_length=rules.NOTE_LIMIT)
    with changing_queue(desk):
        record = _record(desk, visit_id)
        rules.visit_moves_to(record.status, "finish")
        now = desk.now()
        store.finish_visit(desk.conn, visit_id, now, paused_seconds=_paused_seconds(record, now), outcome=outcome,
                           topic=topic, referral=referral, note=kept_note)
        return digituki_visit(desk, visit_id), removed


def visit_left(desk: DeskContext, visit_id: int) -> Visit:
    """Someone left the queue before their turn."""
    with changing_queue(desk):
        rules.visit_moves_to(_record(desk, visit_id).status, "leave")
        store.visit_left(desk.conn, visit_id, desk.now())
        return digituki_visit(desk, visit_id)


# --- the directory of services -------------------------------------------------------------

def referral_services(desk: DeskContext, include_inactive: bool = False) -> list[Service]:
    return store.services(desk.conn, include_inactive)


def save_referral_service(desk: DeskContext, name: str, kind: str = "other", phone: str | None = None,
                          address: str | None = None, url: str | None = None, note: str | None = None) -> Service:
    """Add a service to refer to, or update the one with that name."""
    cleaned = clean_text(name, "name", max_length=100)
    with desk.write():
        store.save_service(
            desk.conn, cleaned, clean_text(kind, "kind", max_length=40),
            clean_text(phone, "phone", required=False, max_length=40),
            clean_text(address, "address", required=False, max_length=200),
            clean_text(url, "url", required=False, max_length=200),
            clean_text(note, "note", required=False, max_length=300),
        )
        return next(s for s in store.services(desk.conn) if s.name == cleaned)


def remove_referral_service(desk: DeskContext, name: str) -> None:
    with desk.write():
        if not store.retire_service(desk.conn, name):
            raise refuse("NOT_FOUND", what="service")


def seed_referral_services(desk: DeskContext) -> int:
    """The starting directory (data/digituki_services.toml), for a register without one."""
    with desk.write():
        if store.has_services(desk.conn):
            return 0
        entries = tomllib.loads(data_file("digituki_services.toml").read_text(encoding="utf-8"))["service"]
        for entry in entries:
            save_referral_service(desk, **entry)
        return len(entries)


# --- the end of the day ----------------------------------------------------------------------

def _kept_visit(v: VisitRecord) -> KeptRow:
    begun = v.started_at or v.finished_at or v.arrived_at
    service = None
    if v.started_at is not None and v.finished_at is not None:
        service = rules.elapsed_seconds(v.started_at, v.paused_seconds, None, v.finished_at)
    return KeptRow(v.day, v.branch, "appointment" if v.appointment_id else "walk_in", v.topic, v.device,
                   max(0, int((begun - v.arrived_at).total_seconds())), service, v.outcome, v.referral, v.cap_hit)


def close_digituki_days(desk: DeskContext, include_today: bool = False) -> dict[str, int]:
    """Erase the personal details of finished days; keep only the anonymous figures:
    date, branch, topic, device, wait, service time, outcome, referral, cap reached."""
    today, conn = desk.today(), desk.conn
    last = today if include_today else today - timedelta(days=1)
    if not (store.visits_to_close(conn, last, today) or store.named_appointments_until(conn, last)
            or store.named_callbacks_closed_until(conn, last)):
        return {"visits": 0, "appointments": 0, "callbacks": 0}  # nothing to close: no write, no audit row
    with desk.write():
        visits = store.visits_to_close(conn, last, today)
        store.keep(conn, [_kept_visit(v) for v in visits])
        store.delete_visits(conn, [v.id for v in visits])
        appointments = store.named_appointments_until(conn, last)
        store.keep(conn, [KeptRow(a.starts_at.date(), a.branch, "appointment", a.topic, None, None, None, None, None,
                                  False) for a in appointments if a.status in ("booked", "no_show")])
        store.erase_appointments(conn, [a.id for a in appointments])
        callbacks = store.named_callbacks_closed_until(conn, last)
        store.keep(conn, [
            KeptRow(c.closed_at.date(), c.branch or desk.branch, "callback", c.topic, None,
                    int((c.closed_at - c.received_at).total_seconds()), None, c.outcome, c.referral, False)
            for c in callbacks if c.closed_at is not None])
        store.erase_callbacks(conn, [c.id for c in callbacks])
    return {"visits": len(visits), "appointments": len(appointments), "callbacks": len(callbacks)}


# --- statistics -----------------------------------------------------------------------------------

def _period(start: date, end: date) -> None:
    if end < start:
        raise invalid("date_order")


def digituki_stats(desk: DeskContext, start: date, end: date, by: str = "topic") -> list[StatRow]:
    """The kept figures between two days (inclusive), grouped by `by`."""
    rules.check_choice(by, rules.STAT_GROUPS, "stats_group")
    _period(start, end)
    return store.stats(desk.conn, start, end, by)


def digituki_stats_rows(desk: DeskContext, start: date, end: date) -> list[KeptRow]:
    """Every kept row between two days, for a report to the network (CSV)."""
    _period(start, end)
    return store.kept_rows(desk.conn, start, end)


class Digituki(Area):
    """The digi-support queue, visits, referrals, the day's figures."""

    name = "digituki"
    queue_add = call(queue_add)
    queue_view = call(queue_view)
    queue_version = call(queue_version)
    visit = call(digituki_visit)
    call_next = call(call_next)
    start_visit = call(start_visit)
    pause_visit = call(pause_visit)
    resume_visit = call(resume_visit)
    finish_visit = call(finish_visit)
    visit_left = call(visit_left)
    referral_services = call(referral_services)
    save_referral_service = call(save_referral_service)
    remove_referral_service = call(remove_referral_service)
    seed_referral_services = call(seed_referral_services)
    close_days = call(close_digituki_days)
    stats = call(digituki_stats)
    stats_rows = call(digituki_stats_rows)
