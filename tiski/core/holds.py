"""Hold rules: who may place a hold, the pickup deadline, the uncollected fee."""

from __future__ import annotations

from datetime import date, timedelta

from .calendar import BranchCalendar
from .circulation import PatronStanding, standing_refusals
from .errors import Refusal
from .patrons import age_on
from .policy import Policy

ACTIVE = ("queued", "in_transit", "waiting")


def hold_refusals(
    patron: PatronStanding,
    policy: Policy,
    *,
    already_holds: bool,
    has_on_loan: bool,
    loanable_copies: int,
) -> list[Refusal]:
    refusals = [r for r in standing_refusals(patron, policy) if r.code != "OVERDUE_LOANS"]
    if loanable_copies == 0:
        refusals.append(Refusal("NOT_LOANABLE"))
    if already_holds:
        refusals.append(Refusal("DUPLICATE_HOLD"))
    if has_on_loan:
        refusals.append(Refusal("ALREADY_ON_LOAN"))
    return refusals


def pickup_by(arrived_on: date, policy: Policy, pickup_branch: BranchCalendar) -> date:
    """Seven days from the arrival notice; a deadline on a closed day moves to the next open day."""
    return pickup_branch.next_open_day(arrived_on + timedelta(days=policy.hold_pickup_days))


def uncollected_fee_cents(is_organisation: bool, birth: date | None, on: date, policy: Policy) -> int:
    """The fee for a hold left on the shelf; none for the young."""
    if not is_organisation and birth is not None and age_on(birth, on) < policy.hold_uncollected_fee_from_age:
        return 0
    return policy.hold_uncollected_fee_cents
