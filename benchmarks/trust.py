"""Crash safety and concurrency figures (issues 6 and 9).

    python benchmarks/trust.py [--kills 30] [--seconds 10] [--workers 4]

1. A worker doing checkouts, returns, renewals, charges and payments (each one
   transaction, an ACK printed after each commit) is killed with SIGKILL --kills times:
   half of them at a random moment after 0.5–2 s, half between two write statements of
   one transaction (see tests.workers.kill_mid_stream). After each kill the register
   must be exactly what the acknowledged transactions make it — with or without the
   one under way, never part of it — down to the audit rows; integrity, invariants and
   the tamper evidence (both hash chains) are checked.
2. --workers processes do random desk work on one file for --seconds; prints the
   transactions per second, every error that reached a worker, and that the chains
   still verify.
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
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desk.test_crash_and_load import apply, invariants, state  # noqa: E402
from tests.workers import kill_mid_stream  # noqa: E402
from tiski.desk import Desk  # noqa: E402
from tiski.store.db import connect, create  # noqa: E402

os.environ["TISKI_KEYS_DIR"] = tempfile.mkdtemp()  # the register's keys: here and in every worker
ENV = {**os.environ, "TISKI_NOW": "2026-12-02T14:05", "PYTHONPATH": str(ROOT)}


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
    path, rng, total, committed = fresh(), random.Random(1), 0, 0
    for n in range(count):
        with closing(connect(path)) as conn:
            before = state(conn)
        acks, in_flight = kill_mid_stream(path, n, rng.uniform(0.5, 2.0), ENV)
        with closing(connect(path)) as conn:
            invariants(conn)
            actual = state(conn)
        done = apply(acks, before)
        assert actual in (done, apply([in_flight], done) if in_flight else done), "a transaction lost or half there"
        committed += actual != done
        total += len(acks)
    print(f"SIGKILL {count} times ({count - count // 2} at a random moment, {count // 2} between two writes of one "
          f"transaction): {total} acknowledged transactions all present, exactly; {committed} in-flight "
          f"transactions found whole (committed before their ACK), none in part; integrity, invariants and both "
          f"hash chains hold every time")


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
    with closing(connect(path)) as conn:
        invariants(conn)
    print(f"{workers} processes × {seconds:.0f} s on one file: {done} transactions done + {refused} refused by the "
          f"rules = {(done + refused) / seconds:.0f}/s ({done / seconds:.0f}/s done); errors reaching a user: "
          f"{len(errors)}{' ' + repr(errors[:3]) if errors else ''}; invariants and both hash chains hold (wall "
          f"{elapsed:.1f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    kills(args.kills)
    load(args.workers, args.seconds)
