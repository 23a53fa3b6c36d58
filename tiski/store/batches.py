"""Batch jobs' writes: short steps, so the desks never wait behind an import.

SQLite has one write lock. A desk that finds it taken sleeps in SQLite's busy handler,
which polls after 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then every 100 ms: a job
that holds the lock for seconds makes a checkout wait seconds, and a job that commits and
at once begins again can be polled past every time. So a batch job writes in steps of at
most STEP_HOLD seconds and then leaves the lock free for STEP_PAUSE seconds — longer
than the busy handler's gaps in its first 100 ms — so every desk that was waiting gets in
(benchmarks/fair_waits.py measures it).

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

STEP_HOLD = 0.025  # seconds of writing per step
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
    steps = 0
    while True:
        if not exhausted:
            wanted = PREFETCH - len(pending)
            pending.extend(islice(source, wanted))
            exhausted = len(pending) < PREFETCH
        if not pending:
            return steps
        with transaction(conn):
            started = time.monotonic()
            last = pending.popleft()
            write(last)
            while pending and time.monotonic() - started < hold:
                last = pending.popleft()
                write(last)
            if checkpoint is not None:
                checkpoint(last)
        steps += 1
        if after_step is not None:
            after_step(last)
        if pending or not exhausted:
            time.sleep(pause)


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
