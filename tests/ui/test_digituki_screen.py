"""F5 — the digi-support queue in the TUI, with a clock the test moves by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tiski.ui.screens.forms import ConfirmModal, FormModal

from .conftest import burst, make_app, screen_text, shows

SIZE = (80, 24)


@pytest.fixture
def dt_desk(ui_desk):
    ui_desk.bookings.add_hours("wed", "12:00", "14:00")
    ui_desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    ui_desk.digituki.seed_referral_services()
    ui_desk.test_clock.set(datetime(2026, 12, 2, 12, 30))
    return ui_desk


async def open_queue(pilot) -> None:
    await pilot.press("f5")
    await pilot.pause()


async def test_the_queue_shows_hours_estimates_and_is_keyboard_driven(dt_desk):
    dt_desk.digituki.queue_add("Aino", "e_services", "own_phone")
    dt_desk.digituki.queue_add(None, "device_use", "own_tablet")
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        text = screen_text(app)
        assert "Drop-in avoinna 14:00 asti, 90 min jäljellä" in text
        assert "#1 Aino" in text and "#2" in text and "~20 min" in text
        await pilot.press("ctrl+n")  # one key: the next person, with the guidelines
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and "salasanoja" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert [v.name for v in app.screen.view.serving] == ["Aino"]
        assert "00:00" in screen_text(app)


async def test_add_to_the_queue_with_a_first_name_only(dt_desk):
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await burst(pilot, "Eino", enter=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [v.name for v in app.screen.view.waiting] == ["Eino"]


async def test_the_timer_warns_and_rings_at_the_cap_only_while_others_wait(dt_desk):
    dt_desk.digituki.queue_add("Aino", "e_services", "own_phone")
    dt_desk.digituki.call_next("kaisa")
    app = make_app(dt_desk)
    bells, notes = [], []
    app.bell = lambda: bells.append(1)
    app.notify = lambda message, **_: notes.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        screen = app.screen
        clock = dt_desk.test_clock
        clock.advance(minutes=40)
        screen.tick()
        await pilot.pause()
        assert "40:00" in screen_text(app) and bells == []  # nobody waits: no cap
        dt_desk.digituki.queue_add("Eino", "device_use", "own_phone")
        clock.set(clock() - timedelta(minutes=14))  # 26 minutes in
        screen.reload()
        await pilot.pause()
        assert "⚠" in screen_text(app) and bells == []
        clock.advance(minutes=4)
        screen.tick()
        await pilot.pause()
        table = screen.query_one("#serving")
        assert "⛔" in str(table.get_row_at(0)[-1]) and bells == [1]
        assert "30 min täynnä" in notes[-1]  # the alert, besides the bell
        screen.tick()
        assert bells == [1]  # once
        assert dt_desk.digituki.queue_view().serving[0].cap_hit


async def test_pause_and_finish_with_a_referral_and_a_redacted_note(dt_desk):
    dt_desk.digituki.queue_add("Aino", "e_services", "own_phone")
    dt_desk.digituki.call_next("kaisa")
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen.view.serving[0].status == "paused"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#f-outcome").value = "not_helped"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Ohjaa eteenpäin" in str(form.query_one("#form-error").render())  # never empty-handed
        form.query_one("#f-referral").value = "Kela"
        form.query_one("#f-note").value = "Hetu 131052-308T, kelan lomake"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and "020 692 200" in screen_text(app)  # Kela's details
        await pilot.press("escape")
        await pilot.pause()
        note = dt_desk.conn.execute("SELECT note FROM digituki_visits").fetchone()[0]
        assert "131052" not in note


async def test_the_timer_stops_when_the_screen_is_not_shown(dt_desk):
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        screen = app.screen
        assert screen.ticker is not None and screen.ticker._active.is_set()
        await pilot.press("f2")
        await pilot.pause()
        assert not screen.ticker._active.is_set()
        await pilot.press("f5")
        await pilot.pause()
        assert screen.ticker._active.is_set()


async def test_appointments_book_and_arrive(dt_desk):
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("ctrl+a")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-name").value = "Liisa"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Liisa" in screen_text(app)
        dt_desk.test_clock.set(datetime(2026, 12, 3, 9, 58))
        app.screen.fill()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # the guidelines
        await pilot.pause()
        assert [v.name for v in app.screen.view.serving] == ["Liisa"]


async def test_callbacks_listed_by_due_time_with_attempts(dt_desk):
    dt_desk.bookings.add_callback("Aino", "040 123 4567", "e_services")
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+k")
        # The day without its year: every column in sight at 80 columns.
        assert "Aino" in (shown := await shows(pilot, "Aino", "3.12. 20:00")) and "3.12. 20:00" in shown
        await pilot.press("ctrl+l")
        await pilot.pause()
        app.screen.query_one("#f-result").value = "no_answer"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert dt_desk.bookings.callbacks()[0].attempts == 1


async def test_a_callback_window_typed_as_the_desk_shows_it(dt_desk):
    """Ctrl+K, Ctrl+A: the wished window typed "3.12. 9:00" – "3.12.2026 11:30", as the
    list shows times, and saved. Mutation caught: the form's times ISO only (refused
    "aika muodossa VVVV-KK-PPTHH:MM")."""
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.press("ctrl+a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        for name, value in (("name", "Matti"), ("phone", "050 765 4321"), ("wish_from", "3.12. 9:00"),
                            ("wish_to", "3.12.2026 11:30")):
            form.query_one(f"#f-{name}").value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal), screen_text(app)
        [request] = dt_desk.bookings.callbacks()
        assert (request.wish_from.day, request.wish_from.hour, request.wish_to.hour, request.wish_to.minute) == \
            (3, 9, 11, 30)


async def test_statistics_with_bars(dt_desk):
    for topic in ("e_services", "e_services", "device_use"):
        dt_desk.digituki.queue_add("X", topic, "own_phone")
        visit = dt_desk.digituki.call_next("kaisa")
        dt_desk.digituki.finish_visit(visit.id, "solved")
    dt_desk.digituki.close_days(include_today=True)
    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        text = screen_text(app)
        assert "Sähköinen asiointi" in text and "██" in text and "3 asiointia" in text
        await pilot.press("right")
        await pilot.pause()
        assert "Ratkesi" in screen_text(app)


async def test_another_process_on_the_same_file_shows_within_a_second(dt_desk, db_path):
    """Two Tiski processes, one database file: the desk's screen learns of the other's
    changes from SQLite's data_version on its one-second tick."""
    import os
    import subprocess
    import sys

    app = make_app(dt_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        assert app.screen.view.waiting == ()
        env = {**os.environ, "TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T12:31", "TISKI_BRANCH": "PORI"}
        subprocess.run([sys.executable, "-m", "tiski", "digituki", "add", "Eino", "--topic", "social_email",
                        "--device", "own_tablet"], env=env, check=True, capture_output=True)
        for _ in range(15):  # the tick is once a second: give it a second and a half
            await pilot.pause(0.1)
            if app.screen.view.waiting:
                break
        assert [v.name for v in app.screen.view.waiting] == ["Eino"]
        subprocess.run([sys.executable, "-m", "tiski", "digituki", "next", "--helper", "pekka"], env=env,
                       check=True, capture_output=True)
        for _ in range(15):
            await pilot.pause(0.1)
            if app.screen.view.serving:
                break
        assert [(v.name, v.helper) for v in app.screen.view.serving] == [("Eino", "pekka")]
