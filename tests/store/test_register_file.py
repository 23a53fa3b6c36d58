"""The register as a file: it says it is one, it is backed up before a migration, no
identity code survives in its free pages, a restore takes only what the migrations
make, and the trail's queries use their indexes (issue 9: 6, 10, 12; issue 11: 8)."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from tiski.core.errors import Refused, Unavailable
from tiski.store import chain
from tiski.store.backup import check, reference_schema
from tiski.store.db import APPLICATION_ID, connect, create, latest_version, migrate

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema1.sqlite"


def test_the_guards_are_what_the_migrations_make():
    """The desk's start check compares with chain.GUARDS: they must be exactly the
    triggers a fresh register has. Mutation caught: a migration changing a guard
    without chain.GUARDS following (every desk would refuse to start)."""
    triggers = {name: sql for kind, name, _, sql in reference_schema(latest_version()) if kind == "trigger"}
    assert {name: triggers.get(name) for name in chain.GUARDS} == chain.GUARDS


def test_a_new_register_says_it_is_one(tmp_path):
    with closing(create(tmp_path / "new.sqlite")) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_another_sqlite_file_is_refused_and_left_alone(tmp_path):
    """Mutation caught: connect() migrating any SQLite file (98 objects added, WAL on)."""
    bookmarks = tmp_path / "bookmarks.db"
    with closing(sqlite3.connect(bookmarks)) as conn:
        conn.execute("CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO moz_bookmarks (title) VALUES ('kirjasto')")
        conn.commit()
    before = bookmarks.read_bytes()
    for path in (bookmarks, tmp_path / "empty.db"):
        path.touch()
        with pytest.raises(Unavailable) as caught:
            connect(path)
        assert caught.value.reason == "not_register"
    assert bookmarks.read_bytes() == before and not Path(f"{bookmarks}-wal").exists()


def test_an_old_register_is_backed_up_before_it_is_migrated(tmp_path):
    """Mutation caught: migrating in place with no copy of what was there."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    connect(path).close()
    [kept] = list(tmp_path.glob("old.sqlite.schema1-*"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    with closing(sqlite3.connect(kept)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM patrons").fetchone()[0] == 2


def test_an_upgraded_register_has_its_old_rows_sealed(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    with closing(connect(path)) as conn:
        evidence = chain.verify(conn)
        assert evidence.intact and evidence.ledger_entries >= 1
        assert conn.execute("SELECT COUNT(*) FROM ledger_chain WHERE written_at IS NULL").fetchone()[0] >= 1


def test_no_identity_code_is_left_in_free_pages_after_migration_5(tmp_path):
    """Where SQLite is built without SECURE_DELETE (set OFF here to be such a build),
    migration 5's `hetu = NULL` leaves the codes in the file's free space; migration 7
    rewrites the file. Read on the raw bytes.
    Mutation caught: no VACUUM after migration 7 (the code is found in the file)."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    chain.pending(conn)
    migrate(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    assert b"131052-308T" not in raw and b"308T" not in raw


# --- restore takes only a register these migrations made, intact ------------------------------

def backup_of(desk, tmp_path, name="b.sqlite") -> Path:
    return desk.register.backup(tmp_path / name).file


def test_a_good_backup_is_checked_with_its_evidence(desk, tmp_path):
    checked = check(backup_of(desk, tmp_path))
    assert checked.version == latest_version() and checked.evidence is not None and checked.evidence.intact


def test_a_file_with_four_empty_tables_is_not_a_backup(tmp_path):
    """Mutation caught: restore checking only that a few tables exist (the old check)."""
    fake = tmp_path / "fake.sqlite"
    with closing(sqlite3.connect(fake)) as conn:
        for table in ("patrons", "items", "loans", "fees"):
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
        conn.execute("PRAGMA user_version = 5")
        conn.commit()
    with pytest.raises(Refused) as refused:
        check(fake)
    assert refused.value.first.params["what"] == "backup_not_tiski"


@pytest.mark.parametrize("doctoring", [
    ("DROP TRIGGER fees_no_delete", "DROP TRIGGER fee_settlements_no_delete", "DROP TRIGGER ledger_chain_no_delete",
     "DELETE FROM fee_settlements", "DELETE FROM fees"),
    ("DROP TRIGGER audit_no_delete", "DELETE FROM audit_log", "UPDATE staff SET role = 'admin'"),
    ("DROP INDEX audit_staff_written",),
], ids=["fees-deleted", "trail-deleted", "index-dropped"])
def test_a_doctored_backup_is_refused(desk, tmp_path, doctoring):
    """A backup doctored with `sqlite3`: triggers dropped, the trail or the fees deleted,
    everyone made admin. Mutation caught: a restore check without the schema comparison
    or the chains."""
    from ..conftest import patron

    patron(desk, "P0001")
    desk.fees.charge("P0001", 300, "Kadonnut", "lost")
    desk.fees.pay("P0001", 100)
    backup = backup_of(desk, tmp_path)
    with closing(sqlite3.connect(backup, isolation_level=None)) as conn:
        for statement in doctoring:
            conn.execute(statement)
    with pytest.raises(Refused) as refused:
        check(backup)
    assert refused.value.first.params["what"] in ("backup_tampered", "backup_not_tiski")


def test_a_backup_from_before_the_tamper_evidence_needs_the_admins_word(tmp_path):
    """A backup older than the chains (schema < 7) has no tamper evidence to check, and
    migration 7 would then seal its rows as genuine: refused unless the admin says so.
    Mutation caught: `check` skipping the tamper check of an old backup silently."""
    copy = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, copy)
    with pytest.raises(Refused) as refused:
        check(copy, shown=Path("/backups/old.sqlite"))
    assert refused.value.first.params == {"what": "backup_unsealed", "path": "/backups/old.sqlite", "version": 1}
    checked = check(copy, unsealed_ok=True)
    assert checked.version == 1 and checked.evidence is None


def test_a_refused_backup_is_named_as_the_admin_gave_it(tmp_path):
    """Mutation caught: the message naming the private `.partial` copy that is checked."""
    junk = tmp_path / ".junk.1234.partial"
    junk.write_bytes(b"not a register" * 100)
    with pytest.raises(Refused) as refused:
        check(junk, shown=Path("mine.sqlite"))
    assert refused.value.first.params["path"] == "mine.sqlite"


# --- the trail's queries use their indexes ----------------------------------------------------

def test_the_trails_queries_use_their_indexes(desk):
    """Every query the facade runs on the audit trail — the read check, `audit --staff
    --since`, `audit --patron`, the login backoff — is planned on an index, never a scan
    of the table (traced as they run, then EXPLAINed).
    Mutation caught: `julianday(at) > …` back in the read check, or an index dropped."""
    from datetime import date

    from ..conftest import patron

    patron(desk, "P0001")
    desk.admin.add_staff("admin", "admin", None, "pitka-salasana")
    desk.act_as("admin")
    ran: list[str] = []
    desk.conn.set_trace_callback(ran.append)
    desk.patrons.view("P0001")
    desk.register.audit(staff="admin", since=date(2026, 1, 1))
    desk.register.audit("P0001")
    with pytest.raises(Refused):
        desk.log_in("admin", "väärä")
    desk.conn.set_trace_callback(None)
    plans = {sql: " ".join(row[3] for row in desk.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
             for sql in ran if sql.lstrip().upper().startswith("SELECT") and "FROM audit_log WHERE" in sql}
    assert not [sql for sql, plan in plans.items() if "SCAN audit_log" in plan], plans

    def plan_of(marker: str) -> str:
        return " ".join(plan for sql, plan in plans.items() if marker in sql)

    assert "audit_patron_read (patron_id=? AND staff=? AND written_at>?)" in plan_of("kind = 'read'")
    assert "audit_staff_written (staff=? AND written_at>?)" in plan_of("staff = 'admin' AND written_at >=")
    assert "audit_patron_read (patron_id=?)" in plan_of("WHERE patron_id = 1 ORDER BY")
    assert "audit_sessions (action=? AND written_at>?)" in plan_of("kind = 'session'")
