"""Each screen at 80×24 on fixed data and a fixed clock (pytest-textual-snapshot).
Update after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from .conftest import book_bag_client, burst, make_app

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_theme(monkeypatch):
    monkeypatch.setenv("TISKI_THEME", "tiski")
    monkeypatch.delenv("NO_COLOR", raising=False)


def typed(*steps):
    """run_before: each step is text to scan (ending in Enter) or a key name in <>."""

    async def run(pilot):
        for step in steps:
            if step.startswith("<"):
                await pilot.press(step.strip("<>"))
                await pilot.pause()
            else:
                await burst(pilot, step)
        await pilot.pause()

    return run


def test_patron_screen_empty(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE)


def test_patron_search_results(snap_compare, ui_desk):
    async def run(pilot):
        await burst(pilot, "virt", enter=False)
        await pilot.pause(0.4)  # the search starts when the typing pauses

    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=run)


def test_patron_blocked_with_loans(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_patron_holds_tab(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000005", "<pagedown>"))


def test_register_form(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<ctrl+n>"))


def test_checkout_session(snap_compare, ui_desk):
    steps = typed("<f3>", "2028000000002", "1000000010", "1000000011", "1000000011", "999", "1000000040")
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=steps)


def test_override_modal(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000001"))


def test_returns_with_hold_shelf_alert(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f4>", "1000000002", "1000000003"))


def test_help(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<f1>"))


def test_patron_in_english(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="en"), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_checkout_in_swedish(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="sv"), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000010"))


@pytest.fixture
def dt_desk(ui_desk):
    from datetime import datetime

    ui_desk.bookings.add_hours("wed", "12:00", "14:00")
    ui_desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    ui_desk.digituki.seed_referral_services()
    clock = ui_desk.test_clock
    clock.set(datetime(2026, 12, 2, 12, 5))
    ui_desk.digituki.queue_add("Aino", "e_services", "own_phone")
    ui_desk.digituki.queue_add("Eino", "device_use", "own_tablet", "sv")
    ui_desk.digituki.queue_add(None, "social_email", "library_computer")
    ui_desk.digituki.call_next("kaisa")
    ui_desk.bookings.book("2026-12-03T10:00", "Liisa", "library_services", phone="040 111 2222")
    ui_desk.bookings.add_callback("Matti", "050 765 4321", "e_services", wish_from="2026-12-03T09:00",
                         wish_to="2026-12-03T11:00")
    clock.set(datetime(2026, 12, 2, 12, 31))
    return ui_desk


def test_digituki_queue(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>"))


def test_digituki_appointments(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+o>"))


def test_digituki_callbacks(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+k>"))


def test_digituki_statistics(snap_compare, dt_desk):
    visit = dt_desk.digituki.queue_view().serving[0]
    dt_desk.digituki.finish_visit(visit.id, "referred", referral="Kela")
    dt_desk.digituki.close_days(include_today=True)
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+g>"))


@pytest.fixture
def kk_desk(ui_desk):
    desk = ui_desk
    book_bag_client(desk, rhythm_weeks=1, weekday="thu")
    desk.kirjakassi.save_interview("2028000000050", {"genres": ["dekkarit", "romaanit"], "liked_authors": ["kallentoft"],
                                          "avoid": ["kauhukirjallisuus"], "wishes": "Ei liian paksuja."},
                        complete=True)
    desk.kirjakassi.pack("2028000000050", "KK0002")
    return desk


def test_kirjakassi_deliveries_and_clients(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>"))


def test_kirjakassi_pick_and_pack(snap_compare, kk_desk):
    async def run(pilot):
        await typed("<f6>", "<enter>")(pilot)
        await pilot.app.workers.wait_for_complete()  # the pick list is made in a worker
        await pilot.pause()

    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=run)


def test_kirjakassi_interview(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>", "<ctrl+w>", "<pagedown>",
                                                                                 "<pagedown>"))
