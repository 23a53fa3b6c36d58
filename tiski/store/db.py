"""One SQLite file: connection set-up, ordered migrations, atomic write transactions."""

from __future__ import annotations

import importlib
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import Unavailable

BUSY_TIMEOUT_MS = 10_000


def unavailable(error: sqlite3.Error) -> Unavailable:
    """What a database error means to the person at the desk (never its SQL or values)."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return Unavailable("busy")
    if "full" in text or "disk i/o" in text:
        return Unavailable("disk_full")
    if "readonly" in text or "read-only" in text:
        return Unavailable("read_only")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return Unavailable("corrupt")
    return Unavailable("other")


class DatabaseMissing(Exception):
    """The database file does not exist (commands other than init never create one)."""


class SchemaTooNew(Exception):
    """The file was written by a newer Tiski than this one."""


def _migrations() -> list[Path]:
    """The migration files NNNN_name.sql and NNNN_name.py (Python where SQL alone
    cannot do it), in order. Only their names are read: opening an up-to-date register
    loads none of them."""
    found = sorted((entry for entry in (Path(__file__).parent / "migrations").iterdir()
                    if entry.name[:4].isdigit() and entry.suffix in (".sql", ".py")), key=lambda e: e.name)
    versions = [int(entry.name[:4]) for entry in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return found


def _step(entry: Path) -> str | Callable[[sqlite3.Connection], None]:
    if entry.suffix == ".sql":
        return entry.read_text(encoding="utf-8")
    return importlib.import_module(f"{__package__}.migrations.{entry.stem}").upgrade


def latest_version() -> int:
    return len(_migrations())


def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # WAL + NORMAL: a crash of the program never loses a committed transaction;
    # only a power cut may roll back the last few. Never corrupts.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open an existing database and bring its schema up to date."""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(str(path))
    conn = _configure(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
    migrate(conn)
    return conn


def create(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Create a new database file, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    conn = _configure(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
    migrate(conn)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the file lacks, each in its own transaction."""
    current = schema_version(conn)
    migrations = _migrations()
    if current > len(migrations):
        raise SchemaTooNew(f"schema {current} > {len(migrations)}")
    for version, entry in enumerate(migrations[current:], start=current + 1):
        step = _step(entry)
        with transaction(conn):
            if callable(step):
                step(conn)
            else:
                for statement in _split(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
    return schema_version(conn)


def _split(script: str) -> list[str]:
    """Split a script into statements (executescript would commit on its own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("incomplete SQL statement at the end of a migration")
    return statements


@contextmanager
def transaction(conn: sqlite3.Connection, before_commit: Callable[[], None] | None = None) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, so a decision
    read inside the transaction still holds when it is written. `before_commit`
    writes what must be in the same transaction (the audit trail's row).

    Inside a transaction already under way it is a SAVEPOINT: a call composed of
    other calls commits or rolls back as one, and a refused inner step undoes only
    itself."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        else:
            conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        if before_commit is not None:
            before_commit()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def close(conn: sqlite3.Connection) -> None:
    """Close a connection as SQLite advises: `PRAGMA optimize` first, which gathers the
    query planner's statistics for the tables this connection used when they are
    missing or stale (bounded by analysis_limit, so a large register costs
    milliseconds). Best effort: a busy register closes without it."""
    try:
        conn.execute("PRAGMA busy_timeout = 200")
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("PRAGMA optimize")
    except sqlite3.Error:
        pass
    finally:
        conn.close()
