import pytest

from tiski.core.errors import Refused
from tiski.core.money import format_cents, parse_euros, parse_positive_euros


@pytest.mark.parametrize(
    "typed, cents",
    [("1,50", 150), ("1.50", 150), ("1,5", 150), ("2", 200), ("0,05", 5), ("10.00", 1000), ("10,01", 1001),
     (" 7,00 € ", 700), ("1\u00a0250,00", 125000)],
)
def test_staff_type_euros_with_comma_or_point(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "-1,00", "1,505", "1,,5", "1.5.0", "1e3", "∞", "0x10",
                                   "١٢", "１２", "1,٥٠", "۱۲", "१२", "12,５"])
def test_anything_else_is_refused_as_bad_input(typed):
    """Mutation caught: `\\d` back in the amount pattern (Python's `\\d` and `int()` take
    Arabic-Indic, Persian, Devanagari and full-width digits)."""
    with pytest.raises(Refused) as refused:
        parse_euros(typed)
    assert refused.value.code == "INVALID_INPUT"
    assert refused.value.exit_code == 2


def test_zero_is_not_an_amount_to_pay():
    with pytest.raises(Refused):
        parse_positive_euros("0,00")


@pytest.mark.parametrize("cents, text", [(150, "1,50 €"), (5, "0,05 €"), (100000, "1000,00 €"), (-250, "-2,50 €")])
def test_money_is_shown_the_finnish_way(cents, text):
    assert format_cents(cents) == text


def test_english_uses_a_point():
    assert format_cents(150, ".") == "1.50 €"
