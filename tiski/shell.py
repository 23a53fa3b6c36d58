"""What every shell shares, without the command-line machinery: which database and
language a session uses, and how it speaks — JSON for scripts (one object on stdout),
plain lines for people. The TUI starts from here without importing typer."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from .core.errors import Refused, invalid
from .i18n import Translator


class UsageProblem(Exception):
    """Bad input found by the shell itself (a file that cannot be read…); exit 2."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tiski", appauthor=False)) / "tiski.sqlite"


@dataclass
class State:
    db: Path
    lang: str | None

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def desk(self, branch: str | None = None):
        """Open the facade on an existing database (never creates one)."""
        from .clock import clock_from_env
        from .desk import Desk
        from .store.db import DatabaseMissing, SchemaTooNew

        try:
            clock = clock_from_env()
        except ValueError:
            raise invalid("now") from None
        try:
            desk = Desk.open(
                self.db,
                clock=clock,
                branch=branch or os.environ.get("TISKI_BRANCH") or None,
                staff=os.environ.get("TISKI_STAFF") or None,
            )
        except DatabaseMissing:
            raise invalid("database_missing", path=str(self.db)) from None
        except SchemaTooNew as too_new:
            raise invalid("schema_too_new", found=too_new.found, known=too_new.known) from None
        if desk.staff is None:
            desk.act_as(unix_staff(desk.conn))
        return desk


def unix_staff(conn) -> str | None:
    """The staff account mapped to the Unix user running Tiski (over SSH, say):
    `tiski staff add kaisa --role desk --unix-user kaisa`."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        return None
    row = conn.execute("SELECT username FROM staff WHERE unix_user = ? AND disabled_at IS NULL", (user,)).fetchone()
    return row[0] if row else None


def jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def emit(as_json: bool, payload: dict[str, Any], lines: Iterable[str] = ()) -> None:
    """Success: `{"ok": true, ...}` for scripts, or the lines for people."""
    if as_json:
        import json

        sys.stdout.write(json.dumps(jsonable({"ok": True, **payload}), ensure_ascii=False) + "\n")
    else:
        for line in lines:
            sys.stdout.write(line + "\n")


def report_refusal(refused: Refused, t: Translator, as_json: bool) -> int:
    first = refused.first
    message = t.refusal(first)
    if as_json:
        import json

        error = {"code": first.code, "message": message, "confirmable": refused.confirmable}
        if len(refused.refusals) > 1:
            error["all"] = [
                {"code": r.code, "message": t.refusal(r), "confirmable": r.confirmable} for r in refused.refusals
            ]
        sys.stdout.write(json.dumps({"ok": False, "error": error}, ensure_ascii=False) + "\n")
    else:
        for refusal in refused.refusals:
            sys.stderr.write(f"tiski: {refusal.code}: {t.refusal(refusal)}\n")
    return refused.exit_code


def report_usage(message: str, as_json: bool, prefix: str = "tiski: ") -> int:
    from .i18n import safe

    message = safe(message)
    if as_json:
        import json

        error = {"code": "INVALID_INPUT", "message": message, "confirmable": False}
        sys.stdout.write(json.dumps({"ok": False, "error": error}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"{prefix}{message}\n")
    return 2
