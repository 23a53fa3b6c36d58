"""F6 — the book bag in the TUI: the interview as a draft, resumed, completed;
picking and packing with the scanner."""

from __future__ import annotations

import pytest
from textual import events

from tiski.ui.screens.forms import ConfirmModal
from tiski.ui.screens.question import SCAN_TAIL
from tiski.ui.screens.kirjakassi_interview import InterviewScreen
from tiski.ui.screens.kirjakassi_pack import PackScreen

from .conftest import book_bag_client, burst, make_app, screen_text

SIZE = (80, 24)


@pytest.fixture
def kk_desk(ui_desk):
    book_bag_client(ui_desk)
    return ui_desk


async def open_interview(pilot) -> None:
    """F6, then the interview of the client chosen (the only one)."""
    await pilot.press("f6")
    await pilot.pause()
    await pilot.press("ctrl+w")
    await pilot.pause()


async def picks_ready(pilot) -> None:
    """The pick list is made in a worker thread: wait for it, then for the screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_pick_list_is_made_in_a_worker_on_a_connection_of_its_own(kk_desk):
    """The shelves are read off the UI thread, and the desk's own connection is only
    ever used on the UI thread (SQLite connections must not be shared between threads).
    Mutation caught: the worker calling the app's desk (its connection from a second
    thread), or the pick list made on the UI loop."""
    import threading

    kk_desk.kirjakassi.save_interview("2028000000050", {"genres": ["dekkarit"]}, complete=True)
    threads: set[str] = set()
    kk_desk.conn.set_trace_callback(lambda _: threads.add(threading.current_thread().name))
    picked_in: list[str] = []
    pick_list = type(kk_desk.kirjakassi).pick_list

    def spy(area, card):
        picked_in.append(threading.current_thread().name)
        return pick_list(area, card)

    type(kk_desk.kirjakassi).pick_list = spy
    try:
        app = make_app(kk_desk)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f6")
            await pilot.pause()
            await pilot.press("enter")
            await picks_ready(pilot)
            assert [p.candidate.barcode for p in app.screen.picks][:2] == ["KK0000", "KK0001"]
    finally:
        type(kk_desk.kirjakassi).pick_list = pick_list
        kk_desk.conn.set_trace_callback(None)
    main = threading.main_thread().name
    assert picked_in and main not in picked_in
    assert threads == {main}


async def test_the_interview_saved_as_a_draft_resumed_and_completed(kk_desk):
    app = make_app(kk_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot)
        assert isinstance(app.screen, InterviewScreen)
        await burst(pilot, "dekkarit, romaanit", enter=False)
        await pilot.press("ctrl+s")  # a draft: the phone call was cut short
        await pilot.pause()
        assert kk_desk.kirjakassi.interviews("2028000000050")[0].status == "draft"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+w")  # later: the draft is there to go on with
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#k-genres").value == "dekkarit, romaanit"
        await pilot.press("pagedown")  # authors
        await pilot.pause()
        await burst(pilot, "kallentoft", enter=False)
        await pilot.press("pagedown", "pagedown")  # formats, then things to avoid
        await pilot.pause()
        await burst(pilot, "kauhukirjallisuus", enter=False)
        await pilot.press("ctrl+d")
        await pilot.pause()
        [interview] = kk_desk.kirjakassi.interviews("2028000000050")
        assert interview.status == "complete" and interview.interviewer == "kaisa"
        assert interview.answers["liked_authors"] == ["kallentoft"]
        assert interview.answers["avoid"] == ["kauhukirjallisuus"]
        assert not isinstance(app.screen, InterviewScreen)


async def test_leaving_the_interview_keeps_what_was_typed(kk_desk):
    app = make_app(kk_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot)
        await burst(pilot, "runot", enter=False)
        await pilot.press("escape")
        await pilot.pause()
        assert kk_desk.kirjakassi.interviews("2028000000050")[0].answers["genres"] == ["runot"]


async def test_picking_and_packing_with_the_scanner(kk_desk):
    kk_desk.kirjakassi.save_interview("2028000000050", {"genres": ["dekkarit", "romaanit"], "liked_authors": ["kallentoft"],
                                             "avoid": ["kauhukirjallisuus"], "media": ["regular_print"]},
                           complete=True)
    app = make_app(kk_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("enter")
        await picks_ready(pilot)
        assert isinstance(app.screen, PackScreen)
        screen = app.screen
        barcodes = [p.candidate.barcode for p in screen.picks]
        assert barcodes[0] == "KK0000" and "KK0003" not in barcodes  # liked first, horror never
        assert "pidetty kirjailija Kallentoft, Mons" in str(screen.query_one("#picks").get_row_at(0)[2])
        await pilot.press("down", "ctrl+x")  # staff skip the second suggestion
        await pilot.pause()
        assert "KK0001" not in [p.candidate.barcode for p in screen.picks]
        await burst(pilot, "KK0000")
        await picks_ready(pilot)
        await burst(pilot, "KK0002")
        await picks_ready(pilot)
        assert "KK0001" not in [p.candidate.barcode for p in screen.picks]  # skipped stays skipped
        delivery, items = kk_desk.kirjakassi.bag("2028000000050")
        assert sorted(i.barcode for i in items) == ["KK0000", "KK0002"]
        assert "Kassissa:" in screen_text(app)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, PackScreen)
        assert "pakattu" in screen_text(app)


async def test_leaving_an_interview_the_rules_refuse_asks_before_dropping_it(kk_desk):
    app = make_app(kk_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot)
        app.screen.query_one("#k-amount").value = "500"  # over the most a bag holds
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # no: back to correct it
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.query_one("#k-amount").value == "500"
        await pilot.press("escape")
        await pilot.pause(SCAN_TAIL + 0.05)
        await pilot.press("enter")  # yes: leave without saving
        await pilot.pause()
        assert not isinstance(app.screen, (InterviewScreen, ConfirmModal))
        assert kk_desk.kirjakassi.interviews("2028000000050") == []


async def test_the_wishes_may_run_over_several_lines(kk_desk):
    app = make_app(kk_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot)
        area = app.screen.query_one("#k-wishes")
        area.focus()
        app.post_message(events.Paste("Pidän Karjalasta.\r\nEi sotakirjoja.\x1b[2J"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert kk_desk.kirjakassi.interviews("2028000000050")[0].answers["wishes"] == "Pidän Karjalasta.\nEi sotakirjoja.[2J"
