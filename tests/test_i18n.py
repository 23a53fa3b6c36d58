"""Finnish by default; Swedish and English complete, with the same placeholders."""

import string

import pytest

from tiski.core.errors import CODES, Refusal
from tiski.i18n import LANGUAGES, Translator, catalogue, format_day


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_language_has_every_message_with_the_same_placeholders(lang):
    finnish, other = catalogue("fi"), catalogue(lang)
    assert set(other) == set(finnish)
    for key, template in finnish.items():
        assert fields(other[key]) == fields(template), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_refusal_code_has_words(lang):
    messages = catalogue(lang)
    for code in CODES - {"NOT_FOUND"}:
        assert f"error.{code}" in messages, code


def test_finnish_is_the_default():
    assert Translator().lang == "fi"
    assert Translator("sv_FI.UTF-8").lang == "sv"
    assert Translator("en").lang == "en"


def test_money_and_dates_are_formatted_per_language():
    from datetime import date

    refusal = Refusal("FEES_OVER_LIMIT", {"balance_cents": 1001, "limit_cents": 1000})
    assert "10,01 €" in Translator("fi").refusal(refusal)
    assert "10.01 €" in Translator("en").refusal(refusal)
    assert format_day(date(2026, 12, 2)) == "2.12.2026"


def test_outside_text_cannot_smuggle_escape_sequences():
    message = Translator("fi")("input.amount", value="\x1b[2J1,50")
    assert "\x1b" not in message
