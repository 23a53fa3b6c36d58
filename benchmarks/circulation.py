"""Circulation speed on a large register: card lookup, checkout, return, name search.

    python benchmarks/circulation.py [--patrons 100000] [--items 500000] [--db PATH] [--rounds 2000]

Builds the register once (cached at --db; delete it to rebuild), then times each
operation in process with perf_counter over --rounds calls and prints median and p95.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime
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
    # A working register: a fifth of the patrons with a few loans each.
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    rng = random.Random(7)
    cards = [r[0] for r in conn.execute("SELECT card FROM cards WHERE card LIKE '2028%'")]
    barcodes = [r[0] for r in conn.execute("SELECT barcode FROM items WHERE loanable = 1")]
    for card in rng.sample(cards, len(cards) // 5):
        for barcode in rng.sample(barcodes, rng.randint(1, 6)):
            try:
                desk.loans.checkout(card, barcode)
            except Exception:
                pass
    conn.execute("ANALYZE")
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
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<34} median {statistics.median(samples):7.3f} ms   p95 {p95:7.3f} ms   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patrons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-bench.sqlite"))
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.patrons, args.items)
    conn = connect(args.db)
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    rng = random.Random(42)
    counts = conn.execute("SELECT (SELECT COUNT(*) FROM patrons), (SELECT COUNT(*) FROM items),"
                          " (SELECT COUNT(*) FROM loans WHERE returned_at IS NULL)").fetchone()
    print(f"register: {counts[0]} patrons, {counts[1]} items, {counts[2]} active loans")
    cards = [r[0] for r in conn.execute("SELECT card FROM cards WHERE status = 'active' AND card LIKE '2028%'")]
    free = [r[0] for r in conn.execute(
        "SELECT barcode FROM items i WHERE loanable = 1 AND rating IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = i.record_id AND h.status != 'fulfilled')"
        " ORDER BY random() LIMIT ?", (args.rounds,))]
    adults = [r[0] for r in conn.execute(
        "SELECT c.card FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.status = 'active'"
        " AND p.birth_date < '1990-01-01' AND c.card LIKE '2028%' ORDER BY random() LIMIT ?", (args.rounds,))]

    timed("card lookup (find_card)", [lambda c=c: desk.find_card(c) for c in rng.sample(cards, args.rounds)],
          args.rounds)
    timed("patron screen (patron_view)", [lambda c=c: desk.patrons.view(c) for c in rng.sample(cards, args.rounds)],
          args.rounds)
    timed("checkout (decision + write)", [lambda c=c, b=b: desk.loans.checkout(c, b) for c, b in zip(adults, free)],
          args.rounds)
    timed("return (check-in + routing)", [lambda b=b: desk.loans.return_item(b) for b in free], args.rounds)
    names = [r[0] for r in conn.execute("SELECT last_name FROM patrons ORDER BY random() LIMIT ?", (args.rounds,))]
    timed("name search, full surname", [lambda n=n: desk.patrons.find(n) for n in names], args.rounds)
    prefixes = [f"{n[:4]} {f[:2]}" for n, f in conn.execute(
        "SELECT last_name, first_name FROM patrons WHERE first_name != '' ORDER BY random() LIMIT ?",
        (args.rounds,))]
    timed("name search, typed prefixes", [lambda q=q: desk.patrons.find(q) for q in prefixes], args.rounds)


if __name__ == "__main__":
    main()
