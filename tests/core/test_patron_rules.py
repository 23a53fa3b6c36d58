"""Identity codes, age and the registration rules (DOMAIN.md §1)."""

from datetime import date

import pytest

from tiski.core.patrons import (
    Registration,
    age_on,
    birth_date_from_hetu,
    category,
    consent_missing,
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
