"""The machines' rules, pure (tiski.core.automat) and through the facade's Automat area:
the patron status string from the desk's blocks, the lockout arithmetic, the accounts.

Mutations caught: a block that does not deny borrowing; an overdue loan that stops
renewals (the desk renews them); excessive fees on one bit only; a lock that a wrong
try during it extends, that never ends, or that does not start counting again; a
machine account without an admin, with a '|' in its password, or a second of a name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.clock import HELSINKI
from tiski.core.automat import MachineStanding, lock_ends, patron_session_open, patron_status
from tiski.core.errors import Refused
from tiski.desk.automat import NewMachine

from .conftest import AINO, PINS


def status(*blocks: str, **flags: bool) -> str:
    defaults = {"card_lost": False, "at_loan_limit": False, "verify_id": False, "pin_locked": False}
    return patron_status(MachineStanding(blocks=blocks, **{**defaults, **flags}))


def test_the_status_string_from_the_blocks():
    assert status() == " " * 14
    assert status("CARD_LOST", card_lost=True) == "YYYYY" + " " * 9
    assert status("BANNED") == "YYYY" + " " * 10
    assert status("FEES_OVER_LIMIT") == "YYYY" + " " * 6 + "YY  "
    assert status("CLEARANCE_DEBT") == "YYYY" + " " * 6 + "YY  "
    assert status("OVERDUE_LOANS") == "Y     Y       "  # renewals and holds go on, as at the desk
    assert status(at_loan_limit=True) == "Y    Y        "
    assert status(verify_id=True) == "Y" + " " * 13
    assert status(pin_locked=True) == "YYYY" + " " * 10
    assert status("SOMETHING_NEW") == "Y" + " " * 13  # an unknown block still stops borrowing


NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)


def test_the_lock_arithmetic():
    minute = timedelta(minutes=1)
    five = [NOW - 10 * minute + i * minute for i in range(5)]  # 13:55 … 13:59
    assert lock_ends(five[:4], NOW, 5, 15) is None
    assert lock_ends(five, NOW, 5, 15) == five[-1] + 15 * minute
    assert lock_ends(five, five[-1] + 15 * minute, 5, 15) is None  # over when it says
    assert lock_ends(five + [NOW], NOW, 5, 15) == five[-1] + 15 * minute  # a try while locked does not extend it
    later = [five[-1] + 20 * minute]
    assert lock_ends(five + later, later[0], 5, 15) is None  # counting starts again


def test_a_patron_session_ends_when_idle_for_its_minutes():
    """Mutation caught: a session that stands one moment longer than its idle minutes
    (`<=` for `<`), or one that never ends (issue 14)."""
    assert patron_session_open(NOW, NOW, 3)
    assert patron_session_open(NOW, NOW + timedelta(minutes=3) - timedelta(microseconds=1), 3)
    assert not patron_session_open(NOW, NOW + timedelta(minutes=3), 3)
    assert not patron_session_open(NOW, NOW + timedelta(hours=5), 3)


@given(st.lists(st.integers(0, 24 * 60), max_size=30), st.integers(0, 26 * 60), st.integers(1, 6),
       st.integers(1, 30))
def test_a_lock_never_outlasts_its_minutes(offsets, now_offset, tries, minutes):
    start = NOW.replace(hour=0, minute=0)
    failures = [start + timedelta(minutes=m) for m in offsets]
    now = start + timedelta(minutes=now_offset)
    ends = lock_ends(failures, now, tries, minutes)
    if ends is not None:
        assert now < ends <= now + timedelta(minutes=minutes)
        assert len([f for f in failures if f <= now]) >= tries
    if len(failures) < tries:
        assert ends is None


def test_check_pin_through_the_facade(sip2_db, clock):
    from tiski.desk import Desk
    from tiski.store.db import connect

    machine = Desk(connect(sip2_db), clock=clock, branch="PORI", staff="kiosk")
    assert machine.automat.check_pin(AINO, PINS[AINO]).right
    assert machine.automat.check_pin(AINO, "").result == "missing"
    assert machine.automat.check_pin(AINO, None).result == "missing"
    assert machine.automat.check_pin(AINO, "0000").result == "wrong"
    with pytest.raises(Refused) as unknown:
        machine.automat.check_pin("2028999999999", "1234")
    assert unknown.value.code == "PATRON_UNKNOWN"
    machine.conn.close()


@pytest.mark.parametrize(("change", "what"), [
    ({"name": "kiosk"}, "staff_exists"), ({"name": "bad name"}, "machine_name"), ({"password": "short"},
    "password_short"), ({"password": "pass|word1"}, "machine_password"), ({"encoding": "ebcdic"}, "machine_encoding"),
    ({"terminator": "lf"}, "machine_terminator"), ({"language": "de"}, "machine_language"),
    ({"branch": "NOPE"}, "branch_unknown"),
])
def test_machine_accounts_are_checked(staff_desk, change, what):
    new = {"name": "kiosk9", "branch": "PORI", "password": "konesala9", **change}
    with pytest.raises(Refused) as refused:
        staff_desk.automat.add_machine(NewMachine(**new))
    assert refused.value.first.params.get("what") == what


def test_the_first_account_cannot_be_a_machine(desk):
    with pytest.raises(Refused) as refused:
        desk.automat.add_machine(NewMachine("kiosk", "PORI", "konesala1"))
    assert refused.value.first.params.get("what") == "first_staff_admin"
    assert desk.role == "admin"  # still the first-run admin: no account was made
