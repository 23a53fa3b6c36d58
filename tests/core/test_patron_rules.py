"""Identity codes, age and the registration rules (DOMAIN.md §1)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.core.errors import Refused
from tiski.core.patrons import (
    Registration,
    age_on,
    birth_date_from_hetu,
    card_number,
    category,
    consent_missing,
    hetu_in,
    mask_hetu,
    validate_hetu,
)
from tiski.desk.context import default_policy

POLICY = default_policy()


@pytest.mark.parametrize(
    "hetu, born",
    [
        ("131052-308T", date(1952, 10, 13)),
        ("131052Y308T", date(1952, 10, 13)),  # 2023 century signs for the 1900s: Y X W V U
        ("131052X308T", date(1952, 10, 13)),
        ("131052U308T", date(1952, 10, 13)),
        ("010203A0023", date(2003, 2, 1)),
        ("010203B0023", date(2003, 2, 1)),  # and B–F for the 2000s
        ("010203F0023", date(2003, 2, 1)),
        ("010199+0022", date(1899, 1, 1)),
    ],
)
def test_valid_hetus_give_the_birth_date(hetu, born):
    valid = validate_hetu(hetu)
    assert birth_date_from_hetu(valid) == born


@pytest.mark.parametrize("hetu", ["131052-308U", "310252-308Y", "131052G308T", "131052-001T", "13105-308T", ""])
def test_invalid_hetus_are_refused(hetu):
    with pytest.raises(ValueError):
        validate_hetu(hetu)


def test_hetu_is_masked_to_its_birth_date_part():
    assert mask_hetu("131052-308T") == "131052-****"


@pytest.mark.parametrize(
    "day, age",
    [(date(2026, 3, 9), 11), (date(2026, 3, 10), 12), (date(2026, 3, 11), 12)],
)
def test_age_turns_on_the_birthday(day, age):
    assert age_on(date(2014, 3, 10), day) == age


def test_a_leap_day_baby_ages_on_28_february_in_common_years():
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 27)) == 17
    assert age_on(born, date(2026, 2, 28)) == 18
    assert age_on(born, date(2028, 2, 28)) == 19
    assert age_on(born, date(2028, 2, 29)) == 20


def test_category_by_age_on_the_day():
    born = date(2008, 12, 3)
    assert category(False, born, date(2026, 12, 2), POLICY) == "child"
    assert category(False, born, date(2026, 12, 3), POLICY) == "adult"
    assert category(True, None, date(2026, 12, 3), POLICY) == "organisation"


def test_under_15_needs_a_guardian_and_the_consent_date():
    born = date(2011, 12, 3)  # 15 on 3 December 2026
    day_before = date(2026, 12, 2)
    alone = Registration(is_organisation=False, birth_date=born)
    assert consent_missing(alone, day_before, POLICY).code == "CONSENT_MISSING"
    assert consent_missing(alone, date(2026, 12, 3), POLICY) is None
    no_date = Registration(is_organisation=False, birth_date=born, guardian="Aino Virtanen")
    assert consent_missing(no_date, day_before, POLICY) is not None
    consented = Registration(False, born, guardian="Aino Virtanen", consent_date=date(2026, 11, 1))
    assert consent_missing(consented, day_before, POLICY) is None


def test_an_organisation_needs_a_responsible_person():
    assert consent_missing(Registration(True, None), date(2026, 12, 2), POLICY).params["who"] == "organisation"
    assert consent_missing(Registration(True, None, responsible="Rehtori Lahtinen"), date(2026, 12, 2), POLICY) is None


# --- an identity code in text: found, with or without its sign, and only a real one (issue 9, 16) --

@pytest.mark.parametrize("text", [
    "140574231L", "140574-231L", "140574231l", "tunnus140574231Lkissa", "Soita 131052-308T heti",
    "010203A0023", "0102030023 ", "311299+1236", "010101-999X",  # 999: a temporary number, still a person's
])
def test_a_real_identity_code_is_found_with_or_without_its_sign(text):
    """Mutation caught: the century sign compulsory again (`140574231L` let through)."""
    assert hetu_in(text)


@pytest.mark.parametrize("text", [
    "soita 0401234567", "puh. 0501234567", "140574231K", "140574-231K",  # the wrong check character
    "310274231L", "300274-2310",  # no 31 April, no 30 February
    "14057423100", "01405742310", "kortti 2028000000001", "FI2112345600000785", "", None,
])
def test_a_phone_number_or_a_code_that_does_not_check_out_is_no_identity_code(text):
    """Mutation caught: a match taken without validation (a phone number in a note,
    `soita 0401234567`, refused as an identity code: it blocked staff)."""
    assert not hetu_in(text)


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.integers(2, 999), st.booleans(),
       st.text(max_size=15), st.text(max_size=15))
def test_any_real_identity_code_is_found_wherever_it_stands(born, individual, signed, before, after):
    """Mutation caught: candidates that may not overlap, or a word boundary demanded."""
    from tiski.demo import make_hetu

    hetu = make_hetu(born, individual)
    if not signed:
        hetu = hetu[:6] + hetu[7:]
    assert hetu_in(f"{before} {hetu} {after}") and hetu_in(f"{before}x{hetu}.{after}")


@pytest.mark.parametrize("card", ["140574231L", "131052-308T", "010101-123N", "0102030023"])
def test_a_card_number_that_is_an_identity_code_is_refused(card):
    """Mutation caught: the card rule checking only the shape with a century sign."""
    with pytest.raises(Refused) as refused:
        card_number(card)
    assert refused.value.first.params["what"] == "card_like_hetu"


@pytest.mark.parametrize("card", ["0401234567", "2028999000011", "P0001", "140574231K"])
def test_a_card_number_like_any_other_is_a_card(card):
    assert card_number(card) == card
