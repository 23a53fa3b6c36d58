"""One SQLite file: connection set-up, ordered migrations, atomic write transactions.

A register says it is one (`PRAGMA application_id`); any other file is refused, so
`--db bookmarks.db` never turns someone's file into a register. Before a migration
changes a register, a backup of it is made beside it.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import Unavailable
from . import chain
from .files import PRIVATE, Sharing, create_file, make_folder

BUSY_TIMEOUT_MS = 10_000
APPLICATION_ID = 0x5449534B  # 'TISK', set by the tamper-evidence migration
TAMPER_EVIDENT_FROM = 7  # the schema version that seals the audit trail and the ledger
# The newest schema: the number of the last migration file. Opening a register already
# at it lists no migrations (every command opens one); tests/store/test_migrations.py
# holds this to the files, so a new migration must raise it.
LATEST_SCHEMA = 12


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
    upgrade: Callable[[sqlite3.Connection], None] = importlib.import_module(
        f"{__package__}.migrations.{entry.stem}").upgrade
    return upgrade


def latest_version() -> int:
    return LATEST_SCHEMA


def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # WAL + NORMAL: a crash of the program never loses a committed transaction;
    # only a power cut may roll back the last few. Never corrupts.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Deleted rows (retention, emptied identity codes) are overwritten, not left in
    # free pages, whatever the build's default.
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    chain.pending(conn)  # ledger rows this connection writes, to be sealed (see chain.watch)
    return conn


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open an existing register and bring its schema up to date (a backup first). A
    file that is not a register is refused before anything is written to it."""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(str(path))
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not is_register(conn):
            raise Unavailable("not_register")
        _configure(conn)
        version = schema_version(conn)
        if version == LATEST_SCHEMA:
            _vacuum_if_due(conn)  # all migrate would do: the files need not be listed
        else:
            if 0 < version < LATEST_SCHEMA:
                _backup_before_migration(conn, path)
            migrate(conn)
    except BaseException:
        conn.close()
        raise
    chain.watch(conn)
    return conn


def create(path: str | os.PathLike[str], sharing: Sharing = PRIVATE) -> sqlite3.Connection:
    """Create a new register file: its owner's only, or shared with a group."""
    path = Path(path)
    make_folder(path.parent, sharing)
    os.close(create_file(path, sharing))
    conn = open_file(path)
    migrate(conn)
    chain.watch(conn)
    return conn


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes whenever another connection (a desk, a machine, a job)
    commits to the file — never for this connection's own writes."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def database_file(conn: sqlite3.Connection) -> Path:
    """The file a connection has open."""
    return Path(conn.execute("PRAGMA database_list").fetchone()["file"])
def open_file(path: Path) -> sqlite3.Connection:
    """A configured connection to a file, nothing checked or changed yet."""
    return _configure(sqlite3.connect(path, isolation_level=None, check_same_thread=False))


def is_register(conn: sqlite3.Connection) -> bool:
    """A Tiski register: its application id, or (before TAMPER_EVIDENT_FROM set it) the tables
    the first schema made."""
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if application_id == APPLICATION_ID:
        return True
    if application_id != 0 or schema_version(conn) == 0:
        return False
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"settings", "branches", "patrons", "cards", "items", "loans", "fees", "staff"} <= tables


def _backup_before_migration(conn: sqlite3.Connection, path: Path) -> None:
    from datetime import datetime

    from .backup import backup_to

    version = schema_version(conn)
    backup_to(conn, path.with_name(f"{path.name}.schema{version}-{datetime.now():%Y%m%d-%H%M%S}"))


def open_alone(path: Path) -> sqlite3.Connection:
    """A connection that holds the register alone from here on: nobody else may open
    it. Refused at once (Unavailable 'in_use') while any other connection — a desk left
    open — has it open: in WAL mode every open connection keeps a shared lock on the
    file, so an exclusive lock is the answer to "is anyone else here?"."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError:
        conn.close()  # a failed attempt can leave a pending lock: only closing lets it go
        raise Unavailable("in_use") from None
    conn.execute("PRAGMA journal_mode = DELETE")  # the write-ahead log folded in: one file
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    chain.watch(conn)
    return conn


def remove_files(path: Path) -> None:
    """A register file and what SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> int:
    """Apply the migrations the file lacks (up to `upto`), each in its own transaction.
    Another process may be migrating the same file: each step checks the version again
    under the write lock."""
    migrations = _migrations()[:upto]
    if schema_version(conn) > len(_migrations()):
        raise Unavailable("too_new", found=schema_version(conn), known=len(_migrations()))
    for version, entry in enumerate(migrations, start=1):
        if schema_version(conn) >= version:
            continue
        step = _step(entry)
        with transaction(conn):
            if schema_version(conn) >= version:
                continue
            if callable(step):
                step(conn)
            else:
                for statement in split_script(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
    _vacuum_if_due(conn)
    return schema_version(conn)


def _vacuum_if_due(conn: sqlite3.Connection) -> None:
    """A migration that emptied personal data asks for the file to be rewritten, so no
    old bytes stay in its free pages or its write-ahead log (see 0007_tamper_evidence)."""
    if schema_version(conn) < TAMPER_EVIDENT_FROM or conn.execute("SELECT 1 FROM settings WHERE key = 'vacuum_due'").fetchone() is None:
        return
    conn.execute("VACUUM")
    with transaction(conn):
        conn.execute("DELETE FROM settings WHERE key = 'vacuum_due'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def split_script(script: str) -> list[str]:
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
def transaction(conn: sqlite3.Connection,
                before_commit: Callable[[], None] | None = None) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, so a decision
    read inside the transaction still holds when it is written. `before_commit`
    writes what must be in the same transaction (the audit trail's row); the fee
    ledger rows it wrote are sealed last (store/chain.py).

    Inside a transaction already under way it is a SAVEPOINT: a call composed of
    other calls commits or rolls back as one, and a refused inner step undoes only
    itself.

    SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error):
    then there is nothing left to roll back, and the error that says why is the one raised,
    not a "cannot rollback — no transaction is active" in its place."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
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
        chain.seal_pending(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


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
