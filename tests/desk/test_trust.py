"""Trust through the facade: roles, logging in, the audit trail and its tamper evidence,
retention, privacy by default (DOMAIN.md §1, §7; issue 9)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from tiski.core.errors import Refusal, Refused, Unavailable
from tiski.core.passwords import LOGIN_TRIES, login_wait
from tiski.desk import Desk
from tiski.desk.patrons import ContactChange, NewPatron
from tiski.i18n import Translator
from tiski.store import chain
from tiski.store.db import connect
from tiski.store.hetu_vault import keys_dir

from ..conftest import item, patron

PASSWORD = "oikein-hyva-salasana"


def code_of(call, *args, **kwargs):
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.code


def refusal(call, *args, **kwargs):
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.first


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


@pytest.fixture
def real_clock(monkeypatch):
    """The real clock the trail and the login backoff go by, moved by hand."""
    moments = [datetime(2026, 12, 2, 12, 5, tzinfo=timezone.utc)]
    monkeypatch.setattr(chain, "real_now", lambda: moments[0])

    class Real:
        def advance(self, **delta):
            moments[0] += timedelta(**delta)

    return Real()


def as_staff(desk, username):
    return Desk(desk.conn, clock=desk.clock, branch="PORI", staff=username)


def trail(desk, where="1", *params):
    return desk.conn.execute(f"SELECT * FROM audit_log WHERE {where} ORDER BY id", params).fetchall()  # noqa: S608


# --- roles ------------------------------------------------------------------------------------

def test_the_first_account_must_be_an_admins(desk):
    assert code_of(desk.admin.add_staff, "pekka", "desk", None, PASSWORD) == "INVALID_INPUT"


def test_desk_staff_lend_but_leave_bans_policy_accounts_and_the_register_to_admins(staffed, tmp_path):
    """Mutation caught: an admin action (init, restore, backup, retention, the trail)
    dropped from core/roles.ADMIN_ONLY."""
    pekka = as_staff(staffed, "pekka")
    pekka.loans.checkout("P0001", "B0001")
    assert code_of(pekka.admin.add_ban, "P0001", "use", "Häiriö") == "NOT_ALLOWED"
    assert code_of(pekka.admin.run_clearance) == "NOT_ALLOWED"
    assert code_of(pekka.admin.add_staff, "x", "desk", None, PASSWORD) == "NOT_ALLOWED"
    assert code_of(pekka.admin.set_policy, "") == "NOT_ALLOWED"
    assert code_of(pekka.admin.issue_token, "pekka") == "NOT_ALLOWED"
    for call in (pekka.register.init, pekka.register.retention, pekka.register.verify_audit):
        assert code_of(call) == "NOT_ALLOWED"
    assert code_of(pekka.register.backup, tmp_path / "b.sqlite") == "NOT_ALLOWED"
    assert code_of(pekka.register.restore, tmp_path / "b.sqlite") == "NOT_ALLOWED"
    assert code_of(pekka.register.audit, "P0001") == "NOT_ALLOWED"
    assert [b.code for b in pekka.register.branches()] == ["PORI", "ULV"]
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


def test_not_allowed_is_bad_input_to_the_command_line():
    """Mutation caught: NOT_ALLOWED back among the rule codes (exit 1, not the README's 2)."""
    from tiski.core.errors import refuse

    assert refuse("NOT_ALLOWED").exit_code == 2


# --- logging in ---------------------------------------------------------------------------------

def test_log_in_checks_the_slow_hash(staffed):
    assert code_of(staffed.log_in, "pekka", "wrong password") == "NOT_ALLOWED"
    assert staffed.log_in("pekka", PASSWORD) == "pekka" and staffed.role == "desk"
    stored = staffed.conn.execute("SELECT password_hash FROM staff WHERE username = 'pekka'").fetchone()[0]
    assert PASSWORD not in stored and stored.startswith("scrypt$")


def test_an_unknown_username_costs_the_same_slow_check(staffed, monkeypatch):
    """Otherwise the time a refusal takes would tell which usernames exist."""
    import tiski.desk.sessions as sessions

    checked = []
    real = sessions.verify_secret
    monkeypatch.setattr(sessions, "verify_secret", lambda secret, stored: checked.append(stored) or real(secret, stored))
    assert code_of(staffed.log_in, "nobody", "arvaus") == "NOT_ALLOWED"
    assert code_of(staffed.log_in, "pekka", "arvaus") == "NOT_ALLOWED"
    assert len(checked) == 2 and all(stored.startswith("scrypt$16384$") for stored in checked)


def test_the_backoff_doubles_and_stays_short():
    assert [login_wait(n, 0) for n in range(LOGIN_TRIES)] == [0] * LOGIN_TRIES
    assert [login_wait(LOGIN_TRIES + n, 0) for n in range(6)] == [5, 10, 20, 40, 60, 60]
    assert login_wait(LOGIN_TRIES, 3) == 2 and login_wait(LOGIN_TRIES, 9) == 0


def test_after_wrong_passwords_every_name_gets_the_same_answer(staffed, real_clock):
    """After five wrong passwords the terminal waits — for a real name and for one that
    does not exist alike, answered at once, without a password check.
    Mutation caught: counting the wrong tries per account (unknown names would never
    pause, so 'paused' would tell a real name), or checking the password while paused."""
    for name in ("nobody", "pekka", "ghost", "pekka", "xyz"):
        assert refusal(staffed.log_in, name, "arvaus", "desk-1").params["action"] == "login"
    answers = {name: refusal(staffed.log_in, name, PASSWORD, "desk-1").params for name in ("pekka", "nobody")}
    assert answers["pekka"] == answers["nobody"] == {"action": "login_paused", "staff": "", "seconds": 5}
    assert "wait 5 s" in Translator("en").refusal(Refusal("NOT_ALLOWED", answers["pekka"]))
    real_clock.advance(seconds=6)
    assert refusal(staffed.log_in, "pekka", "arvaus", "desk-1").params["action"] == "login"
    assert refusal(staffed.log_in, "pekka", PASSWORD, "desk-1").params["seconds"] == 10  # doubling
    real_clock.advance(seconds=11)
    assert staffed.log_in("pekka", PASSWORD, "desk-1") == "pekka"  # a right password starts the count again
    failed = trail(staffed, "action = 'login_failed'")
    assert len(failed) == 6 and {r["staff"] for r in failed} == {"pekka", None}
    assert all(r["detail"] == "terminal=desk-1" for r in failed)
    assert not any("arvaus" in str(tuple(r)) or "ghost" in str(tuple(r)) for r in trail(staffed))


def test_a_guesser_cannot_lock_a_colleague_out(staffed, real_clock):
    """Wrong passwords for pekka at one terminal leave pekka free at another, and an
    admin lets the guessed-at terminal try again at once.
    Mutation caught: the old per-account 15-minute pause (pekka locked out everywhere)."""
    for _ in range(10):
        try:
            staffed.log_in("pekka", "arvaus", "desk-1")
        except Refused:
            pass
    assert refusal(staffed.log_in, "pekka", PASSWORD, "desk-1").params["action"] == "login_paused"
    assert staffed.log_in("pekka", PASSWORD, "desk-2") == "pekka"
    as_staff(staffed, "admin").admin.unlock_logins("desk-1")
    assert staffed.log_in("pekka", PASSWORD, "desk-1") == "pekka"
    assert trail(staffed, "action = 'login_unlocked'")[0]["detail"] == "terminal=desk-1"


def test_a_token_logs_in_only_as_its_account(staffed):
    """Mutation caught: a token checked against the password hash, or kept in clear."""
    token = as_staff(staffed, "admin").admin.issue_token("pekka")
    assert staffed.log_in_with_token("pekka", token) == "pekka"
    assert code_of(staffed.log_in_with_token, "dina", token) == "NOT_ALLOWED"
    assert code_of(staffed.log_in, "pekka", token) == "NOT_ALLOWED"
    stored = staffed.conn.execute("SELECT token_hash FROM staff WHERE username = 'pekka'").fetchone()[0]
    assert token not in stored and stored.startswith("scrypt$")


# --- the audit trail ---------------------------------------------------------------------------

def test_reads_and_changes_are_logged_with_who_when_where_what(staffed, clock):
    pekka = as_staff(staffed, "pekka")
    pekka.patrons.view("P0001")
    pekka.patrons.view("P0001")  # the same look, moments later: one entry
    pekka.loans.checkout("P0001", "B0001")
    pekka.fees.charge("P0001", 150, "Palautuskehotus", "reminder")
    pekka.fees.pay("P0001", 150)
    clock.advance(days=40)
    pekka.loans.return_item("B0001")
    rows = trail(staffed, "patron_id = (SELECT patron_id FROM cards WHERE card = 'P0001') AND staff = 'pekka'")
    actions = [(r["action"], r["kind"]) for r in rows]
    assert actions == [("patron_view", "read"), ("checkout", "change"), ("charge_fee", "change"),
                       ("pay_fee", "change"), ("return_item", "change")]
    assert all(r["staff"] == "pekka" and r["branch"] == "PORI" for r in rows)
    assert rows[1]["detail"] == "barcode=B0001" and rows[3]["detail"] == "amount_cents=150"


def test_every_row_records_the_real_time_beside_the_desks(staffed, clock):
    """A drill's clock (TISKI_NOW, here 2019) cannot hide a record from `--since`: the
    trail and the ledger record the real time; the ledger's business date stays the desk's.
    Mutation caught: written_at taken from the desk clock."""
    clock.set(datetime(2019, 1, 1, 10, 0))
    admin = as_staff(staffed, "admin")
    admin.patrons.export("P0001")
    admin.fees.charge("P0001", 200, "Kadonnut", "lost")
    export = trail(staffed, "action = 'export_patron'")[0]
    assert export["at"].startswith("2019-01-01") and export["written_at"] >= "2026"
    since = admin.register.audit(staff="admin", since=datetime(2026, 1, 1).date())
    assert "export_patron" in [e.action for e in since]
    assert admin.register.audit(staff="admin", since=datetime(2030, 1, 1).date()) == []
    fee_at, written = staffed.conn.execute(
        "SELECT f.at, c.written_at FROM fees f JOIN ledger_chain c ON c.entry = 'fee:' || f.id").fetchone()
    assert fee_at.startswith("2019-01-01") and written >= "2026"


def test_an_export_soon_after_a_view_is_in_the_trail_as_an_export(staffed, real_clock):
    """An export opens the full HETU: it is always recorded, as its own action, however
    recently the same member of staff viewed the patron (reads are logged once a while).
    Mutation caught: `patron export` logged as a read under the ten-minute rule (a view,
    then an export within ten minutes, left no row of the export)."""
    admin = as_staff(staffed, "admin")
    admin.patrons.view("P0001")
    real_clock.advance(minutes=1)
    admin.patrons.export("P0001")
    admin.patrons.export("P0001")  # a second export at once: a second row
    rows = trail(staffed, "staff = 'admin' AND action IN ('patron_view', 'export_patron')")
    assert [r["action"] for r in rows] == ["patron_view", "export_patron", "export_patron"]
    assert rows[1]["patron_id"] == rows[0]["patron_id"] is not None
    admin.patrons.view("P0001")  # a view after an export still goes by the ten-minute rule
    assert len(trail(staffed, "staff = 'admin' AND action = 'patron_view'")) == 1


def test_an_override_is_in_the_trail(staffed):
    pekka = as_staff(staffed, "pekka")
    patron(staffed, "P0002")
    pekka.loans.checkout("P0001", "B0001")
    pekka.loans.checkout("P0002", "B0001", override="Palautettu hyllyyn")
    detail = trail(staffed, "action = 'checkout'")[-1]["detail"]
    assert "override" in detail and "Palautettu" not in detail  # the reason is in overrides, not here


def test_never_the_hetu_or_the_pin(staffed):
    pekka = as_staff(staffed, "pekka")
    pekka.patrons.add(NewPatron(card="P0009", first="Aino", last="Virtanen", hetu="131052-308T", pin="4321"))
    pekka.patrons.set_pin("P0009", "9876")
    pekka.patrons.export("P0009")
    # The chain's hex hash is left out: by chance it may hold any four digits (CI once saw "9876").
    dump = "\n".join(" ".join(str(row[k]) for k in row.keys() if k != "hash") for row in trail(staffed))
    assert "131052" not in dump and "4321" not in dump and "9876" not in dump
    assert "export_patron" in dump and "set_pin" in dump


def test_the_trail_is_append_only(staffed):
    as_staff(staffed, "pekka").patrons.view("P0001")
    as_staff(staffed, "pekka").fees.charge("P0001", 100, "Muistutus", "reminder")
    for sql in ("UPDATE audit_log SET staff = 'x'", "DELETE FROM audit_log", "DELETE FROM ledger_chain",
                "UPDATE ledger_chain SET hash = ''", "UPDATE fees SET amount_cents = 1", "DELETE FROM fees"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            staffed.conn.execute(sql)


def test_the_export_says_who_has_looked(staffed):
    as_staff(staffed, "pekka").patrons.view("P0001")
    log = as_staff(staffed, "admin").patrons.export("P0001")["access_log"]
    assert ("pekka", "patron_view", "read") in [(e["staff"], e["action"], e["kind"]) for e in log]


def test_a_card_is_never_an_identity_code(desk):
    """Mutation caught: `card_number` back to `clean_card` (a HETU typed into the card
    field would be shown, logged and printed on receipts)."""
    for card in ("131052-308T", "131052A308T", "010101-123N"):
        new = NewPatron(card=card, first="A", last="V", birth_date=datetime(1980, 1, 1).date())
        assert refusal(desk.patrons.add, new).params["what"] == "card_like_hetu"
    patron(desk, "P0001")
    assert refusal(desk.patrons.report_lost_card, "P0001", "131052-308T").params["what"] == "card_like_hetu"


HETU_BARE = "140574231L"  # a real identity code, written without its century sign
HETU_DIGIT = "010203-0023"  # a real one ending in a digit: it passes for a phone number


def test_an_identity_code_written_without_its_sign_is_no_card(desk):
    """Mutation caught: the card rule knowing only codes with a century sign (a card
    `140574231L` — a HETU — would be shown, logged and printed on receipts)."""
    new = NewPatron(card=HETU_BARE, first="A", last="V", birth_date=datetime(1980, 1, 1).date())
    assert refusal(desk.patrons.add, new).params["what"] == "card_like_hetu"
    patron(desk, "P0001")
    assert refusal(desk.patrons.report_lost_card, "P0001", HETU_BARE).params["what"] == "card_like_hetu"
    desk.patrons.report_lost_card("P0001", "0401234567")  # a number that only looks like one is a card


def _free_text_calls(desk):
    """Every stored free-text field on a patron or a fee, each given an identity code."""
    born = datetime(1980, 1, 1).date()
    child = datetime(2020, 1, 1).date()

    def new(**fields):
        return NewPatron(**{"card": "P0100", "first": "Aino", "last": "Virtanen", "birth_date": born, **fields})

    def enrol(**fields):
        return desk.kirjakassi.enrol("P0001", **{"eligibility": "age", "delivery_address": "Kotiranta 12",
                                                 "contact_name": "Sari", **fields})

    return [
        ("first", lambda: desk.patrons.add(new(first=f"Aino {HETU_BARE}"))),
        ("last", lambda: desk.patrons.add(new(last=f"Virtanen{HETU_BARE}"))),
        ("address", lambda: desk.patrons.add(new(address=f"Yrjönkatu 5, hetu {HETU_BARE}"))),
        ("email", lambda: desk.patrons.add(new(email=f"{HETU_BARE}@example.fi"))),
        ("phone", lambda: desk.patrons.add(new(phone=HETU_DIGIT))),
        ("guardian", lambda: desk.patrons.add(new(birth_date=child, guardian=f"Äiti {HETU_BARE}",
                                                  consent_date=born))),
        ("responsible", lambda: desk.patrons.add(new(organisation=True, first="", responsible=HETU_BARE))),
        ("first", lambda: desk.patrons.update("P0001", ContactChange(first=f"Aino {HETU_BARE}"))),
        ("last", lambda: desk.patrons.update("P0001", ContactChange(last=HETU_BARE))),
        ("address", lambda: desk.patrons.update("P0001", ContactChange(address=f"c/o {HETU_BARE}"))),
        ("phone", lambda: desk.patrons.update("P0001", ContactChange(phone=HETU_DIGIT))),
        ("email", lambda: desk.patrons.update("P0001", ContactChange(email=f"x{HETU_BARE}@example.fi"))),
        ("reason", lambda: desk.fees.charge("P0001", 100, f"Vahingoittunut, asiakas {HETU_BARE}", "manual")),
        ("reason", lambda: desk.fees.waive("P0001", 100, f"Hyvitys {HETU_BARE}")),
        ("reason", lambda: desk.admin.add_ban("P0001", "use", f"Melu {HETU_BARE}", until=born.replace(year=2027))),
        ("address", lambda: enrol(delivery_address=f"Kotiranta {HETU_BARE}")),
        ("contact", lambda: enrol(contact_name=f"Sari {HETU_BARE}")),
    ]


def test_an_identity_code_in_a_stored_free_text_field_is_refused_without_echoing_it(desk):
    """A name, an address, a contact detail or a fee's reason (the ledger is append-only:
    a HETU there could never be taken out) that holds an identity code is refused with
    one message naming the field, in each language, never the value; nothing is written.
    Mutation caught: `without_hetu` left out of any of these fields."""
    patron(desk, "P0001")
    desk.fees.charge("P0001", 500, "Kadonnut kirja", "lost")
    before = [desk.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
              for table in ("patrons", "fees", "bans", "audit_log")]
    for field, attempt in _free_text_calls(desk):
        refused = refusal(attempt)
        assert (refused.code, refused.params) == ("INVALID_INPUT", {"what": "hetu_in_text", "field": field}), field
        for lang in ("fi", "sv", "en"):
            words = Translator(lang).refusal(refused)
            assert HETU_BARE not in words and "0023" not in words and words != Translator(lang)("input.generic")
    assert [desk.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("patrons", "fees", "bans", "audit_log")] == before
    assert desk.patrons.view("P0001").address is None


def test_free_text_with_numbers_that_are_no_identity_code_is_kept(desk):
    """Mutation caught: every HETU-shaped run refused, valid or not (a phone number)."""
    patron(desk, "P0001")
    desk.patrons.update("P0001", ContactChange(address="PL 0401234567, 28100 Pori", phone="0401234567"))
    desk.fees.charge("P0001", 100, "Kadonnut, nide 1405742310", "manual")
    assert desk.patrons.view("P0001").address == "PL 0401234567, 28100 Pori"


# --- tamper evidence ---------------------------------------------------------------------------

def busy(desk):
    """A little of everything the chains cover."""
    patron(desk, "P0002")
    item(desk, "B0002")
    desk.patrons.view("P0002")
    desk.loans.checkout("P0002", "B0002")
    desk.fees.charge("P0002", 300, "Kadonnut", "lost")
    desk.fees.pay("P0002", 100)
    desk.fees.waive("P0002", 50, "Anteeksi")


def tampered(desk, *statements):
    """What someone with the file and `sqlite3` does (triggers dropped first)."""
    conn = sqlite3.connect(desk.conn.execute("PRAGMA database_list").fetchone()[2], isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return [(f.what, f.where) for f in desk.register.verify_audit().findings]


DROP = ("DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete", "DROP TRIGGER fees_no_update",
        "DROP TRIGGER fees_no_delete", "DROP TRIGGER fee_settlements_no_delete", "DROP TRIGGER ledger_chain_no_delete")
GUARDS_BACK = [("trigger_missing", statement.split()[-1]) for statement in DROP]


def test_the_chains_hold_through_ordinary_work(desk):
    busy(desk)
    evidence = desk.register.verify_audit()
    assert evidence.intact and evidence.audit_rows > 5 and evidence.ledger_entries == 3 + 2  # fees, settlements


@pytest.mark.parametrize("statements, found", [
    (("UPDATE audit_log SET staff = 'someone' WHERE id = 3",), [("audit_changed", "audit_log 3")]),
    (("DELETE FROM audit_log WHERE id = 3",), [("audit_gap", "audit_log 3–3"), ("audit_changed", "audit_log 4")]),
    (("INSERT INTO audit_log (at, staff, action, kind) VALUES ('2026-12-02T14:05:00+02:00', 'x', 'y', 'change')",),
     "audit_unsealed"),
    (("UPDATE fees SET amount_cents = 1 WHERE entry = 'charge'",), "ledger_changed"),
    (("DELETE FROM fee_settlements",), "ledger_removed"),
    (("INSERT INTO fees (patron_id, entry, amount_cents, at) VALUES (1, 'payment', 99, '2026-12-02')",),
     "ledger_unsealed"),
    (("DELETE FROM ledger_chain WHERE seq = 2",), "ledger_gap"),
    (("INSERT INTO audit_checkpoints (audit_id, upto_id, upto_hash) VALUES (2, 5, '')",), "checkpoint_forged"),
], ids=["row-changed", "row-removed", "row-added", "fee-changed", "settlement-removed", "fee-added",
        "chain-entry-removed", "checkpoint-forged"])
def test_changes_around_tiski_are_found(desk, statements, found):
    """Mutation caught: a chain that hashes less than the whole row, skips its previous
    hash, or is not checked for rows outside it."""
    busy(desk)
    findings = tampered(desk, *DROP, *statements)
    assert set(GUARDS_BACK) <= set(findings)
    rest = [f for f in findings if f not in GUARDS_BACK]
    if isinstance(found, str):
        assert found in [what for what, _ in rest], rest
    else:
        assert rest == found


def test_a_register_with_its_guards_dropped_does_not_open(desk, db_path):
    """Mutation caught: the desk no longer checks the triggers at start."""
    busy(desk)
    tampered(desk, "DROP TRIGGER fees_no_delete")
    desk.conn.close()
    with pytest.raises(Unavailable) as caught:
        Desk.open(db_path).check_guards()
    assert caught.value.reason == "tampered"


def test_rows_slipped_in_by_another_connection_are_never_sealed_by_the_next_write(desk):
    """A fee inserted around Tiski stays unsealed, even after the desk writes again.
    Mutation caught: sealing every unchained row at commit (it would launder the fee)."""
    busy(desk)
    findings = tampered(desk, "INSERT INTO fees (patron_id, entry, amount_cents, at)"
                              " VALUES (1, 'payment', 99, '2026-12-02')")
    desk.fees.charge("P0002", 100, "Muistutus", "reminder")
    assert [w for w, _ in findings] == ["ledger_unsealed"]
    assert [f.what for f in desk.register.verify_audit().findings] == ["ledger_unsealed"]


# --- retention ---------------------------------------------------------------------------------

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
    counts = desk.register.retention()
    assert counts["loans_anonymised"] == 1 and counts["holds_removed"] == 1 and counts["notices_removed"] >= 1
    assert counts["audit_removed"] == 0  # nothing two years old, whatever the desk's clock says
    assert desk.conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0] == 0


def test_retention_cuts_the_trail_only_by_a_sealed_checkpoint(desk, real_clock):
    """Rows older than the policy's days of real time go; a sealed checkpoint row says how
    far, and the chain still checks out from it. Rows it does not cover stay undeletable.
    Mutation caught: retention deleting audit rows without the checkpoint (the delete
    trigger refuses), or a checkpoint the verification does not follow."""
    busy(desk)
    old = desk.conn.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    real_clock.advance(days=731)
    desk.patrons.view("P0002")
    counts = desk.register.retention()
    assert counts["audit_removed"] == old
    first, checkpoint = desk.conn.execute("SELECT MIN(id), (SELECT audit_id FROM audit_checkpoints) FROM audit_log"
                                          ).fetchone()
    assert first == old + 1 and trail(desk, "id = ?", checkpoint)[0]["detail"] == f"upto={old}, removed={old}"
    assert desk.register.verify_audit().intact
    for sql in (f"DELETE FROM audit_log WHERE id = {first}", "DELETE FROM audit_checkpoints"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            desk.conn.execute(sql)


# --- files and keys ----------------------------------------------------------------------------

def test_database_and_backup_files_are_private(desk, db_path, tmp_path):
    done = desk.register.backup(tmp_path / "b.sqlite")
    assert stat.S_IMODE(os.stat(done.file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.")) == ["b.sqlite"]


def test_a_backup_never_follows_a_planted_symlink(desk, tmp_path):
    """Someone who can write in the backups folder plants `FILE.partial` → a file of
    the admin's: the backup must not write through it.
    Mutation caught: opening the partial file by a fixed name without O_EXCL|O_NOFOLLOW."""
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "b.sqlite.partial").symlink_to(victim)
    desk.register.backup(tmp_path / "b.sqlite")
    assert victim.read_text() == "keep me"
    assert connect(tmp_path / "b.sqlite").execute("SELECT COUNT(*) FROM branches").fetchone()[0] == 2


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


def test_without_its_hetu_key_the_codes_stay_sealed(desk, monkeypatch, tmp_path):
    desk.patrons.add(NewPatron(card="P0009", first="Aino", last="Virtanen", hetu="131052-308T"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    audit_key = desk.conn.execute("SELECT value FROM settings WHERE key = 'audit_key_id'").fetchone()[0]
    shutil.copy(keys_dir() / f"{audit_key}.key", elsewhere)  # the audit key only
    monkeypatch.setenv("TISKI_KEYS_DIR", str(elsewhere))
    assert desk.patrons.view("P0009").hetu_masked == "131052-****"  # the desk still works
    assert code_of(desk.patrons.export, "P0009") == "INVALID_INPUT"


def test_without_its_audit_key_nothing_is_written_unsealed(desk, monkeypatch, tmp_path):
    """Mutation caught: rows written without a hash when the key is missing."""
    patron(desk, "P0001")
    monkeypatch.setenv("TISKI_KEYS_DIR", str(tmp_path / "empty"))
    assert refusal(desk.fees.charge, "P0001", 100, "x", "manual").params["what"] == "audit_key"
    assert desk.conn.execute("SELECT COUNT(*) FROM fees").fetchone()[0] == 0
