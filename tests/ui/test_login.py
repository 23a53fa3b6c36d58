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


async def wrong_tries(ui_desk, name: str, tries: int) -> list[str]:
    """The login screen after each of `tries` wrong passwords for `name`, with the name
    itself (in its field) blanked out."""
    app = make_app(with_accounts(ui_desk))
    seen = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(tries):
            await log_in(pilot, name, "väärä salasana")
            seen.append(screen_text(app).replace(name, "<name>"))
    return seen


async def test_an_unknown_name_and_a_real_account_get_the_same_answers(ui_desk):
    """Wrong passwords for a real account and for a name nobody has: the same screens.
    Mutation caught: the screen answering anything of its own about the name."""
    real = await wrong_tries(ui_desk, "pekka", 4)
    ui_desk.act_as("kaisa")
    ui_desk.admin.unlock_logins()  # this terminal starts counting again for the second run
    ui_desk.conn.execute("DELETE FROM staff")  # and the accounts are made afresh
    unknown = await wrong_tries(ui_desk, "pekkx", 4)
    assert real == unknown and "väärin" in real[-1]


async def test_the_login_shows_the_facades_answer_as_it_is(ui_desk, monkeypatch):
    """Whatever the facade refuses with (here: this terminal must wait), the screen shows
    its words, keeps the name, empties the password and stays. Mutation caught: the
    screen choosing its own message, or keeping a refused password."""
    from tiski.core.errors import refuse

    paused = refuse("NOT_ALLOWED", action="login_paused", staff="", minutes=15, seconds=20)

    def refused(user, password):
        raise paused

    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        monkeypatch.setattr(ui_desk, "log_in", refused)
        await log_in(pilot, "pekka")
        assert isinstance(app.screen, LoginScreen) and app.locked
        assert app.screen.query_one("#login-user").value == "pekka"
        assert app.screen.query_one("#login-password").value == ""
        assert str(app.screen.query_one("#form-error").render()) == app.t.refusal(paused.first)
