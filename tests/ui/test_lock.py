"""No way past the login or the lock: every key of the desk, every palette entry, a mode
switch, a toast, a resize — none reaches an area while the desk is locked or nobody has
logged in, and nothing of a patron shows. Each area is a mode of its own; the lock is one
too, and the only one that can be current until someone logs in."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from string import ascii_lowercase

import pytest
from textual.command import CommandPalette
from textual.screen import Screen

import tiski.ui.screens
from tiski.ui.app import LOGIN, TiskiApp
from tiski.ui.screens.login import LoginScreen

from .conftest import book_bag_client, burst, make_app, screen_text
from .test_login import PASSWORD, log_in, with_accounts

SIZE = (80, 24)
# What must never show while the desk is locked: Aino Virtanen (card, identity code,
# the loans' titles) on the patron and checkout screens, a queue visitor, a bag client.
PATRON_DATA = ("Virtanen", "Aino", "2028000000001", "131052", "Kirja numero", "Hakala", "Helmi", "Kotiranta")


def screen_classes() -> list[type[Screen]]:
    for module in pkgutil.iter_modules(tiski.ui.screens.__path__):
        importlib.import_module(f"tiski.ui.screens.{module.name}")
    found, todo = [], [Screen]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("tiski."):
                found.append(cls)
    return found


def every_key() -> list[str]:
    """Every key bound anywhere in the desk, the function keys, Ctrl with every letter,
    and the keys that move between fields — except Ctrl+Q, which quits (tested apart)."""
    keys = {f"f{n}" for n in range(1, 13)} | {f"ctrl+{c}" for c in ascii_lowercase}
    keys |= {"escape", "tab", "shift+tab", "enter", "up", "down", "left", "right", "pageup", "pagedown", "home",
             "end", "backspace", "delete", "space"}
    for cls in [TiskiApp, *screen_classes()]:
        for binding in cls.BINDINGS:
            keys.update(binding.key.split(","))
    keys.discard("ctrl+q")
    return sorted(keys)


KEYS = every_key()
CHUNKS = [KEYS[n::4] for n in range(4)]  # four sessions per state: each key still checked on its own


def desk_with_patrons(ui_desk):
    desk = with_accounts(ui_desk)
    desk.act_as("kaisa")
    desk.digituki.queue_add("Virtanen", "e_services", "own_phone")
    book_bag_client(desk, books=False)
    desk.act_as(None)
    return desk


async def lock_after_a_working_session(app, pilot) -> None:
    """Kaisa (an admin) opens every area with patron data on it, then presses F12."""
    await log_in(pilot, "kaisa")
    await burst(pilot, "2028000000001")
    await pilot.press("f3")
    await pilot.pause()
    await burst(pilot, "1000000010")
    for area in ("f4", "f5", "f6", "f2"):
        await pilot.press(area)
        await pilot.pause()
    assert "Virtanen, Aino" in screen_text(app)
    await pilot.press("f12")
    await pilot.pause()


async def start(app, pilot, state: str) -> list:
    """The desk at its login (nobody has logged in yet) or locked after use; returns
    the list every mode and screen switch from now on is recorded in."""
    await pilot.pause()
    if state == "lock":
        await lock_after_a_working_session(app, pilot)
    switches: list = []
    app.mode_change_signal.subscribe(app, switches.append, immediate=True)
    app.screen_change_signal.subscribe(app, switches.append, immediate=True)
    assert_locked(app, state)
    return switches


def assert_locked(app, context) -> None:
    text = screen_text(app)
    shown = [word for word in PATRON_DATA if word in text]
    assert not shown, (context, shown, text)
    assert app.locked and app.current_mode == LOGIN, context
    assert isinstance(app.screen, (LoginScreen, CommandPalette)), (context, app.screen)
    assert app.desk.staff is None, context  # nobody acts while locked
    assert [type(s) for s in app.screen_stack if not isinstance(s, CommandPalette)] == [LoginScreen], context


def assert_no_area_entered(switches, context) -> None:
    entered = [s for s in switches if s != LOGIN and not isinstance(s, (LoginScreen, CommandPalette))]
    assert not entered, (context, entered)


@pytest.mark.parametrize("keys", CHUNKS, ids=[f"keys{n}" for n in range(len(CHUNKS))])
@pytest.mark.parametrize("state", ["login", "lock"])
async def test_no_key_gets_past_the_login_or_the_lock(ui_desk, state, keys):
    """Mutation caught: the lock leaving the last user acting, or not a mode of its own
    (the login pushed onto the area's stack, as before: Ctrl+P reached the areas). The
    gates that keep a key out (the app's actions, mode switches, dialogs, the facade's
    role) each suffice alone: see test_each_gate_holds_on_its_own."""
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        switches = await start(app, pilot, state)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            assert_locked(app, (state, key))
            while isinstance(app.screen, CommandPalette):
                await pilot.press("escape")
                await pilot.pause()
        assert_no_area_entered(switches, state)


def palette_titles_of_a_working_desk(app) -> set[str]:
    """Every entry the palette offers once someone is logged in, on any screen."""
    titles = set()
    for screen in app.screen_stack:
        titles |= {command.title for command in app.get_system_commands(screen)}
    return titles


@pytest.mark.parametrize("state", ["login", "lock"])
async def test_no_palette_entry_gets_past_the_login_or_the_lock(ui_desk, state):
    """Every entry of a working desk's palette (and the area names the attack used),
    typed into the palette at the login and chosen with Enter; then every entry the
    locked palette does offer (the languages) run. Mutation caught: the palette listing
    the areas, the screen's own actions or help while locked."""
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        switches = await start(app, pilot, state)
        locked_titles = {command.title for command in app.get_system_commands(app.screen)}
        assert locked_titles == {"På svenska", "In English", "Lopeta"}
        wanted = {"checkout", "Lainaus", "Asiakas", "Palautus", "Digituki", "Kirjakassi", "Ohje", "patron"}
        for key in ("patron", "checkout", "returns", "digituki", "kirjakassi", "help", "receipt", "renew", "pay",
                    "register", "dropbox", "dt_add", "kk_open"):
            wanted.add(app.t(f"key.{key}"))
        for title in sorted(wanted):
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*[c if c.isalnum() else "space" for c in title])
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert_locked(app, (state, title))
            while isinstance(app.screen, CommandPalette):
                await pilot.press("escape")
                await pilot.pause()
        for command in app.get_system_commands(app.screen):
            if command.title != "Lopeta":
                command.callback()
                await pilot.pause()
                assert_locked(app, (state, command.title))
                assert app.t("ui.login_user") in screen_text(app)  # the login in that language
        assert_no_area_entered(switches, state)


async def test_the_locked_palette_offers_nothing_of_the_working_desk(ui_desk):
    """The titles of a logged-in desk, for comparison: the locked palette's three are
    not among the areas' entries. Mutation caught: the lock listing them."""
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await log_in(pilot, "kaisa")
        working = palette_titles_of_a_working_desk(app)
        await pilot.press("f12")
        await pilot.pause()
        locked = {command.title for command in app.get_system_commands(app.screen)}
        assert app.t("key.checkout") in working and app.t("key.checkout") not in locked
        assert locked < working | {"Lopeta"}


async def test_nothing_of_an_area_shows_on_the_lock(ui_desk):
    """What the other modes could still put on screen: a toast posted by an area, a
    resize, a switch of mode or a dialog pushed by an area's code — none shows while
    locked. Mutation caught: notify/switch_mode/push_screen not gated by the lock."""
    from tiski.ui.screens.forms import ConfirmModal

    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await lock_after_a_working_session(app, pilot)
        app.notify("Virtanen, Aino: 12,50 €")
        app.switch_mode("patron")
        app.push_screen(ConfirmModal("Virtanen, Aino", "131052-308T"))
        await pilot.pause()
        assert_locked(app, "after toast, switch, push")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert_locked(app, "after resize")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await log_in(pilot, "kaisa")
        assert app.current_mode == "patron" and "Virtanen, Aino" in screen_text(app)
        assert "12,50 €: " not in screen_text(app)  # the toast posted while locked never shows


async def test_someone_else_never_sees_the_form_left_open(ui_desk):
    """Pekka leaves a registration half typed (an identity code in it) and locks; Kaisa
    logs in: every area starts afresh. Pekka himself would have found it as he left it.
    Mutation caught: areas kept across a change of person."""
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await log_in(pilot, "pekka")
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#r-hetu").value = "010203A123R"
        await pilot.press("f12")
        await pilot.pause()
        await log_in(pilot, "pekka")
        assert app.screen.query_one("#r-hetu").value == "010203A123R"
        await pilot.press("f12")
        await pilot.pause()
        await log_in(pilot, "kaisa")
        assert app.current_mode == "patron" and "010203A123R" not in screen_text(app)
        assert len(app.screen_stack) == 1


async def test_each_gate_holds_on_its_own(ui_desk):
    """While locked: the app refuses its own actions (an area key, help), a mode switch
    and a dialog do nothing, the facade refuses the patron's record. Mutation caught:
    any one of `check_action`, `switch_mode`, `push_screen` or `act_as(None)` dropped."""
    from tiski.core.errors import Refused
    from tiski.ui.screens.help import HelpScreen

    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await lock_after_a_working_session(app, pilot)
        assert app.check_action("area", ("checkout",)) is False and app.check_action("help", ()) is False
        assert await app.run_action("area('checkout')") is False
        app.switch_mode("checkout")
        app.push_screen(HelpScreen(app.screen))
        await pilot.pause()
        assert_locked(app, "gates")
        with pytest.raises(Refused):
            app.desk.patrons.view("2028000000001")


async def test_ctrl_q_quits_from_the_login(ui_desk):
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


def test_every_screen_of_the_desk_is_inside_the_boundary():
    """Each screen's handlers run inside the desk's error boundary (see test_errors).
    Mutation caught: a new screen forgetting `Guarded`."""
    from tiski.ui.boundary import Guarded

    classes = screen_classes()
    assert len(classes) >= 15
    assert all(issubclass(cls, Guarded) for cls in classes), [c for c in classes if not issubclass(c, Guarded)]
    assert issubclass(TiskiApp, Guarded) and inspect.isclass(LoginScreen)


async def test_a_password_is_needed_whatever_the_unix_mapping(ui_desk, monkeypatch):
    """The Unix user mapped to an account only fills in the name: until the password,
    the desk acts as nobody. Mutation caught: the login starting as the mapped account."""
    monkeypatch.setattr("tiski.shell.unix_staff", lambda conn: "kaisa")
    ui_desk.act_as("kaisa")  # what the shell does for a mapped Unix user
    app = make_app(desk_with_patrons(ui_desk))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#login-user").value == "kaisa"
        assert_locked(app, "start")
        await burst(pilot, "wrong " + PASSWORD)
        assert_locked(app, "wrong password")
