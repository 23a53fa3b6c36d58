"""F2 — finding a patron and acting for them, keyboard only, at 80×24."""

from __future__ import annotations

from tiski.ui.screens.forms import FormModal
from tiski.ui.screens.patron import SEARCH_DELAY
from tiski.ui.screens.register import RegisterScreen

from .conftest import burst, make_app, scan, screen_text

SIZE = (80, 24)


async def open_card(pilot, card: str) -> None:
    await burst(pilot, card)


async def test_a_scanned_card_opens_the_patron_at_once(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        assert app.patron_card == "2028000000001"
        text = screen_text(app)
        assert "Virtanen, Aino" in text and "74 v" in text
        assert "131052-****" in text and "131052-308T" not in text  # HETU masked
        assert "Maksuja 12,50 €" in text  # the block in words, with the amount
        assert "Lainat (3)" in text


async def test_typed_names_list_namesakes_with_birth_years(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "aino vir", enter=False)
        await pilot.pause(SEARCH_DELAY + 0.2)  # the search starts when the typing pauses
        results = app.screen.query_one("#results")
        prompts = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert len(prompts) == 2
        assert any("1952" in p for p in prompts) and any("1988" in p for p in prompts)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.patron_card == results_card(prompts[1])


def results_card(prompt: str) -> str:
    return prompt.split()[-1]


async def test_escape_clears_the_patron_from_the_screen(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000005")
        assert "Laine" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.patron_card is None
        assert "Laine" not in screen_text(app)


async def test_a_loan_made_elsewhere_shows_on_the_patron_screen_within_a_second(ui_desk, db_path):
    """A self-service machine or another desk lends to the patron on screen: their loans
    show it within a second (issue 14, item 7), the row under the cursor stays, and a
    patron no longer on screen is not read again. Catches: no tick (the loan never
    shows), a tick that ignores data_version changes, one that keeps running without a
    patron (a read of nobody's data every second)."""
    from tiski.desk import Desk
    from tiski.store.db import connect

    app = make_app(ui_desk)
    machine = Desk(connect(db_path), clock=ui_desk.test_clock, branch="PORI", staff="kaisa")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_card(pilot, "2028000000005")
            assert "Lainat (0)" in screen_text(app)
            machine.loans.checkout("2028000000005", "1000000010")
            for _ in range(15):  # the tick is once a second
                await pilot.pause(0.1)
                if "Lainat (1)" in screen_text(app):
                    break
            assert "Lainat (1)" in screen_text(app) and "Kirja numero 10" in screen_text(app)
            reads = []
            app.screen.desk.patrons.view = lambda *a, **k: reads.append(a)  # type: ignore[method-assign]
            await pilot.press("escape")
            await pilot.pause()
            machine.loans.checkout("2028000000005", "1000000011")
            await pilot.pause(1.3)
            assert reads == [] and app.screen._watcher is not None and not app.screen._watcher._active.is_set()
    finally:
        machine.conn.close()


async def test_idle_time_clears_the_patron(ui_desk):
    from textual import events

    import time

    app = make_app(ui_desk, idle_clear_seconds=6.0)  # wide margins: a loaded CI machine is slow
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000005")
        await pilot.pause(3.5)
        app.post_message(events.Key("pagedown", None))  # activity restarts the wait
        await pilot.pause(3.5)
        assert app.patron_card == "2028000000005"  # 7 s since opened, 3.5 s since the key
        deadline = time.monotonic() + 20
        while app.patron_card is not None and time.monotonic() < deadline:
            await pilot.pause(0.2)
        assert app.patron_card is None
        assert "Laine" not in screen_text(app)


async def test_overdue_loans_are_marked_and_renew_one(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000002")  # Aino Virtala: one loan, nothing blocks her
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert ui_desk.patrons.view("2028000000002").loans[0].renewals == 0  # same day: nothing to renew
        ui_desk.test_clock.advance(days=10)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert ui_desk.patrons.view("2028000000002").loans[0].renewals == 1


async def test_overdue_is_highlighted(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        text = screen_text(app)
        assert "! 17.11.2026" in text  # loaned 20.10., due 17.11.: overdue on 2.12.


async def test_pay_a_fee_typed_with_a_comma(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+u")
        await scan(pilot, "2,50", gap=0.1)  # by hand: a scanner's burst is held, not paid
        assert not isinstance(app.screen, FormModal)
        assert ui_desk.fees.balance("2028000000001") == 1000
        assert app.focused.id == "scan"  # the scan field has focus again


async def test_a_refused_payment_keeps_the_form_open_with_the_reason(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await scan(pilot, "99,00", gap=0.1)
        assert isinstance(app.screen, FormModal)
        assert "suurempi kuin maksettavaa" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert ui_desk.fees.balance("2028000000001") == 1250


async def test_waive_asks_for_a_reason(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        await pilot.press("ctrl+b")
        await pilot.pause()
        await scan(pilot, "2.50", gap=0.1)
        await pilot.press("enter")  # no reason
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await scan(pilot, "Nide löytyi", gap=0.1)
        assert ui_desk.fees.balance("2028000000001") == 1000


async def test_place_a_hold_by_scanning_the_item(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000002")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await burst(pilot, "1000000002")
        await pilot.press("ctrl+s")
        await pilot.pause()
        holds = ui_desk.patrons.view("2028000000002").holds
        assert [h.title for h in holds] == ["Kirja numero 2"]


async def test_report_a_lost_card_and_issue_a_new_one(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000005")
        await pilot.press("ctrl+l")
        await pilot.pause()
        await burst(pilot, "2028000000099")
        assert app.patron_card == "2028000000099"
        assert ui_desk.patrons.view("2028000000005").card_status == "lost"


async def test_edit_contact_details(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000005")
        await pilot.press("ctrl+y")
        await pilot.pause()
        await burst(pilot, "050 111 2222", enter=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ui_desk.patrons.view("2028000000005").phone == "050 111 2222"


async def test_register_a_child_with_live_hetu_check_and_consent(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        screen = app.screen
        assert not screen.query_one("#row-guardian").display
        await burst(pilot, "2028000000077")
        await burst(pilot, "Eeli")
        await burst(pilot, "Laine")
        await burst(pilot, "010203A002", enter=False)
        assert "…" in str(screen.query_one("#hetu-status").render())
        await pilot.press("4")  # a wrong check character
        await pilot.pause()
        assert "ei kelpaa" in str(screen.query_one("#hetu-status").render())
        await pilot.press("backspace", "3")
        await pilot.pause()
        assert "1.2.2003" in str(screen.query_one("#hetu-status").render())
        assert not screen.query_one("#row-guardian").display  # 23 years old
        await pilot.press("ctrl+u")
        await burst(pilot, "010217A002P", enter=False)  # born 2017: consent needed
        assert screen.query_one("#row-guardian").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "suostumuksen" in str(screen.query_one("#form-error").render())  # CONSENT_MISSING: form stays
        screen.query_one("#r-guardian").value = "Liisa Laine"
        screen.query_one("#r-consent_date").value = "2026-12-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.patron_card == "2028000000077"
        assert ui_desk.patrons.view("2028000000077").category == "child"


async def test_an_organisation_needs_its_responsible_person(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#r-organisation").value = True
        await pilot.pause()
        assert not screen.query_one("#row-hetu").display and screen.query_one("#row-responsible").display
        screen.query_one("#r-card").value = "2029000000001"
        screen.query_one("#r-last").value = "Päiväkoti Mustikka"
        screen.query_one("#r-responsible").value = "Rehtori Ruusu"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ui_desk.patrons.view("2029000000001").category == "organisation"


async def test_a_loan_claimed_returned_is_marked_not_overdue(ui_desk):
    """Issue 12: Aino's overdue no. 1 is claimed returned; the loans table marks it in
    words (in the desk's language) instead of the overdue "!", and the overdue alert
    counts only no. 2. Mutation caught: the screen showing the claim as an ordinary
    overdue loan; the marker not translated."""
    ui_desk.items.claims_returned("1000000001")
    for lang, marker in (("fi", "väitetty palautetuksi"), ("en", "claims returned")):
        app = make_app(ui_desk, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await open_card(pilot, "2028000000001")
            table = app.screen.query_one("#loans")
            cells = [str(c) for c in table.get_row("1000000001")]
            assert any(marker in c for c in cells) and not any(c.startswith("! ") for c in cells), cells
            other = [str(c) for c in table.get_row("1000000002")]
            assert any(c.startswith("! ") for c in other) and not any(marker in c for c in other)
            if lang == "fi":
                assert "Myöhässä 1, vanhin eräpäivä 17.11.2026" in screen_text(app)


async def test_the_highlighted_loans_copy_opens_from_the_patron(ui_desk):
    """Issue 12: Ctrl+E on the loans tab opens the highlighted loan's copy in the same
    view the catalogue opens; there it can be marked lost (or claimed returned,
    damaged), and the patron is read afresh when it closes. The key is labelled in the
    desk's language. Mutation caught: no such key (a lost or claimed loan reachable
    only through the catalogue); the first loan opened whichever row is highlighted."""
    from tiski.ui.screens.item import ItemModal

    from .test_catalogue_screen import answer_yes

    app = make_app(ui_desk, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot, "2028000000001")
        labels = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Open the loan's copy" in labels
        await pilot.press("down")  # the second loan
        await pilot.press("pagedown")  # on the holds tab: the key goes back to the loans
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal) and app.screen.barcode == "1000000002"
        await pilot.press("l")
        await answer_yes(pilot)
        assert ui_desk.catalogue.item_view("1000000002").status == "lost"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ItemModal)
        assert "Loans (2)" in screen_text(app)
        assert app.focused.id == "scan"
