"""Refusals: why the library says no, as codes the shells translate into words.

The set of codes is the closed set of ../shared/CLI.md plus a few documented
additions; the rules return them, the facade raises them, the shells render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Bad input, unknown patron/item, not allowed to the one acting: the caller must fix
# what they typed or who they are (exit 2, as the README and ../shared/CLI.md say).
INPUT_CODES = frozenset(
    {
        "NOT_ALLOWED",
        "PATRON_UNKNOWN",
        "ITEM_UNKNOWN",
        "INVALID_INPUT",
        "INVALID_HETU",
        "DUPLICATE_CARD",
        "DUPLICATE_PATRON",
        "NOT_FOUND",
    }
)

# Refused by a library rule (exit 1).
RULE_CODES = frozenset(
    {
        "CONSENT_MISSING",
        "CARD_LOST",
        "BANNED",
        "FEES_OVER_LIMIT",
        "CLEARANCE_DEBT",
        "OVERDUE_LOANS",
        "LIMIT_TOTAL",
        "LIMIT_FORMAT",
        "AGE_RATING",
        "NOT_LOANABLE",
        "ON_LOAN_TO_OTHER",
        "HELD_FOR_OTHER",
        "RENEWALS_EXHAUSTED",
        "HAS_HOLDS",
        "NOT_ON_LOAN",
        "HEARING_MISSING",
        # additions (documented in the README's CLI section)
        "DUPLICATE_HOLD",
        "ALREADY_ON_LOAN",
        "NO_HOLD",
        "REFERRAL_MISSING",
        "SLOT_TAKEN",
        "WRONG_STATE",  # a visit or a delivery cannot make that move from where it is
    }
)

# Alerts: not refusals, things the desk should say when a checkout goes through.
ALERT_CODES = frozenset({"VERIFY_ID", "HOLD_FILLED", "TRANSIT_CANCELLED", "HOLDS_WAITING", "FEES_DUE",
                         # at the card (core.alerts)
                         "LOANS_OVERDUE", "PICKUP_ENDS_TODAY", "CIRCULATION_NOTE"})

CODES = INPUT_CODES | RULE_CODES | ALERT_CODES


@dataclass(frozen=True)
class Refusal:
    """One reason to say no. `params` carry the figures the message needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    confirmable: bool = False

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown refusal code {self.code}")


class PolicyError(ValueError):
    """A policy text that cannot be used (core/policy.py). `key` is dotted (e.g. 'loans.renewals')."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class Refused(Exception):
    """Raised by the facade when a transaction is refused; nothing was written."""

    def __init__(self, *refusals: Refusal):
        if not refusals:
            raise ValueError("Refused needs at least one refusal")
        super().__init__(refusals[0].code)
        self.refusals: tuple[Refusal, ...] = refusals

    @property
    def first(self) -> Refusal:
        return self.refusals[0]

    @property
    def code(self) -> str:
        return self.first.code

    @property
    def confirmable(self) -> bool:
        return all(r.confirmable for r in self.refusals)

    @property
    def exit_code(self) -> int:
        return 2 if self.code in INPUT_CODES else 1


class Unavailable(Exception):
    """The register could not do the work: busy past the wait, the disk full, a file that
    is not a register, one whose guards were tampered with, one another desk still has
    open (for `init --force`)… Nothing was written. `reason` names which for the
    message, `params` the figures it needs (schema numbers); never patron data."""

    REASONS = ("busy", "disk_full", "read_only", "corrupt", "other", "not_register", "too_new", "tampered", "in_use")

    def __init__(self, reason: str, **params: int | str):
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason}")
        super().__init__(reason)
        self.reason = reason
        self.params = params


def refuse(code: str, **params: Any) -> Refused:
    return Refused(Refusal(code, params))


def invalid(what: str, **params: Any) -> Refused:
    """Bad input: `what` names the message (e.g. 'amount', 'date')."""
    return Refused(Refusal("INVALID_INPUT", {"what": what, **params}))
