"""The one clock.

`TISKI_NOW` (ISO 8601, local Helsinki time; read by tiski.settings) sets the moment the
desk starts at; from there time runs as on the wall (an offset clock), so a drill's
digi-support timers tick and idle times pass as on a working day. `TISKI_CLOCK=frozen`
stands the clock still at that moment instead, for tests that need every reading the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")

Clock = Callable[[], datetime]

# The years a desk's clock may show. Loan periods, notice days and retention add and take
# months and years: 9999-12-31 or 0001-01-01 would overflow Python's dates in the middle
# of a transaction, so such a moment is refused where it is read.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def parse_moment(text: str) -> datetime:
    """'2026-12-02T14:05' (local) or with an offset -> an aware Helsinki datetime.
    ValueError for anything else, and for a moment outside FIRST_YEAR..LAST_YEAR."""
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
