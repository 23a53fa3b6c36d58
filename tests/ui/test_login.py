"""Logging in, the lock, switching who is at the desk; roles in the TUI."""

from __future__ import annotations

from tiski.ui.screens.login import LoginScreen

from .conftest import burst, make_app, screen_text

SIZE = (80, 24)
PASSWORD = "oikein-hyva-salasana"


def with_accounts(desk):
    desk.admin.add_staff("kaisa", "admin", "Kaisa", PASSWORD)
    desk.act_as("kaisa")
    desk.admin.add_staff("pekka", "desk", "Pekka", PASSWORD)
    desk.admin.add_staff("dina", "digituki", "Dina", PASSWORD)
    desk.act_as(None)
    return desk


async def log_in(pilot, user: str, password: str = PASSWORD) -> None:
    app = pilot.app
    app.screen.query_one("#login-user").value = user
    app.screen.query_one("#login-password").focus()
    await burst(pilot, password)


async def test_the_desk_opens_with_a_login_when_there_are_accounts(ui_desk):
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await log_in(pilot, "pekka", "wrong password")
        assert isinstance(app.screen, LoginScreen)
        assert "väärin" in str(app.screen.query_one("#form-error").render())
        await log_in(pilot, "pekka")
        assert not isinstance(app.screen, LoginScreen) and ui_desk.staff == "pekka"
        await burst(pilot, "2028000000001")
        assert "Virtanen, Aino" in screen_text(app)


async def test_the_lock_hides_the_patron_and_another_can_take_over(ui_desk):
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await log_in(pilot, "pekka")
        await burst(pilot, "2028000000001")
        await pilot.press("f12")
        await pilot.pause()
        text = screen_text(app)
        assert "Lukittu" in text and "Virtanen" not in text and "Aino" not in text
        assert app.screen.query_one("#login-user").value == "pekka"
        await log_in(pilot, "kaisa")  # someone else: the patron leaves the screen
        assert ui_desk.staff == "kaisa" and app.patron_card is None


async def test_the_same_person_unlocking_keeps_the_patron(ui_desk):
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await log_in(pilot, "pekka")
        await burst(pilot, "2028000000001")
        await pilot.press("f12")
        await pilot.pause()
        await log_in(pilot, "pekka")
        assert app.patron_card == "2028000000001"


async def test_the_desk_locks_itself_when_left_alone(ui_desk):
    app = make_app(with_accounts(ui_desk), lock_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await log_in(pilot, "pekka")
        await pilot.pause(1.0)
        assert isinstance(app.screen, LoginScreen)


async def test_a_digi_support_helper_cannot_open_patrons(ui_desk):
    """A digi-support helper lands on the queue, the one area their role opens.
    Mutation caught: the login returning to the patron area whatever the role."""
    app = make_app(with_accounts(ui_desk))
    notes = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await log_in(pilot, "dina")
        assert app.current_mode == "digituki"
        app.notify = lambda message, **_: notes.append(message)
        for key in ("f3", "f2"):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == "digituki" and "Käyttöoikeutesi ei riitä" in notes[-1]


class FakeTime:
    """The login's backoff clock (real time, whatever the desk's clock), moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def wrong_tries(ui_desk, monkeypatch, name: str, tries: int) -> list[str]:
    """The login screen after each of `tries` wrong passwords for `name`, with the name
    itself (in its field) blanked out."""
    from tiski.ui.screens import login

    clock = FakeTime()
    monkeypatch.setattr(login, "monotonic", clock)
    app = make_app(with_accounts(ui_desk))
    seen = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(tries):
            clock.now += 60  # long enough for any wait
            await log_in(pilot, name, "väärä salasana")
            seen.append(screen_text(app).replace(name, "<name>"))
    return seen


async def test_an_unknown_name_and_a_real_account_get_the_same_answers(ui_desk, monkeypatch):
    """Wrong passwords for a real account and for a name nobody has: the same screens,
    the wait included. Mutation caught: the screen counting (or answering) only real
    accounts, or adding anything of its own about the name."""
    real = await wrong_tries(ui_desk, monkeypatch, "pekka", 4)
    ui_desk.conn.execute("DELETE FROM staff")  # a fresh desk for the second run
    unknown = await wrong_tries(ui_desk, monkeypatch, "pekkx", 4)
    assert real == unknown
    assert "väärin" in real[0] and "Seuraava yritys" not in real[1]
    assert "Seuraava yritys 2 sekunnin" in real[2] and "Seuraava yritys 4 sekunnin" in real[3]


async def test_wrong_tries_slow_this_terminal_down(ui_desk, monkeypatch):
    """Three wrong tries are answered at once; then this terminal waits 2 s, then 4 s…
    (counting down on screen), an Enter meanwhile tries nothing and keeps what was
    typed, and a right password after the wait logs in. Mutation caught: no wait, a
    try during the wait reaching the facade, or the wait not growing."""
    from tiski.ui.screens import login

    clock = FakeTime()
    monkeypatch.setattr(login, "monotonic", clock)
    assert [login.backoff_seconds(n) for n in range(1, 9)] == [0, 0, 2, 4, 8, 16, 30, 30]
    app = make_app(with_accounts(ui_desk))
    calls = []
    real_log_in = ui_desk.log_in
    ui_desk.log_in = lambda user, password: calls.append(user) or real_log_in(user, password)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):
            await log_in(pilot, "pekka", "väärä salasana")
        assert len(calls) == 3 and "Seuraava yritys 2 sekunnin päästä" in screen_text(app)
        clock.now += 1
        await log_in(pilot, "pekka")  # too soon: nothing is tried, the password waits in its field
        assert len(calls) == 3 and app.screen.query_one("#login-password").value == PASSWORD
        assert "Seuraava yritys 1 sekunnin päästä" in screen_text(app)
        clock.now += 1
        await pilot.press("enter")
        await pilot.pause()
        assert len(calls) == 4 and ui_desk.staff == "pekka"
        assert not isinstance(app.screen, LoginScreen)
