"""The `tiski` console script. Opening the desk (no command) skips the command-line
machinery altogether: at a branch PC every start counts."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import Settings


def main() -> None:
    argv = sys.argv[1:]
    desk_only = _desk_only(argv)
    if desk_only is not None:
        from .core.errors import Refused
        from .settings import load_settings, overridden

        db, lang = desk_only
        try:
            settings = overridden(load_settings(), db=db, lang=lang)
        except Refused as refused:
            from .i18n import Translator
            from .shell import report_refusal

            sys.exit(report_refusal(refused, Translator(lang), False))
        if not settings.no_fast_start:
            sys.exit(_open_desk(settings))
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


def _open_desk(settings: Settings) -> int:
    """Open the TUI; refusals and an unavailable register end in one line and exit 2, as
    everywhere in the CLI."""
    from .core.errors import Refused, Unavailable
    from .i18n import Translator
    from .shell import State, report_refusal, report_usage

    state = State(settings, tui=True)
    try:
        from .ui.run import open_desk_tui

        open_desk_tui(state)
    except Refused as refused:
        return report_refusal(refused, state.t, False)
    except Unavailable as exc:  # busy, not a register, its guards gone…
        return report_usage(state.t(f"unavailable.{exc.reason}"), False)
    except Exception as exc:  # never a traceback with patron data in it
        if settings.debug:
            raise
        return report_usage(Translator(state.lang)("input.internal", problem=type(exc).__name__), False)
    return 0
