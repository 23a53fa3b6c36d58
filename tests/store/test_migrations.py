"""A register made by the first schema upgrades with its data (tests/fixtures/schema1.sqlite
was written by schema 1: identity codes still in clear, no audit trail, no digi-support)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from tiski.clock import ManualClock
from tiski.desk import Desk
from tiski.store.db import latest_version, schema_version

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema1.sqlite"


def test_the_first_schema_upgrades_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    desk = Desk.open(path, clock=ManualClock(datetime(2026, 7, 1, 12)), branch="PORI")
    assert schema_version(desk.conn) == latest_version() > 1
    view = desk.patrons.view("S1-0001")
    assert view.name == "Aino Virtanen" and view.hetu_masked == "131052-****"
    assert [loan.barcode for loan in view.loans] == ["S1B001"] and view.balance_cents == 150
    assert desk.conn.execute("SELECT COUNT(*) FROM patrons WHERE hetu IS NOT NULL").fetchone()[0] == 0
    assert desk.patrons.export("S1-0001")["patron"]["hetu"] == "131052-308T"
    assert [h.status for h in desk.patrons.view("S1-0002").holds] == ["queued"]
    # The upgraded register works on: a return traps the copy for Eino's hold.
    result = desk.loans.return_item("S1B001")
    assert result.hold.card == "S1-0002" and result.late_fee_cents == 25 * 2
    desk.digituki.queue_add("Aino", "e_services", "own_phone")
    assert desk.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] >= 1


def test_the_fixture_is_really_the_first_schema():
    import sqlite3

    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT hetu FROM patrons WHERE id = 1").fetchone()[0] == "131052-308T"
    conn.close()


def test_the_newest_schema_is_the_last_migration_file():
    """Opening a register at LATEST_SCHEMA skips listing the migration files: a new
    migration that did not raise it would never run on an up-to-date register."""
    from tiski.store import db

    assert db.LATEST_SCHEMA == len(db._migrations()) == int(db._migrations()[-1].name[:4])


def test_an_up_to_date_register_opens_without_listing_the_migrations(tmp_path, monkeypatch):
    from tiski.store import db

    db.create(tmp_path / "new.sqlite").close()
    monkeypatch.setattr(db, "_migrations", lambda: (_ for _ in ()).throw(AssertionError("listed")))
    conn = db.connect(tmp_path / "new.sqlite")
    assert schema_version(conn) == db.LATEST_SCHEMA
    conn.close()
