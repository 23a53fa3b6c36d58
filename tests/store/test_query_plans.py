"""Every hot lookup of the desk is driven by an index, on a register as the desks keep
it (no statistics gathered yet). The SQL is the store's own: each store function is
called for real and the statements it ran are read back with EXPLAIN QUERY PLAN.

Mutations caught (each tried): dropping `fees_patron` (the balance, the open charges
and the ledger scan `fees`), dropping `loans_patron` (the patron's loans scan `loans`),
dropping `holds_queued` (the pull list reads every hold ever placed); and any new
hot query rewritten against a column no index covers.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from typing import Callable

import pytest

from tiski.desk import Desk
from tiski.store import circulation as circ_store
from tiski.store import fees as fee_store
from tiski.store import holds as hold_store
from tiski.store import items as item_store
from tiski.store import patrons as patron_store

from ..conftest import item, patron

# The big tables of a consortium register: never read whole on a hot path.
BIG = {"items", "loans", "holds", "fees", "cards", "patrons", "records", "audit_log"}


@pytest.fixture
def ids(desk):
    """A patron with a loan, a fee and a hold; another title with a queue."""
    card = patron(desk, "P0001")
    holder = patron(desk, "P0002")
    lent, held = item(desk, "B0001"), item(desk, "B0002")
    desk.loans.checkout(card, lent)
    desk.loans.checkout(holder, held)
    desk.holds.place(card, held)
    desk.fees.charge(card, 150, "Palautuskehotus", "reminder")
    conn = desk.conn
    found = patron_store.by_card(conn, card)
    copy = item_store.by_barcode(conn, held)
    assert found is not None and copy is not None
    hold = hold_store.active_hold(conn, found.id, copy.record_id)
    loan = circ_store.active_loan(conn, copy.id)
    assert hold is not None and loan is not None
    return {"patron": found.id, "card": card, "item": copy.id, "barcode": held, "record": copy.record_id,
            "hold": hold, "loan": loan.id}


HOT: dict[str, Callable[[sqlite3.Connection, dict], object]] = {
    "card": lambda c, i: patron_store.by_card(c, i["card"]),
    "patron by id": lambda c, i: patron_store.by_id(c, i["patron"]),
    "the patron's active card": lambda c, i: patron_store.active_card(c, i["patron"]),
    "card taken?": lambda c, i: patron_store.card_exists(c, "P0009"),
    "who holds an identity code": lambda c, i: patron_store.hetu_holder(c, "digest"),
    "name search": lambda c, i: patron_store.search(c, "testi asiakas"),
    "phone search": lambda c, i: patron_store.search(c, "040 123"),
    "balance": lambda c, i: patron_store.balance_cents(c, i["patron"]),
    "bans": lambda c, i: patron_store.active_bans(c, i["patron"], date(2026, 12, 2)),
    "barcode": lambda c, i: item_store.by_barcode(c, i["barcode"]),
    "item by id": lambda c, i: item_store.by_id(c, i["item"]),
    "loanable copies": lambda c, i: item_store.loanable_copies(c, i["record"]),
    "active loan of an item": lambda c, i: circ_store.active_loan(c, i["item"]),
    "who has the copy": lambda c, i: circ_store.loan_patron(c, i["barcode"]),
    "the patron's loans": lambda c, i: circ_store.patron_loans(c, i["patron"]),
    "the patron's loans, for the rules": lambda c, i: circ_store.loan_facts(c, i["patron"]),
    "title already on loan to them?": lambda c, i: circ_store.patron_loan_for_record(c, i["patron"], i["record"]),
    "late fees of a loan": lambda c, i: circ_store.late_fees_charged(c, i["loan"]),
    "hold by id": lambda c, i: hold_store.by_id(c, i["hold"].id),
    "hold a copy is trapped for": lambda c, i: hold_store.trapped_for(c, i["item"]),
    "the title's first in line": lambda c, i: hold_store.first_queued(c, i["record"]),
    "the title's queue length": lambda c, i: hold_store.queued_count(c, i["record"]),
    "others in the queue": lambda c, i: hold_store.queued_by_others(c, i["record"], i["patron"]),
    "place in the queue": lambda c, i: hold_store.queue_position(c, i["hold"]),
    "the patron's hold on a title": lambda c, i: hold_store.active_hold(c, i["patron"], i["record"]),
    "the patron's holds": lambda c, i: hold_store.patron_holds(c, i["patron"]),
    "waiting holds": lambda c, i: hold_store.waiting_count(c, i["patron"]),
    "pickup codes in use": lambda c, i: hold_store.used_pickup_codes(c, "PORI"),
    "holds past their pickup day": lambda c, i: hold_store.expired_waiting(c, date(2026, 12, 2)),
    "pull list": lambda c, i: hold_store.pull_list(c, "PORI"),
    "open charges": lambda c, i: fee_store.open_charges(c, i["patron"]),
    "fee ledger": lambda c, i: fee_store.ledger(c, i["patron"]),
}

# Partial indexes: reading one whole reads only the rows it holds (the queue, the shelf).
PARTIAL = {"holds_queued", "holds_waiting", "holds_pickup_codes", "holds_trapped_item", "items_transit"}

_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|JOIN\b|LEFT\b|GROUP\b|ORDER\b)(\w+))?",
                    re.IGNORECASE)
_SCAN = re.compile(r"^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")


def statements(conn: sqlite3.Connection, run: Callable[[], object]) -> list[str]:
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    return [sql for sql in ran if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The plan's lines that read a big table (or a whole index of it) from end to end."""
    tables = {alias or name: name for name, alias in _TABLE.findall(sql)}
    found = []
    for row in conn.execute("EXPLAIN QUERY PLAN " + sql):
        scan = _SCAN.match(row[3])
        if scan and tables.get(scan[1], scan[1]) in BIG and scan[2] not in PARTIAL:
            found.append(row[3])
    return found


@pytest.mark.parametrize("name", sorted(HOT))
def test_a_hot_lookup_uses_an_index(desk, ids, name):
    ran = statements(desk.conn, lambda: HOT[name](desk.conn, ids))
    assert ran, f"{name}: no statement ran"
    for sql in ran:
        assert not full_scans(desk.conn, sql), f"{name}: {' '.join(sql.split())}"


def test_the_check_itself_sees_a_scan(desk):
    """The check must be able to fail: a lookup by a column with no index is a scan."""
    assert full_scans(desk.conn, "SELECT * FROM holds h WHERE h.pickup_code = '001'") == ["SCAN h"]
    assert full_scans(desk.conn, "SELECT COUNT(*) FROM holds WHERE status = 'queued'") == []  # the partial index


def test_the_pull_list_reads_only_the_queued_holds(desk, ids):
    """Mutation caught: without the partial index the pull list reads the whole holds index."""
    desk.conn.execute("DROP INDEX holds_queued")
    sql = statements(desk.conn, lambda: hold_store.pull_list(desk.conn, "PORI"))[0]
    assert full_scans(desk.conn, sql)



def test_the_pull_list_is_driven_by_the_queue_not_by_a_shelf(desk, ids):
    """An index on a branch's shelf (the book bag's pick list has one) must not turn
    the pull list around into a walk over every copy on the shelf. Mutation caught:
    a plain JOIN instead of the CROSS JOIN that fixes the order."""
    desk.conn.execute("CREATE INDEX shelf ON items(home_branch, format) WHERE loanable = 1 AND transit_to IS NULL")
    sql = statements(desk.conn, lambda: hold_store.pull_list(desk.conn, "PORI"))[0]
    plan = [row[3] for row in desk.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert any("items_record (record_id=?)" in line for line in plan), plan
    assert not any("home_branch=?" in line for line in plan), plan

def test_a_closing_desk_leaves_the_planner_statistics(db_path, clock):
    """PRAGMA optimize on close: a register that desks open and close gathers the
    statistics the planner needs. Mutation caught: `Desk.close` closing the
    connection without it (no sqlite_stat1 afterwards)."""
    desk = Desk.open(db_path, clock=clock, branch="PORI")
    card = patron(desk, "P0001")
    desk.loans.checkout(card, item(desk, "B0001"))
    desk.patrons.view(card)
    desk.close()
    conn = sqlite3.connect(db_path)
    try:
        analysed = {row[0] for row in conn.execute("SELECT tbl FROM sqlite_stat1")}
    finally:
        conn.close()
    assert {"cards", "loans", "items"} <= analysed
