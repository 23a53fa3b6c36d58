"""What every command shares: parsing money and dates, small files, and the
declarations of the command table. The shell-wide pieces (State, emit, reporting)
live in tiski.shell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.errors import invalid
from ..core.money import parse_euros, parse_positive_euros
from ..core.text import parse_day
from ..shell import State, UsageProblem, emit, json_text, jsonable, report_refusal, report_usage
from .table import BRANCH, JSON, Group, arg, flag, int_between, option, switch, whole

__all__ = ["BRANCH", "JSON", "Group", "State", "UsageProblem", "arg", "day", "emit", "euros", "flag",
           "int_between", "json_text", "jsonable", "option", "read_small_file", "report_refusal", "report_usage",
           "switch", "whole"]


def euros(text: str, *, positive: bool = True) -> int:
    return parse_positive_euros(text) if positive else parse_euros(text)


def day(text: str | None, what: str) -> date | None:
    """`2.12.2026`, `2.12.` (this year by the desk's clock: TISKI_NOW in a drill) or `2026-12-02`."""
    if text is None:
        return None
    from ..settings import load_settings  # only a command given a date reads the clock

    return parse_day(text, what, load_settings().clock()().date())


# The metavar of an option that takes a moment: as the desk shows one (quoted: it has a
# space), `3.12. 10:00` for this year, or ISO 2026-12-03T10:00 (`clock.parse_moment`).
MOMENT = "'D.M.YYYY HH:MM'"
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
