"""The drill clock: TISKI_NOW sets where the desk's time starts; it then runs on, unless
TISKI_CLOCK=frozen stands it still (the tests)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.clock import HELSINKI, parse_moment
from tiski.i18n import format_day
from tiski.settings import load_settings

NO_FILE = Path("/nonexistent/tiski.toml")
START = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)


def test_tiski_now_starts_a_clock_that_runs_on():
    """A drill's digi-support timers tick. Mutation caught: TISKI_NOW as a fixed moment
    again (the clock never moves), or the offset taken the wrong way round."""
    settings = load_settings({"TISKI_NOW": "2026-12-02T14:05"}, NO_FILE)
    clock = settings.clock()
    first = clock()
    assert abs((first - START).total_seconds()) < 5
    time.sleep(0.05)
    assert clock() > first
    assert not settings.clock_frozen


def test_tiski_clock_frozen_stands_still():
    """Mutation caught: `frozen` ignored (a running clock in the tests)."""
    settings = load_settings({"TISKI_NOW": "2026-12-02T14:05", "TISKI_CLOCK": "frozen"}, NO_FILE)
    clock = settings.clock()
    time.sleep(0.02)
    assert clock() == START and settings.clock_frozen


def test_without_tiski_now_the_wall_clock_whatever_tiski_clock_says():
    settings = load_settings({"TISKI_CLOCK": "frozen"}, NO_FILE)
    assert abs((settings.clock()() - datetime.now(HELSINKI)).total_seconds()) < 5
    assert not settings.clock_frozen


# --- moments typed as the desk shows them (issue 10 #10) ----------------------------------

TODAY = START.date()


@pytest.mark.parametrize("text", ["3.12.2026 10:00", "03.12.2026 10:00", "3.12. 10:00", "3.12 10:00",
                                  "3.12.2026 10.00", "3.12.2026 klo 10.00", " 3.12.2026  10:00 ",
                                  "2026-12-03T10:00", "2026-12-03 10:00", "2026-12-03T10:00+02:00"])
def test_the_ways_to_type_a_moment(text):
    """Mutation caught: the moment parser ISO only again ("3.12.2026 10:00" refused), or
    `3.12. 10:00` read in another year."""
    assert parse_moment(text, TODAY) == datetime(2026, 12, 3, 10, 0, tzinfo=HELSINKI)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31, 23, 59)))
def test_a_moment_as_the_desk_shows_it_reads_back_as_the_same_moment(moment):
    """What the desk prints (`format_day` and HH:MM) is what it reads. Mutation caught:
    day and month swapped, hours and minutes misread, a one-digit day refused."""
    moment = moment.replace(second=0, microsecond=0)
    shown = f"{format_day(moment)} {moment:%H:%M}"
    assert parse_moment(shown).replace(tzinfo=None) == moment
    assert parse_moment(moment.isoformat()).replace(tzinfo=None) == moment


@pytest.mark.parametrize("text", ["3.12. 10:00", "31.2.2026 10:00", "3.12.2026 25:00", "3.12.2026 10:60",
                                  "3.12.2026", "3.12.26 10:00", "3.12.2026T10:00", "tomorrow 10:00",
                                  "3.12.1899 10:00", "3.12.2201 10:00"])
def test_anything_else_is_a_value_error(text):
    """`3.12. 10:00` needs the desk's day to have a year; bad days and times, a day
    without a time, two-digit years and years outside 1900–2200 are refused."""
    with pytest.raises(ValueError):
        parse_moment(text)
