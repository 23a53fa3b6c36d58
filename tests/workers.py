"""Worker processes for the crash-safety and concurrency tests (and the benchmark).

    python -m tests.workers crash DB SEED      # ops in sequence, an ACK line after each commit
    python -m tests.workers load DB SEED SECS  # random desk work for SECS seconds, then a JSON summary

Both use the real facade on a real file; the clock is fixed by TISKI_NOW.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tiski.core.errors import Refused
from tiski.desk import Desk
from tiski.settings import load_settings

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


def kill_mid_stream(db: Path, seed: int, seconds: float, env: dict[str, str]) -> tuple[list[list[str]], list[str]]:
    """Start a crash worker and SIGKILL it mid-stream: an odd `seed` after `seconds` (any
    moment, inside SQLite's own writing too), an even one in its `seconds * 300`th
    transaction or the first after it that writes twice, between those two writes —
    where a half-done transaction would show. Returns the transactions it acknowledged
    (each as its words), and the one it had begun but not answered (empty if none):
    that one may have committed or not, never in part."""
    kill_in = int(seconds * 300) if seed % 2 == 0 else 0
    worker = subprocess.Popen([sys.executable, "-m", "tests.workers", "crash", str(db), str(seed), str(kill_in)],
                              stdout=subprocess.PIPE, env=env, cwd=ROOT, text=True, bufsize=1)
    lines: list[str] = []
    deadline = time.monotonic() + (seconds if not kill_in else 120)
    while time.monotonic() < deadline and worker.poll() is None:
        if select.select([worker.stdout], [], [], 0.05)[0]:
            lines.append(worker.stdout.readline())
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    lines += worker.stdout.read().splitlines()
    worker.stdout.close()
    begun: dict[str, list[str]] = {}
    acks: list[list[str]] = []
    for line in lines:
        kind, seq, *words = line.split() or ["", ""]
        if kind == "DO":
            begun[seq] = words
        elif kind == "ACK":
            acks.append(begun.pop(seq))
        elif kind == "NO":
            begun.pop(seq)
    assert len(begun) <= 1, begun
    return acks, next(iter(begun.values()), [])


def crash(db: str, seed: int, kill_in: int = 0) -> None:
    """Checkouts, returns, renewals, charges and payments, one after another. Before each
    a DO line, after each commit an ACK line, after a refusal a NO line (all flushed), so
    the parent knows what succeeded and what was under way when the kill came. With
    `kill_in`, the worker SIGKILLs itself in that transaction (or the first after it
    that writes twice) just before its second write statement."""
    rng = random.Random(seed)
    desk = Desk.open(db, clock=load_settings().clock(), branch="PORI", staff="crash")
    writes = [0]  # in the transaction under way
    if kill_in:
        def count_writes(sql: str) -> None:
            if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                writes[0] += 1
                if seq >= kill_in and writes[0] == 2:
                    os.kill(os.getpid(), signal.SIGKILL)

        desk.conn.set_trace_callback(count_writes)
    for seq in range(1_000_000):
        barcode, card = rng.choice(BARCODES), rng.choice(CARDS)
        loan = desk.conn.execute(
            "SELECT c.card FROM loans l JOIN items i ON i.id = l.item_id JOIN cards c ON c.patron_id = l.patron_id"
            " AND c.status = 'active' WHERE i.barcode = ? AND l.returned_at IS NULL", (barcode,)).fetchone()
        roll = rng.random()
        if roll < 0.15:
            op, call = f"charge {card} 100", lambda: desk.fees.charge(card, 100, "testi", "manual")
        elif roll < 0.25:
            if desk.fees.balance(card) < 50:
                continue
            op, call = f"pay {card} 50", lambda: desk.fees.pay(card, 50)
        elif loan is None:
            op, call = f"checkout {barcode} {card}", lambda: desk.loans.checkout(card, barcode)
        elif roll < 0.4:
            op, call = f"renew {barcode} {loan[0]}", lambda: desk.loans.renew(loan[0], barcode)
        else:
            op, call = f"return {barcode}", lambda: desk.loans.return_item(barcode)
        sys.stdout.write(f"DO {seq} {op}\n")
        sys.stdout.flush()
        writes[0] = 0
        try:
            call()
        except Refused:
            sys.stdout.write(f"NO {seq}\n")
        else:
            sys.stdout.write(f"ACK {seq}\n")
        sys.stdout.flush()


def load(db: str, seed: int, seconds: float) -> None:
    """Random desk work for a while; prints what was done and every error that reached us."""
    rng = random.Random(seed)
    desk = Desk.open(db, clock=load_settings().clock(), branch="PORI", staff=f"load{seed}")
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
        crash(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif kind == "load":
        load(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif kind == "setup":
        setup(Desk.open(sys.argv[2], clock=load_settings().clock(), branch="PORI"))
