"""The SQLite file: pragmas, versioned schema, atomicity (the lookup paths: test_query_plans)."""

import functools
import os
import sqlite3
import stat

import pytest

from tiski.core.errors import Refused, refuse
from tiski.store.db import DatabaseMissing, connect, create, latest_version, migrate, schema_version

from ..conftest import item, patron


def test_connection_settings(desk):
    conn = desk.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_schema_is_versioned_and_migrating_twice_changes_nothing(desk):
    assert schema_version(desk.conn) == latest_version() >= 1
    assert migrate(desk.conn) == latest_version()


def test_a_new_file_is_private(tmp_path):
    create(tmp_path / "new.sqlite").close()
    assert stat.S_IMODE(os.stat(tmp_path / "new.sqlite").st_mode) == 0o600


def test_a_missing_file_is_never_created_by_connect(tmp_path):
    with pytest.raises(DatabaseMissing):
        connect(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


def test_full_text_search_tables_exist(desk):
    names = {r[0] for r in desk.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"patrons_fts", "records_fts"} <= names


def test_an_item_can_never_be_on_two_active_loans(desk):
    patron(desk, "P0001")
    item(desk, "B0001")
    desk.loans.checkout("P0001", "B0001")
    with pytest.raises(sqlite3.IntegrityError):
        desk.conn.execute(
            "INSERT INTO loans (item_id, patron_id, card, branch, loaned_at, due_date, due_at)"
            " SELECT item_id, patron_id, card, branch, loaned_at, due_date, due_at FROM loans"
        )


def test_a_failing_transaction_leaves_nothing_behind(desk):
    patron(desk, "P0001")
    item(desk, "B0001")
    with pytest.raises(Refused):
        with desk.write():
            desk.conn.execute("UPDATE items SET loanable = 0")
            raise refuse("NOT_ALLOWED")  # any refusal mid-way
    assert desk.conn.execute("SELECT loanable FROM items").fetchone()[0] == 1


def test_every_area_lists_its_calls_with_their_signatures():
    """Mutation caught: a facade call that loses its role check (listed without `call`)."""
    import inspect

    from tiski.desk import Desk

    areas = [name for name, value in vars(Desk).items() if isinstance(value, functools.cached_property)]
    assert {"patrons", "loans", "holds", "fees", "digituki", "kirjakassi", "admin"} <= set(areas)
    desk = Desk.__new__(Desk)
    for name in areas:
        area = getattr(Desk, name).func(desk)
        calls = [v for k, v in vars(type(area)).items() if callable(v) and not k.startswith("_")]
        assert calls, name
        for method in calls:
            assert getattr(method, "__wrapped__", None) is not None, f"{name}.{method.__name__} is not a facade call"
            assert next(iter(inspect.signature(method.__wrapped__).parameters)) == "desk"


def test_a_busy_register_reaches_the_facade_caller_as_unavailable(desk, db_path):
    """Mutation caught: `perform` no longer translating sqlite3 errors (the shells would
    see sqlite3's own exception and its SQL)."""
    from tiski.core.errors import Unavailable

    patron(desk, "P0001")
    item(desk, "B0001")
    desk.conn.execute("PRAGMA busy_timeout = 20")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Unavailable) as caught:
            desk.loans.checkout("P0001", "B0001")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.reason == "busy"
    assert desk.patrons.view("P0001").loans == ()  # nothing half-written
