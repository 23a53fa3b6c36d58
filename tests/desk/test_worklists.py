"""Holds on a title found in the catalogue, and the facade behind the work lists (issue 12
§1 and §4): the pull list in shelf order, the copies on their way here, the hold shelf
to clear."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tiski.clock import ManualClock
from tiski.core.errors import Refused
from tiski.desk import Desk
from tiski.store.db import connect

from ..conftest import item, patron

ISBN = "9789510123454"


def test_a_hold_on_a_title_without_a_copy_in_hand(desk):
    """`place_on_title`: the same rules as a hold by barcode, at the end of the queue.
    Mutation caught: the record id not checked (a hold on nothing)."""
    patron(desk, "P0001")
    patron(desk, "P0002")
    item(desk, "B0001", title="Sinuhe", isbn=ISBN)
    [found] = desk.catalogue.search("sinuhe")
    first = desk.holds.place_on_title("P0001", found.record_id, "ULV")
    second = desk.holds.place_on_title("P0002", found.record_id)
    assert (first.title, first.position, first.pickup_branch) == ("Sinuhe", 1, "ULV")
    assert (second.position, second.pickup_branch) == (2, "PORI")
    with pytest.raises(Refused) as again:
        desk.holds.place_on_title("P0001", found.record_id)
    assert again.value.code == "DUPLICATE_HOLD"
    with pytest.raises(Refused) as nothing:
        desk.holds.place_on_title("P0001", 999999)
    assert nothing.value.code == "NOT_FOUND" and nothing.value.exit_code == 2


def test_the_pull_list_leaves_out_copies_gone_from_circulation_and_says_where_to_look(desk):
    patron(desk, "P0001")
    patron(desk, "P0002")
    for barcode, shelf in (("B0001", "Lasten"), ("B0002", "Aikuisten"), ("B0003", "Aikuisten")):
        item(desk, barcode, title="Sinuhe", isbn=ISBN)
        desk.conn.execute("UPDATE items SET shelf = ?, call_number = '84.2 WAL' WHERE barcode = ?", (shelf, barcode))
    desk.loans.checkout("P0001", "B0001")
    desk.holds.place("P0002", "B0001")
    desk.items.set_status("B0003", "missing")
    rows = desk.holds.pull_list()
    assert [(r.barcode, r.shelf, r.call_number) for r in rows] == [("B0002", "Aikuisten", "84.2 WAL")]


def test_copies_on_their_way_here(db_path, clock):
    """A copy sent from ULV for a hold at PORI, and one going home to PORI: both listed at
    PORI, neither at ULV; scanned in at PORI, each is received."""
    pori = Desk(connect(db_path), clock=clock, branch="PORI", staff="kaisa")
    ulv = Desk(connect(db_path), clock=clock, branch="ULV", staff="pekka")
    patron(pori, "P0001")
    item(pori, "B0001", title="Sinuhe", isbn=ISBN, branch="ULV")
    item(pori, "B0002", title="Kotiin")
    pori.holds.place("P0001", "B0001")  # pickup PORI
    ulv.loans.return_item("B0001")  # at ULV: sent to PORI for the hold
    pori.loans.checkout("P0001", "B0002")
    ulv.loans.return_item("B0002")  # returned at ULV: goes home to PORI
    coming = pori.catalogue.in_transit()
    assert [(c.barcode, c.for_hold) for c in coming] == [("B0002", False), ("B0001", True)]
    assert ulv.catalogue.in_transit() == []
    received = pori.loans.return_item("B0001")
    assert received.hold is not None and received.hold.pickup_code == "001"
    assert [c.barcode for c in pori.catalogue.in_transit()] == ["B0002"]
    pori.close()
    ulv.close()


def called(desk) -> None:
    """Staff reach the patrons on the call list: their pickup weeks start now."""
    for notice in desk.notices.work_list():
        if notice.channel == "call" and notice.status == "pending":
            desk.notices.mark_called(notice.id)


def test_the_hold_shelf_to_clear(desk, clock):
    """Ended (past the last day) and ending today are listed; only an ended one is cleared:
    the hold expires with the uncollected fee, the copy goes to the next in line.
    Mutation caught: a hold cleared on its last day, while it is still the patron's."""
    for card in ("P0001", "P0002", "P0003"):
        patron(desk, card)
    item(desk, "B0001", title="Sinuhe", isbn=ISBN)
    item(desk, "B0002", title="Kalevala")
    desk.holds.place("P0001", "B0001")
    desk.loans.return_item("B0001")  # waiting for P0001 until 9.12.
    called(desk)  # no e-mail, no phone: staff call at once (an untold patron's copy is not cleared)
    desk.holds.place("P0002", "B0001")
    clock.set(datetime(2026, 12, 3, 10))
    desk.holds.place("P0003", "B0002")
    desk.loans.return_item("B0002")  # waiting for P0003 until 10.12.
    called(desk)
    clock.set(datetime(2026, 12, 10, 9))
    shelf = desk.holds.shelf_to_clear()
    assert [(c.barcode, c.pickup_by, c.ended) for c in shelf] == [
        ("B0001", date(2026, 12, 9), True), ("B0002", date(2026, 12, 10), False)]
    with pytest.raises(Refused) as still_theirs:
        desk.holds.clear_from_shelf("B0002")
    assert still_theirs.value.code == "WRONG_STATE"
    cleared = desk.holds.clear_from_shelf("B0001")
    assert cleared.fee_cents == 100 and cleared.routing.hold is not None  # on the shelf for P0002 now
    assert [c.barcode for c in desk.holds.shelf_to_clear()] == ["B0002"]
    with pytest.raises(Refused) as no_hold:
        desk.holds.clear_from_shelf("B0001")
    assert no_hold.value.code == "WRONG_STATE"  # P0002's hold: not ended


def test_the_hold_shelf_is_the_branchs_own(db_path, clock):
    desk = Desk(connect(db_path), clock=ManualClock(datetime(2026, 12, 2, 14, 5)), branch="PORI")
    patron(desk, "P0001")
    item(desk, "B0001", isbn=ISBN)
    desk.holds.place("P0001", "B0001", "ULV")
    desk.loans.return_item("B0001")  # in transit to ULV
    desk.clock.set(datetime(2026, 12, 20, 9))
    assert desk.holds.shelf_to_clear() == [] and desk.holds.shelf_to_clear("ULV") == []
    desk.close()
