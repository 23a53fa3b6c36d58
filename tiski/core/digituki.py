"""Digital support (digituki): the queue's rules. Pure: facts in, answers out.

- A visit moves waiting → serving ⇄ paused → finished, or waiting → left; nothing else.
- While others are queueing, one patron gets at most the policy's cap (30 min);
  with nobody waiting there is no cap (seed 000). Whether the cap was reached is
  decided here, from the service time, the pauses and the queue, and recorded by
  the facade whenever the queue is read or changed — with or without a screen open.
- Waits are estimated from the helpers at work and the recent average service time.
- Call-backs are answered by the next working day (seed 002).
- Notes are short and never keep what identifies or endangers: identity codes, card
  and account numbers, phone numbers, e-mail addresses, anything like a password.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .calendar import BranchCalendar
from .errors import Refusal, invalid, refuse
from .patrons import HETU, PASSWORD_LINES

# The seeds' five help areas, and everything else.
TOPICS = ("device_use", "apps_internet", "library_services", "social_email", "e_services", "other")
DEVICES = ("own_phone", "own_tablet", "own_laptop", "library_computer", "other")
LANGUAGES = ("fi", "sv", "en", "ru", "et", "uk", "ar", "so", "other")
OUTCOMES = ("solved", "partly", "referred", "not_helped")
CALL_RESULTS = ("answered", "no_answer", "busy", "wrong_number")
STAT_GROUPS = ("week", "month", "topic", "branch", "outcome", "device", "channel", "referral")
NOTE_LIMIT = 280
# Appointment slots: shorter is no session, longer than half a day is no slot.
SLOT_MINUTES = range(10, 241)


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """One of the listed values, or bad input naming `what`."""
    if value not in allowed:
        raise invalid(what, value=value)
    return value


# --- a visit's states ----------------------------------------------------------------------

VISIT_MOVES: dict[str, dict[str, str]] = {
    "waiting": {"start": "serving", "leave": "left"},
    "serving": {"pause": "paused", "finish": "finished"},
    "paused": {"resume": "serving", "finish": "finished"},
    "finished": {},
    "left": {},
}


def visit_moves_to(status: str, move: str) -> str:
    """The visit's state after `move`; an illegal move is refused (WRONG_STATE)."""
    after = VISIT_MOVES.get(status, {}).get(move)
    if after is None:
        raise refuse("WRONG_STATE", status=f"visit.{status}")
    return after


# --- timers ----------------------------------------------------------------------------

def elapsed_seconds(started_at: datetime, paused_seconds: int, paused_at: datetime | None, now: datetime) -> int:
    """Time spent helping: from the start, minus the pauses (a running pause counts too)."""
    paused = paused_seconds + (int((now - paused_at).total_seconds()) if paused_at else 0)
    return max(0, int((now - started_at).total_seconds()) - paused)


def cap_reached(elapsed: int, others_waiting: int, cap_minutes: int) -> bool:
    """The cap is reached when the time helped (pauses excluded) is at the cap while
    someone else waits; with nobody waiting there is no cap."""
    return others_waiting > 0 and elapsed >= cap_minutes * 60


def timer_state(elapsed: int, others_waiting: int, cap_minutes: int, warn_minutes: int) -> str:
    """'free' (nobody waits: no cap), 'ok', 'warning' (the cap is near) or 'over'."""
    if others_waiting <= 0:
        return "free"
    if cap_reached(elapsed, others_waiting, cap_minutes):
        return "over"
    if elapsed >= (cap_minutes - warn_minutes) * 60:
        return "warning"
    return "ok"


def timer_changes_in(elapsed: int, others_waiting: int, cap_minutes: int, warn_minutes: int) -> int | None:
    """Seconds of further help until the timer's state changes by itself (the warning,
    then the cap), the queue staying as it is; None when it will not change."""
    if others_waiting <= 0:
        return None
    for threshold in ((cap_minutes - warn_minutes) * 60, cap_minutes * 60):
        if elapsed < threshold:
            return threshold - elapsed
    return None


# --- estimates -------------------------------------------------------------------------

def average_service_minutes(recent_seconds: Sequence[int], default_minutes: int, last: int = 20) -> float:
    """The mean of the latest services (at most `last`), or the policy's guess."""
    recent = [s for s in recent_seconds[-last:] if s > 0]
    if not recent:
        return float(default_minutes)
    return sum(recent) / len(recent) / 60


def estimate_waits(
    waiting: int,
    helpers: int,
    average_minutes: float,
    remaining_in_service: Sequence[float] = (),
) -> list[int]:
    """Minutes each waiting person (first in line first) can expect to wait.

    Every helper frees up when their current patron is done (`remaining_in_service`,
    minutes left by the average; helpers with nobody free up now); then each waiting
    person takes the helper who frees up first, for an average service."""
    if waiting <= 0:
        return []
    helpers = max(1, helpers)
    free_at = sorted(max(0.0, r) for r in remaining_in_service)[:helpers]
    free_at += [0.0] * (helpers - len(free_at))
    heapq.heapify(free_at)
    waits = []
    for _ in range(waiting):
        start = heapq.heappop(free_at)
        waits.append(int(round(start)))
        heapq.heappush(free_at, start + average_minutes)
    return waits


# --- hours ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Hours:
    weekday: int
    starts: time
    ends: time


def current_hours(hours: list[Hours], now: datetime) -> Hours | None:
    """The drop-in session going on now, if any."""
    for h in hours:
        if h.weekday == now.weekday() and h.starts <= now.time() < h.ends:
            return h
    return None


def next_hours(hours: list[Hours], now: datetime) -> tuple[date, Hours] | None:
    """The next drop-in session to come (today later, or within a week)."""
    for offset in range(0, 8):
        day = now.date() + timedelta(days=offset)
        todays = sorted((h for h in hours if h.weekday == day.weekday()), key=lambda h: h.starts)
        for h in todays:
            if offset > 0 or h.starts > now.time():
                return day, h
    return None


def minutes_left(hours: Hours, now: datetime) -> int:
    end = datetime.combine(now.date(), hours.ends, now.tzinfo)
    return max(0, int((end - now).total_seconds() // 60))


def slots(starts: time, ends: time, minutes: int) -> list[time]:
    """Appointment start times that fit between starts and ends."""
    out, moment = [], datetime.combine(date(2000, 1, 1), starts)
    end = datetime.combine(date(2000, 1, 1), ends)
    while moment + timedelta(minutes=minutes) <= end:
        out.append(moment.time())
        moment += timedelta(minutes=minutes)
    return out


# --- call-backs ---------------------------------------------------------------------------

def callback_due(received: datetime, calendar: BranchCalendar, working_days: int = 1) -> datetime:
    """The end of the n-th working day after the request (a working day: Monday to
    Friday on which the branch is open); 0 means the end of the same working day."""
    day = received.date()
    counted = 0
    while True:
        if working_days == 0 and _working(day, calendar):
            break
        day += timedelta(days=1)
        if _working(day, calendar):
            counted += 1
            if counted >= working_days:
                break
    return datetime.combine(day, calendar.closes, received.tzinfo)


def _working(day: date, calendar: BranchCalendar) -> bool:
    return day.weekday() < 5 and calendar.is_open(day)


# --- finishing ------------------------------------------------------------------------------

def finish_refusals(outcome: str, referral: str | None) -> list[Refusal]:
    """Never sent away empty-handed: referred or not helped names where to go."""
    if outcome not in OUTCOMES:
        return [Refusal("INVALID_INPUT", {"what": "outcome", "value": outcome})]
    if outcome in ("referred", "not_helped") and not (referral or "").strip():
        return [Refusal("REFERRAL_MISSING")]
    return []


# --- notes ------------------------------------------------------------------------------------

# An identity code (HETU, in core.patrons): an account number goes first, so an IBAN's
# digits are never mistaken for one.

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("account", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,4})?\b", re.IGNORECASE)),
    ("hetu", HETU),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("card", re.compile(r"\b(?:\d[ -]?){12,19}\b")),
    ("phone", re.compile(r"(?<![\w+])(?:\+\d{1,3}[ -]?)?\(?0?\d{1,3}\)?(?:[ -]?\d{2,4}){2,4}\b")),
    ("card", re.compile(r"\b\d{8,}\b")),
    *(("password", line) for line in PASSWORD_LINES),  # a line naming a password, "ss: kissa123" (core.patrons)
)


def redact(note: str) -> tuple[str, tuple[str, ...]]:
    """The note without what must not be kept, and the kinds removed (to tell staff).
    Lines are joined with ' / ': a note is one short line."""
    text = note
    found: list[str] = []
    for kind, pattern in _PATTERNS:
        text, count = pattern.subn(f"[{kind}]", text)
        if count and kind not in found:
            found.append(kind)
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return text, tuple(found)
