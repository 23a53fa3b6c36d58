"""Fees: charge, pay and waive. The ledger only grows; the balance is derived."""

from __future__ import annotations

from ..core.errors import invalid
from ..core.fees import CHARGE_TYPES, allocate
from ..core.text import clean_text
from ..store import fees as fee_store
from ..store import patrons as patron_store
from .area import Area, call
from .context import DeskContext


def balance(desk: DeskContext, card: str) -> int:
    patron = desk.find_card(card, for_circulation=False)
    return patron_store.balance_cents(desk.conn, patron.id)


def charge_fee(desk: DeskContext, card: str, amount_cents: int, reason: str, charge_type: str = "manual") -> int:
    """Add a charge (lost or damaged item, reminder, …). Returns the new balance."""
    text = clean_text(reason, "reason")
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


def pay_fee(desk: DeskContext, card: str, amount_cents: int) -> int:
    """Take a payment; it settles the oldest charges first. Returns the new balance."""
    return _credit(desk, card, amount_cents, "payment", None)


def waive_fee(desk: DeskContext, card: str, amount_cents: int, reason: str) -> int:
    """Waive part or all of what is owed, with a reason. Returns the new balance."""
    return _credit(desk, card, amount_cents, "waiver", clean_text(reason, "reason"))


def _credit(desk: DeskContext, card: str, amount_cents: int, entry: str, reason: str | None) -> int:
    _positive(amount_cents)
    with desk.write():
        conn = desk.conn
        patron = desk.find_card(card, for_circulation=False)
        open_charges = fee_store.open_charges(conn, patron.id)
        owed = sum(c.open_cents for c in open_charges)
        if amount_cents > owed:
            raise invalid("over_balance", amount_cents=amount_cents, balance_cents=owed)
        credit_id = fee_store.add_entry(
            conn, patron.id, entry, amount_cents, desk.now(), reason=reason, branch=desk.branch, staff=desk.staff
        )
        fee_store.settle(conn, credit_id, allocate(amount_cents, open_charges))
        new_balance = patron_store.balance_cents(conn, patron.id)
        if new_balance <= 0:
            patron_store.lift_clearance_bans(conn, patron.id, desk.now())
        return new_balance


def _positive(amount_cents: int) -> None:
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise invalid("amount_zero")


class Fees(Area):
    """The fee ledger: charges, payments, waivers."""

    name = "fees"
    balance = call(balance)
    charge = call(charge_fee)
    pay = call(pay_fee)
    waive = call(waive_fee)
