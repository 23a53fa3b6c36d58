"""The command table: each command is one short function — parse, call the facade,
print — with its arguments and options declared once, beside it, and read by argparse
(the standard library's: `tiski` starts within 3× a bare Python, benchmarks/README.md).

    cli = Group("tiski")                              # this module's part of `tiski`
    patron = cli.group("patron", "Patrons (asiakkaat).")

    @patron.command("show", arg("card"), JSON)
    def patron_show(st: State, card: str, as_json: bool) -> None:
        '''A patron's standing, loans and holds (the HETU never in full).'''
        view = st.desk().patrons.view(card)
        emit(as_json, {"patron": patron_json(view)}, patron_lines(view, st.t))

The function gets the session (`State`) and one keyword per parameter, named by its
`dest` (`--new-card` → `new_card`; `JSON` → `as_json`); an int it returns is the exit
status (None: 0). The first paragraph of its docstring is its line in the group's
`--help`, the whole docstring its own `--help`.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Run = Callable[..., "int | None"]


class UsageError(Exception):
    """argparse's complaint (a missing argument, an unknown option…) as one line."""

    def __init__(self, prog: str, message: str):
        super().__init__(message)
        self.prog = prog


class Exit(Exception):
    """argparse is done (`--help` printed): the exit status."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Param:
    dest: str
    flags: tuple[str, ...] = ()  # none: a positional argument
    help: str = ""
    kind: str = "value"  # "argument", "value" (an option with a value), "flag", "switch" (--x / --no-x)
    required: bool = False
    default: Any = None
    type: Callable[[str], Any] | None = None
    metavar: str | None = None
    hidden: bool = False

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        shown = argparse.SUPPRESS if self.hidden else self.help
        if self.kind == "argument":
            parser.add_argument(self.dest, help=shown, type=self.type, metavar=self.metavar,
                                nargs=None if self.required else "?", default=self.default)
        elif self.kind == "flag":
            parser.add_argument(*self.flags, dest=self.dest, help=shown, action="store_true")
        elif self.kind == "switch":
            parser.add_argument(*self.flags, dest=self.dest, help=shown, default=self.default,
                                action=argparse.BooleanOptionalAction)
        else:
            if self.default not in (None, "") and not self.hidden:
                shown = f"{shown} (default: {self.default})".lstrip()
            parser.add_argument(*self.flags, dest=self.dest, help=shown, type=self.type, metavar=self.metavar,
                                required=self.required, default=self.default)


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def arg(name: str, help: str = "", *, optional: bool = False, type: Callable[[str], Any] | None = None,
        metavar: str | None = None) -> Param:
    """A positional argument (`CARD`); `optional` ones may be left out (None)."""
    return Param(_dest(name), (), help, "argument", not optional, None, type, metavar or name.upper())


def option(flag: str, help: str = "", *, dest: str | None = None, required: bool = False, default: Any = None,
           type: Callable[[str], Any] | None = None, metavar: str | None = None, hidden: bool = False) -> Param:
    """`--flag VALUE`: None (or `default`) when not given."""
    return Param(dest or _dest(flag), (flag,), help, "value", required, default, type,
                 metavar or _dest(flag).upper(), hidden)


def flag(flag: str, help: str = "", *, dest: str | None = None) -> Param:
    """`--flag`: True when given."""
    return Param(dest or _dest(flag), (flag,), help, "flag", default=False)


def switch(flag: str, help: str = "", *, default: bool | None = None) -> Param:
    """`--flag` / `--no-flag`: True, False, or `default` when neither is given."""
    return Param(_dest(flag), (flag,), help, "switch", default=default)


def int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text) if text.strip().isascii() and text.strip().lstrip("-").isdigit() else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"a whole number {low}–{high}, not '{text}'")
        return value

    return parse


def whole(text: str) -> int:
    """A whole number (an id, a year, a count) in ASCII digits."""
    return int_between(-(10**9), 10**9)(text)


JSON = flag("--json", "Print one JSON object on stdout.", dest="as_json")
BRANCH = option("--branch", "The desk's branch (default: TISKI_BRANCH, else the first).", metavar="CODE")


@dataclass
class Command:
    name: str
    run: Run
    params: tuple[Param, ...]

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.run.__doc__ or "")

    @property
    def summary(self) -> str:
        return " ".join(self.description.split("\n\n")[0].split())

    def call(self, state: Any, values: argparse.Namespace) -> int:
        code = self.run(state, **{p.dest: getattr(values, p.dest) for p in self.params})
        return code if isinstance(code, int) else 0


@dataclass
class Group:
    """Commands under one name (`tiski patron …`); `Group("tiski")` is a module's part of
    `tiski` itself. A group may also run on its own (`default`): `tiski audit --patron C`."""

    name: str
    help: str = ""
    entries: dict[str, Command | Group] = field(default_factory=dict)
    default: Command | None = None

    @property
    def summary(self) -> str:
        return self.help

    def group(self, name: str, help: str) -> Group:
        entry = Group(name, help)
        self.entries[name] = entry
        return entry

    def command(self, name: str, *params: Param) -> Callable[[Run], Run]:
        def declare(run: Run) -> Run:
            self.entries[name] = Command(name, run, params)
            return run

        return declare

    def runs(self, *params: Param) -> Callable[[Run], Run]:
        """What the group does when no command of it is named."""
        def declare(run: Run) -> Run:
            self.default = Command(self.name, run, params)
            return run

        return declare

    def commands(self, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Command]]:
        """Every command under this group, with its path (for the tests' walk)."""
        found: list[tuple[tuple[str, ...], Command]] = []
        if self.default is not None:
            found.append((prefix, self.default))
        for name, entry in self.entries.items():
            if isinstance(entry, Group):
                found += entry.commands((*prefix, name))
            else:
                found.append(((*prefix, name), entry))
        return found


def value_options(entry: Command | Group) -> set[str]:
    """The options under `entry` that take a value (`--reason`, `--db`…)."""
    commands = entry.commands() if isinstance(entry, Group) else [((), entry)]
    return {flag for _, command in commands for p in command.params if p.kind == "value" for flag in p.flags}


def attach_values(argv: list[str], options: set[str]) -> list[str]:
    """The word after an option that takes a value is that value, even when it starts
    with `-` (`--referral -2+3`, `--note "- soitettu"`), which argparse alone would take
    for an option: `--referral=-2+3`. After `--` every word is an argument."""
    attached: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            attached += [word, *words]
            break
        value = next(words, None) if word in options else None
        attached.append(word if value is None else f"{word}={value}")
    return attached


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, as argparse asks it, without importing shutil
    (and the compression modules it brings) on every start: COLUMNS, else stdout's
    terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_columns() - 2 if width is None else width)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting: the CLI reports usage
    errors as one line (or one JSON object) itself."""

    def __init__(self, prog: str, description: str = "", **more: Any):
        super().__init__(prog=prog, description=description, formatter_class=Formatter, allow_abbrev=False,
                         **more)

    def error(self, message: str) -> Any:
        raise UsageError(self.prog, message)

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        raise Exit(status)


def build(entry: Command | Group, parser: Parser, *, shallow: bool = False) -> None:
    """Declare `entry` to `parser`: its parameters, its commands (only their names and
    lines when `shallow`, for a listing)."""
    if isinstance(entry, Command):
        for param in entry.params:
            param.add_to(parser)
        parser.set_defaults(_command=entry)
        return
    if entry.default is not None:
        build(entry.default, parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=entry.default is None)
    for name, child in entry.entries.items():
        description = child.help if isinstance(child, Group) else child.description
        sub = commands.add_parser(name, help=child.summary, prog=f"{parser.prog} {name}", description=description)
        if not shallow:
            build(child, sub)
