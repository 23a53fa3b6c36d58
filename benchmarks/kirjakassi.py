"""The book bag's pick list on a consortium-sized register (issues 5 and 11).

    python benchmarks/kirjakassi.py [--patrons 100000] [--items 500000] [--db PATH] [--rounds 10]

Builds the register once (cached at --db; delete it to rebuild): the demo generator's
patrons and collection at that scale, some loans and holds through the facade, and
eight book-bag clients whose interviews name genres, subjects and authors found in the
collection. Then times `desk.kirjakassi.pick_list` for every client, --rounds times
each, and prints the median and worst per client — against a reference timed in the
same run: one pass over the branch's items (what an unindexed pick list costs).

Only facade calls that every version of Tiski has are used, so the same script
measures an older tree too (PYTHONPATH=that/tree python benchmarks/kirjakassi.py).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from datetime import datetime
from pathlib import Path

from tiski.clock import HELSINKI, ManualClock
from tiski.demo import build_demo
from tiski.desk import Desk
from tiski.store.db import connect, create

NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)
CLIENTS = 8


def build(path: Path, patrons: int, items: int) -> None:
    started = time.perf_counter()
    conn = create(path)
    build_demo(conn, clock=lambda: NOW, patrons=patrons, titles=items // 3, items=items, history_days=0)
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    rng = random.Random(11)
    cards = [r[0] for r in conn.execute("SELECT card FROM cards WHERE status = 'active' AND card LIKE '2028%'"
                                        " ORDER BY card")]
    barcodes = [r[0] for r in conn.execute("SELECT barcode FROM items WHERE loanable = 1 AND home_branch = 'PORI'"
                                           " ORDER BY barcode")]
    for card, barcode in zip(rng.sample(cards, 3000), rng.sample(barcodes, 3000)):
        try:
            if rng.random() < 0.7:
                desk.loans.checkout(card, barcode)
            else:
                desk.holds.place(card, barcode)
        except Exception:  # a blocked patron, an age rating…: the register is what it is
            pass
    genres = [r[0] for r in conn.execute("SELECT term FROM record_terms WHERE kind = 'genre' GROUP BY term"
                                         " ORDER BY COUNT(*) DESC LIMIT 12")]
    subjects = [r[0] for r in conn.execute("SELECT term FROM record_terms WHERE kind = 'subject' GROUP BY term"
                                           " ORDER BY COUNT(*) DESC LIMIT 20")]
    authors = [r[0].split(",")[0].lower() for r in conn.execute(
        "SELECT author FROM records WHERE author IS NOT NULL ORDER BY id LIMIT 2000")]
    elderly = [r[0] for r in conn.execute(
        "SELECT c.card FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.status = 'active'"
        " AND p.birth_date < '1950-01-01' AND p.is_organisation = 0 ORDER BY c.card")]
    for n, card in enumerate(rng.sample(elderly, CLIENTS)):
        desk.kirjakassi.enrol(card, eligibility="age", delivery_address=f"Koivutie {n + 1}, Pori",
                              contact_name="Kotihoito, Pori", rhythm_weeks=4, weekday="tue", bag_size=8,
                              starts_on="2026-11-03", history_consent=True)
        desk.kirjakassi.save_interview(card, {
            "genres": rng.sample(genres, 2), "subjects": rng.sample(subjects, 2),
            "liked_authors": rng.sample(authors, 2), "disliked_authors": rng.sample(authors, 1),
            "media": ["large_print", "cd_audiobook"] if n % 2 else ["regular_print"], "languages": ["fin"],
            "avoid": ["kauhukirjallisuus"] if n % 3 == 0 else [],
        }, complete=True)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"built {patrons} patrons, {items} items, {CLIENTS} book-bag clients in "
          f"{time.perf_counter() - started:.0f} s")


def reference(path: Path, rounds: int) -> list[float]:
    """One pass over the branch's items: what a pick list that scans them pays at least."""
    conn = sqlite3.connect(path)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        conn.execute("SELECT COUNT(*) FROM items NOT INDEXED WHERE home_branch = 'PORI' AND loanable = 1").fetchone()
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patrons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-kirjakassi-bench.sqlite"))
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.patrons, args.items)
    desk = Desk(connect(args.db), clock=ManualClock(NOW), branch="PORI")
    counts = desk.conn.execute("SELECT (SELECT COUNT(*) FROM patrons), (SELECT COUNT(*) FROM items),"
                               " (SELECT COUNT(*) FROM items WHERE home_branch = 'PORI' AND loanable = 1)").fetchone()
    print(f"register: {counts[0]} patrons, {counts[1]} items, {counts[2]} loanable at PORI")
    scan = reference(args.db, args.rounds)
    print(f"{'reference: one pass over PORI items':<40} median {statistics.median(scan):7.1f} ms")
    everything, opening = [], []
    for client in desk.kirjakassi.clients():
        samples = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            picks = desk.kirjakassi.pick_list(client.card)
            samples.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            desk.kirjakassi.client(client.card)
            desk.kirjakassi.bag(client.card)
            opening.append((time.perf_counter() - started) * 1000)
        everything += samples
        print(f"{client.card:<16} bag {client.bag_size:>2}: {len(picks):>2} picks   median "
              f"{statistics.median(samples):7.1f} ms   worst {max(samples):7.1f} ms")
    print(f"{'pick list, all clients':<40} median {statistics.median(everything):7.1f} ms   worst "
          f"{max(everything):7.1f} ms   ({statistics.median(everything) / statistics.median(scan):.2f}× the reference)")
    print(f"{'the client and the bag (screen opening)':<40} median {statistics.median(opening):7.1f} ms")


if __name__ == "__main__":
    main()
