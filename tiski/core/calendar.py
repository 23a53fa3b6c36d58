"""Branch calendars: when a branch is open, and the due date that follows from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekdays(text: str) -> frozenset[int]:
    """'sat,sun' -> {5, 6}. Raises ValueError on an unknown day name."""
    days = set()
    for part in text.replace(" ", "").lower().split(","):
        if not part:
            continue
        if part not in WEEKDAYS:
            raise ValueError(part)
        days.add(WEEKDAYS.index(part))
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    return ",".join(WEEKDAYS[d] for d in sorted(days))


@dataclass(frozen=True)
class BranchCalendar:
    code: str
    closes: time
    closed_weekdays: frozenset[int] = frozenset()
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_open(self, day: date) -> bool:
        return day.weekday() not in self.closed_weekdays and day not in self.closures

    def next_open_day(self, day: date) -> date:
        """The day itself when open, else the first open day after it."""
        for offset in range(0, 400):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError(f"branch {self.code} has no open day within 400 days")

    def due_date(self, loaned_on: date, period_days: int) -> date:
        """The loan period from the loan day, moved forward off closed days."""
        return self.next_open_day(loaned_on + timedelta(days=period_days))

    def closing_time(self, day: date) -> datetime:
        """The moment a loan due on `day` ends: when the branch closes (local time)."""
        return datetime.combine(day, self.closes)
