"""What every command shares: the options, the state, parsing money and dates.
The shell-wide pieces (State, emit, reporting) live in tiski.shell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from ..core.errors import invalid
from ..core.money import parse_euros, parse_positive_euros
from ..core.text import parse_day
from ..settings import load_settings
from ..shell import State, UsageProblem, emit, json_text, jsonable, report_refusal, report_usage

__all__ = ["BRANCH_OPTION", "JSON_OPTION", "State", "UsageProblem", "day", "emit", "euros",
           "json_text", "jsonable", "read_small_file", "report_refusal", "report_usage", "state"]

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object on stdout.")
BRANCH_OPTION = typer.Option(None, "--branch", help="The desk's branch (default: TISKI_BRANCH, else the first).")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:  # invoked without the callback (tests calling a sub-app)
        root.obj = State(load_settings())
    return root.obj


def euros(text: str, *, positive: bool = True) -> int:
    return parse_positive_euros(text) if positive else parse_euros(text)


def day(text: str | None, what: str) -> date | None:
    """`2.12.2026`, `2.12.` (this year by the desk's clock: TISKI_NOW in a drill) or `2026-12-02`."""
    import click

    context = click.get_current_context(silent=True)
    settings = context.find_root().obj.settings if context is not None and context.find_root().obj else None
    return parse_day(text, what, (settings or load_settings()).clock()().date())


SMALL_FILE_LIMIT = 1_000_000  # bytes: a policy or an interview's answers are a few kilobytes


def read_small_file(path: Path, limit: int = SMALL_FILE_LIMIT) -> str:
    """A small UTF-8 text file, reading at most `limit` bytes: `/dev/zero` or a
    gigabyte log given by mistake is refused at once instead of read forever.
    OSError and UnicodeDecodeError are the caller's to word."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise invalid("file_too_large", limit=limit, path=str(path))
    return data.decode("utf-8")
