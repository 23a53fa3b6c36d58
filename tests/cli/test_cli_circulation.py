"""The command line for circulation: a patron's language, drop-box dates, renewals.
Helpers and conventions as in test_cli.py."""

from __future__ import annotations

import pytest

from ..conftest import item, patron
from .test_cli import counts, ok, refused, run


@pytest.fixture
def world(desk):
    """An adult patron A1000 and an item I1000 on the shelf at PORI."""
    patron(desk, "A1000", first="Aino", last="Aaltonen")
    item(desk, "I1000", title="Seitsemän veljestä")
    return desk


# --- a patron's language -----------------------------------------------------------------------

def test_patron_add_and_edit_take_the_patrons_language(world, db_path):
    """`--language` is the patron's (notices, machines); `--lang` stays Tiski's own.
    Mutations caught: the option not passed on (show says fi), edit ignoring it."""
    added = ok(db_path, "patron", "add", "--card", "S1000", "--first", "Sven", "--last", "Berg",
               "--birth-date", "1970-03-01", "--language", "sv")
    assert added["patron"]["card"] == "S1000"
    assert ok(db_path, "patron", "show", "S1000")["patron"]["language"] == "sv"
    assert ok(db_path, "patron", "show", "A1000")["patron"]["language"] == "fi"
    assert ok(db_path, "patron", "edit", "S1000", "--language", "en")["patron"]["language"] == "en"
    result = run(db_path, "patron", "export", "S1000")
    assert '"language": "en"' in result.stdout
    shown = run(db_path, "--lang", "en", "patron", "show", "S1000")
    assert shown.exit_code == 0 and "Sven Berg" in shown.stdout


def test_an_unknown_patron_language_is_refused(world, db_path):
    before = counts(db_path)
    error = refused(db_path, "patron", "add", "--card", "S1000", "--first", "Sven", "--last", "Berg",
                    "--birth-date", "1970-03-01", "--language", "de", code="INVALID_INPUT", exit=2)
    assert "de" in error["message"]
    refused(db_path, "patron", "edit", "A1000", "--language", "swedish", code="INVALID_INPUT", exit=2)
    assert counts(db_path) == before


# --- the drop box ------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2020-01-01", "2026-12-01", "2027-01-05"])
def test_a_dropbox_date_outside_the_loan_is_refused(world, db_path, day):
    """Before the loan began (it would wipe the late fee) or after today: one clear
    message, exit 2, nothing written. Mutation caught: a day before the loan accepted."""
    world.loans.checkout("A1000", "I1000")  # 2.12.2026
    before = counts(db_path)
    error = refused(db_path, "return", "I1000", "--dropbox-date", day, now="2027-01-04T10:00",
                    code="INVALID_INPUT", exit=2)
    assert counts(db_path) == before
    assert ok(db_path, "item", "show", "I1000")["item"]["status"] == "on_loan"
    text = run(db_path, "return", "I1000", "--dropbox-date", day, now="2027-01-04T10:00")
    assert text.exit_code == 2 and text.stdout == "" and len(text.stderr.splitlines()) == 1
    if day < "2026-12-02":
        assert "2.12.2026" in error["message"]


@pytest.mark.parametrize("day", ["3.12.2026", "3.12.", "2026-12-03"])
def test_a_dropbox_date_is_typed_as_the_desk_shows_it(world, db_path, day):
    """Issue 10 #10: every date option takes `3.12.2026`, `3.12.` (this year, by the
    desk's clock) and ISO. Mutation caught: the CLI's own ISO-only parsing, or `3.12.`
    read by the machine's year instead of TISKI_NOW's."""
    world.loans.checkout("A1000", "I1000")  # 2.12.2026, due 30.12.
    back = ok(db_path, "return", "I1000", "--dropbox-date", day, now="2027-01-04T10:00" if "2026" in day else
              "2026-12-04T10:00")["return"]
    assert back["late_fee_cents"] == 0


# --- renewals ----------------------------------------------------------------------------------

def test_a_renewal_that_changes_nothing_says_so(world, db_path):
    """Issue 10 #8: on the loan day the due date would not move: "eräpäivä on jo …
    – ei muutosta", no renewal used, and not "already on loan to this patron"."""
    world.loans.checkout("A1000", "I1000")
    loan = ok(db_path, "renew", "A1000", "I1000")["loan"]
    assert (loan["due"], loan["renewals"], loan["renewed"], loan["unchanged"]) == ("2026-12-30", 0, False, True)
    said = run(db_path, "renew", "A1000", "I1000")
    assert said.exit_code == 0
    assert said.stdout.strip() == "Seitsemän veljestä: eräpäivä on jo 30.12.2026 – ei muutosta"


def test_renew_all_reports_each_loan(world, db_path):
    """What was renewed, and why each of the rest was not. Mutation caught: refused
    or unchanged loans left out of the report."""
    item(world, "I2000", title="Täällä Pohjantähden alla")
    item(world, "I3000", title="Kalevala")
    for barcode in ("I1000", "I2000", "I3000"):
        world.loans.checkout("A1000", barcode)
    world.holds.place(patron(world, "B1000"), "I2000")
    later = "2026-12-12T10:00"
    ok(db_path, "renew", "A1000", "I3000", now=later)
    data = ok(db_path, "renew", "A1000", "--all", now=later)
    assert [(r["barcode"], r["due"], r["renewals"]) for r in data["renewed"]] == [("I1000", "2027-01-09", 1)]
    assert [(r["barcode"], r["unchanged"], r["code"]) for r in data["not_renewed"]] == [
        ("I2000", False, "HAS_HOLDS"), ("I3000", True, None)]
    said = run(db_path, "renew", "A1000", "--all", now=later).stdout.splitlines()
    assert said[0] == "Uusittu 0/3."  # I1000 was renewed by the --json run above: unchanged now
    assert said[1].startswith("  Ei uusittu: Täällä Pohjantähden alla – ")  # and why: the hold
    assert said[3] == "  Kalevala: eräpäivä on jo 9.1.2027 – ei muutosta"


@pytest.mark.parametrize("args", [["renew", "A1000"], ["renew", "A1000", "I1000", "--all"]])
def test_renew_needs_a_barcode_or_all(world, db_path, args):
    refused(db_path, *args, code="INVALID_INPUT", exit=2)
