"""The alerts at the card (issue 10 #4) at F2 and F3, at 80×24: right under the patron's
name, whatever else the screen holds — holds waiting with the shelf number and the
pickup-by date, a pickup ending today, overdue loans, fees due, circulation notes."""

from __future__ import annotations

from datetime import datetime

import pytest

from tiski.clock import HELSINKI

from .conftest import make_app, scan, screen_lines, settled

SIZE = (80, 24)
AINO, VIRTALA, LAINE = "2028000000001", "2028000000002", "2028000000005"


def rows_after(lines: list[str], marker: str, count: int) -> list[str]:
    """The `count` rows right under the first row holding `marker`."""
    at = next(n for n, line in enumerate(lines) if marker in line)
    return lines[at + 1: at + 1 + count]


@pytest.fixture
def alerting(ui_desk):
    """Liisa Laine: a note, her hold on no. 3 on the shelf (001), her last day for it."""
    desk = ui_desk
    desk.patrons.add_note(LAINE, "Soita ennen kuin varaus raukeaa")
    desk.loans.return_item("1000000003")  # on loan to Aino, held for Liisa: to the shelf
    desk.test_clock.set(datetime(2026, 12, 9, 10, tzinfo=HELSINKI))  # the last day on the shelf
    return desk


@pytest.mark.parametrize("area, name_row", [("f2", "Laine, Liisa"), ("f3", "Liisa Laine")])
async def test_alerts_stand_under_the_name(alerting, area, name_row):
    """The pickup ending today first, the holds waiting, the note last. Mutation caught:
    alerts computed but not shown (issue 10 #4), or shown below the tables where a full
    list pushes them off an 80×24 screen."""
    app = make_app(alerting)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(area)
        await scan(pilot, LAINE)
        under = rows_after(screen_lines(app), name_row, 3)
        assert "Nouto päättyy TÄNÄÄN: Kirja numero 3, hylly 001" in under[0]
        assert "Noudettavana 1: hylly 001, viimeistään 9.12.2026" in under[1]
        assert "Huomautus: Soita ennen kuin varaus raukeaa" in under[2]


@pytest.mark.parametrize("area, name_row", [("f2", "Laine, Liisa"), ("f3", "Liisa Laine")])
async def test_many_notes_never_push_the_pickup_off_the_box(alerting, area, name_row):
    """Six more notes (seven in all) and the pickup and the holds waiting: the pickup
    first, the holds next, the notes that fit, then a line saying how many more there
    are. Mutation caught: the notes first, so the six lines of the box hold only notes
    and "Nouto päättyy TÄNÄÄN" is hidden with no sign (no "+N" line)."""
    for n in range(1, 7):
        alerting.patrons.add_note(LAINE, f"Muistiinpano {n}")
    app = make_app(alerting)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(area)
        await scan(pilot, LAINE)
        under = rows_after(screen_lines(app), name_row, 6)
        assert "Nouto päättyy TÄNÄÄN: Kirja numero 3" in under[0]
        assert "Noudettavana 1: hylly 001" in under[1]
        assert "Huomautus: Soita ennen kuin varaus raukeaa" in under[2]
        assert "Huomautus: Muistiinpano 1" in under[3] and "Huomautus: Muistiinpano 2" in under[4]
        assert under[5].strip() == "… +4 lisää"


@pytest.mark.parametrize("area, names", [("f2", ("Virtanen, Aino", "Virtala, Aino")),
                                         ("f3", ("Aino Virtanen", "Aino Virtala"))])
async def test_overdue_loans_and_fees(ui_desk, area, names):
    """Aino: two loans overdue since 17.11.; Aino Virtala below the limit: fees due.
    Mutation caught: the screen's own fees check (gone: the core decides)."""
    ui_desk.fees.charge(VIRTALA, 250, "Palautuskehotus", "reminder")
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(area)
        await scan(pilot, AINO)
        assert "Myöhässä 2, vanhin eräpäivä 17.11.2026" in "\n".join(rows_after(screen_lines(app), names[0], 3))
        await pilot.press("escape")
        await settled(pilot)
        await scan(pilot, VIRTALA)
        assert "€ Maksuja 2,50 €" in rows_after(screen_lines(app), names[1], 1)[0]


async def test_a_note_is_added_and_marked_done_at_the_desk(ui_desk):
    """Ctrl+T: write a note (shown at the card at once), then mark it done (gone).
    Mutation caught: a note that cannot be ended from the desk."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, VIRTALA)
        await pilot.press("ctrl+t")
        await settled(pilot)
        await scan(pilot, "Kortti tuli postissa", gap=0.1)
        await pilot.press("escape")
        await settled(pilot)
        assert "Huomautus: Kortti tuli postissa" in rows_after(screen_lines(app), "Virtala, Aino", 1)[0]
        await pilot.press("ctrl+t", "tab")
        await settled(pilot)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        assert not any("Kortti tuli postissa" in line for line in screen_lines(app))
        assert ui_desk.patrons.view(VIRTALA).notes == ()
