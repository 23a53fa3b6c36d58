"""The book bag's pick list on the demo library (issue 5).

    python benchmarks/kirjakassi.py [--db PATH] [--rounds 20]

Times `Desk.kirjakassi_pick_list` for every demo client (interview done, thousands
of candidate copies on the shelves) and prints the median and worst per client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tiski.clock import fixed_clock, parse_moment
from tiski.desk import Desk

NOW = "2026-12-02T14:05"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-demo-bench.sqlite"))
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if not args.db.exists():
        subprocess.run([sys.executable, "-m", "tiski", "--db", str(args.db), "init", "--demo"],
                       env={**os.environ, "TISKI_NOW": NOW}, check=True, stdout=subprocess.DEVNULL)
    desk = Desk.open(args.db, clock=fixed_clock(parse_moment(NOW)), branch="PORI")
    shelf = desk.conn.execute("SELECT COUNT(*) FROM items WHERE home_branch = 'PORI' AND loanable = 1").fetchone()[0]
    print(f"{shelf} loanable copies at PORI")
    everything = []
    for client in desk.kirjakassi.clients():
        samples = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            picks = desk.kirjakassi.pick_list(client.card)
            samples.append((time.perf_counter() - started) * 1000)
        everything += samples
        print(f"{client.name:<22} bag {client.bag_size:>2}: {len(picks):>2} picks, median {statistics.median(samples):6.1f} ms,"
              f" worst {max(samples):6.1f} ms")
    print(f"all clients: median {statistics.median(everything):.1f} ms, worst {max(everything):.1f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
