"""Holds: one queue per title, placed once, 7 days on the shelf, 1,00 € if left there."""

from datetime import date, datetime

import pytest

from tiski.core.errors import Refused

from ..conftest import item, patron


def refused_code(call, *args):
    with pytest.raises(Refused) as refused:
        call(*args)
    return refused.value.code


def test_the_queue_is_per_title_first_come_first_served(desk, clock):
    first_copy, second_copy = item(desk, "B0001", isbn="9789510396353"), item(desk, "B0002", isbn="9789510396353")
    positions = []
    for n in range(3):
        clock.advance(minutes=1)
        positions.append(desk.holds.place(patron(desk, f"P000{n}"), first_copy if n % 2 else second_copy).position)
    assert positions == [1, 2, 3]


def test_placing_twice_is_refused(desk):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.holds.place(card, book)
    assert refused_code(desk.holds.place, card, book) == "DUPLICATE_HOLD"


def test_no_hold_on_a_title_already_on_loan_to_the_patron(desk):
    card, book = patron(desk, "P0001"), item(desk, "B0001")
    desk.loans.checkout(card, book)
    assert refused_code(desk.holds.place, card, book) == "ALREADY_ON_LOAN"


def test_no_hold_with_fees_over_the_limit(desk):
    card = patron(desk, "P0001")
    desk.fees.charge(card, 1001, "Kadonnut nide", "lost")
    assert refused_code(desk.holds.place, card, item(desk, "B0001")) == "FEES_OVER_LIMIT"


def shelve_for(desk, holder, barcode="B0001"):
    book = item(desk, barcode)
    desk.loans.checkout(patron(desk, "L" + barcode), book)
    desk.holds.place(holder, book)
    return desk.loans.return_item(book)


def told(desk):
    """Staff call everyone on the notices' call list (these patrons have no e-mail or
    phone): the pickup week runs from the call (seed 004)."""
    for notice in desk.notices.listing("pending"):
        desk.notices.mark_called(notice.id)


@pytest.mark.parametrize("birth, fee", [(date(1980, 1, 1), 100), (date(2009, 1, 1), 0)])
def test_an_uncollected_hold_costs_1_euro_but_not_for_under_18s(desk, clock, birth, fee):
    holder = patron(desk, "P0001", birth=birth)
    shelf = shelve_for(desk, holder)
    told(desk)
    assert shelf.hold.pickup_by == date(2026, 12, 9)
    clock.set(datetime(2026, 12, 9, 23))
    assert desk.holds.expire() == []  # the last day still counts
    clock.set(datetime(2026, 12, 10, 6))
    expired = desk.holds.expire()
    assert [(e.card, e.fee_cents) for e in expired] == [(holder, fee)]
    assert desk.fees.balance(holder) == fee
    assert desk.conn.execute("SELECT status FROM holds").fetchone()[0] == "expired"


def test_an_expired_hold_passes_the_copy_to_the_next_in_line(desk, clock):
    first, second = patron(desk, "P0001"), patron(desk, "P0002")
    book = item(desk, "B0001")
    desk.loans.checkout(patron(desk, "P0003"), book)
    desk.holds.place(first, book)
    clock.advance(minutes=1)
    desk.holds.place(second, book)
    desk.loans.return_item(book)
    told(desk)
    clock.set(datetime(2026, 12, 10, 6))
    [expired] = desk.holds.expire()
    assert expired.routing.hold.card == second
    assert expired.routing.hold.pickup_by == date(2026, 12, 17)
    assert desk.patrons.view(second).holds[0].status == "waiting"


def test_cancelling_a_waiting_hold_frees_the_copy(desk):
    holder = patron(desk, "P0001")
    shelve_for(desk, holder)
    hold, routing = desk.holds.cancel(holder, "B0001")
    assert hold.status == "cancelled"
    assert routing.hold is None and routing.route_to is None
    assert desk.catalogue.item_view("B0001").status == "available"
    assert refused_code(desk.holds.cancel, holder, "B0001") == "NO_HOLD"


def test_lending_past_the_queue_by_override_fills_the_borrowers_own_hold(desk):
    """Issue 9 #13: Paula is second in the title's queue and takes the shelf copy past
    Quentin by an override. Her own hold is filled by it: when the other copy comes
    back (Quentin has cancelled meanwhile) it is not trapped for her a second time.
    Mutation caught: the checkout leaving the borrower's own queued hold in the queue."""
    lender = patron(desk, "L0001")
    queued_first, borrower = patron(desk, "Q0001"), patron(desk, "P0001")
    on_shelf, on_loan = item(desk, "B0001", isbn="9789510396353"), item(desk, "B0002", isbn="9789510396353")
    desk.loans.checkout(lender, on_loan)
    desk.holds.place(queued_first, on_loan)
    desk.holds.place(borrower, on_loan)
    assert refused_code(desk.loans.checkout, borrower, on_shelf) == "HELD_FOR_OTHER"
    desk.loans.checkout(borrower, on_shelf, override="Asiakas oli jonossa itsekin")
    assert desk.patrons.view(borrower).holds == ()
    assert [h.position for h in desk.patrons.view(queued_first).holds] == [1]
    desk.holds.cancel(queued_first, on_loan)
    back = desk.loans.return_item(on_loan)
    assert back.hold is None and desk.catalogue.item_view(on_loan).status == "available"


def test_a_copy_waiting_for_the_borrower_goes_on_when_they_take_another(desk):
    """The borrower's hold already had a copy on the shelf for them; they take the
    other copy by an override instead. Their hold is filled, and the waiting copy
    goes to the next in line, not left on the shelf for nobody (or for them twice).
    Mutation caught: the waiting hold left as it was."""
    borrower, next_in_line = patron(desk, "P0001"), patron(desk, "Q0001")
    waiting, other = item(desk, "B0001", isbn="9789510396353"), item(desk, "B0002", isbn="9789510396353")
    desk.loans.checkout(patron(desk, "L0001"), waiting)
    desk.holds.place(borrower, waiting)
    desk.holds.place(next_in_line, waiting)
    assert desk.loans.return_item(waiting).hold.card == borrower
    desk.loans.checkout(borrower, other, override="Otti hyllystä toisen niteen")
    assert desk.patrons.view(borrower).holds == ()
    [hold] = desk.patrons.view(next_in_line).holds
    assert (hold.status, hold.barcode) == ("waiting", waiting)
