"""Bans with hearings, the annual clearance, interlibrary loans (DOMAIN.md §3–4)."""

from datetime import date

import pytest

from tiski.core.errors import Refused

from ..conftest import item, patron


def test_a_written_ban_needs_the_hearing_date(desk):
    card = patron(desk, "P0001")
    with pytest.raises(Refused) as refused:
        desk.admin.add_ban(card, "visit", "Uhkaava käytös", written=True)
    assert refused.value.code == "HEARING_MISSING"
    ban = desk.admin.add_ban(card, "visit", "Uhkaava käytös", written=True, hearing_date=date(2026, 11, 30),
                       until=date(2027, 2, 28))
    assert ban.hearing_date == date(2026, 11, 30)
    assert desk.patrons.view(card).status == "blocked"


def test_an_oral_ban_in_a_minor_case(desk):
    card = patron(desk, "P0001")
    desk.admin.add_ban(card, "use", "Melu lukusalissa", until=date(2026, 12, 9))
    assert [b.code for b in desk.patrons.view(card).blocks] == ["BANNED"]


def test_a_ban_ends_after_its_last_day(desk, clock):
    card = patron(desk, "P0001")
    desk.admin.add_ban(card, "use", "Melu lukusalissa", until=date(2026, 12, 9))
    clock.advance(days=8)
    assert desk.patrons.view(card).blocks == ()


def test_hearing_in_the_future_is_not_a_hearing(desk):
    with pytest.raises(Refused):
        desk.admin.add_ban(patron(desk, "P0001"), "use", "x", written=True, hearing_date=date(2026, 12, 3))


def test_clearance_bans_every_debtor_until_paid(desk):
    debtor, clean = patron(desk, "P0001"), patron(desk, "P0002")
    desk.fees.charge(debtor, 50, "Palautuskehotus", "reminder")
    assert desk.admin.run_clearance() == [debtor]
    with pytest.raises(Refused) as refused:
        desk.loans.checkout(debtor, item(desk, "B0001"))
    assert refused.value.code == "CLEARANCE_DEBT"
    desk.loans.checkout(clean, "B0001")
    desk.fees.pay(debtor, 50)
    desk.loans.checkout(debtor, item(desk, "B0002"))
    desk.fees.charge(debtor, 25, "uusi maksu", "manual")  # a later fee does not revive the old ban
    desk.loans.checkout(debtor, item(desk, "B0003"))
    assert desk.admin.run_clearance() == [debtor]  # …until the next clearance


def test_clearance_writes_in_short_steps_and_a_stopped_run_finishes_when_run_again(desk, monkeypatch):
    """Issue 9: a batch never holds the write lock for seconds. With a step of one ban,
    a run that fails at the third ban keeps the two before it (their steps committed),
    and the next run bans the rest, nobody twice. Mutation caught: the whole run as one
    transaction (the failure leaves no ban), or a rerun that bans a patron again."""
    from tiski.store import bans as ban_store
    from tiski.store import batches

    debtors = [patron(desk, f"P000{n}") for n in range(1, 6)]
    for card in debtors:
        desk.fees.charge(card, 50, "Palautuskehotus", "reminder")
    monkeypatch.setattr(batches, "STEP_HOLD", 0.0)
    monkeypatch.setattr(batches, "STEP_PAUSE", 0.0)
    real_add, calls = ban_store.add, []

    def failing_add(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise OSError("the disk went away")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(ban_store, "add", failing_add)
    with pytest.raises(OSError):
        desk.admin.run_clearance()
    clearance_bans = "SELECT COUNT(*) FROM bans WHERE clearance = 1"
    assert desk.conn.execute(clearance_bans).fetchone()[0] == 2
    monkeypatch.setattr(ban_store, "add", real_add)
    assert desk.admin.run_clearance() == debtors
    assert desk.conn.execute(clearance_bans).fetchone()[0] == 5


def test_ill_needs_borrowing_rights_and_charges_on_arrival(desk):
    card = patron(desk, "P0001")
    request = desk.ill.order(card, "Porin historia", "Kansalliskirjasto", 600)
    assert request.status == "ordered" and desk.fees.balance(card) == 0
    arrived = desk.ill.arrived(request.id)
    assert arrived.status == "arrived" and desk.fees.balance(card) == 600
    blocked = patron(desk, "P0002")
    desk.fees.charge(blocked, 1200, "Kadonnut nide", "lost")
    with pytest.raises(Refused) as refused:
        desk.ill.order(blocked, "Porin historia", "Kansalliskirjasto", 600)
    assert refused.value.code == "FEES_OVER_LIMIT"


def test_a_cancelled_ill_costs_nothing(desk):
    card = patron(desk, "P0001")
    request = desk.ill.order(card, "Harvinainen teos", "Turun kaupunginkirjasto", 800)
    desk.ill.cancel(request.id)
    assert desk.fees.balance(card) == 0
    with pytest.raises(Refused):
        desk.ill.arrived(request.id)


def test_a_ban_says_which_since_when_until_when_and_who_gave_it(desk, clock):
    """Issue 10 #7: not "a borrowing, use or visit ban" but the ban itself. A machine
    (the patron's audience) is not told who gave it. Mutation caught: BANNED without
    its details, or the staff name given to a self-service machine."""
    from tiski.i18n import Translator

    card = patron(desk, "P0001")
    desk.admin.add_ban(card, "use", "Melu lukusalissa", until=date(2026, 12, 9))
    clock.advance(days=1)
    with pytest.raises(Refused) as refused:
        desk.loans.checkout(card, item(desk, "B0001"))
    said = Translator("fi").refusal(refused.value.first)
    assert said == "Käyttökielto 2.12.2026 alkaen, voimassa 9.12.2026 asti – antanut tester."
    assert Translator("fi", audience="patron").refusal(refused.value.first) == \
        "Käyttökielto 2.12.2026 alkaen, voimassa 9.12.2026 asti."
    desk.admin.add_ban(card, "visit", "Uhkaava käytös")
    said = [Translator("en").refusal(r) for r in desk.patrons.view(card).blocks]
    assert said == ["Use ban since 2.12.2026, until 9.12.2026 – given by tester.",
                    "Visit ban since 3.12.2026, until lifted – given by tester."]
