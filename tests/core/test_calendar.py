"""Due dates end at closing time and move off closed days (DOMAIN.md §2)."""

from datetime import date, time

from tiski.core.calendar import BranchCalendar, parse_weekdays

PORI = BranchCalendar("PORI", time(20, 0), parse_weekdays("sun"), frozenset({date(2026, 12, 24), date(2026, 12, 25)}))


def test_four_weeks_from_a_wednesday_is_a_wednesday():
    assert PORI.due_date(date(2026, 12, 2), 28) == date(2026, 12, 30)


def test_a_due_date_on_a_sunday_moves_to_monday():
    assert date(2026, 12, 6).weekday() == 6
    assert PORI.due_date(date(2026, 11, 8), 28) == date(2026, 12, 7)


def test_a_due_date_on_a_holiday_moves_past_every_closed_day():
    # 24.12. (closure) -> 25.12. (closure) -> 26.12. Saturday is open at PORI.
    assert PORI.due_date(date(2026, 11, 26), 28) == date(2026, 12, 26)
    ulvila = BranchCalendar("ULV", time(19), parse_weekdays("sat,sun"), frozenset({date(2026, 12, 25)}))
    # 25.12. Friday closed, then the weekend: Monday 28.12.
    assert ulvila.due_date(date(2026, 11, 27), 28) == date(2026, 12, 28)


def test_the_loan_ends_when_the_branch_closes():
    assert PORI.closing_time(date(2026, 12, 30)).time() == time(20, 0)


def test_weekday_names():
    assert parse_weekdays("sat, SUN") == frozenset({5, 6})
    assert parse_weekdays("") == frozenset()
