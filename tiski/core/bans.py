"""Bans (lainauskielto, käyttökielto, käyntikielto). Before a ban the parties are
heard; a written ban must record when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import Refusal

BAN_TYPES = ("borrowing", "use", "visit")


@dataclass(frozen=True)
class ActiveBan:
    """A ban in force, as the desk must tell it: which, since when, until when, by whom."""

    type: str
    since: date
    until: date | None  # None: until lifted
    given_by: str | None

    def refusal(self) -> Refusal:
        return Refusal("BANNED", {"ban_type": self.type, "since": self.since, "until": self.until,
                                  "given_by": self.given_by})


def ban_refusals(
    ban_type: str,
    written: bool,
    hearing_date: date | None,
    until: date | None,
    today: date,
) -> list[Refusal]:
    refusals = []
    if ban_type not in BAN_TYPES:
        refusals.append(Refusal("INVALID_INPUT", {"what": "ban_type", "value": ban_type}))
    if written and hearing_date is None:
        refusals.append(Refusal("HEARING_MISSING"))
    if hearing_date is not None and hearing_date > today:
        refusals.append(Refusal("INVALID_INPUT", {"what": "hearing_in_future"}))
    if until is not None and until < today:
        refusals.append(Refusal("INVALID_INPUT", {"what": "until_in_past"}))
    return refusals


def is_active(until: date | None, lifted: bool, today: date) -> bool:
    return not lifted and (until is None or today <= until)
