"""A progress bar for imports at a terminal (rich, on stderr), none for scripts: not with
--json, not when stderr is a pipe."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading

from ..imports.test_import import holding, marc_record, write_iso


def run_on_a_terminal(db_path, *args: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """`tiski …` with stderr on a pseudo-terminal; what the terminal received."""
    env = {**os.environ, "TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_LANG": "en",
           "TISKI_BRANCH": "PORI"}
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "tiski", *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = bytearray()

    def read() -> None:  # the terminal must be read while the child writes to it
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    stdout = child.stdout.read()
    child.wait(timeout=120)
    reader.join(10)
    os.close(master)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, b""), bytes(seen)


def test_a_progress_bar_at_a_terminal_and_none_with_json(db_path, tmp_path):
    path = write_iso(tmp_path / "p.mrc", *[marc_record(f"P{n}", f"Kirja {n}", holdings=[holding(f"PB{n:05d}")])
                                           for n in range(300)])
    shown, terminal = run_on_a_terminal(db_path, "import", "marc", str(path))
    assert shown.returncode == 0
    assert b"Importing" in terminal and b" kB" in terminal  # the bytes read of the file
    assert shown.stdout.startswith(b"MARC import: 300 records, 300 items")
    quiet, terminal = run_on_a_terminal(db_path, "import", "marc", str(path), "--json")
    assert quiet.returncode == 0
    assert terminal == b""
    assert json.loads(quiet.stdout)["ok"] is True
