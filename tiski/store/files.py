"""Files that belong to a register (the database, its backups, its keys): private to
their owner, or shared with the register's group when the register is.

A register is private (mode 0600, the default) or shared with a Unix group (mode
0660, `tiski init --group tiski`, for several staff logging in over SSH). Every file
Tiski makes for it follows the register: its backups 0600 or 0660, its key files
0600 or 0640, with the register's group. Files are created with O_EXCL|O_NOFOLLOW,
so nothing already at the path — a symlink planted there among them — is followed
or overwritten.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import invalid


@dataclass(frozen=True)
class Sharing:
    """How a register's files are shared: `group` None for private ones."""

    group: int | None = None

    @property
    def file_mode(self) -> int:
        return 0o600 if self.group is None else 0o660

    @property
    def key_mode(self) -> int:
        return 0o600 if self.group is None else 0o640

    @property
    def folder_mode(self) -> int:
        return 0o700 if self.group is None else 0o2770


PRIVATE = Sharing()


def group_sharing(name: str) -> Sharing:
    """Shared with a Unix group (`tiski init --group tiski`)."""
    import grp

    try:
        return Sharing(grp.getgrnam(name).gr_gid)
    except KeyError:
        raise invalid("group", value=name) from None


def sharing_of(path: Path) -> Sharing:
    """A register file shared with its group (group read and write) shares its files."""
    try:
        info = os.stat(path)
    except OSError:
        return PRIVATE
    mode = stat.S_IMODE(info.st_mode)
    return Sharing(info.st_gid) if mode & 0o060 == 0o060 else PRIVATE


def register_path(conn: sqlite3.Connection) -> Path | None:
    """The file behind a connection (None in memory)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def sharing(conn: sqlite3.Connection) -> Sharing:
    path = register_path(conn)
    return sharing_of(path) if path is not None else PRIVATE


def make_folder(folder: Path, how: Sharing) -> None:
    """The folder, made with the register's sharing when it does not exist yet (an
    existing folder is the admin's: its mode is left alone)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    if how.group is not None:
        os.chown(folder, -1, how.group)
    os.chmod(folder, how.folder_mode)


def create_file(path: Path, how: Sharing = PRIVATE, *, mode: int | None = None) -> int:
    """Create a new file (never one already there, never through a symlink) with the
    register's mode and group; returns an open descriptor for writing."""
    mode = how.file_mode if mode is None else mode
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        if how.group is not None:
            os.fchown(fd, -1, how.group)
        os.fchmod(fd, mode)  # the umask narrows a shared mode: set it exactly
    except OSError:
        os.close(fd)
        os.unlink(path)
        raise
    return fd
