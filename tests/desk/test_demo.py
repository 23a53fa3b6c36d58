"""The demo library: the same every time for the same clock, and everything a drill
needs is in it. The full demo is built once for the module (it takes a few seconds)."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from stdnum.fi import hetu as stdnum_hetu

from tiski.clock import HELSINKI, ManualClock
from tiski.core.patrons import age_on
from tiski.core.policy import FORMATS
from tiski.demo import build_demo
from tiski.desk import Desk
from tiski.store.db import create

NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)
TODAY = NOW.date()
HASHED_TABLES = ("branches", "branch_closures", "patrons", "cards", "records", "record_terms", "items", "loans",
                 "holds", "fees", "fee_settlements", "bans", "ill_requests", "notices")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[sqlite3.Connection, dict[str, int]]:
    conn = create(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    summary = build_demo(conn, clock=ManualClock(NOW))
    yield conn, summary
    conn.close()


@pytest.fixture(scope="module")
def conn(demo) -> sqlite3.Connection:
    return demo[0]


def scalar(conn: sqlite3.Connection, sql: str, *args):
    return conn.execute(sql, args).fetchone()[0]


# Sealed identity codes differ from build to build by design: each register has its
# own random key, and every seal its own random IV. The codes themselves are compared
# through the masked form and the birth date.
RANDOM_BY_DESIGN = {"hetu_sealed", "hetu_digest"}


def content_hash(conn: sqlite3.Connection) -> dict[str, str]:
    """One digest per table, over every row in primary-key order."""
    digests = {}
    for table in HASHED_TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in RANDOM_BY_DESIGN]
        keys = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if r[5]]
        order = ", ".join(keys or columns)
        h = hashlib.sha256()
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"):
            h.update(repr(tuple(row)).encode("utf-8"))
        digests[table] = h.hexdigest()
    return digests


def small_demo(path: Path, moment: datetime = NOW, **overrides) -> sqlite3.Connection:
    conn = create(path)
    params = {"patrons": 300, "titles": 600, "items": 1500, "history_days": 21, "loans_per_day": 40}
    params.update(overrides)
    build_demo(conn, clock=ManualClock(moment), **params)
    return conn


# --- determinism ---------------------------------------------------------------------------

def test_same_clock_gives_the_same_library(tmp_path):
    first, second = small_demo(tmp_path / "a.sqlite"), small_demo(tmp_path / "b.sqlite")
    try:
        # The small build has history in it, or the comparison would prove little.
        assert scalar(first, "SELECT COUNT(*) FROM loans") > 0
        assert scalar(first, "SELECT COUNT(*) FROM fees") > 0
        assert scalar(first, "SELECT COUNT(*) FROM holds") > 0
        assert scalar(first, "SELECT COUNT(*) FROM bans") > 0
        assert content_hash(first) == content_hash(second)
    finally:
        first.close()
        second.close()


def test_another_clock_gives_another_history(tmp_path):
    first = small_demo(tmp_path / "a.sqlite")
    later = small_demo(tmp_path / "b.sqlite", NOW + timedelta(days=7))
    try:
        assert content_hash(first)["loans"] != content_hash(later)["loans"]
    finally:
        first.close()
        later.close()


# --- what the demo must hold -----------------------------------------------------------------

def test_summary_matches_the_register(demo):
    conn, summary = demo
    assert summary["patrons"] == scalar(conn, "SELECT COUNT(*) FROM patrons")
    assert summary["items"] == scalar(conn, "SELECT COUNT(*) FROM items")
    assert summary["loans"] == scalar(conn, "SELECT COUNT(*) FROM loans WHERE returned_at IS NULL")


def test_a_few_thousand_patrons(conn):
    people = scalar(conn, "SELECT COUNT(*) FROM patrons WHERE is_organisation = 0")
    assert 2000 <= people < 10000
    # Every patron has exactly one active card.
    assert scalar(conn, "SELECT COUNT(*) FROM patrons p WHERE (SELECT COUNT(*) FROM cards c"
                        " WHERE c.patron_id = p.id AND c.status = 'active') != 1") == 0


def test_tens_of_thousands_of_items_in_every_format_and_rating(conn):
    assert scalar(conn, "SELECT COUNT(*) FROM items") >= 20000
    formats = {r[0] for r in conn.execute("SELECT DISTINCT format FROM items")}
    assert formats == set(FORMATS)
    for fmt in FORMATS:
        assert scalar(conn, "SELECT COUNT(*) FROM items WHERE format = ?", fmt) >= 10, fmt
    ratings = {r[0] for r in conn.execute("SELECT DISTINCT rating FROM items WHERE rating IS NOT NULL")}
    assert {7, 12, 16, 18} <= ratings
    # Ratings go on video and games only, and every rating is one the policy knows.
    assert scalar(conn, "SELECT COUNT(*) FROM items WHERE rating IS NOT NULL"
                        " AND format NOT IN ('dvd', 'bluray', 'console-game')") == 0
    desk = Desk(conn, clock=ManualClock(NOW))
    assert ratings <= set(desk.policy.rating_ages)
    # Children's material is there too, and never rated above 7.
    assert scalar(conn, "SELECT COUNT(*) FROM items WHERE children = 1") > 0
    assert scalar(conn, "SELECT COUNT(*) FROM items WHERE children = 1 AND rating > 7") == 0


def test_three_branches_with_closed_weekdays_and_holidays(conn):
    branches = {r["code"]: r for r in conn.execute("SELECT * FROM branches")}
    assert len(branches) == 3
    for code, row in branches.items():
        assert row["closed_weekdays"], code
        closures = {r[0] for r in conn.execute("SELECT day FROM branch_closures WHERE branch = ?", (code,))}
        # Public holidays this year: Independence Day, Christmas Eve, Christmas Day.
        assert {f"{TODAY.year}-12-25", f"{TODAY.year}-12-06", f"{TODAY.year}-12-24"} <= closures, code
        assert len(closures) >= 10, code
    # Calendars work through the facade: Christmas Day is closed everywhere.
    desk = Desk(conn, clock=ManualClock(NOW))
    for code in branches:
        assert not desk.calendar(code).is_open(date(TODAY.year, 12, 25)), code


def test_overdue_loans(conn):
    active = scalar(conn, "SELECT COUNT(*) FROM loans WHERE returned_at IS NULL")
    overdue = scalar(conn, "SELECT COUNT(*) FROM loans WHERE returned_at IS NULL AND due_date < ?", TODAY.isoformat())
    assert active >= 500
    assert overdue >= 10
    assert overdue < active  # most loans are still in time
    # Past history too: returned loans.
    assert scalar(conn, "SELECT COUNT(*) FROM loans WHERE returned_at IS NOT NULL") > 0


def test_waiting_and_queued_holds(conn):
    waiting = scalar(conn, "SELECT COUNT(*) FROM holds WHERE status = 'waiting'")
    queued = scalar(conn, "SELECT COUNT(*) FROM holds WHERE status = 'queued'")
    assert waiting > 0
    assert queued > 0
    # A waiting hold has a copy trapped for it, a last pickup day not yet past, and a shelf code.
    assert scalar(conn, "SELECT COUNT(*) FROM holds WHERE status = 'waiting' AND (item_id IS NULL"
                        " OR pickup_by IS NULL OR pickup_by < ? OR pickup_code IS NULL)", TODAY.isoformat()) == 0


BALANCES = """
SELECT patron_id, SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END) AS balance
FROM fees GROUP BY patron_id
"""


def test_fees_with_some_patron_over_ten_euros(conn):
    balances = {r["patron_id"]: r["balance"] for r in conn.execute(BALANCES)}
    assert sum(1 for b in balances.values() if b > 0) >= 5
    over = [pid for pid, b in balances.items() if b > 1000]
    assert over
    # The facade agrees, and such a patron is blocked.
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    card = scalar(conn, "SELECT card FROM cards WHERE patron_id = ? AND status = 'active'", over[0])
    assert desk.fees.balance(card) == balances[over[0]]
    assert "FEES_OVER_LIMIT" in {r.code for r in desk.patrons.view(card).blocks}
    # Late fees from the history, not only the hand-made charges.
    assert scalar(conn, "SELECT COUNT(*) FROM fees WHERE charge_type NOT IN ('lost', 'reminder')") > 0


def test_a_lost_card(conn):
    lost = conn.execute("SELECT * FROM cards WHERE status = 'lost'").fetchall()
    assert lost
    for row in lost:
        assert row["closed_at"]
        # The patron has a new, active card.
        assert scalar(conn, "SELECT COUNT(*) FROM cards WHERE patron_id = ? AND status = 'active'",
                      row["patron_id"]) == 1
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    assert desk.patrons.view(lost[0]["card"]).card_status == "lost"


def test_a_banned_patron(conn):
    bans = conn.execute(
        "SELECT * FROM bans WHERE lifted_at IS NULL AND starts_on <= ? AND (until IS NULL OR until >= ?)",
        (TODAY.isoformat(), TODAY.isoformat()),
    ).fetchall()
    assert bans
    assert all(b["written"] == 0 or b["hearing_date"] for b in bans)
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    card = scalar(conn, "SELECT card FROM cards WHERE patron_id = ? AND status = 'active'", bans[0]["patron_id"])
    assert "BANNED" in {r.code for r in desk.patrons.view(card).blocks}


def test_children_under_15_have_guardian_and_consent(conn):
    children = [r for r in conn.execute("SELECT * FROM patrons WHERE is_organisation = 0")
                if age_on(date.fromisoformat(r["birth_date"]), TODAY) < 15]
    assert len(children) >= 100
    for row in children:
        assert row["guardian_name"], row["id"]
        assert row["consent_date"], row["id"]
        assert date.fromisoformat(row["consent_date"]) <= TODAY
        assert date.fromisoformat(row["consent_date"]) >= date.fromisoformat(row["birth_date"])


def test_organisations_have_a_responsible_person(conn):
    orgs = conn.execute("SELECT * FROM patrons WHERE is_organisation = 1").fetchall()
    assert orgs
    for row in orgs:
        assert (row["responsible_person"] or "").strip(), row["last_name"]
        assert row["last_name"]


def test_every_hetu_is_valid_and_matches_the_birth_date(conn):
    from tiski.store.hetu_vault import HetuVault

    vault = HetuVault.of(conn)
    sealed = conn.execute("SELECT hetu_sealed, birth_date, hetu_masked FROM patrons WHERE hetu_sealed IS NOT NULL"
                          ).fetchall()
    assert conn.execute("SELECT COUNT(*) FROM patrons WHERE hetu IS NOT NULL").fetchone()[0] == 0  # never in clear
    rows = [(vault.open(token), birth) for token, birth, _ in sealed]
    assert all(code[:7] + "****" == masked for (code, _), (_, _, masked) in zip(rows, sealed))
    assert len(rows) >= 1000
    century = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
    for code, birth in rows:
        assert stdnum_hetu.is_valid(code), code
        assert stdnum_hetu.compact(code) == code  # stored compact, as validated
        assert date(century[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2])) == date.fromisoformat(birth)
    # Some use the 2023 century signs, which the validator must accept.
    assert any(code[6] not in "-+A" for code, _ in rows)


def test_every_patron_but_an_organisation_has_a_birth_date(conn):
    assert scalar(conn, "SELECT COUNT(*) FROM patrons WHERE is_organisation = 0 AND birth_date IS NULL") == 0
    assert scalar(conn, "SELECT COUNT(*) FROM patrons WHERE birth_date > ?", TODAY.isoformat()) == 0
