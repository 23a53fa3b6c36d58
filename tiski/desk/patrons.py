"""Patrons: register, look up, view, report a lost card, edit, export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from ..clock import parse_moment
from ..core.alerts import LoanDue, Note, WaitingHold, card_alerts, clean_note
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
    mask_name,
    patron_language,
    under_consent_age,
    validate_hetu,
    without_hetu,
)
from ..core.text import clean_email, clean_phone, clean_text
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import holds as hold_store
from ..store import notes as note_store
from ..store import patrons as patron_store
from ..store.patrons import Patron, PatronFields
from .area import Area, call, patron_export, patron_read
from .context import DeskContext


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
    language: str = "fi"  # fi | sv | en: notices and self-service machines speak to the patron in it


@dataclass(frozen=True)
class LoanLine:
    barcode: str
    title: str
    author: str | None
    format: str
    due: date
    renewals: int
    overdue: bool  # past the due date's closing time (also when claimed returned)
    lost_card: bool
    claims_returned: bool = False  # the patron says it came back: searched for, owes nothing, blocks nothing


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
    language: str = "fi"
    alerts: tuple[Refusal, ...] = ()  # at the card: notes, holds waiting, overdue loans, fees due
    notes: tuple[Note, ...] = ()  # the open circulation notes

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status(self) -> str:
        return "blocked" if self.blocks else "active"


_PIN = re.compile(r"^\d{4,8}$")


def prepare_patron(desk: DeskContext, new: NewPatron) -> tuple[str, PatronFields]:
    """Check a registration by the rules and return (card, what to store); writes
    nothing. A valid HETU or a birth date; a guardian's consent under 15; a
    responsible person for an organisation; a card and HETU not yet in the register."""
    today = desk.today()
    card = card_number(new.card)
    first = without_hetu(clean_text(new.first, "first", required=not new.organisation, max_length=100), "first") or ""
    last = without_hetu(clean_text(new.last, "last", max_length=100), "last") or ""
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
        guardian=without_hetu(clean_text(new.guardian, "guardian", required=False, max_length=100), "guardian"),
        consent_date=new.consent_date,
        responsible=without_hetu(clean_text(new.responsible, "responsible", required=False, max_length=100),
                                 "responsible"),
    )
    missing = consent_missing(registration, today, desk.policy)
    if missing is not None:
        raise refuse(missing.code, **missing.params)
    sealed = digest = None
    if hetu is not None:
        from ..store.hetu_vault import HetuVault

        vault = HetuVault.of(desk.conn, create=True)
        sealed, digest = vault.seal(hetu), vault.digest(hetu)
    fields = PatronFields(
        first_name=first,
        last_name=last,
        birth_date=registration.birth_date,
        is_organisation=new.organisation,
        responsible=registration.responsible,
        guardian=registration.guardian,
        consent_date=new.consent_date,
        email=without_hetu(clean_email(new.email), "email"),
        phone=without_hetu(clean_phone(new.phone), "phone"),
        address=without_hetu(clean_text(new.address, "address", required=False, max_length=300), "address"),
        verify_id=new.verify_id,
        home_branch=desk.known_branch(new.home_branch) if new.home_branch else _default_branch(desk),
        language=patron_language(new.language),
        hetu_sealed=sealed,
        hetu_digest=digest,
        hetu_masked=mask_hetu(hetu) if hetu else None,
        pin_hash=hash_secret(pin) if pin else None,
    )
    if patron_store.card_exists(desk.conn, card):
        raise refuse("DUPLICATE_CARD")
    if digest is not None:
        _refuse_a_second_holder(desk, digest)
    return card, fields


def _refuse_a_second_holder(desk: DeskContext, digest: str) -> None:
    """A HETU already registered: the refusal names the card holding it, and the name
    masked — for the staff member at the desk, who can then find that patron."""
    holder = patron_store.hetu_holder(desk.conn, digest)
    if holder is not None:
        raise refuse("DUPLICATE_PATRON", card=holder.card, name=mask_name(holder.first_name, holder.last_name))


def add_patron(desk: DeskContext, new: NewPatron) -> PatronView:
    """Register a patron by the rules (see `prepare_patron`)."""
    card, fields = prepare_patron(desk, new)  # outside the lock: the PIN hash is slow
    with desk.write():
        insert_patrons(desk, [(card, fields)])
    return patron_view(desk, card)


def insert_patrons(desk: DeskContext, prepared: list[tuple[str, PatronFields]]) -> None:
    """Store prepared registrations (inside the caller's transaction). Another desk
    may have taken a card or HETU since they were checked: the unique keys catch it."""
    for card, fields in prepared:
        try:
            patron_store.insert(desk.conn, card, fields, desk.now())
        except patron_store.AlreadyRegistered as taken:
            if taken.what == "hetu" and fields.hetu_digest is not None:
                _refuse_a_second_holder(desk, fields.hetu_digest)
            raise refuse("DUPLICATE_PATRON" if taken.what == "hetu" else "DUPLICATE_CARD") from None


def needs_consent(desk: DeskContext, birth_date: date) -> bool:
    """Whether someone born on `birth_date` needs a guardian's consent today: for a
    registration form that asks for it as soon as the birth date is known."""
    return under_consent_age(birth_date, desk.today(), desk.policy)


def _default_branch(desk: DeskContext) -> str | None:
    try:
        return desk.branch
    except Refused:  # a register with no branches yet: the patron has no home branch
        return None


class PatronFound(TypedDict):
    id: int
    card: str | None
    name: str
    birth_year: int | None
    exact_card: bool


def find_patrons(desk: DeskContext, text: str, limit: int = 20) -> list[PatronFound]:
    """A scanned card opens one patron; typed text searches names, e-mail and phone."""
    text = (text or "").strip()
    found: list[PatronFound] = []
    exact = patron_store.by_card(desk.conn, text) if text else None
    if exact is not None:
        found.append(_hit(exact.id, exact.name, exact.birth_date, patron_store.active_card(desk.conn, exact.id),
                          exact_card=True))
    for hit in patron_store.search(desk.conn, text, limit):
        if exact is None or hit.id != exact.id:
            found.append(_hit(hit.id, hit.name, hit.birth_date, hit.card))
    return found[:limit]


def _hit(patron_id: int, name: str, birth_date: date | None, card: str | None,
         exact_card: bool = False) -> PatronFound:
    return {"id": patron_id, "card": card, "name": name, "birth_year": birth_date.year if birth_date else None,
            "exact_card": exact_card}


def patron_view(desk: DeskContext, card: str, *, with_fees: bool = False) -> PatronView:
    """Everything the desk shows about a patron. The HETU only masked."""
    patron = desk.find_card(card, for_circulation=False)
    return _view(desk, patron, with_fees=with_fees)


def _view(desk: DeskContext, patron: Patron, *, with_fees: bool) -> PatronView:
    conn, today, now = desk.conn, desk.today(), desk.now()
    standing = desk.standing(patron)
    loans = tuple(
        LoanLine(
            barcode=loan.barcode,
            title=loan.title,
            author=loan.author,
            format=loan.format,
            due=loan.due_date,
            renewals=loan.renewals,
            overdue=loan.due_at < now,
            lost_card=loan.lost_card,
            claims_returned=loan.claims_returned,
        )
        for loan in circ_store.patron_loans(conn, patron.id)
    )
    holds = tuple(
        HoldLine(
            title=hold.title,
            barcode=hold.barcode,
            status=hold.status,
            position=hold_store.queue_position(conn, hold) if hold.status == "queued" else None,
            pickup_by=hold.pickup_by,
            pickup_branch=hold.pickup_branch,
            pickup_code=hold.pickup_code,
        )
        for hold in hold_store.patron_holds(conn, patron.id)
    )
    fees: tuple[FeeLine, ...] = ()
    if with_fees:
        fees = tuple(
            FeeLine(
                at=entry.at,
                entry=entry.entry,
                charge_type=entry.charge_type,
                amount_cents=entry.amount_cents,
                open_cents=entry.open_cents,
                reason=entry.reason,
                title=entry.title,
            )
            for entry in fee_store.ledger(conn, patron.id)
        )
    notes = note_store.open_notes(conn, patron.id)
    birth = patron.birth_date
    return PatronView(
        id=patron.id,
        card=patron_store.active_card(conn, patron.id) or patron.card,
        presented_card=patron.card,
        card_status=patron.card_status,
        first_name=patron.first_name,
        last_name=patron.last_name,
        birth_date=birth,
        age=age_on(birth, today) if birth else None,
        category=category(patron.is_organisation, birth, today, desk.policy),
        hetu_masked=patron.hetu_masked,
        email=patron.email,
        phone=patron.phone,
        address=patron.address,
        guardian=patron.guardian,
        consent_date=patron.consent_date,
        responsible=patron.responsible,
        verify_id=patron.verify_id,
        blocks=tuple(standing_refusals(standing, desk.policy)),
        balance_cents=standing.balance_cents,
        loans=loans,
        holds=holds,
        fees=fees,
        language=patron.language,
        alerts=_alerts(desk, standing.balance_cents, loans, holds, notes),
        notes=notes,
    )


def _alerts(desk: DeskContext, balance_cents: int, loans: tuple[LoanLine, ...], holds: tuple[HoldLine, ...],
            notes: tuple[Note, ...]) -> tuple[Refusal, ...]:
    return card_alerts(
        today=desk.today(),
        policy=desk.policy,
        balance_cents=balance_cents,
        loans=tuple(LoanDue(loan.due, loan.overdue, loan.claims_returned) for loan in loans),
        waiting=tuple(WaitingHold(h.title, h.pickup_code, h.pickup_by) for h in holds if h.status == "waiting"),
        notes=notes,
    )


def alerts_at_card(desk: DeskContext, card: str) -> tuple[Refusal, ...]:
    """The alerts alone, for a screen that shows them after a loan changed them."""
    return patron_view(desk, card).alerts


def identity_checked(desk: DeskContext, card: str, confirmed: bool) -> None:
    """The desk asked for the ID of a patron who wants it checked at every loan:
    `confirmed` or not, it is in the audit trail (who, when, at which desk)."""
    with desk.write():
        desk.find_card(card, for_circulation=False)


def add_note(desk: DeskContext, card: str, text: str) -> Note:
    """A circulation note on the patron, shown whenever the card is read until done."""
    note = clean_note(text)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        return note_store.add(desk.conn, patron.id, note, now=desk.now(), staff=desk.staff, branch=desk.branch)


def note_done(desk: DeskContext, card: str, note_id: int) -> Note:
    """Mark a circulation note done: it is no longer shown (it stays in the export)."""
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        note = note_store.mark_done(desk.conn, patron.id, note_id, now=desk.now(), staff=desk.staff)
        if note is None:
            raise refuse("NOT_FOUND", what="note")
        return note


def report_lost_card(desk: DeskContext, card: str, new_card: str, reported_at: str | None = None) -> PatronView:
    """Close a lost card from the moment of the report and issue a new one. Loans
    made with the old card from that moment on are flagged: the patron is not liable."""
    new_card = card_number(new_card, "new_card")
    moment = desk.now()
    if reported_at:
        try:
            moment = parse_moment(reported_at, desk.now().date())
        except ValueError:
            raise invalid("moment", field="reported_at") from None
        if moment > desk.now():
            raise invalid("reported_in_future")
    with desk.write():
        conn = desk.conn
        patron = desk.find_card(card, for_circulation=False)
        if patron.card_status != "active":
            raise refuse("CARD_LOST", closed_at=patron.card_closed_at)
        if patron_store.card_exists(conn, new_card):
            raise refuse("DUPLICATE_CARD")
        patron_store.close_card(conn, patron.card, "lost", moment)
        patron_store.issue_card(conn, patron.id, new_card, desk.now())
        circ_store.flag_lost_card_loans(conn, patron.card, moment)
    return patron_view(desk, new_card)


@dataclass(frozen=True)
class ContactChange:
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    verify_id: bool | None = None
    first: str | None = None
    last: str | None = None
    language: str | None = None


def update_patron(desk: DeskContext, card: str, change: ContactChange) -> PatronView:
    """Change of name, address, language or contact details (the patron must report them)."""
    fields: dict[str, str | int | None] = {}
    if change.first is not None:
        fields["first_name"] = without_hetu(clean_text(change.first, "first", max_length=100), "first")
    if change.last is not None:
        fields["last_name"] = without_hetu(clean_text(change.last, "last", max_length=100), "last")
    if change.email is not None:
        fields["email"] = without_hetu(clean_email(change.email), "email")
    if change.phone is not None:
        fields["phone"] = without_hetu(clean_phone(change.phone), "phone")
    if change.address is not None:
        fields["address"] = without_hetu(clean_text(change.address, "address", required=False, max_length=300),
                                         "address")
    if change.verify_id is not None:
        fields["verify_id"] = int(change.verify_id)
    if change.language is not None:
        fields["language"] = patron_language(change.language)
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


def export_patron(desk: DeskContext, card: str) -> dict[str, Any]:
    """Everything stored about the patron (the right to see one's own data), the
    identity code opened; the PIN only as whether one is set."""
    patron = desk.find_card(card, for_circulation=False)
    data = patron_store.export(desk.conn, patron.id)
    person = data["patron"]
    sealed = person.pop("hetu_sealed", None)
    if sealed:
        from ..store.hetu_vault import HetuVault

        person["hetu"] = HetuVault.of(desk.conn).open(sealed)
    person["pin"] = "set (stored only as a one-way scrypt hash)" if person.pop("pin_set") else None
    return data


class Patrons(Area):
    """Patrons: registration, search, the patron's view, cards and PINs."""

    name = "patrons"
    add = call(add_patron)
    needs_consent = call(needs_consent)
    find = call(find_patrons)
    view = patron_read(patron_view)
    report_lost_card = call(report_lost_card)
    update = call(update_patron)
    set_pin = call(set_pin)
    export = patron_export(export_patron)
    alerts = patron_read(alerts_at_card)
    identity_checked = call(identity_checked)
    add_note = call(add_note)
    note_done = call(note_done)
