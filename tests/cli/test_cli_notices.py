"""`tiski notices …` as cron and admins use it, against a real SMTP server on loopback —
and the sender killed mid-run (SIGKILL), then run again: every notice reached the
server, the one in flight at most twice and under one Message-ID, none skipped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tiski.desk.patrons import ContactChange

from ..conftest import item, patron
from ..smtp_server import Mailbox, smtp_server
from .test_cli import NOW, ok, one_object, refused, run

FROM = "Porin kirjasto <kirjasto@pori.example>"


def shelve(desk, holder: str, barcode: str) -> None:
    book = item(desk, barcode, title=f"Sinuhe {barcode}")
    desk.loans.checkout(patron(desk, "L" + barcode), book)
    desk.holds.place(holder, book)
    desk.loans.return_item(book)


def mail_env(port: int) -> dict[str, str]:
    return {"TISKI_SMTP_HOST": "127.0.0.1", "TISKI_SMTP_PORT": str(port), "TISKI_SMTP_STARTTLS": "off",
            "TISKI_MAIL_FROM": FROM}


@pytest.fixture
def holds_waiting(desk):
    """Five patrons with e-mail, each with a copy on the hold shelf; Liisa (no e-mail,
    no phone) too: she goes on the call list."""
    cards = [patron(desk, f"P000{n}", email=f"asiakas{n}@example.fi") for n in range(1, 6)]
    for n, card in enumerate(cards, start=1):
        shelve(desk, card, f"B000{n}")
    shelve(desk, patron(desk, "P0009", first="Liisa", last="Laine"), "B0009")
    return cards


def test_the_run_sends_and_says_what_it_did(db_path, holds_waiting):
    mailbox = Mailbox(refuse=("asiakas5@example.fi",))
    with smtp_server(mailbox) as port:
        report = ok(db_path, "notices", "run", **mail_env(port))
    assert sorted(d["card"] for d in report["sent"]) == ["P0001", "P0002", "P0003", "P0004"]
    assert all(d.keys() >= {"id", "kind", "channel", "card"} and d["channel"] == "email" for d in report["sent"])
    [failed] = report["failed"]
    assert (failed["card"], failed["retry_at"]) == ("P0005", None) and failed["error"].startswith("SMTP 550")
    assert report["to_call"] == 1 and report["busy"] is False
    assert len(mailbox.raw) == 4
    listed = ok(db_path, "notices", "list", "--failed")["notices"]
    assert [(n["card"], n["status"], n["tries"]) for n in listed] == [("P0005", "failed", 1)]
    work = ok(db_path, "notices", "list")["notices"]
    assert [(n["status"], n["channel"], n["name"], n["phone"]) for n in work[:2]] == [
        ("failed", "email", "Testi Asiakas", None), ("pending", "call", "Liisa Laine", None)]


def test_staff_resend_switch_and_mark_called_from_the_command_line(db_path, desk, holds_waiting):
    with smtp_server(Mailbox(refuse=("asiakas5@example.fi",))) as port:
        ok(db_path, "notices", "run", **mail_env(port))
    [failed] = ok(db_path, "notices", "list", "--status", "failed")["notices"]
    desk.patrons.update("P0005", ContactChange(email="asiakas5@toinen.example"))  # the patron's new address
    assert ok(db_path, "notices", "resend", str(failed["id"]))["notice"]["status"] == "pending"
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        assert [d["id"] for d in ok(db_path, "notices", "run", **mail_env(port))["sent"]] == [failed["id"]]
    assert mailbox.messages()[0]["To"] == "asiakas5@toinen.example"
    [call] = ok(db_path, "notices", "list", "--status", "pending")["notices"]
    assert ok(db_path, "notices", "channel", str(call["id"]), "letter")["notice"]["channel"] == "letter"
    assert ok(db_path, "notices", "called", str(call["id"]))["notice"]["status"] == "sent"
    error = refused(db_path, "notices", "called", str(call["id"]), code="WRONG_STATE")
    assert "jo lähetetty" in error["message"]


def test_an_address_with_a_comma_never_reaches_a_stranger_and_the_run_goes_on(db_path, desk):
    """A typo in the register ("aino,virtanen@" for "aino.virtanen@") would make a To
    header of two mailboxes: the arrival notice — what the patron reads — to "aino" and
    to a stranger. It fails at once for staff, with the reason in words and without the
    address; the run sends the rest; once corrected, it goes to her alone.
    Mutation caught: the register's text handed to SMTP as the recipient list."""
    typo = patron(desk, "P0001", email="aino,virtanen@example.fi")
    shelve(desk, typo, "B0001")
    shelve(desk, patron(desk, "P0002", email="eino@example.fi"), "B0002")
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        report = ok(db_path, "notices", "run", **mail_env(port))
    assert mailbox.envelopes == [["eino@example.fi"]]
    assert [(d["card"], d["error"], d["retry_at"]) for d in report["failed"]] == [("P0001", "bad_email", None)]
    listed = run(db_path, "notices", "list", "--failed").stdout
    assert "sähköpostiosoite ei ole yksi osoite" in listed and "virtanen" not in listed
    desk.patrons.update(typo, ContactChange(email="aino.virtanen@example.fi"))
    ok(db_path, "notices", "resend", str(report["failed"][0]["id"]))
    with smtp_server(mailbox) as port:
        ok(db_path, "notices", "run", **mail_env(port))
    assert mailbox.envelopes[1:] == [["aino.virtanen@example.fi"]]


def test_letters_are_one_pdf_in_the_letters_folder(db_path, desk, tmp_path):
    card = patron(desk, "P0001", address="Yrjönkatu 5, 28100 Pori")
    shelve(desk, card, "B0001")
    report = ok(db_path, "notices", "run", TISKI_LETTERS=str(tmp_path / "kirjeet"))
    assert [d["channel"] for d in report["sent"]] == ["letter"]
    assert Path(report["letters"]).parent == tmp_path / "kirjeet" and Path(report["letters"]).is_file()


def test_preview_prefer_branch_and_a_dry_run(db_path, desk, holds_waiting):
    assert ok(db_path, "notices", "branch", "PORI", "--hours", "ma–pe 10–20, la 10–16")["branch"]["opening_hours"] \
        == "ma–pe 10–20, la 10–16"
    text = run(db_path, "notices", "preview", "hold_arrived", "P0001").stdout
    assert text.startswith("Varauksesi on noudettavissa: Sinuhe B0001\n") and "Aukioloajat: ma–pe 10–20" in text
    assert ok(db_path, "notices", "prefer", "P0001", "due_soon", "none")["channels"]["due_soon"] == "none"
    assert ok(db_path, "notices", "prefer", "P0001")["channels"]["hold_arrived"] is None
    dry = ok(db_path, "notices", "run", "--dry-run")
    assert dry["dry_run"] and len(dry["would_send"]) == 5 and dry["sent"] == []
    assert len(ok(db_path, "notices", "list", "--status", "pending")["notices"]) == 6  # nothing changed


@pytest.mark.parametrize("args, code", [
    (("notices", "list", "--status", "lähetetty"), "INVALID_INPUT"),
    (("notices", "resend", "999"), "NOT_FOUND"),
    (("notices", "preview", "lasku", "P0001"), "INVALID_INPUT"),
    (("notices", "prefer", "P0001", "hold_arrived", "none"), "INVALID_INPUT"),
    (("notices", "channel", "1", "pigeon"), "NOT_FOUND"),
])
def test_bad_input_is_one_clear_message_and_exit_2(db_path, desk, args, code):
    patron(desk, "P0001")
    refused(db_path, *args, code=code, exit=2)


# --- killed mid-run -----------------------------------------------------------------------

def test_a_sender_killed_mid_run_loses_nothing_and_sends_one_message_at_most_twice(db_path, holds_waiting):
    """SIGKILL while the server holds its answer to the third message (it has the
    message; the sender has not marked it), then run again. The server saw every
    notice; the one in flight twice, both times under the same Message-ID; none
    skipped, all marked sent. Mutation caught: marking sent before the server accepts
    (the third would be lost), a new Message-ID per try, the claim not released by a
    dead run (the third would wait for a lock nobody holds, or its backoff)."""
    in_flight = threading.Event()

    def hold_the_third(count: int) -> float:
        if count == 3:
            in_flight.set()
            return 30.0  # the answer that never reaches the killed sender
        return 0.0

    mailbox = Mailbox(on_message=hold_the_third)
    with smtp_server(mailbox) as port:
        env = {**os.environ, "TISKI_DB": str(db_path), "TISKI_NOW": NOW, "XDG_CONFIG_HOME": str(db_path.parent),
               **mail_env(port)}
        sender = subprocess.Popen([sys.executable, "-m", "tiski", "notices", "run", "--json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert in_flight.wait(60), "the third message never reached the server"
            sender.send_signal(signal.SIGKILL)
        finally:
            sender.wait(30)
        assert sender.returncode == -signal.SIGKILL
        mailbox.on_message = None
        again = subprocess.run([sys.executable, "-m", "tiski", "notices", "run", "--json"], env=env,
                               capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    second_run = one_object(again.stdout)
    assert len(second_run["sent"]) == 3 and second_run["failed"] == []  # the one in flight and the two after it
    ids = mailbox.message_ids()
    assert len(ids) == 6 and len(set(ids)) == 5  # five notices; one of them twice
    [twice] = {i for i in ids if ids.count(i) == 2}
    assert ids.index(twice) == 2 and ids[3] == twice  # the third, sent again first
    listed = json.loads(subprocess.run([sys.executable, "-m", "tiski", "notices", "list", "--status", "sent",
                                        "--json"], env=env, capture_output=True, text=True, timeout=60).stdout)
    assert sorted(n["card"] for n in listed["notices"]) == holds_waiting
    assert {n["tries"] for n in listed["notices"] if n["id"] == second_run["sent"][0]["id"]} == {2}


def test_a_returned_invoiced_item_shows_its_refund(db_path, desk, clock):
    """`tiski return --json` of an invoiced copy whose invoice was paid: the replacement
    given back and the money to hand back. Mutation caught: desk.loans._close_loan
    discarding what credit_replacement credited (refund_cents 0)."""
    from datetime import date, datetime, timedelta

    from tiski.clock import HELSINKI

    from ..carriers import run as run_notices

    card = patron(desk, "P0001", email="aino@example.fi")
    desk.loans.checkout(card, item(desk, "B0001", title="Kirja", price_cents=1990))
    for offset in (7, 21, 35):
        day = date(2026, 12, 30) + timedelta(days=offset)
        clock.set(datetime(day.year, day.month, day.day, 2, tzinfo=HELSINKI))
        run_notices(desk)
    desk.fees.take_payment(card, 150 + 300 + 1990 + 750, "cash")
    back = ok(db_path, "return", "B0001", now="2027-02-08T12:00")["return"]
    assert (back["refund_cents"], back["paid_back_cents"], back["paid_back_method"]) == (1990, 1990, "cash")
    said = run(db_path, "return", "B0001", now="2027-02-08T12:01")
    assert said.exit_code != 0  # returned already: nothing given back twice
    assert desk.fees.balance(card) == 700
