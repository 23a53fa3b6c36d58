"""Self-service machines (automaatit): what a machine may be told about a patron, and
when wrong PINs lock a card at the machines. Pure: facts in, answers out.

The SIP2 patron status is fourteen positions, each 'Y' (denied / true) or a space:
charge, renewal, recall and hold privileges denied; card reported lost; too many
items charged, overdue, renewed, claimed returned, lost; excessive fines; excessive
fees; recall overdue; too many items billed (3M SIP2 2.00, Patron Status Response).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

CHARGE, RENEW, RECALL, HOLD = 0, 1, 2, 3
CARD_LOST, TOO_MANY_CHARGED, TOO_MANY_OVERDUE = 4, 5, 6
EXCESSIVE_FINES, EXCESSIVE_FEES = 10, 11

# What each of the patron's blocks (tiski.core.circulation.standing_refusals) denies,
# by the same rules as the desk: renewals and holds stop for every block but overdue
# loans (decide_renewal, hold_refusals), borrowing stops for all of them.
_DENIES: dict[str, tuple[int, ...]] = {
    "CARD_LOST": (CHARGE, RENEW, RECALL, HOLD, CARD_LOST),
    "BANNED": (CHARGE, RENEW, RECALL, HOLD),
    "CONSENT_MISSING": (CHARGE, RENEW, RECALL, HOLD),
    # The 10 € rule counts every kind of charge: the machine may look at either bit.
    "CLEARANCE_DEBT": (CHARGE, RENEW, RECALL, HOLD, EXCESSIVE_FINES, EXCESSIVE_FEES),
    "FEES_OVER_LIMIT": (CHARGE, RENEW, RECALL, HOLD, EXCESSIVE_FINES, EXCESSIVE_FEES),
    "OVERDUE_LOANS": (CHARGE, TOO_MANY_OVERDUE),
    "LIMIT_TOTAL": (CHARGE, TOO_MANY_CHARGED),
}


ENCODINGS = ("utf-8", "cp850", "latin-1")
# A machine's own login (SIP2 93): after this many wrong passwords in a row it waits
# this long. A machine is not a person at a terminal; a fixed pause suits a script.
MACHINE_LOGIN_TRIES = 5
MACHINE_LOGIN_PAUSE_MINUTES = 15
TERMINATORS = {"cr": "\r", "crlf": "\r\n"}


@dataclass(frozen=True)
class Machine:
    """A self-service machine's account: where it stands and how it speaks."""

    name: str
    branch: str
    encoding: str = "utf-8"  # of the bytes on the wire, checksums included
    terminator: str = "cr"  # cr | crlf, after each reply
    error_detect: bool = False  # every request must carry AY/AZ
    fees_at_machine: bool = False  # the machine may take payments (37 Fee Paid)
    language: str = "fi"  # of the screen messages, when the patron's is not known


@dataclass(frozen=True)
class MachineStanding:
    """What decides the status string: the desk's blocks and the machine's own reasons."""

    blocks: tuple[str, ...]  # refusal codes of the patron's blocks
    card_lost: bool  # the card presented is closed (lost or replaced)
    at_loan_limit: bool  # as many loans as the policy allows
    verify_id: bool  # the patron asked for an ID check at every loan: only the desk lends
    pin_locked: bool  # too many wrong PINs: nothing at the machines for a while


def patron_status(standing: MachineStanding) -> str:
    """The fourteen-character SIP2 patron status."""
    flags = [" "] * 14
    codes = set(standing.blocks)
    if standing.card_lost:
        codes.add("CARD_LOST")
    if standing.at_loan_limit:
        codes.add("LIMIT_TOTAL")
    for code in codes:
        for position in _DENIES.get(code, (CHARGE,)):
            flags[position] = "Y"
    if standing.verify_id:
        flags[CHARGE] = "Y"
    if standing.pin_locked:
        for position in (CHARGE, RENEW, RECALL, HOLD):
            flags[position] = "Y"
    return "".join(flags)


def patron_session_open(last_used: datetime, now: datetime, idle_minutes: int) -> bool:
    """Whether a patron session at a machine still stands: a PIN verified earlier on the
    connection stands in for a PIN not sent until the session has been idle (no message
    for the card) for `idle_minutes`."""
    return now - last_used < timedelta(minutes=idle_minutes)


def lock_ends(failures: Iterable[datetime], now: datetime, tries: int, minutes: int) -> datetime | None:
    """When a lock from wrong tries ends, or None when there is none now.

    `tries` wrong tries in a row (a right one clears them) lock for `minutes` from the
    last of them; when the lock has ended, counting starts again from zero."""
    count = 0
    until: datetime | None = None
    for at in sorted(at for at in failures if at <= now):
        if until is not None:
            if at < until:
                continue  # refused unchecked while locked: does not count
            count, until = 0, None
        count += 1
        if count >= tries:
            until = at + timedelta(minutes=minutes)
    return until if until is not None and now < until else None
