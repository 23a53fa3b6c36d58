"""F7 — the catalogue at 80×24 (issue 12 §1): results as you type, off the UI loop and
debounced, diacritics folded; a scanned copy opens; a hold for the patron on screen;
an interlibrary loan when no member library has the title; a copy's life from its view."""

from __future__ import annotations

import threading

from tiski.desk.catalogue import NewItem
from tiski.ui.screens.catalogue import CatalogueScreen
from tiski.ui.screens.forms import ConfirmModal, FormModal
from tiski.ui.screens.item import ItemModal

from .conftest import burst, make_app, screen_lines, screen_text, shows

SIZE = (80, 24)


def with_titles(desk) -> None:
    desk.catalogue.add_item(NewItem(barcode="2000000001", title="Äänikirja Näsijärven rannalta",
                                    author="Mäkelä, Aila", isbn="9789510123454"))
    desk.catalogue.add_item(NewItem(barcode="2000000002", title="Äänikirja Näsijärven rannalta",
                                    author="Mäkelä, Aila", isbn="9789510123454", branch="ULV"))


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def to_catalogue(pilot) -> CatalogueScreen:
    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CatalogueScreen)
    return pilot.app.screen


async def test_typing_without_diacritics_finds_them(ui_desk):
    """'aanikirja nasi' finds 'Äänikirja Näsijärven rannalta' with both copies, their
    branches and statuses. Mutation caught: the results never shown (worker lost)."""
    with_titles(ui_desk)
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await type_text(pilot, "aanikirja nasi")
        text = await shows(pilot, "Äänikirja Näsijärven rannalta", "2000000002")
        assert "Mäkelä, Aila" in text and "ULV" in text and "2/2 hyllyssä" in text
        assert app.focused.id == "scan"


async def test_the_search_runs_off_the_ui_loop_after_the_last_key(ui_desk, monkeypatch):
    """Ten keys typed at once start at most a couple of searches, each in a thread of its own
    on its own connection. Mutation caught: a search per key, or on the UI thread."""
    from tiski.store import catalogue as catalogue_store

    seen = []
    original = catalogue_store.titles_matching

    def spy(conn, *args, **kwargs):
        seen.append((threading.current_thread() is threading.main_thread(), conn))
        return original(conn, *args, **kwargs)

    monkeypatch.setattr(catalogue_store, "titles_matching", spy)
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await type_text(pilot, "kirja numero 12")
        await shows(pilot, "Kirja numero 12")
        assert 1 <= len(seen) <= 2
        assert not any(on_main for on_main, _ in seen)
        assert all(conn is not ui_desk.conn for _, conn in seen)


async def test_a_scanned_barcode_opens_its_copy(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000003")
        await shows(pilot, "1000000003 · kirja · PORI")
        assert isinstance(app.screen, ItemModal) and app.screen.barcode == "1000000003"
        text = screen_text(app)
        assert "lainassa 30.12.2026 asti" in text and "varauksia jonossa 1" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)
        assert app.screen.query_one("#scan").value == ""  # ready for the next scan


async def test_a_copy_is_marked_lost_from_its_view_with_date_and_who(ui_desk):
    """L asks first; Enter (not within a scan's tail) marks it lost: the loan's patron is
    charged and the history says when and who."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000002")
        await shows(pilot, "1000000002 · kirja")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.pause(0.5)
        await pilot.press("enter")
        text = await shows(pilot, "kadonnut  (kaisa, PORI)")
        assert "2.12.2026 14:05  kadonnut  (kaisa, PORI)" in text
        assert ui_desk.catalogue.item_view("1000000002").status == "lost"
        assert ui_desk.fees.balance("2028000000001") == 1250 + 375 + 2500 + 500  # with the late fee earned


async def test_a_hold_on_the_title_for_the_patron_on_screen(ui_desk):
    """Ctrl+O: the pickup branch defaults to the desk's; Ctrl+S places it."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000002")  # Aino Virtala on the patron screen
        await to_catalogue(pilot)
        assert "Virtala" in await shows(pilot, "Asiakas:")
        await type_text(pilot, "kirja numero 20")
        await shows(pilot, "Kirja numero 20")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal)
        [hold] = ui_desk.patrons.view("2028000000002").holds
        assert (hold.title, hold.pickup_branch) == ("Kirja numero 20", "PORI")


async def test_a_patron_opened_by_a_lost_card_gets_the_hold_on_the_new_card(ui_desk):
    """Liisa's card reported lost, a new one issued; the old card scanned at F2 shows her
    with the new card. At F7, Ctrl+O places the hold. Mutation caught: the catalogue
    acting with the scanned (closed) card: "Kortti on ilmoitettu kadonneeksi"."""
    ui_desk.patrons.report_lost_card("2028000000005", "2028000000099")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000005")
        await to_catalogue(pilot)
        await type_text(pilot, "kirja numero 20")
        await shows(pilot, "Kirja numero 20")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal), screen_text(app)
        assert [h.title for h in ui_desk.patrons.view("2028000000099").holds][-1] == "Kirja numero 20"


async def test_a_patron_opened_by_a_lost_card_gets_the_ill_on_the_new_card(ui_desk):
    """The same with an interlibrary loan (Ctrl+L). Mutation caught: the order refused for
    the closed card."""
    ui_desk.patrons.report_lost_card("2028000000005", "2028000000099")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000005")
        await to_catalogue(pilot)
        await type_text(pilot, "porin historia")
        await shows(pilot, "ei löydy yhdestäkään jäsenkirjastosta")
        await pilot.press("ctrl+l")
        await pilot.pause()
        app.screen.query_one("#f-from").value = "Kansalliskirjasto"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal), screen_text(app)
        row = ui_desk.conn.execute("SELECT c.card FROM ill_requests r JOIN cards c ON c.patron_id = r.patron_id"
                                   " AND c.status = 'active'").fetchone()
        assert row[0] == "2028000000099"


async def test_an_interlibrary_loan_when_no_member_library_has_it(ui_desk):
    """Nothing found: Ctrl+L offers the ILL order with the words typed as its title; with
    copies in the consortium the key is not offered. Mutation caught: ILL offered for a
    title on our own shelves."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000005")  # Liisa Laine
        screen = await to_catalogue(pilot)
        await type_text(pilot, "kirja numero 7")
        await shows(pilot, "Kirja numero 7")
        assert not screen.check_action("ill", ())
        await pilot.press("escape")
        await type_text(pilot, "porin historia")
        await shows(pilot, "ei löydy yhdestäkään jäsenkirjastosta")
        await pilot.press("ctrl+l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.query_one("#f-title").value == "porin historia"
        form.query_one("#f-from").value = "Kansalliskirjasto"
        form.query_one("#f-price").value = "6,00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        row = ui_desk.conn.execute("SELECT title, from_library, price_cents FROM ill_requests").fetchone()
        assert tuple(row) == ("porin historia", "Kansalliskirjasto", 600)


async def test_an_interlibrary_loan_when_every_copy_is_lost_or_withdrawn(ui_desk):
    """Issue 12: a title whose copies are all lost or withdrawn is held by no member
    library: Ctrl+L is offered (with the title) as for a title with no copies; one copy
    only missing (it may turn up) still counts as held.
    Mutation caught: check_action("ill") testing `not chosen.copies` (lost and withdrawn
    copies keeping the key off); a missing copy counted as gone."""
    for barcode, title, isbn in (("3000000001", "Porin historia", "9789510396353"),
                                 ("3000000002", "Porin historia", "9789510396353"),  # the same title
                                 ("3000000003", "Ulvilan historia", None)):
        ui_desk.catalogue.add_item(NewItem(barcode=barcode, title=title, author="Kirjoittaja, Kalle", isbn=isbn))
    ui_desk.items.lost("3000000001")
    ui_desk.items.set_status("3000000002", "withdrawn")
    ui_desk.items.set_status("3000000003", "missing")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000005")  # Liisa Laine
        screen = await to_catalogue(pilot)
        await type_text(pilot, "ulvilan historia")
        await shows(pilot, "Ulvilan historia /", "kateissa")
        assert not screen.check_action("ill", ())
        await pilot.press("escape")
        await type_text(pilot, "porin historia")
        await shows(pilot, "Porin historia /", "poistettu kokoelmasta")
        assert screen.check_action("ill", ())
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-title").value == "Porin historia"


async def test_the_catalogue_fits_80_columns_in_english(ui_desk):
    """Nothing the clerk needs is cut off at 80×24 in English: the copy's row to the end
    of its shelf location (the call number is how the book is found), every column
    heading, the patron line and every key label in the footer whole, and no '…'
    anywhere. (An 80-wide screen never has a longer line: the test used to count the
    characters per line, and could not fail.)
    Mutation caught: an English status, heading or key label made longer (e.g. "on loan
    until" → "on loan to a patron until"), or a location a few letters longer — the
    row's end or the footer's last label falls off the screen."""
    ui_desk.conn.execute("UPDATE items SET shelf = 'Aikuisten kaunokirjat', call_number = '84.2 KIR'"
                         " WHERE barcode = '1000000001'")
    app = make_app(ui_desk, lang="en")
    t = app.t
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await type_text(pilot, "kirja numero 1")
        await shows(pilot, "Kirja numero 1 /", "on loan until")
        lines = screen_lines(app)
        text = "\n".join(lines)
        assert "…" not in text
        [row] = [line for line in lines if "1000000001" in line]
        assert row.split() == ["1000000001", "PORI", "on", "loan", "until", "17.11.2026", "Aikuisten",
                               "kaunokirjat", "84.2", "KIR"], row
        assert any(line.split() == [t("ui.col_barcode"), t("catalogue.col_branch"), t("catalogue.col_status"),
                                    t("catalogue.col_location")] for line in lines)
        assert t("catalogue.no_patron") in text
        footer = lines[-1]
        shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show]
        labels = {b.group.description if b.group else b.description for b in shown}
        assert labels and all(label in footer for label in labels), (footer, labels)


async def test_a_scan_while_the_question_is_open_answers_nothing(ui_desk):
    """L asks "lost?"; the clerk scans the next book before answering: the scan's Enter
    is no yes, the copy is not lost and the question stays. Mutation caught: the
    ConfirmModal taking a scanner's Enter (more than SCAN_TAIL after it opened) as yes."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000002")
        await shows(pilot, "1000000002 · kirja")
        await pilot.press("l")
        await pilot.pause(0.6)
        assert isinstance(app.screen, ConfirmModal)
        await burst(pilot, "1000000005")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert ui_desk.catalogue.item_view("1000000002").status == "on_loan"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ItemModal)
        assert ui_desk.catalogue.item_view("1000000002").status == "on_loan"


async def test_a_copy_scanned_in_the_copys_view_opens_in_its_place(ui_desk):
    """The copy's view is open and the clerk scans the next book: that copy is shown; an
    unknown barcode is said and the view stays. Mutation caught: the scan dropped."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000002")
        await shows(pilot, "1000000002 · kirja")
        await burst(pilot, "1000000005")
        text = await shows(pilot, "Kirja numero 5 /", "1000000005 · kirja")
        assert "hyllyssä" in text and isinstance(app.screen, ItemModal) and app.screen.barcode == "1000000005"
        await burst(pilot, "9999999999")
        await pilot.pause()
        assert app.screen.barcode == "1000000005"
        assert "1000000005 · kirja" in screen_text(app)


async def test_markup_in_a_title_is_shown_as_written(ui_desk):
    """A title and an author with Rich markup ("[/]", "[bold]…") are shown, held and lost
    as plain text: in the results, the copy's view, the hold's form and its toast.
    Mutation caught: any of these rendered as markup (a MarkupError, or the brackets gone)."""
    title, author = "[/] Kirja [bold]lihava[/bold]", "[red]Punainen[/]"
    ui_desk.catalogue.add_item(NewItem(barcode="3000000001", title=title, author=author))
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000005")  # Liisa Laine
        await to_catalogue(pilot)
        await type_text(pilot, "kirja lihava")
        assert f"{title} / {author}" in await shows(pilot, "lihava[/bold]")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, FormModal) and title in screen_text(app)
        await pilot.press("ctrl+s")
        assert title in await shows(pilot, "[/] Kirja [bold]lihava[/bold]", line=None)
        [hold] = ui_desk.patrons.view("2028000000005").holds[-1:]
        assert hold.title == title
        await pilot.press("enter")
        await shows(pilot, "3000000001 · kirja")
        assert f"{title} / {author}" in screen_text(app)
        await pilot.press("l")
        await pilot.pause(0.6)
        await pilot.press("enter")
        await shows(pilot, "kadonnut  (kaisa, PORI)")
        assert f"{title} / {author}" in screen_text(app)


async def answer_yes(pilot) -> None:
    await pilot.pause(0.5)  # past a scan's tail: a person's Enter
    await pilot.press("enter")
    await pilot.pause()


async def test_a_copys_life_from_its_view_by_keys_alone(ui_desk):
    """C on a loan: claimed returned (the catalogue says since when and who); W on it is
    refused in words; then, on the shelf, M missing and A back in use, each in the history.
    Mutation caught: a key bound to the wrong move, or a refusal raised past the view."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000004")  # on loan to Aino Virtala
        await shows(pilot, "1000000004 · kirja")
        await pilot.press("c")
        await answer_yes(pilot)
        text = await shows(pilot, "asiakas väittää palauttaneensa  (kaisa, PORI)")
        assert "väitetty palautetuksi" in text
        assert ui_desk.catalogue.item_view("1000000004").status == "claims_returned"
        await pilot.press("w")
        await answer_yes(pilot)
        text = await shows(pilot, "Ei mahdollista nyt: väitetty")  # the toast, wrapped in its box
        assert "Ei mahdollista nyt: väitetty\n▌palautetuksi." in text
        assert ui_desk.catalogue.item_view("1000000004").status == "claims_returned"
        await pilot.press("escape")
        await type_text(pilot, "kirja numero 4")
        assert "väitetty palautetuksi 2.12.2026 (kaisa)" in await shows(pilot, "väitetty palautetuksi 2.12")

        await pilot.press("escape")
        await burst(pilot, "1000000008")
        await shows(pilot, "1000000008 · kirja")
        await pilot.press("m")
        await answer_yes(pilot)
        await shows(pilot, "kateissa  (kaisa, PORI)")
        assert ui_desk.catalogue.item_view("1000000008").status == "missing"
        await pilot.press("a")
        await answer_yes(pilot)
        text = await shows(pilot, "löytyi  (kaisa, PORI)")
        assert ui_desk.catalogue.item_view("1000000008").status == "available"
        assert text.index("kateissa") < text.index("löytyi")


async def test_a_lost_copy_returned_is_found_and_refunded_at_the_returns(ui_desk):
    """Lost from the catalogue, then scanned in at F4: the line says it was found and the
    replacement given back (a credit: the balance falls by the price, not the late fee).
    Mutation caught: the refund not said, or not made."""
    ui_desk.items.lost("1000000002")
    before = ui_desk.fees.balance("2028000000001")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000002")
        text = await shows(pilot, "Löytyi (kadonnut).")
        assert "Korvaus hyvitetty: 25,00 €." in text
    assert ui_desk.fees.balance("2028000000001") == before - 2500
    assert ui_desk.catalogue.item_view("1000000002").status == "available"


async def test_damaged_at_the_return_by_keys_alone(ui_desk):
    """Ctrl+R, the copy scanned into the form, the note typed, Enter, the charge, Enter:
    no mouse and no Ctrl+S needed. Mutation caught: Enter in the last field not saving."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        await burst(pilot, "1000000004")
        await type_text(pilot, "kansi irti")
        await pilot.press("enter")
        await type_text(pilot, "4,50")
        await pilot.press("enter")
        await shows(pilot, "vahingoittunut, korjaukseen")
        assert app.focused.id == "scan"
    view = ui_desk.catalogue.item_view("1000000004")
    assert view.status == "repair" and view.history[-1].note == "kansi irti"
    assert ui_desk.fees.balance("2028000000002") == 450


async def test_a_search_when_the_register_is_busy_says_so_and_the_desk_stays(ui_desk, monkeypatch):
    """The search thread meets a busy register: the desk says so in words, stays on the
    catalogue with what was typed, and the next search works. Mutation caught: a failed
    search worker ending the desk (Textual's default for a worker's error)."""
    from tiski.core.errors import Unavailable
    from tiski.store import catalogue as catalogue_store

    original = catalogue_store.titles_matching
    busy = [True]

    def flaky(conn, *args, **kwargs):
        if busy[0]:
            raise Unavailable("busy")
        return original(conn, *args, **kwargs)

    monkeypatch.setattr(catalogue_store, "titles_matching", flaky)
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_catalogue(pilot)
        await type_text(pilot, "kirja numero 12")
        await shows(pilot, "Rekisteri on juuri nyt varattu")
        assert isinstance(app.screen, CatalogueScreen) and app.screen.query_one("#scan").value == "kirja numero 12"
        busy[0] = False
        await pilot.press("backspace")
        await type_text(pilot, "2")
        await shows(pilot, "Kirja numero 12 /")


async def test_a_long_history_opens_at_its_latest_change(ui_desk):
    """Twenty-one changes do not fit 80×24: the view opens on the latest (withdrawn),
    the older ones above it. Mutation caught: the history shown from its start, the
    copy's present state out of sight."""
    for status in ("missing", "available") * 10 + ("withdrawn",):
        ui_desk.items.set_status("1000000008", status)
    app = make_app(ui_desk, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000008")
        assert "14:05  withdrawn  (kaisa, PORI)" in await shows(pilot, "withdrawn  (kaisa")


async def test_a_copy_released_from_its_view_prints_its_slip(ui_desk, tmp_path):
    """Issue 12 §3: A (available) in the copy's view checks the copy in here, as a return
    does — so it gets the same slips. No. 6 in repair, released while Liisa's hold waits
    for its title: trapped, its hold slip saved (shelf number, initials, no name). No. 35
    (ULV's) missing, found at PORI: a transfer slip naming Ulvilan kirjasto.
    Mutation caught: ItemModal.action_status not calling deliver_slips (the copy trapped
    or sent off without a paper, as before the fix)."""
    from .test_worklists_and_slips import papers

    ui_desk.items.set_status("1000000006", "repair")
    ui_desk.items.set_status("1000000035", "missing")
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await to_catalogue(pilot)
        await burst(pilot, "1000000006")
        await shows(pilot, "1000000006 · kirja")
        await pilot.press("a")
        await answer_yes(pilot)
        await shows(pilot, "varaushyllyssä")
        assert ui_desk.catalogue.item_view("1000000006").status == "waiting"
        [(name, slip)] = papers(tmp_path).items()
        assert name.startswith("varaus-") and "001" in slip and "L. L." in slip and "Laine" not in slip

        await burst(pilot, "1000000035")
        await shows(pilot, "1000000035 · kirja · ULV")
        await pilot.press("a")
        await answer_yes(pilot)
        await shows(pilot, "kuljetuksessa")
        transfers = [text for name, text in papers(tmp_path).items() if name.startswith("siirto-")]
        assert len(transfers) == 1 and "ULVILAN KIRJASTO" in transfers[0]
