"""How long a `tiski` command takes from start to exit, against a bare Python.

    python benchmarks/cli_start.py [--runs 40] [--db PATH] [--compare NAME=PYTHON ...] [--floor]

Runs, interleaved in random order round by round (so the shared machine's load falls
on all alike), each as its own process:

- the reference: `python -c "import sqlite3; sqlite3.connect(':memory:')"`;
- `tiski --help`, `tiski branch list --json`, `tiski patron show CARD --json`,
  `tiski item show BARCODE --json` on the demo library, and `tiski checkout CARD
  BARCODE --json` (a `tiski return` between runs, not timed, so each checkout is the
  same);

and prints the median and 95th percentile of the wall time and of the user CPU time
(`os.wait4`), with each median's ratio to the reference's. `--compare main=/path/to/
python` times the same commands with another installation of Tiski (e.g. one built
from main) in the same run. Bytecode is compiled first, as a wheel install has it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-12-02T14:05"
BARE = ["-c", "import sqlite3; sqlite3.connect(':memory:')"]
# --floor: the standard library every command's path needs however Tiski is arranged
# (dataclasses with inspect, typing, pathlib, argparse, json, the Helsinki time zone, a
# register file opened in WAL mode), with no line of Tiski.
FLOOR = ["-c", "import re, dataclasses, typing, datetime, pathlib, argparse, json, sqlite3, zoneinfo, os, sys; "
               "zoneinfo.ZoneInfo('Europe/Helsinki'); "
               "c = sqlite3.connect(os.environ['TISKI_DB']); c.execute('PRAGMA journal_mode = WAL'); "
               "c.execute('SELECT COUNT(*) FROM branches').fetchone(); c.close()"]


def tiski_command(python: str) -> list[str]:
    """The installation's console script beside its Python, else `python -m tiski`."""
    script = Path(python).parent / "tiski"
    return [str(script)] if script.exists() else [python, "-m", "tiski"]


def compile_package(python: str) -> None:
    folder = subprocess.run([python, "-c", "import tiski, os; print(os.path.dirname(tiski.__file__))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", folder], check=True, stdout=subprocess.DEVNULL)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall ms, user CPU ms, exit status) of one run."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime * 1000, child.returncode


def checked(command: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout) if "--json" in command else {}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", type=Path, help="The demo register (built there if missing).")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=PYTHON",
                        help="Time the same commands with another installation's Python.")
    parser.add_argument("--floor", action="store_true",
                        help="Also time the standard library the commands need, without Tiski (see FLOOR).")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tiski-cli-start-"))  # the register unless --db, a config folder
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TISKI_", "PYTHONDONTWRITEBYTECODE"))}
    db = args.db or work / "demo.sqlite"
    env.update(TISKI_DB=str(db), TISKI_NOW=NOW, TISKI_KEYS_DIR=str(db.with_suffix(".keys")),
               XDG_CONFIG_HOME=str(work / "config"))  # no tiski.toml of the user's
    installs = {"branch": sys.executable}
    installs.update(dict(pair.split("=", 1) for pair in args.compare))
    for python in installs.values():
        compile_package(python)

    ours = tiski_command(sys.executable)
    if not db.exists():
        checked([*ours, "init", "--demo"], env)
    if subprocess.run([*ours, "item", "show", "B9000001"], env=env, capture_output=True).returncode:
        checked([*ours, "patron", "add", "--card", "B9000001", "--first", "Penkki", "--last", "Testaaja",
                 "--birth-date", "1980-05-17"], env)
        checked([*ours, "item", "add", "--barcode", "B9000001", "--title", "Mittauskirja"], env)
    card = checked([*ours, "patron", "find", "Aalto", "--json"], env)["patrons"][0]["card"]
    barcode = "1000000001"
    checked([*ours, "item", "show", barcode, "--json"], env)

    subjects: dict[str, tuple[list[str], list[str] | None]] = {"python (bare)": ([sys.executable, *BARE], None)}
    if args.floor:
        subjects["python + the stdlib floor"] = ([sys.executable, *FLOOR], None)
    for name, python in installs.items():
        tiski = tiski_command(python)
        for label, words in (("--help", ["--help"]), ("branch list", ["branch", "list", "--json"]),
                             ("patron show", ["patron", "show", card, "--json"]),
                             ("item show", ["item", "show", barcode, "--json"]),
                             ("checkout", ["checkout", "B9000001", "B9000001", "--json"])):
            undo = [*tiski, "return", "B9000001", "--json"] if label == "checkout" else None
            subjects[f"{name}: tiski {label}"] = ([*tiski, *words], undo)
    for command, undo in subjects.values():  # each works, and warms the disk cache
        checked(command, env)
        if undo:
            checked(undo, env)

    walls: dict[str, list[float]] = {label: [] for label in subjects}
    users: dict[str, list[float]] = {label: [] for label in subjects}
    for _ in range(args.runs):
        for label in random.sample(list(subjects), len(subjects)):
            command, undo = subjects[label]
            wall, user, code = timed(command, env)
            if code != 0:
                sys.exit(f"{label}: exit {code}")
            walls[label].append(wall)
            users[label].append(user)
            if undo:
                checked(undo, env)

    bare_wall, bare_user = (statistics.median(walls["python (bare)"]), statistics.median(users["python (bare)"]))
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, interleaved; load {load:.1f}; Python {sys.version.split()[0]}")
    print("| command | wall median / p95 (ms) | × bare | user CPU median / p95 (ms) | × bare |")
    print("|---|---|---|---|---|")
    for label in subjects:
        wall, user = statistics.median(walls[label]), statistics.median(users[label])
        print(f"| {label} | {wall:.0f} / {percentile(walls[label], 0.95):.0f} | {wall / bare_wall:.1f} "
              f"| {user:.0f} / {percentile(users[label], 0.95):.0f} | {user / bare_user:.1f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
