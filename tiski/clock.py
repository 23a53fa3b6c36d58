"""The one clock.

`TISKI_NOW` (ISO 8601, local Helsinki time; read by tiski.settings) sets the moment the
desk starts at; from there time runs as on the wall (an offset clock), so a drill's
digi-support timers tick and idle times pass as on a working day. `TISKI_CLOCK=frozen`
stands the clock still at that moment instead, for tests that need every reading the same.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")

Clock = Callable[[], datetime]

# The years a desk's clock may show. Loan periods, notice days and retention add and take
# months and years: 9999-12-31 or 0001-01-01 would overflow Python's dates in the middle
# of a transaction, so such a moment is refused where it is read.
FIRST_YEAR, LAST_YEAR = 1900, 2200


# A moment as the desk shows one: `3.12.2026 10:00` (a day as `parse_day` reads it, a
# space, hours and minutes; `10.00` and "klo" as Finns also write them).
_SHOWN_MOMENT = re.compile(
    r"([0-9]{1,2})\.([0-9]{1,2})(?:\.([0-9]{4})?)?\s+(?:klo\s*)?([0-9]{1,2})[:.]([0-9]{2})", re.IGNORECASE)


def parse_moment(text: str, today: date | None = None) -> datetime:
    """A moment as staff type it — as the desk shows it, `3.12.2026 10:00`, or `3.12.
    10:00` in the year of `today` — or ISO `2026-12-03T10:00` (local, or with an offset)
    -> an aware Helsinki datetime. ValueError for anything else (`3.12. 10:00` too when
    `today` is not known), and for a moment outside FIRST_YEAR..LAST_YEAR."""
    shown = _SHOWN_MOMENT.fullmatch(text.strip())
    if shown:
        day, month, year, hour, minute = shown.groups()
        if year is None and today is None:
            raise ValueError("a day without its year needs today's")
        in_year = int(year) if year is not None else today.year if today is not None else 0
        moment = datetime(in_year, int(month), int(day), int(hour), int(minute))
    else:
        moment = datetime.fromisoformat(text.strip())
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"the year must be {FIRST_YEAR}–{LAST_YEAR}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=HELSINKI)
    return moment.astimezone(HELSINKI)


def system_clock() -> datetime:
    return datetime.now(HELSINKI)


def fixed_clock(moment: datetime) -> Clock:
    return lambda: moment


def offset_clock(start: datetime) -> Clock:
    """A clock that reads `start` now and runs on from there at the wall's pace."""
    offset = start - system_clock()
    return lambda: system_clock() + offset


class ManualClock:
    """A clock a test or drill moves by hand."""

    def __init__(self, start: datetime):
        self.moment = start if start.tzinfo else start.replace(tzinfo=HELSINKI)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.moment = moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)


def stamp(moment: datetime) -> str:
    """How moments are stored: ISO 8601, seconds, with the offset."""
    return moment.astimezone(HELSINKI).isoformat(timespec="seconds")
