"""What every shell shares, without the command-line machinery: which database and
language a session uses, and how it speaks — JSON for scripts (one object on stdout),
plain lines for people. The session's settings (`tiski.settings`) are read once, by
the shell that starts."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .core.errors import Refused, invalid, refuse
from .i18n import Translator

if TYPE_CHECKING:  # the settings (and the clock's time zones) are read by the commands, not by `tiski --help`
    from .settings import Settings


class UsageProblem(Exception):
    """Bad input found by the shell itself (a file that cannot be read…); exit 2."""


@dataclass
class State:
    settings: Settings
    tui: bool = False  # the TUI asks who acts at its own login screen

    @property
    def db(self) -> Path:
        return self.settings.db

    @property
    def lang(self) -> str:
        return self.settings.lang

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def desk(self, branch: str | None = None, *, guarded: bool = True):
        """Open the facade on an existing register (never creates one) and settle who
        acts. `guarded`: refuse a register whose guard triggers are gone (only
        `audit verify`, `restore` and `init --force` open one anyway)."""
        from .desk import Desk

        if not self.db.exists():
            raise invalid("database_missing", path=str(self.db))
        desk = Desk.open(self.db, clock=self.settings.clock(), branch=branch or self.settings.branch)
        if guarded:
            desk.check_guards()
        desk.act_as(who_acts(desk, self.settings.staff, self))
        return desk


def who_acts(desk, named: str | None, state: State) -> str | None:
    """Who acts on the command line. The account mapped to the Unix user running Tiski —
    the real uid, never $USER or $LOGNAME, which the caller sets — needs nothing more.
    TISKI_STAFF naming another account needs that account's proof: its token file (one
    only this Unix user can read, `tiski staff token`), else its password typed on a
    terminal. A register with no accounts yet is run by its first admin, whoever it is."""
    mapped = unix_staff(desk)
    if not desk.needs_login():
        return named or mapped
    if named is None or named == mapped:
        return mapped
    token = read_token(named)
    if token is not None:
        return desk.log_in_with_token(named, token)
    if state.tui:
        return None  # the login screen asks
    if not sys.stdin.isatty():
        raise refuse("NOT_ALLOWED", action="staff_proof", staff=named)
    import getpass

    return desk.log_in(named, getpass.getpass(state.t("cli.staff_password_prompt", user=named)))


def unix_user() -> str | None:
    """The Unix user running Tiski, by the real uid."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return None


def unix_staff(desk) -> str | None:
    """The staff account mapped to the Unix user running Tiski (over SSH, say):
    `tiski staff add kaisa --role desk --unix-user kaisa`."""
    return desk.unix_account(unix_user())


def tokens_dir() -> Path:
    from .settings import config_dir

    return config_dir() / "tokens"


def read_token(username: str) -> str | None:
    """The account's token from this Unix user's token file, if there is one. A file
    anyone else could read or swap (a symlink, another owner, group or world bits) is
    refused, never used."""
    import stat

    path = tokens_dir() / username
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise invalid("token_file", path=str(path))
    return path.read_text(encoding="utf-8").strip()


def save_token(username: str, token: str) -> Path:
    """Keep an account's token where `read_token` finds it: mode 0600, this user's."""
    import secrets

    folder = tokens_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = folder / f".{username}.{secrets.token_hex(8)}"
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.replace(partial, folder / username)
    return folder / username


def jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def json_text(value: Any, indent: int | None = None) -> str:
    """One JSON value as text for a terminal or a script: UTF-8 as it is, but control and
    format characters (ESC, bidi overrides…) escaped as \\uXXXX — the same JSON to a
    parser, harmless to a terminal."""
    import json
    import unicodedata

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.replace("\n", "").isprintable():  # no control or format character at all (the common case):
        return text  # every one of them is one str.isprintable refuses, so there is nothing to escape
    return "".join(json.dumps(ch)[1:-1] if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")
                   else ch for ch in text)


def emit(as_json: bool, payload: dict[str, Any],
         lines: Iterable[str] | Callable[[], Iterable[str]] = ()) -> None:
    """Success: `{"ok": true, ...}` for scripts, or the lines for people. `lines` may be
    a function that words them: then a script's run never reads the message catalogue."""
    if as_json:
        sys.stdout.write(json_text(jsonable({"ok": True, **payload})) + "\n")
    else:
        for line in lines() if callable(lines) else lines:
            sys.stdout.write(line + "\n")


def report_refusal(refused: Refused, t: Translator, as_json: bool) -> int:
    first = refused.first
    message = t.refusal(first)
    if as_json:

        error = {"code": first.code, "message": message, "confirmable": refused.confirmable}
        if len(refused.refusals) > 1:
            error["all"] = [
                {"code": r.code, "message": t.refusal(r), "confirmable": r.confirmable} for r in refused.refusals
            ]
        sys.stdout.write(json_text({"ok": False, "error": error}) + "\n")
    else:
        for refusal in refused.refusals:
            sys.stderr.write(f"tiski: {refusal.code}: {t.refusal(refusal)}\n")
    return refused.exit_code


def report_usage(message: str, as_json: bool, prefix: str = "tiski: ") -> int:
    from .i18n import safe

    message = safe(message)
    if as_json:

        error = {"code": "INVALID_INPUT", "message": message, "confirmable": False}
        sys.stdout.write(json_text({"ok": False, "error": error}) + "\n")
    else:
        sys.stderr.write(f"{prefix}{message}\n")
    return 2
