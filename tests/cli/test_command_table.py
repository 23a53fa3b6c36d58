"""The command table (tiski/cli/table.py): every command declared once and found by
its first word, `--help` complete at every level, only the named module loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import import_module

import pytest

from tiski.cli import MODULES, command_table, declared
from tiski.cli.table import Group, value_options

from ..conftest import invoke

GROUPS = sorted({path[:n] for path, _ in command_table() for n in range(1, len(path))})
COMMANDS = sorted(path for path, _ in command_table())


def test_every_first_word_is_declared_by_the_module_the_index_names():
    """Mutation caught: a command declared in a module but missing from MODULES (it
    would be unreachable), or an index line naming the wrong module."""
    declared: dict[str, str] = {}
    for module in sorted(set(MODULES.values())):
        part: Group = import_module(f"tiski.cli.{module}").cli
        for name in part.entries:
            assert name not in declared, f"{name} declared twice"
            declared[name] = module
    assert declared == MODULES


@pytest.mark.parametrize("path", [(), *GROUPS], ids=lambda path: " ".join(("tiski", *path)))
def test_help_lists_every_command_of_a_group(path):
    result = invoke([*path, "--help"])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(f"Usage: {' '.join(('tiski', *path))} ")
    below = {p[len(path)] for p in COMMANDS if p[:len(path)] == path and len(p) > len(path)}
    for name in below:
        assert f"    {name}" in result.stdout, name


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path))
def test_help_of_every_command_names_its_options(path):
    command = dict(command_table())[path]
    result = invoke([*path, "--help"])
    assert result.exit_code == 0 and result.stderr == ""
    assert command.summary.split()[0] in result.stdout
    for param in command.params:
        if not param.hidden:
            assert (param.flags[0] if param.flags else param.metavar) in result.stdout, param


@pytest.mark.parametrize("name", MODULES)
def test_no_flag_of_a_group_is_also_an_option_with_a_value(name):
    """The word after an option with a value is its value (`attach_values`): a flag of
    the same spelling elsewhere in the group would swallow the next word."""
    entry = declared(name)
    commands = entry.commands() if isinstance(entry, Group) else [((), entry)]
    flags = {f for _, command in commands for p in command.params if p.kind in ("flag", "switch") for f in p.flags}
    assert not flags & value_options(entry)


def test_a_group_without_its_command_is_one_line(tmp_path):
    for args in (["patron"], ["patron", "--json"], ["digituki", "hours"]):
        result = invoke([*args], env={"TISKI_DB": str(tmp_path / "none.sqlite")})
        assert result.exit_code == 2
        lines = (result.stdout if "--json" in args else result.stderr).splitlines()
        assert len(lines) == 1 and "COMMAND" in lines[0]
    assert json.loads(invoke(["patron", "--json"]).stdout)["error"]["code"] == "INVALID_INPUT"


def test_an_option_value_may_start_with_a_dash(db_path, desk):
    """As click read it: the word after `--reason` is the reason, whatever it looks like.
    Mutation caught: argparse left to take `-2+3` for an unknown option (exit 2)."""
    from ..conftest import patron

    patron(desk, "P0001")
    desk.close()
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_STAFF": None, "TISKI_BRANCH": None}
    charged = invoke(["fee", "charge", "P0001", "1,00", "--reason", "-2+3", "--json"], env=env)
    assert charged.exit_code == 0, charged.output
    assert json.loads(charged.stdout)["balance_cents"] == 100
    after_dashes = invoke(["fee", "pay", "P0001", "--", "--json"], env=env)
    assert after_dashes.exit_code == 2  # after `--`, `--json` is an amount


PROBE = """
import sys
from tiski.entry import main
sys.argv = ["tiski", *sys.argv[1:]]
try:
    main()
finally:
    loaded = sorted(m for m in sys.modules if m.startswith(("tiski.cli.", "typer", "click", "pydantic")))
    print("PROBE", ",".join(loaded), file=sys.stderr)
"""


@pytest.mark.parametrize("args, wanted", [
    (["patron", "find", "x", "--json"], {"tiski.cli.common", "tiski.cli.patrons", "tiski.cli.table"}),
    (["checkout", "--help"], {"tiski.cli.common", "tiski.cli.circulation", "tiski.cli.table"}),
])
def test_only_the_module_of_the_named_command_is_loaded(db_path, args, wanted):
    """Mutation caught: every group's module imported on each call (the start-up cost
    benchmarks/cli_start.py measures), or a command-line framework creeping back."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TISKI_")}
    env.update(TISKI_DB=str(db_path), TISKI_NOW="2026-12-02T14:05")
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=60)
    probe = done.stderr.strip().splitlines()[-1].split()
    assert probe[0] == "PROBE" and set(probe[1].split(",")) == wanted, done.stderr
