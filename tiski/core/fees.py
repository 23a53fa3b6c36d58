"""The fee ledger: charges, payments and waivers. Nothing is ever changed or deleted;
a balance is derived, and a payment or waiver settles the oldest charges first."""

from __future__ import annotations

from dataclasses import dataclass

from .money import PAYMENT_METHODS

CHARGE_TYPES = ("late", "hold_uncollected", "lost", "damaged", "ill", "reminder", "invoice", "replacement",
                "manual", "processing")
# Written by Tiski alone: money a refund hands back to the patron (a debit the refund
# credit settles, so the balance stays what is owed and the till's takings show it).
REFUND_PAID_BACK = "paid_back"


@dataclass(frozen=True)
class OpenCharge:
    charge_id: int
    open_cents: int  # what is still unpaid of it


def allocate(amount_cents: int, open_charges: list[OpenCharge]) -> list[tuple[int, int]]:
    """Split a payment or waiver over the open charges, oldest first.

    `open_charges` must be oldest first. Returns (charge_id, cents) pairs summing to
    `amount_cents`; the caller refuses amounts over the open total beforehand."""
    if amount_cents > sum(c.open_cents for c in open_charges):
        raise ValueError("amount exceeds what is owed")
    left = amount_cents
    parts = []
    for charge in open_charges:
        if left == 0:
            break
        take = min(left, charge.open_cents)
        if take > 0:
            parts.append((charge.charge_id, take))
            left -= take
    return parts


def balance(charges: int, payments: int, waivers: int) -> int:
    return charges - payments - waivers


def takings(entries: list[tuple[str, str, int]]) -> dict[str, int]:
    """The desk's takings by method from (entry, method, cents) rows: payments in,
    refunds paid back out."""
    by_method = dict.fromkeys(PAYMENT_METHODS, 0)
    for entry, method, cents in entries:
        by_method[method] += cents if entry == "payment" else -cents
    return by_method
