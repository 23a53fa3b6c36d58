"""The shape of the code, enforced: layers (import-linter), types (mypy --strict on the
core and the facade), SQL only in the store, no shell touching a connection.

Mutations caught: `from ..store import items` in a screen (lint-imports fails); a facade
function losing its annotations (mypy fails); `desk.conn.execute(...)` in a shell or a
new `.execute(` in tiski/desk (the scans below fail).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TISKI = ROOT / "tiski"

SQL_CALL = re.compile(r"\.(execute|executemany|executescript)\(")
CONNECTION = re.compile(r"\bdesk\.conn\b|\.conn\.")


def _python_files(*parts: str) -> list[Path]:
    return sorted(path for part in parts for path in (TISKI / part).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_sql_lives_in_the_store():
    outside = {_relative(p) for p in TISKI.rglob("*.py")
               if not _relative(p).startswith("tiski/store/") and SQL_CALL.search(p.read_text(encoding="utf-8"))}
    assert not outside, f"SQL outside tiski/store: {sorted(outside)}"


def test_shells_never_touch_a_connection():
    touching = {_relative(p) for p in _python_files("ui", "cli", "sip2") + [TISKI / "shell.py", TISKI / "entry.py"]
                if CONNECTION.search(p.read_text(encoding="utf-8"))}
    assert not touching, f"a shell reaches a connection: {sorted(touching)}"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def test_import_contracts_hold():
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_core_and_facade_are_strictly_typed():
    result = subprocess.run([_tool("mypy"), "--no-error-summary"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
