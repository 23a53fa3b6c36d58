"""End to end: the real `tiski` in a real terminal (tmux), keys sent, the screen read
back with capture-pane — what a person at the desk would see."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def keys(session: str, *args: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *args], check=True)


def start(ui_desk, db_path, tmp_path, command: str) -> str:
    ui_desk.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    session = f"tiski-{os.getpid()}-{time.monotonic_ns()}"
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_BRANCH": "PORI",
           "TISKI_LANG": "fi", "TERM": "xterm-256color", "HOME": str(tmp_path),
           # tmux starts the command in its server's environment, not the test's
           "TISKI_KEYS_DIR": os.environ["TISKI_KEYS_DIR"],
           "XDG_STATE_HOME": str(tmp_path / "state")}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    # -u: whatever the tmux server's environment holds, defects are not let through here
    command = f"env -u TISKI_DEBUG {exports} {command}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True)
    return session


@pytest.fixture
def terminal(ui_desk, db_path, tmp_path):
    session = start(ui_desk, db_path, tmp_path, f"{sys.executable} -m tiski")
    try:
        yield session
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_desk_session_in_a_real_terminal(terminal):
    screen = wait_for(terminal, "Lue kortti tai kirjoita")  # the scan field itself, not only its label
    assert "ke 2.12.2026 14:05" in screen
    keys(terminal, "2028000000001", "Enter")
    screen = wait_for(terminal, "Virtanen, Aino")
    assert "131052-****" in screen and "131052-308T" not in screen
    assert "Maksuja 12,50 €" in screen
    keys(terminal, "F3")
    wait_for(terminal, "Lainaus")
    time.sleep(0.3)
    keys(terminal, "Escape")
    time.sleep(0.3)
    keys(terminal, "2028000000002", "Enter")
    wait_for(terminal, "Aino Virtala")
    keys(terminal, "1000000010", "Enter", "1000000011", "Enter")
    screen = wait_for(terminal, "Kirja numero 11")
    assert "✓ Kirja numero 10 — eräpäivä 30.12.2026" in screen
    keys(terminal, "F4")
    wait_for(terminal, "Palautettava")
    time.sleep(0.3)
    keys(terminal, "1000000003", "Enter")
    screen = wait_for(terminal, "VARAUSHYLLYYN 001")
    assert "Laine" not in screen
    keys(terminal, "C-q")


def test_a_crash_prints_no_identity_code_or_pin(ui_desk, db_path, tmp_path):
    """A registration while the register is busy: a message, the form as typed. Then a
    defect outside every guard while the PIN is typed: the desk ends with one line —
    no traceback, no local variables, no identity code, no PIN. Mutation caught:
    Textual's default end (Rich's traceback with locals), or the busy register ending
    the desk."""
    driver = Path(__file__).with_name("faulty_desk.py")
    session = start(ui_desk, db_path, tmp_path, f"sh -c '{sys.executable} {driver}; echo EXIT=$?; sleep 60'")
    try:
        wait_for(session, "Kortti tai nimi")
        keys(session, "C-n")
        wait_for(session, "Kortin numero")
        time.sleep(0.3)
        for value in ("2028999000001", "Aino", "Virtanen", "131052-308T"):
            keys(session, value)
            time.sleep(0.2)
            keys(session, "Enter")
            time.sleep(0.2)
        wait_for(session, "kelvollinen")
        keys(session, "C-s")
        screen = wait_for(session, "Rekisteri on juuri nyt varattu")
        assert "Virtanen" in screen and "131052-308T" in screen  # the form as typed, on the clerk's screen
        for _ in range(4):  # birth date, phone, e-mail, address: then the PIN
            keys(session, "Enter")
            time.sleep(0.2)
        keys(session, "8642")
        screen = wait_for(session, "EXIT=")
        history = subprocess.run(["tmux", "capture-pane", "-p", "-S", "-1000", "-t", session],
                                 capture_output=True, text=True).stdout
        assert "EXIT=2" in screen and "Sisäinen virhe (RuntimeError)" in history
        for secret in ("8642", "131052-308T", "Virtanen", "Traceback", "locals"):
            assert secret not in history, (secret, history)
        log = (tmp_path / "state" / "tiski" / "log" / "desk.log").read_text(encoding="utf-8")
        assert "caught Unavailable(busy)" in log and "stopped by RuntimeError" in log
        assert "8642" not in log and "131052" not in log
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_card_scanned_as_the_desk_starts_is_not_lost(ui_desk, db_path, tmp_path):
    """The scanner does not wait for the desk: a card and Enter sent the moment the
    program starts, before any screen exists, still open the patron. Mutation caught:
    keys read before the scan field existed dropped (found by this very test)."""
    session = start(ui_desk, db_path, tmp_path, f"{sys.executable} -m tiski")
    try:
        keys(session, "2028000000002", "Enter")
        screen = wait_for(session, "Virtala, Aino")
        assert "Lainat (1)" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
