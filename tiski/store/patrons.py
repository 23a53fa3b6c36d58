"""Patrons, their cards, bans and balance."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from ..clock import stamp
from ..core.text import phone_digits
from .values import day


@dataclass(frozen=True)
class PatronRecord:
    """A patron's own details: never the identity code (only its mask) nor the PIN's hash."""

    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    is_organisation: bool
    guardian: str | None
    consent_date: date | None
    responsible: str | None
    email: str | None
    phone: str | None
    address: str | None
    verify_id: bool
    hetu_masked: str | None
    home_branch: str | None
    language: str  # fi | sv | en: what notices and self-service machines speak to them

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Patron(PatronRecord):
    """A patron as found by a card, with the card's own status."""

    card: str  # the card presented
    card_status: str  # active | lost | replaced
    card_closed_at: str | None


@dataclass(frozen=True)
class PatronFields:
    """What a registration stores, checked by the rules beforehand."""

    first_name: str
    last_name: str
    birth_date: date | None
    is_organisation: bool
    responsible: str | None
    guardian: str | None
    consent_date: date | None
    email: str | None
    phone: str | None
    address: str | None
    verify_id: bool
    home_branch: str | None
    language: str
    hetu_sealed: str | None = None
    hetu_digest: str | None = None  # keyed: finds a duplicate without the code in clear
    hetu_masked: str | None = None
    pin_hash: str | None = None


@dataclass(frozen=True)
class PatronHit:
    """One line of a search result."""

    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    is_organisation: bool
    card: str | None  # the active card

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class BanRecord:
    id: int
    type: str  # borrowing | use | visit
    reason: str
    written: bool
    hearing_date: date | None
    clearance: bool  # from the annual clearance: lasts until the balance is paid
    starts_on: date
    until: date | None
    given_by: str | None


_COLUMNS = ("p.id, p.first_name, p.last_name, p.birth_date, p.is_organisation, p.guardian_name, p.consent_date,"
            " p.responsible_person, p.email, p.phone, p.address, p.verify_id, p.hetu_masked, p.home_branch,"
            " p.language")

PATRON_BY_CARD = f"""
SELECT {_COLUMNS}, c.card, c.status, c.closed_at
FROM cards c JOIN patrons p ON p.id = c.patron_id
WHERE c.card = ?
"""

class AlreadyRegistered(Exception):
    """Another desk registered the card or the identity code first (a unique key)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what  # card | hetu


# Columns a change of details may set (the names go into SQL: never from input).
EDITABLE = frozenset({"first_name", "last_name", "email", "phone", "address", "verify_id", "language", "pin_hash"})


def _fields(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row[0], "first_name": row[1], "last_name": row[2], "birth_date": day(row[3]),
            "is_organisation": bool(row[4]), "guardian": row[5], "consent_date": day(row[6]), "responsible": row[7],
            "email": row[8], "phone": row[9], "address": row[10], "verify_id": bool(row[11]), "hetu_masked": row[12],
            "home_branch": row[13], "language": row[14]}


def by_card(conn: sqlite3.Connection, card: str) -> Patron | None:
    row = conn.execute(PATRON_BY_CARD, (card,)).fetchone()
    if row is None:
        return None
    return Patron(**_fields(row), card=row[15], card_status=row[16], card_closed_at=row[17])


def by_id(conn: sqlite3.Connection, patron_id: int) -> PatronRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM patrons p WHERE p.id = ?", (patron_id,)).fetchone()
    return PatronRecord(**_fields(row)) if row else None


def active_card(conn: sqlite3.Connection, patron_id: int) -> str | None:
    row = conn.execute(
        "SELECT card FROM cards WHERE patron_id = ? AND status = 'active'", (patron_id,)
    ).fetchone()
    return str(row[0]) if row else None


def card_exists(conn: sqlite3.Connection, card: str) -> bool:
    return conn.execute("SELECT 1 FROM cards WHERE card = ?", (card,)).fetchone() is not None


@dataclass(frozen=True)
class HetuHolder:
    card: str  # the patron's card in use (their newest, when every card is closed)
    first_name: str
    last_name: str


def hetu_holder(conn: sqlite3.Connection, digest: str) -> HetuHolder | None:
    """Who already holds an identity code, found by its keyed digest."""
    row = conn.execute(
        "SELECT c.card, p.first_name, p.last_name FROM patrons p JOIN cards c ON c.patron_id = p.id"
        " WHERE p.hetu_digest = ? ORDER BY c.status = 'active' DESC, c.issued_at DESC LIMIT 1",
        (digest,),
    ).fetchone()
    return HetuHolder(row[0], row[1], row[2]) if row else None


def insert(conn: sqlite3.Connection, card: str, fields: PatronFields, now: datetime) -> int:
    """A new patron and their first card; AlreadyRegistered when either is taken."""
    try:
        return _insert(conn, card, fields, now)
    except sqlite3.IntegrityError as exc:
        raise AlreadyRegistered("hetu" if "hetu" in str(exc) else "card") from None


def _insert(conn: sqlite3.Connection, card: str, fields: PatronFields, now: datetime) -> int:
    cursor = conn.execute(
        """
        INSERT INTO patrons (first_name, last_name, birth_date, is_organisation, responsible_person, guardian_name,
                             consent_date, email, phone, phone_digits, address, verify_id, home_branch, language,
                             hetu_sealed, hetu_digest, hetu_masked, pin_hash, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (fields.first_name, fields.last_name, _iso(fields.birth_date), int(fields.is_organisation),
         fields.responsible, fields.guardian, _iso(fields.consent_date), fields.email, fields.phone,
         phone_digits(fields.phone), fields.address, int(fields.verify_id), fields.home_branch, fields.language,
         fields.hetu_sealed, fields.hetu_digest, fields.hetu_masked, fields.pin_hash, stamp(now), stamp(now)),
    )
    patron_id = int(cursor.lastrowid or 0)
    issue_card(conn, patron_id, card, now)
    return patron_id


def update(conn: sqlite3.Connection, patron_id: int, fields: Mapping[str, str | int | None], now: datetime) -> None:
    """Change some of the EDITABLE details; the phone's search digits follow the phone."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = dict(fields)
    if "phone" in values:
        phone = values["phone"]
        values["phone_digits"] = phone_digits(phone if isinstance(phone, str) else None)
    if not values:
        return
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE patrons SET {assignments}, updated_at = ? WHERE id = ?",
                 (*values.values(), stamp(now), patron_id))


def issue_card(conn: sqlite3.Connection, patron_id: int, card: str, now: datetime) -> None:
    conn.execute("INSERT INTO cards (card, patron_id, status, issued_at) VALUES (?, ?, 'active', ?)",
                 (card, patron_id, stamp(now)))


def close_card(conn: sqlite3.Connection, card: str, status: str, closed_at: datetime) -> None:
    conn.execute("UPDATE cards SET status = ?, closed_at = ? WHERE card = ?", (status, stamp(closed_at), card))


def _fts_query(text: str) -> str | None:
    """Typed words -> an FTS5 prefix query: every word must match the start of a token."""
    if not re.search(r"[^\W\d_]", text):  # no letters: a phone number
        digits = phone_digits(text)
        return f'phone_digits : "{digits}"*' if digits and len(digits) >= 3 else None
    words = re.findall(r"\w+", text.lower())
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:6])


def search(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[PatronHit]:
    """Patrons by name, e-mail or phone. The best 200 by bm25, then the ones whose
    surname starts with what was typed first, namesakes alphabetically with the oldest
    first — the order staff scan a list of Virtanens in."""
    query = _fts_query(text)
    if query is None:
        return []
    rows = conn.execute(
        """
        SELECT p.id, p.first_name, p.last_name, p.birth_date, p.is_organisation,
               (SELECT card FROM cards WHERE patron_id = p.id AND status = 'active') AS card
        FROM patrons_fts f JOIN patrons p ON p.id = f.rowid
        WHERE patrons_fts MATCH ?
        ORDER BY bm25(patrons_fts, 2.0, 3.0, 1.0, 1.0)
        LIMIT 200
        """,
        (query,),
    ).fetchall()
    hits = [PatronHit(r[0], r[1], r[2], day(r[3]), bool(r[4]), r[5]) for r in rows]
    words = re.findall(r"\w+", text.lower())
    first_word = words[0] if words else ""

    def order(hit: PatronHit) -> tuple[bool, str, str, date, int]:
        last = hit.last_name.lower()
        return (not last.startswith(first_word), last, hit.first_name.lower(), hit.birth_date or date.min, hit.id)

    return sorted(hits, key=order)[:limit]


def balance_cents(conn: sqlite3.Connection, patron_id: int) -> int:
    return int(conn.execute(
        "SELECT COALESCE(SUM(CASE entry WHEN 'charge' THEN amount_cents ELSE -amount_cents END), 0)"
        " FROM fees WHERE patron_id = ?",
        (patron_id,),
    ).fetchone()[0])


def active_bans(conn: sqlite3.Connection, patron_id: int, today: date) -> list[BanRecord]:
    rows = conn.execute(
        "SELECT id, type, reason, written, hearing_date, clearance, starts_on, until, given_by FROM bans"
        " WHERE patron_id = ? AND lifted_at IS NULL AND starts_on <= ? AND (until IS NULL OR until >= ?) ORDER BY id",
        (patron_id, today.isoformat(), today.isoformat()),
    ).fetchall()
    return [BanRecord(r[0], r[1], r[2], bool(r[3]), day(r[4]), bool(r[5]), date.fromisoformat(r[6]), day(r[7]), r[8])
            for r in rows]


def lift_clearance_bans(conn: sqlite3.Connection, patron_id: int, now: datetime) -> None:
    """The annual clearance's ban lasts until the debt is paid."""
    conn.execute(
        "UPDATE bans SET lifted_at = ?, lifted_reason = 'paid' WHERE patron_id = ? AND clearance = 1"
        " AND lifted_at IS NULL",
        (stamp(now), patron_id),
    )


# Everything stored about a patron, section by section (the right to see one's own data).
_EXPORT = {
    "cards": "SELECT card, status, issued_at, closed_at FROM cards WHERE patron_id = ? ORDER BY issued_at",
    "loans": "SELECT i.barcode, r.title, l.card, l.kind, l.branch, l.loaned_at, l.due_date, l.renewals,"
             " l.lost_card, l.returned_at, l.returned_branch, l.returned_on"
             " FROM loans l JOIN items i ON i.id = l.item_id JOIN records r ON r.id = i.record_id"
             " WHERE l.patron_id = ? ORDER BY l.id",
    "holds": "SELECT r.title, h.pickup_branch, h.placed_at, h.status, h.trapped_at, h.pickup_by, h.closed_at"
             " FROM holds h JOIN records r ON r.id = h.record_id WHERE h.patron_id = ? ORDER BY h.id",
    "fees": "SELECT id, entry, charge_type, amount_cents, reason, branch, at FROM fees WHERE patron_id = ? ORDER BY id",
    "fee_settlements": "SELECT s.credit_id, s.charge_id, s.amount_cents FROM fee_settlements s"
                       " JOIN fees f ON f.id = s.credit_id WHERE f.patron_id = ? ORDER BY s.credit_id",
    "bans": "SELECT type, reason, written, hearing_date, clearance, starts_on, until, given_by, created_at,"
            " lifted_at, lifted_reason FROM bans WHERE patron_id = ? ORDER BY id",
    "ill_requests": "SELECT title, from_library, price_cents, status, ordered_at, closed_at FROM ill_requests"
                    " WHERE patron_id = ? ORDER BY id",
    "notices": "SELECT kind, level, channel, status, subject, body, created_at, sent_at FROM notices"
               " WHERE patron_id = ? ORDER BY id",
    "notice_preferences": "SELECT kind, channel FROM notice_preferences WHERE patron_id = ? ORDER BY kind",
    "overrides": "SELECT at, branch, staff, code, reason FROM overrides WHERE patron_id = ? ORDER BY id",
    "circulation_notes": "SELECT text, added_at, added_by, branch, done_at, done_by FROM circulation_notes"
                         " WHERE patron_id = ? ORDER BY id",
    "access_log": "SELECT at, staff, branch, action, kind FROM audit_log WHERE patron_id = ? ORDER BY id",
}

# The identity code's lookup forms: the export opens the sealed code itself.
_NOT_EXPORTED = ("hetu_digest", "hetu_masked")


def export(conn: sqlite3.Connection, patron_id: int) -> dict[str, Any]:
    """Every stored value about the patron as plain values, the sealed identity code
    still sealed (`hetu_sealed`) and the PIN only as whether one is set (`pin_set`)."""
    row = conn.execute("SELECT * FROM patrons WHERE id = ?", (patron_id,)).fetchone()
    person = {key: row[key] for key in row.keys() if key not in _NOT_EXPORTED}
    person["pin_set"] = person.pop("pin_hash") is not None
    sections: dict[str, Any] = {"patron": person}
    for name, sql in _EXPORT.items():
        sections[name] = [dict(r) for r in conn.execute(sql, (patron_id,))]
    return sections


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
