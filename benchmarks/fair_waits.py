"""Fair waits: how long a desk waits for the write lock while batch jobs run (issues 9 and 11).

    python benchmarks/fair_waits.py [--records 40000] [--patrons 15000] [--desks 4] [--think 0.02]

Four desk processes lend and take back (each facade call one BEGIN IMMEDIATE transaction,
a short think time between) while two batch jobs run on the same file: `import marc` of
--records records with a copy each, and `import patrons` of --patrons rows. Twice, on
fresh copies of the same register, in the same run:

- before: each import as one transaction (hold=∞, pause=0), as Tiski imported until now;
- after:  the imports in short steps (tiski.store.batches: STEP_HOLD writing, STEP_PAUSE free).

For each desk transaction it records the wait for the lock (the time BEGIN IMMEDIATE
takes) and the whole call; prints p50 / p99 / max of both, how many desk transactions
failed ("the register is busy" after the 10 s busy timeout), and how long the imports took.
Target (issue 11, item 10): p99 lock wait ≤ 100 ms for desk transactions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tiski.clock import HELSINKI  # noqa: E402
from tiski.store.batches import STEP_HOLD, STEP_PAUSE  # noqa: E402

NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "TISKI_KEYS_DIR": tempfile.mkdtemp(prefix="fair-keys-")}
ITEMS_PER_DESK = 20


def _desk(conn):
    from tiski.desk import Desk

    return Desk(conn, clock=lambda: NOW, branch="PORI", staff=None)


def build(folder: Path, desks: int, records: int, patrons: int) -> tuple[Path, Path, Path]:
    """The register (a branch, each desk's patrons and items), the MARC file, the CSV."""
    from pymarc import Field, Indicators, Leader, Record, Subfield

    from tiski.demo import make_hetu
    from tiski.desk.catalogue import NewItem
    from tiski.desk.patrons import NewPatron
    from tiski.store.db import create

    db = folder / "register.sqlite"
    conn = create(db)
    desk = _desk(conn)
    desk.admin.add_branch("PORI", "Porin pääkirjasto", "sun", "20:00")
    for n in range(desks):
        desk.patrons.add(NewPatron(card=f"DESK{n}", first="Tiski", last=f"Asiakas {n}", birth_date=date(1980, 1, 1)))
        for i in range(ITEMS_PER_DESK):
            desk.catalogue.add_item(NewItem(barcode=f"D{n}I{i:03d}", title=f"Kirja {n}-{i}"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    marc = folder / "catalogue.mrc"
    with marc.open("wb") as out:
        for n in range(records):
            record = Record(force_utf8=True)
            record.leader = Leader("00000nam a2200000 i 4500")
            record.add_field(Field(tag="001", data=f"FW{n}"))
            record.add_field(Field(tag="008", data="240101s2024    fi ||||  ||||| 000 1 fin d"))
            record.add_field(Field(tag="100", indicators=Indicators("1", " "),
                                   subfields=[Subfield("a", f"Kirjoittaja {n % 997}")]))
            record.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                                   subfields=[Subfield("a", f"Nimeke numero {n} /"), Subfield("c", "Tekijä.")]))
            record.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "historia")]))
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "),
                                   subfields=[Subfield("p", f"FW{n:08d}"), Subfield("a", "PORI"), Subfield("y", "BK")]))
            out.write(record.as_marc())

    csv = folder / "patrons.csv"
    with csv.open("w", encoding="utf-8") as out:
        out.write("card,first,last,hetu,birth_date\n")
        for n in range(patrons):
            born = date(1940, 1, 1) + timedelta(days=n % 20_000)
            hetu = make_hetu(born, 2 + n // 20_000) if n % 2 else ""
            out.write(f"P{n:08d},Testi,Asiakas{n},{hetu},{'' if hetu else born.isoformat()}\n")
    return db, marc, csv


# --- the workers -------------------------------------------------------------------------------

class TimedConnection(sqlite3.Connection):
    """Times BEGIN IMMEDIATE: the wait for the write lock."""

    waits: list[float] = []

    def execute(self, sql, *args):
        if sql != "BEGIN IMMEDIATE":
            return super().execute(sql, *args)
        started = time.perf_counter()
        try:
            return super().execute(sql, *args)
        finally:
            TimedConnection.waits.append(time.perf_counter() - started)


def desk_worker(db: str, number: int, stop_file: str) -> None:
    from tiski.core.errors import Refused, Unavailable
    from tiski.store.db import _configure

    conn = _configure(sqlite3.connect(db, isolation_level=None, check_same_thread=False, factory=TimedConnection))
    desk = _desk(conn)
    card, barcodes = f"DESK{number}", [f"D{number}I{i:03d}" for i in range(ITEMS_PER_DESK)]
    calls, failed, rng = [], 0, random.Random(number)
    while not os.path.exists(stop_file):
        barcode = rng.choice(barcodes)
        started = time.perf_counter()
        try:
            try:
                desk.loans.checkout(card, barcode)
            except Refused:
                desk.loans.return_item(barcode)
        except Unavailable:
            failed += 1
        calls.append(time.perf_counter() - started)
        time.sleep(float(os.environ.get("FAIR_THINK", "0.02")))
    print(json.dumps({"waits": TimedConnection.waits, "calls": calls, "failed": failed}))


def batch_worker(db: str, kind: str, path: str, mode: str) -> None:
    from tiski.imports.marc import import_marc
    from tiski.imports.patrons_csv import import_patrons
    from tiski.store.db import connect

    from tiski.imports import ImportStopped

    steps = {"hold": float("inf"), "pause": 0.0} if mode == "before" else {
        "hold": float(os.environ["FAIR_HOLD"]), "pause": float(os.environ["FAIR_PAUSE"])}
    desk = _desk(connect(db))
    started = time.perf_counter()
    try:
        if kind == "marc":
            done: int | str = import_marc(desk, Path(path), **steps).items
        else:
            done = import_patrons(desk, Path(path), **steps).imported
    except ImportStopped as stopped:  # e.g. one import waited past the busy timeout for the other
        done = f"stopped: {stopped.reason}"
    print(json.dumps({"seconds": time.perf_counter() - started, "done": done}))


# --- the run -------------------------------------------------------------------------------------

def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)


def scenario(mode: str, template: Path, marc: Path, csv: Path, desks: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"fair-{mode}-"))
    db = folder / "register.sqlite"
    shutil.copy(template, db)
    stop = folder / "stop"
    workers = [_spawn("desk", str(db), str(n), str(stop)) for n in range(desks)]
    try:
        time.sleep(1.0)  # the desks at work before the jobs start
        jobs = [_spawn("batch", str(db), "marc", str(marc), mode), _spawn("batch", str(db), "patrons", str(csv), mode)]
        job_results = [json.loads(job.communicate()[0]) for job in jobs]
        time.sleep(0.5)
    finally:
        stop.touch()
    desk_results = [json.loads(w.communicate()[0]) for w in workers]
    shutil.rmtree(folder)
    return {"jobs": job_results, "waits": [w for r in desk_results for w in r["waits"]],
            "calls": [c for r in desk_results for c in r["calls"]], "failed": sum(r["failed"] for r in desk_results)}


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--patrons", type=int, default=15_000)
    parser.add_argument("--desks", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.02, help="seconds between a desk's transactions")
    parser.add_argument("--hold", type=float, default=STEP_HOLD, help="seconds of writing per step (after)")
    parser.add_argument("--pause", type=float, default=STEP_PAUSE, help="seconds the lock is left free (after)")
    parser.add_argument("--only-after", action="store_true", help="skip the one-transaction reference")
    args = parser.parse_args()
    ENV.update(FAIR_THINK=str(args.think), FAIR_HOLD=str(args.hold), FAIR_PAUSE=str(args.pause))

    folder = Path(tempfile.mkdtemp(prefix="fair-"))
    template, marc, csv = build(folder, args.desks, args.records, args.patrons)
    print(f"{args.desks} desks (checkout/return, {args.think * 1000:.0f} ms between) + import marc "
          f"({args.records} records, {marc.stat().st_size / 1e6:.0f} MB) + import patrons ({args.patrons} rows); "
          f"steps: {args.hold * 1000:.0f} ms writing, {args.pause * 1000:.0f} ms free")
    print(f"{'':8} {'desk txns':>9} {'wait p50':>8} {'p99':>6} {'max':>6} {'call p99':>8} {'failed':>6}  "
          f"{'marc s':>6} {'patrons s':>9}   (ms unless said)")
    for mode in ("after",) if args.only_after else ("before", "after"):
        r = scenario(mode, template, marc, csv, args.desks)
        marc_job, patrons_job = r["jobs"]
        print(f"{mode:8} {len(r['waits']):>9} {_ms(r['waits'], 0.5):>8} {_ms(r['waits'], 0.99):>6} "
              f"{_ms(r['waits'], 1.0):>6} {_ms(r['calls'], 0.99):>8} {r['failed']:>6}  "
              f"{marc_job['seconds']:>6.1f} {patrons_job['seconds']:>9.1f}"
              + "".join(f"  ({job['done']})" for job in r["jobs"] if isinstance(job["done"], str)))
    shutil.rmtree(folder)
    print(f"(median of all desk calls is {statistics.median(r['calls']) * 1000:.1f} ms in the last run)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "desk":
        desk_worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) > 1 and sys.argv[1] == "batch":
        batch_worker(*sys.argv[2:6])
    else:
        main()
