"""The hot queries of the book bag and of digi-support are searched through an index,
never a pass over a big table (issue 11, item 8): every statement a pick list or a
queue read or change runs is planned with EXPLAIN QUERY PLAN and no plan may SCAN one.

Mutation caught: the pick list's search by wished terms or by the branch's shelf
dropped (SCAN items), a migration's index missing, a queue query written so that its
index cannot serve it (a function around the column, an OR).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tiski.desk.catalogue import NewItem

from ..conftest import patron

# Tables that grow with the consortium (or with every day of the queue).
BIG = {"items", "records", "record_terms", "loans", "holds", "digituki_visits", "digituki_stats",
       "digituki_appointments", "digituki_callbacks", "digituki_schedule", "kirjakassi_deliveries",
       "kirjakassi_bag_items", "kirjakassi_interviews", "kirjakassi_received"}
SCAN = re.compile(r"\bSCAN (\w+)")


def statements(desk, call) -> list[str]:
    """The SQL a facade call runs, as run (values in place)."""
    seen: list[str] = []
    desk.conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        desk.conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"))]


def scans(desk, sql: str) -> set[str]:
    plan = desk.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return {m.group(1) for row in plan for m in [SCAN.search(row["detail"])] if m} & BIG


def assert_searched(desk, call) -> int:
    run = statements(desk, call)
    scanned = {sql: found for sql in run if (found := scans(desk, sql))}
    assert not scanned, scanned
    return len(run)


@pytest.fixture
def library(desk):
    for n, (author, genre, fmt) in enumerate((("Kallentoft, Mons", "dekkarit", "book"),
                                               ("Mäki, Eeva", "dekkarit", "book"),
                                               ("Laine, Leo", "romaanit", "cd-audiobook"))):
        desk.catalogue.add_item(NewItem(barcode=f"KK{n:04d}", title=f"Kassikirja {n}", author=author, format=fmt))
        desk.conn.execute("INSERT INTO record_terms SELECT record_id, 'genre', ? FROM items WHERE barcode = ?",
                          (genre, f"KK{n:04d}"))
    for card, answers in (("P0100", {"genres": ["dekkarit"], "liked_authors": ["kallentoft"]}),
                          ("P0101", {"media": ["regular_print", "cd_audiobook"]})):  # no reading wishes at all
        patron(desk, card, birth=date(1931, 5, 5))
        desk.kirjakassi.enrol(card, eligibility="age", delivery_address="Koivutie 3", contact_name="Sari",
                              starts_on="2026-12-01")
        desk.kirjakassi.save_interview(card, answers, complete=True)
    return desk


def test_the_pick_list_searches_by_wishes_or_by_the_shelf(library):
    for card in ("P0100", "P0101"):
        assert library.kirjakassi.pick_list(card)
        assert assert_searched(library, lambda c=card: library.kirjakassi.pick_list(c)) > 3


def test_packing_and_the_deliveries(library):
    assert_searched(library, lambda: library.kirjakassi.pack("P0100", "KK0000"))
    assert_searched(library, lambda: library.kirjakassi.bag("P0100"))
    assert_searched(library, lambda: library.kirjakassi.bag_sent("P0100"))


def test_the_queue_read_and_changed(desk, clock):
    desk.bookings.add_hours("wed", "12:00", "14:00")
    clock.set(datetime(2026, 12, 2, 12, 30))
    for name in ("Aino", "Eino", "Liisa"):
        desk.digituki.queue_add(name, "device_use", "own_phone")
    desk.bookings.add_callback("Matti", "040 123 4567", "e_services")
    assert assert_searched(desk, desk.digituki.queue_view) > 3
    assert_searched(desk, lambda: desk.digituki.queue_add("Pekka", "e_services", "own_phone"))
    visit = desk.digituki.call_next("kaisa")
    clock.set(datetime(2026, 12, 2, 13, 5))
    assert_searched(desk, lambda: desk.digituki.finish_visit(visit.id, "solved"))
    assert_searched(desk, desk.bookings.callbacks)
