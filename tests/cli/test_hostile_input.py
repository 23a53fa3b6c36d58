"""Hostile input everywhere: every command of the CLI and the desk's forms get very
long strings, control characters, escape sequences, SQL, unicode oddities, wrong dates
and amounts. Always: no traceback, one clear message, nothing half-written, and no
escape sequence ever reaches the terminal."""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiski.cli import command_table
from tiski.desk.catalogue import NewItem
from tiski.desk.patrons import NewPatron

from ..conftest import START, invoke
from ..hostile import hostile

# Commands that replace or create files are fuzzed elsewhere (or make no sense to);
# a server runs until it is stopped (tests/sip2/test_cli_sip2.py, tests/sip2/test_fuzz.py).
SKIP = {"init", "backup", "restore", ("sip2", "serve")}

# Every command of the command table (tiski/cli/table.py), as `tiski --help` lists them.
COMMANDS = sorted(((path, command) for path, command in command_table()
                   if path[0] not in SKIP and path not in SKIP), key=lambda entry: entry[0])


def arguments(command, values) -> list[str]:
    args: list[str] = []
    values = itertools.cycle(values)
    for param in command.params:
        if param.dest in ("as_json",):
            continue
        if param.kind == "argument":
            args.append(next(values))
        elif param.kind in ("flag", "switch"):
            if next(values)[:1] in ("a", "b", "c", "d", "e"):
                args.append(param.flags[0])
        elif param.required or next(values)[:1] in ("0", "1", "2", "3", "x", "'", "\x1b"):
            args += [param.flags[0], next(values)]
    return args


@pytest.fixture
def cli_db(desk, db_path):
    desk.patrons.add(NewPatron(card="2028000000001", first="Aino", last="Virtanen", hetu="131052-308T"))
    desk.catalogue.add_item(NewItem(barcode="1000000001", title="Tuntematon sotilas"))
    desk.loans.checkout("2028000000001", "1000000001")
    desk.close()
    return db_path


def counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("patrons", "cards", "items", "loans", "fees", "holds", "bans", "audit_log")}
    finally:
        conn.close()


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(values=st.lists(hostile, min_size=12, max_size=12), as_json=st.booleans())
def test_every_command_survives_hostile_input(cli_db, path, command, values, as_json):
    args = [*path, *arguments(command, values)] + (["--json"] if as_json else [])
    env = {"TISKI_DB": str(cli_db), "TISKI_NOW": START.isoformat()[:16], "TISKI_STAFF": ""}
    before = counts(cli_db)
    result = invoke(args, env=env, input="salasana-x\n")
    output = result.stdout + (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, output[:300])
    assert "Traceback" not in output
    assert "\x1b" not in output and "\x07" not in output and "\x00" not in output, output[:300]
    assert all(len(line) < 2000 for line in output.splitlines())
    if as_json and result.exit_code:
        assert output.count('"ok": false') == 1
    after = counts(cli_db)
    if result.exit_code != 0:
        # Refused: nothing written (the audit trail records only what was done).
        assert after == before, (args, before, after)
