"""The catalogue search at consortium scale (issue 12): what a desk types, timed.

    python benchmarks/catalogue_search.py [--patrons 100000] [--items 500000] [--db PATH] [--rounds 1000]
    python benchmarks/catalogue_search.py --copy-from /tmp/built.sqlite --db /tmp/run.sqlite

Builds the register as benchmarks/circulation.py does (the demo generator's collection,
a fifth of the patrons with loans, queues, trapped copies), cached at --db, then times
`desk.catalogue.search` in process over --rounds queries of each kind, median and p95:

- a title's first word, whole; a word typed half-way (its first four letters) and the
  next word's first two ("tuntem so"); a title word and the author's surname; the
  same words with their diacritics taken off ("aanikirja" for "äänikirja");
- the first key presses: a lone word of two letters (taken whole) and of three (the
  first prefix: the most titles to rank);
- an ISBN with hyphens (the demo has none: the sampled titles are given one first, on
  the run's copy), a barcode;
- the half-typed words again with `--available --branch PORI` (the filters read on);

and, as the reference in the same run, the item view by barcode and the patron name
search (both in benchmarks/circulation.py's table), so a figure can be read against
what the same machine did at the same moment.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from circulation import NOW, build  # noqa: E402  (the same register as the circulation figures)

from tiski.clock import ManualClock  # noqa: E402
from tiski.desk import Desk  # noqa: E402
from tiski.store.db import connect  # noqa: E402


def timed(label: str, calls, rounds: int) -> float:
    samples = []
    for call in calls[:rounds]:
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{label:<44} median {median:8.3f} ms   p95 {p95:8.3f} ms   (n={len(samples)})")
    return median


def folded(text: str) -> str:
    """The text without its diacritics, as a desk without ä and ö on the keyboard types it."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() else " " for ch in text).split() if len(w) >= 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patrons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-bench-catalogue.sqlite"))
    parser.add_argument("--copy-from", type=Path, help="Start from a copy of this register (replaces --db).")
    args = parser.parse_args()
    if args.copy_from is not None:
        if not args.copy_from.exists():
            build(args.copy_from, args.patrons, args.items)
        shutil.copy(args.copy_from, args.db)
    elif not args.db.exists():
        build(args.db, args.patrons, args.items)
    started = time.perf_counter()
    conn = connect(args.db)  # an older register is brought to this schema here (the search index rebuilt)
    print(f"opened in {time.perf_counter() - started:.1f} s")
    desk = Desk(conn, clock=ManualClock(NOW), branch="PORI")
    counts = conn.execute("SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM items),"
                          " (SELECT COUNT(*) FROM loans WHERE returned_at IS NULL),"
                          " (SELECT COUNT(*) FROM holds WHERE status = 'queued')").fetchone()
    print(f"register: {counts[0]} titles, {counts[1]} items, {counts[2]} active loans, {counts[3]} queued holds")
    rounds = args.rounds
    rng = random.Random(12)
    sample = conn.execute("SELECT r.title, r.author, r.isbn, i.barcode FROM records r"
                          " JOIN items i ON i.id = (SELECT MIN(id) FROM items WHERE record_id = r.id)"
                          " ORDER BY random() LIMIT ?", (rounds,)).fetchall()
    from stdnum import ean
    from stdnum import isbn as stdnum_isbn

    isbns = []
    with desk.write():  # an ISBN for each sampled title (the demo generator makes none)
        for n, (title, _, _, barcode) in enumerate(sample):
            body = f"978952{n:06d}"
            isbn = body + ean.calc_check_digit(body)
            conn.execute("UPDATE records SET isbn = ? WHERE id = (SELECT record_id FROM items WHERE barcode = ?)",
                         (isbn, barcode))
            isbns.append(stdnum_isbn.format(isbn))
    titles = [(words(t) or ["kirja"], words(a or "") or [""], isbn, barcode) for t, a, isbn, barcode in sample]
    whole = [w[0] for w, _, _, _ in titles]
    typed = [f"{w[0][:4]} {w[1][:2]}" if len(w) > 1 else w[0][:4] for w, _, _, _ in titles]
    with_author = [f"{w[0]} {a[-1] if a[-1] else ''}".strip() for w, a, _, _ in titles]
    diacritics = [t for t in (r[0] for r in conn.execute(
        "SELECT title FROM records WHERE title GLOB '*[äöåÄÖÅ]*' ORDER BY random() LIMIT ?", (rounds,)))]
    unaccented = [folded(" ".join(words(t)[:2])).lower() for t in diacritics] or typed
    two_letters = [w[0][:2] for w, _, _, _ in titles]
    three_letters = [w[0][:3] for w, _, _, _ in titles]
    barcodes = [b for _, _, _, b in titles]

    search = desk.catalogue.search
    print(f"search, {rounds} queries of each kind:")
    timed("a title's first word, whole", [lambda q=q: search(q) for q in whole], rounds)
    timed("typed half-way: 'tuntem so'", [lambda q=q: search(q) for q in typed], rounds)
    timed("a title word and the author", [lambda q=q: search(q) for q in with_author], rounds)
    timed("without diacritics: 'aanikirja nasi'", [lambda q=q: search(q) for q in unaccented], rounds)
    timed("two letters, alone (a whole word)", [lambda q=q: search(q) for q in two_letters], rounds)
    timed("three letters, alone (the first prefix)", [lambda q=q: search(q) for q in three_letters], rounds)
    timed("an ISBN with hyphens", [lambda q=q: search(q) for q in isbns], rounds)
    timed("a barcode", [lambda q=q: search(q) for q in barcodes], rounds)
    timed("typed half-way, --available --branch PORI",
          [lambda q=q: search(q, branch="PORI", available=True) for q in typed], rounds)
    everything = whole + typed + with_author + unaccented + two_letters + three_letters + isbns + barcodes
    rng.shuffle(everything)
    timed("ALL KINDS MIXED", [lambda q=q: search(q) for q in everything], len(everything))
    print("reference, the same run:")
    timed("item view (barcode)", [lambda b=b: desk.catalogue.item_view(b) for b in barcodes], rounds)
    names = [r[0] for r in conn.execute("SELECT last_name FROM patrons ORDER BY random() LIMIT ?", (rounds,))]
    timed("patron name search, full surname", [lambda n=n: desk.patrons.find(n) for n in names], rounds)
    desk.close()


if __name__ == "__main__":
    main()
