"""The circulation policy: loan periods, limits, fees — data, checked on load.

The policy comes from a TOML text (data/policy.toml, or a database's own copy).
`parse_policy` refuses a text with a message naming the bad key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from .errors import PolicyError as PolicyError  # where the shells catch it, without loading the policy

FORMATS = ("book", "magazine", "cd", "cd-audiobook", "dvd", "bluray", "console-game", "other")

# Blockers that a policy may make confirmable; the rest are always hard.
OVERRIDABLE = frozenset(
    {"ON_LOAN_TO_OTHER", "HELD_FOR_OTHER", "LIMIT_TOTAL", "LIMIT_FORMAT", "FEES_OVER_LIMIT", "OVERDUE_LOANS"}
)



@dataclass(frozen=True)
class Policy:
    loan_period_days: int
    loan_period_days_by_format: Mapping[str, int]
    max_loans: int
    format_limits: Mapping[str, int]
    max_renewals: int
    overdue_block_after_days: int
    hold_pickup_days: int
    hold_uncollected_fee_cents: int
    hold_uncollected_fee_from_age: int
    late_fee_per_day_cents: int
    late_fee_max_per_item_cents: int
    late_fees_on_children_material: bool
    reminder_fees_cents: tuple[int, ...]
    invoice_fee_cents: int
    fee_block_over_cents: int
    consent_under_age: int
    child_under_age: int
    rating_ages: tuple[int, ...]
    confirmable: frozenset[str]
    digituki_cap_minutes: int
    digituki_warn_minutes: int
    digituki_estimate_minutes: int
    digituki_appointment_minutes: int
    digituki_callback_working_days: int
    digituki_estimate_window_days: int
    kirjakassi_loan_margin_days: int
    kirjakassi_alternates: int
    privacy_hold_days: int
    privacy_notice_days: int
    privacy_ill_days: int
    privacy_audit_days: int
    automat_pin_tries: int
    automat_pin_lock_minutes: int
    automat_session_idle_minutes: int
    notice_due_soon_days: int
    notice_reminder_days: tuple[int, ...]
    notice_invoice_days: int
    notice_invoice_pay_days: int
    notice_fees_for_children: bool
    notice_retry_minutes: tuple[int, ...]
    lost_price_cents: int
    lost_price_cents_by_format: Mapping[str, int]
    lost_processing_fee_cents: int
    lost_refund_processing_fee: bool
    lost_refund_late_fee: bool
    source: str  # the TOML text this came from, kept so a database can carry its copy

    def loan_period_for(self, fmt: str) -> int:
        return self.loan_period_days_by_format.get(fmt, self.loan_period_days)

    def format_limit(self, fmt: str) -> int | None:
        return self.format_limits.get(fmt)

    def replacement_price(self, fmt: str, item_price_cents: int | None) -> int:
        """What a lost copy costs: its own price, else the policy's for its format, else the general one."""
        if item_price_cents is not None and item_price_cents > 0:
            return item_price_cents
        return self.lost_price_cents_by_format.get(fmt, self.lost_price_cents)


# --- validation -------------------------------------------------------------------------

def _whole(minimum: int) -> Callable[[str, Any], int]:
    def check(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(key, "must be a whole number")
        if value < minimum:
            raise PolicyError(key, f"must be at least {minimum}")
        return value

    return check


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(key, "must be true or false")
    return value


def _whole_list(key: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise PolicyError(key, "must be a non-empty list of whole numbers")
    return tuple(_whole(0)(f"{key}[{i}]", v) for i, v in enumerate(value))


def _rising(key: str, value: Any) -> tuple[int, ...]:
    days = _whole_list(key, value)
    if any(later <= earlier for earlier, later in zip(days, days[1:])) or days[0] < 1:
        raise PolicyError(key, "must be days after the due date, each later than the one before")
    return days


def _per_format(key: str, value: Any) -> Mapping[str, int]:
    if not isinstance(value, dict):
        raise PolicyError(key, "must be a table of format = number")
    checked = {}
    for fmt, number in value.items():
        if fmt not in FORMATS:
            raise PolicyError(f"{key}.{fmt}", f"unknown format (known: {', '.join(FORMATS)})")
        checked[fmt] = _whole(0)(f"{key}.{fmt}", number)
    return MappingProxyType(checked)


def _overridable(key: str, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(key, "must be a list of blocker codes")
    for code in value:
        if code not in OVERRIDABLE:
            raise PolicyError(key, f"{code} cannot be overridden (allowed: {', '.join(sorted(OVERRIDABLE))})")
    return frozenset(value)


# (section, key) -> (Policy field, checker)
_SCHEMA: dict[tuple[str, str], tuple[str, Callable[[str, Any], Any]]] = {
    ("loans", "period_days"): ("loan_period_days", _whole(1)),
    ("loans", "max_total"): ("max_loans", _whole(0)),
    ("loans", "renewals"): ("max_renewals", _whole(0)),
    ("loans", "overdue_block_after_days"): ("overdue_block_after_days", _whole(0)),
    ("loans", "period_days_by_format"): ("loan_period_days_by_format", _per_format),
    ("loans", "format_limits"): ("format_limits", _per_format),
    ("holds", "pickup_days"): ("hold_pickup_days", _whole(1)),
    ("holds", "uncollected_fee_cents"): ("hold_uncollected_fee_cents", _whole(0)),
    ("holds", "uncollected_fee_from_age"): ("hold_uncollected_fee_from_age", _whole(0)),
    ("fees", "late_per_day_cents"): ("late_fee_per_day_cents", _whole(0)),
    ("fees", "late_max_per_item_cents"): ("late_fee_max_per_item_cents", _whole(0)),
    ("fees", "late_fees_on_children_material"): ("late_fees_on_children_material", _flag),
    ("fees", "reminder_cents"): ("reminder_fees_cents", _whole_list),
    ("fees", "invoice_cents"): ("invoice_fee_cents", _whole(0)),
    ("fees", "block_over_cents"): ("fee_block_over_cents", _whole(0)),
    ("patrons", "consent_under_age"): ("consent_under_age", _whole(0)),
    ("patrons", "child_under_age"): ("child_under_age", _whole(0)),
    ("ratings", "ages"): ("rating_ages", _whole_list),
    ("overrides", "confirmable"): ("confirmable", _overridable),
    ("digituki", "cap_minutes"): ("digituki_cap_minutes", _whole(1)),
    ("digituki", "warn_minutes_before"): ("digituki_warn_minutes", _whole(0)),
    ("digituki", "estimate_minutes"): ("digituki_estimate_minutes", _whole(1)),
    ("digituki", "appointment_minutes"): ("digituki_appointment_minutes", _whole(10)),
    ("digituki", "callback_working_days"): ("digituki_callback_working_days", _whole(0)),
    ("digituki", "estimate_window_days"): ("digituki_estimate_window_days", _whole(1)),
    ("kirjakassi", "loan_margin_days"): ("kirjakassi_loan_margin_days", _whole(0)),
    ("kirjakassi", "alternates"): ("kirjakassi_alternates", _whole(0)),
    ("privacy", "closed_holds_days"): ("privacy_hold_days", _whole(0)),
    ("privacy", "notices_days"): ("privacy_notice_days", _whole(0)),
    ("privacy", "closed_ill_days"): ("privacy_ill_days", _whole(0)),
    ("privacy", "audit_days"): ("privacy_audit_days", _whole(30)),
    ("automat", "pin_tries"): ("automat_pin_tries", _whole(1)),
    ("automat", "pin_lock_minutes"): ("automat_pin_lock_minutes", _whole(1)),
    ("automat", "session_idle_minutes"): ("automat_session_idle_minutes", _whole(1)),
    ("notices", "due_soon_days"): ("notice_due_soon_days", _whole(0)),
    ("notices", "reminder_days"): ("notice_reminder_days", _rising),
    ("notices", "invoice_days"): ("notice_invoice_days", _whole(1)),
    ("notices", "invoice_pay_days"): ("notice_invoice_pay_days", _whole(0)),
    ("notices", "fees_for_children"): ("notice_fees_for_children", _flag),
    ("notices", "retry_minutes"): ("notice_retry_minutes", _whole_list),
    ("lost", "price_cents"): ("lost_price_cents", _whole(0)),
    ("lost", "price_cents_by_format"): ("lost_price_cents_by_format", _per_format),
    ("lost", "processing_fee_cents"): ("lost_processing_fee_cents", _whole(0)),
    ("lost", "refund_processing_fee"): ("lost_refund_processing_fee", _flag),
    ("lost", "refund_late_fee"): ("lost_refund_late_fee", _flag),
}

# Keys added after databases began carrying their own policy: a copy made before
# they existed gets these values instead of being refused.
_LATER_DEFAULTS: dict[tuple[str, str], object] = {
    ("digituki", "cap_minutes"): 30,
    ("digituki", "warn_minutes_before"): 5,
    ("digituki", "estimate_minutes"): 20,
    ("digituki", "appointment_minutes"): 45,
    ("digituki", "callback_working_days"): 1,
    ("digituki", "estimate_window_days"): 14,
    ("kirjakassi", "loan_margin_days"): 7,
    ("kirjakassi", "alternates"): 5,
    ("privacy", "closed_holds_days"): 30,
    ("privacy", "notices_days"): 30,
    ("privacy", "closed_ill_days"): 90,
    ("privacy", "audit_days"): 730,
    ("automat", "pin_tries"): 5,
    ("automat", "pin_lock_minutes"): 15,
    ("automat", "session_idle_minutes"): 3,
    ("notices", "due_soon_days"): 3,
    ("notices", "reminder_days"): [7, 21],
    ("notices", "invoice_days"): 35,
    ("notices", "invoice_pay_days"): 14,
    ("notices", "fees_for_children"): False,
    ("notices", "retry_minutes"): [15, 60, 240],
    ("lost", "price_cents"): 2500,
    ("lost", "price_cents_by_format"): MappingProxyType({}),
    ("lost", "processing_fee_cents"): 500,
    ("lost", "refund_processing_fee"): False,
    ("lost", "refund_late_fee"): False,
}


def parse_policy(text: str) -> Policy:
    """Parse and check a policy text; raise PolicyError naming the first bad key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("(file)", f"not valid TOML: {exc}") from None
    sections = {section for section, _ in _SCHEMA}
    for section, table in raw.items():
        if section not in sections:
            raise PolicyError(section, "unknown section")
        if not isinstance(table, dict):
            raise PolicyError(section, "must be a table")
        for key in table:
            if (section, key) not in _SCHEMA:
                raise PolicyError(f"{section}.{key}", "unknown key")
    values: dict[str, Any] = {}
    for (section, key), (field_name, check) in _SCHEMA.items():
        dotted = f"{section}.{key}"
        if key not in raw.get(section, {}):
            if (section, key) not in _LATER_DEFAULTS:
                raise PolicyError(dotted, "missing")
            values[field_name] = check(dotted, _LATER_DEFAULTS[(section, key)])
            continue
        values[field_name] = check(dotted, raw[section][key])
    _check_notice_ladder(values)
    return Policy(**values, source=text)


def _check_notice_ladder(values: dict[str, Any]) -> None:
    """One fee per reminder, and the invoice after the last reminder."""
    reminders = values["notice_reminder_days"]
    if len(values["reminder_fees_cents"]) != len(reminders):
        raise PolicyError("fees.reminder_cents", "must name one fee per reminder (notices.reminder_days)")
    if values["notice_invoice_days"] <= reminders[-1]:
        raise PolicyError("notices.invoice_days", "must be later than the last reminder (notices.reminder_days)")
