"""Renewals: 8 times if nobody holds the title; an overdue renewal pays what it owes."""

from datetime import date, datetime, timedelta

import pytest

from tiski.core.errors import Refused

from ..conftest import item, patron


def test_the_8th_renewal_goes_and_the_9th_does_not(desk, clock):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    for n in range(1, 9):
        clock.advance(days=7)
        loan = desk.loans.renew(card, book)
        assert loan.renewed and loan.renewals == n
    clock.advance(days=7)
    with pytest.raises(Refused) as refused:
        desk.loans.renew(card, book)
    assert refused.value.code == "RENEWALS_EXHAUSTED"


def test_renewal_counts_the_new_period_from_today(desk, clock):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    clock.set(datetime(2026, 12, 21, 12))
    assert desk.loans.renew(card, book).due == date(2027, 1, 18)


def test_no_renewal_when_someone_holds_the_title(desk, clock):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    desk.holds.place(patron(desk, "P0002"), book)
    clock.advance(days=3)
    with pytest.raises(Refused) as refused:
        desk.loans.renew(card, book)
    assert refused.value.code == "HAS_HOLDS"


def test_an_overdue_renewal_charges_the_accrued_late_fee(desk, clock):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    clock.set(datetime(2027, 1, 3, 12))  # 4 days after 30.12.
    loan = desk.loans.renew(card, book)
    assert desk.fees.balance(card) == 100
    assert loan.due == date(2027, 2, 1)
    clock.set(loan_due_plus(loan.due, 40))
    assert desk.loans.return_item(book).late_fee_cents == 600  # the 7,00 € cap counts the 1,00 € already charged


def loan_due_plus(due: date, days: int) -> datetime:
    return datetime.combine(due + timedelta(days=days), datetime.min.time().replace(hour=12))


def test_only_ones_own_loan_can_be_renewed(desk):
    book = item(desk, "B0001")
    desk.loans.checkout(patron(desk, "P0001"), book)
    with pytest.raises(Refused) as refused:
        desk.loans.renew(patron(desk, "P0002"), book)
    assert refused.value.code == "NOT_ON_LOAN"


def test_renew_all_reports_each_loan(desk, clock):
    card = patron(desk, "P0001")
    desk.loans.checkout(card, item(desk, "B0001"))
    desk.loans.checkout(card, item(desk, "B0002"))
    desk.holds.place(patron(desk, "P0002"), "B0002")
    clock.advance(days=10)
    results = dict(desk.loans.renew_all(card))
    assert results["B0001"].renewed
    assert isinstance(results["B0002"], Refused) and results["B0002"].code == "HAS_HOLDS"
