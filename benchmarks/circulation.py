"""Circulation speed on a large register: card lookup, the patron screen, checkout,
return, renewal, holds, the pull list, name search.

    python benchmarks/circulation.py [--patrons 100000] [--items 500000] [--db PATH] [--rounds 2000]

Builds the register once (cached at --db; delete it to rebuild), then times each
operation in process with perf_counter over --rounds calls and prints median and p95.
The register is left as desks leave it: no ANALYZE is run by the build, so a first
run measures the query plans chosen without statistics, and a second run on the
same file those chosen with the statistics a closing desk gathers (PRAGMA optimize).
Run on a copy (--copy-from) to measure from the same starting file every time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

from tiski.clock import HELSINKI, ManualClock
from tiski.demo import build_demo
from tiski.desk import Desk
from tiski.store.db import connect, create

NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)


def build(path: Path, patrons: int, items: int) -> None:
    started = time.perf_counter()
    conn = create(path)
    summary = build_demo(conn, clock=lambda: NOW, patrons=patrons, titles=items // 3, items=items,
                         history_days=0)
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    rng = random.Random(7)
    cards = [r[0] for r in conn.execute("SELECT card FROM cards WHERE card LIKE '2028%'")]
    barcodes = [r[0] for r in conn.execute("SELECT barcode FROM items WHERE loanable = 1")]
    # A working register: a fifth of the patrons with a few loans each…
    for card in rng.sample(cards, len(cards) // 5):
        for barcode in rng.sample(barcodes, rng.randint(1, 6)):
            try:
                desk.loans.checkout(card, barcode)
            except Exception:
                pass
    # …queues on a tenth as many titles as there are patrons, four holds each on average…
    on_loan = [r[0] for r in conn.execute(
        "SELECT i.barcode FROM loans l JOIN items i ON i.id = l.item_id WHERE l.returned_at IS NULL")]
    for barcode in rng.sample(on_loan, min(len(on_loan), patrons // 10)):
        for card in rng.sample(cards, rng.randint(1, 7)):
            try:
                desk.holds.place(card, barcode, rng.choice(("PORI", "PORI", "ULV", "NAK")))
            except Exception:
                pass
    # …and some of those copies back: on a hold shelf, or on their way to one.
    for barcode in rng.sample(on_loan, len(on_loan) // 20):
        try:
            desk.loans.return_item(barcode)
        except Exception:
            pass
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"built {summary['patrons']} patrons, {summary['items']} items in {time.perf_counter() - started:.0f} s")


def timed(label: str, calls, rounds: int) -> None:
    samples = []
    for call in calls[:rounds]:
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{label:<34} median {statistics.median(samples):8.3f} ms   p95 {p95:8.3f} ms   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patrons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-bench.sqlite"))
    parser.add_argument("--copy-from", type=Path, help="Start from a copy of this register (replaces --db).")
    args = parser.parse_args()
    if args.copy_from is not None:
        if not args.copy_from.exists():
            build(args.copy_from, args.patrons, args.items)
        shutil.copy(args.copy_from, args.db)
    elif not args.db.exists():
        build(args.db, args.patrons, args.items)
    conn = connect(args.db)
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    rng = random.Random(42)
    counts = conn.execute("SELECT (SELECT COUNT(*) FROM patrons), (SELECT COUNT(*) FROM items),"
                          " (SELECT COUNT(*) FROM loans WHERE returned_at IS NULL),"
                          " (SELECT COUNT(*) FROM holds WHERE status = 'queued'),"
                          " (SELECT COUNT(*) FROM holds WHERE status IN ('waiting', 'in_transit')),"
                          " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1')").fetchone()
    print(f"register: {counts[0]} patrons, {counts[1]} items, {counts[2]} active loans, {counts[3]} queued holds,"
          f" {counts[4]} trapped; statistics: {'yes' if counts[5] else 'none'}")
    rounds = args.rounds
    cards = [r[0] for r in conn.execute("SELECT card FROM cards WHERE status = 'active' AND card LIKE '2028%'")]
    free = [r[0] for r in conn.execute(
        "SELECT barcode FROM items i WHERE loanable = 1 AND rating IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = i.record_id AND h.status != 'fulfilled')"
        " ORDER BY random() LIMIT ?", (rounds * 2,))]
    adults = [r[0] for r in conn.execute(
        "SELECT c.card FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.status = 'active'"
        " AND p.birth_date < '1990-01-01' AND c.card LIKE '2028%' ORDER BY random() LIMIT ?", (rounds,))]
    with_holds = [r[0] for r in conn.execute(
        "SELECT DISTINCT c.card FROM holds h JOIN cards c ON c.patron_id = h.patron_id AND c.status = 'active'"
        " WHERE h.status = 'queued' ORDER BY random() LIMIT ?", (rounds,))]
    held_on_loan = [r[0] for r in conn.execute(
        "SELECT i.barcode FROM loans l JOIN items i ON i.id = l.item_id WHERE l.returned_at IS NULL"
        " AND EXISTS (SELECT 1 FROM holds h WHERE h.record_id = i.record_id AND h.status = 'queued')"
        " ORDER BY random() LIMIT ?", (rounds,))]
    loaned = [(r[0], r[1]) for r in conn.execute(
        "SELECT c.card, i.barcode FROM loans l JOIN items i ON i.id = l.item_id"
        " JOIN cards c ON c.patron_id = l.patron_id AND c.status = 'active'"
        " WHERE l.returned_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM holds h WHERE h.record_id = i.record_id AND h.status = 'queued')"
        " ORDER BY random() LIMIT ?", (rounds,))]

    timed("card lookup (find_card)", [lambda c=c: desk.find_card(c) for c in rng.sample(cards, rounds)], rounds)
    timed("patron screen (patron_view)", [lambda c=c: desk.patrons.view(c) for c in rng.sample(cards, rounds)],
          rounds)
    timed("patron screen, a patron with holds", [lambda c=c: desk.patrons.view(c) for c in with_holds], rounds)
    timed("item view (barcode)", [lambda b=b: desk.catalogue.item_view(b) for b in free], rounds)
    timed("checkout (decision + write)", [lambda c=c, b=b: desk.loans.checkout(c, b) for c, b in zip(adults, free)],
          rounds)
    timed("return (check-in + routing)", [lambda b=b: desk.loans.return_item(b) for b in free], rounds)
    timed("return of a held title (trap)", [lambda b=b: desk.loans.return_item(b) for b in held_on_loan], rounds)
    later = Desk(conn, clock=ManualClock(NOW + timedelta(days=14)), branch="PORI")  # halfway through the loans
    timed("renewal", [lambda c=c, b=b: later.loans.renew(c, b) for c, b in loaned], rounds)
    timed("place a hold", [lambda c=c, b=b: desk.holds.place(c, b)
                           for c, b in zip(rng.sample(adults, len(adults)), free[rounds:])], rounds)
    timed("pull list (PORI)", [lambda: desk.holds.pull_list("PORI")] * max(3, rounds // 200), rounds)
    names = [r[0] for r in conn.execute("SELECT last_name FROM patrons ORDER BY random() LIMIT ?", (rounds,))]
    timed("name search, full surname", [lambda n=n: desk.patrons.find(n) for n in names], rounds)
    prefixes = [f"{n[:4]} {f[:2]}" for n, f in conn.execute(
        "SELECT last_name, first_name FROM patrons WHERE first_name != '' ORDER BY random() LIMIT ?", (rounds,))]
    timed("name search, typed prefixes", [lambda q=q: desk.patrons.find(q) for q in prefixes], rounds)
    started = time.perf_counter()
    desk.close()
    print(f"closing the desk (PRAGMA optimize)  {(time.perf_counter() - started) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
