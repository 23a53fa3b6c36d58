"""The desk in a real terminal (tmux): start-up, scan latency, idle CPU, memory; and
in process (Textual's pilot): a patron opened by a card scan, the areas F2–F6.

    python benchmarks/desk_tui.py [--db PATH] [--runs 10] [--idle 30]
    python benchmarks/desk_tui.py --pilot [--rounds 30]      # the pilot figures alone (no tmux)

- start-up: from launching the process to the first usable screen on the terminal,
  against a bare Textual "hello" app measured the same way in the same run;
- scan: from sending a card or barcode + Enter to its line being on the terminal,
  against the time a single typed character takes to show (tmux's own overhead);
- idle CPU: CPU ticks the process uses while nobody touches it (patron screen,
  checkout screen with a patron, real clock);
- memory: resident set size after a patron was opened and items lent.

Pilot (`--pilot`): the real `TiskiApp` at 80×24 on the demo library, headless. A card
is scanned (its digits and Enter arriving at once, as a scanner's do) and timed until
the patron's details are on the screen's widgets; F2, F3, F4, F5, F6 are pressed in turn
and each timed until its area is the current one, mounted and idle — a first visit
builds the area, a second one ("again") switches to it. The same is done
to a bare Textual app in the same run — one `Input` that shows what is scanned, five
modes of one `Static` each — the floor of Textual's own work for the same keys.
Median and 95th percentile of `--rounds` rounds, each from a new app.

Uses the demo library (built at --db if missing, with TISKI_NOW fixed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Hello, desk")
Hello().run()
"""
NOW = "2026-12-02T14:05"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def start(session: str, command: str) -> None:
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)


def stop(session: str) -> None:
    tmux("kill-session", "-t", session)


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float = 20.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if text in screen(session):
            return time.perf_counter()
        time.sleep(0.002)
    raise SystemExit(f"{text!r} did not appear in {session}:\n{screen(session)}")


def pid_of(session: str) -> int:
    shell = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip())
    children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
    return int(children[0]) if children else shell


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def env_prefix(db: Path, fixed_clock: bool = True) -> str:
    now = f"TISKI_NOW={NOW} " if fixed_clock else ""
    return f"env {now}TISKI_DB={db} TISKI_BRANCH=PORI TISKI_LANG=fi TERM=xterm-256color"


def startup(db: Path, runs: int) -> None:
    hello = Path(tempfile.mkdtemp()) / "hello.py"
    hello.write_text(HELLO)
    desk, bare = [], []
    for n in range(runs):
        for label, command, marker, out in (
            ("hello", f"{sys.executable} {hello}", "Hello, desk", bare),
            ("tiski", f"{env_prefix(db)} {sys.executable} -m tiski", "Kortti tai nimi", desk),
        ):
            session = f"bench-{label}-{n}"
            started = time.perf_counter()
            start(session, command)
            out.append(wait_for(session, marker) - started)
            stop(session)
            time.sleep(0.2)
    print(f"start-up to first usable screen: tiski median {statistics.median(desk) * 1000:.0f} ms, "
          f"bare Textual hello {statistics.median(bare) * 1000:.0f} ms, "
          f"ratio {statistics.median(desk) / statistics.median(bare):.2f} (runs={runs})")


def scans(db: Path, count: int) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    free = [r[0] for r in conn.execute(
        "SELECT i.barcode FROM items i WHERE loanable = 1 AND rating IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL) AND NOT EXISTS"
        " (SELECT 1 FROM holds h WHERE h.record_id = i.record_id AND h.status IN ('queued','in_transit','waiting'))"
        " ORDER BY i.id LIMIT ?", (count,))]
    card = conn.execute("SELECT c.card FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.status = 'active'"
                        " AND p.birth_date < '1980-01-01' AND NOT EXISTS (SELECT 1 FROM fees f WHERE"
                        " f.patron_id = p.id) AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.patron_id = p.id"
                        " AND l.returned_at IS NULL) AND p.verify_id = 0 LIMIT 1").fetchone()[0]
    conn.close()
    session = "bench-scan"
    start(session, f"{env_prefix(db)} {sys.executable} -m tiski")
    wait_for(session, "Kortti tai nimi")
    echo = []
    for n in range(20):  # tmux's own round trip: one character to the scan field and back
        char = "x" if n % 2 == 0 else "y"
        started = time.perf_counter()
        tmux("send-keys", "-t", session, char)
        echo.append(wait_for(session, ("xy" * (n + 2))[: n + 1]) - started)
    tmux("send-keys", "-t", session, "C-u")
    tmux("send-keys", "-t", session, "F3")
    wait_for(session, "Lue ensin asiakkaan kortti")
    time.sleep(0.3)
    started = time.perf_counter()
    tmux("send-keys", "-t", session, card, "Enter")
    card_time = wait_for(session, "Lainat (0)") - started
    lent = []
    for n, barcode in enumerate(free, start=1):
        started = time.perf_counter()
        tmux("send-keys", "-t", session, barcode, "Enter")
        lent.append(wait_for(session, f"Lainat ({n})") - started)
    pid = pid_of(session)
    memory = rss_mb(pid)
    stop(session)
    base = statistics.median(echo)
    print(f"tmux round trip for one typed character: median {base * 1000:.1f} ms")
    print(f"card scan to patron on screen: {card_time * 1000:.1f} ms")
    print(f"item scan to its line on screen: median {statistics.median(lent) * 1000:.1f} ms, "
          f"p95 {sorted(lent)[int(len(lent) * 0.95) - 1] * 1000:.1f} ms (n={len(lent)}; "
          f"minus the tmux round trip: {(statistics.median(lent) - base) * 1000:.1f} ms)")
    print(f"memory after {len(lent)} loans: {memory:.0f} MB RSS")


def idle(db: Path, seconds: float) -> None:
    hello = Path(tempfile.mkdtemp()) / "hello.py"
    hello.write_text(HELLO)
    session = "bench-idle-hello"
    start(session, f"{sys.executable} {hello}")
    wait_for(session, "Hello, desk")
    time.sleep(2)
    pid = pid_of(session)
    before = cpu_ticks(pid)
    time.sleep(seconds)
    print(f"idle CPU, bare Textual hello (the floor: Textual's input thread wakes every 0.1 s): "
          f"{cpu_ticks(pid) - before} ticks in {seconds:.0f} s")
    stop(session)
    for label, fixed, keys in (
        ("patron screen, fixed clock", True, []),
        ("patron screen, real clock (minute header)", False, []),
        ("checkout with a patron, real clock", False, ["F3", "wait", "2028000000010", "Enter"]),
        ("digi-support queue shown (its 1 s tick), real clock", False, ["F5", "wait"]),
        ("patron screen after the queue was shown, real clock", False, ["F5", "wait", "F2", "wait"]),
    ):
        session = "bench-idle"
        start(session, f"{env_prefix(db, fixed)} {sys.executable} -m tiski")
        wait_for(session, "Kortti tai nimi")
        for key in keys:
            if key == "wait":
                time.sleep(0.5)
            else:
                tmux("send-keys", "-t", session, key)
        time.sleep(2)
        pid = pid_of(session)
        before = cpu_ticks(pid)
        time.sleep(seconds)
        used = cpu_ticks(pid) - before
        stop(session)
        hz = os.sysconf("SC_CLK_TCK")
        print(f"idle CPU, {label}: {used} ticks in {seconds:.0f} s ({used / hz * 1000:.0f} ms of CPU)")


BARE = """
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static


class Area(Screen):
    def compose(self):
        yield Input(id="scan")
        yield Static("", id="shown")

    def on_input_submitted(self, event):
        self.query_one("#shown", Static).update(event.value)
        event.input.value = ""


class Bare(App):
    MODES = {name: Area for name in ("f2", "f3", "f4", "f5", "f6")}
    DEFAULT_MODE = "f2"
    BINDINGS = [(key, f"switch_mode('{key}')", key) for key in MODES]
"""


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:5.1f} ms, p95 {p95 * 1000:5.1f} ms"


async def _until(condition, what: str = "", timeout: float = 10.0) -> float:
    """Seconds until `condition()` holds, checked at every turn of the event loop."""
    import asyncio

    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"timed out: {what}")
        await asyncio.sleep(0)
    return time.perf_counter() - started


def _scan(app, code: str) -> None:
    from textual import events

    for char in code:
        app.post_message(events.Key(char, char))
    app.post_message(events.Key("enter", "\r"))


def _idle(app) -> bool:
    screen = app.screen
    return all(node._message_queue.empty() for node in (app, *screen.walk_children(with_self=True)))


async def _round_tiski(db: Path, card: str) -> dict[str, float]:
    from datetime import datetime

    from tiski.clock import HELSINKI, fixed_clock
    from tiski.desk import Desk
    from tiski.settings import Settings
    from tiski.ui.app import TiskiApp

    desk = Desk.open(db, clock=fixed_clock(datetime.fromisoformat(NOW).replace(tzinfo=HELSINKI)), branch="PORI")
    app = TiskiApp(desk, settings=Settings(), clock_is_fixed=True)
    out: dict[str, float] = {}
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _until(lambda: getattr(app.screen, "view_ready", False) and _idle(app))
            _scan(app, card)
            out["card scan to patron"] = await _until(
                lambda: getattr(app.screen, "view", None) is not None and app.screen.view.presented_card == card
                and _idle(app), "card")
            for visit in ("first", "again"):
                for key, mode in (("f3", "checkout"), ("f4", "returns"), ("f5", "digituki"),
                                  ("f6", "kirjakassi"), ("f2", "patron")):
                    app.post_message(__import__("textual").events.Key(key, None))
                    out[f"{key.upper()} {visit}"] = await _until(
                        lambda m=mode: app.current_mode == m and app.screen.is_mounted and _idle(app), key)
    finally:
        desk.close()
    return out


async def _round_bare(card: str) -> dict[str, float]:
    from textual.widgets import Static

    namespace: dict = {}
    exec(BARE, namespace)
    app = namespace["Bare"]()
    out: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        _scan(app, card)
        out["card scan to patron"] = await _until(
            lambda: str(app.screen.query_one("#shown", Static).render()) == card and _idle(app))
        for visit in ("first", "again"):
            for key in ("f3", "f4", "f5", "f6", "f2"):
                app.post_message(__import__("textual").events.Key(key, None))
                out[f"{key.upper()} {visit}"] = await _until(
                    lambda k=key: app.current_mode == k and app.screen.is_mounted and _idle(app), key)
    return out


def pilot(db: Path, rounds: int) -> None:
    """The pilot figures: Tiski and the bare app alternately, `rounds` times."""
    import asyncio
    import sqlite3

    conn = sqlite3.connect(db)
    cards = [r[0] for r in conn.execute(
        "SELECT c.card FROM cards c JOIN patrons p ON p.id = c.patron_id WHERE c.status = 'active'"
        " AND p.verify_id = 0 AND EXISTS (SELECT 1 FROM loans l WHERE l.patron_id = p.id AND l.returned_at IS NULL)"
        " ORDER BY c.card LIMIT ?", (rounds,))]
    conn.close()
    tiski: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    for n in range(rounds):
        for label, figures in (("tiski", tiski), ("bare", bare)):
            result = asyncio.run(_round_tiski(db, cards[n % len(cards)]) if label == "tiski"
                                 else _round_bare(cards[n % len(cards)]))
            for name, seconds in result.items():
                figures.setdefault(name, []).append(seconds)
    print(f"pilot at 80x24, {rounds} rounds (a new app each), the demo library, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (F2 first: back to the patron screen built at start):")
    for name in tiski:
        print(f"  {name:<20} tiski {_stats(tiski[name])}   bare Textual {_stats(bare[name])}")


def idle_only() -> None:
    """python -c 'import benchmarks.desk_tui as b; b.idle_only()'"""
    idle(Path("/tmp/tiski-demo-bench.sqlite"), 30.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/tiski-demo-bench.sqlite"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scans", type=int, default=50)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--pilot", action="store_true", help="only the in-process pilot figures (no tmux)")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    if not args.pilot and shutil.which("tmux") is None:
        raise SystemExit("tmux is needed")
    # As installed: `pip install` byte-compiles the package, as it did Textual. An
    # editable checkout (and PYTHONDONTWRITEBYTECODE) would otherwise compile every
    # module from source at each start and measure that instead.
    import compileall

    import tiski

    compileall.compile_dir(Path(tiski.__file__).parent, quiet=1)
    if not args.db.exists():
        subprocess.run([sys.executable, "-m", "tiski", "--db", str(args.db), "init", "--demo"],
                       env={**os.environ, "TISKI_NOW": NOW}, check=True, stdout=subprocess.DEVNULL)
    if args.pilot:
        pilot(args.db, args.rounds)
        return
    startup(args.db, args.runs)
    scans(args.db, args.scans)
    idle(args.db, args.idle)
    pilot(args.db, args.rounds)


if __name__ == "__main__":
    main()
