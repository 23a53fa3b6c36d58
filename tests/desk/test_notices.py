"""Notices through the facade: the hold's week from sending, reminders and the invoice
on their days with the policy's amounts, a missed day caught up, nothing produced twice,
failures retried then in front of staff, the text holding only what it must."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tiski.clock import HELSINKI
from tiski.core.errors import Refused
from tiski.desk.patrons import ContactChange
from tiski.notify import DeliveryFailed, Email, Letter, TextMessage

from ..carriers import Recorder, run
from ..conftest import item, patron

EMAIL = "aino.virtanen@example.fi"


def at(clock, day: date, hour: int = 2) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, tzinfo=HELSINKI))


def shelved(desk, holder: str, barcode: str = "B0001") -> None:
    """A copy lent to someone else and held by `holder` comes back at PORI: on the shelf."""
    book = item(desk, barcode, title="Sinuhe egyptiläinen")
    desk.loans.checkout(patron(desk, "L" + barcode), book)
    desk.holds.place(holder, book)
    desk.loans.return_item(book)


def hold_of(desk, card: str):
    [hold] = [h for h in desk.patrons.view(card).holds if h.status == "waiting"]
    return hold


# --- the hold shelf: seven days from the arrival notice being sent ----------------------

def test_the_pickup_week_starts_when_the_arrival_notice_is_sent(desk, clock):
    """Seed 004: "noudettava 7 päivän kuluessa saapumisilmoituksen lähettämisestä". The
    copy reaches the shelf on Wednesday 2.12.; the mail server refuses that day and the
    next morning's run sends it: the patron has until 10.12. (7 days from Thursday),
    and the hold does not expire while the notice has not gone.
    Mutation caught: pickup_by kept from the day of the trap; the hold expiring before
    its notice went; the run sending the notice inside the return's transaction."""
    card = patron(desk, "P0001", email=EMAIL)
    shelved(desk, card)
    refused = "SMTP smtp.example.fi: ConnectionRefusedError"
    first = run(desk, Recorder(DeliveryFailed(refused), desk=desk))
    assert [(f.kind, f.error) for f in first.failed] == [("hold_arrived", refused)]
    at(clock, date(2026, 12, 3), 9)
    mail = Recorder(desk=desk)
    assert [s.kind for s in run(desk, mail).sent] == ["hold_arrived"]
    [message] = mail.sent
    assert isinstance(message, Email) and "Nouda viimeistään 10.12.2026" in message.body
    assert hold_of(desk, card).pickup_by == date(2026, 12, 10)


def test_a_hold_whose_notice_never_went_waits_on_the_shelf(desk, clock):
    """Mutation caught: holds.expire charging for a hold nobody was told about."""
    card = patron(desk, "P0001", email=EMAIL)
    shelved(desk, card)
    run(desk, Recorder(DeliveryFailed("SMTP 550: no such user", permanent=True)))
    at(clock, date(2026, 12, 20), 6)
    assert desk.holds.expire() == []
    assert desk.notices.listing("failed")[0].last_error == "SMTP 550: no such user"


def test_a_copy_whose_patron_was_never_told_is_not_cleared_from_the_shelf_nor_charged(desk, clock):
    """The arrival e-mail failed for one patron; the other is on the call list and was
    never called. Weeks later neither copy is on the shelf-clearing list, and scanning
    it off the shelf is refused with the notice's state — no uncollected-hold fee. Once
    staff call, the week runs from the call and the copy is cleared with its fee.
    Mutation caught: store.holds.shelf_ending or desk.holds.clear_from_shelf without
    expired_waiting's guard against an arrival notice still pending or failed."""
    failing = patron(desk, "P0001", email=EMAIL)
    shelved(desk, failing)
    untold = patron(desk, "P0002")  # no e-mail, phone or address: the call list
    shelved(desk, untold, "B0002")
    run(desk, Recorder(DeliveryFailed("SMTP 550: no such user", permanent=True)))
    at(clock, date(2026, 12, 20), 10)
    assert desk.holds.shelf_to_clear() == []
    for barcode, state in (("B0001", "notice.failed"), ("B0002", "notice.pending")):
        with pytest.raises(Refused) as refused:
            desk.holds.clear_from_shelf(barcode)
        assert (refused.value.code, refused.value.refusals[0].params) == ("WRONG_STATE", {"status": state})
    assert desk.fees.balance(failing) == desk.fees.balance(untold) == 0
    [call] = [n for n in desk.notices.work_list() if n.channel == "call"]
    desk.notices.mark_called(call.id)
    assert hold_of(desk, untold).pickup_by == date(2026, 12, 28)  # 7 days from the call; 27.12. is a Sunday
    at(clock, date(2026, 12, 29), 10)
    assert [c.barcode for c in desk.holds.shelf_to_clear()] == ["B0002"]
    assert desk.holds.clear_from_shelf("B0002").fee_cents == 100


def test_no_channel_puts_the_patron_on_the_call_list_and_the_week_starts_at_the_call(desk, clock):
    """Mutation caught: a patron without e-mail, phone or address skipped silently; the
    week counted from the trap instead of the call."""
    card = patron(desk, "P0001")
    shelved(desk, card)
    assert run(desk).to_call == 1
    [call] = [n for n in desk.notices.work_list() if n.channel == "call"]
    assert "Nouda viimeistään" in call.body and call.status == "pending"
    at(clock, date(2026, 12, 4), 11)  # Friday: staff reach her
    desk.notices.mark_called(call.id)
    assert hold_of(desk, card).pickup_by == date(2026, 12, 11)
    with pytest.raises(Refused) as refused:
        desk.notices.mark_called(call.id)
    assert refused.value.code == "WRONG_STATE"


def test_a_hold_collected_before_its_notice_went_cancels_it(desk):
    """Mutation caught: the arrival e-mail still sent after the patron took the book home."""
    card = patron(desk, "P0001", email=EMAIL)
    shelved(desk, card)
    desk.loans.checkout(card, "B0001")
    assert run(desk).sent == ()
    assert [n.status for n in desk.notices.listing("cancelled")] == ["cancelled"]


def test_the_patrons_own_channel_is_used(desk):
    card = patron(desk, "P0001", email=EMAIL, phone="040 123 4567")
    desk.notices.set_channel(card, "hold_arrived", "sms")
    shelved(desk, card)
    sms = Recorder()
    run(desk, sms)
    [message] = sms.sent
    assert isinstance(message, TextMessage) and message.number == "+358401234567"
    assert "hyllypaikasta 001" in message.text and len(message.text) < 160


# --- after the due date: reminders, then the invoice -----------------------------------

def late_loans(desk, clock, card: str, *barcodes: str, price: int | None = 1990) -> date:
    at(clock, date(2026, 12, 2), 14)
    for barcode in barcodes:
        desk.loans.checkout(card, item(desk, barcode, title=f"Kirja {barcode}", price_cents=price))
    return date(2026, 12, 30)  # four weeks


def test_reminders_and_the_invoice_on_their_days_with_the_policys_amounts(desk, clock):
    """1,50 € when reminder 1 goes (due + 7), 3,00 € with reminder 2 (due + 21), then the
    invoice (due + 35): each loan's replacement price plus 7,50 €, the loans marked
    billed. One reminder covers every loan due the same day.
    Mutation caught: a fee per loan instead of per reminder; fees charged when a
    reminder is produced but never sent; the invoice without the replacement prices."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001", "B0002")
    mail = Recorder()
    for day, balance, subject in ((due + timedelta(days=6), 0, None),
                                  (due + timedelta(days=7), 150, "1. palautuskehotus"),
                                  (due + timedelta(days=20), 150, None),
                                  (due + timedelta(days=21), 450, "2. palautuskehotus"),
                                  (due + timedelta(days=35), 450 + 2 * 1990 + 750,
                                   "Lasku palauttamatta jääneestä aineistosta")):
        at(clock, day)
        before = len(mail.sent)
        run(desk, mail)
        assert [m.subject for m in mail.sent[before:]] == ([subject] if subject else []), day
        assert desk.fees.balance(card) == balance, day
    invoice = mail.sent[-1]
    assert "Kirja B0001 (B0001): 19,90 €" in invoice.body and "Laskutuslisä: 7,50 €" in invoice.body
    assert "Yhteensä: 47,30 €" in invoice.body
    at(clock, due + timedelta(days=90))
    assert run(desk, mail).produced == 0  # billed: nothing more


def test_no_fees_for_a_child_but_the_reminders_still_go(desk, clock):
    card = patron(desk, "P0001", birth=date(2015, 6, 1), email=EMAIL, guardian="Aino Virtanen",
                  consent_date=date(2026, 1, 10))
    due = late_loans(desk, clock, card, "B0001", price=None)
    mail = Recorder()
    for offset in (7, 21, 35):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
    assert [m.subject.split()[0] for m in mail.sent] == ["1.", "2.", "Lasku"]
    assert "kehotuksen maksu" not in mail.sent[0].body and "Laskutuslisä" not in mail.sent[2].body
    assert desk.fees.balance(card) == 2500  # the replacement price (the policy's), no fees


def test_a_missed_day_is_caught_up_and_never_two_steps_at_once(desk, clock):
    """Cron missed the 7th day and the run on day 40 is the first one since: reminder 1
    goes then, reminder 2 fourteen days after it, never all three on one day.
    Mutation caught: Koha's "only on the exact day" (nothing sent at all), or every step
    owed sent at once."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    mail = Recorder()
    at(clock, due + timedelta(days=8))
    assert [s.kind for s in run(desk, mail).sent] == ["overdue"]
    at(clock, due + timedelta(days=40))
    assert [(s.kind, m.subject) for s, m in zip(run(desk, mail).sent, mail.sent[1:])] == [
        ("overdue", "2. palautuskehotus")]
    at(clock, due + timedelta(days=41))
    assert run(desk, mail).sent == ()
    at(clock, due + timedelta(days=54))
    assert [s.kind for s in run(desk, mail).sent] == ["invoice"]


def test_retention_between_the_reminders_and_the_invoice_keeps_the_ladder_going(desk, clock):
    """Reminders on their days (7, 21); cron misses the invoice day, and the nightly
    retention on day 37 finds reminder 1 sent 30 days ago. It keeps it (the loans are
    still out), and the invoice still comes on day 38, once, its fee charged once.
    Mutation caught: retention.remove_notices deleting a reminder whose loans are still
    out (with produce_owed counting levels, the invoice then never comes)."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    mail = Recorder()
    for offset in (7, 21):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
    at(clock, due + timedelta(days=37), 3)
    assert desk.register.retention()["notices_removed"] == 0
    assert sorted(n.level for n in desk.notices.listing("sent")) == [1, 2]
    for offset in range(38, 60):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
        desk.register.retention()
    assert [m.subject.split()[0] for m in mail.sent] == ["1.", "2.", "Lasku"]
    assert desk.fees.balance(card) == 150 + 300 + 1990 + 750
    desk.loans.return_item("B0001")  # back: the loan loses its patron, its notices may go
    at(clock, due + timedelta(days=100))
    assert desk.register.retention()["notices_removed"] == 3


def test_a_reminder_already_gone_from_the_outbox_neither_stops_the_invoice_nor_comes_again(desk, clock):
    """A register whose earlier retention removed reminder 1 (before it kept a ladder's
    reminders) still reaches the invoice after reminder 2, once, and never sends (or
    charges) reminder 2 again.
    Mutation caught: produce_owed's done=len(levels) (the distinct levels still in the
    outbox) instead of the highest level reached."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    mail = Recorder()
    for offset in (7, 21):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
    with desk.conn:
        desk.conn.execute("DELETE FROM notices WHERE kind = 'overdue' AND level = 1")
    for offset in range(22, 50):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
    assert [m.subject.split()[0] for m in mail.sent] == ["1.", "2.", "Lasku"]
    assert desk.fees.balance(card) == 150 + 300 + 1990 + 750


def test_nothing_is_produced_twice(desk, clock):
    """Runs every ten minutes all day: one notice per key, one fee per reminder.
    Mutation caught: the key not unique (INSERT OR IGNORE gone), fees per run."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    mail = Recorder()
    for minutes in range(0, 24 * 60, 10):
        clock.set(datetime.combine(due + timedelta(days=7), datetime.min.time(), HELSINKI) + timedelta(minutes=minutes))
        run(desk, mail)
    assert len(mail.sent) == 1 and desk.fees.balance(card) == 150


def test_a_reminder_for_loans_returned_before_it_went_is_cancelled_and_costs_nothing(desk, clock):
    card = patron(desk, "P0001")  # the call list: nothing goes until staff call
    due = late_loans(desk, clock, card, "B0001")
    at(clock, due + timedelta(days=7))
    assert run(desk).to_call == 1
    at(clock, due + timedelta(days=8), 12)
    late_fee = desk.loans.return_item("B0001").late_fee_cents
    assert run(desk).to_call == 0
    assert desk.fees.balance(card) == late_fee  # the late fee, no reminder fee


def test_a_loan_claimed_returned_gets_no_reminder_invoice_or_notice_fee(desk, clock):
    """Issue 12: a claims-returned loan is being searched for; it accrues nothing and no
    reminder, invoice or notice fee is produced for it (the patron's other late loan, due
    the same day, still is reminded and invoiced alone).
    Mutation caught: notice_facts._OWED without `claims_returned_at IS NULL` (reminders,
    fees and the replacement invoiced for the flagged loan)."""
    card = patron(desk, "P0001", email=EMAIL)
    solo = patron(desk, "P0002", email="eino@example.fi")
    due = late_loans(desk, clock, card, "B0001", "B0002")
    desk.loans.checkout(solo, item(desk, "B0003", title="Kirja B0003", price_cents=1990))
    at(clock, due + timedelta(days=1), 12)
    desk.items.claims_returned("B0002")
    desk.items.claims_returned("B0003")
    mail = Recorder()
    for offset in (7, 21, 35, 60):
        at(clock, due + timedelta(days=offset))
        run(desk, mail)
    assert [m.to for m in mail.sent] == [EMAIL] * 3  # nothing at all for the solo claim
    assert desk.fees.balance(solo) == 0
    assert desk.fees.balance(card) == 150 + 300 + 1990 + 750  # B0001's replacement only
    assert all("B0002" not in m.body for m in mail.sent)


def test_a_billed_item_returned_later_has_its_replacement_credited_and_the_fees_stay(desk, clock):
    """Seed 004 and the policy: the replacement is credited (a credit in the ledger,
    never an edit), the late, reminder and invoicing fees stay.
    Mutation caught: the replacement left charged; the invoicing fee credited too."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001", "B0002")
    for offset in (7, 21, 35):
        at(clock, due + timedelta(days=offset))
        run(desk)
    assert desk.fees.balance(card) == 150 + 300 + 2 * 1990 + 750
    at(clock, due + timedelta(days=40), 12)
    back = desk.loans.return_item("B0001")
    assert back.late_fee_cents == 700  # the policy's maximum per item
    assert (back.refund_cents, back.paid_back_cents) == (1990, 0)
    assert desk.fees.balance(card) == 150 + 300 + 1990 + 750 + 700
    ledger = desk.patrons.view(card, with_fees=True).fees
    entries = [(f.entry, f.charge_type, f.amount_cents, f.open_cents) for f in ledger]
    assert ("refund", None, 1990, None) in entries  # a credit naming the charge it gives back
    assert desk.register.verify_audit().intact  # the ledger's chain holds


def test_a_paid_invoice_replacement_is_refunded_when_the_item_comes_back(desk, clock):
    """Policy [lost]: a copy charged for that comes back is given back its replacement
    price — paid or not. The invoice was paid in full by card; the item comes back:
    the 19,90 € is credited and paid back by card (as item_life.found does for a lost
    copy), the reminder and invoicing fees stay, and the return says so.
    Mutation caught: credit_replacement crediting only the unpaid part (nothing back
    for a paid invoice); _close_loan dropping what it credited (refund_cents 0)."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    for offset in (7, 21, 35):
        at(clock, due + timedelta(days=offset))
        run(desk)
    desk.fees.take_payment(card, 150 + 300 + 1990 + 750, "card")
    at(clock, due + timedelta(days=40), 12)
    back = desk.loans.return_item("B0001")
    assert (back.refund_cents, back.paid_back_cents, back.paid_back_method) == (1990, 1990, "card")
    assert desk.fees.balance(card) == back.late_fee_cents == 700  # the fees paid stay paid
    entries = [(f.entry, f.charge_type, f.amount_cents) for f in desk.patrons.view(card, with_fees=True).fees]
    assert ("refund", None, 1990) in entries and ("charge", "paid_back", 1990) in entries
    assert desk.register.verify_audit().intact


def test_a_half_paid_invoice_replacement_cancels_the_open_part_and_pays_back_the_rest(desk, clock):
    """The oldest charges are paid first: 10,00 € paid settles both reminders and 5,50 €
    of the replacement. Back, the whole 19,90 € is credited: 14,40 € cancelled, 5,50 €
    paid back in cash; the invoicing fee stays open.
    Mutation caught: only the open part credited (the 5,50 € paid kept)."""
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    for offset in (7, 21, 35):
        at(clock, due + timedelta(days=offset))
        run(desk)
    desk.fees.take_payment(card, 1000, "cash")
    at(clock, due + timedelta(days=40), 12)
    back = desk.loans.return_item("B0001")
    assert (back.refund_cents, back.paid_back_cents, back.paid_back_method) == (1990, 550, "cash")
    assert desk.fees.balance(card) == 750 + 700  # the invoicing fee and the late fee


def test_an_invoice_comes_from_each_owning_library(desk, clock):
    """Seed 004: "laskutuksesta ja perinnästä vastaa aineiston omistava kirjasto"."""
    card = patron(desk, "P0001", address="Yrjönkatu 5, 28100 Pori")
    at(clock, date(2026, 12, 2), 14)
    desk.loans.checkout(card, item(desk, "B0001", price_cents=1000))
    desk.loans.checkout(card, item(desk, "B0002", price_cents=2000, branch="ULV"))
    post = Recorder()
    for offset in (7, 21, 35):
        at(clock, date(2026, 12, 30) + timedelta(days=offset))
        run(desk, post)
    invoices = [letter for letter in post.letters if letter.heading.startswith("Lasku")]
    assert sorted(letter.sender[0] for letter in invoices) == ["Porin pääkirjasto", "Ulvilan kirjasto"]
    assert all(isinstance(letter, Letter) and letter.window == ("Testi Asiakas", "Yrjönkatu 5", "28100 Pori")
               for letter in invoices)


# --- the due-date reminder -------------------------------------------------------------

def test_the_due_date_reminder_goes_by_e_mail_only_and_may_be_declined(desk, clock):
    """Mutation caught: a text message or a letter for a courtesy reminder; the patron's
    "no thanks" ignored; a second reminder the next day."""
    by_mail = patron(desk, "P0001", email=EMAIL)
    by_phone = patron(desk, "P0002", phone="040 123 4567")
    declined = patron(desk, "P0003", email="liisa@example.fi")
    desk.notices.set_channel(declined, "due_soon", "none")
    at(clock, date(2026, 12, 2), 14)
    for n, card in enumerate((by_mail, by_phone, declined)):
        desk.loans.checkout(card, item(desk, f"B000{n}"))
    mail = Recorder()
    at(clock, date(2026, 12, 26))  # four days before: not yet
    assert run(desk, mail).sent == ()
    at(clock, date(2026, 12, 28))  # the 27th was missed: caught up
    assert [s.card for s in run(desk, mail).sent] == [by_mail]
    assert mail.sent[0].subject == "Lainojesi eräpäivä on 30.12.2026"
    at(clock, date(2026, 12, 29))
    assert run(desk, mail).sent == ()


# --- failures are work ------------------------------------------------------------------

def test_a_failed_send_is_retried_with_backoff_then_shown_to_staff(desk, clock):
    """Mutation caught: a failure retried at once forever, or dropped after one try."""
    card = patron(desk, "P0001", email=EMAIL)
    shelved(desk, card)
    down = Recorder(DeliveryFailed("SMTP 451: try again later"))
    start = desk.now()
    waits = []
    for _ in range(4):
        report = run(desk, down)
        [failed] = report.failed
        waits.append(failed.retry_at - desk.now() if failed.retry_at else None)
        assert run(desk, down).failed == ()  # not before its time
        if failed.retry_at:
            clock.set(failed.retry_at)
    assert waits == [timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), None]
    [line] = desk.notices.listing("failed")
    assert (line.tries, line.last_error, line.card) == (4, "SMTP 451: try again later", card)
    assert desk.now() - start == timedelta(minutes=15 + 60 + 240)
    resent = desk.notices.resend(line.id)
    assert (resent.status, resent.tries) == ("pending", 0)
    assert [s.id for s in run(desk).sent] == [line.id]


def test_a_permanent_refusal_goes_to_staff_at_once_and_a_switch_sends_it_another_way(desk):
    card = patron(desk, "P0001", email=EMAIL, phone="040 123 4567")
    shelved(desk, card)
    run(desk, Recorder(DeliveryFailed("SMTP 550: <recipient>: no such user", permanent=True)))
    [failed] = desk.notices.listing("failed")
    assert failed.tries == 1
    desk.notices.switch_channel(failed.id, "sms")
    sms = Recorder()
    assert [s.channel for s in run(desk, sms).sent] == ["sms"]
    with pytest.raises(Refused):
        desk.notices.switch_channel(failed.id, "carrier pigeon")


def test_a_channel_without_an_address_fails_with_the_reason(desk):
    card = patron(desk, "P0001", email=EMAIL)
    shelved(desk, card)
    desk.patrons.update(card, ContactChange(email=""))
    report = run(desk)
    assert [(f.error, f.retry_at) for f in report.failed] == [("no_email", None)]


def test_sends_happen_outside_any_desk_transaction(desk):
    """Mutation caught: run_notices called inside a write (a mail server holding the
    register's write lock for every desk)."""
    patron(desk, "P0001", email=EMAIL)
    with desk.write():
        with pytest.raises(RuntimeError):
            run(desk)


def test_a_dry_run_writes_and_sends_nothing(desk, clock):
    card = patron(desk, "P0001", email=EMAIL)
    due = late_loans(desk, clock, card, "B0001")
    at(clock, due + timedelta(days=7))
    mail = Recorder()
    report = run(desk, mail, dry_run=True)
    assert report.dry_run and report.produced == 1 and [w.kind for w in report.would_send] == ["overdue"]
    assert mail.sent == [] and desk.notices.listing("pending") == [] and desk.fees.balance(card) == 0


# --- privacy ------------------------------------------------------------------------------

def test_a_notice_holds_only_what_it_must_and_sent_ones_follow_retention(desk, clock):
    """The outbox keeps titles, dates, amounts and the library; never the patron's name,
    card, address or phone. Sent notices go after the policy's days; a failed one stays:
    it is work. Mutation caught: the greeting by name; retention deleting failed work."""
    sent_to = patron(desk, "P0001", first="Åsa", last="Öberg", email=EMAIL, address="Yrjönkatu 5, 28100 Pori")
    shelved(desk, sent_to)
    failing = patron(desk, "P0002", first="Eino", last="Ääri", email="eino@example.fi")
    shelved(desk, failing, "B0002")
    mail = Recorder()

    class OneRefused(Recorder):
        def send(self, message):
            if message.to == "eino@example.fi":
                raise DeliveryFailed("SMTP 550: no such user", permanent=True)
            super().send(message)

    run(desk, OneRefused())
    exported = desk.patrons.export(sent_to)
    [notice] = exported["notices"]
    for private in ("Åsa", "Öberg", "P0001", "Yrjönkatu", EMAIL):
        assert private not in notice["body"] + notice["subject"]
    assert notice["status"] == "sent" and "Sinuhe egyptiläinen" in notice["body"]
    at(clock, date(2027, 1, 15), 12)
    desk.loans.checkout(sent_to, "B0001")
    removed = desk.register.retention()["notices_removed"]
    assert removed == 1 and [n.card for n in desk.notices.listing("failed")] == [failing]
    assert mail.sent == []


def test_a_preview_shows_the_patrons_notice_in_their_language(desk, clock):
    card = patron(desk, "P0001", email=EMAIL, language="sv")
    due = late_loans(desk, clock, card, "B0001")
    at(clock, due + timedelta(days=9))
    shown = desk.notices.preview("overdue", card)
    assert (shown.channel, shown.subject) == ("email", "Påminnelse 1") and "Kirja B0001 (B0001)" in shown.text
    with pytest.raises(Refused) as nothing:
        desk.notices.preview("hold_arrived", card)
    assert nothing.value.code == "NOT_FOUND"


def test_desk_staff_work_the_notices_and_only_an_admin_sets_a_branchs_words(desk):
    """Mutation caught: the branch's words (in every notice) open to any role; the
    run closed to the desk staff who work the call list."""
    desk.admin.add_staff("kaisa", "admin", None, "kaisan-salasana-1")
    desk.act_as("kaisa")
    desk.admin.add_staff("pekka", "desk", None, "pekan-salasana-1")
    desk.act_as("pekka")
    assert run(desk).produced == 0
    with pytest.raises(Refused) as refused:
        desk.notices.set_branch("PORI", "ma–pe 10–20")
    assert refused.value.code == "NOT_ALLOWED"
    desk.act_as("kaisa")
    assert desk.notices.set_branch("PORI", "ma–pe 10–20").opening_hours == "ma–pe 10–20"


def test_a_second_run_while_another_sends_only_produces(desk, db_path):
    """Mutation caught: two senders working the outbox at once (each message twice)."""
    from tiski.store import notices as notice_store
    from tiski.store.db import connect

    shelved(desk, patron(desk, "P0001", email=EMAIL))
    other = connect(db_path)
    with notice_store.sender_lock(other) as held:
        assert held
        report = run(desk)
        assert report.busy and report.sent == ()
    other.close()
    assert [s.kind for s in run(desk).sent] == ["hold_arrived"]


def test_an_interlibrary_loan_arrival_is_notified_with_its_price(desk):
    card = patron(desk, "P0001", email=EMAIL)
    order = desk.ill.order(card, "Porin historia", "Kansalliskirjasto", 600)
    desk.ill.arrived(order.id)
    mail = Recorder()
    assert [s.kind for s in run(desk, mail).sent] == ["ill_arrived"]
    assert mail.sent[0].subject == "Kaukolainasi on saapunut: Porin historia"
    assert "Lähettävä kirjasto: Kansalliskirjasto" in mail.sent[0].body and "Hinta: 6,00 €" in mail.sent[0].body
