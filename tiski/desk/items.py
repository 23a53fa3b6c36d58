"""A copy's whole life at the desk: lost, claimed returned, damaged, missing, withdrawn,
released. Each change is one atomic call, in the audit trail and in the copy's own
history (when, where, who); money moves only by new rows of the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..clock import HELSINKI
from ..core.errors import invalid
from ..core.items import (SETTABLE, claims_returned_refusal, copy_status, damaged_refusal, loss_charges,
                          lost_refusal, status_refusal)
from ..core.text import clean_text
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import items as item_store
from ..store import patrons as patron_store
from .area import Area, call
from .catalogue import copy_facts
from .context import DeskContext, raise_first
from .item_life import change, found, off_the_hold_shelf
from .loans import _close_loan, find_item
from .routing import Routing, route_free_copy


@dataclass(frozen=True)
class Loss:
    barcode: str
    title: str
    card: str | None  # whose loan it was (None: lost from the shelf, nobody is charged)
    late_fee_cents: int
    replacement_cents: int
    processing_cents: int
    balance_cents: int | None  # the patron's, after the charges

    @property
    def charged_cents(self) -> int:
        return self.late_fee_cents + self.replacement_cents + self.processing_cents


@dataclass(frozen=True)
class Claim:
    barcode: str
    title: str
    card: str | None
    since: date  # the loan accrues nothing after this day


@dataclass(frozen=True)
class Damage:
    barcode: str
    title: str
    card: str | None  # whose loan it was, if it was on loan
    late_fee_cents: int
    charged_cents: int
    balance_cents: int | None


@dataclass(frozen=True)
class StatusChange:
    barcode: str
    title: str
    status: str  # the copy's status now (one of core.items.COPY_STATUSES)
    routing: Routing | None  # a released copy: the hold shelf, on its way, or home
    refund_cents: int = 0  # a lost copy found on the shelf: its replacement given back
    paid_back_cents: int = 0  # of that, money the patron had paid: to be handed back to them
    paid_back_method: str | None = None  # how (as it was paid; mixed when several ways)


def lost(desk: DeskContext, barcode: str) -> Loss:
    """The copy is lost: its loan closes (with the late fee it had earned), the loan's
    patron is charged the replacement price and the processing fee, and a hold it was set
    aside for goes back to its queue. A copy lent on a card after it was reported lost
    costs that patron nothing (seed 004)."""
    with desk.write():
        conn = desk.conn
        item = find_item(desk, barcode)
        facts, loan = copy_facts(desk, item)
        raise_first(r for r in (lost_refusal(facts),) if r is not None)
        late = replacement = processing = 0
        card = balance = None
        if loan is not None:
            late = _close_loan(desk, loan, item, desk.today()).late_fee_cents
            if loan.patron_id is not None and not loan.lost_card:
                charges = loss_charges(item.format, item.price_cents, desk.policy)
                replacement, processing = charges.replacement_cents, charges.processing_cents
                for kind, cents in (("lost", replacement), ("processing", processing)):
                    if cents:
                        fee_store.add_entry(conn, loan.patron_id, "charge", cents, desk.now(), charge_type=kind,
                                            item_id=item.id, loan_id=loan.id, branch=desk.branch, staff=desk.staff)
            if loan.patron_id is not None:
                card = patron_store.active_card(conn, loan.patron_id)
                balance = patron_store.balance_cents(conn, loan.patron_id)
        off_the_hold_shelf(desk, item)
        change(desk, item, "lost", "lost")
        return Loss(item.barcode, item.title, card, late, replacement, processing, balance)


def claims_returned(desk: DeskContext, barcode: str) -> Claim:
    """The patron says the copy came back. The loan stays open, flagged: it accrues no
    late fee from today and blocks nothing (limits, the overdue block) while the copy is
    searched for. Found, it is returned as usual; not found, it is lost."""
    with desk.write():
        item = find_item(desk, barcode)
        facts, loan = copy_facts(desk, item)
        raise_first(r for r in (claims_returned_refusal(facts),) if r is not None)
        assert loan is not None  # claims_returned_refusal: only a copy on loan
        circ_store.flag_claims_returned(desk.conn, loan.id, desk.now())
        change(desk, item, item.status, "claims_returned")
        card = patron_store.active_card(desk.conn, loan.patron_id) if loan.patron_id is not None else None
        return Claim(item.barcode, item.title, card, desk.now().astimezone(HELSINKI).date())


def damaged(desk: DeskContext, barcode: str, note: str, charge_cents: int | None = None) -> Damage:
    """Damage found at the return (or on the shelf): a note, a charge to the loan's patron
    if staff set one, and the copy goes to repair — not loanable until released
    (`set_status(…, "available")`). A copy on loan is returned first, in the same call."""
    text = clean_text(note, "note", max_length=500)
    if charge_cents is not None and charge_cents <= 0:
        raise invalid("amount_zero")
    with desk.write():
        conn = desk.conn
        item = find_item(desk, barcode)
        facts, loan = copy_facts(desk, item)
        raise_first(r for r in (damaged_refusal(facts, charge_cents is not None),) if r is not None)
        late = charged = 0
        card = balance = None
        if loan is not None:
            late = _close_loan(desk, loan, item, desk.today()).late_fee_cents
            if loan.patron_id is not None:
                if charge_cents:
                    fee_store.add_entry(conn, loan.patron_id, "charge", charge_cents, desk.now(),
                                        charge_type="damaged", reason=text, item_id=item.id, loan_id=loan.id,
                                        branch=desk.branch, staff=desk.staff)
                    charged = charge_cents
                card = patron_store.active_card(conn, loan.patron_id)
                balance = patron_store.balance_cents(conn, loan.patron_id)
        off_the_hold_shelf(desk, item)
        change(desk, item, "repair", "damaged", text)
        return Damage(item.barcode, item.title, card, late, charged, balance)


def set_status(desk: DeskContext, barcode: str, status: str) -> StatusChange:
    """Missing (the shelf check cannot find it), withdrawn (removed from the collection),
    repair, or available: released from any of those (or found when lost) and checked in
    here — to the hold shelf if someone waits for the title, else home."""
    if status not in SETTABLE:
        raise invalid("item_status", value=status)
    with desk.write():
        item = find_item(desk, barcode)
        facts, _ = copy_facts(desk, item)
        raise_first(r for r in (status_refusal(facts, status),) if r is not None)
        if status != "available":
            off_the_hold_shelf(desk, item)
            change(desk, item, status, status)
            return StatusChange(item.barcode, item.title, status, None)
        back = found(desk, item)
        routing = route_free_copy(desk, item, desk.branch)
        refreshed = item_store.by_id(desk.conn, item.id) or item
        now_facts, _ = copy_facts(desk, refreshed)
        return StatusChange(item.barcode, item.title, copy_status(now_facts), routing, back.refund_cents,
                            back.paid_back_cents, back.paid_back_method)


class Items(Area):
    """A copy's life: lost, claimed returned, damaged, missing, withdrawn, released."""

    name = "items"
    lost = call(lost)
    claims_returned = call(claims_returned)
    damaged = call(damaged)
    set_status = call(set_status)
