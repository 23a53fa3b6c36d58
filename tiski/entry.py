"""The `tiski` console script. Opening the desk (no command) skips the command-line
machinery altogether: at a branch PC every start counts."""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    desk_only = _desk_only(argv)
    if desk_only is not None and not os.environ.get("TISKI_NO_FAST_START"):
        db, lang = desk_only
        code = _open_desk(db, lang)
        sys.exit(code)
    from .cli import main as cli_main

    cli_main()


def _desk_only(argv: list[str]) -> tuple[str | None, str | None] | None:
    """`tiski [--db PATH] [--lang L]` with no command: (db, lang); else None."""
    db = lang = None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--db", "--lang") and args:
            value = args.pop(0)
        elif arg.startswith(("--db=", "--lang=")):
            arg, value = arg.split("=", 1)
        else:
            return None
        if arg == "--db":
            db = value
        else:
            lang = value
    return db, lang


def _open_desk(db: str | None, lang: str | None) -> int:
    """Open the TUI; refusals and an unavailable register end in one line and exit 2, as
    everywhere in the CLI."""
    from pathlib import Path

    from .core.errors import Refused, Unavailable
    from .i18n import Translator
    from .shell import State, default_db_path, report_refusal, report_usage

    path = Path(db or os.environ.get("TISKI_DB") or default_db_path())
    state = State(path, lang or os.environ.get("TISKI_LANG") or None, tui=True)
    try:
        from .ui.run import open_desk_tui

        open_desk_tui(state)
    except Refused as refused:
        return report_refusal(refused, Translator(state.lang), False)
    except Unavailable as exc:  # busy, not a register, its guards gone…
        return report_usage(Translator(state.lang)(f"unavailable.{exc.reason}"), False)
    except Exception as exc:  # never a traceback with patron data in it
        if os.environ.get("TISKI_DEBUG"):
            raise
        return report_usage(Translator(state.lang)("input.internal", problem=type(exc).__name__), False)
    return 0
