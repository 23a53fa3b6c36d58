"""What a desk clerk meets at 80×24 besides the scan rhythm (issue 10): renewals that say
what happened, holds for a patron whose card was replaced, dates typed as shown, help
for the screen at hand, F12 with no accounts, refusals that go once fixed, bans and
duplicate identity codes in words, Finnish throughout."""

from __future__ import annotations

from datetime import date

from tiski.ui.screens.override import OverrideModal

from .conftest import make_app, scan, screen_lines, screen_text, settled

SIZE = (80, 24)
AINO, VIRTALA, LAINE = "2028000000001", "2028000000002", "2028000000005"


def toasts(app) -> str:
    from textual.widgets._toast import Toast

    return " ".join(str(toast.render()) for toast in app.screen.query(Toast))


async def test_a_renewal_that_changes_nothing_says_so(ui_desk):
    """Ctrl+R on a loan made today: "eräpäivä on jo … – ei muutosta", not "Jo lainassa
    tällä asiakkaalla". Mutation caught: the old wording (issue 10 #8)."""
    ui_desk.loans.checkout(VIRTALA, "1000000010")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await scan(pilot, VIRTALA)
        await pilot.press("ctrl+r")
        await settled(pilot)
        said = toasts(app)
        assert "eräpäivä on jo" in said and "ei muutosta" in said and "Jo lainassa" not in said


async def test_renew_all_lists_what_it_renewed_and_why_not_the_rest(ui_desk):
    """Liisa Laine: one loan renewed, one someone holds (and why not), one lent today
    (no change). Mutation caught: a count and the first refusal only."""
    from datetime import timedelta

    clock = ui_desk.test_clock
    clock.set(clock() - timedelta(days=10))
    ui_desk.loans.checkout(LAINE, "1000000020")
    ui_desk.loans.checkout(LAINE, "1000000021")
    ui_desk.holds.place(VIRTALA, "1000000021")
    clock.set(clock() + timedelta(days=10))
    ui_desk.loans.checkout(LAINE, "1000000022")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, LAINE)
        await pilot.press("ctrl+g")
        await settled(pilot)
        text = "\n".join(screen_lines(app))
        assert "Uusittu 1/3." in text
        assert "Uusittu: Kirja numero 20 – eräpäivä 30.12.2026" in text
        assert "Kirja numero 21: ei uusittu – " in text
        assert "Kirja numero 22: eräpäivä on jo 30.12.2026 – ei muutosta" in text


async def test_a_hold_for_a_patron_shown_by_a_replaced_card(ui_desk):
    """The old card scanned after a lost-card report: the patron is shown (the old card
    said to be closed) and the hold goes through on their valid card. Mutation caught:
    the action made with the scanned, closed card (CARD_LOST, issue 10 #9)."""
    ui_desk.patrons.report_lost_card(VIRTALA, "2028000000022")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, VIRTALA)
        assert "Virtala, Aino" in screen_text(app) and "suljettu" in screen_text(app)
        await pilot.press("ctrl+o")
        await settled(pilot)
        await scan(pilot, "1000000002", enter=False)
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert [h.title for h in ui_desk.patrons.view("2028000000022").holds] == ["Kirja numero 2"]


async def test_dates_are_typed_as_they_are_shown(ui_desk):
    """Register a child born 1.4.2016 (consent asked for), consent given 1.12.; a drop box
    emptied on 1.12.: each read by the core's one parser. Mutation caught: ISO only."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settled(pilot)
        await scan(pilot, "2028999000007\nEino\nLahtinen\n\n1.4.2016", enter=False, gap=0.03)
        assert app.screen.query_one("#row-guardian").display  # under 15: the consent rows
        app.screen.query_one("#r-guardian").value = "Aino Lahtinen"
        app.screen.query_one("#r-consent_date").value = "1.12."
        await pilot.press("ctrl+s")
        await settled(pilot)
        view = ui_desk.patrons.view("2028999000007")
        assert view.birth_date == date(2016, 4, 1) and view.consent_date == date(2026, 12, 1)
        await pilot.press("f4", "ctrl+b")
        await settled(pilot)
        await pilot.press("ctrl+u")
        await scan(pilot, "1.12.", gap=0.1)  # typed by a person: a scanner's burst would be held
        assert "PALAUTUSLUUKKU – palautukset päivätään 1.12.2026" in screen_text(app)


async def test_f1_shows_the_keys_of_the_screen_it_was_opened_on(ui_desk):
    """F3's help has the receipt and not the patron screen's tabs; F2's has renewals.
    Mutation caught: every screen's help listing the patron screen's keys (issue 10 #11)."""
    app = make_app(ui_desk)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("f3", "f1")
        await settled(pilot)
        text = screen_text(app)
        assert "Kuitti" in text and "Lainat / varaukset / maksut" not in text
        await pilot.press("escape", "f2", "f1")
        await settled(pilot)
        text = screen_text(app)
        assert "Uusinta" in text and "Lainat / varaukset / maksut" in text and "Kuitti" not in text


async def test_f12_with_no_accounts_says_what_it_would_do(ui_desk):
    """Mutation caught: F12 doing nothing and saying nothing."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f12")
        await settled(pilot)
        said = toasts(app)
        assert "lukitsisi" in said and "tiski staff add" in said


async def test_a_refusal_leaves_the_form_once_its_field_is_fixed(ui_desk):
    """A bad HETU refused on saving; another field edited: the refusal stays; the HETU
    edited: it goes. Mutation caught: a stale message left after the fix (issue 10 #13)."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settled(pilot)
        await scan(pilot, "2028999000008\nEino\nLahtinen\n131052-308X", enter=False, gap=0.03)
        await pilot.press("ctrl+s")
        await settled(pilot)
        error = app.screen.query_one("#form-error")
        assert str(error.render()).strip()
        app.screen.query_one("#r-phone").value = "040 123 4567"
        await settled(pilot)
        assert str(error.render()).strip()
        app.screen.query_one("#r-hetu").value = "131052-308T"
        await settled(pilot)
        assert not str(error.render()).strip()


async def test_a_ban_in_words_and_a_duplicate_identity_code_named(ui_desk):
    """F2 shows which ban, since when, until when, who gave it; registering an identity
    code already held names the card (masked name). Mutation caught: "lainaus-, käyttö-
    tai käyntikielto" (issue 10 #7)."""
    ui_desk.admin.add_ban(VIRTALA, "use", "Ilkivalta")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, VIRTALA)
        assert "Käyttökielto 2.12.2026 alkaen, toistaiseksi – antanut kaisa." in "\n".join(screen_lines(app))
        await pilot.press("escape", "ctrl+n")
        await settled(pilot)
        await scan(pilot, "2028999000009\nEino\nVirtanen\n131052-308T", enter=False, gap=0.03)
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert "kortti 2028000000001 (A*** V*******)" in str(app.screen.query_one("#form-error").render())


async def test_the_override_reason_is_in_sight_at_80_by_40(ui_desk):
    """Mutation caught: a field the layout hides at a taller terminal (issue 10 #3)."""
    app = make_app(ui_desk)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("f3")
        await scan(pilot, VIRTALA)
        await scan(pilot, "1000000001")
        assert isinstance(app.screen, OverrideModal)
        field = app.screen.query_one("#override-reason")
        assert field.region.height >= 1 and app.screen.find_widget(field) is not None
        assert any("esim. Koulun elokuvaviikko" in line for line in screen_lines(app))


async def test_finnish_throughout(ui_desk):
    """The palette's search, a choice not yet made, decimals with a comma, renewals and
    waivers in the desk's words; the returns list in a newly chosen language. Mutation
    caught: each untranslated text of issue 10 #15."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settled(pilot)
        assert "Hae toimintoa…" in screen_text(app) and "Search for commands" not in screen_text(app)
        await pilot.press("escape")
        await settled(pilot)
        await scan(pilot, VIRTALA)
        footer = screen_lines(app)[-1]
        assert "Uusinta" in footer
        assert "Mitätöi maksu" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f4")
        await scan(pilot, "1000000004")
        assert "palautettu" in screen_text(app)
        [english] = [c for c in app.get_system_commands(app.screen) if c.title == "In English"]
        english.callback()
        await settled(pilot)
        assert "returned" in screen_text(app) and "palautettu" not in screen_text(app)
        assert app.t.decimal(4.3) == "4.3" and make_app(ui_desk).t.decimal(4.3) == "4,3"
