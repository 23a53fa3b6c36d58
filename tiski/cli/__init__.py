"""The `tiski` command. Thin: parse, call the facade, print.

Exit status: 0 done; 1 refused by a library rule; 2 bad input, unknown patron or
item, or a usage error — one line on stderr (`tiski: …`), or one JSON object on
stdout with `--json`. Never a traceback. Only the module of the command argv names is
loaded (`tiski --help` loads them all for its listing); Textual only to open the desk.

Adding a command: declare it in its area's module with the command table
(`tiski/cli/table.py`), beside the function that does it —

    @patron.command("note", arg("card"), arg("text"), JSON)
    def patron_note(st: State, card: str, text: str, as_json: bool) -> None:
        '''A note on the patron for the next member of staff.'''
        note = st.desk().patrons.add_note(card, text)
        emit(as_json, {"note": {"id": note.id}}, [st.t("cli.note_added")])

— and a new first word of `tiski` (a new group such as `notices`, in a module of its
own) also gets a line in MODULES below. tests/cli/test_command_table.py checks that
the two agree; tests/cli/test_hostile_input.py walks every command declared.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from ..core.errors import PolicyError, Refused, Unavailable, invalid
from ..i18n import Translator, safe, shorten
from ..shell import State, UsageProblem, report_refusal, report_usage
from .table import Command, Exit, Group, Parser, UsageError, attach_values, build, value_options

if TYPE_CHECKING:
    from ..settings import Settings

# The first word of `tiski …` → the module (in tiski/cli/) that declares it.
MODULES = {
    "init": "admin",
    "branch": "admin",
    "patron": "patrons",
    "catalogue": "catalogue",
    "item": "catalogue",
    "import": "catalogue",
    "checkout": "circulation",
    "return": "circulation",
    "renew": "circulation",
    "hold": "circulation",
    "holds": "circulation",
    "fee": "money",
    "ban": "admin",
    "clearance": "admin",
    "ill": "money",
    "digituki": "digituki",
    "kirjakassi": "kirjakassi",
    "sip2": "sip2",
    "policy": "admin",
    "staff": "admin",
    "audit": "admin",
    "retention": "admin",
    "backup": "admin",
    "restore": "admin",
    "notices": "notices",
}

ROOT_HELP = "Tiski: the library service desk. Without a command, opens the desk (TUI)."


def declared(name: str) -> Command | Group:
    """The command or group `tiski NAME`, from its module."""
    module: Group = import_module(f"{__name__}.{MODULES[name]}").cli
    return module.entries[name]


def command_table() -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command of `tiski`, with its path: ("patron", "show"), ("checkout",)…"""
    for name in MODULES:
        entry = declared(name)
        if isinstance(entry, Group):
            yield from entry.commands((name,))
        else:
            yield (name,), entry


def root_parser(name: str | None, *, listing: bool = False) -> Parser:
    """`tiski`'s own options and the command `name` in full; with `listing`, every
    command's name and line instead (`tiski --help`). No command opens the desk."""
    parser = Parser("tiski", ROOT_HELP)
    parser.add_argument("--db", help="The database file (default: TISKI_DB, else the user data directory).")
    parser.add_argument("--lang", help="fi, sv or en: Tiski's own language (default: TISKI_LANG, else fi).")
    named = MODULES if listing else [name] if name else []
    build(Group("tiski", entries={n: declared(n) for n in named}, default=Command("tiski", open_desk, ())), parser,
          shallow=listing)
    return parser


def open_desk(st: State) -> None:
    """The desk (TUI)."""
    from ..ui.run import open_desk_tui

    open_desk_tui(State(st.settings, tui=True))  # the desk asks who acts at its login


def command_name(argv: Sequence[str]) -> str | None:
    """The first word of the command in argv, after `--db PATH` and `--lang L`."""
    words = iter(argv)
    for word in words:
        if word in ("--db", "--lang"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def run(argv: Sequence[str]) -> int:
    """`tiski ARGV`: the exit status. Every failure is reported here, in one line or
    one JSON object: nothing escapes as a traceback."""
    argv = list(argv)
    as_json = "--json" in argv
    settings: Settings | None = None

    def t() -> Translator:  # the messages' language: --lang, else the settings' (when they could be read)
        lang = _option_value(argv, "--lang")
        return Translator(lang or (settings.lang if settings else None))

    try:
        _refuse_undecodable(argv)
        name = command_name(argv)
        if name is not None and name not in MODULES:
            raise UsageError("tiski", f"no such command '{name}'")
        listing = name is None and ("--help" in argv or "-h" in argv)
        options = {"--db", "--lang"} | (value_options(declared(name)) if name else set())
        values = root_parser(name, listing=listing).parse_args(attach_values(argv, options))
        from ..settings import load_settings, overridden  # not for `tiski --help`

        settings = overridden(load_settings(), db=values.db, lang=values.lang)
        command: Command = values._command
        return command.call(State(settings), values)
    except Exit as done:  # --help
        return done.code
    except UsageError as exc:
        message = shorten(exc.args[0], 300)
        return report_usage(f"{exc.prog}: {message} ({exc.prog} --help)", as_json, prefix="")
    except Refused as refused:
        return report_refusal(refused, t(), as_json)
    except PolicyError as exc:
        return report_usage(t()("input.policy", key=exc.key, problem=exc.problem), as_json)
    except UsageProblem as exc:
        return report_usage(str(exc), as_json)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except Unavailable as exc:  # locked past the busy timeout, disk full, not a register…
        return report_usage(t()(f"unavailable.{exc.reason}", **exc.params), as_json)
    except OSError as exc:
        return report_usage(t()("input.os", problem=safe(exc.strerror or type(exc).__name__)), as_json)
    except Exception as exc:  # a defect: say so in one line, never a traceback with data in it
        if settings is not None and settings.debug:
            raise
        return report_usage(t()("input.internal", problem=type(exc).__name__), as_json)


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
