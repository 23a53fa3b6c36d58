"""The command line, as scripts see it (the CLI contract, CLI.md): one JSON object on stdout
with `--json`, exit 0 / 1 (a library rule) / 2 (bad input), one line on stderr per
refusal for people, never a traceback, never a database created by accident.

Set-up that would be long-winded through the CLI goes through a `Desk` on the same
file (the `desk` fixture); what a test is about always goes through `tiski`.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from ..conftest import MARC_FIXTURES, invoke, item, patron

NOW = "2026-12-02T14:05"  # the conftest START: Wednesday, every branch open
HETU = "131052-308T"  # a valid HETU (born 13.10.1952); its masked form is below
HETU_MASKED = "131052-****"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ERROR_FIELDS = {"code", "message", "confirmable"}
# The tables a refused transaction must leave exactly as they were.
DATA_TABLES = ("branches", "branch_closures", "patrons", "cards", "records", "items", "loans", "holds",
               "notices", "ill_requests", "fees", "fee_settlements", "bans", "overrides", "staff", "settings")


# --- helpers --------------------------------------------------------------------------------

def run(db: Path | None, *args, now: str = NOW, input: str | None = None, **env: str | None):
    """`tiski ARGS` with TISKI_DB=db (None: unset) and the clock fixed; the outer
    environment's TISKI_* never leak in."""
    environment = {"TISKI_DB": str(db) if db is not None else None, "TISKI_NOW": now, "TISKI_LANG": None,
                   "TISKI_BRANCH": None, "TISKI_STAFF": None, "TISKI_DEBUG": None}
    environment.update(env)
    result = invoke(args, env=environment, input=input)
    # Whatever happened, it was reported, not raised: no traceback, no stray exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


def one_object(text: str) -> dict:
    """stdout holds exactly one JSON object and nothing else."""
    stripped = text.strip()
    obj, end = json.JSONDecoder().raw_decode(stripped)
    assert stripped[end:].strip() == "", f"more than one JSON value on stdout: {text!r}"
    assert isinstance(obj, dict)
    return obj


def ok(db: Path | None, *args, **kw) -> dict:
    """`tiski ARGS --json` succeeds: exit 0, `{"ok": true, ...}` and nothing on stderr."""
    result = run(db, *args, "--json", **kw)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    data = one_object(result.stdout)
    assert data["ok"] is True
    assert result.stderr == ""
    return data


def refused(db: Path | None, *args, code: str, exit: int = 1, confirmable: bool = False, **kw) -> dict:
    """`tiski ARGS --json` is refused: the exit status, one `{"ok": false, "error": …}`
    object on stdout, nothing on stderr. Returns the error."""
    result = run(db, *args, "--json", **kw)
    assert result.stdout.strip(), f"no JSON on stdout (stderr: {result.stderr!r})"
    data = one_object(result.stdout)
    assert data["ok"] is False
    error = data["error"]
    assert ERROR_FIELDS <= error.keys()
    assert (error["code"], result.exit_code) == (code, exit), error
    assert error["confirmable"] is confirmable
    assert isinstance(error["message"], str) and error["message"].strip()
    assert result.stderr == ""
    return error


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in DATA_TABLES}
    finally:
        conn.close()


def intact(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and set(DATA_TABLES) <= tables
    finally:
        conn.close()


def policy_text(db: Path) -> str:
    result = run(db, "policy", "show")
    assert result.exit_code == 0 and "[loans]" in result.stdout
    return result.stdout


def shelved_for(desk, holder: str, barcode: str, pickup: str | None = None) -> str:
    """A copy lent to someone else, held by `holder`, returned at PORI: on the hold
    shelf (or on its way to `pickup`)."""
    book = item(desk, barcode)
    desk.loans.checkout(patron(desk, "L" + barcode), book)
    desk.holds.place(holder, book, pickup)
    desk.loans.return_item(book)
    return book


@pytest.fixture
def world(desk):
    """An adult patron A1000 and an item I1000 on the shelf at PORI."""
    patron(desk, "A1000", first="Aino", last="Aaltonen")
    item(desk, "I1000", title="Seitsemän veljestä")
    return desk


# --- 1. every command: --json prints one object with the shape's fields -------------------------

class TestInit:
    def test_init_creates_a_new_database(self, tmp_path):
        path = tmp_path / "sub" / "new.sqlite"
        data = ok(None, "--db", path, "init")
        assert path.is_file() and data["db"] == str(path)
        assert ok(path, "patron", "find", "x")["patrons"] == []

    def test_init_refuses_an_existing_database_without_force(self, world, db_path):
        before = counts(db_path)
        error = refused(db_path, "init", code="INVALID_INPUT", exit=2)
        assert str(db_path) in error["message"]
        assert counts(db_path) == before
        assert ok(db_path, "patron", "show", "A1000")["patron"]["card"] == "A1000"

    def test_init_force_replaces_the_database(self, world, db_path):
        world.conn.close()
        ok(db_path, "init", "--force")
        assert counts(db_path)["patrons"] == 0
        refused(db_path, "patron", "show", "A1000", code="PATRON_UNKNOWN", exit=2)


class TestBranches:
    def test_branch_add(self, db_path):
        data = ok(db_path, "branch", "add", "NAK", "--name", "Noormarkun kirjasto",
                  "--closed-weekdays", "sat,sun", "--closes", "18:00")
        assert data["branch"]["code"] == "NAK"
        ok(db_path, "item", "add", "--barcode", "N0001", "--title", "Kirja", "--branch", "NAK")
        assert ok(db_path, "item", "show", "N0001")["item"]["home_branch"] == "NAK"

    def test_branch_add_refuses_a_duplicate_code(self, db_path):
        refused(db_path, "branch", "add", "PORI", "--name", "Toinen Pori", code="INVALID_INPUT", exit=2)

    def test_close_day_moves_a_due_date(self, world, db_path):
        # 28 days from Wednesday 2.12. is Wednesday 30.12.; closed that day, the loan is due on the 31st.
        ok(db_path, "branch", "close-day", "PORI", "2026-12-30")
        assert ok(db_path, "checkout", "A1000", "I1000")["loan"]["due"] == "2026-12-31"


class TestPatronCommands:
    def test_patron_add_with_hetu(self, db_path):
        result = run(db_path, "patron", "add", "--card", "P2001", "--first", "Matti", "--last", "Meikäläinen",
                     "--hetu", HETU, "--email", "matti@example.fi", "--json")
        assert result.exit_code == 0, result.stdout
        data = one_object(result.stdout)
        assert data["ok"] is True
        assert data["patron"] == data["patron"] | {"card": "P2001", "name": "Matti Meikäläinen",
                                                   "birth_date": "1952-10-13", "category": "adult"}
        assert HETU not in result.stdout

    def test_patron_add_child_with_consent(self, db_path):
        data = ok(db_path, "patron", "add", "--card", "C2001", "--first", "Ville", "--last", "Virtanen",
                  "--birth-date", "2016-03-01", "--guardian", "Maija Virtanen", "--consent-date", "2026-11-30")
        assert data["patron"]["category"] == "child"
        assert data["patron"]["birth_date"] == "2016-03-01"

    def test_patron_add_organisation(self, db_path):
        data = ok(db_path, "patron", "add", "--card", "O2001", "--first", "Päiväkoti", "--last", "Tenava",
                  "--organisation", "--responsible", "Liisa Laine")
        assert data["patron"]["category"] == "organisation"
        assert {"card", "name", "birth_date"} <= data["patron"].keys()

    def test_patron_add_with_pin_stores_no_pin(self, db_path):
        """Mutation caught: `--pin 4321` accepted again (every user of the machine sees it in `ps`)."""
        refused(db_path, "patron", "add", "--card", "P2002", "--first", "Pekka", "--last", "Pin",
                "--birth-date", "1990-01-01", "--pin", "4321", code="INVALID_INPUT", exit=2)
        ok(db_path, "patron", "add", "--card", "P2002", "--first", "Pekka", "--last", "Pin",
           "--birth-date", "1990-01-01", "--pin-stdin", input="4321\n")
        conn = sqlite3.connect(db_path)
        stored = conn.execute("SELECT pin_hash FROM patrons").fetchone()[0]
        conn.close()
        assert stored and "4321" not in stored

    def test_a_new_pin_is_never_read_with_echo(self, db_path):
        ok(db_path, "patron", "add", "--card", "P2003", "--first", "Pia", "--last", "Pin", "--birth-date", "1990-01-01")
        result = run(db_path, "patron", "pin", "P2003", input="4321\n")  # a pipe, not a terminal
        assert result.exit_code == 2 and "--pin-stdin" in result.stderr and "4321" not in result.output
        ok(db_path, "patron", "pin", "P2003", "--pin-stdin", input="4321\n")
        conn = sqlite3.connect(db_path)
        stored = conn.execute("SELECT pin_hash FROM patrons").fetchone()[0]
        conn.close()
        assert stored.startswith("scrypt$")

    def test_patron_show_shape(self, desk, db_path):
        patron(desk, "A1000", birth=date(1952, 10, 13), hetu=HETU, first="Aino", last="Aaltonen")
        desk.loans.checkout("A1000", item(desk, "I1000", title="Seitsemän veljestä"))
        queued = item(desk, "I2000", title="Kalevala")
        desk.loans.checkout(patron(desk, "B1000"), queued)
        desk.holds.place("A1000", queued)
        shelved_for(desk, "A1000", "I3000")

        result = run(db_path, "patron", "show", "A1000", "--json")
        assert result.exit_code == 0
        shown = one_object(result.stdout)["patron"]
        assert {"card", "name", "birth_date", "age", "category", "status", "blocks", "balance_cents",
                "loans", "holds"} <= shown.keys()
        assert (shown["card"], shown["name"], shown["birth_date"], shown["age"], shown["category"]) == (
            "A1000", "Aino Aaltonen", "1952-10-13", 74, "adult")
        assert shown["status"] == "active" and shown["blocks"] == [] and shown["balance_cents"] == 0
        [loan] = shown["loans"]
        assert {"barcode", "title", "due", "renewals", "overdue"} <= loan.keys()
        assert (loan["barcode"], loan["title"], loan["due"], loan["renewals"], loan["overdue"]) == (
            "I1000", "Seitsemän veljestä", "2026-12-30", 0, False)
        holds = {h["title"]: h for h in shown["holds"]}
        assert set(holds) == {"Kalevala", "Nimeke I3000"}
        for hold in holds.values():
            assert {"status", "position", "pickup_by"} <= hold.keys()
            assert "barcode" in hold or "title" in hold
        assert (holds["Kalevala"]["status"], holds["Kalevala"]["position"]) == ("queued", 1)
        assert (holds["Nimeke I3000"]["status"], holds["Nimeke I3000"]["pickup_by"]) == ("waiting", "2026-12-09")
        # The HETU is never printed by show: only its masked form.
        assert HETU not in result.stdout and "308T" not in result.stdout
        assert HETU_MASKED in result.stdout
        human = run(db_path, "patron", "show", "A1000")
        assert human.exit_code == 0 and "308T" not in human.stdout and "Aino Aaltonen" in human.stdout

    def test_patron_show_blocks(self, world, db_path):
        world.fees.charge("A1000", 1200, "Kadonnut kirja", "lost")
        shown = ok(db_path, "patron", "show", "A1000")["patron"]
        assert shown["blocks"] == ["FEES_OVER_LIMIT"]
        assert shown["status"] != "active"
        assert shown["balance_cents"] == 1200

    def test_patron_find(self, desk, db_path):
        patron(desk, "A1000", birth=date(1952, 10, 13), hetu=HETU, first="Aino", last="Aaltonen")
        patron(desk, "B1000", first="Bertta", last="Aaltonen", birth=date(1990, 2, 3))
        result = run(db_path, "patron", "find", "Aaltonen", "--json")
        assert result.exit_code == 0
        found = one_object(result.stdout)["patrons"]
        assert sorted((p["card"], p["name"], p["birth_year"]) for p in found) == [
            ("A1000", "Aino Aaltonen", 1952), ("B1000", "Bertta Aaltonen", 1990)]
        assert "308T" not in result.stdout
        assert ok(db_path, "patron", "find", "nobody-like-this")["patrons"] == []

    def test_patron_card_lost(self, world, db_path):
        data = ok(db_path, "patron", "card-lost", "A1000", "--new-card", "A2000")
        assert data["patron"]["card"] == "A2000"
        refused(db_path, "checkout", "A1000", "I1000", code="CARD_LOST")
        assert ok(db_path, "checkout", "A2000", "I1000")["loan"]["card"] == "A2000"

    def test_patron_card_lost_reported_at_a_moment_typed_as_shown(self, world, db_path):
        """`--reported-at "1.12.2026 9:15"`. Mutation caught: the option ISO only (exit 2)."""
        ok(db_path, "patron", "card-lost", "A1000", "--new-card", "A2000", "--reported-at", "1.12.2026 9:15")
        closed = world.conn.execute("SELECT closed_at FROM cards WHERE card = 'A1000'").fetchone()[0]
        assert str(closed).startswith("2026-12-01T09:15") or str(closed).startswith("2026-12-01 09:15")

    def test_patron_card_lost_refuses_a_card_in_use(self, world, db_path):
        patron(world, "B1000")
        refused(db_path, "patron", "card-lost", "A1000", "--new-card", "B1000", code="DUPLICATE_CARD", exit=2)

    def test_patron_export_includes_the_full_hetu(self, desk, db_path):
        patron(desk, "A1000", birth=date(1952, 10, 13), hetu=HETU)
        desk.loans.checkout("A1000", item(desk, "I1000"))
        result = run(db_path, "patron", "export", "A1000")
        assert result.exit_code == 0 and result.stderr == ""
        data = one_object(result.stdout)
        assert data["ok"] is True
        assert HETU in result.stdout
        assert any(loan["barcode"] == "I1000" for loan in data["loans"])

    def test_patron_export_accepts_json(self, desk, db_path):
        """Scripts pass --json to every command; export prints JSON anyway and must accept it."""
        patron(desk, "A1000", birth=date(1952, 10, 13), hetu=HETU)
        assert HETU in json.dumps(ok(db_path, "patron", "export", "A1000"), ensure_ascii=False)

    def test_patron_export_of_an_unknown_card(self, db_path):
        result = run(db_path, "patron", "export", "NOPE123")
        assert result.exit_code == 2 and result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and "PATRON_UNKNOWN" in result.stderr


class TestItems:
    def test_item_add(self, db_path):
        data = ok(db_path, "item", "add", "--barcode", "D1000", "--title", "Tuntematon sotilas",
                  "--author", "Väinö Linna", "--format", "dvd", "--rating", "12", "--price", "24,90")
        assert data["item"] == data["item"] | {"barcode": "D1000", "title": "Tuntematon sotilas", "format": "dvd",
                                               "home_branch": "PORI", "status": "available", "loan": None}

    @pytest.mark.parametrize("status", ["available", "on_loan", "waiting", "in_transit", "not_loanable"])
    def test_item_show_status(self, desk, db_path, status):
        holder = patron(desk, "A1000")
        if status == "available":
            barcode = item(desk, "I1000")
        elif status == "on_loan":
            barcode = item(desk, "I1000")
            desk.loans.checkout(holder, barcode)
        elif status == "waiting":
            barcode = shelved_for(desk, holder, "I1000")
        elif status == "in_transit":
            barcode = shelved_for(desk, holder, "I1000", pickup="ULV")
        else:
            barcode = item(desk, "I1000", loanable=False)
        shown = ok(db_path, "item", "show", barcode)["item"]
        assert {"barcode", "title", "format", "home_branch", "status", "loan"} <= shown.keys()
        assert (shown["barcode"], shown["title"], shown["format"], shown["home_branch"]) == (
            "I1000", "Nimeke I1000", "book", "PORI")
        assert shown["status"] == status
        if status == "on_loan":
            assert shown["loan"] == shown["loan"] | {"card": "A1000", "due": "2026-12-30"}
        else:
            assert shown["loan"] is None


class TestCirculation:
    def test_checkout(self, world, db_path):
        loan = ok(db_path, "checkout", "A1000", "I1000")["loan"]
        assert (loan["barcode"], loan["card"], loan["due"]) == ("I1000", "A1000", "2026-12-30")
        assert DAY.match(loan["due"])

    def test_checkout_at_a_branch_with_branch_option(self, world, db_path):
        # ULV closes on weekends: 28 days from Friday 4.12. is Friday 1.1.; from Saturday 5.12. it is
        # Saturday 2.1., which moves to Monday 4.1.
        loan = ok(db_path, "checkout", "A1000", "I1000", "--branch", "ULV", now="2026-12-05T10:00")["loan"]
        assert loan["due"] == "2027-01-04"

    def test_checkout_at_tiski_branch(self, world, db_path):
        loan = ok(db_path, "checkout", "A1000", "I1000", now="2026-12-05T10:00", TISKI_BRANCH="ULV")["loan"]
        assert loan["due"] == "2027-01-04"

    def test_return_on_time(self, world, db_path):
        world.loans.checkout("A1000", "I1000")
        ret = ok(db_path, "return", "I1000", now="2026-12-20T12:00")["return"]
        assert {"barcode", "late_fee_cents", "hold", "route_to"} <= ret.keys()
        assert (ret["barcode"], ret["late_fee_cents"], ret["hold"], ret["route_to"]) == ("I1000", 0, None, None)
        assert ok(db_path, "item", "show", "I1000")["item"]["status"] == "available"

    def test_return_late_charges_the_late_fee(self, world, db_path):
        world.loans.checkout("A1000", "I1000")  # due 30.12.
        ret = ok(db_path, "return", "I1000", now="2027-01-04T10:00")["return"]
        assert ret["late_fee_cents"] == 5 * 25
        assert ok(db_path, "patron", "show", "A1000")["patron"]["balance_cents"] == 125

    def test_return_from_the_drop_box_counts_from_the_box_day(self, world, db_path):
        world.loans.checkout("A1000", "I1000")  # due 30.12.
        ret = ok(db_path, "return", "I1000", "--dropbox-date", "2026-12-31", now="2027-01-04T10:00")["return"]
        assert ret["late_fee_cents"] == 25

    @pytest.mark.parametrize("pickup, route_to, pickup_by", [(None, None, "2026-12-09"), ("ULV", "ULV", None)])
    def test_return_fills_a_hold(self, world, db_path, pickup, route_to, pickup_by):
        world.loans.checkout("A1000", "I1000")
        world.holds.place(patron(world, "B1000"), "I1000", pickup)
        ret = ok(db_path, "return", "I1000")["return"]
        assert ret["hold"] is not None
        assert {"card", "pickup_by"} <= ret["hold"].keys()
        assert (ret["hold"]["card"], ret["hold"]["pickup_by"], ret["route_to"]) == ("B1000", pickup_by, route_to)

    def test_return_sends_a_copy_home(self, desk, db_path):
        patron(desk, "A1000")
        desk.loans.checkout("A1000", item(desk, "U1000", branch="ULV"))
        ret = ok(db_path, "return", "U1000")["return"]
        assert (ret["hold"], ret["route_to"]) == (None, "ULV")

    def test_renew(self, world, db_path):
        world.loans.checkout("A1000", "I1000")
        loan = ok(db_path, "renew", "A1000", "I1000", now="2026-12-10T10:00")["loan"]
        assert (loan["barcode"], loan["due"], loan["renewals"]) == ("I1000", "2027-01-07", 1)

    def test_hold_place_and_cancel(self, world, db_path):
        world.loans.checkout(patron(world, "B1000"), "I1000")
        hold = ok(db_path, "hold", "place", "A1000", "I1000")["hold"]
        assert {"card", "title", "position", "status"} <= hold.keys()
        assert (hold["card"], hold["title"], hold["position"], hold["status"]) == (
            "A1000", "Seitsemän veljestä", 1, "queued")
        second = ok(db_path, "hold", "place", patron(world, "C1000"), "I1000", "--pickup", "ULV")["hold"]
        assert second["position"] == 2
        ok(db_path, "hold", "cancel", "A1000", "I1000")
        assert ok(db_path, "patron", "show", "A1000")["patron"]["holds"] == []
        refused(db_path, "hold", "cancel", "A1000", "I1000", code="NO_HOLD")

    def test_holds_expire(self, world, db_path):
        shelved_for(world, "A1000", "I2000")  # on the shelf until 9.12., the patron told today:
        [call] = ok(db_path, "notices", "list", "--status", "pending")["notices"]  # no e-mail or phone
        ok(db_path, "notices", "called", str(call["id"]))
        assert ok(db_path, "holds", "expire", now="2026-12-09T23:00")["expired"] == []
        expired = ok(db_path, "holds", "expire", now="2026-12-10T06:00")["expired"]
        assert [{k: e[k] for k in ("card", "title", "fee_cents")} for e in expired] == [
            {"card": "A1000", "title": "Nimeke I2000", "fee_cents": 100}]
        assert ok(db_path, "patron", "show", "A1000", now="2026-12-10T06:00")["patron"]["balance_cents"] == 100


class TestFees:
    @pytest.mark.parametrize("typed, cents", [("1,50", 150), ("1.50", 150), ("1,5", 150), ("2", 200),
                                              ("0,05", 5), ("12,90", 1290)])
    def test_money_is_typed_in_euros_with_a_comma_or_a_point(self, world, db_path, typed, cents):
        assert ok(db_path, "fee", "charge", "A1000", typed, "--reason", "Kadonnut kortti")["balance_cents"] == cents

    def test_charge_pay_waive(self, world, db_path):
        assert ok(db_path, "fee", "charge", "A1000", "5,00", "--reason", "Vahingoittunut")["balance_cents"] == 500
        assert ok(db_path, "fee", "pay", "A1000", "1.50")["balance_cents"] == 350
        assert ok(db_path, "fee", "waive", "A1000", "0,50", "--reason", "Kohtuullistus")["balance_cents"] == 300
        assert ok(db_path, "patron", "show", "A1000")["patron"]["balance_cents"] == 300

    def test_paying_more_than_owed_is_bad_input(self, world, db_path):
        ok(db_path, "fee", "charge", "A1000", "1", "--reason", "x")
        refused(db_path, "fee", "pay", "A1000", "2", code="INVALID_INPUT", exit=2)

    def test_ill_order(self, world, db_path):
        ill = ok(db_path, "ill", "order", "A1000", "--title", "Harvinainen kirja", "--from", "Helmet",
                 "--price", "6,00")["ill"]
        assert (ill["card"], ill["title"], ill["price_cents"]) == ("A1000", "Harvinainen kirja", 600)


class TestBansAndClearance:
    def test_ban_add_oral(self, world, db_path):
        ban = ok(db_path, "ban", "add", "A1000", "--type", "borrowing", "--reason", "Häiriökäyttäytyminen")["ban"]
        assert (ban["card"], ban["type"]) == ("A1000", "borrowing")
        refused(db_path, "checkout", "A1000", "I1000", code="BANNED")

    def test_ban_add_written_with_hearing(self, world, db_path):
        ban = ok(db_path, "ban", "add", "A1000", "--type", "visit", "--reason", "Ilkivalta", "--written",
                 "--hearing-date", "2026-12-01", "--until", "2027-06-30")["ban"]
        assert (ban["type"], ban["written"], ban["hearing_date"], ban["until"]) == (
            "visit", True, "2026-12-01", "2027-06-30")

    def test_clearance_run(self, world, db_path):
        patron(world, "B1000")
        patron(world, "C1000")
        world.fees.charge("A1000", 100, "Noutamaton varaus", "manual")
        world.fees.charge("C1000", 250, "Myöhästymismaksu", "manual")
        blocked = ok(db_path, "clearance", "run")["blocked"]
        assert sorted(blocked) == ["A1000", "C1000"]
        refused(db_path, "checkout", "A1000", "I1000", code="CLEARANCE_DEBT")
        assert ok(db_path, "checkout", "B1000", "I1000")["loan"]["card"] == "B1000"


class TestPolicy:
    def test_policy_show(self, db_path):
        policy = ok(db_path, "policy", "show")["policy"]
        assert policy["loans"]["max_total"] == 150
        assert policy["fees"]["block_over_cents"] == 1000

    def test_policy_check(self, db_path, tmp_path):
        good = tmp_path / "good.toml"
        good.write_text(policy_text(db_path), encoding="utf-8")
        assert ok(db_path, "policy", "check", good)["ok"] is True
        bad = tmp_path / "bad.toml"
        bad.write_text(policy_text(db_path).replace("max_total = 150", 'max_total = "lots"'), encoding="utf-8")
        error = refused(db_path, "policy", "check", bad, code="INVALID_INPUT", exit=2)
        assert "loans.max_total" in error["message"]
        refused(db_path, "policy", "check", tmp_path / "missing.toml", code="INVALID_INPUT", exit=2)

    def test_policy_set_changes_the_rules(self, world, db_path, tmp_path):
        item(world, "I2000")
        strict = tmp_path / "strict.toml"
        strict.write_text(policy_text(db_path).replace("max_total = 150", "max_total = 1"), encoding="utf-8")
        ok(db_path, "policy", "set", strict)
        assert ok(db_path, "policy", "show")["policy"]["loans"]["max_total"] == 1
        ok(db_path, "checkout", "A1000", "I1000")
        error = refused(db_path, "checkout", "A1000", "I2000", code="LIMIT_TOTAL", confirmable=True)
        assert "1" in error["message"]

    def test_policy_set_refuses_a_bad_file_and_keeps_the_old(self, db_path, tmp_path):
        bad = tmp_path / "bad.toml"
        bad.write_text("[loans]\nperiod_days = 28\n", encoding="utf-8")
        refused(db_path, "policy", "set", bad, code="INVALID_INPUT", exit=2)
        assert ok(db_path, "policy", "show")["policy"]["loans"]["max_total"] == 150


class TestStaff:
    def test_staff_add_passwd_disable(self, db_path):
        me = pwd.getpwuid(os.getuid()).pw_name  # who acts: the account mapped to the real uid
        data = ok(db_path, "staff", "add", "paakayttaja", "--role", "admin", "--name", "Pää Käyttäjä",
                  "--unix-user", me, "--password-stdin", input="oikein-pitka-salasana\n")
        assert data["staff"] == data["staff"] | {"user": "paakayttaja", "role": "admin"}
        admin = {"TISKI_STAFF": "paakayttaja"}
        ok(db_path, "staff", "add", "maija", "--role", "desk", "--password-stdin", input="toinen-salasana\n", **admin)
        ok(db_path, "staff", "passwd", "maija", "--password-stdin", input="kolmas-salasana\n", **admin)
        ok(db_path, "staff", "disable", "maija", **admin)
        conn = sqlite3.connect(db_path)
        rows = dict(conn.execute("SELECT username, password_hash FROM staff").fetchall())
        disabled = conn.execute("SELECT disabled_at FROM staff WHERE username = 'maija'").fetchone()[0]
        conn.close()
        assert set(rows) == {"paakayttaja", "maija"} and disabled
        assert all(h and "salasana" not in h for h in rows.values())
        refused(db_path, "staff", "disable", "maija", code="NOT_FOUND", exit=2, **admin)

    @pytest.mark.parametrize("code, args, stdin", [
        ("INVALID_INPUT", ["staff", "add", "lyhyt", "--role", "desk", "--password-stdin"], "lyhyt\n"),
        ("INVALID_INPUT", ["staff", "add", "rooli", "--role", "boss", "--password-stdin"], "pitka-salasana\n"),
        ("INVALID_INPUT", ["staff", "add", "Iso Nimi", "--role", "desk", "--password-stdin"], "pitka-salasana\n"),
        ("NOT_FOUND", ["staff", "passwd", "nobody", "--password-stdin"], "pitka-salasana\n"),
    ], ids=["short-password", "unknown-role", "bad-username", "unknown-user"])
    def test_staff_bad_input(self, db_path, code, args, stdin):
        refused(db_path, *args, code=code, exit=2, input=stdin)
        assert counts(db_path)["staff"] == 0


class TestBackup:
    def test_backup_is_private(self, world, db_path, tmp_path):
        target = tmp_path / "backups" / "tiski-backup.sqlite"
        data = ok(db_path, "backup", target)
        assert target.is_file()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert Path(data["backup"]["file"]) == target
        conn = sqlite3.connect(target)
        assert conn.execute("SELECT card FROM cards").fetchall() == [("A1000",)]
        conn.close()

    def test_restore_keeps_the_old_database(self, world, db_path, tmp_path):
        target = tmp_path / "before.sqlite"
        ok(db_path, "backup", target)
        ok(db_path, "patron", "add", "--card", "B1000", "--first", "Bertta", "--last", "Uusi",
           "--birth-date", "1990-01-01")
        data = ok(db_path, "restore", target)
        refused(db_path, "patron", "show", "B1000", code="PATRON_UNKNOWN", exit=2)
        assert ok(db_path, "patron", "show", "A1000")["patron"]["card"] == "A1000"
        kept = Path(data["restore"]["kept"])
        assert kept.is_file() and kept != db_path
        conn = sqlite3.connect(kept)
        assert ("B1000",) in conn.execute("SELECT card FROM cards").fetchall()
        conn.close()

    def test_restore_refuses_a_file_that_is_not_a_backup(self, world, db_path, tmp_path):
        junk = tmp_path / "junk.sqlite"
        junk.write_bytes(b"this is not a database" * 100)
        before = counts(db_path)
        refused(db_path, "restore", junk, code="INVALID_INPUT", exit=2)
        refused(db_path, "restore", tmp_path / "missing.sqlite", code="INVALID_INPUT", exit=2)
        assert counts(db_path) == before and intact(db_path)


class TestImports:
    def test_import_patrons(self, db_path, tmp_path):
        csv_file = tmp_path / "patrons.csv"
        csv_file.write_text("card,first,last,birth_date\nK1000,Kaisa,Koivu,1985-04-01\n"
                            "K1001,Kalle,Koivu,1987-09-12\n", encoding="utf-8")
        assert ok(db_path, "import", "patrons", csv_file)["imported"] == 2
        assert ok(db_path, "patron", "show", "K1001")["patron"]["name"] == "Kalle Koivu"

    def test_import_patrons_all_or_nothing(self, db_path, tmp_path):
        csv_file = tmp_path / "patrons.csv"
        csv_file.write_text("card,first,last,birth_date\nK1000,Kaisa,Koivu,1985-04-01\n"
                            "K1001,Kalle,Koivu,1987-02-30\n", encoding="utf-8")
        refused(db_path, "import", "patrons", csv_file, code="INVALID_INPUT", exit=2)
        assert counts(db_path)["patrons"] == 0
        result = run(db_path, "import", "patrons", csv_file)
        assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.stderr

    def test_import_marc(self, db_path):
        report = ok(db_path, "import", "marc", MARC_FIXTURES / "batch.xml")["import"]
        assert report["records"] > 0
        assert {"items", "rejected_records", "warnings"} <= report.keys()

    def test_import_a_missing_file(self, db_path, tmp_path):
        refused(db_path, "import", "marc", tmp_path / "missing.mrc", code="INVALID_INPUT", exit=2)


# --- 2. exit codes: 1 for a library rule, 2 for bad input --------------------------------------

def _fees_over_limit(desk):
    desk.fees.charge("A1000", 1001, "Kadonnut kirja", "lost")


def _child_and_rated_dvd(desk):
    patron(desk, "C1000", birth=date(2016, 1, 1), guardian="Maija Huoltaja", consent_date=date(2026, 11, 1))
    item(desk, "D1000", format="dvd", rating=12)


def _eight_renewals(desk):
    desk.loans.checkout("A1000", "I1000")
    while desk.loans.renew("A1000", "I1000").renewals < 8:  # a day at a time (some days move nothing)
        desk.clock.advance(days=1)


def _lost_card(desk):
    desk.patrons.report_lost_card("A1000", "A2000")


def _not_loanable(desk):
    item(desk, "R1000", loanable=False)


def _banned(desk):
    desk.admin.add_ban("A1000", "use", "Ilkivalta", hearing_date=date(2026, 12, 1), written=True)


def _long_overdue(desk):
    desk.loans.checkout("A1000", "I1000")  # due 30.12.
    item(desk, "I2000")


def _held_by_another(desk):
    desk.loans.checkout("A1000", "I1000")
    desk.holds.place(patron(desk, "B1000"), "I1000")


RULE_REFUSALS = [
    # (code, set-up, command, clock)
    ("FEES_OVER_LIMIT", _fees_over_limit, ["checkout", "A1000", "I1000"], NOW),
    ("FEES_OVER_LIMIT", _fees_over_limit, ["hold", "place", "A1000", "I1000"], NOW),
    ("AGE_RATING", _child_and_rated_dvd, ["checkout", "C1000", "D1000"], NOW),
    ("AGE_RATING", _child_and_rated_dvd, ["checkout", "C1000", "D1000", "--override", "Äiti mukana"], NOW),
    ("HEARING_MISSING", None, ["ban", "add", "A1000", "--type", "use", "--reason", "Ilkivalta", "--written"], NOW),
    ("RENEWALS_EXHAUSTED", _eight_renewals, ["renew", "A1000", "I1000"], "2026-12-20T10:00"),
    ("HAS_HOLDS", _held_by_another, ["renew", "A1000", "I1000"], "2026-12-10T10:00"),
    ("CONSENT_MISSING", None, ["patron", "add", "--card", "C2000", "--first", "Ville", "--last", "Virtanen",
                               "--birth-date", "2016-03-01"], NOW),
    ("CONSENT_MISSING", None, ["patron", "add", "--card", "O2000", "--first", "Päiväkoti", "--last", "Tenava",
                               "--organisation"], NOW),
    ("CARD_LOST", _lost_card, ["checkout", "A1000", "I1000"], NOW),
    ("NOT_LOANABLE", _not_loanable, ["checkout", "A1000", "R1000"], NOW),
    ("BANNED", _banned, ["checkout", "A1000", "I1000"], NOW),
    ("OVERDUE_LOANS", _long_overdue, ["checkout", "A1000", "I2000"], "2027-01-29T10:00"),
    ("NOT_ON_LOAN", None, ["return", "I1000"], NOW),
    ("NOT_ON_LOAN", None, ["renew", "A1000", "I1000"], NOW),
]


@pytest.mark.parametrize("code, setup, args, now", RULE_REFUSALS,
                         ids=[f"{r[0]}-{'-'.join(r[2][:2])}" for r in RULE_REFUSALS])
def test_a_library_rule_refuses_with_exit_1(world, db_path, code, setup, args, now):
    if setup is not None:
        setup(world)
    before = counts(db_path)
    refused(db_path, *args, code=code, exit=1, now=now)
    assert counts(db_path) == before  # nothing was written


@pytest.mark.parametrize("code, setup, args, now", RULE_REFUSALS[:4],
                         ids=[f"{r[0]}-{'-'.join(r[2][:2])}" for r in RULE_REFUSALS[:4]])
def test_a_library_rule_refusal_for_people_is_one_line_on_stderr(world, db_path, code, setup, args, now):
    setup(world)
    result = run(db_path, *args, now=now)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and code in result.stderr


def test_several_refusals_for_people_are_one_line_each(world, db_path):
    _banned(world)
    _fees_over_limit(world)
    result = run(db_path, "checkout", "A1000", "I1000")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert "BANNED" in lines[0] and "FEES_OVER_LIMIT" in lines[1]
    error = refused(db_path, "checkout", "A1000", "I1000", code="BANNED")
    assert [e["code"] for e in error.get("all", [])] in ([], ["BANNED", "FEES_OVER_LIMIT"])


class TestConfirmable:
    def test_on_loan_to_other_is_confirmable_and_overridable(self, world, db_path):
        world.loans.checkout("A1000", "I1000")
        patron(world, "B1000")
        before = counts(db_path)
        refused(db_path, "checkout", "B1000", "I1000", code="ON_LOAN_TO_OTHER", confirmable=True)
        assert counts(db_path) == before
        loan = ok(db_path, "checkout", "B1000", "I1000", "--override", "Palautettu hyllyyn")["loan"]
        assert (loan["card"], loan["barcode"]) == ("B1000", "I1000")
        assert ok(db_path, "item", "show", "I1000")["item"]["loan"]["card"] == "B1000"
        assert ok(db_path, "patron", "show", "A1000")["patron"]["loans"] == []

    def test_held_for_other_is_confirmable_and_overridable(self, world, db_path):
        shelved_for(world, "A1000", "I2000")  # waiting on the shelf for A1000
        patron(world, "B1000")
        refused(db_path, "checkout", "B1000", "I2000", code="HELD_FOR_OTHER", confirmable=True)
        loan = ok(db_path, "checkout", "B1000", "I2000", "--override", "Varaaja luopui")["loan"]
        assert loan["card"] == "B1000"

    def test_an_empty_override_reason_is_bad_input(self, world, db_path):
        world.loans.checkout("A1000", "I1000")
        patron(world, "B1000")
        refused(db_path, "checkout", "B1000", "I1000", "--override", "  ", code="INVALID_INPUT", exit=2)

    @pytest.mark.parametrize("reason", ["1234", "2028000000099"])
    def test_a_code_is_not_an_override_reason(self, world, db_path, reason):
        """Issue 10: the core's rule, the same refusal as the TUI's; nothing lent.
        Mutation caught: the rule checked only in the TUI (`--override 1234` lends)."""
        world.loans.checkout("A1000", "I1000")
        patron(world, "B1000")
        before = counts(db_path)
        error = refused(db_path, "checkout", "B1000", "I1000", "--override", reason, code="INVALID_INPUT", exit=2)
        assert "sanoin" in error["message"]
        assert counts(db_path) == before


BAD_INPUT = [
    # (code, command)
    ("INVALID_INPUT", ["fee", "charge", "A1000", "abc", "--reason", "x"]),
    ("INVALID_INPUT", ["fee", "charge", "A1000", "0", "--reason", "x"]),
    ("INVALID_INPUT", ["fee", "charge", "A1000", "1,505", "--reason", "x"]),
    ("INVALID_INPUT", ["fee", "charge", "A1000", "1,50e3", "--reason", "x"]),
    ("INVALID_INPUT", ["fee", "pay", "A1000", "--", "-1"]),
    ("INVALID_INPUT", ["fee", "waive", "A1000", "NaN", "--reason", "x"]),
    ("INVALID_INPUT", ["ill", "order", "A1000", "--title", "T", "--from", "Helmet", "--price", "viisi"]),
    ("INVALID_INPUT", ["item", "add", "--barcode", "X1000", "--title", "T", "--price", "1.2.3"]),
    ("INVALID_INPUT", ["ban", "add", "A1000", "--type", "use", "--reason", "x", "--until", "2026-13-01"]),
    ("INVALID_INPUT", ["ban", "add", "A1000", "--type", "gag", "--reason", "x"]),
    ("INVALID_INPUT", ["return", "I1000", "--dropbox-date", "2026-02-30"]),
    ("INVALID_INPUT", ["branch", "close-day", "PORI", "24/12/2026"]),
    ("INVALID_INPUT", ["branch", "add", "HEL", "--name", "Helsinki", "--closes", "25:99"]),
    ("INVALID_INPUT", ["branch", "add", "HEL", "--name", "Helsinki", "--closed-weekdays", "caturday"]),
    ("INVALID_INPUT", ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B",
                       "--birth-date", "1980-02-30"]),
    ("INVALID_INPUT", ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B"]),
    ("INVALID_INPUT", ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B",
                       "--birth-date", "1980-01-01", "--email", "not-an-address"]),
    ("INVALID_HETU", ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B", "--hetu", "131052-308X"]),
    ("INVALID_HETU", ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B", "--hetu", "abc"]),
    ("DUPLICATE_CARD", ["patron", "add", "--card", "A1000", "--first", "A", "--last", "B",
                        "--birth-date", "1980-01-01"]),
    ("INVALID_INPUT", ["item", "add", "--barcode", "X1000", "--title", "T", "--format", "vinyl"]),
    ("INVALID_INPUT", ["item", "add", "--barcode", "X1000", "--title", "T", "--isbn", "978-951-0-00000-0"]),
    ("INVALID_INPUT", ["item", "add", "--barcode", "I1000", "--title", "Toinen"]),
    ("PATRON_UNKNOWN", ["patron", "show", "NOPE123"]),
    ("PATRON_UNKNOWN", ["checkout", "NOPE123", "I1000"]),
    ("PATRON_UNKNOWN", ["fee", "charge", "NOPE123", "1", "--reason", "x"]),
    ("PATRON_UNKNOWN", ["hold", "place", "NOPE123", "I1000"]),
    ("ITEM_UNKNOWN", ["item", "show", "NOPE123"]),
    ("ITEM_UNKNOWN", ["checkout", "A1000", "NOPE123"]),
    ("ITEM_UNKNOWN", ["return", "NOPE123"]),
    # usage errors (the parser's own): still one JSON object with --json
    ("INVALID_INPUT", ["patron", "show"]),
    ("INVALID_INPUT", ["checkout", "A1000"]),
    ("INVALID_INPUT", ["fee", "charge", "A1000", "1"]),
    ("INVALID_INPUT", ["item", "add", "--barcode", "X1000", "--title", "T", "--rating", "abc"]),
    ("INVALID_INPUT", ["patron", "find", "x", "--no-such-option"]),
    ("INVALID_INPUT", ["no-such-command"]),
    ("INVALID_INPUT", ["patron", "no-such-command"]),
]
BAD_INPUT_IDS = [f"{i:02d}-{code}-{'-'.join(args[:2])}" for i, (code, args) in enumerate(BAD_INPUT)]


@pytest.mark.parametrize("code, args", BAD_INPUT, ids=BAD_INPUT_IDS)
def test_bad_input_is_exit_2_with_one_json_object(world, db_path, code, args):
    before = counts(db_path)
    refused(db_path, *args, code=code, exit=2)
    assert counts(db_path) == before


@pytest.mark.parametrize("code, args", BAD_INPUT, ids=BAD_INPUT_IDS)
def test_bad_input_for_people_is_one_line_on_stderr(world, db_path, code, args):
    result = run(db_path, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("tiski")


def test_bad_tiski_now_is_bad_input(world, db_path):
    refused(db_path, "patron", "show", "A1000", code="INVALID_INPUT", exit=2, now="tomorrow")


def test_unknown_branch_is_bad_input(world, db_path):
    refused(db_path, "checkout", "A1000", "I1000", "--branch", "NOWHERE", code="INVALID_INPUT", exit=2)


def test_help_works(db_path):
    for args in (["--help"], ["checkout", "--help"], ["patron", "add", "--help"]):
        result = run(db_path, *args)
        assert result.exit_code == 0 and "Usage" in result.stdout and result.stderr == ""


# --- 3. the database: never created by accident; --db like TISKI_DB --------------------------

MISSING_DB_COMMANDS = [
    ["patron", "find", "x"],
    ["patron", "show", "A1000"],
    ["patron", "add", "--card", "P9000", "--first", "A", "--last", "B", "--birth-date", "1980-01-01"],
    ["item", "add", "--barcode", "X1000", "--title", "T"],
    ["checkout", "A1000", "I1000"],
    ["return", "I1000"],
    ["branch", "add", "HEL", "--name", "Helsinki"],
    ["fee", "pay", "A1000", "1"],
    ["holds", "expire"],
    ["clearance", "run"],
    ["policy", "show"],
    ["staff", "disable", "maija"],
]


@pytest.mark.parametrize("args", MISSING_DB_COMMANDS, ids=["-".join(a[:2]) for a in MISSING_DB_COMMANDS])
def test_a_missing_database_is_refused_and_not_created(tmp_path, args):
    missing = tmp_path / "nowhere" / "tiski.sqlite"
    error = refused(missing, *args, code="INVALID_INPUT", exit=2)
    assert str(missing) in error["message"]
    human = run(missing, *args)
    assert human.exit_code == 2 and human.stdout == ""
    assert len(human.stderr.splitlines()) == 1 and str(missing) in human.stderr
    assert not missing.parent.exists()


def test_export_with_a_missing_database(tmp_path):
    missing = tmp_path / "nowhere" / "tiski.sqlite"
    result = run(missing, "patron", "export", "A1000")
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and str(missing) in result.stderr
    assert not missing.parent.exists()


def test_backup_with_a_missing_database_creates_nothing(tmp_path):
    missing, target = tmp_path / "tiski.sqlite", tmp_path / "backup.sqlite"
    refused(missing, "backup", target, code="INVALID_INPUT", exit=2)
    assert sorted(tmp_path.iterdir()) == []


def test_a_missing_database_via_db_option(tmp_path):
    missing = tmp_path / "tiski.sqlite"
    result = run(None, "--db", missing, "patron", "find", "x", "--json")
    assert result.exit_code == 2 and one_object(result.stdout)["error"]["code"] == "INVALID_INPUT"
    assert not missing.exists() and not Path(str(missing) + "-wal").exists()


def test_db_option_before_the_command_works_like_tiski_db(world, db_path):
    result = run(None, "--db", db_path, "patron", "find", "Aaltonen", "--json")
    assert result.exit_code == 0
    assert [p["card"] for p in one_object(result.stdout)["patrons"]] == ["A1000"]
    result = run(None, f"--db={db_path}", "checkout", "A1000", "I1000", "--json")
    assert result.exit_code == 0 and one_object(result.stdout)["loan"]["card"] == "A1000"


def test_db_option_wins_over_tiski_db(world, db_path, tmp_path):
    other = tmp_path / "other.sqlite"
    result = run(other, "--db", db_path, "patron", "show", "A1000", "--json")
    assert result.exit_code == 0
    assert not other.exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all " * 200)
    refused(junk, "patron", "find", "x", code="INVALID_INPUT", exit=2)
    result = run(junk, "patron", "find", "x")
    assert result.exit_code == 2 and result.stdout == "" and len(result.stderr.splitlines()) == 1


# --- 4. people: one line per refusal, no traceback; hostile input --------------------------------

def test_success_for_people_prints_on_stdout_only(world, db_path):
    result = run(db_path, "checkout", "A1000", "I1000")
    assert result.exit_code == 0 and result.stderr == ""
    assert "Seitsemän veljestä" in result.stdout and "30.12.2026" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


LONG = "x" * 100_000
HOSTILE = {
    "long": LONG,
    "escape": "\x1b[31mPUNAINEN\x1b[0m",
    "sql": "'; DROP TABLE patrons;--",
    "newline": "Rivi\ntiski: VALE-ILMOITUS",
    "bidi": "Aino\u202eenoniA",
    "format": "{card}{0}%s%n",
}
HOSTILE_COMMANDS = [
    ["patron", "add", "--card", "H1000", "--first", "{v}", "--last", "Testi", "--birth-date", "1980-01-01"],
    ["patron", "add", "--card", "{v}", "--first", "A", "--last", "B", "--birth-date", "1980-01-01"],
    ["patron", "find", "{v}"],
    ["patron", "show", "{v}"],
    ["checkout", "A1000", "{v}"],
    ["checkout", "A1000", "I1000", "--branch", "{v}"],
    ["item", "add", "--barcode", "H1000", "--title", "{v}"],
    ["item", "add", "--barcode", "H1000", "--title", "T", "--format", "{v}"],
    ["item", "add", "--barcode", "H1000", "--title", "T", "--rating", "{v}"],
    ["fee", "charge", "A1000", "{v}", "--reason", "x"],
    ["fee", "charge", "A1000", "1", "--reason", "{v}"],
    ["ban", "add", "A1000", "--type", "{v}", "--reason", "x"],
    ["ban", "add", "A1000", "--type", "use", "--reason", "x", "--until", "{v}"],
    ["branch", "add", "{v}", "--name", "x"],
    ["staff", "add", "{v}", "--role", "desk"],
]
MAX_LINE = 1000  # a refusal is one line a person can read, not the input echoed back


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("template", HOSTILE_COMMANDS,
                         ids=[f"{i:02d}-" + "-".join(t[:2]) for i, t in enumerate(HOSTILE_COMMANDS)])
def test_hostile_input(world, db_path, template, value):
    args = [value if a == "{v}" else a for a in template]
    before = counts(db_path)
    result = run(db_path, *args)
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr[:300])
    if result.exit_code == 2:
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert counts(db_path) == before  # nothing half-written
    # Nothing reaches the terminal that could drive it or forge a line of its own.
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
        assert "\ntiski: VALE" not in text
        assert all(len(line) <= MAX_LINE for line in text.splitlines()), f"a line of {max(map(len, text.splitlines()))} characters"
    assert intact(db_path)
    as_json = run(db_path, *args, "--json")
    assert as_json.exit_code in (0, 1, 2) and as_json.stderr == ""
    one_object(as_json.stdout)
    assert "\x1b" not in as_json.stdout
    assert intact(db_path)


def test_sql_in_a_name_is_stored_as_text(world, db_path):
    ok(db_path, "patron", "add", "--card", "S1000", "--first", "'; DROP TABLE patrons;--", "--last", "Tables",
       "--birth-date", "1980-01-01")
    found = ok(db_path, "patron", "find", "DROP TABLE")["patrons"]
    assert [p["card"] for p in found] == ["S1000"]
    assert found[0]["name"] == "'; DROP TABLE patrons;-- Tables"
    assert ok(db_path, "patron", "find", "' OR 1=1 --")["patrons"] == []
    assert ok(db_path, "patron", "find", "%")["patrons"] == []  # not a LIKE wildcard
    assert ok(db_path, "patron", "find", "_")["patrons"] == []
    assert intact(db_path) and counts(db_path)["patrons"] == 2


def test_a_control_character_is_refused_not_stored(world, db_path):
    error = refused(db_path, "patron", "add", "--card", "H1000", "--first", "\x1b[31mAino", "--last", "B",
                    "--birth-date", "1980-01-01", code="INVALID_INPUT", exit=2)
    assert "\x1b" not in error["message"]
    refused(db_path, "patron", "show", "H1000", code="PATRON_UNKNOWN", exit=2)


# --- 5. language -------------------------------------------------------------------------------

LANGUAGES = [
    ([], {}, "Asiakasta ei löydy tällä kortilla."),
    ([], {"TISKI_LANG": "en"}, "No patron found with this card."),
    (["--lang", "sv"], {}, "Ingen kund hittades med det här kortet."),
    (["--lang", "en"], {}, "No patron found with this card."),
    (["--lang", "sv"], {"TISKI_LANG": "en"}, "Ingen kund hittades med det här kortet."),
]


@pytest.mark.parametrize("options, env, phrase", LANGUAGES,
                         ids=["default-fi", "env-en", "option-sv", "option-en", "option-beats-env"])
def test_the_message_language(db_path, options, env, phrase):
    human = run(db_path, *options, "patron", "show", "NOPE123", **env)
    assert human.exit_code == 2 and phrase in human.stderr
    error = refused(db_path, *options, "patron", "show", "NOPE123", code="PATRON_UNKNOWN", exit=2, **env)
    assert error["message"] == phrase


def test_english_for_people_on_success(world, db_path):
    result = run(db_path, "fee", "charge", "A1000", "1,50", "--reason", "Kadonnut kortti", TISKI_LANG="en")
    assert result.exit_code == 0 and "Fee balance 1.50 €." in result.stdout


def test_swedish_rule_refusal(world, db_path):
    _banned(world)
    result = run(db_path, "--lang", "sv", "checkout", "A1000", "I1000")
    assert result.exit_code == 1
    assert "Användningsförbud från 2.12.2026, tills vidare – givet av tester." in result.stderr  # which ban (issue 10)


def test_english_missing_database(tmp_path):
    missing = tmp_path / "tiski.sqlite"
    result = run(missing, "patron", "find", "x", TISKI_LANG="en")
    assert result.exit_code == 2 and f"No database at {missing}" in result.stderr


# --- 6. the CLI never imports textual ---------------------------------------------------------

@pytest.mark.parametrize("args, code", [(["patron", "find", "x"], 0), (["item", "show", "NOPE123", "--json"], 2)])
def test_non_tui_commands_never_import_textual(world, db_path, args, code):
    from .test_start_imports import imported, loaded

    exit_code, modules = loaded(db_path, *args)
    assert exit_code == code
    assert not imported(modules, "textual"), "textual imported"


def test_a_register_busy_past_the_wait_is_one_message_and_exit_2(db_path, desk, monkeypatch):
    """Mutation caught: the CLI letting sqlite3's OperationalError through (a traceback,
    with the SQL and its values), or reporting it as a success."""
    import tiski.store.db

    patron(desk, "P0001")
    item(desk, "B0001")
    monkeypatch.setattr(tiski.store.db, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        error = refused(db_path, "checkout", "P0001", "B0001", code="INVALID_INPUT", exit=2, TISKI_LANG="en")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert error["message"].startswith("The register is busy")
    assert "SELECT" not in error["message"] and "P0001" not in error["message"]
    assert ok(db_path, "checkout", "P0001", "B0001")["loan"]["barcode"] == "B0001"  # and then it goes through
