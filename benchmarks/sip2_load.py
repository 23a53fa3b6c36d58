"""Self-service machines under load (issue 14).

    python benchmarks/sip2_load.py [--machines 20] [--cycles 500] [--session 25] [--think-ms 0]

One register, the real server (`tiski sip2 serve`, its own process), --machines
machines at once (one client process, asyncio), each doing --cycles checkouts and
check-ins (an 11 and a 09 per cycle) with a patron session (63 with the PIN, 35 at
the end) every --session items — while two desks (two more processes) lend, return
and look patrons up through the facade on the same file, --desk-pause-ms apart (0: flat
out). --think-ms pauses between a machine's messages (a patron scanning takes seconds;
0, the default, is the stress case: every machine sends its next message the moment
it has a reply).

Prints the reply times per message (median, p95, p99, max), the refusals and errors,
what the desks managed, and the invariants: no item on two loans, every machine loan
returned, one audit row per machine transaction, the file intact.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tiski.clock import HELSINKI, fixed_clock  # noqa: E402
from tiski.core.errors import Refused, Unavailable  # noqa: E402
from tiski.desk import Desk  # noqa: E402
from tiski.desk.automat import NewMachine  # noqa: E402
from tiski.desk.catalogue import NewItem  # noqa: E402
from tiski.desk.patrons import NewPatron  # noqa: E402
from tiski.store.db import connect, create  # noqa: E402

NOW = "2026-12-02T14:05"
CLOCK = fixed_clock(datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI))
ITEMS_PER_MACHINE = 10
DESK_ITEMS = 40
PIN = "2580"


def card(n: int) -> str:
    return f"20289990{n:05d}"


def build(path: Path, machines: int) -> None:
    conn = create(path)
    desk = Desk(conn, clock=CLOCK, branch=None)
    desk.admin.add_branch("PORI", "Porin pääkirjasto", "sun", "20:00")
    desk = Desk(conn, clock=CLOCK, branch="PORI")
    desk.admin.add_staff("admin", "admin", "Admin", "salasana123")
    desk.act_as("admin")
    desk.admin.add_staff("desk1", "desk", "Desk 1", "salasana123")
    desk.admin.add_staff("desk2", "desk", "Desk 2", "salasana123")
    for m in range(machines):
        desk.automat.add_machine(NewMachine(f"kiosk{m:02d}", "PORI", "konesala1"))
        desk.patrons.add(NewPatron(card=card(m), first="Kone", last=f"Asiakas {m}", birth_date=date(1980, 1, 1),
                                   pin=PIN))
        for i in range(ITEMS_PER_MACHINE):
            desk.catalogue.add_item(NewItem(barcode=f"1{m:02d}{i:07d}", title=f"Nimeke {m}-{i} åäö"))
    for d in (1, 2):
        desk.patrons.add(NewPatron(card=card(900 + d), first="Tiski", last=f"Asiakas {d}",
                                   birth_date=date(1980, 1, 1)))
        for i in range(DESK_ITEMS):
            desk.catalogue.add_item(NewItem(barcode=f"9{d}{i:08d}", title=f"Tiskin nide {d}-{i}"))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# --- the desks ------------------------------------------------------------------------------

def desk_worker(path: str, number: int, pause: float, stop, results) -> None:
    desk = Desk(connect(path), clock=CLOCK, branch="PORI", staff=f"desk{number}")
    who = card(900 + number)
    barcodes = [f"9{number}{i:08d}" for i in range(DESK_ITEMS)]
    times: list[float] = []
    errors: list[str] = []
    i = 0
    while not stop.is_set():
        barcode = barcodes[i % DESK_ITEMS]
        for action in (lambda: desk.loans.checkout(who, barcode), lambda: desk.patrons.view(who),
                       lambda: desk.loans.return_item(barcode)):
            started = time.perf_counter()
            try:
                action()
            except (Refused, Unavailable) as exc:
                errors.append(type(exc).__name__ + ":" + getattr(exc, "code", getattr(exc, "reason", "")))
            times.append(time.perf_counter() - started)
            time.sleep(pause)
        i += 1
    results.put((number, times, errors))


# --- the machines ---------------------------------------------------------------------------

def frame(text: str) -> bytes:
    return text.encode("utf-8") + b"\r"


SIP_NOW = "20261202    140500"


async def machine(port: int, m: int, cycles: int, session: int, think: float, times: dict, problems: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def ask(kind: str, data: bytes, ok: bytes) -> None:
        started = time.perf_counter()
        writer.write(data)
        await writer.drain()
        reply = await reader.readuntil(b"\r")
        times.setdefault(kind, []).append(time.perf_counter() - started)
        if not reply.startswith(ok):
            problems.append(f"kiosk{m:02d} {kind}: {reply[:60]!r}")
        if think:
            await asyncio.sleep(think)

    await ask("93 login", frame(f"9300CNkiosk{m:02d}|COkonesala1|"), b"941")
    await ask("99 status", frame("9900302.00"), b"98Y")
    who = card(m)
    for cycle in range(cycles):
        if cycle % session == 0:
            await ask("63 patron (PIN)", frame(f"63000{SIP_NOW}          AOPORI|AA{who}|AD{PIN}|"), b"64")
        barcode = f"1{m:02d}{cycle % ITEMS_PER_MACHINE:07d}"
        await ask("11 checkout", frame(f"11NN{SIP_NOW}{SIP_NOW}AOPORI|AA{who}|AB{barcode}|AC|"), b"121")
        await ask("09 checkin", frame(f"09N{SIP_NOW}{SIP_NOW}APPORI|AOPORI|AB{barcode}|AC|"), b"101")
        if cycle % session == session - 1:
            await ask("35 end session", frame(f"35{SIP_NOW}AOPORI|AA{who}|"), b"36Y")
    writer.close()


async def machines(port: int, count: int, cycles: int, session: int, think: float) -> tuple[dict, list, float]:
    times: dict[str, list[float]] = {}
    problems: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(machine(port, m, cycles, session, think, times, problems) for m in range(count)))
    return times, problems, time.perf_counter() - started


def reference(cycles: int = 200) -> list[float]:
    """The floor, measured in the same run: one machine's session answering 11 and 09
    in this process, one after another — no network, no other machine, no desk."""
    from tiski.sip2.acs import Session

    path = Path(tempfile.mkdtemp()) / "reference.sqlite"
    build(path, 1)
    session = Session(lambda branch, staff: Desk.open(path, clock=CLOCK, branch=branch, staff=staff), CLOCK)
    session.handle(b"9300CNkiosk00|COkonesala1|")
    session.handle(f"63000{SIP_NOW}          AOPORI|AA{card(0)}|AD{PIN}|".encode())
    times = []
    for cycle in range(cycles):
        barcode = f"100{cycle % ITEMS_PER_MACHINE:07d}"
        for data in (f"11NN{SIP_NOW}{SIP_NOW}AOPORI|AA{card(0)}|AB{barcode}|AC|",
                     f"09N{SIP_NOW}{SIP_NOW}APPORI|AOPORI|AB{barcode}|AC|"):
            started = time.perf_counter()
            session.handle(data.encode())
            times.append(time.perf_counter() - started)
    return times


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"{len(ordered):>6} {statistics.median(ordered) * 1000:>7.1f} {p(0.95):>7.1f} {p(0.99):>7.1f} "
            f"{ordered[-1] * 1000:>7.1f}")


def invariants(path: Path, machines_count: int, cycles: int) -> list[str]:
    conn = connect(path)
    found = []
    doubled = conn.execute("SELECT COUNT(*) FROM (SELECT item_id FROM loans WHERE returned_at IS NULL"
                           " GROUP BY item_id HAVING COUNT(*) > 1)").fetchone()[0]
    found.append(f"items on two loans: {doubled}")
    open_machine = conn.execute("SELECT COUNT(*) FROM loans l JOIN items i ON i.id = l.item_id"
                                " WHERE l.returned_at IS NULL AND i.barcode LIKE '1%'").fetchone()[0]
    found.append(f"machine loans not returned: {open_machine}")
    audited = conn.execute("SELECT COUNT(*) FROM audit_log WHERE staff LIKE 'kiosk%'"
                           " AND action IN ('checkout', 'return_item')").fetchone()[0]
    found.append(f"audit rows for machine checkouts and check-ins: {audited} of {2 * machines_count * cycles}")
    found.append(f"integrity: {conn.execute('PRAGMA integrity_check').fetchone()[0]}")
    conn.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--machines", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--session", type=int, default=25, help="items per patron session (one PIN check)")
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--desk-pause-ms", type=float, default=200.0, help="between a desk's calls (0: flat out)")
    args = parser.parse_args()

    os.environ.setdefault("TISKI_KEYS_DIR", tempfile.mkdtemp())
    floor = reference()
    path = Path(tempfile.mkdtemp()) / "sip2-load.sqlite"
    build(path, args.machines)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TISKI_DB": str(path), "TISKI_NOW": NOW, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "tiski", "sip2", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    server.stdout.readline()  # listening

    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    desks = [multiprocessing.Process(target=desk_worker, args=(str(path), n, args.desk_pause_ms / 1000, stop, results)) for n in (1, 2)]
    for process in desks:
        process.start()
    times, problems, elapsed = asyncio.run(machines(port, args.machines, args.cycles, args.session,
                                                    args.think_ms / 1000))
    stop.set()
    desk_results = [results.get() for _ in desks]
    for process in desks:
        process.join()
    server.send_signal(signal.SIGTERM)
    server.wait(30)

    messages = sum(len(v) for v in times.values())
    print(f"{args.machines} machines x {args.cycles} checkouts and check-ins, a PIN every {args.session} items,"
          f" think {args.think_ms:g} ms; two desks working, {args.desk_pause_ms:g} ms between their calls")
    print(f"{messages} replies in {elapsed:.1f} s ({messages / elapsed:.0f}/s); server exit {server.returncode}")
    print(f"{'reply':<18} {'count':>6} {'median':>7} {'p95':>7} {'p99':>7} {'max':>7}   (ms)")
    for kind in sorted(times):
        print(f"{kind:<18} {percentiles(times[kind])}")
    circulation = times.get("11 checkout", []) + times.get("09 checkin", [])
    print(f"{'11 + 09':<18} {percentiles(circulation)}")
    print(f"{'reference 11 + 09':<18} {percentiles(floor)}   (one session in process, nothing else)")
    print(f"host load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"refusals or errors at the machines: {len(problems)}")
    for problem in problems[:10]:
        print("  ", problem)
    for number, desk_times, errors in sorted(desk_results):
        print(f"desk{number}: {len(desk_times)} calls, p99 {sorted(desk_times)[int(0.99 * len(desk_times))] * 1000:.1f}"
              f" ms, errors {len(errors)} {sorted(set(errors))[:3]}")
    for line in invariants(path, args.machines, args.cycles):
        print(line)


if __name__ == "__main__":
    main()
