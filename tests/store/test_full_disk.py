"""A full disk is reported as a full disk.

SQLite rolls a transaction back by itself when a write fails for want of space; a
ROLLBACK after that fails with "cannot rollback - no transaction is active", and that
error used to replace the real one (the desk said "internal error" instead of "the disk
is full"). The disk is filled for real: a child process with a file-size limit
(RLIMIT_FSIZE, SIGXFSZ ignored so the write returns EFBIG as on a full disk).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHILD = r"""
import resource, signal, sqlite3, sys
from tiski.store.db import connect, transaction, unavailable

conn = connect(sys.argv[1])
conn.execute("PRAGMA cache_size = 50")  # spill to the WAL early, mid-transaction
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))
try:
    with transaction(conn):
        for n in range(20_000):
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"filler{n}", "x" * 500))
except sqlite3.Error as error:
    print(type(error).__name__, unavailable(error).reason, error)
    print("in transaction after:", conn.in_transaction)
"""


def test_the_real_cause_of_a_failed_write_is_reported(db_path: Path):
    """Mutation caught: `transaction()` rolling back without asking `conn.in_transaction`
    (the error becomes "cannot rollback", reason "other"), or COMMIT outside the try."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(db_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    first, second = result.stdout.splitlines()[:2]
    assert "cannot rollback" not in first
    assert first.split()[1] == "disk_full", first
    assert second == "in transaction after: False"
