"""F11 — notices at 80×24: what failed and why, the calls to make, what waits, what went
today; resend, switch channel, mark a call made. Ctrl+S on the patron screen: the
patron's channel per kind."""

from __future__ import annotations

from tiski.notify import DeliveryFailed
from tiski.ui.screens.forms import ConfirmModal, FormModal

from ..carriers import Recorder, run
from .conftest import burst, make_app, screen_text, shows

SIZE = (80, 24)
AINO, VIRTALA, LIISA = "2028000000001", "2028000000002", "2028000000005"


def with_email(desk, card=VIRTALA):
    from tiski.desk.patrons import ContactChange

    desk.patrons.update(card, ContactChange(email="aino.virtala@example.fi", phone="040 765 4321"))
    desk.loans.checkout(LIISA, "1000000010")
    desk.holds.place(card, "1000000010")
    desk.loans.return_item("1000000010")


def notices_to_work(desk):
    """Liisa (no e-mail, no phone) has a copy waiting: on the call list. Aino Virtala's
    arrival e-mail and Aino Virtanen's first reminder were refused by the server: failed."""
    desk.loans.return_item("1000000003")  # on loan to Aino, held by Liisa
    with_email(desk)
    run(desk, Recorder(DeliveryFailed("SMTP 550: 5.1.1 <recipient>: no such user", permanent=True)))
    return {n.kind + ":" + n.status: n for n in desk.notices.work_list()}


async def test_the_screen_shows_failures_with_their_reason_and_the_calls_to_make(ui_desk):
    """Mutation caught: a failed notice left off the work list, or shown without its
    reason; the call list without the phone or its hint."""
    notices_to_work(ui_desk)
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        text = await shows(pilot, "Epäonnistui 2", "Soitettavia 1")
        assert "Varaus saapui" in text and "1. palautuskehotus" in text and "Puhelu" in text
        assert "Syy: SMTP 550: 5.1.1 <recipient>: no such user" in text  # failed first, chosen
        assert "Puhelin: 040 765 4321" in text  # staff may call instead
        await pilot.press("down", "down")
        text = await shows(pilot, "Puhelin: ei puhelinnumeroa")
        assert "Liisa Laine" in text and "Nouda viimeistään 9.12.2026" in text


async def test_mark_called_switch_channel_and_resend_by_keys(ui_desk):
    """Mutation caught: Ctrl+E without its question (a stray key would start a pickup
    week), a switch or a resend that leaves the notice failed."""
    work = notices_to_work(ui_desk)
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await shows(pilot, "Epäonnistui 2")
        await pilot.press("ctrl+k")  # the failed e-mail: by text message instead
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#f-channel").value = "sms"
        await pilot.press("ctrl+s")
        await shows(pilot, "Epäonnistui 1")
        switched = work["hold_arrived:failed"].id
        assert [n.channel for n in ui_desk.notices.listing("pending") if n.id == switched] == ["sms"]
        call = work["hold_arrived:pending"]
        app.screen.query_one("#notices").move_cursor(row=app.screen.query_one("#notices").get_row_index(str(call.id)))
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.pause(0.5)  # past the scanner's guard
        await pilot.press("enter")
        text = await shows(pilot, "Soitettavia 0")
        assert "Lähetetty tänään 1" in text
        [hold] = [h for h in ui_desk.patrons.view(LIISA).holds if h.status == "waiting"]
        assert str(hold.pickup_by) == "2026-12-09"  # a week from the call (Wednesday 2.12.)
        await pilot.press("ctrl+r")  # the chosen one (the call just made) goes again
        await shows(pilot, "lähtee uudelleen")


async def test_f11_and_the_palette_reach_the_screen(ui_desk):
    app = make_app(ui_desk, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await shows(pilot, "No notices on the work list.")
        await pilot.press("f2")
        await pilot.pause()
        assert app.current_mode == "patron"
        await pilot.press("ctrl+p")
        await pilot.pause()
        for char in "Notices":
            await pilot.press(char)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await shows(pilot, "No notices on the work list.")
        assert app.current_mode == "notices"


async def test_send_now_runs_off_the_desk_loop_and_reports(ui_desk):
    """Ctrl+U: the run in a worker on its own connection, with the desk's settings; with
    no mail server set up the e-mail fails and waits its backoff, and the screen says so.
    Mutation caught: the run on the desk's own connection from another thread."""
    with_email(ui_desk)
    app = make_app(ui_desk)
    notes = []
    app.notify = lambda message, **_: notes.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert notes[-1] == "Lähetetty 0, epäonnistui 2."  # the hold e-mail and a reminder
        text = screen_text(app)
        assert "uusi yritys" in text and "e-mail is not set up" in text


async def test_the_patron_chooses_how_each_kind_of_notice_reaches_them(ui_desk):
    """Mutation caught: the choice not stored, or the due-date reminder not declinable."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, AINO)
        await shows(pilot, "Aino Virtanen")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormModal) and "Ilmoitustavat" in screen_text(app)
        app.screen.query_one("#f-hold_arrived").value = "sms"
        app.screen.query_one("#f-due_soon").value = "none"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ui_desk.notices.channels(AINO)["hold_arrived"] == "sms"
        assert ui_desk.notices.channels(AINO)["due_soon"] == "none"


def test_the_channels_forms_docstring_names_the_key_that_opens_it():
    """Staff and maintainers read the key from the module's first words.
    Mutation caught: notice_channels saying Ctrl+T (the patron's notes) for Ctrl+S."""
    from tiski.ui.screens import notice_channels
    from tiski.ui.screens.patron import PatronScreen

    [key] = [b.key for b in PatronScreen.BINDINGS if b.action == "notice_channels"]
    words = (notice_channels.__doc__ or "").split()[0]
    assert words.lower() == key and words == "Ctrl+" + key.split("+")[1].upper()


def test_notices_screen_snapshot(snap_compare, ui_desk, monkeypatch):
    monkeypatch.setenv("TISKI_THEME", "tiski")
    notices_to_work(ui_desk)

    async def run(pilot):
        await pilot.press("f11")
        await shows(pilot, "Epäonnistui 2")

    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=run)


async def test_a_name_that_looks_like_markup_is_shown_as_written(ui_desk):
    """A patron called "[/]" "[bold red]Laine" on the call list: the row, the detail and
    the question before a call is marked show the name as typed. Mutation caught: the
    name passed to a markup-reading widget (a MarkupError ends the screen, or the
    name loses its brackets and staff call the wrong person)."""
    from ..conftest import patron

    card = patron(ui_desk, "P0042", first="[/]", last="[bold red]Laine")
    ui_desk.loans.checkout(LIISA, "1000000010")
    ui_desk.holds.place(card, "1000000010")
    ui_desk.loans.return_item("1000000010")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        text = await shows(pilot, "Soitettavia 1")
        assert "[/] [bold red]Laine · P0042" in text
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "[/] [bold red]Laine" in screen_text(app)
        await pilot.pause(0.5)  # past the scanner's guard
        await pilot.press("enter")
        await shows(pilot, "Soitettavia 0", "Lähetetty tänään 1")
