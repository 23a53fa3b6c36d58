"""A command loads only what it uses (issue 11: a command starts within 3× a bare Python).

Each case runs `tiski …` as its console script does, in a fresh interpreter, and looks
at `sys.modules` after it: a module listed here, imported again at the top of a module
every command loads, fails the test — and costs every command its import time.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import sys
from tiski.entry import main
sys.argv = ["tiski", "--db", {db!r}, *{args!r}]
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code
print("PROBE", code, ",".join(sorted(sys.modules)))
"""

# Never loaded by a command that does not open the desk or parse anything.
EVERY_COMMAND = ("textual", "platformdirs", "tiski.ui", "tiski.desk.digituki", "tiski.desk.retention", "tiski.desk.notices",
                 "tiski.store.digituki", "tiski.store.backup", "tiski.imports", "tiski.notify", "email")


def loaded(db_path, *args: str) -> tuple[int, set[str]]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TISKI_")}
    environment["TISKI_NOW"] = "2026-12-02T14:05"
    done = subprocess.run([sys.executable, "-c", PROBE.format(db=str(db_path), args=list(args))],
                          capture_output=True, text=True, env=environment, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    probe = done.stdout.strip().splitlines()[-1].split()
    assert probe[0] == "PROBE"
    return int(probe[1]), set(probe[2].split(","))


def imported(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("args, absent", [
    (["branch", "list", "--json"], ("tiski.core.policy", "tomllib", "tiski.store.patrons", "tiski.core.circulation",
                                    "tiski.store.audit", "hashlib", "secrets")),
    (["item", "show", "NOPE123", "--json"], ("tiski.core.policy", "tiski.store.patrons")),  # its refusal is worded
    # a checkout neither sends nor words a notice: no e-mail, SMS or notice modules
    (["checkout", "NOPE1", "NOPE2", "--json"], ("tiski.desk.notice_run", "tiski.desk.notice_fees",
                                               "tiski.core.notices", "tiski.core.digituki", "smtplib", "ssl")),
])
def test_a_command_loads_only_what_it_uses(db_path, args, absent):
    code, modules = loaded(db_path, *args)
    assert code in (0, 2)
    unwanted = sorted(name for name in (*EVERY_COMMAND, *absent) if imported(modules, name))
    assert not unwanted, f"`tiski {' '.join(args)}` imported {unwanted}"


@pytest.mark.parametrize("columns", [None, "0", "x", "37", "200"])
def test_the_help_is_as_wide_as_shutil_says(monkeypatch, columns):
    """The help's width is computed without importing shutil, as shutil would."""
    import shutil

    from tiski.cli.table import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_tiski_help_loads_neither_shutil_nor_the_desk(db_path):
    code, modules = loaded(db_path, "--help")
    assert code == 0
    unwanted = sorted(name for name in (*EVERY_COMMAND, "shutil", "tomllib", "csv", "tiski.desk",
                                        "sqlite3", "tiski.settings", "zoneinfo") if imported(modules, name))
    assert not unwanted, f"`tiski --help` imported {unwanted}"


def test_json_text_escapes_as_it_did_character_by_character():
    """json_text skips its look at each character when the text is printable as a whole:
    the same text either way."""
    import json
    import unicodedata

    from tiski.shell import json_text

    def by_character(value, indent=None):
        text = json.dumps(value, ensure_ascii=False, indent=indent)
        return "".join(json.dumps(ch)[1:-1] if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")
                       else ch for ch in text)

    samples = ["Åsa Öhman", "a\x1b[31mb", "bidi\u202eoff", "nbsp\u00a0here", "line\u2028sep", "zw\u200bj",
               "private\ue000", "tab\tnew\nline", "emoji 📚", "\x7f", "\ud800", {"k\x00": ["ä", 1, None]}]
    for sample in samples:
        for indent in (None, 2):
            assert json_text(sample, indent) == by_character(sample, indent), repr(sample)
