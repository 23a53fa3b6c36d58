"""Markup in the register's data is text on screen, never markup: a title `Tarinat [/]
osa 2` or a surname `Virtanen[/]` does not crash a toast, `[elektroninen aineisto]`
does not vanish, `[@click=app.quit]` is not an action. Hostile titles, names, a barcode,
a queue visitor, a bag's carrier, a phone number, a referral service and a branch go
through every area (patron, checkout, returns, digituki with its finish form, call-backs
and statistics, kirjakassi), a toast and the login, and show verbatim."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets._toast import Toast

from tiski.clock import ManualClock

from ..conftest import START
from .conftest import BAG_CLIENT, book_bag_client, build_desk, burst, make_app, screen_text
from .test_login import PASSWORD, log_in

SIZE = (80, 24)
AINO = "2028000000001"
BITS = ["[", "]", "/", "[/]", "[b]", "[/b]", "[@click=app.quit]", "@click=app.bell", "[red]", "on", "$accent",
        "[link=https://x.fi]", "=", "\\", " ", "Virtanen", "osa 2", "[elektroninen aineisto]", "[i", "]]"]
markup_soup = (st.lists(st.sampled_from(BITS), min_size=1, max_size=4).map("".join).map(str.strip)
               .filter(lambda text: 2 <= len(text) <= 24))


def flat(text: str) -> str:
    return " ".join(text.split())


def shows(app, value: str) -> bool:
    return flat(value) in flat(screen_text(app))


def toasts(app) -> list[str]:
    return [flat(str(toast.render())) for toast in app.screen.query(Toast)]


def plant(desk, title: str, surname: str, name: str, place: str, service: str) -> None:
    """What an import or another program could have left in the register."""
    conn = desk.conn
    for barcode in ("1000000003", "1000000010"):  # Aino's loan (held for Liisa), a book on the shelf
        conn.execute("UPDATE records SET title = ? WHERE id = (SELECT record_id FROM items WHERE barcode = ?)",
                     (title, barcode))
    for card in (AINO, BAG_CLIENT):
        conn.execute("UPDATE patrons SET last_name = ? WHERE id = (SELECT patron_id FROM cards WHERE card = ?)",
                     (surname, card))
    visit = desk.digituki.queue_add("Aino", "e_services", "own_phone")
    conn.execute("UPDATE digituki_visits SET name = ? WHERE id = ?", (name, visit.id))
    conn.execute("UPDATE kirjakassi_clients SET contact_name = ?", (name,))
    conn.execute("UPDATE digituki_services SET name = ? WHERE id = (SELECT MIN(id) FROM digituki_services)", (service,))
    conn.execute("UPDATE items SET barcode = ? WHERE barcode = '1000000002'", (f"{surname}1",))  # another loan of hers
    desk.test_clock.set(START - timedelta(days=1))  # yesterday someone was referred there: in the statistics
    desk.digituki.queue_add("Eino", "e_services", "own_phone")
    referred = desk.digituki.call_next("kaisa")
    desk.digituki.finish_visit(referred.id, "referred", referral=service)
    desk.test_clock.set(START)
    request = desk.bookings.add_callback("Eino", "040 123 4567", "e_services")
    conn.execute("UPDATE digituki_callbacks SET phone = ? WHERE id = ?", (name, request.id))
    conn.execute("UPDATE branches SET name = ? WHERE code = 'PORI'", (place,))


async def every_area(app, pilot, title: str, surname: str, name: str, place: str, service: str) -> None:
    assert shows(app, place)  # the login's title names the branch
    await log_in(pilot, "kaisa")
    assert shows(app, place)  # and so does the header

    await burst(pilot, AINO)  # F2: the patron, her loans (a title, a barcode)
    assert shows(app, f"{surname}, Aino") and shows(app, title) and shows(app, f"{surname}1")

    await pilot.press("f3")  # checkout: her name; a book lent (or the override asked) by its title
    await pilot.pause()
    assert shows(app, f"Aino {surname}")
    await burst(pilot, "1000000010")
    assert shows(app, title)
    while len(app.screen_stack) > 1:
        await pilot.press("escape")
        await pilot.pause()

    await pilot.press("f4")  # returns: the title, the hold shelf
    await pilot.pause()
    await burst(pilot, "1000000003")
    assert shows(app, title)

    await pilot.press("f5")  # the queue: the visitor; the guidelines; finishing with a referral
    await pilot.pause()
    assert shows(app, name)
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert shows(app, name)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("ctrl+e")
    await pilot.pause()
    app.screen.query_one("#f-outcome").value = "referred"
    app.screen.query_one("#f-referral").value = service
    await pilot.pause()
    assert shows(app, service)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert shows(app, service)  # the service's details to hand over
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("ctrl+k")  # the call-back requests: a phone number
    await pilot.pause()
    assert shows(app, name)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("ctrl+g")  # the statistics, by referral
    await pilot.pause()
    for _ in range(7):
        await pilot.press("right")
    await pilot.pause()
    assert shows(app, service[:21].rstrip())  # a long name ends in … at 22 columns
    await pilot.press("escape")
    await pilot.pause()

    await pilot.press("f6")  # the book bag: the client (her surname)
    await pilot.pause()
    assert shows(app, f"Helmi {surname}")

    await pilot.press("f2", "escape")  # a new patron by that surname: the toast says so
    await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()
    for field, value in (("r-card", "2028999000077"), ("r-first", "Eino"), ("r-last", surname),
                         ("r-birth_date", "1990-01-01")):
        app.screen.query_one(f"#{field}").value = value
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert any(flat(f"Eino {surname}") in toast for toast in toasts(app)), toasts(app)
    assert app.is_running


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(values=st.tuples(markup_soup, markup_soup, markup_soup, markup_soup, markup_soup))
@example(values=("Tarinat [/] osa 2", "Virtanen[/]", "[elektroninen aineisto]", "[@click=app.quit]", "[b]Kela[/b]"))
@example(values=("[=", "[[", "[=", "on[/b][i[", "[i$accent@click=app.bell"))  # found by hypothesis
def test_hostile_markup_in_the_register_shows_verbatim_everywhere(template_db, tmp_path, values):
    """Mutation caught: any of the places above rendering data as markup — notify()
    with markup, a Static/Label without markup=False, a str DataTable cell, a str Select
    option, a str cell in the statistics table (crash, a vanished word, or an action)."""
    title, surname, name, place, service = values
    path = tmp_path / f"register-{next(EXAMPLES)}.sqlite"  # a fresh register for each example
    shutil.copy(template_db, path)
    desk = build_desk(path, ManualClock(START))
    desk.test_clock = desk.clock
    desk.admin.add_staff("kaisa", "admin", "Kaisa", PASSWORD)
    desk.act_as("kaisa")
    desk.bookings.add_hours("wed", "12:00", "14:00")
    desk.digituki.seed_referral_services()
    book_bag_client(desk, books=False)
    plant(desk, title, surname, name, place, service)
    desk.act_as(None)

    async def session():
        app = make_app(desk)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            await every_area(app, pilot, title, surname, name, place, service)

    try:
        asyncio.run(session())
    finally:
        desk.conn.close()


EXAMPLES = itertools.count()
