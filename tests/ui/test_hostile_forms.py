"""Hostile text in every form and scan field of the desk: escape sequences, control
characters, 100 000 characters, SQL, bidi overrides, odd unicode. The desk never
crashes, never stores a control character, and never sends one to the terminal —
neither what was just typed nor what an outside system left in the register."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input, TextArea

from tiski.ui.screens.forms import ConfirmModal
from tiski.ui.screens.question import SCAN_TAIL
from tiski.ui.screens.login import LoginScreen

from ..hostile import CONTROL, NASTY, hostile
from .conftest import book_bag_client, burst, make_app, screen_text

SIZE = (80, 24)


@pytest.fixture
def busy_desk(ui_desk):
    desk = ui_desk
    desk.bookings.add_hours("wed", "12:00", "14:00")
    desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    desk.digituki.seed_referral_services()
    book_bag_client(desk, books=False)
    desk.test_clock.set(datetime(2026, 12, 2, 12, 30))
    return desk


# (form, the keys that open it)
FORMS = [
    ("pay", ["f2", "card", "ctrl+f"]),
    ("waive", ["f2", "card", "ctrl+b"]),
    ("hold", ["f2", "card", "ctrl+o"]),
    ("lost card", ["f2", "card", "ctrl+l"]),
    ("contact details", ["f2", "card", "ctrl+y"]),
    ("register", ["f2", "ctrl+n"]),
    ("digituki visitor", ["f5", "ctrl+a"]),
    ("digituki booking", ["f5", "ctrl+o", "ctrl+a"]),
    ("digituki call-back", ["f5", "ctrl+k", "ctrl+a"]),
    ("kirjakassi enrol", ["f6", "ctrl+a"]),
    ("kirjakassi interview", ["f6", "ctrl+w"]),
]


def text_fields(screen):
    return [w for w in screen.query("Input, TextArea") if w.display and not w.disabled]


def stored_text_is_clean(path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from sqlite_master
                for value in row:
                    if isinstance(value, str):
                        assert not any(c in value for c in CONTROL), (table, value[:80])
                        assert len(value) < 20_000, (table, len(value))
    finally:
        conn.close()


async def open_form(pilot, keys) -> None:
    for key in keys:
        if key == "card":
            await burst(pilot, "2028000000001")
        else:
            await pilot.press(key)
            await pilot.pause()


async def fill_and_save(app, pilot, form, keys, values) -> None:
    await open_form(pilot, keys)
    form_screen = app.screen
    fields = text_fields(form_screen)
    assert fields, f"{form}: no text fields found"
    for n, widget in enumerate(fields):
        value = values[n % len(values)]
        if isinstance(widget, TextArea):
            widget.focus()
            app.post_message(events.Paste(value))  # as the terminal sends it
        else:
            widget.value = value  # as a paste or a value from the register would
    await pilot.pause()
    assert not any(c in screen_text(app) for c in CONTROL)
    await pilot.press("ctrl+d" if form == "kirjakassi interview" else "ctrl+s")
    await pilot.pause()
    assert app.is_running
    assert not any(c in screen_text(app) for c in CONTROL), form
    while app.screen is form_screen or len(app.screen_stack) > 2:
        await pilot.press("escape")
        await pilot.pause()
        if isinstance(app.screen, ConfirmModal):  # leave without saving
            await pilot.pause(SCAN_TAIL + 0.05)
            await pilot.press("enter")
            await pilot.pause()


@pytest.mark.parametrize("form, keys", FORMS, ids=[f for f, _ in FORMS])
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(drawn=st.lists(st.lists(hostile, min_size=8, max_size=8), min_size=2, max_size=2))
def test_hostile_text_in_a_form_is_refused_or_stored_clean(busy_desk, db_path, form, keys, drawn):
    async def session():
        app = make_app(busy_desk)
        async with app.run_test(size=SIZE) as pilot:
            for values in [NASTY[::3], *drawn]:
                await fill_and_save(app, pilot, form, keys, values)

    asyncio.run(session())
    stored_text_is_clean(db_path)


@pytest.mark.parametrize("area", ["f2", "f3", "f4", "f5", "f6"])
async def test_hostile_scans_never_crash_a_scan_field(busy_desk, db_path, area):
    app = make_app(busy_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(area)
        await pilot.pause()
        for value in NASTY:
            scan = app.screen.query("#scan")
            if scan:
                scan.first(Input).value = value[:2000]  # what a paste could bring
                scan.first(Input).focus()
                await pilot.press("enter")
                await pilot.pause()
            assert app.is_running
            assert not any(c in screen_text(app) for c in CONTROL), (area, value[:20])
    stored_text_is_clean(db_path)


async def test_hostile_login_is_refused_without_a_crash(ui_desk):
    ui_desk.admin.add_staff("kaisa", "admin", "Kaisa", "oikein-hyva-salasana")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for value in NASTY:
            app.screen.query_one("#login-user").value = value
            app.screen.query_one("#login-password").value = value
            app.screen.query_one("#login-password").focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, LoginScreen)
            assert not any(c in screen_text(app) for c in CONTROL)


async def test_escape_sequences_left_in_the_register_are_never_rendered(ui_desk, db_path):
    """An import or another program may have written raw control characters; the
    screen shows them as '?' instead of letting the terminal obey them."""
    conn = ui_desk.conn
    conn.execute("UPDATE records SET title = ? WHERE id = (SELECT record_id FROM items WHERE barcode = ?)",
                 ("Evil\x1b[2J\x1b]0;pwned\x07 title\u202e", "1000000003"))
    conn.execute("UPDATE patrons SET first_name = ? WHERE id = (SELECT patron_id FROM cards WHERE card = ?)",
                 ("Ai\x1b[31mno", "2028000000001"))
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        text = screen_text(app)
        assert "Evil?[2J?]0;pwned? title?" in text
        assert not any(c in text for c in CONTROL)
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000003")
        text = screen_text(app)
        assert "Evil?[2J" in text and not any(c in text for c in CONTROL)
