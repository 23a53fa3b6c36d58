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
    results = {r.barcode: r.result for r in desk.loans.renew_all(card)}
    assert results["B0001"].renewed
    assert isinstance(results["B0002"], Refused) and results["B0002"].code == "HAS_HOLDS"


def test_a_renewal_that_would_not_move_the_due_date_changes_nothing(desk, clock):
    """Issue 10 #8: renewed twice on the same day, the second one says the due date
    stands and uses no renewal. Mutation caught: the count going up anyway."""
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    first = desk.loans.renew(card, book)
    assert first.unchanged and not first.renewed and (first.due, first.renewals) == (date(2026, 12, 30), 0)
    clock.advance(days=3)
    assert desk.loans.renew(card, book).renewals == 1
    again = desk.loans.renew(card, book)
    assert again.unchanged and (again.due, again.renewals) == (date(2027, 1, 2), 1)
    assert desk.patrons.view(card).loans[0].renewals == 1


def test_renew_all_says_what_it_renewed_and_why_not_the_rest(desk, clock):
    """Mutation caught: a refused or unchanged loan missing from the report, or its
    title and due date not given."""
    card = patron(desk, "P0001")
    for barcode in ("B0001", "B0002", "B0003"):
        desk.loans.checkout(card, item(desk, barcode, title=f"Kirja {barcode}"))
    desk.holds.place(patron(desk, "P0002"), "B0002")
    clock.advance(days=10)
    desk.loans.renew(card, "B0003")  # renewed already today
    report = {r.barcode: r for r in desk.loans.renew_all(card)}
    assert report["B0001"].result.renewed and report["B0001"].due == date(2027, 1, 9)
    assert report["B0002"].result.code == "HAS_HOLDS" and report["B0002"].due == date(2026, 12, 30)
    assert report["B0003"].result.unchanged and report["B0003"].title == "Kirja B0003"
    assert [(loan.barcode, loan.renewals) for loan in desk.patrons.view(card).loans] == [
        ("B0002", 0), ("B0001", 1), ("B0003", 1)]
