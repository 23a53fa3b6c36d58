"""The desk's context: one database, one clock, one branch, one member of staff.

Every transaction method loads facts from the store, asks the core, and writes the
result inside one BEGIN IMMEDIATE transaction; a refusal raises `Refused` and writes
nothing.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Concatenate, Iterable, ParamSpec, TypeVar

from ..clock import HELSINKI, Clock, system_clock
from ..core.errors import Refusal, Refused, invalid, refuse
from ..store import branches as branch_store
from ..store.db import data_version, transaction, unavailable

if TYPE_CHECKING:
    from ..core.calendar import BranchCalendar
    from ..core.circulation import PatronStanding
    from ..core.policy import Policy
    from ..store.patrons import Patron as Patron  # the facade's patron, built by the store

# Only what every command needs is imported here: the policy is parsed on first use,
# and the stores and rules of patrons, loans and the audit trail are imported by the
# calls that use them — `tiski branch list` loads none of them
# (tests/cli/test_start_imports.py).

# What of a call's arguments may go in the audit trail: never names, identity codes,
# PINs or free text (a reason may name someone).
_AUDITED = ("barcode", "amount_cents", "charge_type", "ban_type", "outcome", "pickup", "dropbox_date",
            "new_card", "ill_id", "visit_id", "appointment_id", "callback_id", "written", "hearing_date", "until",
            "username", "terminal", "file", "status", "record_id", "method", "charge_cents", "note_id",
            "confirmed", "unsealed_ok")


P = ParamSpec("P")
R = TypeVar("R")


def default_policy() -> Policy:
    from ..core.policy import parse_policy
    from ..resources import data_file

    return parse_policy(data_file("policy.toml").read_text(encoding="utf-8"))


def stored_policy(conn: sqlite3.Connection) -> Policy:
    """The database's own copy of the policy, else the shipped default."""
    from ..core.policy import parse_policy
    from ..store import settings as settings_store

    text = settings_store.get(conn, "policy")
    return parse_policy(text) if text is not None else default_policy()


class DeskContext:
    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        clock: Clock = system_clock,
        branch: str | None = None,
        staff: str | None = None,
        policy: Policy | None = None,
    ):
        self.conn = conn
        self.clock = clock
        self.staff = staff
        self._policy = policy
        self._branch = branch
        self._branch_checked = False
        self._role: str | None = None
        self._acting: dict[str, Any] | None = None  # the facade call under way, for the audit trail

    @property
    def policy(self) -> Policy:
        """The circulation policy: the register's own, read the first time a rule needs it."""
        if self._policy is None:
            self._policy = stored_policy(self.conn)
        return self._policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self._policy = policy

    def register_version(self) -> int:
        """Changes whenever another desk, a self-service machine or a job has committed to
        the register: what a screen shows is worth reading again (a cheap pragma, no table read)."""
        return data_version(self.conn)

    # --- time and place ------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(HELSINKI)

    def today(self) -> date:
        return self.now().date()

    @property
    def branch(self) -> str:
        """The desk's branch; refuses when the database has none yet or does not know it."""
        if self._branch is None:
            self._branch = branch_store.default_branch(self.conn)
            if self._branch is None:
                raise invalid("no_branch")
        elif not self._branch_checked and branch_store.get(self.conn, self._branch) is None:
            raise invalid("branch_unknown", value=self._branch)
        self._branch_checked = True
        return self._branch

    def branch_name(self) -> str:
        """The desk's branch as people call it ("Porin pääkirjasto")."""
        found = branch_store.get(self.conn, self.branch)
        return found.name if found else self.branch

    def known_branch(self, code: str | None) -> str:
        if code is None:
            return self.branch
        if branch_store.get(self.conn, code) is None:
            raise invalid("branch_unknown", value=code)
        return code

    def calendar(self, code: str) -> BranchCalendar:
        return branch_store.calendar(self.conn, code, self.today() - timedelta(days=1))

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.conn, before_commit=self._log_change)

    # --- who acts, and the audit trail -----------------------------------------------------

    @property
    def role(self) -> str | None:
        """The acting account's role. A register with no accounts yet is run by its
        first admin; an unknown or disabled account has no role at all."""
        from ..store import staff as staff_store

        if self._role is None:
            if not staff_store.any_accounts(self.conn):
                self._role = "admin"
            else:
                self._role = (staff_store.role_of(self.conn, self.staff) if self.staff is not None else None) or ""
        return self._role or None

    def act_as(self, staff: str | None) -> None:
        """Another member of staff at the same desk (after their login)."""
        self.staff = staff
        self._role = None

    def require(self, action: str, area: str | None = None) -> None:
        from ..core.roles import allowed

        if not allowed(self.role, action, area):
            raise refuse("NOT_ALLOWED", action=action, staff=self.staff or "")

    def perform(self, area: str, action: str, reads: str, function: Callable[Concatenate[DeskContext, P], R],
                *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one facade call: the role is checked first, then the call runs with its
        audit record written inside its own transaction (see `desk.area`); `reads` is
        "" for a call that only changes, "read" for one that shows a patron's data, "export"
        for one that hands it out in full. A database
        error reaches the shells as `Unavailable`: what it means, never SQL or values."""
        try:
            self.require(action, area)
            if self._acting is not None:  # a call made by another call: one action, one record
                return function(self, *args, **kwargs)
            return self._perform_audited(action, reads, function, *args, **kwargs)
        except sqlite3.Error as error:
            raise unavailable(error) from None

    def _perform_audited(self, action: str, reads: str, function: Callable[Concatenate[DeskContext, P], R],
                         *args: P.args, **kwargs: P.kwargs) -> R:
        import inspect

        try:
            values = inspect.signature(function).bind(self, *args, **kwargs).arguments
        except TypeError:
            return function(self, *args, **kwargs)  # let Python say what is wrong
        card = values.get("card")
        if card is None and hasattr(values.get("new"), "card"):
            card = values["new"].card
        detail = ", ".join(f"{key}={values[key]}" for key in _AUDITED if values.get(key) not in (None, ""))
        if values.get("override"):
            detail = ", ".join(x for x in (detail, "override") if x)
        patron_id = None
        if action == "return_item":  # the loan's patron, before the return forgets them
            from ..store import circulation as circ_store

            patron_id = circ_store.loan_patron(self.conn, str(values.get("barcode") or "").strip())
        self._acting = {"action": action, "card": card if isinstance(card, str) else None, "detail": detail or None,
                        "patron_id": patron_id, "logged": False}
        try:
            result = function(self, *args, **kwargs)
            if reads:
                self.log_read(always=reads == "export")
            return result
        finally:
            self._acting = None

    def _audit_patron(self, card: str | None) -> int | None:
        from ..store import patrons as patron_store

        row = patron_store.by_card(self.conn, card.strip()) if card else None
        return row.id if row is not None else None

    def _log_change(self) -> None:
        """Inside the write's own transaction: the change and its record stand or fall together."""
        acting = self._acting
        if acting is None or acting["logged"]:
            return
        acting["logged"] = True
        self._insert_audit("change", acting)

    def log_read(self, *, always: bool = False) -> None:
        """A read of a patron's data — once per patron and member of staff in ten minutes
        of real time (a drill's fixed clock would otherwise hide every later read). An
        export (`always`) is recorded every time, whatever was read just before."""
        from ..store import audit as audit_store
        from ..store import chain

        acting = self._acting
        if acting is None:
            return
        patron_id = acting["patron_id"] or self._audit_patron(acting["card"])
        if patron_id is None:
            return
        since = chain.utc_stamp(chain.real_now() - timedelta(minutes=10))
        if always or not audit_store.read_recently(self.conn, patron_id, self.staff, since):
            with transaction(self.conn):
                self._insert_audit("read", acting, patron_id)

    def _insert_audit(self, kind: str, acting: dict[str, Any], patron_id: int | None = None) -> None:
        from ..store import audit as audit_store

        audit_store.record(
            self.conn, at=self.now(), staff=self.staff, branch=self._branch or branch_store.default_branch(self.conn),
            action=acting["action"], kind=kind, detail=acting["detail"],
            patron_id=patron_id or acting["patron_id"] or self._audit_patron(acting["card"]),
        )

    # --- patrons -------------------------------------------------------------------------

    def find_card(self, card: str, *, for_circulation: bool = True) -> Patron:
        """The patron holding `card`. Circulation refuses a lost or replaced card."""
        from ..store import patrons as patron_store

        patron = patron_store.by_card(self.conn, (card or "").strip())
        if patron is None:
            raise refuse("PATRON_UNKNOWN")
        if for_circulation and patron.card_status != "active":
            raise refuse("CARD_LOST", closed_at=patron.card_closed_at)
        return patron

    def standing(self, patron: Patron) -> PatronStanding:
        from ..core.bans import ActiveBan
        from ..core.circulation import PatronStanding
        from ..core.patrons import Registration, consent_missing
        from ..store import circulation as circ_store
        from ..store import holds as hold_store
        from ..store import patrons as patron_store

        today, now = self.today(), self.now()
        bans = patron_store.active_bans(self.conn, patron.id, today)
        balance = patron_store.balance_cents(self.conn, patron.id)
        loans = circ_store.loan_facts(self.conn, patron.id)
        by_format: dict[str, int] = {}
        most_overdue = 0
        for loan in loans:
            by_format[loan.format] = by_format.get(loan.format, 0) + 1
            if not loan.lost_card and loan.due_at < now:
                most_overdue = max(most_overdue, (today - loan.due_date).days)
        registration = Registration(
            is_organisation=patron.is_organisation,
            birth_date=patron.birth_date,
            guardian=patron.guardian,
            consent_date=patron.consent_date,
            responsible=patron.responsible,
        )
        return PatronStanding(
            patron_id=patron.id,
            is_organisation=patron.is_organisation,
            birth_date=patron.birth_date,
            card_lost=patron.card_status != "active",
            consent_missing=consent_missing(registration, today, self.policy) is not None,
            bans=tuple(ActiveBan(ban.type, ban.starts_on, ban.until, ban.given_by) for ban in bans
                       if not ban.clearance),
            clearance_debt=balance > 0 and any(ban.clearance for ban in bans),
            balance_cents=balance,
            most_days_overdue=most_overdue,
            active_loans=len(loans),
            loans_by_format=by_format,
            verify_id=patron.verify_id,
            holds_waiting=hold_store.waiting_count(self.conn, patron.id),
        )


def raise_first(refusals: Iterable[Refusal]) -> None:
    refusals = tuple(refusals)
    if refusals:
        raise Refused(*refusals)
