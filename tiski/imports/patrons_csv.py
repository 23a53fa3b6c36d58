"""Patron import from CSV: every row checked by the registration rules; one bad row
and nothing is imported, with an error for every row that failed.

The file is read twice, a row at a time, so its size costs no memory: first every row
is checked (nothing written; cards and identity codes met earlier in the file are kept
in a temporary table, not in memory), then — only when all rows are good — the rows
are written in short steps with a checkpoint, each row checked again inside its step
(another desk may have registered the same card meanwhile). An import stopped half-way
keeps the patrons written so far and carries on when the same file is imported again.
"""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import Refusal, Refused, invalid
from ..core.text import parse_day
from ..desk.patrons import NewPatron, insert_patrons, prepare_patron
from ..store import batches
from ..store import imports as import_store
from ..store.db import unavailable
from . import ImportStopped, file_digest

COLUMNS = (
    "card", "first", "last", "hetu", "birth_date", "guardian", "consent_date", "organisation", "responsible",
    "email", "phone", "address", "verify_id",
)
REQUIRED = ("card", "last")
_TRUE = {"1", "true", "yes", "x", "kyllä", "k", "ja"}
ERROR_LIMIT = 1000  # row errors listed; error_count counts them all


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file (header is line 1)
    refusal: Refusal


@dataclass
class PatronImport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERROR_LIMIT
    error_count: int = 0
    resumed_after: int = 0  # an earlier import of the same file had written up to this line
    written_up_to: int = 0  # the last line committed

    def refuse(self, line: int, refusal: Refusal) -> None:
        self.error_count += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append(RowError(line, refusal))


def _rows(path: Path, after_line: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each row after `after_line`; the line is where the row ends in
    the file, blank lines counted. Bad bytes, a field over the csv module's limit
    (131,072 characters) or a broken row refuse the file with the line named."""
    reader = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(handle.read(4096), delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            handle.seek(0)
            reader = csv.DictReader(handle, dialect=dialect)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            unknown = [h for h in header if h not in COLUMNS]
            if unknown or any(r not in header for r in REQUIRED):
                raise invalid("csv_header", columns=", ".join(COLUMNS))
            reader.fieldnames = header
            for row in reader:
                if reader.line_num > after_line:
                    yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}
    except UnicodeDecodeError:
        raise invalid("csv_encoding") from None
    except csv.Error as error:
        line = (reader.reader.line_num if reader is not None else 0) or 1
        if "field larger than field limit" in str(error):
            raise invalid("csv_field_too_long", line=line, limit=csv.field_size_limit()) from None
        raise invalid("csv_malformed", line=line) from None


def _new_patron(row: dict[str, str]) -> NewPatron:
    return NewPatron(
        card=row.get("card", ""),
        first=row.get("first", ""),
        last=row.get("last", ""),
        hetu=row.get("hetu") or None,
        birth_date=parse_day(row.get("birth_date"), "birth_date"),
        guardian=row.get("guardian") or None,
        consent_date=parse_day(row.get("consent_date"), "consent_date"),
        organisation=row.get("organisation", "").lower() in _TRUE,
        responsible=row.get("responsible") or None,
        email=row.get("email") or None,
        phone=row.get("phone") or None,
        address=row.get("address") or None,
        verify_id=row.get("verify_id", "").lower() in _TRUE,
    )


def _check_every_row(desk, path: Path, report: PatronImport) -> int:
    """The first pass: every row by the rules, and against the rows before it. Returns
    the last line read."""
    conn, last = desk.conn, report.resumed_after
    import_store.forget_file(conn)
    try:
        for line, row in _rows(path, report.resumed_after):
            last = line
            try:
                card, fields = prepare_patron(desk, _new_patron(row))
            except Refused as refused:
                report.refuse(line, refused.first)
                continue
            if not import_store.first_in_file(conn, "card", card):
                report.refuse(line, Refusal("DUPLICATE_CARD"))
            elif fields.hetu_digest and not import_store.first_in_file(conn, "hetu", fields.hetu_digest):
                report.refuse(line, Refusal("DUPLICATE_PATRON"))
    finally:
        import_store.forget_file(conn)
    return last


def import_patrons(desk, path: Path, *, progress: Callable[[int, int], None] | None = None,
                   hold: float = batches.STEP_HOLD, pause: float = batches.STEP_PAUSE) -> PatronImport:
    """With any row error, nothing is imported (the report lists the errors). Raises
    ImportStopped when the writing cannot go on."""
    conn = desk.conn
    key = f"import-patrons:{file_digest(path)}"
    saved = batches.saved_checkpoint(conn, key)
    report = PatronImport()
    if saved is not None:
        report.resumed_after = report.written_up_to = saved["line"]
        report.imported = saved["imported"]
    last_line = _check_every_row(desk, path, report)
    if report.error_count:
        return report
    writing = 0

    def write(unit: tuple[int, dict[str, str]]) -> None:
        nonlocal writing
        writing = unit[0]
        insert_patrons(desk, [prepare_patron(desk, _new_patron(unit[1]))])
        report.imported += 1

    def after_step(unit: tuple[int, dict[str, str]]) -> None:
        report.written_up_to = unit[0]
        if progress is not None:
            progress(unit[0], last_line)

    try:
        batches.in_short_steps(
            conn, _rows(path, report.resumed_after), write, after_step=after_step, hold=hold, pause=pause,
            checkpoint=lambda unit: batches.save_checkpoint(conn, key, {"line": unit[0], "imported": report.imported}),
        )
        batches.clear_checkpoint(conn, key)
        if report.imported:
            batches.refresh_statistics(conn)
    except Refused as refused:  # another desk took a card or an identity code meanwhile
        report.refuse(writing, refused.first)
        raise ImportStopped("refused", report) from None
    except sqlite3.Error as error:
        raise ImportStopped(unavailable(error).reason, report) from None
    except KeyboardInterrupt:
        raise ImportStopped("interrupted", report) from None
    return report
