"""Patrons at the machine, by the desk's rules: the PIN and its lockout, a lost card, a
patron who asked for an ID check, a copy held for someone else, renewals; the machine
named in the audit trail, its loans committed at once for the desk to see.

Mutations caught: a lockout that a right PIN opens early, or that also locks the desk;
wrong PINs not recorded; a lost card answered without its status bits; a verify-ID
patron lent to at the machine; a held copy lent to someone else; a renewal the desk
would refuse; a loan left uncommitted (another connection does not see it); the audit
trail naming no one; a machine doing an admin's work.
"""

from __future__ import annotations

from datetime import date

import pytest
from pysip2 import encode_message

from tiski.core.errors import Refusal, Refused
from tiski.desk import Desk
from tiski.i18n import Translator
from tiski.store.db import connect

from .conftest import (
    AINO,
    EINO,
    LOST,
    NEW_CARD,
    PASSWORD,
    PINS,
    VERIFY,
    checkout,
    connect_machine,
    login,
    open_line,
    patron_information,
    patron_status,
    renew,
    renew_all,
)

FI = Translator("fi")


async def test_five_wrong_pins_lock_the_card_at_the_machines_for_15_minutes(server, staff_desk, clock):
    line = await connect_machine(server)
    for _ in range(4):
        reply = await line.ask(patron_status(AINO, "9999"))
        assert reply.screen_message == ("Väärä tunnusluku.",) and reply.valid_patron_password == "N"
    reply = await line.ask(patron_status(AINO, "9999"))
    assert reply.screen_message == ("Liian monta väärää tunnuslukua: kortti on suljettu automaateilla klo 14:20 asti.",)
    # The right PIN does not open it sooner, at this machine or another one.
    other = await connect_machine(server, "kiosk-ulv")
    for machine in (line, other):
        reply = await machine.ask(patron_status(AINO, PINS[AINO]))
        assert reply.valid_patron_password == "N" and reply.personal_name == ""
        assert reply.patron_status[:4] == "YYYY"
        assert (await machine.ask(checkout(AINO, "1000000001", PINS[AINO]))).ok == "0"
    # The desk is not the machines: the patron can still borrow there.
    assert staff_desk.loans.checkout(AINO, "1000000002").barcode == "1000000002"
    # Recorded: five wrong PINs, by which machine and when, and each check in the audit trail.
    rows = staff_desk.conn.execute("SELECT machine FROM pin_failures").fetchall()
    assert [r[0] for r in rows] == ["kiosk"] * 5
    audited = staff_desk.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'check_pin' AND staff = 'kiosk' AND patron_id IS NOT NULL"
    ).fetchone()[0]
    assert audited >= 5
    clock.advance(minutes=15)
    reply = await line.ask(patron_status(AINO, PINS[AINO]))
    assert reply.valid_patron_password == "Y" and reply.patron_status == " " * 14
    assert staff_desk.conn.execute("SELECT COUNT(*) FROM pin_failures").fetchone()[0] == 0
    await line.close()
    await other.close()


async def test_a_right_pin_clears_the_wrong_ones_before_it(server, staff_desk):
    line = await connect_machine(server)
    for _ in range(4):
        await line.ask(patron_status(AINO, "9999"))
    assert (await line.ask(patron_status(AINO, PINS[AINO]))).valid_patron_password == "Y"
    for _ in range(4):
        reply = await line.ask(patron_status(AINO, "9999"))
    assert reply.screen_message == ("Väärä tunnusluku.",)


async def test_a_lost_card_is_refused_with_its_status_bits(server):
    line = await connect_machine(server)
    reply = await line.ask(patron_status(LOST, PINS[NEW_CARD]))
    assert reply.patron_status == "YYYYY" + " " * 9
    assert reply.valid_patron == "Y" and reply.valid_patron_password == "N" and reply.personal_name == ""
    assert reply.screen_message == (FI.refusal(Refusal("CARD_LOST")),)
    refused = await line.ask(checkout(LOST, "1000000001", PINS[NEW_CARD]))
    assert refused.ok == "0" and refused.screen_message == (FI.refusal(Refusal("CARD_LOST")),)
    assert (await line.ask(checkout(NEW_CARD, "1000000001", PINS[NEW_CARD]))).ok == "1"


async def test_a_verify_id_patron_is_told_to_visit_the_desk(server, staff_desk):
    line = await connect_machine(server)
    info = await line.ask(patron_information(VERIFY, PINS[VERIFY]))
    assert info.patron_status == "Y" + " " * 13 and info.valid_patron_password == "Y"
    assert info.screen_message == ("Henkilöllisyytesi tarkistetaan jokaisen lainan yhteydessä: lainaa asiakaspalvelussa.",)
    refused = await line.ask(checkout(VERIFY, "1000000001"))
    assert refused.ok == "0" and refused.screen_message == info.screen_message
    assert staff_desk.patrons.view(VERIFY).loans == ()


async def test_a_copy_waiting_for_another_patron_is_not_lent(server, staff_desk):
    staff_desk.loans.checkout(AINO, "1000000001")
    staff_desk.holds.place(EINO, "1000000001", "PORI")
    staff_desk.loans.return_item("1000000001")  # on the hold shelf for Eino
    line = await connect_machine(server)
    reply = await line.ask(checkout(AINO, "1000000001", PINS[AINO]))
    assert reply.ok == "0" and reply.title_identifier == "Täällä Pohjantähden alla"
    assert reply.screen_message == (FI.refusal(Refusal("HELD_FOR_OTHER")), "Vie nide asiakaspalveluun.")
    assert staff_desk.catalogue.item_view("1000000001").status == "waiting"
    assert (await line.ask(checkout(EINO, "1000000001", PINS[EINO]))).ok == "1"


async def test_renewals_by_the_same_rules_as_the_desk(server, staff_desk, clock):
    staff_desk.loans.checkout(AINO, "1000000001")
    for _ in range(staff_desk.policy.max_renewals):
        clock.advance(days=3)
        staff_desk.loans.renew(AINO, "1000000001")
    clock.advance(days=3)
    with pytest.raises(Refused) as desk_says:
        staff_desk.loans.renew(AINO, "1000000001")
    line = await connect_machine(server)
    reply = await line.ask(renew(AINO, "1000000001", PINS[AINO]))
    assert reply.ok == "0" and reply.screen_message == (FI.refusal(desk_says.value.first),)


async def test_a_loan_at_the_machine_is_committed_at_once_and_names_the_machine(server, sip2_db, clock):
    """The desk's screens tick on SQLite's data_version: another connection must see the
    loan the moment the machine has its reply."""
    desk = Desk(connect(sip2_db), clock=clock, branch="PORI", staff="kaisa")
    before = desk.conn.execute("PRAGMA data_version").fetchone()[0]
    line = await connect_machine(server, "kiosk-ulv")
    assert (await line.ask(checkout(AINO, "2000000001", PINS[AINO]))).ok == "1"
    assert desk.conn.execute("PRAGMA data_version").fetchone()[0] != before
    assert [loan.barcode for loan in desk.patrons.view(AINO).loans] == ["2000000001"]
    row = desk.conn.execute(
        "SELECT staff, branch FROM audit_log WHERE action = 'checkout' ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(row) == ("kiosk-ulv", "ULV")
    assert desk.conn.execute("SELECT branch FROM loans").fetchone()[0] == "ULV"
    desk.conn.close()


def test_a_machine_does_circulation_and_nothing_else(sip2_db, clock):
    machine = Desk(connect(sip2_db), clock=clock, branch="PORI", staff="kiosk")
    assert machine.loans.checkout(AINO, "1000000001").due == date(2026, 12, 30)
    for attempt in (lambda: machine.admin.add_branch("X", "X"), lambda: machine.patrons.set_pin(AINO, "9876"),
                    lambda: machine.fees.waive(AINO, 100, "x"), lambda: machine.digituki.queue_add("A", "e_services",
                                                                                                   "own_phone")):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.code == "NOT_ALLOWED"
    machine.conn.close()


async def test_wrong_machine_passwords_pause_the_machine(server, staff_desk, clock):
    line = await open_line(server)
    for _ in range(5):
        assert (await line.ask(login(password="wrong-one"))).ok == "0"
    assert (await line.ask(login())).ok == "0"  # paused, right password or not
    failures = staff_desk.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE staff = 'kiosk' AND action = 'sip2_login_failed'").fetchone()[0]
    assert failures == 5
    clock.advance(minutes=15)
    assert (await line.ask(login(password=PASSWORD))).ok == "1"
    await line.close()


async def test_a_disabled_machine_cannot_log_in(server, staff_desk):
    staff_desk.admin.disable_staff("kiosk")
    line = await open_line(server)
    assert (await line.ask(login())).ok == "0"


async def test_a_pin_sent_empty_is_refused_even_in_a_patron_session(server, staff_desk):
    """Mutation caught: `_check_pin` taking an explicit empty AD (`AD|`) for "the PIN of
    the patron session" (`if not pin`): only a missing AD may stand for the PIN verified
    earlier on the connection; an empty one is refused always (issue 14)."""
    line = await connect_machine(server)
    assert (await line.ask(patron_information(AINO, PINS[AINO]))).valid_patron_password == "Y"
    assert b"|AD|" in encode_message(checkout(AINO, "1000000001", ""), encoding="utf-8")  # sent, and empty
    refused = await line.ask(checkout(AINO, "1000000001", ""))
    assert refused.ok == "0" and refused.screen_message == ("Anna tunnusluku.",)
    info = await line.ask(patron_information(AINO, ""))
    assert info.valid_patron_password == "N" and info.personal_name == "" and info.fee_amount is None
    assert (await line.ask(renew_all(AINO, ""))).ok == "0"
    assert staff_desk.patrons.view(AINO).loans == ()
    assert (await line.ask(checkout(AINO, "1000000001"))).ok == "1"  # AD not sent: the session's PIN
    await line.close()


async def test_a_patron_session_idle_too_long_asks_for_the_pin_again(server, staff_desk, clock):
    """Mutation caught: a missing AD standing for the session's PIN however long the
    session has been idle (no `automat.session_idle_minutes`), or the idle time counted
    from the PIN rather than from the session's last message (issue 14)."""
    idle = staff_desk.policy.automat_session_idle_minutes
    line = await connect_machine(server)
    assert (await line.ask(patron_information(AINO, PINS[AINO]))).valid_patron_password == "Y"
    clock.advance(minutes=idle - 1, seconds=59)
    assert (await line.ask(checkout(AINO, "1000000001"))).ok == "1"
    clock.advance(minutes=idle - 1, seconds=59)  # longer than `idle` since the PIN, not since the last message
    assert (await line.ask(checkout(AINO, "1000000002"))).ok == "1"
    clock.advance(minutes=idle)
    refused = await line.ask(checkout(AINO, "1000000003"))
    assert refused.ok == "0" and refused.screen_message == ("Anna tunnusluku.",)
    info = await line.ask(patron_information(AINO, None, "  Y       "))
    assert info.valid_patron_password == "N" and info.personal_name == "" and info.charged_items == ()
    assert (await line.ask(checkout(AINO, "1000000003", PINS[AINO]))).ok == "1"  # the PIN again: a new session
    assert (await line.ask(checkout(AINO, "1000000004"))).ok == "1"
    assert staff_desk.conn.execute("SELECT COUNT(*) FROM pin_failures").fetchone()[0] == 0  # nothing was wrong
    await line.close()
