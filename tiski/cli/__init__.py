"""The `tiski` command. Thin: parse, call the facade, print.

Exit status: 0 done; 1 refused by a library rule; 2 bad input, unknown patron or
item, or a usage error. Never a traceback. Textual is imported only to open the TUI.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

import typer
from typer.core import TyperGroup

from ..core.errors import Refused, Unavailable, invalid
from ..core.policy import PolicyError
from ..i18n import Translator, safe
from ..settings import Settings, load_settings, overridden
from .common import State, UsageProblem, report_refusal, report_usage


class TiskiGroup(TyperGroup):
    """Every failure becomes one line (or one JSON object) and an exit status."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        as_json = "--json" in argv
        settings: Settings | None = None

        def t() -> Translator:  # the messages' language: --lang, else the settings' (if they could be read)
            return Translator(_option_value(argv, "--lang") or (settings.lang if settings else None))

        try:
            _refuse_undecodable(argv)
            settings = load_settings()
            code = super().main(argv, prog_name or "tiski", complete_var, standalone_mode=False, obj=settings,
                                **extra)
            code = code if isinstance(code, int) else 0
        except Refused as refused:
            code = report_refusal(refused, t(), as_json)
        except PolicyError as exc:
            code = report_usage(t()("input.policy", key=exc.key, problem=exc.problem), as_json)
        except typer.TyperException as exc:  # click's usage errors (missing argument, bad option…)
            context = getattr(exc, "ctx", None)
            where = context.command_path if context is not None else "tiski"
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            code = report_usage(f"{where}: {message} ({where} --help)", as_json, prefix="")
        except UsageProblem as exc:
            code = report_usage(str(exc), as_json)
        except (typer.Abort, KeyboardInterrupt):
            sys.stderr.write("\n")
            code = 130
        except Unavailable as exc:  # locked past the busy timeout, disk full, not a register…
            code = report_usage(t()(f"unavailable.{exc.reason}", **exc.params), as_json)
        except OSError as exc:
            code = report_usage(t()("input.os", problem=safe(exc.strerror or type(exc).__name__)), as_json)
        except Exception as exc:  # a defect: say so in one line, never a traceback with data in it
            if settings is not None and settings.debug:
                raise
            code = report_usage(t()("input.internal", problem=type(exc).__name__), as_json)
        if standalone_mode:
            sys.exit(code)
        return code


def _refuse_undecodable(argv: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python's argv as lone surrogates, which no file,
    database or terminal can take: refuse them here, naming the argument."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise invalid("argv_encoding", value=shown) from None


def _option_value(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


app = typer.Typer(
    cls=TiskiGroup,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
    help="Tiski: the library service desk. Without a command, opens the desk (TUI).",
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", help="The database file (default: TISKI_DB).", show_default=False),
    lang: str = typer.Option(None, "--lang", help="fi, sv or en (default: TISKI_LANG)."),
) -> None:
    ctx.obj = State(overridden(ctx.obj, db=db, lang=lang), tui=ctx.invoked_subcommand is None)
    if ctx.invoked_subcommand is None:
        from ..ui.run import open_desk_tui

        open_desk_tui(ctx.obj)


def _register() -> None:
    from . import admin, catalogue, circulation, digituki, kirjakassi, money, patrons, sip2

    for module in (admin, patrons, catalogue, circulation, money, digituki, kirjakassi, sip2):
        module.register(app)


_register()


def main() -> None:
    app()

