"""MARC 21 import (ISO 2709 and MARCXML, read by pymarc) into records and items.

Items come from Koha-style holdings fields 952 ($p barcode, $a home branch,
$y item type, $g/$v price, $7 not for loan, $c shelving location, $o call number).
Where a 952 does not say where the copy stands, the record's MARC holdings field 852
does ($c shelving location, else $b; call number $k $h $i $m) — the one whose $p is
the copy's barcode, else the record's first. A record without holdings is still
imported — the report says so — and gets items later by hand (`tiski item add`
with the record's ISBN). What is rejected is reported with the reason.

The file is read record by record (tiski.imports.marc_files) and written in short steps
(tiski.store.batches), so a catalogue of any size is imported in bounded memory while
the desks go on lending. The import is resumable rather than all-or-nothing: each step
commits whole records with their items and a checkpoint, and a run that stops half-way
(a full disk, a power cut, Ctrl+C, an SSH session that drops) keeps what it wrote;
importing the same file again carries on after the last record written. A library
migrating 500,000 items wants that: an hour of work is not thrown away at record
400,000, and the desks never wait for one transaction holding the whole catalogue.
Re-importing a file adds nothing twice either way (records are matched by 001 + 003,
items by barcode). Every text taken from the file is cleaned as the register keeps
text (tiski.core.text.imported_text): no escape sequence or bidi control reaches the
register, the report or a terminal.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import pymarc
from stdnum import isbn as stdnum_isbn

from ..core.errors import Refused
from ..core.money import parse_euros
from ..core.text import imported_text
from ..store import batches
from ..store import branches as branch_store
from ..store import imports as import_store
from ..store import items as item_store
from ..store.db import unavailable
from . import ImportStopped, file_digest
from .marc_files import Entry, read_marc

# Koha item types seen in Finnish catalogues -> Tiski formats.
ITEM_TYPES = {
    "BK": "book", "KIRJA": "book", "BOOK": "book", "ISOTEKSTI": "book",
    "CD": "cd", "MUSIIKKI": "cd", "CDA": "cd",
    "AK": "cd-audiobook", "CDAK": "cd-audiobook", "AANIKIRJA": "cd-audiobook",
    "DVD": "dvd", "BR": "bluray", "BLURAY": "bluray", "BD": "bluray",
    "KP": "console-game", "KONSOLIPELI": "console-game", "PELI": "console-game",
    "LEHTI": "magazine", "MAG": "magazine", "SR": "magazine",
}
AUDIENCES = {"a": "children", "b": "children", "c": "children", "j": "children", "d": "youth"}
LIST_LIMIT = 1000  # entries kept of each list in the report; the totals count them all
LISTS = ("without_items", "rejected_records", "rejected_items", "warnings")


@dataclass
class Rejected:
    index: int  # 1-based position in the file
    ident: str  # control number or title, to find it
    reason: str


@dataclass
class MarcReport:
    records: int = 0
    items: int = 0
    without_items: list[str] = field(default_factory=list)
    rejected_records: list[Rejected] = field(default_factory=list)
    rejected_items: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LISTS, 0))
    resumed_after: int = 0  # an interrupted import of the same file had written this many entries
    written_up_to: int = 0  # the last entry committed

    def note(self, kind: str, entry: Rejected | str) -> None:
        self.totals[kind] += 1
        listed = getattr(self, kind)
        if len(listed) < LIST_LIMIT:
            listed.append(entry)


@dataclass(frozen=True)
class _Holding:
    barcode: str
    branch: str
    format: str | None  # from the item type; else the record's
    price_cents: int | None
    loanable: bool
    shelf: str | None = None
    call_number: str | None = None


@dataclass(frozen=True)
class _Location:
    """Where a copy stands on the shelf, from a 952 or an 852."""

    shelf: str | None
    call_number: str | None


@dataclass(frozen=True)
class _Prepared:
    """A record read and mapped outside the write lock; written in a step."""

    entry: Entry
    ident: str
    title: str | None
    fields: dict[str, object]
    terms: list[tuple[str, str]]
    rating: int | None
    format: str
    holdings: list[_Holding]
    notes: list[tuple[str, str]]  # (list, reason) noted when the record is written


def _clean(value: str | None, limit: int = 500) -> str | None:
    """Subfield text as the register keeps text, without ISBD punctuation at the end
    (' /', ' :', '.', ',')."""
    text = imported_text(value, limit)
    if text is None:
        return None
    return re.sub(r"[\s/:;,.=]+$", "", text) or None


def _control(record: pymarc.Record, tag: str) -> str | None:
    found = record.get(tag)
    return imported_text(found.data, 64) if found is not None and found.data else None


def _title(record: pymarc.Record) -> str | None:
    f245 = record.get("245")
    if f245 is None or not _clean(f245.get("a")):
        return None
    parts = [_clean(v) for code in ("a", "b", "n", "p") for v in f245.get_subfields(code)]
    parts = [p for p in parts if p]
    title = parts[0]
    for part in parts[1:]:
        title += f" : {part}" if not title.endswith(":") else f" {part}"
    return title[:500]


def _author(record: pymarc.Record) -> str | None:
    for tag in ("100", "110", "111"):
        f = record.get(tag)
        if f is not None and f.get("a"):
            return _clean(f.get("a"), 200)
    return None


def _isbn(record: pymarc.Record) -> tuple[str | None, list[str]]:
    """The first valid ISBN, and the invalid ones seen (cleaned, to be shown)."""
    invalid = []
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            token = (value or "").strip().split(" ")[0]
            try:
                isbn = stdnum_isbn.validate(token)
                if isbn.isascii():
                    return isbn, invalid
            except Exception:  # stdnum's ValidationError family
                pass
            invalid.append(imported_text(token, 20) or "?")
    return None, invalid


def _fixed(record: pymarc.Record) -> str:
    f008 = record.get("008")
    return f008.data if f008 is not None and f008.data and len(f008.data) >= 38 else ""


def _year(record: pymarc.Record, fixed: str) -> int | None:
    if re.fullmatch(r"[0-9]{4}", fixed[7:11]):
        return int(fixed[7:11])
    for tag in ("264", "260"):
        for f in record.get_fields(tag):
            match = re.search(r"[0-9]{4}", f.get("c") or "")
            if match:
                return int(match.group())
    return None


def _language(fixed: str) -> str | None:
    code = fixed[35:38]
    return code if re.fullmatch(r"[a-z]{3}", code) else None


def _text_of(record: pymarc.Record, *tags: str) -> str:
    return " ".join(f.value() for f in record.get_fields(*tags)).lower()


def record_format(record: pymarc.Record) -> str:
    leader = str(record.leader).ljust(24)
    kind, level = leader[6], leader[7]
    described = _text_of(record, "245", "300", "338", "538", "655")
    if level == "s":
        return "magazine"
    if kind in "at":
        return "book"
    if kind == "i":
        return "cd-audiobook"
    if kind == "j":
        return "cd"
    if kind == "g":
        return "bluray" if "blu-ray" in described else "dvd"
    if kind == "m" and any(w in described for w in ("konsolipeli", "console", "playstation", "xbox", "nintendo")):
        return "console-game"
    return "other"


def _rating(record: pymarc.Record) -> int | None:
    for f in record.get_fields("521"):
        match = re.search(r"(?:K|PEGI)?\s*-?\s*([0-9]{1,2})", f.get("a") or "", re.IGNORECASE)
        if match:
            return int(match.group(1))
    return None


def _terms(record: pymarc.Record) -> list[tuple[str, str]]:
    terms = []
    for tag, kind in (("650", "subject"), ("651", "subject"), ("655", "genre")):
        for f in record.get_fields(tag):
            term = _clean(f.get("a"), 100)
            if term:
                terms.append((kind, term.lower()))
    return terms


def _location_852(f: pymarc.Field) -> _Location:
    call = " ".join(part for code in ("k", "h", "i", "m") for v in f.get_subfields(code) if (part := _clean(v, 60)))
    return _Location(_clean(f.get("c") or f.get("b"), 100), call[:100] or None)


def _locations(record: pymarc.Record) -> tuple[dict[str, _Location], _Location | None]:
    """The 852s: by the barcode in $p, and the record's first for copies it does not name."""
    by_barcode, first = {}, None
    for f in record.get_fields("852"):
        location = _location_852(f)
        if first is None:
            first = location
        barcode = (f.get("p") or "").strip()
        if barcode:
            by_barcode[barcode] = location
    return by_barcode, first


def _holding(f: pymarc.Field, default_branch: str, notes: list[tuple[str, str]],
             locations: tuple[dict[str, _Location], _Location | None] = ({}, None)) -> _Holding | None:
    barcode = (f.get("p") or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z\-]{3,32}", barcode):
        notes.append(("rejected_items", "952 $p: no usable barcode"))
        return None
    by_barcode, first = locations
    elsewhere = by_barcode.get(barcode) or first or _Location(None, None)
    price = None
    price_text = f.get("g") or f.get("v")
    if price_text:
        try:
            price = parse_euros(price_text)
        except Refused:
            notes.append(("warnings", f"barcode {barcode}: price not understood"))
    return _Holding(
        barcode=barcode,
        branch=imported_text(f.get("a") or f.get("b"), 32) or default_branch,
        format=ITEM_TYPES.get((f.get("y") or "").strip().upper()),
        price_cents=price,
        loanable=(f.get("7") or "0").strip() in ("", "0"),
        shelf=_clean(f.get("c"), 100) or elsewhere.shelf,
        call_number=_clean(f.get("o"), 100) or elsewhere.call_number,
    )


def _prepare(entry: Entry, default_branch: str, ratings: frozenset[int]) -> _Prepared | Entry:
    """What a record will write, worked out before the step that writes it."""
    record = entry.record
    if record is None:
        return entry
    control, title = _control(record, "001"), _title(record)
    notes: list[tuple[str, str]] = [("warnings", entry.warning)] if entry.warning else []
    fixed = _fixed(record)
    isbn, bad_isbns = _isbn(record)
    notes += [("warnings", f"invalid ISBN {bad} left out") for bad in (bad_isbns if isbn is None else [])]
    rating = _rating(record)
    if rating is not None and rating not in ratings:
        notes.append(("warnings", f"age rating {rating} not in the policy; left out"))
        rating = None
    terms = _terms(record)
    audience = AUDIENCES.get(fixed[22:23] if fixed else "")
    locations = _locations(record)
    holdings = [h for f in record.get_fields("952") if (h := _holding(f, default_branch, notes, locations)) is not None]
    return _Prepared(
        entry=entry,
        ident=control or title or "?",
        title=title,
        fields={
            "title": title,
            "author": _author(record),
            "isbn": isbn,
            "year": _year(record, fixed),
            "language": _language(fixed) if fixed else None,
            "large_print": int(fixed[23:24] == "d" if fixed else False),
            "easy_read": int(any("selko" in t or "easy-to-read" in t for _, t in terms)),
            "audience": audience,
            "control_no": control,
            # The same 001 in two catalogues is two records: 003 says whose number it is.
            "control_org": _control(record, "003"),
        },
        terms=terms,
        rating=rating,
        format=record_format(record),
        holdings=holdings,
        notes=notes,
    )


def _write(conn: sqlite3.Connection, now: datetime, report: MarcReport, unit: _Prepared | Entry) -> None:
    """One record and its items, inside a step's transaction."""
    if isinstance(unit, Entry):
        report.note("rejected_records", Rejected(unit.index, "?", unit.problem or "unreadable"))
        return
    index, ident = unit.entry.index, unit.ident
    if unit.title is None:
        report.note("rejected_records", Rejected(index, ident, "no title (245 $a)"))
        return
    for kind, reason in unit.notes:
        report.note(kind, Rejected(index, ident, reason))
    control, org = unit.fields["control_no"], unit.fields["control_org"]
    record_id = import_store.record_by_control(conn, str(control), org if org is None else str(org)) if control else None
    if record_id is not None:
        report.note("warnings", Rejected(index, ident, "already in the catalogue: items added to it"))
    else:
        record_id = item_store.insert_record(conn, unit.fields, now, unit.terms)
        report.records += 1
    if not unit.holdings and not any(kind == "rejected_items" for kind, _ in unit.notes):
        report.note("without_items", ident)
    for holding in unit.holdings:
        if item_store.barcode_exists(conn, holding.barcode):
            report.note("rejected_items", Rejected(index, ident, f"barcode {holding.barcode} already exists"))
            continue
        if branch_store.get(conn, holding.branch) is None:
            report.note("rejected_items", Rejected(
                index, ident, f"barcode {holding.barcode}: unknown branch {holding.branch[:16]}"))
            continue
        item_store.insert_item(
            conn,
            {
                "barcode": holding.barcode,
                "record_id": record_id,
                "format": holding.format or unit.format,
                "rating": unit.rating,
                "children": int(unit.fields["audience"] is not None),
                "price_cents": holding.price_cents,
                "home_branch": holding.branch,
                "loanable": int(holding.loanable),
                "shelf": holding.shelf,
                "call_number": holding.call_number,
            },
            now,
        )
        report.items += 1


def import_marc(desk, path: Path, *, progress: Callable[[int, int], None] | None = None,
                hold: float = batches.STEP_HOLD, pause: float = batches.STEP_PAUSE) -> MarcReport:
    """Import a MARC file in short steps (see the module's note); `progress(bytes read,
    file size)` after each step. Raises ImportStopped when it cannot go on."""
    conn, now = desk.conn, desk.now()
    default_branch, ratings = desk.branch, frozenset(desk.policy.rating_ages)
    key, size = f"import-marc:{file_digest(path)}", path.stat().st_size
    report = MarcReport()
    saved = batches.saved_checkpoint(conn, key)
    if saved is not None:
        report.records, report.items = saved["records"], saved["items"]
        report.totals.update(saved["totals"])
        report.resumed_after = report.written_up_to = saved["index"]
    units = (_prepare(entry, default_branch, ratings)
             for entry in read_marc(path, after_index=report.resumed_after, after_offset=saved["offset"] if saved else 0))

    def checkpoint(unit: _Prepared | Entry) -> None:
        entry = unit if isinstance(unit, Entry) else unit.entry
        batches.save_checkpoint(conn, key, {"index": entry.index, "offset": entry.offset, "records": report.records,
                                            "items": report.items, "totals": report.totals})

    def after_step(unit: _Prepared | Entry) -> None:
        entry = unit if isinstance(unit, Entry) else unit.entry
        report.written_up_to = entry.index
        if progress is not None:
            progress(entry.offset, size)

    try:
        batches.in_short_steps(conn, units, lambda unit: _write(conn, now, report, unit),
                               checkpoint=checkpoint, after_step=after_step, hold=hold, pause=pause)
        batches.clear_checkpoint(conn, key)
        if report.records or report.items:
            batches.refresh_statistics(conn)
    except sqlite3.Error as error:
        raise ImportStopped(unavailable(error).reason, report) from None
    except KeyboardInterrupt:
        raise ImportStopped("interrupted", report) from None
    return report
