"""What every command shares: the options, the state, parsing money and dates.
The shell-wide pieces (State, emit, reporting) live in tiski.shell."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import typer

from ..core.errors import invalid
from ..core.money import parse_euros, parse_positive_euros
from ..core.text import parse_day
from ..shell import State, UsageProblem, default_db_path, emit, json_text, jsonable, report_refusal, report_usage

__all__ = ["BRANCH_OPTION", "JSON_OPTION", "State", "UsageProblem", "day", "default_db_path", "emit", "euros",
           "json_text", "jsonable", "read_small_file", "report_refusal", "report_usage", "state"]

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object on stdout.")
BRANCH_OPTION = typer.Option(None, "--branch", help="The desk's branch (default: TISKI_BRANCH, else the first).")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:  # invoked without the callback (tests calling a sub-app)
        root.obj = State(Path(os.environ.get("TISKI_DB") or default_db_path()), None)
    return root.obj


def euros(text: str, *, positive: bool = True) -> int:
    return parse_positive_euros(text) if positive else parse_euros(text)


def day(text: str | None, what: str) -> date | None:
    """`2.12.2026`, `2.12.` (this year by the desk's clock) or `2026-12-02`."""
    from ..clock import clock_from_env

    try:
        today = clock_from_env()().date()
    except ValueError:  # a bad TISKI_NOW is reported when the desk opens
        today = None
    return parse_day(text, what, today)


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
