"""Payments with a method, the payment receipt's facts, the day's takings (issue 12 §3),
and the ledger chain sealing the new columns (ledger version 2)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tiski.clock import ManualClock
from tiski.core.errors import Refused
from tiski.desk import Desk
from tiski.store.chain import verify
from tiski.store.db import connect, migrate

from ..conftest import START, item, patron


@pytest.fixture
def owing(desk):
    """P0001 owes a late fee (2,50 €) and a manual charge (3,00 €), in that order."""
    patron(desk, "P0001")
    desk.fees.charge("P0001", 250, "Myöhässä", "late")
    desk.fees.charge("P0001", 300, "Muovitasku")
    return desk


def test_a_payment_records_its_method_and_what_it_settled(owing):
    """The receipt's facts: paid, how, which charges (oldest first), the balance after.
    Mutation caught: the method dropped (the ledger says NULL), the newest charge settled first."""
    payment = owing.fees.take_payment("P0001", 400, "card")
    assert (payment.amount_cents, payment.method, payment.balance_cents) == (400, "card", 150)
    assert [(s.charge_type, s.amount_cents) for s in payment.settled] == [("late", 250), ("manual", 150)]
    assert owing.conn.execute("SELECT method FROM fees WHERE entry = 'payment'").fetchone()[0] == "card"


def test_pay_is_cash_by_default_and_returns_the_balance(owing):
    assert owing.fees.pay("P0001", 550) == 0
    assert owing.conn.execute("SELECT method FROM fees WHERE entry = 'payment'").fetchone()[0] == "cash"


def test_an_unknown_method_is_bad_input_and_writes_nothing(owing):
    before = owing.conn.execute("SELECT COUNT(*) FROM fees").fetchone()[0]
    with pytest.raises(Refused) as refused:
        owing.fees.take_payment("P0001", 100, "bitcoin")
    assert refused.value.code == "INVALID_INPUT"
    assert owing.conn.execute("SELECT COUNT(*) FROM fees").fetchone()[0] == before


def test_the_days_takings_by_method_and_branch(db_path, clock):
    """Payments in by method, at the branch that took them, on the day they were taken.
    Mutation caught: a waiver counted as takings; another day's or branch's payment counted."""
    pori = Desk(connect(db_path), clock=clock, branch="PORI", staff="kaisa")
    ulv = Desk(connect(db_path), clock=clock, branch="ULV", staff="pekka")
    patron(pori, "P0001")
    pori.fees.charge("P0001", 5000, "Kadonnut nide", "lost")
    pori.fees.take_payment("P0001", 1000, "cash")
    pori.fees.take_payment("P0001", 700, "card")
    pori.fees.waive("P0001", 100, "Virhe")
    ulv.fees.take_payment("P0001", 300, "other")
    clock.set(datetime(2026, 12, 3, 9))
    pori.fees.take_payment("P0001", 200, "cash")
    day = date(2026, 12, 2)
    assert pori.fees.takings(day, "PORI").by_method == {"cash": 1000, "card": 700, "other": 0}
    assert pori.fees.takings(day, "ULV").total_cents == 300
    everywhere = pori.fees.takings(day)
    assert everywhere.by_method == {"cash": 1000, "card": 700, "other": 300} and everywhere.total_cents == 2000
    assert pori.fees.takings(date(2026, 12, 3)).total_cents == 200
    pori.close()
    ulv.close()


def test_the_method_is_sealed_in_the_ledger_chain(owing):
    """A method changed around Tiski (triggers dropped) is found by `audit verify`.
    Mutation caught: the chain sealing only the version-1 columns."""
    owing.fees.take_payment("P0001", 100, "card")
    assert verify(owing.conn).intact
    owing.conn.execute("DROP TRIGGER fees_no_update")
    owing.conn.execute("UPDATE fees SET method = 'cash' WHERE entry = 'payment'")
    assert "ledger_changed" in {f.what for f in verify(owing.conn).findings}


def test_a_refund_link_is_sealed_too(desk):
    patron(desk, "P0001")
    item(desk, "B0001")
    desk.loans.checkout("P0001", "B0001")
    desk.items.lost("B0001")
    desk.loans.return_item("B0001")
    desk.conn.execute("DROP TRIGGER fees_no_update")
    desk.conn.execute("UPDATE fees SET refund_of = NULL WHERE refund_of IS NOT NULL")
    assert "ledger_changed" in {f.what for f in verify(desk.conn).findings}


def test_a_chain_entrys_version_cannot_be_changed_unseen(owing):
    """The version says which columns were sealed; changing it is a change like any other."""
    owing.fees.take_payment("P0001", 100, "card")
    owing.conn.execute("DROP TRIGGER ledger_chain_no_update")
    owing.conn.execute("UPDATE ledger_chain SET version = 1 WHERE seq = (SELECT MAX(seq) FROM ledger_chain)")
    assert "ledger_changed" in {f.what for f in verify(owing.conn).findings}


def test_a_ledger_sealed_before_schema_10_still_checks_out_after_it(tmp_path):
    """Rows sealed as version 1 (before schema 11) keep their hashes; rows written after
    the migration are version 2. Mutation caught: old rows re-read with the new columns
    (every old row 'changed'), or the migration re-sealing them."""
    from tiski.store import chain
    from tiski.store.db import open_file, transaction
    from tiski.store.files import PRIVATE, create_file

    import os

    path = tmp_path / "nine.sqlite"
    os.close(create_file(path, PRIVATE))
    old = open_file(path)
    migrate(old, upto=9)
    stamp = "2026-12-01T10:00:00+02:00"
    with transaction(old):  # a charge and a payment as schema 9 wrote them, sealed as version 1
        old.execute("INSERT INTO branches (code, name, created_at) VALUES ('PORI', 'Pori', ?)", (stamp,))
        old.execute("INSERT INTO patrons (id, first_name, last_name, birth_date, created_at, updated_at)"
                    " VALUES (1, 'Aino', 'Virtanen', '1980-01-01', ?, ?)", (stamp, stamp))
        old.execute("INSERT INTO cards (card, patron_id, issued_at) VALUES ('P0001', 1, ?)", (stamp,))
        old.execute("INSERT INTO fees (id, patron_id, entry, charge_type, amount_cents, at)"
                    " VALUES (1, 1, 'charge', 'manual', 500, ?)", (stamp,))
        old.execute("INSERT INTO fees (id, patron_id, entry, amount_cents, at) VALUES (2, 1, 'payment', 200, ?)",
                    (stamp,))
        old.execute("INSERT INTO fee_settlements VALUES (2, 1, 200)")
        chain.append_ledger(old, ["fee:1", "fee:2", "settlement:2:1"], chain.written_now(), 1)
    assert verify(old).intact
    migrate(old)
    chain.watch(old)
    assert verify(old).intact
    desk = Desk(old, clock=ManualClock(START), branch="PORI")
    desk.fees.take_payment("P0001", 100, "card")
    versions = [r[0] for r in old.execute("SELECT version FROM ledger_chain ORDER BY seq")]
    assert versions[:3] == [1, 1, 1] and set(versions[3:]) == {2}
    assert verify(old).intact
    assert desk.fees.balance("P0001") == 200
    old.close()
