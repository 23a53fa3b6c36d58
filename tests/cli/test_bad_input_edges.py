"""Issue 9, item 14: the edges where the CLI used to end in "internal error" (or hang).
Each is run as the real `tiski` process, with the bytes and files a careless or hostile
caller would give it, and must end in one clear message and exit 2, nothing written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import patron

CHILD_WITH_FILE_LIMIT = r"""
import resource, signal, sys
from tiski.entry import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail (EFBIG) as on a full disk
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
main()
"""


def tiski(db: Path, *args: str | bytes, env: dict[str, str] | None = None, limit: int | None = None,
          timeout: float = 60) -> subprocess.CompletedProcess:
    environ = {**os.environ, "TISKI_DB": str(db), "TISKI_NOW": "2026-12-02T14:05", "TISKI_LANG": "en",
               "TISKI_BRANCH": "PORI", **(env or {})}
    environ.pop("TISKI_DEBUG", None)
    command: list[str | bytes] = [sys.executable, "-c", CHILD_WITH_FILE_LIMIT, str(limit)] if limit else \
        [sys.executable, "-m", "tiski"]
    return subprocess.run([*command, *args], capture_output=True, env=environ, timeout=timeout)


def refused(result: subprocess.CompletedProcess, *words: str) -> dict:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert b"Traceback" not in result.stderr and b"Internal error" not in result.stderr + result.stdout
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "INVALID_INPUT"
    for word in words:
        assert word in error["message"], error["message"]
    return error


@pytest.fixture
def cli_db(desk, db_path):
    patron(desk, "2028000000001")
    desk.conn.close()
    return db_path


def balance(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM fees").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("amount", ["١٢", "１２", "1,٥٠", "۱۲"])
def test_money_in_other_digits_is_refused(cli_db, amount):
    refused(tiski(cli_db, "fee", "charge", "2028000000001", amount, "--reason", "testi", "--json"))
    assert balance(cli_db) == 0


@pytest.mark.parametrize("now", ["9999-12-31T23:59", "0001-01-01", "1899-12-31T23:59", "2201-01-01"])
def test_a_clock_at_the_ends_of_time_is_refused(cli_db, now):
    """Mutation caught: the year bound taken out of parse_moment (OverflowError in a
    date sum, reported as an internal error)."""
    for command in (["patron", "show", "2028000000001"], ["holds", "expire"]):
        refused(tiski(cli_db, *command, "--json", env={"TISKI_NOW": now}), "TISKI_NOW")


def test_argv_that_is_not_utf8_is_refused(cli_db):
    """Mutation caught: no surrogate check in TiskiGroup (UnicodeEncodeError → internal error)."""
    error = refused(tiski(cli_db, "patron", "find", b"Virta\xff\xfenen", "--json"), "UTF-8")
    assert "Virta" in error["message"]
    refused(tiski(cli_db, "patron", "add", "--card", b"20280\xe4", "--first", "A", "--last", "B",
                  "--birth-date", "1980-01-01", "--json"), "UTF-8")


def test_a_register_of_a_newer_schema_is_refused_untouched(cli_db):
    conn = sqlite3.connect(cli_db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    refused(tiski(cli_db, "patron", "show", "2028000000001", "--json"), "newer Tiski", "99")
    conn = sqlite3.connect(cli_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


@pytest.mark.parametrize("text", ['{"genres": ' + "[" * 100_000 + "]" * 100_000 + "}",
                                  "genres = " + "[" * 100_000 + "]" * 100_000], ids=["json", "toml"])
def test_interview_answers_nested_100k_deep_are_refused(cli_db, tmp_path, text):
    path = tmp_path / "answers"
    path.write_text(text, encoding="utf-8")
    refused(tiski(cli_db, "kirjakassi", "interview", "2028000000001", "--file", str(path), "--json"))


def test_policy_check_of_an_endless_file_answers_at_once(cli_db):
    """Mutation caught: reading the whole file (`policy check /dev/zero` never ends: the
    timeout fails the test)."""
    refused(tiski(cli_db, "policy", "check", "/dev/zero", "--json", timeout=20), "1000000")


def test_a_csv_field_over_the_csv_limit_is_refused_with_its_line(cli_db, tmp_path):
    path = tmp_path / "patrons.csv"
    path.write_text("card,last,birth_date\n2028000000009,Pitkä,1980-01-01\n2028000000010," + "x" * 140_000
                    + ",1980-01-01\n", encoding="utf-8")
    refused(tiski(cli_db, "import", "patrons", str(path), "--json"), "Line 3", "131072")


def test_a_full_disk_during_an_import_says_so_and_the_import_carries_on_afterwards(cli_db, tmp_path):
    """The file may not grow past its size: the import's first step fails as on a full
    disk. The message says the disk is full (not "cannot rollback"), and the same import
    run again with room carries on and finishes.

    Mutation caught: transaction() rolling back what SQLite already rolled back (the
    reason becomes "the register did not answer")."""
    from pymarc import Field, Indicators, Leader, Record, Subfield

    path = tmp_path / "many.mrc"
    with path.open("wb") as out:
        for n in range(3000):
            record = Record(force_utf8=True)
            record.leader = Leader("00000nam a2200000 i 4500")
            record.add_field(Field(tag="001", data=f"FULL{n}"))
            record.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                                   subfields=[Subfield("a", f"Kirja {n} " + "x" * 300)]))
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "),
                                   subfields=[Subfield("p", f"FULL{n:06d}"), Subfield("a", "PORI")]))
            out.write(record.as_marc())
    limit = cli_db.stat().st_size + 200_000
    stopped = tiski(cli_db, "import", "marc", str(path), "--json", limit=limit)
    refused(stopped, "the disk is full", "run the same command again")
    done = tiski(cli_db, "import", "marc", str(path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["import"]
    assert report["totals"]["rejected_items"] == 0
    conn = sqlite3.connect(cli_db)
    assert conn.execute("SELECT COUNT(*) FROM items WHERE barcode LIKE 'FULL%'").fetchone()[0] == 3000
    assert conn.execute("SELECT COUNT(DISTINCT control_no) FROM records").fetchone()[0] == 3000
    conn.close()
