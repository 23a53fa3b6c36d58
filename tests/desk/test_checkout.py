"""Checkout through the facade, with the seeds' numbers at their boundaries."""

from datetime import date, datetime

import pytest

from tiski.clock import HELSINKI
from tiski.core.errors import Refused

from ..conftest import item, patron


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.code


def lend_many(desk, card, count, fmt="book", prefix="X"):
    for n in range(count):
        desk.loans.checkout(card, item(desk, f"{prefix}{n:04d}", format=fmt))


def test_a_loan_is_due_in_four_weeks_at_closing_time(desk):
    card = patron(desk, "P0001")
    loan = desk.loans.checkout(card, item(desk, "B0001"))
    assert loan.due == date(2026, 12, 30)
    due_at = desk.conn.execute("SELECT due_at FROM loans").fetchone()[0]
    assert datetime.fromisoformat(due_at) == datetime(2026, 12, 30, 20, 0, tzinfo=HELSINKI)


def test_the_150th_loan_is_allowed_and_the_151st_is_not(desk):
    card = patron(desk, "P0001")
    lend_many(desk, card, 149)
    desk.loans.checkout(card, item(desk, "LAST150"))
    assert desk.patrons.view(card).loans.__len__() == 150
    assert refused_code(desk.loans.checkout, card, item(desk, "NO151")) == "LIMIT_TOTAL"


@pytest.mark.parametrize("fmt, limit", [("cd", 30), ("dvd", 10), ("console-game", 10), ("cd-audiobook", 10),
                                        ("bluray", 10)])
def test_per_format_limits(desk, fmt, limit):
    card = patron(desk, "P0001")
    lend_many(desk, card, limit, fmt)
    with pytest.raises(Refused) as refused:
        desk.loans.checkout(card, item(desk, "ONEMORE", format=fmt))
    assert refused.value.code == "LIMIT_FORMAT"
    assert refused.value.confirmable
    desk.loans.checkout(card, item(desk, "ABOOK", format="book"))  # other formats still go


def test_a_limit_is_exceeded_only_with_a_recorded_override(desk):
    card = patron(desk, "P0001")
    lend_many(desk, card, 10, "dvd")
    extra = item(desk, "EXTRA", format="dvd")
    loan = desk.loans.checkout(card, extra, override="Koulun elokuvaviikko")
    assert loan.overridden == ("LIMIT_FORMAT",)
    row = desk.conn.execute("SELECT code, reason, staff, branch FROM overrides").fetchone()
    assert tuple(row) == ("LIMIT_FORMAT", "Koulun elokuvaviikko", "tester", "PORI")


def test_an_override_never_lifts_a_hard_blocker(desk):
    card = patron(desk, "P0001", birth=date(2015, 1, 1), guardian="Aino Asiakas", consent_date=date(2026, 1, 1))
    assert refused_code(desk.loans.checkout, card, item(desk, "K18", format="dvd", rating=18), override="isä mukana") \
        == "AGE_RATING"
    assert desk.conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0] == 0


def test_age_rating_from_the_birth_date_on_the_day_of_the_loan(desk, clock):
    born = date(2014, 12, 3)  # 12 on Thursday 3 December 2026
    card = patron(desk, "P0012", birth=born, guardian="Aino Asiakas", consent_date=date(2026, 1, 1))
    film = item(desk, "K12FILM", format="dvd", rating=12)
    assert refused_code(desk.loans.checkout, card, film) == "AGE_RATING"  # Wednesday: still 11
    clock.set(datetime(2026, 12, 3, 10, 0))
    assert desk.loans.checkout(card, film).due == date(2026, 12, 31)


@pytest.mark.parametrize("balance_cents, refused", [(1000, False), (1001, True)])
def test_blocked_only_when_fees_are_over_ten_euros(desk, balance_cents, refused):
    card = patron(desk, "P0001")
    desk.fees.charge(card, balance_cents, "Kadonnut nide", "lost")
    book = item(desk, "B0001")
    if refused:
        assert refused_code(desk.loans.checkout, card, book) == "FEES_OVER_LIMIT"
    else:
        loan = desk.loans.checkout(card, book)
        assert "FEES_DUE" in [a.code for a in loan.alerts]


def test_overdue_loans_block_after_the_policy_days(desk, clock):
    card = patron(desk, "P0001")
    desk.loans.checkout(card, item(desk, "OLD1"))
    clock.set(datetime(2027, 1, 27, 12, 0))  # due 30.12.: 28 days late
    desk.loans.checkout(card, item(desk, "NEW1"))
    clock.set(datetime(2027, 1, 28, 12, 0))  # 29 days late
    assert refused_code(desk.loans.checkout, card, item(desk, "NEW2")) == "OVERDUE_LOANS"


def test_a_banned_patron_cannot_borrow(desk):
    card = patron(desk, "P0001")
    desk.admin.add_ban(card, "use", "Häiriökäyttäytyminen", written=True, hearing_date=date(2026, 12, 1))
    assert refused_code(desk.loans.checkout, card, item(desk, "B0001")) == "BANNED"


def test_not_loanable_and_unknown(desk):
    card = patron(desk, "P0001")
    assert refused_code(desk.loans.checkout, card, item(desk, "REF1", loanable=False)) == "NOT_LOANABLE"
    assert refused_code(desk.loans.checkout, card, "NOSUCH") == "ITEM_UNKNOWN"
    assert refused_code(desk.loans.checkout, "NOCARD", "REF1") == "PATRON_UNKNOWN"


def test_an_item_on_loan_to_another_is_returned_first_on_override(desk, clock):
    first, second = patron(desk, "P0001"), patron(desk, "P0002")
    book = item(desk, "B0001")
    desk.loans.checkout(first, book)
    with pytest.raises(Refused) as refused:
        desk.loans.checkout(second, book)
    assert refused.value.code == "ON_LOAN_TO_OTHER" and refused.value.confirmable
    desk.loans.checkout(second, book, override="Palautettu hyllyyn ilman palautusta")
    assert desk.catalogue.item_view(book).loan_card == second
    assert desk.patrons.view(first).loans == ()
    assert desk.conn.execute("SELECT COUNT(*) FROM loans WHERE returned_at IS NULL").fetchone()[0] == 1


def test_an_item_waiting_for_another_needs_an_override(desk):
    holder, other = patron(desk, "P0001"), patron(desk, "P0002")
    book = item(desk, "B0001")
    desk.loans.checkout(other, book)
    desk.holds.place(holder, book)
    desk.loans.return_item(book)  # trapped for the holder
    assert refused_code(desk.loans.checkout, other, book) == "HELD_FOR_OTHER"
    loan = desk.loans.checkout(holder, book)
    assert "HOLD_FILLED" in [a.code for a in loan.alerts]
    status = desk.conn.execute("SELECT status FROM holds").fetchone()[0]
    assert status == "fulfilled"


def test_overriding_a_waiting_hold_puts_it_back_in_the_queue(desk):
    holder, other = patron(desk, "P0001"), patron(desk, "P0002")
    book = item(desk, "B0001")
    desk.loans.checkout(other, book)
    desk.holds.place(holder, book)
    desk.loans.return_item(book)
    desk.loans.checkout(other, book, override="Asiakas palautti vahingossa")
    hold = desk.conn.execute("SELECT status, item_id, pickup_by FROM holds").fetchone()
    assert tuple(hold) == ("queued", None, None)


def test_the_id_check_flag_is_an_alert_on_every_loan(desk):
    card = patron(desk, "P0001", verify_id=True)
    assert [a.code for a in desk.loans.checkout(card, item(desk, "B0001")).alerts] == ["VERIFY_ID"]


def test_a_lost_card_is_refused_from_the_report_on(desk):
    card = patron(desk, "P0001")
    desk.patrons.report_lost_card(card, "P0001NEW")
    assert refused_code(desk.loans.checkout, card, item(desk, "B0001")) == "CARD_LOST"
    assert desk.loans.checkout("P0001NEW", "B0001").card == "P0001NEW"


def test_scanning_a_loan_again_the_same_day_changes_nothing(desk):
    card = patron(desk, "P0001")
    book = item(desk, "B0001")
    desk.loans.checkout(card, book)
    again = desk.loans.checkout(card, book)
    assert again.unchanged and again.renewals == 0
    assert desk.conn.execute("SELECT renewals FROM loans").fetchone()[0] == 0


def test_the_decision_alone_writes_nothing(desk):
    card = patron(desk, "P0001")
    lend_many(desk, card, 10, "dvd")
    decision = desk.loans.check_checkout(card, item(desk, "D11", format="dvd"))
    assert [r.code for r in decision.confirmations] == ["LIMIT_FORMAT"]
    assert desk.conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0] == 10
