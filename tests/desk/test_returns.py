"""Returns: late fees, the drop box, the hold shelf and routing (DOMAIN.md §2–3)."""

from datetime import date, datetime

import pytest

from tiski.core.errors import Refused
from tiski.desk import Desk

from ..conftest import item, patron


def lend(desk, card="P0001", barcode="B0001", **item_fields):
    patron(desk, card)
    item(desk, barcode, **item_fields)
    return desk.loans.checkout(card, barcode)


def test_on_time_no_fee(desk, clock):
    lend(desk)
    clock.set(datetime(2026, 12, 30, 19, 59))
    result = desk.loans.return_item("B0001")
    assert result.late_fee_cents == 0 and result.hold is None and result.route_to is None
    assert desk.catalogue.item_view("B0001").status == "available"


def test_late_fee_per_calendar_day_and_charged_to_the_patron(desk, clock):
    lend(desk)
    clock.set(datetime(2027, 1, 9, 12))  # 10 days after 30.12.
    assert desk.loans.return_item("B0001").late_fee_cents == 250
    assert desk.fees.balance("P0001") == 250
    fee = desk.conn.execute("SELECT charge_type, amount_cents, loan_id FROM fees").fetchone()
    assert tuple(fee)[:2] == ("late", 250) and fee["loan_id"] is not None


def test_late_fee_cap(desk, clock):
    lend(desk)
    clock.set(datetime(2027, 6, 1, 12))
    assert desk.loans.return_item("B0001").late_fee_cents == 700


def test_no_late_fee_for_childrens_material(desk, clock):
    lend(desk, children=True)
    clock.set(datetime(2027, 2, 1, 12))
    assert desk.loans.return_item("B0001").late_fee_cents == 0


def test_a_dropbox_return_counts_from_the_day_the_box_was_emptied(desk, clock):
    lend(desk)
    clock.set(datetime(2027, 1, 4, 9))  # checked in on Monday…
    result = desk.loans.return_item("B0001", dropbox_date=date(2026, 12, 31))  # …from the box emptied on Thursday
    assert result.late_fee_cents == 25
    returned_on = desk.conn.execute("SELECT returned_on FROM loans").fetchone()[0]
    assert returned_on == "2026-12-31"


def test_a_dropbox_date_in_the_future_is_refused(desk):
    lend(desk)
    with pytest.raises(Refused) as refused:
        desk.loans.return_item("B0001", dropbox_date=date(2026, 12, 3))
    assert refused.value.code == "INVALID_INPUT"
    assert desk.catalogue.item_view("B0001").status == "on_loan"


def test_a_dropbox_date_before_the_loan_began_is_refused(desk, clock):
    """Issue 10 #5: a drop-box day must lie between the loan's start and today; one
    before the loan would wipe the late fee. Mutation caught: the day clamped to the
    loan day (or taken as it is) instead of refused — the item is then returned."""
    lend(desk)  # lent on 2.12.2026, due 30.12.
    clock.set(datetime(2027, 1, 4, 9))
    with pytest.raises(Refused) as refused:
        desk.loans.return_item("B0001", dropbox_date=date(2020, 1, 1))
    assert (refused.value.code, refused.value.first.params["what"]) == ("INVALID_INPUT", "dropbox_before_loan")
    assert refused.value.first.params["loaned_on"] == date(2026, 12, 2)
    assert desk.catalogue.item_view("B0001").status == "on_loan" and desk.fees.balance("P0001") == 0
    assert desk.loans.return_item("B0001", dropbox_date=date(2026, 12, 2)).late_fee_cents == 0  # the loan day will do


def test_a_held_title_goes_to_the_hold_shelf_for_the_first_in_line(desk, clock):
    lend(desk)
    first, second = patron(desk, "P0002"), patron(desk, "P0003")
    desk.holds.place(first, "B0001")
    clock.advance(minutes=5)
    desk.holds.place(second, "B0001")
    clock.set(datetime(2026, 12, 10, 12))
    result = desk.loans.return_item("B0001")
    assert result.hold.card == first
    assert result.hold.pickup_by == date(2026, 12, 17)  # 7 days from the arrival notice
    assert result.hold.pickup_code == "001"
    assert result.route_to is None
    notice = desk.conn.execute("SELECT kind FROM notices").fetchone()[0]
    assert notice == "hold_arrived"
    assert desk.catalogue.item_view("B0001").status == "waiting"
    views = {h.status: h for h in desk.patrons.view(second).holds}
    assert views["queued"].position == 1


def test_a_pickup_deadline_on_a_closed_day_moves_to_the_next_open_day(desk, clock):
    lend(desk)
    desk.holds.place(patron(desk, "P0002"), "B0001")
    clock.set(datetime(2026, 12, 18, 12))  # +7 = Friday 25.12., closed at PORI
    assert desk.loans.return_item("B0001").hold.pickup_by == date(2026, 12, 26)


def test_pickup_numbers_are_unique_on_the_shelf(desk):
    patron(desk, "P0001")
    codes = []
    for n in range(3):
        book = item(desk, f"B000{n}")
        desk.loans.checkout("P0001", book)
        desk.holds.place(patron(desk, f"P010{n}"), book)
        codes.append(desk.loans.return_item(book).hold.pickup_code)
    assert codes == ["001", "002", "003"]


def test_returned_elsewhere_it_is_sent_home(desk, db_path, clock):
    lend(desk)
    ulvila = Desk(desk.conn, clock=clock, branch="ULV")
    result = ulvila.loans.return_item("B0001")
    assert result.route_to == "PORI"
    assert desk.catalogue.item_view("B0001").status == "in_transit"
    arrived = desk.loans.return_item("B0001")  # scanned in at home
    assert arrived.route_to is None
    assert desk.catalogue.item_view("B0001").status == "available"


def test_a_hold_for_another_branch_sends_the_copy_there_and_shelves_it_on_arrival(desk, clock):
    lend(desk)
    desk.holds.place(patron(desk, "P0002"), "B0001", pickup="ULV")
    result = desk.loans.return_item("B0001")
    assert result.route_to == "ULV" and result.hold.in_transit and result.hold.pickup_by is None
    ulvila = Desk(desk.conn, clock=clock, branch="ULV")
    clock.set(datetime(2026, 12, 4, 10))  # Friday: 7 days is Friday 11.12.
    arrived = ulvila.loans.return_item("B0001")
    assert arrived.hold.pickup_by == date(2026, 12, 11) and arrived.route_to is None
    assert ulvila.catalogue.item_view("B0001").status == "waiting"


def test_an_item_not_on_loan_with_nothing_to_do_is_refused(desk):
    item(desk, "B0001")
    with pytest.raises(Refused) as refused:
        desk.loans.return_item("B0001")
    assert refused.value.code == "NOT_ON_LOAN"


def test_checking_in_a_shelf_copy_fills_a_queued_hold(desk):
    book = item(desk, "B0001")
    desk.holds.place(patron(desk, "P0002"), book)  # placed while the copy sat on the shelf
    assert [r.barcode for r in desk.holds.pull_list()] == ["B0001"]
    result = desk.loans.return_item(book)
    assert result.hold.card == "P0002" and not result.was_on_loan
    assert desk.holds.pull_list() == []


def test_loans_made_with_a_card_after_its_loss_was_reported_cost_the_patron_nothing(desk, clock):
    card = patron(desk, "P0001")
    item(desk, "B0001")
    desk.loans.checkout(card, "B0001")  # the finder used the card at 14:05…
    desk.patrons.report_lost_card(card, "P0001NEW", reported_at="2026-12-02T13:00")  # …after the loss was phoned in
    view = desk.patrons.view("P0001NEW")
    assert view.loans[0].lost_card
    clock.set(datetime(2027, 2, 1, 12))
    assert desk.loans.return_item("B0001").late_fee_cents == 0
