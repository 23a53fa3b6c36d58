"""Worker processes for the crash-safety and concurrency tests (and the benchmark).

    python -m tests.workers crash DB SEED      # ops in sequence, an ACK line after each commit
    python -m tests.workers load DB SEED SECS  # random desk work for SECS seconds, then a JSON summary

Both use the real facade on a real file; the clock is fixed by TISKI_NOW.
"""

from __future__ import annotations

import json
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tiski.clock import clock_from_env
from tiski.core.errors import Refused
from tiski.desk import Desk

CARDS = [f"W{n:04d}" for n in range(10)]
BARCODES = [f"WB{n:04d}" for n in range(40)]


def setup(desk: Desk) -> None:
    """The shared little library the workers use (idempotent)."""
    from datetime import date

    from tiski.desk.catalogue import NewItem
    from tiski.desk.patrons import NewPatron

    for card in CARDS:
        if desk.conn.execute("SELECT 1 FROM cards WHERE card = ?", (card,)).fetchone() is None:
            desk.patrons.add(NewPatron(card=card, first="Työ", last=card, birth_date=date(1980, 1, 1)))
    for barcode in BARCODES:
        if desk.conn.execute("SELECT 1 FROM items WHERE barcode = ?", (barcode,)).fetchone() is None:
            desk.catalogue.add_item(NewItem(barcode=barcode, title=f"Kirja {barcode}"))


ROOT = Path(__file__).resolve().parent.parent


def kill_mid_stream(db: Path, seed: int, seconds: float, env: dict[str, str]) -> list[list[str]]:
    """Start a crash worker and SIGKILL it after `seconds`: the transactions it
    acknowledged (each as its words after `ACK n`)."""
    worker = subprocess.Popen([sys.executable, "-m", "tests.workers", "crash", str(db), str(seed)],
                              stdout=subprocess.PIPE, env=env, cwd=ROOT, text=True, bufsize=1)
    acks: list[list[str]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([worker.stdout], [], [], 0.05)[0]:
            line = worker.stdout.readline()
            if line.startswith("ACK"):
                acks.append(line.split()[2:])
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    acks += [line.split()[2:] for line in worker.stdout.read().splitlines() if line.startswith("ACK")]
    worker.stdout.close()
    return acks


def crash(db: str, seed: int) -> None:
    """Checkouts, returns, renewals, charges and payments, one after another; after
    each commit an ACK line (flushed), so the parent knows what it saw succeed."""
    rng = random.Random(seed)
    desk = Desk.open(db, clock=clock_from_env(), branch="PORI", staff="crash")
    for seq in range(1_000_000):
        barcode, card = rng.choice(BARCODES), rng.choice(CARDS)
        loan = desk.conn.execute(
            "SELECT c.card FROM loans l JOIN items i ON i.id = l.item_id JOIN cards c ON c.patron_id = l.patron_id"
            " AND c.status = 'active' WHERE i.barcode = ? AND l.returned_at IS NULL", (barcode,)).fetchone()
        roll = rng.random()
        try:
            if roll < 0.15:
                desk.fees.charge(card, 100, "testi", "manual")
                op = f"charge {card} 100"
            elif roll < 0.25:
                balance = desk.fees.balance(card)
                if balance < 50:
                    continue
                desk.fees.pay(card, 50)
                op = f"pay {card} 50"
            elif loan is None:
                desk.loans.checkout(card, barcode)
                op = f"checkout {barcode} {card}"
            elif roll < 0.4:
                desk.loans.renew(loan[0], barcode)
                op = f"renew {barcode} {loan[0]}"
            else:
                desk.loans.return_item(barcode)
                op = f"return {barcode}"
        except Refused:
            continue
        sys.stdout.write(f"ACK {seq} {op}\n")
        sys.stdout.flush()


def load(db: str, seed: int, seconds: float) -> None:
    """Random desk work for a while; prints what was done and every error that reached us."""
    rng = random.Random(seed)
    desk = Desk.open(db, clock=clock_from_env(), branch="PORI", staff=f"load{seed}")
    done = refused = 0
    errors: list[str] = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        card, barcode = rng.choice(CARDS), rng.choice(BARCODES)
        action = rng.choice(("checkout", "return", "renew", "charge", "pay", "view"))
        try:
            if action == "checkout":
                desk.loans.checkout(card, barcode)
            elif action == "return":
                desk.loans.return_item(barcode)
            elif action == "renew":
                desk.loans.renew(card, barcode)
            elif action == "charge":
                desk.fees.charge(card, 25, "testi", "manual")
            elif action == "pay":
                desk.fees.pay(card, 25)
            else:
                desk.patrons.view(card)
            done += 1
        except Refused:
            refused += 1
        except sqlite3.Error as exc:  # what would reach a person at the desk
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"done": done, "refused": refused, "errors": errors}))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "crash":
        crash(sys.argv[2], int(sys.argv[3]))
    elif kind == "load":
        load(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif kind == "setup":
        setup(Desk.open(sys.argv[2], clock=clock_from_env(), branch="PORI"))
