"""A copy's whole life. Pure rules: what a copy's status is, which moves staff may make
from there, what a loss costs and what is given back when the copy turns up.

Besides the shelf, a loan, the hold shelf and the road between branches, a copy can be
*lost* (the loan closed, the replacement charged), *claimed returned* (the patron says
it came back: the loan stays open, flagged, and accrues nothing more), *in repair*
(damaged: not loanable until staff release it), *missing* (the shelf check cannot find
it) or *withdrawn* (the library removed it). Seed 004: "Kadonnut tai vahingoittunut
aineisto on korvattava maksamalla siitä kirjaston määräämä hinta."
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .errors import Refusal

if TYPE_CHECKING:
    from .policy import Policy

# A copy's life beyond circulation, as kept on the copy (NULL: none of these).
LIFE_STATUSES = ("lost", "missing", "repair", "withdrawn")
# What `tiski item status` may set; `available` releases a copy from any of LIFE_STATUSES.
SETTABLE = ("available", "missing", "withdrawn", "repair")
# Every status a copy can show, in the order the catalogue explains them.
COPY_STATUSES = ("available", "on_loan", "claims_returned", "waiting", "in_transit", "not_loanable", *LIFE_STATUSES)
# Copies that may yet fill a hold: those not lost for good or removed.
HOLDABLE_LIFE = (None, "repair", "missing")
# Copies gone for good: a title with none but these is held by no member library.
GONE = ("lost", "withdrawn")


def title_held(statuses: Iterable[str]) -> bool:
    """A member library holds the title while one of its copies is not lost or withdrawn
    (a missing one may turn up, one in repair comes back): else an interlibrary loan."""
    return any(status not in GONE for status in statuses)


@dataclass(frozen=True)
class CopyFacts:
    """What the rules need to know about one copy now."""

    status: str | None  # one of LIFE_STATUSES, or None
    loanable: bool  # the collection's own flag (a reference copy is not)
    on_loan: bool
    claims_returned: bool  # its loan is flagged: the patron says it came back
    held_on_shelf: bool  # set aside for a hold, on the hold shelf
    in_transit: bool


def copy_status(copy: CopyFacts) -> str:
    """The one word the catalogue and the item view show for a copy."""
    if copy.status is not None:
        return copy.status
    if copy.on_loan:
        return "claims_returned" if copy.claims_returned else "on_loan"
    if not copy.loanable:
        return "not_loanable"
    if copy.held_on_shelf:
        return "waiting"
    if copy.in_transit:
        return "in_transit"
    return "available"


def circulates(copy: CopyFacts) -> bool:
    """May be lent (the rest of the checkout's rules permitting)."""
    return copy.loanable and copy.status is None


def _wrong(copy: CopyFacts) -> Refusal:
    return Refusal("WRONG_STATE", {"status": copy_status(copy)})


def lost_refusal(copy: CopyFacts) -> Refusal | None:
    """A copy lost already, or removed from the collection, cannot be lost again."""
    return _wrong(copy) if copy.status in ("lost", "withdrawn") else None


def claims_returned_refusal(copy: CopyFacts) -> Refusal | None:
    if not copy.on_loan:
        return Refusal("NOT_ON_LOAN")
    return _wrong(copy) if copy.claims_returned else None


def damaged_refusal(copy: CopyFacts, charged: bool) -> Refusal | None:
    """Damage is noted at the return (or on the shelf); a charge needs the loan's patron."""
    if copy.status in ("lost", "repair", "withdrawn"):
        return _wrong(copy)
    if charged and not copy.on_loan:
        return Refusal("NOT_ON_LOAN")
    return None


def status_refusal(copy: CopyFacts, target: str) -> Refusal | None:
    """`tiski item status`: a copy on loan moves only by its own commands (lost,
    claims returned, the return); `available` releases a copy from its life status."""
    if copy.on_loan:
        return _wrong(copy)
    if target == "available" and copy.status is None:
        return _wrong(copy)
    if target == copy.status:
        return _wrong(copy)
    return None


def return_refusal(copy: CopyFacts) -> Refusal | None:
    """A copy in repair or withdrawn is not checked in by a scan: staff release it."""
    return _wrong(copy) if copy.status in ("repair", "withdrawn") else None


@dataclass(frozen=True)
class LossCharges:
    replacement_cents: int
    processing_cents: int


def loss_charges(fmt: str, price_cents: int | None, policy: Policy) -> LossCharges:
    """A lost copy costs its price (else the policy's for its format) plus the processing fee."""
    return LossCharges(policy.replacement_price(fmt, price_cents), policy.lost_processing_fee_cents)


@dataclass(frozen=True)
class LossCharge:
    """A charge written when the copy was lost (or the late fee of its loan)."""

    charge_id: int
    charge_type: str  # lost | processing | late
    amount_cents: int
    open_cents: int  # what is still unpaid of it
    paid_cents: int  # what payments settled of it (the rest was waived: never money to give back)


@dataclass(frozen=True)
class Refund:
    """What is given back of one charge: `cancelled_cents` of it was still open and is
    simply settled; `paid_back_cents` had been paid and goes back to the patron. A part
    waived already is not given again."""

    charge_id: int
    amount_cents: int
    cancelled_cents: int
    paid_back_cents: int


def refunds_when_found(charges: list[LossCharge], policy: Policy) -> list[Refund]:
    """The copy turned up: the replacement (a lost copy's, or the one an invoice charged)
    is given back in full, paid or not — what is open is cancelled, what was paid is paid
    back, what staff waived is given nobody (the patron never paid it); the processing
    fee and the late fee only when the policy says so."""
    given_back = {"lost", "replacement"}
    if policy.lost_refund_processing_fee:
        given_back.add("processing")
    if policy.lost_refund_late_fee:
        given_back.add("late")
    refunds = []
    for charge in charges:
        if charge.charge_type in given_back and charge.amount_cents > 0:
            cancelled = min(charge.open_cents, charge.amount_cents)
            paid_back = min(charge.paid_cents, charge.amount_cents - cancelled)
            if cancelled or paid_back:
                refunds.append(Refund(charge.charge_id, cancelled + paid_back, cancelled, paid_back))
    return refunds
