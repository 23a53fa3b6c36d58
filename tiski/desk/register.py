"""The register as a whole: its branches, backups and restores, replacing it, the
audit trail and its tamper evidence, retention. Admins' work, but for the list of
branches."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from ..clock import HELSINKI
from ..core.errors import invalid
from ..store import branches as branch_store
from ..store.files import PRIVATE, group_sharing, register_path, sharing_of
from .area import Area, call, patron_read
from .context import DeskContext, stored_policy

if TYPE_CHECKING:
    from ..store import chain
    from ..store.audit import AuditEntry

# The stores of backups, the trail and the chains, and the retention run (which pulls in
# the Digituki desk), are imported by the calls that use them: `tiski branch list`
# loads none of them (tests/cli/test_start_imports.py).

T = TypeVar("T")


@dataclass(frozen=True)
class BranchInfo:
    code: str
    name: str
    closes: str
    closed_weekdays: str
    closures: tuple[tuple[str, str], ...]  # (day, reason) from today on


@dataclass(frozen=True)
class BackupDone:
    file: Path
    bytes: int


def branches(desk: DeskContext) -> list[BranchInfo]:
    conn, today = desk.conn, desk.today()
    listed = []
    for b in branch_store.all_branches(conn):
        closures = tuple((c.day.isoformat(), c.reason or "") for c in branch_store.closures(conn, b.code, today))
        listed.append(BranchInfo(b.code, b.name, b.closes, b.closed_weekdays, closures))
    return listed


def _path(desk: DeskContext) -> Path:
    path = register_path(desk.conn)
    if path is None:
        raise invalid("database_missing", path=":memory:")
    return path


def backup(desk: DeskContext, file: Path | None = None) -> BackupDone:
    """An online copy (desks keep working), with the register's own file mode; the copy
    holds the record of who made it."""
    from ..store import backup as backup_store

    target = file or backup_store.default_backup_path(_path(desk), datetime.now())
    return BackupDone(target, backup_store.backup_to(desk.conn, target, before_copy=lambda: _record(desk)))


def _record(desk: DeskContext) -> None:
    """The call's audit record now (a call that writes nothing else)."""
    with desk.write():
        pass


@dataclass(frozen=True)
class Restored:
    kept: Path  # where the register as it was before the restore is kept
    version: int  # the backup's schema version
    unsealed: bool  # made before the tamper evidence: restored unchecked (`unsealed_ok`)


def restore(desk: DeskContext, file: Path, unsealed_ok: bool = False) -> Restored:
    """Replace the register with a checked backup (see store/backup.py `check`); the
    old one is kept beside it, and the restore is recorded in the restored trail (with
    `unsealed_ok=True` when the admin let a backup from before the tamper evidence in)."""
    from ..store import backup as backup_store

    kept, checked = backup_store.restore_from(desk.conn, _path(desk), file, datetime.now(), unsealed_ok=unsealed_ok)
    desk.policy = stored_policy(desk.conn)
    desk.act_as(desk.staff)
    _record(desk)  # in the restored register's trail
    return Restored(kept, checked.version, checked.evidence is None)


def init(desk: DeskContext) -> Path:
    """Make way for a new register in this one's place (`init --force`): refused while
    anyone else has it open (an exclusive lock, held until it is gone), backed up
    first — with the record of who replaced it. The desk is closed after. Returns the
    backup."""
    from ..store import backup as backup_store
    from ..store import db as store_db

    path = _path(desk)
    desk.conn.close()
    desk.conn = store_db.open_alone(path)
    target = path.with_name(f"{path.name}.before-init-{datetime.now():%Y%m%d-%H%M%S}")
    backup_store.backup_to(desk.conn, target, before_copy=lambda: _record(desk))  # the record in the backup
    desk.conn.close()
    store_db.remove_files(path)
    return target


def set_aside(path: Path) -> Path:
    """`init --force` over a file that is not a register: a byte copy kept beside it."""
    from ..store import backup as backup_store
    from ..store import db as store_db

    target = path.with_name(f"{path.name}.before-init-{datetime.now():%Y%m%d-%H%M%S}")
    backup_store.copy_file(path, target, sharing_of(path))
    store_db.remove_files(path)
    return target


def create_register(path: Path, *, group: str | None = None, like: Path | None = None,
                    fill: Callable[[sqlite3.Connection], T] | None = None) -> T | None:
    """A new, empty register — its owner's only, shared with a Unix group, or shared as
    the file `like` is (the one it replaces) — and what `fill` puts in it (the demo)."""
    from ..store import db as store_db

    if path.exists():
        raise invalid("database_exists", path=str(path))
    how = group_sharing(group) if group else sharing_of(like) if like else PRIVATE
    conn = store_db.create(path, how)
    try:
        return fill(conn) if fill is not None else None
    finally:
        conn.close()


def audit(desk: DeskContext, card: str | None = None, staff: str | None = None,
          since: date | None = None) -> list[AuditEntry]:
    """The trail by patron and/or member of staff, from a day on by the real time."""
    from ..store import audit as audit_store

    if not card and not staff:
        raise invalid("audit_filter")
    patron_id = desk.find_card(card, for_circulation=False).id if card else None
    moment = datetime.combine(since, time(), HELSINKI) if since else None
    return audit_store.entries(desk.conn, patron_id=patron_id, staff=staff, since=moment)


def verify_audit(desk: DeskContext) -> chain.Evidence:
    """Both chains and their guards (see store/chain.py)."""
    from ..store import chain

    return chain.verify(desk.conn)


def retention(desk: DeskContext) -> dict[str, int]:
    """The daily run, one transaction (desk/retention.py)."""
    from .retention import retention as run

    return run(desk)


class Register(Area):
    """The register as a whole."""

    name = "register"
    branches = call(branches)
    backup = call(backup)
    restore = call(restore)
    init = call(init)
    audit = patron_read(audit)
    verify_audit = call(verify_audit)
    retention = call(retention)
