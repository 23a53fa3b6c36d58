"""Checkout, renewal and late-fee rules. Pure: facts in, decisions out.

A checkout is a decision first (hard blockers, confirmable blockers, alerts — the
Koha `CanBookBeIssued` idea) and a write second, done by the facade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from .alerts import fees_due
from .bans import ActiveBan
from .errors import Refusal, invalid
from .patrons import age_on
from .policy import Policy


@dataclass(frozen=True)
class PatronStanding:
    """What the rules need to know about a patron's standing on a given day."""

    patron_id: int
    is_organisation: bool
    birth_date: date | None
    card_lost: bool  # the card presented is reported lost
    consent_missing: bool
    clearance_debt: bool  # blocked by the annual clearance until the balance is 0
    balance_cents: int
    most_days_overdue: int  # the latest of the patron's own active loans, in days (0 if none)
    active_loans: int
    loans_by_format: Mapping[str, int] = field(default_factory=dict)
    verify_id: bool = False
    holds_waiting: int = 0
    bans: tuple[ActiveBan, ...] = ()  # borrowing, use and visit bans in force (not the clearance's)

    @property
    def banned(self) -> bool:
        return bool(self.bans)


@dataclass(frozen=True)
class ItemState:
    item_id: int
    format: str
    rating: int | None
    children: bool
    loanable: bool
    on_loan_to: int | None  # patron id of the active loan, if any
    held_for: int | None  # patron id of a hold this item is trapped for (waiting or in transit)
    held_on_shelf: bool  # that hold is waiting on the hold shelf
    first_in_queue: int | None  # patron id first in the title's queue, when the item is not trapped
    in_transit: bool


@dataclass(frozen=True)
class Decision:
    blockers: tuple[Refusal, ...] = ()
    confirmations: tuple[Refusal, ...] = ()
    alerts: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.blockers and not self.confirmations


def standing_refusals(patron: PatronStanding, policy: Policy) -> list[Refusal]:
    """Blocks on the patron (not the item): lost card, bans, debts, overdue loans."""
    found = []
    if patron.card_lost:
        found.append(Refusal("CARD_LOST"))
    found += [ban.refusal() for ban in patron.bans]
    if patron.consent_missing:
        found.append(Refusal("CONSENT_MISSING", {"who": "child", "age": policy.consent_under_age}))
    if patron.clearance_debt:
        found.append(Refusal("CLEARANCE_DEBT", {"balance_cents": patron.balance_cents}))
    if patron.balance_cents > policy.fee_block_over_cents:
        found.append(
            Refusal(
                "FEES_OVER_LIMIT",
                {"balance_cents": patron.balance_cents, "limit_cents": policy.fee_block_over_cents},
            )
        )
    if patron.most_days_overdue > policy.overdue_block_after_days:
        found.append(Refusal("OVERDUE_LOANS", {"days": patron.most_days_overdue}))
    return found


_SCANNED_CODE = re.compile(r"[0-9]{6,}")


def override_reason(text: str) -> str:
    """The reason an override is recorded with: words, never a scanned code. At least
    three characters with a letter among them, and no run of six digits (a barcode or
    a card a scanner typed into the field). INVALID_INPUT otherwise."""
    reason = text.strip()
    if len(reason) < 3 or not re.search(r"[^\W\d_]", reason) or _SCANNED_CODE.search(reason):
        raise invalid("override_reason")
    return reason


def decide_checkout(patron: PatronStanding, item: ItemState, policy: Policy, today: date) -> Decision:
    candidates = standing_refusals(patron, policy)
    if not item.loanable:
        candidates.append(Refusal("NOT_LOANABLE"))
    if item.rating and not patron.is_organisation:
        age = age_on(patron.birth_date, today) if patron.birth_date else None
        if age is None or age < item.rating:
            candidates.append(Refusal("AGE_RATING", {"rating": item.rating, "age": age}))
    if item.on_loan_to is not None and item.on_loan_to != patron.patron_id:
        candidates.append(Refusal("ON_LOAN_TO_OTHER"))
    if item.held_for is not None and item.held_for != patron.patron_id:
        candidates.append(Refusal("HELD_FOR_OTHER"))
    elif item.held_for is None and item.first_in_queue not in (None, patron.patron_id):
        candidates.append(Refusal("HELD_FOR_OTHER", {"queued": True}))
    if patron.active_loans >= policy.max_loans:
        candidates.append(Refusal("LIMIT_TOTAL", {"limit": policy.max_loans}))
    limit = policy.format_limit(item.format)
    if limit is not None and patron.loans_by_format.get(item.format, 0) >= limit:
        candidates.append(Refusal("LIMIT_FORMAT", {"format": item.format, "limit": limit}))

    blockers = tuple(r for r in candidates if r.code not in policy.confirmable)
    confirmations = tuple(
        Refusal(r.code, r.params, confirmable=True) for r in candidates if r.code in policy.confirmable
    )
    alerts: list[Refusal] = []
    if patron.verify_id:
        alerts.append(Refusal("VERIFY_ID"))
    if item.held_for == patron.patron_id or (item.held_for is None and item.first_in_queue == patron.patron_id):
        alerts.append(Refusal("HOLD_FILLED"))
    if item.in_transit and item.held_for is None:
        alerts.append(Refusal("TRANSIT_CANCELLED"))
    other_waiting = patron.holds_waiting - (1 if item.held_for == patron.patron_id and item.held_on_shelf else 0)
    if other_waiting > 0:
        alerts.append(Refusal("HOLDS_WAITING", {"count": other_waiting}))
    fees = fees_due(patron.balance_cents, policy)
    if fees is not None:
        alerts.append(fees)
    return Decision(blockers, confirmations, tuple(alerts))


def decide_renewal(
    patron: PatronStanding,
    renewals_used: int,
    others_queued: int,
    policy: Policy,
) -> list[Refusal]:
    """Why a loan cannot be renewed (empty when it can)."""
    refusals = standing_refusals(patron, policy)
    # An overdue loan may itself be renewed (the accrued fee is charged); only
    # the patron's other blocks stop it, so OVERDUE_LOANS does not apply here.
    refusals = [r for r in refusals if r.code != "OVERDUE_LOANS"]
    if renewals_used >= policy.max_renewals:
        refusals.append(Refusal("RENEWALS_EXHAUSTED", {"limit": policy.max_renewals}))
    if others_queued:
        refusals.append(Refusal("HAS_HOLDS", {"count": others_queued}))
    return refusals


def late_fee_cents(
    due: date,
    returned_on: date,
    children_material: bool,
    policy: Policy,
    already_charged_cents: int = 0,
) -> int:
    """Late fee per calendar day after the due date, capped per item; none for
    children's material. `already_charged_cents` is what this loan was already
    charged (an overdue renewal), so the cap holds per item across renewals."""
    if children_material and not policy.late_fees_on_children_material:
        return 0
    days = (returned_on - due).days
    if days <= 0:
        return 0
    fee = days * policy.late_fee_per_day_cents
    return max(0, min(fee, policy.late_fee_max_per_item_cents - already_charged_cents))
