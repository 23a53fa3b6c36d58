"""Patrons: register, look up, view, report a lost card, edit, export."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from ..clock import parse_moment, stamp
from ..core.circulation import standing_refusals
from ..core.errors import Refusal, Refused, invalid, refuse
from ..core.passwords import hash_secret
from ..core.patrons import (
    Registration,
    age_on,
    birth_date_from_hetu,
    card_number,
    category,
    consent_missing,
    mask_hetu,
    validate_hetu,
)
from ..core.text import clean_email, clean_phone, clean_text, phone_digits
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import patrons as patron_store
from .area import Area, call, patron_read
from .context import DeskContext, Patron


@dataclass(frozen=True)
class NewPatron:
    card: str
    first: str
    last: str
    hetu: str | None = None
    birth_date: date | None = None
    guardian: str | None = None
    consent_date: date | None = None
    organisation: bool = False
    responsible: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    verify_id: bool = False
    pin: str | None = None
    home_branch: str | None = None


@dataclass(frozen=True)
class LoanLine:
    barcode: str
    title: str
    author: str | None
    format: str
    due: date
    renewals: int
    overdue: bool
    lost_card: bool


@dataclass(frozen=True)
class HoldLine:
    title: str
    barcode: str | None
    status: str  # queued | in_transit | waiting
    position: int | None
    pickup_by: date | None
    pickup_branch: str
    pickup_code: str | None


@dataclass(frozen=True)
class FeeLine:
    at: datetime
    entry: str
    charge_type: str | None
    amount_cents: int
    open_cents: int | None
    reason: str | None
    title: str | None


@dataclass(frozen=True)
class PatronView:
    id: int
    card: str  # the patron's current card
    presented_card: str
    card_status: str  # of the presented card
    first_name: str
    last_name: str
    birth_date: date | None
    age: int | None
    category: str
    hetu_masked: str | None
    email: str | None
    phone: str | None
    address: str | None
    guardian: str | None
    consent_date: date | None
    responsible: str | None
    verify_id: bool
    blocks: tuple[Refusal, ...]
    balance_cents: int
    loans: tuple[LoanLine, ...] = ()
    holds: tuple[HoldLine, ...] = ()
    fees: tuple[FeeLine, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status(self) -> str:
        return "blocked" if self.blocks else "active"


_PIN = re.compile(r"^\d{4,8}$")


def prepare_patron(desk: DeskContext, new: NewPatron) -> tuple[str, dict]:
    """Check a registration by the rules and return (card, stored fields); writes
    nothing. A valid HETU or a birth date; a guardian's consent under 15; a
    responsible person for an organisation; a card and HETU not yet in the register."""
    today = desk.today()
    card = card_number(new.card)
    first = clean_text(new.first, "first", required=not new.organisation, max_length=100) or ""
    last = clean_text(new.last, "last", max_length=100)
    hetu = None
    birth = new.birth_date
    if new.hetu:
        try:
            hetu = validate_hetu(new.hetu)
        except ValueError:
            raise refuse("INVALID_HETU") from None
        hetu_birth = birth_date_from_hetu(hetu)
        if birth is not None and birth != hetu_birth:
            raise invalid("birth_date_mismatch")
        birth = hetu_birth
    if birth is None and not new.organisation:
        raise invalid("birth_date_missing")
    if birth is not None and birth > today:
        raise invalid("birth_date_future")
    if new.consent_date is not None and new.consent_date > today:
        raise invalid("consent_in_future")
    pin = (new.pin or "").strip() or None
    if pin is not None and not _PIN.match(pin):
        raise invalid("pin")
    registration = Registration(
        is_organisation=new.organisation,
        birth_date=None if new.organisation else birth,
        guardian=clean_text(new.guardian, "guardian", required=False, max_length=100),
        consent_date=new.consent_date,
        responsible=clean_text(new.responsible, "responsible", required=False, max_length=100),
    )
    missing = consent_missing(registration, today, desk.policy)
    if missing is not None:
        raise refuse(missing.code, **missing.params)
    phone = clean_phone(new.phone)
    sealed = digest = None
    if hetu is not None:
        from ..store.hetu_vault import HetuVault

        vault = HetuVault.of(desk.conn, create=True)
        sealed, digest = vault.seal(hetu), vault.digest(hetu)
    fields = {
        "first_name": first,
        "last_name": last,
        "hetu_sealed": sealed,
        "hetu_digest": digest,
        "hetu_masked": mask_hetu(hetu) if hetu else None,
        "birth_date": registration.birth_date.isoformat() if registration.birth_date else None,
        "is_organisation": int(new.organisation),
        "responsible_person": registration.responsible,
        "guardian_name": registration.guardian,
        "consent_date": new.consent_date.isoformat() if new.consent_date else None,
        "email": clean_email(new.email),
        "phone": phone,
        "phone_digits": phone_digits(phone),
        "address": clean_text(new.address, "address", required=False, max_length=300),
        "verify_id": int(new.verify_id),
        "pin_hash": hash_secret(pin) if pin else None,
        "home_branch": desk.known_branch(new.home_branch) if new.home_branch else _default_branch(desk),
    }
    if patron_store.card_exists(desk.conn, card):
        raise refuse("DUPLICATE_CARD")
    if digest is not None and patron_store.hetu_exists(desk.conn, digest):
        raise refuse("DUPLICATE_PATRON")
    return card, fields


def add_patron(desk: DeskContext, new: NewPatron) -> PatronView:
    """Register a patron by the rules (see `prepare_patron`)."""
    card, fields = prepare_patron(desk, new)  # outside the lock: the PIN hash is slow
    with desk.write():
        insert_patrons(desk, [(card, fields)])
    return patron_view(desk, card)


def insert_patrons(desk: DeskContext, prepared: list[tuple[str, dict]]) -> None:
    """Store prepared registrations (inside the caller's transaction). Another desk
    may have taken a card or HETU since they were checked: the unique keys catch it."""
    for card, fields in prepared:
        try:
            patron_store.insert(desk.conn, fields, card, desk.now())
        except sqlite3.IntegrityError as exc:
            raise refuse("DUPLICATE_PATRON" if "hetu" in str(exc) else "DUPLICATE_CARD") from None


def _default_branch(desk: DeskContext) -> str | None:
    try:
        return desk.branch
    except Refused:  # a register with no branches yet: the patron has no home branch
        return None


def find_patrons(desk: DeskContext, text: str, limit: int = 20) -> list[dict]:
    """A scanned card opens one patron; typed text searches names, e-mail and phone."""
    text = (text or "").strip()
    found = []
    exact = patron_store.by_card(desk.conn, text) if text else None
    if exact is not None:
        found.append(_hit(exact["id"], exact["first_name"], exact["last_name"], exact["birth_date"],
                          patron_store.active_card(desk.conn, exact["id"]), exact_card=True))
    for row in patron_store.search(desk.conn, text, limit):
        if exact is None or row["id"] != exact["id"]:
            found.append(_hit(row["id"], row["first_name"], row["last_name"], row["birth_date"], row["card"]))
    return found[:limit]


def _hit(patron_id, first, last, birth_date, card, exact_card=False) -> dict:
    return {
        "id": patron_id,
        "card": card,
        "name": f"{first} {last}".strip(),
        "birth_year": int(birth_date[:4]) if birth_date else None,
        "exact_card": exact_card,
    }


def patron_view(desk: DeskContext, card: str, *, with_fees: bool = False) -> PatronView:
    """Everything the desk shows about a patron. The HETU only masked."""
    patron = desk.find_card(card, for_circulation=False)
    return _view(desk, patron, with_fees=with_fees)


def _view(desk: DeskContext, patron: Patron, *, with_fees: bool) -> PatronView:
    conn, today, now = desk.conn, desk.today(), desk.now()
    row = patron.row
    standing = desk.standing(patron)
    blocks = tuple(standing_refusals(standing, desk.policy))
    loans = tuple(
        LoanLine(
            barcode=loan["barcode"],
            title=loan["title"],
            author=loan["author"],
            format=loan["format"],
            due=date.fromisoformat(loan["due_date"]),
            renewals=loan["renewals"],
            overdue=datetime.fromisoformat(loan["due_at"]) < now,
            lost_card=bool(loan["lost_card"]),
        )
        for loan in circ_store.patron_loans(conn, patron.id)
    )
    holds = tuple(
        HoldLine(
            title=h["title"],
            barcode=h["barcode"],
            status=h["status"],
            position=circ_store.queue_position(conn, h) if h["status"] == "queued" else None,
            pickup_by=date.fromisoformat(h["pickup_by"]) if h["pickup_by"] else None,
            pickup_branch=h["pickup_branch"],
            pickup_code=h["pickup_code"],
        )
        for h in circ_store.patron_holds(conn, patron.id)
    )
    fees = ()
    if with_fees:
        fees = tuple(
            FeeLine(
                at=datetime.fromisoformat(f["at"]),
                entry=f["entry"],
                charge_type=f["charge_type"],
                amount_cents=f["amount_cents"],
                open_cents=f["open_cents"],
                reason=f["reason"],
                title=f["title"],
            )
            for f in fee_store.ledger(conn, patron.id)
        )
    birth = patron.birth_date
    return PatronView(
        id=patron.id,
        card=patron_store.active_card(conn, patron.id) or patron.card,
        presented_card=patron.card,
        card_status=patron.card_status,
        first_name=row["first_name"],
        last_name=row["last_name"],
        birth_date=birth,
        age=age_on(birth, today) if birth else None,
        category=category(patron.is_organisation, birth, today, desk.policy),
        hetu_masked=row["hetu_masked"],
        email=row["email"],
        phone=row["phone"],
        address=row["address"],
        guardian=row["guardian_name"],
        consent_date=date.fromisoformat(row["consent_date"]) if row["consent_date"] else None,
        responsible=row["responsible_person"],
        verify_id=bool(row["verify_id"]),
        blocks=blocks,
        balance_cents=standing.balance_cents,
        loans=loans,
        holds=holds,
        fees=fees,
    )


def report_lost_card(desk: DeskContext, card: str, new_card: str, reported_at: str | None = None) -> PatronView:
    """Close a lost card from the moment of the report and issue a new one. Loans
    made with the old card from that moment on are flagged: the patron is not liable."""
    new_card = card_number(new_card, "new_card")
    moment = desk.now()
    if reported_at:
        try:
            moment = parse_moment(reported_at)
        except ValueError:
            raise invalid("moment", field="reported_at") from None
        if moment > desk.now():
            raise invalid("reported_in_future")
    with desk.write():
        conn = desk.conn
        patron = desk.find_card(card, for_circulation=False)
        if patron.card_status != "active":
            raise refuse("CARD_LOST", closed_at=patron.row["card_closed_at"])
        if patron_store.card_exists(conn, new_card):
            raise refuse("DUPLICATE_CARD")
        conn.execute(
            "UPDATE cards SET status = 'lost', closed_at = ? WHERE card = ?", (stamp(moment), patron.card)
        )
        conn.execute(
            "INSERT INTO cards (card, patron_id, status, issued_at) VALUES (?, ?, 'active', ?)",
            (new_card, patron.id, stamp(desk.now())),
        )
        conn.execute(
            "UPDATE loans SET lost_card = 1 WHERE card = ? AND julianday(loaned_at) >= julianday(?)",
            (patron.card, stamp(moment)),
        )
    return patron_view(desk, new_card)


@dataclass(frozen=True)
class ContactChange:
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    verify_id: bool | None = None
    first: str | None = None
    last: str | None = None


def update_patron(desk: DeskContext, card: str, change: ContactChange) -> PatronView:
    """Change of name, address or contact details (the patron must report them)."""
    fields: dict = {}
    if change.first is not None:
        fields["first_name"] = clean_text(change.first, "first", max_length=100)
    if change.last is not None:
        fields["last_name"] = clean_text(change.last, "last", max_length=100)
    if change.email is not None:
        fields["email"] = clean_email(change.email)
    if change.phone is not None:
        fields["phone"] = clean_phone(change.phone)
        fields["phone_digits"] = phone_digits(fields["phone"])
    if change.address is not None:
        fields["address"] = clean_text(change.address, "address", required=False, max_length=300)
    if change.verify_id is not None:
        fields["verify_id"] = int(change.verify_id)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        patron_store.update(desk.conn, patron.id, fields, desk.now())
    return patron_view(desk, card)


def set_pin(desk: DeskContext, card: str, pin: str) -> None:
    """A new PIN after an ID check; only its slow hash is stored."""
    pin = (pin or "").strip()
    if not _PIN.match(pin):
        raise invalid("pin")
    hashed = hash_secret(pin)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        patron_store.update(desk.conn, patron.id, {"pin_hash": hashed}, desk.now())


def export_patron(desk: DeskContext, card: str) -> dict:
    """Everything stored about the patron (the right to see one's own data)."""
    conn = desk.conn
    patron = desk.find_card(card, for_circulation=False)
    pid = patron.id

    def rows(sql: str) -> list[dict]:
        return [dict(r) for r in conn.execute(sql, (pid,)).fetchall()]

    person = dict(patron.row)
    for key in ("presented_card", "card_status", "card_closed_at", "hetu_digest", "hetu_masked"):
        person.pop(key, None)
    sealed = person.pop("hetu_sealed", None)
    if sealed:
        from ..store.hetu_vault import HetuVault

        person["hetu"] = HetuVault.of(conn).open(sealed)
    person["pin"] = "set (stored only as a one-way scrypt hash)" if person.pop("pin_hash") else None
    return {
        "patron": person,
        "cards": rows("SELECT card, status, issued_at, closed_at FROM cards WHERE patron_id = ? ORDER BY issued_at"),
        "loans": rows(
            "SELECT i.barcode, r.title, l.card, l.kind, l.branch, l.loaned_at, l.due_date, l.renewals,"
            " l.lost_card, l.returned_at, l.returned_branch, l.returned_on"
            " FROM loans l JOIN items i ON i.id = l.item_id JOIN records r ON r.id = i.record_id"
            " WHERE l.patron_id = ? ORDER BY l.loaned_at"
        ),
        "holds": rows(
            "SELECT r.title, h.pickup_branch, h.placed_at, h.status, h.trapped_at, h.pickup_by, h.closed_at"
            " FROM holds h JOIN records r ON r.id = h.record_id WHERE h.patron_id = ? ORDER BY h.placed_at"
        ),
        "fees": rows(
            "SELECT id, entry, charge_type, amount_cents, reason, branch, at FROM fees WHERE patron_id = ? ORDER BY id"
        ),
        "fee_settlements": rows(
            "SELECT s.credit_id, s.charge_id, s.amount_cents FROM fee_settlements s"
            " JOIN fees f ON f.id = s.credit_id WHERE f.patron_id = ? ORDER BY s.credit_id"
        ),
        "bans": rows(
            "SELECT type, reason, written, hearing_date, clearance, starts_on, until, given_by, created_at,"
            " lifted_at, lifted_reason FROM bans WHERE patron_id = ? ORDER BY id"
        ),
        "ill_requests": rows(
            "SELECT title, from_library, price_cents, status, ordered_at, closed_at FROM ill_requests"
            " WHERE patron_id = ? ORDER BY id"
        ),
        "notices": rows("SELECT kind, created_at, sent_at FROM notices WHERE patron_id = ? ORDER BY id"),
        "overrides": rows("SELECT at, branch, staff, code, reason FROM overrides WHERE patron_id = ? ORDER BY id"),
        "access_log": rows("SELECT at, staff, branch, action, kind FROM audit_log WHERE patron_id = ? ORDER BY id"),
    }


class Patrons(Area):
    """Patrons: registration, search, the patron's view, cards and PINs."""

    name = "patrons"
    add = call(add_patron)
    find = call(find_patrons)
    view = patron_read(patron_view)
    report_lost_card = call(report_lost_card)
    update = call(update_patron)
    set_pin = call(set_pin)
    export = patron_read(export_patron)
