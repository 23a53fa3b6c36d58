"""Who is at the desk: logging in (password or token), the Unix user's account, and
the desk's own check at start. Asked before anyone acts, so not facade calls of their
own (Desk.log_in and friends); kept light, as every command starts here."""

from __future__ import annotations

import functools
import os
from datetime import datetime, timedelta

from ..core.errors import Unavailable, refuse
from ..core.passwords import LOGIN_WINDOW_MINUTES, hash_secret, login_wait, verify_secret
from ..store import chain
from ..store import staff as staff_store
from .context import DeskContext


def needs_login(desk: DeskContext) -> bool:
    """Once the first account exists, every desk and command must know who acts."""
    return staff_store.any_accounts(desk.conn)


def unix_account(desk: DeskContext, unix_user: str | None) -> str | None:
    """The active account mapped to a Unix user (`staff add … --unix-user`)."""
    return staff_store.by_unix_user(desk.conn, unix_user) if unix_user else None


def this_terminal() -> str:
    """Where a login comes from: the machine and the OS account running Tiski."""
    import socket

    try:
        import pwd

        user = pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "-"
    return f"{socket.gethostname()}:{user}"


def log_in(desk: DeskContext, username: str, password: str, terminal: str | None = None) -> str:
    """Check a password (slow scrypt); the desk then acts as that account. Every try is
    in the audit trail; after a few wrong ones the terminal waits (core/passwords)."""
    return _log_in(desk, username, password, "password", terminal or this_terminal())


def log_in_with_token(desk: DeskContext, username: str, token: str, terminal: str | None = None) -> str:
    """The same with the account's token (`tiski staff token`), for scripts and cron."""
    return _log_in(desk, username, token, "token", terminal or this_terminal())


def _log_in(desk: DeskContext, username: str, secret: str, kind: str, terminal: str) -> str:
    from ..store import audit as audit_store  # only a login writes or reads the trail here

    wait = _terminal_wait(desk, terminal)
    if wait:  # the same answer for every name, real or not, and no check at all
        raise refuse("NOT_ALLOWED", action="login_paused", staff="", seconds=wait)
    account = staff_store.credentials(desk.conn, (username or "").strip())
    stored = (account.password_hash if kind == "password" else account.token_hash) if account else None
    # As slow for an unknown name, or one without a password, as for a real one.
    right = verify_secret(secret or "", stored or _unknown_account_hash()) and stored is not None
    with desk.write():
        audit_store.record(desk.conn, at=desk.now(), staff=account.username if account else None, branch=desk.branch,
                           action="login" if right else "login_failed", kind="session",
                           detail=f"terminal={terminal}" + (", token" if kind == "token" else ""))
    if not right or account is None:
        raise refuse("NOT_ALLOWED", action="login", staff="")
    desk.act_as(account.username)
    return account.username


def _terminal_wait(desk: DeskContext, terminal: str) -> int:
    """Seconds this terminal must still wait: its wrong passwords in a row, counted from
    its last right one or an admin's unlock, within the window (real time)."""
    from ..store import audit as audit_store

    now = chain.real_now()
    failures, last = 0, now
    window = chain.utc_stamp(now - timedelta(minutes=LOGIN_WINDOW_MINUTES))
    for entry in audit_store.sessions_since(desk.conn, window):
        where = (entry.detail or "").split(", ")[0]
        if entry.action == "login_unlocked" and where in (f"terminal={terminal}", "terminal=*"):
            failures = 0
        elif where != f"terminal={terminal}":
            continue
        elif entry.action == "login":
            failures = 0
        elif entry.action == "login_failed":
            failures += 1
            last = datetime.fromisoformat((entry.written_at or "").replace("Z", "+00:00"))
    return login_wait(failures, (now - last).total_seconds())


@functools.cache
def _unknown_account_hash() -> str:
    import secrets

    return hash_secret(secrets.token_hex(16))


def check_guards(desk: DeskContext) -> None:
    """At the desk's start: the triggers the trail and the ledger rest on are there,
    exactly; otherwise the desk does not open (`tiski audit verify` says more)."""
    if chain.guard_findings(desk.conn):
        raise Unavailable("tampered")
