"""Crash safety and concurrency figures (issue 6).

    python benchmarks/trust.py [--kills 30] [--seconds 10] [--workers 4]

1. A worker doing checkouts, returns, renewals, charges and payments (each one
   transaction, an ACK printed after each commit) is killed with SIGKILL after a
   random 0.5–2 s, --kills times; after each kill the file is checked (integrity,
   every acknowledged transaction there, none half there).
2. --workers processes do random desk work on one file for --seconds; prints the
   transactions per second and every error that reached a worker.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_crash_and_load import apply, invariants, state  # noqa: E402
from tests.workers import kill_mid_stream  # noqa: E402
from tiski.desk import Desk  # noqa: E402
from tiski.store.db import connect, create  # noqa: E402

ENV = {**os.environ, "TISKI_NOW": "2026-12-02T14:05", "PYTHONPATH": str(ROOT),
       "TISKI_KEYS_DIR": tempfile.mkdtemp()}


def fresh() -> Path:
    from tests.workers import setup

    path = Path(tempfile.mkdtemp()) / "trust.sqlite"
    conn = create(path)
    desk = Desk(conn, branch=None)
    desk.admin.add_branch("PORI", "Porin pääkirjasto", "sun", "20:00")
    setup(Desk(conn, branch="PORI"))
    conn.close()
    return path


def kills(count: int) -> None:
    path, rng, total, half = fresh(), random.Random(1), 0, 0
    for n in range(count):
        conn = connect(path)
        loans, balances = state(conn)
        conn.close()
        acks = kill_mid_stream(path, n, rng.uniform(0.5, 2.0), ENV)
        for op in acks:
            apply(op, loans, balances)
        conn = connect(path)
        invariants(conn)
        actual_loans, actual_balances = state(conn)
        conn.close()
        diff = sum(actual_loans[b] != loans[b] for b in loans) + sum(actual_balances[c] != balances[c] for c in balances)
        assert diff <= 1, "an acknowledged transaction is missing"
        half += diff
        total += len(acks)
    print(f"SIGKILL {count} times: {total} acknowledged transactions all present; "
          f"{half} in-flight transactions found whole (committed before their ACK); integrity ok every time")


def load(workers: int, seconds: float) -> None:
    path = fresh()
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "tests.workers", "load", str(path), str(n), str(seconds)],
                              stdout=subprocess.PIPE, env=ENV, cwd=ROOT, text=True) for n in range(workers)]
    summaries = [json.loads(p.communicate()[0]) for p in procs]
    elapsed = time.monotonic() - started
    done = sum(s["done"] for s in summaries)
    refused = sum(s["refused"] for s in summaries)
    errors = [e for s in summaries for e in s["errors"]]
    conn = connect(path)
    invariants(conn)
    conn.close()
    print(f"{workers} processes × {seconds:.0f} s on one file: {done} transactions done + {refused} refused by the "
          f"rules = {(done + refused) / seconds:.0f}/s ({done / seconds:.0f}/s done); errors reaching a user: "
          f"{len(errors)}{' ' + repr(errors[:3]) if errors else ''}; invariants hold (wall {elapsed:.1f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    kills(args.kills)
    load(args.workers, args.seconds)
