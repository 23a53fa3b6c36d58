"""Around the desk: help, the command palette, languages, colours."""

from __future__ import annotations

from tiski.ui.screens.help import HelpScreen

from .conftest import burst, make_app, screen_text, shows

SIZE = (80, 24)
AREA_KEYS = ("f1", "f2", "f3", "f4")


async def test_f1_lists_every_key_of_the_desk_and_the_screen(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-keys").render()) + str(app.screen.query_one("#help-desk-keys").render())
        patron_screen = app.screen_stack[-2]
        for binding in list(app.BINDINGS) + list(type(patron_screen).BINDINGS):
            if binding.description:
                assert app.t(binding.description) in help_text, binding.key
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused.id == "scan"


async def test_the_footer_shows_the_keys_in_use_in_80_columns(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        labels = ("Ohje", "f2f3f4f5", "Alueet", "Uusi", "Maksa", "Tyhjennä")
        footer = await shows(pilot, *labels, line=-1)
        for label in labels:
            assert label in footer, footer


async def test_the_command_palette_lists_every_action(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for key in ("help", "patron", "checkout", "returns", "renew", "renew_all", "pay", "waive", "hold",
                    "lost_card", "edit", "register", "quit"):
            assert app.t(f"key.{key}") in titles, key
        await pilot.press("f4")
        await pilot.pause()
        assert app.t("key.dropbox") in {c.title for c in app.get_system_commands(app.screen)}


async def test_english_and_swedish_are_complete(ui_desk):
    for lang, words in (("en", ("Patron", "Areas", "Help", "Scan the card")), ("sv", ("Hjälp", "Områden"))):
        app = make_app(ui_desk, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            text = await shows(pilot, *words)
            for word in words:
                assert word in text, (lang, word)


async def test_the_language_switches_live_from_the_palette(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        assert "Lainat (3)" in screen_text(app)
        [english] = [c for c in app.get_system_commands(app.screen) if c.title == "In English"]
        english.callback()
        await pilot.pause()
        text = screen_text(app)
        assert "Loans (3)" in text and "Lainat" not in text
        assert "Fees 12.50 €" in text  # money the English way
        assert app.patron_card == "2028000000001"
        await pilot.press("f3")
        await pilot.pause()
        assert "Checkout" in screen_text(app)


async def test_dates_and_money_the_finnish_way(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        text = screen_text(app)
        assert "ke 2.12.2026 14:05" in text
        assert "Maksut 12,50 €" in text


async def test_monochrome_keeps_every_meaning(ui_desk, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        text = screen_text(app)
        assert "⛔" in text and "! 17.11.2026" in text  # blocks and overdue loans marked, not just coloured


async def test_sixteen_colour_terminals_get_the_ansi_theme(ui_desk, monkeypatch):
    monkeypatch.setenv("TISKI_THEME", "ansi")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE):
        assert app.theme == "ansi-dark"
