"""Backups with SQLite's online backup API (desks keep working while it copies), and
restores that check everything first: a register made by these migrations exactly
(every table, index and trigger), an intact file, and its tamper evidence."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import invalid
from . import chain
from .db import APPLICATION_ID, TAMPER_EVIDENT_FROM, latest_version, migrate, open_file, schema_version
from .files import Sharing, create_file, make_folder, sharing


def default_backup_path(db_path: Path, now: datetime) -> Path:
    return db_path.parent / "backups" / f"{db_path.stem}-{now:%Y%m%d-%H%M%S}.sqlite"


@contextmanager
def _new_file_beside(target: Path, how: Sharing) -> Iterator[Path]:
    """A new file with an unguessable name in the target's folder, made with
    O_EXCL|O_NOFOLLOW (nothing planted there is followed); removed unless renamed."""
    make_folder(target.parent, how)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
    os.close(create_file(partial, how))
    try:
        yield partial
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)


def backup_to(conn: sqlite3.Connection, target: Path, before_copy: Callable[[], None] | None = None) -> int:
    """Copy the live register to `target` — by way of a new file beside it, so a
    half-written backup never carries the final name — with the register's own mode
    (0600, or 0660 for a shared one). `before_copy` runs once that file could be made
    (the audit record, which the copy then holds). Returns the size in bytes."""
    target = Path(target)
    if target.is_dir():  # found now, not when the copy is renamed: by then the record is written
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    with _new_file_beside(target, sharing(conn)) as partial:
        if before_copy is not None:
            before_copy()
        with closing(sqlite3.connect(partial)) as dest:
            conn.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        os.replace(partial, target)
    return target.stat().st_size


def copy_file(source: Path, target: Path, how: Sharing) -> None:
    """A byte copy (a register that is not one cannot be opened to back it up)."""
    with _new_file_beside(target, how) as partial:
        with open(source, "rb") as src, os.fdopen(os.open(partial, os.O_WRONLY | os.O_NOFOLLOW), "wb") as dest:
            shutil.copyfileobj(src, dest)
        os.replace(partial, target)


# --- checking a backup ------------------------------------------------------------------------

@dataclass(frozen=True)
class Checked:
    version: int
    evidence: chain.Evidence | None  # None: made before tamper evidence (schema < TAMPER_EVIDENT_FROM)


def schema_of(conn: sqlite3.Connection) -> set[tuple[str, str, str, str | None]]:
    """Every table, index, trigger and view as SQLite keeps it (statistics aside)."""
    return {(row[0], row[1], row[2], row[3]) for row in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_stat%' AND name != 'sqlite_sequence'")}


def reference_schema(version: int) -> set[tuple[str, str, str, str | None]]:
    """What the migrations make, up to `version`, in a fresh register in memory."""
    with closing(open_file(Path(":memory:"))) as conn:
        migrate(conn, upto=version)
        return schema_of(conn)


@contextmanager
def private_copy(source: Path, beside: Path) -> Iterator[Path]:
    """The backup copied to a new private file beside the register: checked and read
    there, so nothing SQLite makes while reading it (-wal, -shm) is ever anyone's but
    ours, and the file cannot change between the check and the restore."""
    if not Path(source).is_file():
        raise invalid("file", path=str(source))
    with _new_file_beside(beside, Sharing()) as copy:
        with open(source, "rb") as src, open(copy, "r+b") as dest:
            shutil.copyfileobj(src, dest)
        yield copy


def check(path: Path, *, unsealed_ok: bool = False, shown: Path | None = None) -> Checked:
    """Check a register file (a private copy, see `private_copy`): SQLite that says it is
    a Tiski register, intact, with exactly the schema the migrations make for its
    version, and — from TAMPER_EVIDENT_FROM on — tamper evidence that holds. A file from
    before the tamper evidence has none to check (and migration 7 would seal its rows as
    genuine): refused unless `unsealed_ok`. Refuses otherwise, naming the file as `shown`
    (the admin's file, not the private copy)."""
    named = str(shown if shown is not None else path)
    try:
        with closing(open_file(path)) as conn:
            version = schema_version(conn)
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            intact = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            orphans = conn.execute("PRAGMA foreign_key_check").fetchone() is not None
            schema = schema_of(conn)
            if not 1 <= version <= latest_version():
                raise invalid("backup_schema", path=named)
            if not intact or orphans or (version >= TAMPER_EVIDENT_FROM and application_id != APPLICATION_ID):
                raise invalid("backup_unreadable", path=named)
            if schema != reference_schema(version):
                raise invalid("backup_not_tiski", path=named)
            evidence = chain.verify(conn) if version >= TAMPER_EVIDENT_FROM else None
    except sqlite3.DatabaseError:
        raise invalid("backup_unreadable", path=named) from None
    if evidence is None and not unsealed_ok:
        raise invalid("backup_unsealed", path=named, version=version)
    if evidence is not None and not evidence.intact:
        raise invalid("backup_tampered", findings=", ".join(f"{f.what} {f.where}" for f in evidence.findings[:5]))
    return Checked(version, evidence)


def restore_from(conn: sqlite3.Connection, db_path: Path, source: Path, now: datetime, *,
                 unsealed_ok: bool = False) -> tuple[Path, Checked]:
    """Check `source` (see `check`; `unsealed_ok` lets a backup from before the tamper
    evidence through), keep the current register beside it, then copy the backup in
    through the live connection (other desks see the restored data at once). Returns
    where the old register was kept, and what the check found."""
    with private_copy(source, db_path) as copy:
        checked = check(copy, unsealed_ok=unsealed_ok, shown=Path(source))
        kept = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        backup_to(conn, kept)
        with closing(sqlite3.connect(copy)) as src:
            src.backup(conn)
    migrate(conn)
    chain.watch(conn)
    return kept, checked

