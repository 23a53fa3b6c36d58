"""The desk's boundary: a facade call that fails — the register busy past its wait, or a
defect — never ends the desk and never shows or logs patron data. The desk stays up,
the form keeps what was typed, the message is on screen, and the log has one line with
the error's kind and where it was raised."""

from __future__ import annotations

import stat

import pytest

from tiski.core.errors import Unavailable
from tiski.ui.desk_log import log_path
from tiski.ui.screens.login import LoginScreen

from tiski.ui.screens.patron import SEARCH_DELAY

from .conftest import book_bag_client, burst, make_app, screen_text
from .test_login import with_accounts

SIZE = (80, 24)
CARD = "2028000000001"
BUSY = "Rekisteri on juuri nyt varattu"  # unavailable.busy, in Finnish
# (what, the facade call made to fail, keys that open the form, the values typed)
FORMS = [
    ("register", "patrons.add", ["f2", "ctrl+n"],
     {"r-card": "2028999000001", "r-first": "Aino", "r-last": "Virtanen", "r-hetu": "131052-308T", "r-pin": "8642"}),
    ("pay", "fees.take_payment", ["f2", "card", "ctrl+f"], {"f-amount": "2,50"}),
    ("waive", "fees.waive", ["f2", "card", "ctrl+b"], {"f-amount": "1,00", "f-reason": "Aino Virtanen pyysi"}),
    ("hold", "holds.place", ["f2", "card", "ctrl+o"], {"f-barcode": "1000000007"}),
    ("lost card", "patrons.report_lost_card", ["f2", "card", "ctrl+l"], {"f-new_card": "2028000000099"}),
    ("contact details", "patrons.update", ["f2", "card", "ctrl+y"], {"f-phone": "040 765 4321"}),
    ("digituki visitor", "digituki.queue_add", ["f5", "ctrl+a"], {"f-name": "Aino Virtanen"}),
    ("digituki booking", "bookings.book", ["f5", "ctrl+o", "ctrl+a"], {"f-name": "Aino Virtanen"}),
    ("digituki call-back", "bookings.add_callback", ["f5", "ctrl+k", "ctrl+a"],
     {"f-name": "Aino Virtanen", "f-phone": "040 123 4567"}),
    ("digituki finish", "digituki.finish_visit", ["f5", "ctrl+n", "escape", "ctrl+e"],
     {"f-note": "Aino Virtasen pankkitunnukset"}),
    ("call-back log", "bookings.log_call", ["f5", "ctrl+k", "ctrl+l"], {"f-note": "Virtanen ei vastannut"}),
    ("kirjakassi enrol", "kirjakassi.enrol", ["f6", "ctrl+a"], {"f-address": "Koivutie 3", "f-contact": "Tiina Virtanen"}),
    ("kirjakassi interview", "kirjakassi.save_interview", ["f6", "ctrl+w"], {"k-genres": "Virtasen dekkarit"}),
]
# (what, the facade call made to fail, keys before, what is scanned or pressed)
SCREENS = [
    ("patron scan", "patrons.view", ["f2"], ["scan", CARD]),
    ("patron search", "patrons.find", ["f2"], ["type", "Virt"]),
    ("renew", "loans.renew", ["f2", "card"], ["press", "ctrl+r"]),
    ("checkout", "loans.checkout", ["f3", "card"], ["scan", "1000000010"]),
    ("returns", "loans.return_item", ["f4"], ["scan", "1000000003"]),
    ("digituki queue", "digituki.queue_view", [], ["press", "f5"]),
    ("digituki next", "digituki.call_next", ["f5"], ["press", "ctrl+n"]),
    ("kirjakassi clients", "kirjakassi.clients", [], ["press", "f6"]),
    ("kirjakassi pack", "kirjakassi.pack", ["f6", "enter"], ["scan", "KK0001"]),
    ("kirjakassi bag sent", "kirjakassi.bag_sent", ["f6"], ["press", "ctrl+l"]),
]
PATRON_DATA = ("Aino", "Virtanen", "Virtasen", "131052-308T", "8642", CARD, "2028999000001")


@pytest.fixture
def full_desk(ui_desk):
    desk = ui_desk
    desk.bookings.add_hours("wed", "12:00", "14:00")
    desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    desk.digituki.seed_referral_services()
    desk.digituki.queue_add("Aino", "e_services", "own_phone")
    desk.bookings.add_callback("Aino Virtanen", "040 123 4567", "e_services")
    book_bag_client(desk)
    return desk


def fail(monkeypatch, desk, call: str, error: Exception) -> None:
    """The call raises `error`, with the patron's data in its arguments (as locals)."""
    area, name = call.split(".")

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(getattr(desk, area), name, failing)


async def press_all(pilot, keys) -> None:
    for key in keys:
        if key == "card":
            await burst(pilot, CARD)
        else:
            await pilot.press(key)
            await pilot.pause()


def the_log() -> str:
    path = log_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path.read_text(encoding="utf-8")


def assert_logged_without_patron_data(kind: str) -> None:
    log = the_log()
    assert f"caught {kind} at tiski/ui/screens/" in log, log
    assert not [word for word in PATRON_DATA if word in log], log


def flat(text: str) -> str:
    """Screen text with the wrapping of toasts and fields undone."""
    return " ".join(text.replace("▌", " ").replace("▐", " ").split())


@pytest.mark.parametrize("what, call, keys, values", FORMS, ids=[f[0] for f in FORMS])
async def test_a_form_whose_save_fails_keeps_what_was_typed(full_desk, monkeypatch, what, call, keys, values):
    """Mutation caught: the error escaping the form's save (the desk ends with Rich's
    traceback and its locals), the form closed, or the log carrying the error's text."""
    app = make_app(full_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press_all(pilot, keys)
        form = app.screen
        for field, value in values.items():
            form.query_one(f"#{field}").value = value
        await pilot.pause()
        fail(monkeypatch, full_desk, call, Unavailable("busy"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running and app.screen is form
        assert {field: form.query_one(f"#{field}").value for field in values} == values
        assert BUSY in flat(screen_text(app))
    assert_logged_without_patron_data("Unavailable(busy)")


@pytest.mark.parametrize("what, call, keys, action", SCREENS, ids=[s[0] for s in SCREENS])
async def test_a_screen_whose_call_fails_stays_up(full_desk, monkeypatch, what, call, keys, action):
    """Mutation caught: the scan, the search, the key or opening the area ending the
    desk when the register is busy."""
    app = make_app(full_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press_all(pilot, keys)
        fail(monkeypatch, full_desk, call, Unavailable("busy"))
        how, what_to = action
        if how == "press":
            await pilot.press(what_to)
            await pilot.pause()
        else:
            await burst(pilot, what_to, enter=how == "scan")
            if how == "type":
                await pilot.pause(SEARCH_DELAY + 0.2)  # the search starts when the typing pauses
        assert app.is_running
        assert BUSY in flat(screen_text(app))
    assert "caught Unavailable(busy) at tiski/ui/" in the_log()


async def test_a_defect_is_a_message_and_a_kind_never_its_text(full_desk, monkeypatch):
    """A defect whose message quotes the patron (as `repr` of a NewPatron would): on
    screen and in the log only its kind. Mutation caught: `str(error)` shown or logged."""
    monkeypatch.delenv("TISKI_DEBUG")
    app = make_app(full_desk)
    values = FORMS[0][3]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press_all(pilot, ["f2", "ctrl+n"])
        form = app.screen
        for field, value in values.items():
            form.query_one(f"#{field}").value = value
        fail(monkeypatch, full_desk, "patrons.add", KeyError("NewPatron(hetu='131052-308T', pin='8642')"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running and app.screen is form
        text = flat(screen_text(app))
        assert "virhe (KeyError)" in text and "8642" not in text.replace(values["r-pin"], "")
        await burst(pilot, "1", enter=False)  # the desk still answers keys
        assert app.is_running
    assert_logged_without_patron_data("KeyError")


async def test_the_login_when_the_register_is_busy(full_desk, monkeypatch):
    """Mutation caught: an Unavailable at the login ending the desk or clearing the name."""
    app = make_app(with_accounts(full_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        fail_login = Unavailable("busy")

        def busy(*args):
            raise fail_login

        monkeypatch.setattr(full_desk, "log_in", busy)
        app.screen.query_one("#login-user").value = "pekka"
        app.screen.query_one("#login-password").focus()
        await burst(pilot, "oikein-hyva-salasana")
        assert app.is_running and isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-user").value == "pekka"
        assert BUSY in flat(screen_text(app))


async def test_a_crash_outside_every_guard_ends_in_one_line(full_desk, monkeypatch):
    """An error outside every guard (here in the header, a widget that is not a screen)
    ends the desk: the error's kind is kept for the one line `tiski` prints, and Textual
    is left nothing to print — no traceback, no locals. Mutation caught:
    `_handle_exception` left to Textual (Rich's traceback with locals on the terminal)."""
    from tiski.ui.widgets.desk_header import DeskHeader

    monkeypatch.delenv("TISKI_DEBUG")

    def broken(self):
        hetu = "131052-308T"  # a local Rich would have printed
        raise ZeroDivisionError(hetu)

    app = make_app(full_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        monkeypatch.setattr(DeskHeader, "update_text", broken)
        await pilot.resize_terminal(90, 24)
        await pilot.pause()
    assert app.stopped_by == "ZeroDivisionError" and app.return_code == 1
    assert not app._exit_renderables  # nothing for Textual to print
    log = the_log()
    assert "stopped by ZeroDivisionError" in log and "131052" not in log


async def test_a_failed_worker_is_a_message(full_desk):
    """A worker (the book bag's pick list runs in one) failing on a busy register: a
    message, the desk carries on. Mutation caught: a WorkerFailed ending the desk."""

    def pick_list():
        raise Unavailable("busy")

    app = make_app(full_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        worker = app.run_worker(pick_list, thread=True)
        while not worker.is_finished:
            await pilot.pause(0.05)
        await pilot.pause()
        assert app.is_running and BUSY in flat(screen_text(app))
    assert "caught Unavailable(busy)" in the_log()
