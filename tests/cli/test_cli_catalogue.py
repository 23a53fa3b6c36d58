"""The command line of issue 12, as CLI.md's second round has it: the catalogue search,
a hold on a title, the item's life, payments with a method and the day's takings.
Helpers and conventions as in test_cli.py."""

from __future__ import annotations

import pytest

from ..conftest import item, patron
from .test_cli import counts, ok, refused, run

COPY_FIELDS = {"barcode", "branch", "status", "due", "location"}
RECORD_FIELDS = {"record_id", "title", "author", "isbn", "year", "format", "holds_queued", "copies"}


@pytest.fixture
def world(desk):
    """Aino (A1000) and two copies of a title with diacritics, one at ULV; a second title."""
    patron(desk, "A1000", first="Aino", last="Aaltonen")
    patron(desk, "B2000", first="Bertta", last="Berg")
    item(desk, "I1000", title="Äänikirja Näsijärveltä", author="Mäkelä, Aila", isbn="9789510123454")
    item(desk, "I1001", title="Äänikirja Näsijärveltä", author="Mäkelä, Aila", isbn="9789510123454", branch="ULV")
    item(desk, "I2000", title="Seitsemän veljestä", author="Kivi, Aleksis")
    desk.conn.execute("UPDATE items SET shelf = 'AIK', call_number = '84.2 MÄK' WHERE barcode = 'I1000'")
    return desk


# --- catalogue search ------------------------------------------------------------------------

def test_catalogue_search_has_the_contracts_shape(world, db_path):
    """CLI.md: {"ok", "records": [{record_id, title, author, isbn, year, format, holds_queued,
    copies: [{barcode, branch, status, due, location}]}]}. Mutation caught: a field renamed."""
    world.loans.checkout("A1000", "I1000")
    data = ok(db_path, "catalogue", "search", "aanikirja")
    [record] = data["records"]
    assert RECORD_FIELDS <= record.keys() and all(COPY_FIELDS <= c.keys() for c in record["copies"])
    assert (record["title"], record["isbn"], record["format"], record["holds_queued"]) == (
        "Äänikirja Näsijärveltä", "9789510123454", "book", 0)
    copies = {c["barcode"]: c for c in record["copies"]}
    assert copies["I1000"] == {**copies["I1000"], "branch": "PORI", "status": "on_loan", "due": "2026-12-30",
                               "location": "AIK 84.2 MÄK"}
    assert copies["I1001"]["status"] == "available" and copies["I1001"]["due"] is None


def test_catalogue_search_filters_and_isbn(world, db_path):
    world.loans.checkout("A1000", "I1000")
    [only_ulv] = ok(db_path, "catalogue", "search", "Näsi", "--branch", "ULV")["records"]
    assert [c["barcode"] for c in only_ulv["copies"]] == ["I1001"]
    assert ok(db_path, "catalogue", "search", "aanikirja", "--branch", "PORI", "--available")["records"] == []
    assert [r["title"] for r in ok(db_path, "catalogue", "search", "978-951-0-12345-4")["records"]] == [
        "Äänikirja Näsijärveltä"]
    assert ok(db_path, "catalogue", "search", "ei-ole-mitaan")["records"] == []


def test_catalogue_search_for_people(world, db_path):
    result = run(db_path, "catalogue", "search", "seitseman")
    assert result.exit_code == 0
    assert "Seitsemän veljestä / Kivi, Aleksis" in result.stdout and "I2000" in result.stdout
    assert "hyllyssä" in result.stdout
    nothing = run(db_path, "catalogue", "search", "zzzz")
    assert nothing.exit_code == 0 and nothing.stdout.strip() == "Ei tuloksia."


def test_an_unknown_branch_filter_is_bad_input(world, db_path):
    refused(db_path, "catalogue", "search", "kivi", "--branch", "XXX", code="INVALID_INPUT", exit=2)


# --- a hold on a title ---------------------------------------------------------------------------

def test_hold_place_by_record(world, db_path):
    """`tiski hold place CARD --record ID`: the contract's hold shape, placed on the title."""
    record_id = ok(db_path, "catalogue", "search", "seitseman")["records"][0]["record_id"]
    hold = ok(db_path, "hold", "place", "A1000", "--record", record_id, "--pickup", "ULV")["hold"]
    assert (hold["card"], hold["title"], hold["position"], hold["status"], hold["pickup_branch"]) == (
        "A1000", "Seitsemän veljestä", 1, "queued", "ULV")
    assert ok(db_path, "catalogue", "search", "seitseman")["records"][0]["holds_queued"] == 1


def test_hold_place_needs_a_barcode_or_a_record_not_both(world, db_path):
    before = counts(db_path)
    refused(db_path, "hold", "place", "A1000", code="INVALID_INPUT", exit=2)
    refused(db_path, "hold", "place", "A1000", "I2000", "--record", "1", code="INVALID_INPUT", exit=2)
    refused(db_path, "hold", "place", "A1000", "--record", "99999", code="NOT_FOUND", exit=2)
    assert counts(db_path) == before
    assert ok(db_path, "hold", "place", "A1000", "I2000")["hold"]["position"] == 1  # the old form still works


# --- the item's life ---------------------------------------------------------------------------

def test_item_lost_charges_the_loans_patron(world, db_path):
    """CLI.md: {"ok", "charged_cents", "balance_cents"}; a later return adds refund_cents."""
    world.loans.checkout("A1000", "I2000")
    lost = ok(db_path, "item", "lost", "I2000")
    assert (lost["charged_cents"], lost["balance_cents"], lost["card"]) == (3000, 3000, "A1000")
    assert ok(db_path, "item", "show", "I2000")["item"]["status"] == "lost"
    back = ok(db_path, "return", "I2000")["return"]
    assert (back["refund_cents"], back["found"]) == (2500, "lost")
    assert ok(db_path, "patron", "show", "A1000")["patron"]["balance_cents"] == 500
    history = ok(db_path, "item", "show", "I2000")["item"]["history"]
    assert [(e["event"], e["branch"]) for e in history] == [("lost", "PORI"), ("found", "PORI")]


def test_item_lost_twice_is_refused_by_a_rule(world, db_path):
    ok(db_path, "item", "lost", "I2000")
    before = counts(db_path)
    error = refused(db_path, "item", "lost", "I2000", code="WRONG_STATE", exit=1)
    assert "kadonnut" in error["message"]
    assert counts(db_path) == before


def test_item_claims_returned_then_found(world, db_path):
    world.loans.checkout("A1000", "I2000")
    claim = ok(db_path, "item", "claims-returned", "I2000", now="2027-01-03T10:00")["claim"]
    assert (claim["card"], claim["since"]) == ("A1000", "2027-01-03")
    assert ok(db_path, "item", "show", "I2000")["item"]["status"] == "claims_returned"
    back = ok(db_path, "return", "I2000", now="2027-02-01T10:00")["return"]
    assert back["late_fee_cents"] == 100  # 31.12.–3.1. only
    refused(db_path, "item", "claims-returned", "I2000", code="NOT_ON_LOAN", exit=1)


def test_patron_show_flags_a_loan_claimed_returned(world, db_path):
    """Issue 12: `patron show` says which loan the patron claims to have returned (JSON
    `claims_returned`, and in words for people) and the overdue alert leaves it out.
    Mutation caught: the flag missing from patron_json or patron_lines (the loan shown
    as an ordinary overdue one)."""
    world.loans.checkout("A1000", "I2000")
    world.loans.checkout("A1000", "I1000")
    ok(db_path, "item", "claims-returned", "I2000", now="2027-01-03T10:00")
    shown = ok(db_path, "patron", "show", "A1000", now="2027-01-10T10:00")["patron"]
    loans = {loan["barcode"]: loan for loan in shown["loans"]}
    assert (loans["I2000"]["claims_returned"], loans["I1000"]["claims_returned"]) == (True, False)
    assert [a for a in shown["alerts"] if a["code"] == "LOANS_OVERDUE"] == [
        {"code": "LOANS_OVERDUE", "count": 1, "oldest_due": "2026-12-30"}]
    text = run(db_path, "patron", "show", "A1000", now="2027-01-10T10:00").stdout
    [claimed] = [line for line in text.splitlines() if "I2000" in line]
    [late] = [line for line in text.splitlines() if "I1000" in line]
    assert "väitetty palautetuksi" in claimed and "!" not in claimed
    assert "väitetty" not in late and " !" in late
    english = run(db_path, "patron", "show", "A1000", now="2027-01-10T10:00", TISKI_LANG="en").stdout
    assert "claims returned" in english


def test_item_damaged_with_a_charge(world, db_path):
    world.loans.checkout("A1000", "I2000")
    data = ok(db_path, "item", "damaged", "I2000", "--note", "Sivuja revitty", "--charge", "7,50")
    assert data["damage"]["charged_cents"] == 750 and data["balance_cents"] == 750 and data["status"] == "repair"
    refused(db_path, "checkout", "B2000", "I2000", code="NOT_LOANABLE", exit=1)
    refused(db_path, "item", "damaged", "I1001", "--note", "x", "--charge", "abc", code="INVALID_INPUT", exit=2)


def test_item_status(world, db_path):
    assert ok(db_path, "item", "status", "I2000", "missing")["item"]["status"] == "missing"
    [copy] = ok(db_path, "catalogue", "search", "seitseman")["records"][0]["copies"]
    assert (copy["status"], copy["since"], copy["by"]) == ("missing", "2026-12-02T14:05:00+02:00", None)
    assert "kateissa 2.12.2026 (-)" in run(db_path, "catalogue", "search", "seitseman").stdout
    assert ok(db_path, "item", "status", "I2000", "available")["item"]["status"] == "available"
    refused(db_path, "item", "status", "I2000", "stolen", code="INVALID_INPUT", exit=2)
    refused(db_path, "item", "status", "I2000", "available", code="WRONG_STATE", exit=1)
    refused(db_path, "item", "status", "NOPE1", "missing", code="ITEM_UNKNOWN", exit=2)


def test_a_paid_lost_copy_found_on_the_shelf_says_what_to_hand_back(world, db_path):
    """`item status … available` of a lost copy the patron paid for by card: the desk is
    told to hand the money back, and how. Mutation caught: only the refund said (the till
    paid out 8 € that nobody was told to give)."""
    world.loans.checkout("A1000", "I2000")
    ok(db_path, "item", "lost", "I2000")
    ok(db_path, "fee", "pay", "A1000", "10,00", "--method", "card")
    data = ok(db_path, "item", "status", "I2000", "available")
    assert (data["refund_cents"], data["paid_back_cents"], data["paid_back_method"]) == (2500, 1000, "card")


# --- payments ----------------------------------------------------------------------------------

def test_fee_pay_with_a_method_and_the_days_report(world, db_path):
    """CLI.md: `fee pay … --method`, `{"ok", "balance_cents"}`; `fee report --day` gives
    {"ok", "day", "by_method": {cash, card, other}, "total_cents"}."""
    world.fees.charge("A1000", 1500, "Kadonnut kortti", "manual")
    assert ok(db_path, "fee", "pay", "A1000", "10,00", "--method", "card")["balance_cents"] == 500
    paid = ok(db_path, "fee", "pay", "A1000", "2.00")
    assert paid["payment"]["method"] == "cash" and paid["payment"]["settled"][0]["amount_cents"] == 200
    ok(db_path, "fee", "pay", "A1000", "1,00", "--method", "other", "--branch", "ULV")
    report = ok(db_path, "fee", "report", "--day", "2026-12-02")
    assert report == {"ok": True, "day": "2026-12-02", "branch": None,
                      "by_method": {"cash": 200, "card": 1000, "other": 100}, "total_cents": 1300}
    at_ulv = ok(db_path, "fee", "report", "--day", "2026-12-02", "--branch", "ULV")
    assert at_ulv["by_method"] == {"cash": 0, "card": 0, "other": 100} and at_ulv["total_cents"] == 100


def test_fee_pay_prints_the_payment_receipt_for_people(world, db_path):
    world.fees.charge("A1000", 300, "Muovitasku", "manual")
    result = run(db_path, "fee", "pay", "A1000", "3", "--method", "card")
    assert result.exit_code == 0
    assert "MAKSUKUITTI" in result.stdout and "kortti" in result.stdout and "3,00 €" in result.stdout
    assert "Aaltonen" not in result.stdout and "*1000" in result.stdout  # no name, the card masked


def test_bad_methods_and_days_are_bad_input(world, db_path):
    world.fees.charge("A1000", 300, "Muovitasku", "manual")
    before = counts(db_path)
    refused(db_path, "fee", "pay", "A1000", "1", "--method", "shells", code="INVALID_INPUT", exit=2)
    refused(db_path, "fee", "report", "--day", "31.2.2026", code="INVALID_INPUT", exit=2)  # 2.12.2026 is a day
    refused(db_path, "fee", "report", "--day", "2026-12-02", "--branch", "NOPE", code="INVALID_INPUT", exit=2)
    assert counts(db_path) == before
