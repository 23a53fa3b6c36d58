"""Trust: roles, the audit trail, privacy by default (DOMAIN.md §1, §7)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from typer.testing import CliRunner

from tiski.cli import app
from tiski.core.errors import Refused
from tiski.desk import Desk
from tiski.desk.patrons import NewPatron
from tiski.desk.retention import run_retention
from tiski.i18n import Translator

from ..conftest import item, patron

PASSWORD = "oikein-hyva-salasana"


def code_of(call, *args, **kwargs):
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.code


@pytest.fixture
def staffed(desk):
    """A register with accounts: an admin, desk staff, a digi-support helper."""
    desk.admin.add_staff("admin", "admin", "Aila Admin", PASSWORD)
    desk.act_as("admin")  # from the first account on, the register knows who acts
    desk.admin.add_staff("pekka", "desk", "Pekka Tiski", PASSWORD, unix_user="pekka-unix")
    desk.admin.add_staff("dina", "digituki", "Dina Digi", PASSWORD)
    patron(desk, "P0001")
    item(desk, "B0001")
    return desk


def as_staff(desk, username):
    other = Desk(desk.conn, clock=desk.clock, branch="PORI", staff=username)
    return other


def test_the_first_account_must_be_an_admins(desk):
    assert code_of(desk.admin.add_staff, "pekka", "desk", None, PASSWORD) == "INVALID_INPUT"


def test_desk_staff_lend_but_leave_bans_policy_and_accounts_to_admins(staffed):
    pekka = as_staff(staffed, "pekka")
    pekka.loans.checkout("P0001", "B0001")
    assert code_of(pekka.admin.add_ban, "P0001", "use", "Häiriö") == "NOT_ALLOWED"
    assert code_of(pekka.admin.run_clearance) == "NOT_ALLOWED"
    assert code_of(pekka.admin.add_staff, "x", "desk", None, PASSWORD) == "NOT_ALLOWED"
    assert code_of(pekka.admin.set_policy, "") == "NOT_ALLOWED"
    as_staff(staffed, "admin").admin.add_ban("P0001", "use", "Häiriö")


def test_a_digi_support_helper_works_the_digi_support_desk_only(staffed):
    dina = as_staff(staffed, "dina")
    dina.digituki.queue_add("Aino", "e_services", "own_phone")
    assert code_of(dina.loans.checkout, "P0001", "B0001") == "NOT_ALLOWED"
    assert code_of(dina.patrons.view, "P0001") == "NOT_ALLOWED"


def test_unknown_or_disabled_accounts_can_do_nothing(staffed):
    assert code_of(as_staff(staffed, "nobody").patrons.view, "P0001") == "NOT_ALLOWED"
    as_staff(staffed, "admin").admin.disable_staff("pekka")
    assert code_of(as_staff(staffed, "pekka").loans.checkout, "P0001", "B0001") == "NOT_ALLOWED"


def test_log_in_checks_the_slow_hash(staffed):
    assert code_of(staffed.log_in, "pekka", "wrong password") == "NOT_ALLOWED"
    assert staffed.log_in("pekka", PASSWORD) == "pekka" and staffed.role == "desk"
    stored = staffed.conn.execute("SELECT password_hash FROM staff WHERE username = 'pekka'").fetchone()[0]
    assert PASSWORD not in stored and stored.startswith("scrypt$")


def test_an_unknown_username_costs_the_same_slow_check(staffed, monkeypatch):
    """Otherwise the time a refusal takes would tell which usernames exist."""
    import tiski.core.passwords as passwords

    checked = []
    real = passwords.verify_secret
    monkeypatch.setattr(passwords, "verify_secret", lambda secret, stored: checked.append(stored) or real(secret, stored))
    assert code_of(staffed.log_in, "nobody", "arvaus") == "NOT_ALLOWED"
    assert code_of(staffed.log_in, "pekka", "arvaus") == "NOT_ALLOWED"
    assert len(checked) == 2 and all(stored.startswith("scrypt$16384$") for stored in checked)


def test_five_wrong_passwords_pause_the_account_for_fifteen_minutes(staffed, clock):
    for _ in range(5):
        assert code_of(staffed.log_in, "pekka", "arvaus") == "NOT_ALLOWED"
    with pytest.raises(Refused) as caught:
        staffed.log_in("pekka", PASSWORD)  # even the right password waits
    assert caught.value.first.params["action"] == "login_paused"
    assert "15" in Translator("fi").refusal(caught.value.first)
    clock.advance(minutes=16)
    assert staffed.log_in("pekka", PASSWORD) == "pekka"
    for _ in range(5):
        code_of(staffed.log_in, "pekka", "arvaus")
    as_staff(staffed, "admin").admin.set_staff_password("pekka", "uusi-pitka-salasana")  # an admin ends the pause
    assert staffed.log_in("pekka", "uusi-pitka-salasana") == "pekka"
    failed = staffed.conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'").fetchone()[0]
    assert failed == 10  # wrong passwords are in the trail, never the passwords themselves
    assert not staffed.conn.execute("SELECT 1 FROM audit_log WHERE detail LIKE '%arvaus%'").fetchone()


def test_reads_and_changes_are_logged_with_who_when_where_what(staffed, clock):
    pekka = as_staff(staffed, "pekka")
    pekka.patrons.view("P0001")
    pekka.patrons.view("P0001")  # the same look, moments later: one entry
    pekka.loans.checkout("P0001", "B0001")
    pekka.fees.charge("P0001", 150, "Palautuskehotus", "reminder")
    pekka.fees.pay("P0001", 150)
    clock.advance(days=40)
    pekka.loans.return_item("B0001")
    rows = staffed.conn.execute("SELECT staff, branch, action, kind, detail FROM audit_log WHERE patron_id ="
                                " (SELECT patron_id FROM cards WHERE card = 'P0001') AND staff = 'pekka'"
                                " ORDER BY id").fetchall()
    actions = [(r["action"], r["kind"]) for r in rows]
    assert actions == [("patron_view", "read"), ("checkout", "change"), ("charge_fee", "change"),
                       ("pay_fee", "change"), ("return_item", "change")]
    assert all(r["staff"] == "pekka" and r["branch"] == "PORI" for r in rows)
    assert rows[1]["detail"] == "barcode=B0001" and rows[3]["detail"] == "amount_cents=150"


def test_an_override_is_in_the_trail(staffed):
    pekka = as_staff(staffed, "pekka")
    patron(staffed, "P0002")
    pekka.loans.checkout("P0001", "B0001")
    pekka.loans.checkout("P0002", "B0001", override="Palautettu hyllyyn")
    detail = staffed.conn.execute("SELECT detail FROM audit_log WHERE action = 'checkout' ORDER BY id DESC"
                                  ).fetchone()[0]
    assert "override" in detail and "Palautettu" not in detail  # the reason is in overrides, not here


def test_never_the_hetu_or_the_pin(staffed):
    pekka = as_staff(staffed, "pekka")
    pekka.patrons.add(NewPatron(card="P0009", first="Aino", last="Virtanen", hetu="131052-308T", pin="4321"))
    pekka.patrons.set_pin("P0009", "9876")
    pekka.patrons.export("P0009")
    dump = "\n".join(" ".join(str(v) for v in row) for row in staffed.conn.execute("SELECT * FROM audit_log"))
    assert "131052" not in dump and "4321" not in dump and "9876" not in dump
    assert "export_patron" in dump and "set_pin" in dump


def test_the_trail_is_append_only(staffed):
    as_staff(staffed, "pekka").patrons.view("P0001")
    for sql in ("UPDATE audit_log SET staff = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            staffed.conn.execute(sql)


def test_the_export_says_who_has_looked(staffed):
    as_staff(staffed, "pekka").patrons.view("P0001")
    log = as_staff(staffed, "admin").patrons.export("P0001")["access_log"]
    assert ("pekka", "patron_view", "read") in [(e["staff"], e["action"], e["kind"]) for e in log]


def test_the_data_protection_officer_reads_the_trail_from_the_cli(staffed, db_path):
    as_staff(staffed, "pekka").patrons.view("P0001")
    runner = CliRunner()
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05"}
    result = runner.invoke(app, ["audit", "--patron", "P0001", "--json"], env={**env, "TISKI_STAFF": "admin"})
    assert result.exit_code == 0, result.output
    assert ("pekka", "patron_view") in [(e["staff"], e["action"]) for e in json.loads(result.stdout)["audit"]]
    by_staff = runner.invoke(app, ["audit", "--staff", "pekka", "--json"], env={**env, "TISKI_STAFF": "admin"})
    assert [e["action"] for e in json.loads(by_staff.stdout)["audit"]] == ["patron_view"]
    refused = runner.invoke(app, ["audit", "--patron", "P0001", "--json"], env={**env, "TISKI_STAFF": "pekka"})
    assert refused.exit_code == 1 and json.loads(refused.stdout)["error"]["code"] == "NOT_ALLOWED"


def test_who_acts_on_the_command_line(staffed, db_path):
    runner = CliRunner()
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_LANG": "en",
           "LOGNAME": "someone-else", "USER": "someone-else"}
    nobody = runner.invoke(app, ["patron", "show", "P0001"], env=env)
    assert nobody.exit_code == 1 and "Who are you?" in nobody.stderr
    mapped = runner.invoke(app, ["patron", "show", "P0001", "--json"], env={**env, "LOGNAME": "pekka-unix"})
    assert mapped.exit_code == 0  # the Unix user pekka-unix acts as pekka
    banned = runner.invoke(app, ["ban", "add", "P0001", "--type", "use", "--reason", "x", "--json"],
                           env={**env, "LOGNAME": "pekka-unix"})
    assert json.loads(banned.stdout)["error"]["code"] == "NOT_ALLOWED"
    imports = runner.invoke(app, ["import", "patrons", str(db_path), "--json"], env={**env, "TISKI_STAFF": "pekka"})
    assert json.loads(imports.stdout)["error"]["code"] == "NOT_ALLOWED"


def test_a_returned_loan_keeps_no_patron(desk):
    patron(desk, "P0001")
    item(desk, "B0001")
    desk.loans.checkout("P0001", "B0001")
    desk.loans.return_item("B0001")
    row = desk.conn.execute("SELECT patron_id, card, returned_at FROM loans").fetchone()
    assert row["patron_id"] is None and row["card"] == "" and row["returned_at"]
    assert desk.patrons.export("P0001")["loans"] == []


def test_retention_removes_what_is_no_longer_needed(desk, clock):
    patron(desk, "P0001")
    patron(desk, "P0002")
    item(desk, "B0001")
    desk.loans.checkout("P0002", "B0001")
    desk.holds.place("P0001", "B0001")
    desk.loans.return_item("B0001")  # a notice, a waiting hold
    desk.loans.checkout("P0001", "B0001")  # the hold is fulfilled (closed)
    desk.conn.execute("INSERT INTO loans (item_id, patron_id, card, branch, loaned_at, due_date, due_at, returned_at)"
                      " SELECT 1, 1, 'P0001', 'PORI', '2026-01-01T10:00:00+02:00', '2026-01-29',"
                      " '2026-01-29T20:00:00+02:00', '2026-01-20T10:00:00+02:00'")  # a legacy kept history
    clock.set(datetime(2027, 1, 15, 12))
    counts = run_retention(desk)
    assert counts["loans_anonymised"] == 1 and counts["holds_removed"] == 1 and counts["notices_removed"] >= 1
    assert desk.conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0] == 0


def test_database_files_are_private(desk, db_path, tmp_path):
    import os
    import stat

    from tiski.store.backup import backup_to

    backup_to(desk.conn, tmp_path / "b.sqlite")
    assert stat.S_IMODE(os.stat(tmp_path / "b.sqlite").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_a_stolen_file_does_not_reveal_identity_codes(desk, db_path):
    desk.patrons.add(NewPatron(card="P0009", first="Aino", last="Virtanen", hetu="131052-308T"))
    desk.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = db_path.read_bytes()
    assert b"131052-308T" not in raw and b"308T" not in raw
    assert desk.patrons.view("P0009").hetu_masked == "131052-****"
    assert desk.patrons.export("P0009")["patron"]["hetu"] == "131052-308T"  # with the key, for the patron
    with pytest.raises(Refused) as refused:  # the same code again: found by its keyed digest
        desk.patrons.add(NewPatron(card="P0010", first="A", last="V", hetu="131052-308T"))
    assert refused.value.code == "DUPLICATE_PATRON"


def test_without_its_key_file_the_codes_stay_sealed(desk, monkeypatch, tmp_path):
    desk.patrons.add(NewPatron(card="P0009", first="Aino", last="Virtanen", hetu="131052-308T"))
    monkeypatch.setenv("TISKI_KEYS_DIR", str(tmp_path / "elsewhere"))
    assert desk.patrons.view("P0009").hetu_masked == "131052-****"  # the desk still works
    with pytest.raises(Refused) as refused:
        desk.patrons.export("P0009")
    assert refused.value.code == "INVALID_INPUT"
