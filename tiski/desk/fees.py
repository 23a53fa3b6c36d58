"""Fees: charge, pay and waive; the payment receipt and the day's takings. The ledger
only grows; the balance is derived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping

from ..core.errors import invalid
from ..core.fees import CHARGE_TYPES, allocate
from ..core.fees import takings as sum_takings
from ..core.money import PAYMENT_METHODS
from ..core.patrons import without_hetu
from ..core.text import clean_text
from ..store import fees as fee_store
from ..store import patrons as patron_store
from ..store.fees import Settled
from .area import Area, call
from .context import DeskContext

__all__ = ["Fees", "Payment", "Settled", "Takings"]


@dataclass(frozen=True)
class Payment:
    """What a payment receipt says: paid, how, which charges it settled, the balance after."""

    card: str
    amount_cents: int
    method: str  # cash | card | other
    settled: tuple[Settled, ...]
    balance_cents: int
    at: datetime
    branch: str


@dataclass(frozen=True)
class Takings:
    """A desk's takings on a day, for closing the till: payments in, refunds paid back out."""

    day: date
    branch: str | None  # None: every branch
    by_method: Mapping[str, int]
    total_cents: int


def balance(desk: DeskContext, card: str) -> int:
    patron = desk.find_card(card, for_circulation=False)
    return patron_store.balance_cents(desk.conn, patron.id)


def charge_fee(desk: DeskContext, card: str, amount_cents: int, reason: str, charge_type: str = "manual") -> int:
    """Add a charge (lost or damaged item, reminder, …). Returns the new balance."""
    text = _reason(reason)
    if charge_type not in CHARGE_TYPES:
        raise invalid("charge_type", value=charge_type)
    _positive(amount_cents)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        fee_store.add_entry(
            desk.conn, patron.id, "charge", amount_cents, desk.now(),
            charge_type=charge_type, reason=text, branch=desk.branch, staff=desk.staff,
        )
        return patron_store.balance_cents(desk.conn, patron.id)


def pay_fee(desk: DeskContext, card: str, amount_cents: int, method: str = "cash") -> int:
    """Take a payment; it settles the oldest charges first. Returns the new balance."""
    return take_payment(desk, card, amount_cents, method).balance_cents


def take_payment(desk: DeskContext, card: str, amount_cents: int, method: str = "cash") -> Payment:
    """Take a payment (cash, card or other, recorded in the ledger); it settles the oldest
    charges first. Returns what the payment receipt says."""
    if method not in PAYMENT_METHODS:
        raise invalid("payment_method", value=method)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        credit_id, balance = _credit(desk, card, amount_cents, "payment", None, method)
        return Payment(patron.card, amount_cents, method, tuple(fee_store.settled_by(desk.conn, credit_id)), balance,
                       desk.now(), desk.branch)


def waive_fee(desk: DeskContext, card: str, amount_cents: int, reason: str) -> int:
    """Waive part or all of what is owed, with a reason. Returns the new balance."""
    return _credit(desk, card, amount_cents, "waiver", _reason(reason))[1]


def _reason(reason: str) -> str:
    """A charge's or waiver's reason: words, never an identity code — the ledger is
    append-only, so what is written there can never be taken out."""
    return without_hetu(clean_text(reason, "reason"), "reason") or ""


def _credit(desk: DeskContext, card: str, amount_cents: int, entry: str, reason: str | None,
            method: str | None = None) -> tuple[int, int]:
    """A payment or waiver settling the oldest charges: its id, and the balance after."""
    _positive(amount_cents)
    with desk.write():
        conn = desk.conn
        patron = desk.find_card(card, for_circulation=False)
        open_charges = fee_store.open_charges(conn, patron.id)
        owed = sum(c.open_cents for c in open_charges)
        if amount_cents > owed:
            raise invalid("over_balance", amount_cents=amount_cents, balance_cents=owed)
        credit_id = fee_store.add_entry(
            conn, patron.id, entry, amount_cents, desk.now(), reason=reason, branch=desk.branch, staff=desk.staff,
            method=method,
        )
        fee_store.settle(conn, credit_id, allocate(amount_cents, open_charges))
        new_balance = patron_store.balance_cents(conn, patron.id)
        if new_balance <= 0:
            patron_store.lift_clearance_bans(conn, patron.id, desk.now())
        return credit_id, new_balance


def takings(desk: DeskContext, day: date, branch: str | None = None) -> Takings:
    """The day's takings by method at a branch (every branch when None), for closing the till."""
    where = desk.known_branch(branch) if branch is not None else None
    by_method = sum_takings(fee_store.takings(desk.conn, day, where))
    return Takings(day, where, by_method, sum(by_method.values()))


def _positive(amount_cents: int) -> None:
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise invalid("amount_zero")


class Fees(Area):
    """The fee ledger: charges, payments, waivers."""

    name = "fees"
    balance = call(balance)
    charge = call(charge_fee)
    pay = call(pay_fee)
    take_payment = call(take_payment)
    waive = call(waive_fee)
    takings = call(takings)
