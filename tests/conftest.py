"""Shared fixtures: a fresh register per test (copied from a template built once),
a clock the test moves by hand, and small helpers to add patrons and items."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from tiski.cli import run as run_tiski
from tiski.clock import HELSINKI, ManualClock
from tiski.desk import Desk
from tiski.desk.catalogue import NewItem
from tiski.desk.patrons import NewPatron
from tiski.store.db import connect, create

# HETU keys of the test registers go to a folder of their own, never the user's config;
# nor does the developer's own tiski.toml reach a test (the settings of a run are the test's).
os.environ["TISKI_KEYS_DIR"] = tempfile.mkdtemp(prefix="tiski-test-keys-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="tiski-test-config-")
os.chmod(os.environ["XDG_CONFIG_HOME"], 0o755)  # other Unix users of a test find no file there, not a wall
# TISKI_NOW stands still in the tests (a drill's clock runs on from it: see tiski/clock.py).
os.environ["TISKI_CLOCK"] = "frozen"

# Wednesday 2 December 2026, 14:05 — a normal open day at every branch.
START = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)
MARC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "marc"  # from pymarc, see SOURCES.md


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """An empty register with two branches: PORI (closed Sundays, closes 20:00) and
    ULV (closed weekends, closes 19:00), and Christmas Day closed at PORI."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    conn = create(path)
    desk = Desk(conn, clock=ManualClock(START))
    desk.admin.add_branch("PORI", "Porin pääkirjasto", "sun", "20:00")
    desk.admin.add_branch("ULV", "Ulvilan kirjasto", "sat,sun", "19:00")
    desk.admin.close_day("PORI", date(2026, 12, 25), "Joulupäivä")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    path = tmp_path / "tiski.sqlite"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def desk(db_path, clock) -> Desk:
    desk = Desk(connect(db_path), clock=clock, branch="PORI", staff="tester")
    yield desk
    desk.close()


def patron(desk: Desk, card: str, birth: date = date(1980, 5, 17), **fields) -> str:
    desk.patrons.add(NewPatron(card=card, first=fields.pop("first", "Testi"), last=fields.pop("last", "Asiakas"),
                              birth_date=birth, **fields))
    return card


def item(desk: Desk, barcode: str, **fields) -> str:
    fields.setdefault("title", f"Nimeke {barcode}")
    desk.catalogue.add_item(NewItem(barcode=barcode, **fields))
    return barcode


# --- the command line, in this process --------------------------------------------------------

@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout_bytes: bytes
    stderr_bytes: bytes
    exception: BaseException | None = None  # what escaped `run` (a test with TISKI_DEBUG set)

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _captured() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n", write_through=True)


def invoke(args: Sequence[object], env: Mapping[str, str | None] | None = None,
           input: str | None = None) -> CliResult:
    """`tiski ARGS` as its console script runs it (`tiski.cli.run`), in this process: stdout
    and stderr captured, stdin from `input` (never a terminal), the environment changed
    by `env` (None unsets) for the call only."""
    saved = {name: os.environ.get(name) for name in (env or {})}
    streams = sys.stdin, sys.stdout, sys.stderr
    out, err = _captured(), _captured()
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    _set_environment(env or {})
    exception = None
    try:
        code = run_tiski([str(arg) for arg in args])
    except SystemExit as exc:  # nothing in Tiski exits by itself: a defect if it does
        code, exception = 1, exc
    except Exception as exc:
        code, exception = 1, exc
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        _set_environment(saved)
    return CliResult(code, out.buffer.getvalue(), err.buffer.getvalue(), exception)


def _set_environment(changes: Mapping[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def tiski_cli():
    """`tiski_cli(args, env=…, input=…)`: see `invoke`."""
    return invoke
