"""The catalogue search: titles by their words (FTS5, diacritics folded, prefixes
indexed), by ISBN or by a copy's barcode; then every copy of the titles found, with
what it is doing now, in one query driven by the titles' ids."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from .values import day, moment


@dataclass(frozen=True)
class TitleRow:
    id: int
    title: str
    author: str | None
    isbn: str | None
    year: int | None


@dataclass(frozen=True)
class CopyRow:
    """One copy of a title found, with its loan and its hold, if any."""

    record_id: int
    barcode: str
    format: str
    home_branch: str
    loanable: bool
    status: str | None  # lost | missing | repair | withdrawn
    transit_to: str | None
    shelf: str | None
    call_number: str | None
    due: date | None  # on loan until
    claims_returned: bool
    trapped: str | None  # in_transit | waiting: set aside for a hold
    price_cents: int | None
    changed_at: datetime | None = None  # a life status (lost, claims returned…): since when
    changed_by: str | None = None  # and who set it


def fts_query(words: Iterable[str], prefix: bool = True) -> str:
    """Every word a prefix ("linna tuntem" → `"linna"* AND "tuntem"*`), or each a whole
    word. Quotes inside a word are dropped (they would end the string)."""
    star = "*" if prefix else ""
    return " AND ".join(f'"{word.replace(chr(34), "")}"{star}' for word in words if word.replace('"', ""))


def fts_tiers(words: Iterable[str], prefix: bool = True) -> list[str]:
    """The word queries to run in turn, best first: the words taken whole, then — when
    they are prefixes too — the titles that only begin with them (`(prefix) NOT (whole)`,
    so no title comes twice). Without this a whole word lost to the words it begins:
    "mäki" put the author Mäki, Ärrä behind eighty "Mäkinen" titles (issue 12)."""
    kept = list(words)
    whole = fts_query(kept, prefix=False)
    if not whole:
        return []
    if not prefix:
        return [whole]
    return [whole, f"({fts_query(kept)}) NOT ({whole})"]


def titles_matching(conn: sqlite3.Connection, query: str, limit: int, offset: int = 0) -> list[int]:
    """Title ids best first: words in the title weigh more than in the author's name."""
    rows = conn.execute(
        "SELECT rowid FROM records_fts WHERE records_fts MATCH ? ORDER BY bm25(records_fts, 4.0, 2.0)"
        " LIMIT ? OFFSET ?",
        (query, limit, offset),
    ).fetchall()
    return [r[0] for r in rows]


def titles_with_isbn(conn: sqlite3.Connection, isbns: Iterable[str]) -> list[int]:
    wanted = list(isbns)
    marks = ", ".join("?" for _ in wanted)
    return [r[0] for r in conn.execute(f"SELECT id FROM records WHERE isbn IN ({marks}) ORDER BY id",  # noqa: S608
                                       wanted)]


def title_of_copy(conn: sqlite3.Connection, barcode: str) -> int | None:
    row = conn.execute("SELECT record_id FROM items WHERE barcode = ?", (barcode,)).fetchone()
    return int(row[0]) if row else None


def titles(conn: sqlite3.Connection, ids: list[int]) -> dict[int, TitleRow]:
    marks = ", ".join("?" for _ in ids)
    rows = conn.execute(f"SELECT id, title, author, isbn, year FROM records WHERE id IN ({marks})",  # noqa: S608
                        ids).fetchall()
    return {r[0]: TitleRow(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def copies(conn: sqlite3.Connection, record_ids: list[int]) -> list[CopyRow]:
    """Every copy of the titles, branch by branch."""
    marks = ", ".join("?" for _ in record_ids)
    rows = conn.execute(
        f"""
        SELECT i.record_id, i.barcode, i.format, i.home_branch, i.loanable, i.status, i.transit_to, i.shelf,
               i.call_number, l.due_date, l.claims_returned_at IS NOT NULL, h.status, i.price_cents, e.at, e.staff
        FROM items i
        LEFT JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL
        LEFT JOIN holds h ON h.item_id = i.id AND h.status IN ('in_transit', 'waiting')
        LEFT JOIN item_events e ON (i.status IS NOT NULL OR l.claims_returned_at IS NOT NULL)
             AND e.id = (SELECT MAX(id) FROM item_events WHERE item_id = i.id)
        WHERE i.record_id IN ({marks})
        ORDER BY i.record_id, i.home_branch, i.barcode
        """,  # noqa: S608
        record_ids,
    ).fetchall()
    return [CopyRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8], day(r[9]), bool(r[10]), r[11], r[12],
                    moment(r[13]), r[14])
            for r in rows]


def queued(conn: sqlite3.Connection, record_ids: list[int]) -> dict[int, int]:
    """How many holds queue for each title (the queued holds' partial index)."""
    marks = ", ".join("?" for _ in record_ids)
    rows = conn.execute(
        f"SELECT record_id, COUNT(*) FROM holds WHERE record_id IN ({marks}) AND status = 'queued'"  # noqa: S608
        " GROUP BY record_id",
        record_ids,
    ).fetchall()
    return {r[0]: r[1] for r in rows}
