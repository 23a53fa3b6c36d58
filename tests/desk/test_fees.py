"""The fee ledger: charges, payments oldest first, waivers with a reason; never edited."""

import sqlite3

import pytest

from tiski.core.errors import Refused

from ..conftest import patron


def test_payments_settle_the_oldest_charges_first(desk, clock):
    card = patron(desk, "P0001")
    desk.fees.charge(card, 300, "Palautuskehotus", "reminder")
    clock.advance(days=1)
    desk.fees.charge(card, 700, "Vahingoittunut nide", "damaged")
    assert desk.fees.pay(card, 450) == 550  # partial payment
    ledger = desk.patrons.view(card, with_fees=True).fees
    charges = [f for f in ledger if f.entry == "charge"]
    assert [c.open_cents for c in charges] == [0, 550]


def test_a_waiver_needs_a_reason_and_reduces_the_balance(desk):
    card = patron(desk, "P0001")
    desk.fees.charge(card, 500, "Kadonnut nide", "lost")
    with pytest.raises(Refused):
        desk.fees.waive(card, 200, "   ")
    assert desk.fees.waive(card, 200, "Nide löytyi hyllystä") == 300
    assert [f.entry for f in desk.patrons.view(card, with_fees=True).fees] == ["charge", "waiver"]


def test_nobody_pays_more_than_they_owe(desk):
    card = patron(desk, "P0001")
    desk.fees.charge(card, 100, "Noutamaton varaus", "hold_uncollected")
    with pytest.raises(Refused) as refused:
        desk.fees.pay(card, 101)
    assert refused.value.code == "INVALID_INPUT"
    assert desk.fees.balance(card) == 100


def test_the_ledger_cannot_be_edited_or_deleted(desk):
    card = patron(desk, "P0001")
    desk.fees.charge(card, 100, "Testi", "manual")
    for sql in ("UPDATE fees SET amount_cents = 1", "DELETE FROM fees"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            desk.conn.execute(sql)
    assert desk.fees.balance(card) == 100


def test_a_fee_for_an_unknown_card(desk):
    with pytest.raises(Refused) as refused:
        desk.fees.charge("NOPE", 100, "Testi")
    assert refused.value.code == "PATRON_UNKNOWN"
