"""What every change of a copy's life shares, for the returns and the item calls alike:
the change recorded (status and history, with who and where), a hold the copy was set
aside for sent back to its queue, and a lost copy that turns up given back."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.fees import REFUND_PAID_BACK
from ..core.items import LossCharge, refunds_when_found
from ..store import fees as fee_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store import patrons as patron_store
from ..store.items import ItemRecord
from .context import DeskContext


@dataclass(frozen=True)
class Found:
    """A lost or missing copy is back: what the loss's charges gave back."""

    refund_cents: int  # given back in all (credits in the ledger)
    paid_back_cents: int  # of that, money the patron had paid: handed back to them
    paid_back_method: str | None  # how (as it was paid: cash, card, other; mixed when several ways)


def change(desk: DeskContext, item: ItemRecord, status: str | None, event: str, note: str | None = None) -> None:
    """The copy's status now, and a line in its history (when, where, who — never whose loan)."""
    item_store.set_status(desk.conn, item.id, status)
    item_store.add_event(desk.conn, item.id, event, desk.now(), staff=desk.staff, branch=desk.branch, note=note)


def off_the_hold_shelf(desk: DeskContext, item: ItemRecord) -> None:
    """A copy leaving circulation (lost, missing, damaged, withdrawn) fills no hold: one
    it was set aside for goes back into the queue, in its old place; and it travels nowhere."""
    trapped = hold_store.trapped_for(desk.conn, item.id)
    if trapped is not None:
        hold_store.requeue(desk.conn, trapped.id)
    if item.transit_to is not None:
        item_store.set_transit(desk.conn, item.id, None)


def found(desk: DeskContext, item: ItemRecord) -> Found:
    """The copy is back in the library. A lost one is given back its replacement (and what
    the policy adds) as credits: see `give_back`."""
    loss = fee_store.unrefunded_loss(desk.conn, item.id) if item.status == "lost" else None
    back = Found(0, 0, None)
    if loss is not None:
        charges = [loss_charge(desk, charge_id, kind, amount, open_cents)
                   for charge_id, kind, amount, open_cents in loss.charges]
        back = give_back(desk, loss.patron_id, loss.loan_id, item.id, charges)
    change(desk, item, None, "found" if item.status in ("lost", "missing") else "available")
    return back


def loss_charge(desk: DeskContext, charge_id: int, kind: str, amount_cents: int, open_cents: int) -> LossCharge:
    """A charge of a loss, with what payments (not waivers) settled of it."""
    paid = sum(cents for _, cents in fee_store.payments_toward(desk.conn, charge_id))
    return LossCharge(charge_id, kind, amount_cents, open_cents, paid)


def give_back(desk: DeskContext, patron_id: int, loan_id: int | None, item_id: int | None,
              charges: list[LossCharge], reason: str | None = None) -> Found:
    """A copy charged for is back (lost and found, or invoiced and returned): what the
    policy gives back of its charges goes as credits — what was still open is settled,
    what had been paid goes back to the patron the way it came (each method its own
    payout, so the till's report stays right); never an edit of the ledger. Each credit
    names the charge it refunds (never refunded twice)."""
    conn, now = desk.conn, desk.now()
    refund = paid_back = 0
    methods: set[str] = set()
    for given in refunds_when_found(charges, desk.policy):
        credit = fee_store.add_entry(conn, patron_id, "waiver", given.amount_cents, now, reason=reason,
                                     item_id=item_id, loan_id=loan_id, refund_of=given.charge_id, branch=desk.branch,
                                     staff=desk.staff)
        parts = [(given.charge_id, given.cancelled_cents)] if given.cancelled_cents else []
        owed = given.paid_back_cents
        for method, cents in fee_store.payments_toward(conn, given.charge_id):
            cents = min(cents, owed)
            if cents <= 0:
                break
            payout = fee_store.add_entry(conn, patron_id, "charge", cents, now, charge_type=REFUND_PAID_BACK,
                                         item_id=item_id, loan_id=loan_id, method=method, branch=desk.branch,
                                         staff=desk.staff)
            parts.append((payout, cents))
            methods.add(method)
            owed -= cents
        fee_store.settle(conn, credit, parts)
        refund += given.amount_cents
        paid_back += given.paid_back_cents
    if refund and patron_store.balance_cents(conn, patron_id) <= 0:
        patron_store.lift_clearance_bans(conn, patron_id, now)
    how = None if not methods else methods.pop() if len(methods) == 1 else "mixed"
    return Found(refund, paid_back, how)
