"""Late fees and the checkout decision as pure rules (DOMAIN.md §2–3)."""

from datetime import date

import pytest

from tiski.core.bans import ActiveBan
from tiski.core.circulation import ItemState, PatronStanding, decide_checkout, late_fee_cents, override_reason
from tiski.core.errors import Refused
from tiski.desk.context import default_policy

POLICY = default_policy()
DUE = date(2026, 12, 30)


def test_no_fee_on_or_before_the_due_date():
    assert late_fee_cents(DUE, DUE, False, POLICY) == 0
    assert late_fee_cents(DUE, date(2026, 12, 1), False, POLICY) == 0


def test_25_cents_a_calendar_day_closed_days_included():
    assert late_fee_cents(DUE, date(2026, 12, 31), False, POLICY) == 25
    assert late_fee_cents(DUE, date(2027, 1, 9), False, POLICY) == 250


def test_capped_at_7_euros_an_item():
    assert late_fee_cents(DUE, date(2027, 1, 27), False, POLICY) == 700  # 28 days
    assert late_fee_cents(DUE, date(2027, 1, 28), False, POLICY) == 700  # 29 days would be 7,25
    assert late_fee_cents(DUE, date(2027, 6, 1), False, POLICY) == 700


def test_the_cap_counts_what_the_loan_was_already_charged():
    assert late_fee_cents(DUE, date(2027, 3, 1), False, POLICY, already_charged_cents=500) == 200
    assert late_fee_cents(DUE, date(2027, 3, 1), False, POLICY, already_charged_cents=700) == 0


def test_childrens_material_has_no_late_fees():
    assert late_fee_cents(DUE, date(2027, 3, 1), True, POLICY) == 0


def _standing(**changes) -> PatronStanding:
    values = dict(patron_id=1, is_organisation=False, birth_date=date(1980, 1, 1), card_lost=False,
                  consent_missing=False, clearance_debt=False, balance_cents=0,
                  most_days_overdue=0, active_loans=0, loans_by_format={})
    values.update(changes)
    return PatronStanding(**values)


def _item(**changes) -> ItemState:
    values = dict(item_id=1, format="book", rating=None, children=False, loanable=True, on_loan_to=None,
                  held_for=None, held_on_shelf=False, first_in_queue=None, in_transit=False)
    values.update(changes)
    return ItemState(**values)


def test_hard_and_confirmable_blockers_are_told_apart():
    decision = decide_checkout(_standing(active_loans=150, bans=(ActiveBan("use", DUE, None, "kaisa"),)), _item(on_loan_to=2), POLICY, DUE)
    assert [r.code for r in decision.blockers] == ["BANNED"]
    assert {r.code for r in decision.confirmations} == {"ON_LOAN_TO_OTHER", "LIMIT_TOTAL"}
    assert all(r.confirmable for r in decision.confirmations)
    assert not decision.allowed


def test_an_organisation_has_no_age_so_ratings_do_not_apply():
    organisation = _standing(is_organisation=True, birth_date=None)
    assert decide_checkout(organisation, _item(rating=18), POLICY, DUE).allowed


def test_alerts_for_the_desk():
    decision = decide_checkout(_standing(verify_id=True, balance_cents=500, holds_waiting=2), _item(), POLICY, DUE)
    assert decision.allowed
    assert [a.code for a in decision.alerts] == ["VERIFY_ID", "HOLDS_WAITING", "FEES_DUE"]


@pytest.mark.parametrize("text", ["Koulun elokuvaviikko", "isä mukana", " Äiti mukana ", "Lainattu 12.12. asti"])
def test_an_override_reason_is_words(text):
    assert override_reason(text) == text.strip()


@pytest.mark.parametrize("text", ["1234", "1000000012", "2028000000001", "ab", "  ", "12.12.", "Koulu1000000012",
                                  "syy 2028000000001"])
def test_a_scanned_code_is_never_an_override_reason(text):
    """Issue 10: words, not a barcode — the rule the CLI and the TUI share. Mutation
    caught: a code accepted (alone, or glued to a word by a scan that arrived mid-reason)."""
    with pytest.raises(Refused) as caught:
        override_reason(text)
    assert caught.value.first.params == {"what": "override_reason"}
