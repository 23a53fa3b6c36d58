"""The policy file carries the seeds' numbers, and a bad file names its bad key."""

import pytest

from tiski.core.policy import PolicyError, parse_policy
from tiski.desk.context import default_policy
from tiski.resources import data_file


def test_default_policy_has_the_satakirjastot_numbers():
    policy = default_policy()
    assert policy.loan_period_days == 28  # four weeks
    assert all(days == 28 for days in policy.loan_period_days_by_format.values())
    assert policy.max_loans == 150
    assert dict(policy.format_limits) == {"cd": 30, "dvd": 10, "console-game": 10, "cd-audiobook": 10, "bluray": 10}
    assert policy.max_renewals == 8
    assert policy.hold_pickup_days == 7
    assert policy.hold_uncollected_fee_cents == 100
    assert policy.hold_uncollected_fee_from_age == 18
    assert policy.late_fee_per_day_cents == 25
    assert policy.late_fee_max_per_item_cents == 700
    assert policy.late_fees_on_children_material is False
    assert policy.reminder_fees_cents == (150, 300)
    assert policy.invoice_fee_cents == 750
    assert policy.fee_block_over_cents == 1000
    assert policy.consent_under_age == 15
    assert set(policy.rating_ages) >= {7, 12, 16, 18}
    assert "AGE_RATING" not in policy.confirmable


def _text() -> str:
    return data_file("policy.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change, key",
    [
        (("renewals = 8", "renewals = \"eight\""), "loans.renewals"),
        (("renewals = 8", "renewals = -1"), "loans.renewals"),
        (("renewals = 8", "renewals = 8\nrenewal = 9"), "loans.renewal"),
        (("renewals = 8", "renewals = 8.5"), "loans.renewals"),
        (("pickup_days = 7", ""), "holds.pickup_days"),
        (("cd = 30", "vinyl = 30"), "loans.format_limits.vinyl"),
        (("late_fees_on_children_material = false", "late_fees_on_children_material = 0"),
         "fees.late_fees_on_children_material"),
        (('"LIMIT_FORMAT"]', '"LIMIT_FORMAT", "AGE_RATING"]'), "overrides.confirmable"),
        (("[ratings]", "[ratingz]"), "ratingz"),
        (("session_idle_minutes = 3", "session_idle_minutes = 0"), "automat.session_idle_minutes"),
        (("session_idle_minutes = 3", "session_idle_minutes = \"3\""), "automat.session_idle_minutes"),
    ],
)
def test_a_bad_policy_names_the_bad_key(change, key):
    old, new = change
    assert old in _text()
    with pytest.raises(PolicyError) as error:
        parse_policy(_text().replace(old, new, 1))
    assert error.value.key == key


def test_not_toml_at_all_is_refused():
    with pytest.raises(PolicyError):
        parse_policy("[loans\nperiod_days = ")


def test_a_format_without_its_own_period_uses_the_default():
    policy = parse_policy(_text().replace("dvd = 28\n", "").replace("period_days = 28 ", "period_days = 21 ", 1))
    assert policy.loan_period_for("dvd") == 21
    assert policy.loan_period_for("book") == 28


def test_the_machines_patron_session_idle_minutes():
    """Mutation caught: the idle expiry of a patron session at the machines (issue 14)
    not read from the policy, or a register's older policy copy without the key refused
    instead of getting the default."""
    assert default_policy().automat_session_idle_minutes == 3
    assert parse_policy(_text().replace("session_idle_minutes = 3", "session_idle_minutes = 5")
                        ).automat_session_idle_minutes == 5
    older = _text().replace("session_idle_minutes = 3\n", "")
    assert "session_idle_minutes =" not in older
    assert parse_policy(older).automat_session_idle_minutes == 3
