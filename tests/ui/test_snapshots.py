"""Each screen at 80×24 on fixed data and a fixed clock (pytest-textual-snapshot).
Update after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from tiski.ui.screens.question import SCAN_TAIL

from .conftest import book_bag_client, burst, make_app, scan, settled

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_theme(monkeypatch):
    monkeypatch.setenv("TISKI_THEME", "tiski")
    monkeypatch.delenv("NO_COLOR", raising=False)


def typed(*steps):
    """run_before: each step is text to scan (ending in Enter), a key name in <>,
    "~text" typed by a person (no Enter), "…" a person's pause (past a question's
    guard against the scanner), or "⚙" waiting for the workers (the pick list)."""

    async def run(pilot):
        for step in steps:
            if step.startswith("<"):
                await pilot.press(step.strip("<>"))
                await settled(pilot)
            elif step.startswith("~"):
                await scan(pilot, step[1:], enter=False, gap=0.1)
            elif step == "…":
                await pilot.pause(SCAN_TAIL + 0.1)
            elif step == "⚙":
                await pilot.app.workers.wait_for_complete()
                await settled(pilot)
            else:
                await burst(pilot, step)
        await settled(pilot)

    return run


def test_patron_screen_empty(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE)


def test_patron_search_results(snap_compare, ui_desk):
    async def run(pilot):
        await burst(pilot, "virt", enter=False)
        await pilot.pause(0.4)  # the search starts when the typing pauses
        await settled(pilot)

    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=run)


def test_patron_blocked_with_loans(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_patron_holds_tab(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000005", "<pagedown>"))


def test_register_form(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<ctrl+n>"))


def test_checkout_session(snap_compare, ui_desk):
    steps = typed("<f3>", "2028000000002", "1000000010", "1000000011", "1000000011", "999", "1000000040")
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=steps)


def test_override_modal(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000001"))


def test_returns_with_hold_shelf_alert(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f4>", "1000000002", "1000000003"))


def test_help(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<f1>"))


def test_patron_in_english(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="en"), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_checkout_in_swedish(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="sv"), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000010"))


@pytest.fixture
def dt_desk(ui_desk):
    from datetime import datetime

    ui_desk.bookings.add_hours("wed", "12:00", "14:00")
    ui_desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    ui_desk.digituki.seed_referral_services()
    clock = ui_desk.test_clock
    clock.set(datetime(2026, 12, 2, 12, 5))
    ui_desk.digituki.queue_add("Aino", "e_services", "own_phone")
    ui_desk.digituki.queue_add("Eino", "device_use", "own_tablet", "sv")
    ui_desk.digituki.queue_add(None, "social_email", "library_computer")
    ui_desk.digituki.call_next("kaisa")
    ui_desk.bookings.book("2026-12-03T10:00", "Liisa", "library_services", phone="040 111 2222")
    ui_desk.bookings.add_callback("Matti", "050 765 4321", "e_services", wish_from="2026-12-03T09:00",
                         wish_to="2026-12-03T11:00")
    clock.set(datetime(2026, 12, 2, 12, 31))
    return ui_desk


def test_digituki_queue(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>"))


def test_digituki_appointments(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+o>"))


def test_digituki_callbacks(snap_compare, dt_desk):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+k>"))


def test_digituki_statistics(snap_compare, dt_desk):
    visit = dt_desk.digituki.queue_view().serving[0]
    dt_desk.digituki.finish_visit(visit.id, "referred", referral="Kela")
    dt_desk.digituki.close_days(include_today=True)
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed("<f5>", "<ctrl+g>"))


@pytest.fixture
def kk_desk(ui_desk):
    desk = ui_desk
    book_bag_client(desk, rhythm_weeks=1, weekday="thu")
    desk.kirjakassi.save_interview("2028000000050", {"genres": ["dekkarit", "romaanit"], "liked_authors": ["kallentoft"],
                                          "avoid": ["kauhukirjallisuus"], "wishes": "Ei liian paksuja."},
                        complete=True)
    desk.kirjakassi.pack("2028000000050", "KK0002")
    return desk


def test_kirjakassi_deliveries_and_clients(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>"))


def test_kirjakassi_pick_and_pack(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>", "<enter>", "⚙"))


def test_kirjakassi_interview(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>", "<ctrl+w>", "<pagedown>",
                                                                                 "<pagedown>"))


# --- every other screen and dialog at 80×24, in Finnish (issue 10 #12) -------------------

LAINE = "2028000000005"


@pytest.fixture
def alert_desk(ui_desk):
    """Liisa Laine with a circulation note and her hold on the shelf; Aino Virtala with
    two loans (one lent today) and a fee below the limit."""
    ui_desk.patrons.add_note(LAINE, "Soita ennen kuin varaus raukeaa")
    ui_desk.loans.return_item("1000000003")
    ui_desk.loans.checkout("2028000000002", "1000000010")
    ui_desk.fees.charge("2028000000002", 250, "Palautuskehotus", "reminder")
    return ui_desk


PATRON_AREA = {
    "patron_alerts_at_the_card": (LAINE,),
    "patron_fees_tab": ("2028000000001", "<pagedown>", "<pagedown>"),
    "pay_form": ("2028000000002", "<ctrl+f>"),
    "waive_form": ("2028000000002", "<ctrl+b>"),
    "hold_form": ("2028000000002", "<ctrl+o>"),
    "lost_card_form": ("2028000000002", "<ctrl+l>"),
    "contact_form": ("2028000000001", "<ctrl+y>"),
    "notes_dialog": (LAINE, "<ctrl+t>"),
    "renewals_dialog": ("2028000000002", "<ctrl+g>"),
    "help_on_the_patron_screen": ("<f1>",),
    "command_palette": ("<ctrl+p>",),
    "checkout_alerts_at_the_card": ("<f3>", LAINE),
    "verify_id_question_holding_a_scan": ("<f3>", "2028000000004", "1000000010"),
    "returns_dropbox_form": ("<f4>", "<ctrl+b>"),
    "f12_without_accounts": ("<f12>",),
}


@pytest.mark.parametrize("steps", PATRON_AREA.values(), ids=PATRON_AREA.keys())
def test_desk_screen(snap_compare, alert_desk, steps):
    assert snap_compare(make_app(alert_desk), terminal_size=SIZE, run_before=typed(*steps))


DIGITUKI = {
    "dt_add_form": ("<f5>", "<ctrl+a>"),
    "dt_guidelines_question": ("<f5>", "<ctrl+n>"),
    "dt_finish_form": ("<f5>", "<ctrl+e>"),
    "dt_book_form": ("<f5>", "<ctrl+o>", "<ctrl+a>"),
    "dt_callback_form": ("<f5>", "<ctrl+k>", "<ctrl+a>"),
    "dt_call_log_form": ("<f5>", "<ctrl+k>", "<ctrl+l>"),
    "dt_help": ("<f5>", "<f1>"),
}


@pytest.mark.parametrize("steps", DIGITUKI.values(), ids=DIGITUKI.keys())
def test_digituki_dialog(snap_compare, dt_desk, steps):
    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=typed(*steps))


def test_dt_referral_details(snap_compare, dt_desk):
    """The service referred to, to hand to the patron, after finishing a session."""

    async def run(pilot):
        await typed("<f5>", "<ctrl+e>")(pilot)
        pilot.app.screen.query_one("#f-outcome").value = "referred"
        pilot.app.screen.query_one("#f-referral").value = "Kela"
        await typed("<ctrl+s>")(pilot)

    assert snap_compare(make_app(dt_desk), terminal_size=SIZE, run_before=run)


def test_kk_enrol_form(snap_compare, kk_desk):
    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=typed("<f6>", "<ctrl+a>"))


def test_kk_unsaved_question(snap_compare, kk_desk):
    """Leaving an interview the rules refuse to keep: the question before anything is lost."""

    async def run(pilot):
        await typed("<f6>", "<ctrl+w>")(pilot)
        pilot.app.screen.query_one("#k-amount").value = "kaikki"
        await typed("<escape>")(pilot)

    assert snap_compare(make_app(kk_desk), terminal_size=SIZE, run_before=run)


def test_login(snap_compare, ui_desk):
    from .test_login import with_accounts

    assert snap_compare(make_app(with_accounts(ui_desk)), terminal_size=SIZE, run_before=typed())


def test_the_lock(snap_compare, ui_desk):
    from .test_login import PASSWORD, with_accounts

    async def run(pilot):
        pilot.app.screen.query_one("#login-user").value = "pekka"
        pilot.app.screen.query_one("#login-password").focus()
        await scan(pilot, PASSWORD, gap=0.1)
        await typed("2028000000001", "<f12>")(pilot)

    assert snap_compare(make_app(with_accounts(ui_desk)), terminal_size=SIZE, run_before=run)


# --- the newer screens: the catalogue, a copy, the work lists, their forms ----------------


@pytest.fixture
def lists_desk(alert_desk):
    """On top of `alert_desk` (no. 3 on the hold shelf for Liisa, no. 6 on the pull
    list): no. 21 returned at Ulvila, on its way home here; a week on, Wednesday
    9.12., the last day of Liisa's pickup (the hold shelf to clear)."""
    from datetime import datetime

    from tiski.clock import HELSINKI
    from tiski.desk import Desk

    ulv = Desk(alert_desk.conn, clock=alert_desk.test_clock, branch="ULV", staff="pekka")
    alert_desk.loans.checkout("2028000000002", "1000000021")
    ulv.loans.return_item("1000000021")
    for notice in alert_desk.notices.work_list():  # Liisa was told (an untold patron's copy is not cleared)
        if notice.kind == "hold_arrived" and notice.status == "pending":
            alert_desk.notices.mark_called(notice.id)
    alert_desk.test_clock.set(datetime(2026, 12, 9, 10, tzinfo=HELSINKI))
    return alert_desk


NEWER = {
    "catalogue_results": ("2028000000002", "<f7>", "~kirja numero 1", "…", "⚙"),
    "catalogue_copy_view": ("<f7>", "1000000003"),
    "catalogue_hold_form": ("2028000000002", "<f7>", "~kirja numero 20", "…", "⚙", "<ctrl+o>"),
    "catalogue_ill_form": (LAINE, "<f7>", "~porin historia", "…", "⚙", "<ctrl+l>"),
    "pull_list": ("<f8>",),
    "in_transit": ("<f9>",),
    "hold_shelf": ("<f10>",),
    "notice_channels_form": (LAINE, "<ctrl+s>"),
    "returns_damaged_form": ("<f4>", "<ctrl+r>"),
}


@pytest.mark.parametrize("steps", NEWER.values(), ids=NEWER.keys())
def test_newer_screen(snap_compare, lists_desk, steps):
    assert snap_compare(make_app(lists_desk), terminal_size=SIZE, run_before=typed(*steps))
