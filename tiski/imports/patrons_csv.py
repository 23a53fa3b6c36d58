"""Patron import from CSV: every row checked by the registration rules; one bad row
and nothing is imported, with an error for every row that failed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Refusal, Refused, invalid
from ..core.text import parse_day
from ..desk.patrons import NewPatron, insert_patrons, prepare_patron

COLUMNS = (
    "card", "first", "last", "hetu", "birth_date", "guardian", "consent_date", "organisation", "responsible",
    "email", "phone", "address", "verify_id",
)
REQUIRED = ("card", "last")
_TRUE = {"1", "true", "yes", "x", "kyllä", "k", "ja"}


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file (header is line 1)
    refusal: Refusal


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("csv_encoding") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or any(r not in header for r in REQUIRED):
        raise invalid("csv_header", columns=", ".join(COLUMNS))
    reader.fieldnames = header
    rows = []
    for row in reader:  # line_num: the file line the row ends on (blank lines counted)
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    return rows


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


def import_patrons(desk, path: Path) -> tuple[int, list[RowError]]:
    """Returns (patrons imported, row errors). With any error, nothing is imported."""
    rows = _read(path)
    prepared, errors = [], []
    cards, hetus = set(), set()
    for line, row in rows:
        try:
            card, fields = prepare_patron(desk, _new_patron(row))
        except Refused as refused:
            errors.append(RowError(line, refused.first))
            continue
        if card in cards:
            errors.append(RowError(line, Refusal("DUPLICATE_CARD")))
        elif fields.hetu_digest and fields.hetu_digest in hetus:
            errors.append(RowError(line, Refusal("DUPLICATE_PATRON")))
        else:
            cards.add(card)
            if fields.hetu_digest:
                hetus.add(fields.hetu_digest)
            prepared.append((card, fields))
    if errors or not prepared:
        return 0, errors
    with desk.write():
        insert_patrons(desk, prepared)
    return len(prepared), []
