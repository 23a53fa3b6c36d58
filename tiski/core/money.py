"""Money is integer cents. Staff type euros as `1,50` or `1.50`, in ASCII digits only:
Python's `\\d` and `int()` also take Arabic-Indic or full-width digits (`١٢`, `１２`), which
a desk would show back as something other than what the receipt says."""

from __future__ import annotations

import re

from .errors import invalid

_EUROS = re.compile(r"^(?P<euros>[0-9]{1,7})(?:[.,](?P<cents>[0-9]{1,2}))?$")
MAX_CENTS = 9_999_999_99
PAYMENT_METHODS = ("cash", "card", "other")  # how a payment was made, in the ledger and the report


def parse_euros(text: str) -> int:
    """'1,50' / '1.50' / '1,5' / '2' / '2 €' -> cents. Refuses negatives and junk."""
    cleaned = str(text).strip().removesuffix("€").strip().replace("\u00a0", "").replace(" ", "")
    match = _EUROS.match(cleaned)
    if not match:
        raise invalid("amount", value=str(text))
    cents_text = (match["cents"] or "0").ljust(2, "0")
    return int(match["euros"]) * 100 + int(cents_text)


def parse_positive_euros(text: str) -> int:
    cents = parse_euros(text)
    if cents <= 0:
        raise invalid("amount_zero")
    return cents


def format_cents(cents: int, decimal: str = ",") -> str:
    """1234 -> '12,34 €' (Finnish and Swedish write a comma; English a point)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{euros}{decimal}{rest:02d} €"

