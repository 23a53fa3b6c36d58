"""MARC 21 import (ISO 2709 and MARCXML, read by pymarc) into records and items.

Items come from Koha-style holdings fields 952 ($p barcode, $a home branch,
$y item type, $g/$v price, $7 not for loan). A record without holdings is still
imported — the report says so — and gets items later by hand (`tiski item add`
with the record's ISBN). Everything good is written in one transaction; what is
rejected is reported with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pymarc
from stdnum import isbn as stdnum_isbn

from ..core.errors import Refused
from ..core.money import parse_euros
from ..core.text import without_control
from ..store import branches as branch_store
from ..store import items as item_store

# Koha item types seen in Finnish catalogues -> Tiski formats.
ITEM_TYPES = {
    "BK": "book", "KIRJA": "book", "BOOK": "book", "ISOTEKSTI": "book",
    "CD": "cd", "MUSIIKKI": "cd", "CDA": "cd",
    "AK": "cd-audiobook", "CDAK": "cd-audiobook", "AANIKIRJA": "cd-audiobook",
    "DVD": "dvd", "BR": "bluray", "BLURAY": "bluray", "BD": "bluray",
    "KP": "console-game", "KONSOLIPELI": "console-game", "PELI": "console-game",
    "LEHTI": "magazine", "MAG": "magazine", "SR": "magazine",
}


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


def _clean(value: str | None) -> str | None:
    """Subfield text without ISBD punctuation at the end (' /', ' :', '.', ',')."""
    if value is None:
        return None
    text = re.sub(r"[\s/:;,.=]+$", "", value.strip())
    text = without_control(text)
    return text or None


def _title(record: pymarc.Record) -> str | None:
    f245 = record.get("245")
    if f245 is None:
        return None
    if not _clean(f245.get("a")):
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
            return _clean(f.get("a"))
    return None


def _isbn(record: pymarc.Record) -> tuple[str | None, list[str]]:
    """The first valid ISBN, and the invalid ones seen."""
    invalid = []
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            token = value.strip().split(" ")[0]
            try:
                return stdnum_isbn.validate(token), invalid
            except Exception:  # stdnum's ValidationError family
                invalid.append(token)
    return None, invalid


def _fixed(record: pymarc.Record) -> str:
    f008 = record.get("008")
    return f008.data if f008 is not None and len(f008.data) >= 38 else ""


def _year(record: pymarc.Record, fixed: str) -> int | None:
    if fixed[7:11].isdigit():
        return int(fixed[7:11])
    for tag in ("264", "260"):
        for f in record.get_fields(tag):
            match = re.search(r"\d{4}", f.get("c") or "")
            if match:
                return int(match.group())
    return None


def _text_of(record: pymarc.Record, *tags: str) -> str:
    return " ".join(f.value() for f in record.get_fields(*tags)).lower()


def record_format(record: pymarc.Record) -> str:
    leader = str(record.leader)
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
        match = re.search(r"(?:K|PEGI)?\s*-?\s*(\d{1,2})", f.get("a") or "", re.IGNORECASE)
        if match:
            return int(match.group(1))
    return None


def _terms(record: pymarc.Record) -> list[tuple[str, str]]:
    terms = []
    for tag, kind in (("650", "subject"), ("651", "subject"), ("655", "genre")):
        for f in record.get_fields(tag):
            term = _clean(f.get("a"))
            if term:
                terms.append((kind, term[:100].lower()))
    return terms


def read_records(path: Path) -> list[tuple[pymarc.Record | None, str | None]]:
    """(record, None) for each readable record; (None, reason) for what could not be read.

    ISO 2709 is split at the record terminator and each piece parsed on its own, so
    garbage between records costs only the garbage: a record is found inside a piece
    where its leader's length matches what is left."""
    data = path.read_bytes()
    if data.lstrip()[:1] == b"<":
        try:
            return [(r, None) for r in pymarc.parse_xml_to_array(str(path))]
        except Exception as exc:  # the XML parser's errors
            return [(None, f"MARCXML: {type(exc).__name__}")]
    out: list[tuple[pymarc.Record | None, str | None]] = []
    pieces = data.split(b"\x1d")
    for number, piece in enumerate(pieces):
        if number == len(pieces) - 1 and not piece.strip():
            break  # what follows the last terminator
        chunk = piece + b"\x1d"
        start = _record_start(chunk)
        if start is None:
            out.append((None, "not a MARC record (length or terminator wrong)"))
            continue
        if start > 0 and chunk[:start].strip():
            out.append((None, f"{start} bytes of garbage before a record skipped"))
        try:
            record = pymarc.Record(chunk[start:], to_unicode=True, force_utf8=False, utf8_handling="replace")
        except Exception as exc:  # pymarc's RecordDirectoryInvalid and friends
            out.append((None, type(exc).__name__))
            continue
        out.append((record, None))
    return out


def _record_start(chunk: bytes) -> int | None:
    """Where a record begins in `chunk` (which ends with the terminator): the offset
    whose five-digit leader length equals the rest of the chunk."""
    for offset in range(0, max(0, len(chunk) - 24)):
        head = chunk[offset:offset + 5]
        if head.isdigit() and int(head) == len(chunk) - offset:
            return offset
    return None


def import_marc(desk, path: Path) -> MarcReport:
    report = MarcReport()
    policy_ratings = set(desk.policy.rating_ages)
    with desk.write():
        conn, now = desk.conn, desk.now()
        default_branch = desk.branch
        seen_barcodes: set[str] = set()
        for index, (record, problem) in enumerate(read_records(path), start=1):
            if record is None:
                report.rejected_records.append(Rejected(index, "?", problem or "unreadable"))
                continue
            control = record.get("001").data.strip() if record.get("001") is not None else None
            # The same 001 in two catalogues is two records: 003 says whose number it is.
            control_org = record.get("003").data.strip() if record.get("003") is not None else None
            title = _title(record)
            ident = control or (title or "?")
            if title is None:
                report.rejected_records.append(Rejected(index, ident, "no title (245 $a)"))
                continue
            fixed = _fixed(record)
            isbn, bad_isbns = _isbn(record)
            for bad in bad_isbns if isbn is None else []:
                report.warnings.append(Rejected(index, ident, f"invalid ISBN {bad[:20]} left out"))
            audience = {"a": "children", "b": "children", "c": "children", "j": "children", "d": "youth"}.get(
                fixed[22:23] if fixed else ""
            )
            terms = _terms(record)
            rating = _rating(record)
            if rating is not None and rating not in policy_ratings:
                report.warnings.append(Rejected(index, ident, f"age rating {rating} not in the policy; left out"))
                rating = None
            existing = (
                conn.execute(
                    "SELECT id FROM records WHERE control_no = ? AND control_org IS ?", (control, control_org)
                ).fetchone()
                if control
                else None
            )
            if existing is not None:
                record_id = existing[0]
                report.warnings.append(Rejected(index, ident, "already in the catalogue: items added to it"))
            else:
                record_id = item_store.insert_record(
                    conn,
                    {
                        "title": title,
                        "author": _author(record),
                        "isbn": isbn,
                        "year": _year(record, fixed),
                        "language": fixed[35:38].strip() or None if fixed else None,
                        "large_print": int(fixed[23:24] == "d" if fixed else False),
                        "easy_read": int(any("selko" in t or "easy-to-read" in t for _, t in terms)),
                        "audience": audience,
                        "control_no": control,
                        "control_org": control_org,
                    },
                    now,
                    terms,
                )
                report.records += 1
            fmt = record_format(record)
            holdings = record.get_fields("952")
            if not holdings:
                report.without_items.append(ident)
            for holding in holdings:
                barcode = (holding.get("p") or "").strip()
                if not re.fullmatch(r"[0-9A-Za-z\-]{3,32}", barcode):
                    report.rejected_items.append(Rejected(index, ident, "952 $p: no usable barcode"))
                    continue
                if barcode in seen_barcodes or item_store.barcode_exists(conn, barcode):
                    report.rejected_items.append(Rejected(index, ident, f"barcode {barcode} already exists"))
                    continue
                branch = (holding.get("a") or holding.get("b") or default_branch).strip()
                if branch_store.get(conn, branch) is None:
                    report.rejected_items.append(Rejected(index, ident, f"barcode {barcode}: unknown branch {branch[:16]}"))
                    continue
                price = None
                price_text = holding.get("g") or holding.get("v")
                if price_text:
                    try:
                        price = parse_euros(price_text)
                    except Refused:
                        report.warnings.append(Rejected(index, ident, f"barcode {barcode}: price not understood"))
                item_type = (holding.get("y") or "").strip().upper()
                item_store.insert_item(
                    conn,
                    {
                        "barcode": barcode,
                        "record_id": record_id,
                        "format": ITEM_TYPES.get(item_type, fmt),
                        "rating": rating,
                        "children": int(audience is not None),
                        "price_cents": price,
                        "home_branch": branch,
                        "loanable": int((holding.get("7") or "0").strip() in ("", "0")),
                    },
                    now,
                )
                seen_barcodes.add(barcode)
                report.items += 1
    return report
