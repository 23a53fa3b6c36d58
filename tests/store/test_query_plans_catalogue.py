"""Issue 12's hot lookups are driven by indexes too (see test_query_plans.py for how the
plans are read): the catalogue search's titles and copies, the copy's life and its
loss's charges, the work lists, the day's takings.

Mutations caught: dropping `fees_refund_of` (each loss's "refunded already?" reads the
whole ledger), `fees_item` (finding a copy's replacement charge scans `fees`),
`fees_takings` (the till's report scans the ledger) — each tried."""

from __future__ import annotations

from datetime import date

import pytest

from tiski.store import catalogue as catalogue_store
from tiski.store import fees as fee_store
from tiski.store import holds as hold_store
from tiski.store import items as item_store

from .test_query_plans import full_scans, ids, statements  # noqa: F401 (a fixture)

HOT = {
    "titles by words": lambda c, i: catalogue_store.titles_matching(c, '"nimeke"*', 30),
    "titles by whole words, then the rest as prefixes": lambda c, i: [
        catalogue_store.titles_matching(c, match, 30) for match in catalogue_store.fts_tiers(["nimeke", "b"])],
    "titles by ISBN": lambda c, i: catalogue_store.titles_with_isbn(c, ["9789510123454", "9510123457"]),
    "the title of a copy": lambda c, i: catalogue_store.title_of_copy(c, i["barcode"]),
    "titles by id": lambda c, i: catalogue_store.titles(c, [i["record"]]),
    "their copies with loans and holds": lambda c, i: catalogue_store.copies(c, [i["record"]]),
    "their queues": lambda c, i: catalogue_store.queued(c, [i["record"]]),
    "a copy's history": lambda c, i: item_store.events(c, i["item"]),
    "copies on their way here": lambda c, i: item_store.in_transit_to(c, "PORI"),
    "a record's title": lambda c, i: item_store.record_title(c, i["record"]),
    "the hold shelf to clear": lambda c, i: hold_store.shelf_ending(c, "PORI", date(2026, 12, 9)),
    "a copy's loss not yet refunded": lambda c, i: fee_store.unrefunded_loss(c, i["item"]),
    "how a charge was paid": lambda c, i: fee_store.payments_toward(c, 1),
    "what a payment settled": lambda c, i: fee_store.settled_by(c, 1),
    "the day's takings": lambda c, i: fee_store.takings(c, date(2026, 12, 2), "PORI"),
    "the day's takings, every branch": lambda c, i: fee_store.takings(c, date(2026, 12, 2), None),
}


@pytest.fixture
def lost(desk, ids):
    """A copy lost (its replacement charged) and found again, a payment taken."""
    desk.fees.take_payment(ids["card"], 100, "card")
    desk.items.lost("B0001")
    return ids


@pytest.mark.parametrize("name", sorted(HOT))
def test_a_hot_lookup_uses_an_index(desk, lost, name):
    ran = statements(desk.conn, lambda: HOT[name](desk.conn, lost))
    assert ran, f"{name}: no statement ran"
    for sql in ran:
        assert not full_scans(desk.conn, sql), f"{name}: {' '.join(sql.split())}"
