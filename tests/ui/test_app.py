"""Around the desk: help, the command palette, languages, colours."""

from __future__ import annotations

import pytest

from tiski.ui.screens.help import HelpScreen

from .conftest import burst, make_app, screen_lines, screen_text, shows

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
    """The areas' keys as one range with their label. Mutation caught: the keys run
    together ("f2f3f4f5f6f7f8f9f10f11 Alueet")."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        labels = ("Ohje", "f2–f11 Alueet", "Uusinta", "Maksa", "Tyhjennä")
        footer = await shows(pilot, *labels, line=-1)
        for label in labels:
            assert label in footer, footer


@pytest.mark.parametrize("keys", [("f6", "enter"), ("f4",), ("f11",)], ids=["packing", "returns", "notices"])
async def test_the_areas_label_stays_whole_in_80_columns(ui_desk, keys):
    """The pick-and-pack screen (F6, Enter), returns and notices — the screens with the
    most keys of their own — end the line with help and the areas, whole, in each
    language, the screen's first key first. Mutation caught: the areas'
    keys spelled out one by one ("f2f3f4f5f6f7f8f9f10f11"), which cuts "Alueet" (or
    the whole areas entry) off the line."""
    from .conftest import book_bag_client

    book_bag_client(ui_desk, rhythm_weeks=1, weekday="thu")
    ui_desk.kirjakassi.save_interview("2028000000050", {"genres": ["dekkarit"]}, complete=True)
    for lang, areas in (("fi", "Ohje f2–f11 Alueet"), ("sv", "Hjälp f2–f11 Områden"), ("en", "Help f2–f11 Areas")):
        app = make_app(ui_desk, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await shows(pilot, areas.split()[-1], line=-1)
            footer = " ".join(screen_lines(app)[-1].split())  # one space between words
            assert footer.endswith(areas) and len(screen_lines(app)[-1]) <= 80, footer
            first = next(a.binding for a in app.screen.active_bindings.values()
                         if a.binding.show and a.enabled and a.node is not app)
            assert footer.startswith(f"{app.get_key_display(first)} {app.t(first.description)} "), footer


def test_keys_that_share_a_label():
    """A run of function keys as a range; any other set with a separator between."""
    from tiski.ui.widgets.key_bar import keys_together

    assert keys_together(["f2", "f3", "f4", "f5"]) == "f2–f5"
    assert keys_together(["f2", "f3", "f7"]) == "f2/f3/f7"
    assert keys_together(["f2", "f3"]) == "f2–f3"
    assert keys_together(["f2", "f4"]) == "f2/f4"
    assert keys_together(["^o", "^l", "^k"]) == "^o/^l/^k"


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
