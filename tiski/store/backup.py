"""Backups with SQLite's online backup API: desks keep working while it copies."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from ..core.errors import invalid
from .db import latest_version, migrate


def default_backup_path(db_path: Path, now: datetime) -> Path:
    return db_path.parent / "backups" / f"{db_path.stem}-{now:%Y%m%d-%H%M%S}.sqlite"


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def backup_to(conn: sqlite3.Connection, target: Path) -> int:
    """Copy the live database to `target` (via a temporary file, so a half-written
    backup never carries the final name). Returns the size in bytes."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    _private_file(partial)
    dest = sqlite3.connect(partial)
    try:
        conn.backup(dest, pages=1024)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    os.replace(partial, target)
    return target.stat().st_size


def verify_backup(path: Path) -> int:
    """Open a backup read-only and check it: integrity, and a schema this Tiski knows.
    Returns its schema version."""
    if not Path(path).is_file():
        raise invalid("file", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise invalid("backup_unreadable", path=str(path)) from None
    if result != "ok" or not {"patrons", "items", "loans", "fees"} <= tables:
        raise invalid("backup_unreadable", path=str(path))
    if not 1 <= version <= latest_version():
        raise invalid("backup_schema", path=str(path))
    return version


def restore_from(conn: sqlite3.Connection, db_path: Path, source: Path, now: datetime) -> Path:
    """Verify `source`, keep the current database beside it, then copy the backup in
    through the live connection (other desks see the restored data at once)."""
    verify_backup(source)
    kept = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    backup_to(conn, kept)
    src = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    try:
        src.backup(conn)
    finally:
        src.close()
    migrate(conn)
    return kept
