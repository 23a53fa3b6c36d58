"""Administration: branches and their calendars, bans, the annual clearance, the
policy a database carries, staff accounts."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta

from ..clock import stamp
from ..core.bans import ban_refusals
from ..core.calendar import format_weekdays, parse_weekdays
from ..core.errors import invalid, refuse
from ..core.passwords import hash_secret
from ..core.policy import Policy, parse_policy
from ..core.text import clean_text
from ..store import branches as branch_store
from ..store import fees as fee_store
from ..store import patrons as patron_store
from .area import Area, call
from .context import DeskContext, raise_first

_BRANCH_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
ROLES = ("desk", "digituki", "admin")


def add_branch(desk: DeskContext, code: str, name: str, closed_weekdays: str = "", closes: str = "20:00") -> None:
    code = (code or "").strip()
    if not _BRANCH_CODE.match(code):
        raise invalid("branch_code")
    name = clean_text(name, "name", max_length=100)
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
        desk.conn.execute(
            "INSERT INTO branches (code, name, closes, closed_weekdays, created_at) VALUES (?, ?, ?, ?, ?)",
            (code, name, closes, weekdays, stamp(desk.now())),
        )


def close_day(desk: DeskContext, code: str, day: date, reason: str = "") -> None:
    """An exceptional closure (a holiday): loans due that day move to the next open day."""
    reason = clean_text(reason, "reason", required=False, max_length=100) or ""
    with desk.write():
        desk.known_branch(code)
        desk.conn.execute(
            "INSERT OR REPLACE INTO branch_closures (branch, day, reason) VALUES (?, ?, ?)",
            (code, day.isoformat(), reason),
        )


def close_public_holidays(desk: DeskContext, code: str, year: int) -> list[tuple[date, str]]:
    """Finnish public holidays of a year as closures (from the `holidays` package,
    which also knows Midsummer Eve and Christmas Eve)."""
    import holidays

    if not 1900 <= year <= 2200:
        raise invalid("year")
    days = sorted(holidays.Finland(years=year, language="fi").items())
    with desk.write():
        desk.known_branch(code)
        desk.conn.executemany(
            "INSERT OR REPLACE INTO branch_closures (branch, day, reason) VALUES (?, ?, ?)",
            [(code, day.isoformat(), name) for day, name in days],
        )
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
    reason = clean_text(reason, "reason", max_length=500)
    today = desk.today()
    raise_first(ban_refusals(ban_type, written, hearing_date, until, today))
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        ban_id = desk.conn.execute(
            """
            INSERT INTO bans (patron_id, type, reason, written, hearing_date, starts_on, until, given_by,
                              branch, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                patron.id, ban_type, reason, int(written),
                hearing_date.isoformat() if hearing_date else None, today.isoformat(),
                until.isoformat() if until else None, desk.staff, desk.branch, stamp(desk.now()),
            ),
        ).lastrowid
    return Ban(ban_id, patron.card, ban_type, written, hearing_date, until)


def lift_ban(desk: DeskContext, card: str, reason: str) -> int:
    """Lift the patron's active bans. Returns how many were lifted."""
    reason = clean_text(reason, "reason", max_length=500)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        lifted = desk.conn.execute(
            "UPDATE bans SET lifted_at = ?, lifted_reason = ? WHERE patron_id = ? AND lifted_at IS NULL",
            (stamp(desk.now()), reason, patron.id),
        ).rowcount
        if not lifted:
            raise invalid("no_ban")
    return lifted


def run_clearance(desk: DeskContext) -> list[str]:
    """The annual clearance: every patron with a balance over 0 € gets a borrowing
    ban that lasts until the balance is paid. Returns their cards."""
    blocked = []
    with desk.write():
        conn, now, today = desk.conn, desk.now(), desk.today()
        for row in fee_store.patrons_in_debt(conn):
            already = conn.execute(
                "SELECT 1 FROM bans WHERE patron_id = ? AND clearance = 1 AND lifted_at IS NULL", (row.patron_id,)
            ).fetchone()
            if already is None:
                conn.execute(
                    """
                    INSERT INTO bans (patron_id, type, reason, clearance, starts_on, given_by, branch, created_at)
                    VALUES (?, 'borrowing', 'annual clearance', 1, ?, ?, ?, ?)
                    """,
                    (row.patron_id, today.isoformat(), desk.staff, desk.branch, stamp(now)),
                )
            blocked.append(patron_store.active_card(conn, row.patron_id) or "")
    return blocked


# --- the policy a database carries --------------------------------------------------------

def check_policy(text: str) -> Policy:
    """Parse and check a policy text; PolicyError names the bad key."""
    return parse_policy(text)


def set_policy(desk: DeskContext, text: str) -> Policy:
    policy = parse_policy(text)
    with desk.write():
        desk.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('policy', ?)", (text,))
    desk.policy = policy
    return policy



# --- staff accounts ------------------------------------------------------------------------

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
        if desk.conn.execute("SELECT 1 FROM staff WHERE username = ?", (username,)).fetchone():
            raise invalid("staff_exists", value=username)
        if role != "admin" and desk.conn.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is None:
            raise invalid("first_staff_admin")
        if unix_user and desk.conn.execute("SELECT 1 FROM staff WHERE unix_user = ?", (unix_user,)).fetchone():
            raise invalid("staff_exists", value=unix_user)
        desk.conn.execute(
            "INSERT INTO staff (username, name, role, password_hash, unix_user, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (username, name, role, hashed, unix_user, stamp(desk.now())),
        )
    desk.act_as(desk.staff)  # the register now has accounts: roles apply from here on


def staff_list(desk: DeskContext) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT username, name, role, unix_user, created_at, disabled_at, password_hash IS NOT NULL AS can_log_in"
        " FROM staff ORDER BY username")]


def log_in(desk: DeskContext, username: str, password: str) -> str:
    """Check a password (slow scrypt); the desk then acts as that account. Wrong
    passwords are logged; after LOGIN_TRIES of them the account pauses."""
    from ..core.passwords import LOGIN_PAUSE_MINUTES, LOGIN_TRIES, verify_secret

    row = desk.conn.execute(
        "SELECT username, password_hash FROM staff WHERE username = ? AND disabled_at IS NULL",
        ((username or "").strip(),),
    ).fetchone()
    if row is None:
        verify_secret(password or "", _unknown_account_hash())  # as slow as a real check: names do not leak
        raise refuse("NOT_ALLOWED", action="login", staff="")
    now = desk.now()
    failures = desk.conn.execute(
        """
        SELECT COUNT(*) FROM audit_log
        WHERE kind = 'session' AND staff = ? AND action = 'login_failed' AND julianday(at) > julianday(?)
          AND id > COALESCE((SELECT MAX(id) FROM audit_log
                             WHERE kind = 'session' AND staff = ? AND action IN ('login', 'password_set')), 0)
        """,
        (row["username"], stamp(now - timedelta(minutes=LOGIN_PAUSE_MINUTES)), row["username"]),
    ).fetchone()[0]
    if failures >= LOGIN_TRIES:
        raise refuse("NOT_ALLOWED", action="login_paused", staff="", minutes=LOGIN_PAUSE_MINUTES)
    right = verify_secret(password or "", row["password_hash"])
    with desk.write():
        desk.conn.execute(
            "INSERT INTO audit_log (at, staff, branch, action, kind) VALUES (?, ?, ?, ?, 'session')",
            (stamp(now), row["username"], desk.branch, "login" if right else "login_failed"),
        )
    if not right:
        raise refuse("NOT_ALLOWED", action="login", staff="")
    desk.act_as(row["username"])
    return row["username"]


@functools.cache
def _unknown_account_hash() -> str:
    return hash_secret(secrets.token_hex(16))


def set_staff_password(desk: DeskContext, username: str, password: str) -> None:
    """A new password; it also ends a pause after wrong passwords."""
    hashed = hash_secret(_password(password))
    username = _username(username)
    with desk.write():
        changed = desk.conn.execute("UPDATE staff SET password_hash = ? WHERE username = ?", (hashed, username)).rowcount
        if not changed:
            raise refuse("NOT_FOUND", what="staff")
        desk.conn.execute(
            "INSERT INTO audit_log (at, staff, branch, action, kind) VALUES (?, ?, ?, 'password_set', 'session')",
            (stamp(desk.now()), username, desk.branch),
        )


def disable_staff(desk: DeskContext, username: str) -> None:
    with desk.write():
        changed = desk.conn.execute(
            "UPDATE staff SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL",
            (stamp(desk.now()), _username(username)),
        ).rowcount
        if not changed:
            raise refuse("NOT_FOUND", what="staff")


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
    disable_staff = call(disable_staff)
    staff_list = call(staff_list)
