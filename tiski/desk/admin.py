"""Administration: branches and their calendars, bans, the annual clearance, the
policy a database carries, staff accounts (logging in: desk/sessions.py)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, time

from ..core.bans import ban_refusals
from ..core.calendar import format_weekdays, parse_weekdays
from ..core.errors import invalid, refuse
from ..core.passwords import hash_secret
from ..core.patrons import without_hetu
from ..core.policy import Policy, parse_policy
from ..core.roles import ROLES
from ..core.text import clean_text
from ..store import audit as audit_store
from ..store import bans as ban_store
from ..store import branches as branch_store
from ..store import fees as fee_store
from ..store import patrons as patron_store
from ..store import settings as settings_store
from ..store import staff as staff_store
from ..store.staff import StaffAccount
from .area import Area, call
from .context import DeskContext, raise_first

_BRANCH_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def add_branch(desk: DeskContext, code: str, name: str, closed_weekdays: str = "", closes: str = "20:00") -> None:
    code = (code or "").strip()
    if not _BRANCH_CODE.match(code):
        raise invalid("branch_code")
    name = _required(name, "name", 100)
    try:
        weekdays = format_weekdays(parse_weekdays(closed_weekdays or ""))
    except ValueError:
        raise invalid("weekdays", value=closed_weekdays) from None
    if len(parse_weekdays(weekdays)) == 7:
        raise invalid("always_closed")
    if not re.fullmatch(r"\d{2}:\d{2}", closes or ""):
        raise invalid("closing_time")
    try:
        time.fromisoformat(closes)
    except ValueError:
        raise invalid("closing_time") from None
    with desk.write():
        if branch_store.get(desk.conn, code) is not None:
            raise invalid("branch_exists", value=code)
        branch_store.add(desk.conn, code, name, closes, weekdays, desk.now())


def close_day(desk: DeskContext, code: str, day: date, reason: str = "") -> None:
    """An exceptional closure (a holiday): loans due that day move to the next open day."""
    reason = clean_text(reason, "reason", required=False, max_length=100) or ""
    with desk.write():
        desk.known_branch(code)
        branch_store.close_days(desk.conn, code, [(day, reason)])


def close_public_holidays(desk: DeskContext, code: str, year: int) -> list[tuple[date, str]]:
    """Finnish public holidays of a year as closures (from the `holidays` package,
    which also knows Midsummer Eve and Christmas Eve)."""
    import holidays

    if not 1900 <= year <= 2200:
        raise invalid("year")
    days: list[tuple[date, str]] = sorted(holidays.country_holidays("FI", years=year, language="fi").items())
    with desk.write():
        desk.known_branch(code)
        branch_store.close_days(desk.conn, code, days)
    return days


@dataclass(frozen=True)
class Ban:
    id: int
    card: str
    type: str
    written: bool
    hearing_date: date | None
    until: date | None


def add_ban(
    desk: DeskContext,
    card: str,
    ban_type: str,
    reason: str,
    *,
    hearing_date: date | None = None,
    written: bool = False,
    until: date | None = None,
) -> Ban:
    """A borrowing, use or visit ban. The parties are heard first: a written ban
    records the hearing date."""
    reason = without_hetu(_required(reason, "reason", 500), "reason") or ""  # kept with the patron
    today = desk.today()
    raise_first(ban_refusals(ban_type, written, hearing_date, until, today))
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        ban_id = ban_store.add(desk.conn, patron.id, ban_type, reason, starts_on=today, given_by=desk.staff,
                               branch=desk.branch, now=desk.now(), written=written, hearing_date=hearing_date,
                               until=until)
    return Ban(ban_id, patron.card, ban_type, written, hearing_date, until)


def lift_ban(desk: DeskContext, card: str, reason: str) -> int:
    """Lift the patron's active bans. Returns how many were lifted."""
    reason = without_hetu(_required(reason, "reason", 500), "reason") or ""  # kept with the patron
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        lifted = ban_store.lift_all(desk.conn, patron.id, reason, desk.now())
        if not lifted:
            raise invalid("no_ban")
    return lifted


def run_clearance(desk: DeskContext) -> list[str]:
    """The annual clearance: every patron with a balance over 0 € gets a borrowing
    ban that lasts until the balance is paid. Returns their cards.

    Tens of thousands of patrons may owe something, so the bans are written in short
    steps (store/batches.py) and the desks keep the lock meanwhile. The call's record in
    the audit trail comes first, in a transaction of its own. A run stopped half-way
    keeps the bans written; run again, it finishes the rest (a patron banned already is
    not banned twice, and one who paid meanwhile is left alone)."""
    from ..store import batches

    conn, now, today = desk.conn, desk.now(), desk.today()
    debtors = [row.patron_id for row in fee_store.patrons_in_debt(conn)]  # read before the lock is taken
    with desk.write():
        pass  # the audit record of the run (written at the commit), before its first ban
    blocked: list[str] = []

    def ban(patron_id: int) -> None:
        if patron_store.balance_cents(conn, patron_id) <= 0:
            return  # paid since the list was read
        if not ban_store.has_clearance_ban(conn, patron_id):
            ban_store.add(conn, patron_id, "borrowing", "annual clearance", starts_on=today, given_by=desk.staff,
                          branch=desk.branch, now=now, clearance=True)
        blocked.append(patron_store.active_card(conn, patron_id) or "")

    batches.in_short_steps(conn, debtors, ban, hold=batches.STEP_HOLD, pause=batches.STEP_PAUSE)
    return blocked


# --- the policy a database carries --------------------------------------------------------

def check_policy(text: str) -> Policy:
    """Parse and check a policy text; PolicyError names the bad key."""
    return parse_policy(text)


def set_policy(desk: DeskContext, text: str) -> Policy:
    policy = parse_policy(text)
    with desk.write():
        settings_store.put(desk.conn, "policy", text)
    desk.policy = policy
    return policy


# --- staff accounts and logging in ------------------------------------------------------------

def add_staff(desk: DeskContext, username: str, role: str, name: str | None, password: str | None,
              unix_user: str | None = None) -> None:
    """A staff account. The first one made in a new register must be an admin's."""
    username = _username(username)
    if role not in ROLES:
        raise invalid("role", value=role)
    name = clean_text(name, "name", required=False, max_length=100)
    unix_user = _username(unix_user) if unix_user else None
    hashed = hash_secret(_password(password)) if password is not None else None
    with desk.write():
        conn = desk.conn
        if staff_store.exists(conn, username):
            raise invalid("staff_exists", value=username)
        if role != "admin" and not staff_store.any_accounts(conn):
            raise invalid("first_staff_admin")
        if unix_user and staff_store.unix_user_taken(conn, unix_user):
            raise invalid("staff_exists", value=unix_user)
        staff_store.add(conn, username, name, role, hashed, unix_user, desk.now())
    desk.act_as(desk.staff)  # the register now has accounts: roles apply from here on


def staff_list(desk: DeskContext) -> list[StaffAccount]:
    return staff_store.accounts(desk.conn)


def unlock_logins(desk: DeskContext, terminal: str | None = None) -> None:
    """An admin lets a terminal (or every terminal) try again at once."""
    where = clean_text(terminal, "terminal", required=False, max_length=200) or "*"
    with desk.write():
        audit_store.record(desk.conn, at=desk.now(), staff=desk.staff, branch=desk.branch, action="login_unlocked",
                           kind="session", detail=f"terminal={where}")


def set_staff_password(desk: DeskContext, username: str, password: str) -> None:
    hashed = hash_secret(_password(password))
    username = _username(username)
    with desk.write():
        if not staff_store.set_password(desk.conn, username, hashed):
            raise refuse("NOT_FOUND", what="staff")
        audit_store.record(desk.conn, at=desk.now(), staff=username, branch=desk.branch, action="password_set",
                           kind="session")


def issue_token(desk: DeskContext, username: str) -> str:
    """A new token for an account (the old one stops working): for scripts and cron,
    kept in a file only its Unix user can read (see tiski/shell.py)."""
    username = _username(username)
    token = secrets.token_urlsafe(32)
    hashed = hash_secret(token)
    with desk.write():
        if not staff_store.set_token(desk.conn, username, hashed):
            raise refuse("NOT_FOUND", what="staff")
    return token


def disable_staff(desk: DeskContext, username: str) -> None:
    with desk.write():
        if not staff_store.disable(desk.conn, _username(username), desk.now()):
            raise refuse("NOT_FOUND", what="staff")


def _required(value: str, what: str, max_length: int) -> str:
    return clean_text(value, what, max_length=max_length) or ""  # required: never empty


def _username(text: str) -> str:
    text = (text or "").strip()
    if not re.fullmatch(r"[a-z_][a-z0-9_.-]{0,31}", text):
        raise invalid("username")
    return text


def _password(text: str) -> str:
    if len(text or "") < 8:
        raise invalid("password_short")
    if len(text) > 200:
        raise invalid("too_long", field="password", limit=200)
    return text


class Admin(Area):
    """Branches, bans and the clearance, the policy, staff accounts."""

    name = "admin"
    add_branch = call(add_branch)
    close_day = call(close_day)
    close_public_holidays = call(close_public_holidays)
    add_ban = call(add_ban)
    lift_ban = call(lift_ban)
    run_clearance = call(run_clearance)
    set_policy = call(set_policy)
    add_staff = call(add_staff)
    set_staff_password = call(set_staff_password)
    issue_token = call(issue_token)
    unlock_logins = call(unlock_logins)
    disable_staff = call(disable_staff)
    staff_list = call(staff_list)
