"""The drill clock: TISKI_NOW sets where the desk's time starts; it then runs on, unless
TISKI_CLOCK=frozen stands it still (the tests)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from tiski.clock import HELSINKI
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
