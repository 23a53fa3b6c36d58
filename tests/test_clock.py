"""The drill clock: TISKI_NOW sets where the desk's time starts; it then runs on, unless
TISKI_CLOCK=frozen stands it still (the tests)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tiski.clock import HELSINKI, clock_from_env, clock_is_frozen


def test_tiski_now_starts_a_clock_that_runs_on():
    """A drill's digi-support timers tick. Mutation caught: TISKI_NOW as a fixed moment
    again (the clock never moves), or the offset taken the wrong way round."""
    clock = clock_from_env({"TISKI_NOW": "2026-12-02T14:05"})
    first = clock()
    assert abs((first - datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)).total_seconds()) < 5
    time.sleep(0.05)
    assert clock() > first


def test_tiski_clock_frozen_stands_still():
    """Mutation caught: `frozen` ignored (a running clock in the tests)."""
    clock = clock_from_env({"TISKI_NOW": "2026-12-02T14:05", "TISKI_CLOCK": "frozen"})
    first = clock()
    time.sleep(0.02)
    assert clock() == first == datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)
    assert clock_is_frozen({"TISKI_NOW": "2026-12-02T14:05", "TISKI_CLOCK": "frozen"})
    assert not clock_is_frozen({"TISKI_NOW": "2026-12-02T14:05"})
    assert not clock_is_frozen({"TISKI_CLOCK": "frozen"})  # no TISKI_NOW: the wall clock


def test_without_tiski_now_the_wall_clock():
    clock = clock_from_env({})
    assert abs((clock() - datetime.now(HELSINKI)).total_seconds()) < 5


def test_a_misspelt_tiski_clock_is_refused():
    """A typo must not silently give a running clock in a test run. Mutation caught:
    any other value taken as `running`."""
    with pytest.raises(ValueError):
        clock_from_env({"TISKI_NOW": "2026-12-02T14:05", "TISKI_CLOCK": "frozn"})
