"""Wrong PINs typed at many machines at once (issue 14): the lock's count and decision
are taken in the write transaction, after the slow hash, so parallel guesses cannot
slip past the fifth wrong one. Each check runs in a thread of its own with a Desk of
its own (its own SQLite connection) on one register file, as the machines' worker
threads do.

Mutation caught: `check_pin` deciding on the lock only before the hash, outside the
write transaction (the lock re-check inside `desk.write()` removed) — a right PIN that
was hashing while five wrong ones were recorded was accepted and cleared the lock, and
every parallel wrong guess was verified and recorded.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from tiski.desk import Desk, automat
from tiski.desk.automat import PinCheck
from tiski.store.db import connect

from .conftest import AINO, PINS

GUESSES = 12


def _machines(sip2_db, clock, count: int) -> list[Desk]:
    """`count` machines' desks, each its own connection to the one register."""
    return [Desk(connect(sip2_db), clock=clock, branch="PORI", staff="kiosk") for _ in range(count)]


def _check_all(desks: list[Desk], pins: list[str], finished: Callable[[], None] = lambda: None) -> list[PinCheck]:
    """Each PIN checked in a thread of its own, all at once; `finished` called as each ends."""
    results: list[PinCheck | BaseException | None] = [None] * len(pins)

    def check(at: int) -> None:
        try:
            results[at] = desks[at].automat.check_pin(AINO, pins[at])
        except BaseException as exc:  # reported below, in the test's thread
            results[at] = exc
        finished()

    threads = [threading.Thread(target=check, args=(at,)) for at in range(len(pins))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for result in results:
        if not isinstance(result, PinCheck):
            raise AssertionError(f"a check did not finish with a verdict: {result!r}")
    return [result for result in results if isinstance(result, PinCheck)]


def test_a_right_pin_hashing_beside_the_fifth_wrong_one_does_not_open_the_lock(sip2_db, clock, monkeypatch):
    """Twelve checks at once: eleven wrong, one right. All of them have passed the lock's
    first look and hashed their PIN before any of them writes (a barrier after the hash);
    the right one then waits until the wrong ones are done. After five wrong PINs nothing
    more is accepted or counted: the right PIN is told "locked", the failures stay five,
    and the lock lasts its 15 minutes."""
    real_verify = automat.verify_secret
    hashed = threading.Barrier(GUESSES)
    wrong_done = threading.Event()
    ended = Counter[str]()
    guard = threading.Lock()

    def verify(secret: str, digest: str) -> bool:
        right = real_verify(secret, digest)
        hashed.wait(60)  # every check is past the lock's first look; none has written yet
        if right:
            assert wrong_done.wait(60)
        return right

    def finished() -> None:
        with guard:
            ended["checks"] += 1
            if ended["checks"] == GUESSES - 1:  # the right one cannot end before the wrong ones
                wrong_done.set()

    monkeypatch.setattr(automat, "verify_secret", verify)
    desks = _machines(sip2_db, clock, GUESSES)
    *wrong, right = _check_all(desks, ["9999"] * (GUESSES - 1) + [PINS[AINO]], finished)
    assert right.result == "locked" and right.locked_until is not None
    assert Counter(check.result for check in wrong) == {"wrong": 4, "locked": GUESSES - 5}
    register = desks[0]
    assert register.conn.execute("SELECT COUNT(*) FROM pin_failures").fetchone()[0] == 5
    monkeypatch.setattr(automat, "verify_secret", real_verify)
    assert register.automat.check_pin(AINO, PINS[AINO]).result == "locked"
    clock.advance(minutes=15)
    assert register.automat.check_pin(AINO, PINS[AINO]).result == "right"
    for desk in desks:
        desk.close()


def test_twelve_wrong_pins_at_once_count_as_five(sip2_db, clock):
    """The same, left to the threads and the real hash: however they interleave, at most
    four are told "wrong", the rest "locked", and five failures are recorded."""
    desks = _machines(sip2_db, clock, GUESSES)
    results = _check_all(desks, ["9999"] * GUESSES)
    verdicts = Counter(check.result for check in results)
    assert verdicts == {"wrong": 4, "locked": GUESSES - 4}
    assert desks[0].conn.execute("SELECT COUNT(*) FROM pin_failures").fetchone()[0] == 5
    assert desks[0].automat.check_pin(AINO, PINS[AINO]).result == "locked"
    for desk in desks:
        desk.close()
