"""Batch jobs' writes: short steps, so the desks never wait behind an import.

SQLite has one write lock. A desk that finds it taken sleeps in SQLite's busy handler,
which polls after 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then every 100 ms: a job
that holds the lock for seconds makes a checkout wait seconds, and a job that commits and
at once begins again can be polled past every time. So a batch job writes in steps of at
most STEP_HOLD seconds and then leaves the lock free for STEP_PAUSE seconds — longer
than the busy handler's gaps in its first 100 ms — so every desk that was waiting gets in
(benchmarks/fair_waits.py measures it).

Two batch jobs at once must not hand the lock to each other: a job that finds the lock
just freed by another's step (the free time is written with each step, in `settings`)
lets it go again at once and waits for the free time to pass.

A step records where the job has got to (a checkpoint in `settings`) in its own
transaction: a job stopped half-way (a full disk, a power cut, Ctrl+C) keeps what its
earlier steps wrote and carries on from the checkpoint when it is run again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import deque
from itertools import islice
from typing import Any, Callable, Iterable, TypeVar

from .db import transaction

STEP_HOLD = 0.010  # seconds of writing per step
STEP_PAUSE = 0.030  # seconds the lock is left free after each step
PREFETCH = 256  # units read and prepared ahead, outside the lock

Unit = TypeVar("Unit")


def in_short_steps(
    conn: sqlite3.Connection,
    units: Iterable[Unit],
    write: Callable[[Unit], None],
    *,
    checkpoint: Callable[[Unit], None] | None = None,
    after_step: Callable[[Unit], None] | None = None,
    hold: float = STEP_HOLD,
    pause: float = STEP_PAUSE,
) -> int:
    """Write every unit, in transactions of at most `hold` seconds each. Units are read
    ahead outside the lock (reading and parsing a file costs the desks nothing);
    `checkpoint(last unit)` runs inside each step's transaction, `after_step` after its
    commit (a progress bar). A failure rolls back only the step under way. Returns the
    number of steps."""
    source = iter(units)
    pending: deque[Unit] = deque()
    exhausted = False

    def read_ahead() -> None:
        nonlocal exhausted
        wanted = PREFETCH - len(pending)
        pending.extend(islice(source, wanted))
        exhausted = len(pending) < PREFETCH

    steps = 0
    while True:
        if not exhausted:
            read_ahead()
        if not pending:
            return steps
        try:
            with transaction(conn):
                _wait_for_the_free_time(conn)
                started = time.monotonic()
                while True:
                    last = pending.popleft()
                    write(last)
                    if time.monotonic() - started >= hold:
                        break
                    if not pending and not exhausted:
                        read_ahead()  # a step longer than what was read ahead: read on under the lock
                    if not pending:
                        break
                if checkpoint is not None:
                    checkpoint(last)
                _free_until(conn, time.time() + pause)
        except _NotYet as not_yet:
            time.sleep(not_yet.seconds)
            continue
        steps += 1
        if after_step is not None:
            after_step(last)
        if pending or not exhausted:
            time.sleep(pause)


class _NotYet(Exception):
    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def _wait_for_the_free_time(conn: sqlite3.Connection) -> None:
    """Inside a step's transaction, before it writes: when another batch job's free
    time is still running, give the lock back (the rollback) and come back after it."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'batch:free_until'").fetchone()
    left = float(row[0]) - time.time() if row else 0.0
    if 0 < left <= 1.0:  # further ahead, the clock was set back since: not a free time
        raise _NotYet(left)


def _free_until(conn: sqlite3.Connection, moment: float) -> None:
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('batch:free_until', ?)", (repr(moment),))


def saved_checkpoint(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (f"checkpoint:{key}",)).fetchone()
    return json.loads(row[0]) if row else None


def save_checkpoint(conn: sqlite3.Connection, key: str, state: dict[str, Any]) -> None:
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (f"checkpoint:{key}", json.dumps(state)))


def clear_checkpoint(conn: sqlite3.Connection, key: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM settings WHERE key = ?", (f"checkpoint:{key}",))


def refresh_statistics(conn: sqlite3.Connection) -> None:
    """ANALYZE after a bulk change, so the query planner knows the new sizes. The
    analysis limit samples each index instead of reading it all: milliseconds even
    at 500,000 items, so the desks do not wait for it either."""
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")
