"""Dates are typed as the desk shows them: `2.12.2026`, `2.12.` (this year), or ISO."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.core.errors import Refused
from tiski.core.text import parse_day
from tiski.i18n import format_day

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize("text", ["2.12.2026", "02.12.2026", "2.12.", "2.12", "2026-12-02", " 2.12.2026 "])
def test_the_three_ways_to_type_a_day(text):
    """Mutation caught: any of the forms refused, or `2.12.` read in another year."""
    assert parse_day(text, "day", TODAY) == date(2026, 12, 2)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_day_as_the_desk_shows_it_reads_back_as_the_same_day(day):
    """What the desk prints (format_day) is what it reads. Mutation caught: day and
    month swapped, a two-digit field misread."""
    assert parse_day(format_day(day), "day", TODAY) == day
    assert parse_day(day.isoformat(), "day") == day


@pytest.mark.parametrize("text", ["31.2.2026", "2.13.", "2026-13-01", "2/12/2026", "2.12.26", "tomorrow", "2..12",
                                  "١.١٢.٢٠٢٦"])
def test_anything_else_is_refused_naming_the_field(text):
    with pytest.raises(Refused) as caught:
        parse_day(text, "dropbox_date", TODAY)
    assert caught.value.first.params == {"what": "date", "field": "dropbox_date"}


def test_this_year_needs_a_known_today():
    """Without the desk's day, `2.12.` cannot mean a year: refused, never guessed."""
    with pytest.raises(Refused):
        parse_day("2.12.", "day")
