"""Self-service machines (automaatit): their accounts and logins, the patron's PIN
checked at the machine, and what a machine is told about a patron.

The machines lend, return, renew and hold through the same calls as the desk
(`desk.loans.checkout` …), acting as their own account with the role 'automat', so
the same rules apply and the audit trail names the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from ..core.automat import (
    ENCODINGS,
    MACHINE_LOGIN_PAUSE_MINUTES,
    MACHINE_LOGIN_TRIES,
    TERMINATORS,
    Machine,
    MachineStanding,
    lock_ends,
    patron_session_open,
    patron_status,
)
from ..core.errors import invalid, refuse
from ..core.passwords import hash_secret, verify_secret
from ..store import automat as automat_store
from .area import Area, call, patron_read
from .context import DeskContext
from .patrons import PatronView, patron_view

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class NewMachine:
    name: str
    branch: str
    password: str
    encoding: str = "utf-8"
    terminator: str = "cr"
    error_detect: bool = False
    fees_at_machine: bool = False
    language: str = "fi"


@dataclass(frozen=True)
class PinCheck:
    """How a PIN typed at a machine went: right, wrong, missing (empty or not sent),
    no_pin (the patron has none yet: the desk sets one), or locked (too many wrong)."""

    result: str
    locked_until: datetime | None = None

    @property
    def right(self) -> bool:
        return self.result == "right"


@dataclass(frozen=True)
class MachinePatron:
    """What a machine needs of a patron: the desk's view, the SIP2 status string, and
    the limits a machine shows (the 10 € block, the loan limit)."""

    view: PatronView
    status: str
    pin_locked_until: datetime | None
    fee_limit_cents: int
    loan_limit: int
    language: str | None  # the patron's own (fi, sv, en); None while the register keeps none


def add_machine(desk: DeskContext, new: NewMachine) -> Machine:
    """A machine account: a name and password the machine logs in with (SIP2 93), the
    branch it stands in, and how it speaks."""
    name = (new.name or "").strip()
    if not _NAME.match(name):
        raise invalid("machine_name")
    password = new.password or ""
    if len(password) < 8:
        raise invalid("password_short")
    if len(password) > 200 or "|" in password or not (password.isascii() and password.isprintable()):
        raise invalid("machine_password")
    if new.encoding not in ENCODINGS:
        raise invalid("machine_encoding", value=new.encoding)
    if new.terminator not in TERMINATORS:
        raise invalid("machine_terminator", value=new.terminator)
    if new.language not in LANGUAGES:
        raise invalid("machine_language", value=new.language)
    hashed = hash_secret(password)  # slow: before the write lock is taken
    with desk.write():
        conn = desk.conn
        machine = Machine(name, desk.known_branch(new.branch), new.encoding, new.terminator, new.error_detect,
                          new.fees_at_machine, new.language)
        if not automat_store.has_admin(conn):
            raise invalid("first_staff_admin")
        if automat_store.staff_exists(conn, name):
            raise invalid("staff_exists", value=name)
        automat_store.add_machine(conn, machine, hashed, desk.now())
    return machine


def machine_list(desk: DeskContext) -> list[tuple[Machine, bool]]:
    """Every machine account and whether it is disabled (`tiski staff disable NAME`)."""
    return automat_store.machines(desk.conn)


@cache
def _nobody() -> str:
    return hash_secret("not a machine")


def log_in(desk: DeskContext, name: str, password: str) -> Machine:
    """A machine logs in (SIP2 93): `log_in(desk, name, password)`, like `Desk.log_in` not
    a facade call of its own, since nobody acts before it. An unknown
    name takes the same slow check as a wrong password; wrong passwords are in the audit
    trail, and after MACHINE_LOGIN_TRIES of them in a row the machine waits MACHINE_LOGIN_PAUSE_MINUTES."""
    name = (name or "").strip()
    conn, now = desk.conn, desk.now()
    machine = automat_store.machine(conn, name)
    if machine is None:
        verify_secret(password or "", _nobody())
        raise refuse("NOT_ALLOWED", action="login", staff="")
    if lock_ends(automat_store.failed_logins(conn, name), now, MACHINE_LOGIN_TRIES, MACHINE_LOGIN_PAUSE_MINUTES):
        raise refuse("NOT_ALLOWED", action="login_paused", staff="", minutes=MACHINE_LOGIN_PAUSE_MINUTES)
    right = verify_secret(password or "", automat_store.password_hash(conn, name))
    with desk.write():
        automat_store.log_session(conn, now, name, machine.branch, "sip2_login" if right else "sip2_login_failed")
    if not right:
        raise refuse("NOT_ALLOWED", action="login", staff="")
    return machine


def check_pin(desk: DeskContext, card: str, pin: str | None) -> PinCheck:
    """The patron's PIN (tunnusluku) against its slow hash. An empty PIN is refused, never
    taken as "no PIN"; a wrong one is recorded, and `automat.pin_tries` of them in a row
    lock the card at the machines for `automat.pin_lock_minutes` (policy).

    The hash is slow and taken outside the write lock, so machines check PINs side by
    side; the decision is taken again inside the write, where one check at a time reads
    the failures: a check that was hashing while others made the last wrong try finds
    the card locked — it is neither accepted (a right PIN would clear the count) nor
    counted. The look before the hash only spares a locked card the hashing."""
    conn, policy = desk.conn, desk.policy
    record = automat_store.pin_record(conn, (card or "").strip())
    if record is None:
        raise refuse("PATRON_UNKNOWN")
    if record.card_status != "active":
        raise refuse("CARD_LOST")
    if not (pin or "").strip():
        return PinCheck("missing")
    if record.pin_hash is None:
        return PinCheck("no_pin")
    tries, minutes = policy.automat_pin_tries, policy.automat_pin_lock_minutes
    locked = lock_ends(automat_store.pin_failures(conn, record.patron_id), desk.now(), tries, minutes)
    if locked is not None:
        return PinCheck("locked", locked)
    right = verify_secret(pin or "", record.pin_hash)  # slow: outside the write lock
    with desk.write():
        now = desk.now()
        locked = lock_ends(automat_store.pin_failures(conn, record.patron_id), now, tries, minutes)
        if locked is not None:  # locked by the checks that wrote while this one hashed
            return PinCheck("locked", locked)
        if right:
            automat_store.clear_pin_failures(conn, record.patron_id)
            return PinCheck("right")
        automat_store.add_pin_failure(conn, record.patron_id, desk.staff, now)
        locked = lock_ends(automat_store.pin_failures(conn, record.patron_id), now, tries, minutes)
    return PinCheck("locked" if locked else "wrong", locked)


def pin_session_open(desk: DeskContext, last_used: datetime) -> bool:
    """Whether a machine's patron session, last used at `last_used`, still stands in for
    a PIN not sent: not idle for `automat.session_idle_minutes` (policy). An AD sent empty
    is never the session's PIN (`check_pin` refuses it)."""
    return patron_session_open(last_used, desk.now(), desk.policy.automat_session_idle_minutes)


def machine_patron(desk: DeskContext, card: str) -> MachinePatron:
    """The patron as the machine sees them: the desk's own view and blocks, made into
    the SIP2 status string (a lost card, a verify-ID patron, a PIN lock included)."""
    view = patron_view(desk, card, with_fees=True)
    policy = desk.policy
    failures = automat_store.pin_failures(desk.conn, view.id)
    locked = lock_ends(failures, desk.now(), policy.automat_pin_tries, policy.automat_pin_lock_minutes)
    standing = MachineStanding(
        blocks=tuple(block.code for block in view.blocks),
        card_lost=view.card_status != "active",
        at_loan_limit=len(view.loans) >= policy.max_loans,
        verify_id=view.verify_id,
        pin_locked=locked is not None,
    )
    return MachinePatron(view, patron_status(standing), locked, policy.fee_block_over_cents, policy.max_loans,
                         language=view.language)


class Automat(Area):
    """Self-service machines: accounts, logins, PINs, the patron as a machine sees them."""

    name = "automat"
    add_machine = call(add_machine)
    machine_list = call(machine_list)
    check_pin = call(check_pin)
    pin_session_open = call(pin_session_open)
    machine_patron = patron_read(machine_patron)
