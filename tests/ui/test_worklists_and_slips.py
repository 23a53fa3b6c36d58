"""The work lists at 80×24 (issue 12 §4) and the papers of §3: hold and transfer slips
printed or saved on their own at the return, the checkout receipt with all loans, the
payment dialog with its method and receipt, a failing printer that loses nothing."""

from __future__ import annotations

from datetime import datetime

from tiski.clock import HELSINKI
from tiski.desk import Desk
from tiski.ui.screens.forms import FormModal
from tiski.ui.screens.worklists import HoldShelfScreen, InTransitScreen, PullListScreen

from .conftest import burst, make_app, screen_text, shows

SIZE = (80, 24)


def papers(folder) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}


# --- the work lists ----------------------------------------------------------------------------

async def test_the_pull_list_scanned_copy_goes_to_the_hold_shelf_with_its_slip(ui_desk, tmp_path):
    """F8: no. 6 is on the shelf and Liisa holds its title; scanned, it is trapped, its hold
    slip saved, and it leaves the list. Mutation caught: the slip not printed from a work list."""
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, PullListScreen)
        assert "Kirja numero 6" in await shows(pilot, "Noudettavia varauksiin: 1")
        await burst(pilot, "1000000006")
        text = await shows(pilot, "Noudettavia varauksiin: 0")
        assert "VARAUSHYLLYYN" in text.upper() or "hylly 001" in text or "001" in text
        [(name, slip)] = papers(tmp_path).items()
        assert name.startswith("varaus-") and "001" in slip and "L. L." in slip and "Laine" not in slip


async def test_copies_in_transit_are_received_by_a_scan(ui_desk, tmp_path):
    """F9: a copy returned at ULV on its way home to PORI is listed at PORI and received
    with a scan (to the shelf: no slip)."""
    ulv = Desk(ui_desk.conn, clock=ui_desk.test_clock, branch="ULV", staff="pekka")
    ui_desk.loans.checkout("2028000000002", "1000000010")
    ulv.loans.return_item("1000000010")
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, InTransitScreen)
        assert "Kirja numero 10" in await shows(pilot, "Tänne kuljetuksessa: 1")
        await burst(pilot, "1000000010")
        text = await shows(pilot, "Tänne kuljetuksessa: 0")
        assert "Kirja numero 10: hyllyyn." in text
        assert ui_desk.catalogue.item_view("1000000010").status == "available"
        assert papers(tmp_path) == {}


async def test_the_hold_shelf_to_clear(ui_desk, tmp_path):
    """F10: a hold past its last day is listed and cleared with a scan: the uncollected fee,
    the copy home to its shelf. One still within its days is refused."""
    ui_desk.loans.return_item("1000000006")  # trapped for Liisa: on the shelf until 9.12.
    for notice in ui_desk.notices.work_list():  # told of it (an untold patron's copy is not cleared)
        if notice.kind == "hold_arrived" and notice.status == "pending":
            ui_desk.notices.mark_called(notice.id)
    ui_desk.test_clock.set(datetime(2026, 12, 10, 9, tzinfo=HELSINKI))
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, HoldShelfScreen)
        text = await shows(pilot, "päättyi 9.12.2026")
        assert "001" in text and "Kirja numero 6" in text
        await burst(pilot, "1000000006")
        text = await shows(pilot, "poistettu varaushyllystä")
        assert "Noutoaika päättynyt tai päättyy tänään: 0" in text
        assert ui_desk.fees.balance("2028000000005") == 100


async def test_every_work_list_is_in_the_command_palette(ui_desk):
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for key in ("catalogue", "pull_list", "in_transit", "hold_shelf"):
            assert app.t(f"key.{key}") in titles, key


async def printed(pilot, done, seconds: float = 10.0) -> None:
    """The printer runs off the UI loop: wait until `done()` says it has been."""
    import time

    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        await pilot.pause(0.05)


# --- slips at the return ------------------------------------------------------------------------

async def test_a_return_that_traps_a_hold_saves_the_hold_slip_on_its_own(ui_desk, tmp_path):
    """No. 3 is on loan to Aino and held by Liisa: returned, its slip has the shelf number,
    the last pickup day and Liisa's initials — never her name, never Aino's."""
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000003")
        await shows(pilot, "Kirja numero 3")
        [(name, slip)] = papers(tmp_path).items()
        assert name == "varaus-20261202-140500.txt"
        assert "Hyllypaikka / noutokoodi: 001" in slip and "Noudettava viimeistään 9.12.2026" in slip
        assert "Asiakas: L. L." in slip and "Laine" not in slip and "Liisa" not in slip and "Virtanen" not in slip


async def test_a_return_routed_elsewhere_saves_a_transfer_slip_with_the_branch_name(ui_desk, tmp_path):
    ui_desk.loans.checkout("2028000000002", "1000000035")  # home ULV
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000035")
        await shows(pilot, "Kirja numero 35")
        [(name, slip)] = papers(tmp_path).items()
        assert name.startswith("siirto-") and "ULVILAN KIRJASTO" in slip and "(kotitoimipisteeseen)" in slip


async def test_a_failing_printer_keeps_the_slip_and_says_so(ui_desk, tmp_path):
    """TISKI_PRINTER that fails: the slip is saved all the same, the desk is told where.
    Mutation caught: the document lost with the printer's failure."""
    app = make_app(ui_desk, receipts=tmp_path, printer=("false",))
    notes = []
    app.notify = lambda message, **_: notes.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000003")
        await shows(pilot, "Kirja numero 3")
        await printed(pilot, lambda: notes)
        [(name, slip)] = papers(tmp_path).items()
        assert "001" in slip
        assert any("Tulostin ei toiminut" in note and str(tmp_path / name) in note for note in notes), notes


async def test_a_printer_that_works_gets_the_slip(ui_desk, tmp_path):
    """The slip goes to TISKI_PRINTER and no file is written."""
    out = tmp_path / "printed.txt"
    app = make_app(ui_desk, receipts=tmp_path / "files", printer=("sh", "-c", f"cat > {out}"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000003")
        await shows(pilot, "Kirja numero 3")
        await printed(pilot, out.exists)
        assert "VARAUS" in out.read_text(encoding="utf-8")
        assert not (tmp_path / "files").exists()


# --- receipts -----------------------------------------------------------------------------------

async def test_the_checkout_receipt_with_all_current_loans(ui_desk, tmp_path):
    """Ctrl+G: this visit (barcode, title, due date) and then every loan the patron has now."""
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await burst(pilot, "2028000000002")
        await burst(pilot, "1000000020")
        await shows(pilot, "Kirja numero 20")
        await pilot.press("ctrl+g")
        await pilot.pause()
        [(name, receipt)] = papers(tmp_path).items()
        assert name.startswith("kuitti-")
        assert "1000000020 · eräpäivä 30.12.2026" in receipt or "1000000020" in receipt
        assert "Kaikki lainasi (2):" in receipt and "Kirja numero 4" in receipt
        assert "Virtala" not in receipt and "*********0002" in receipt


async def test_a_payment_by_card_with_its_receipt(ui_desk, tmp_path):
    """Ctrl+F on the patron screen: amount, method, receipt. The ledger says card; the
    receipt says what was paid, how, what it settled and the balance after."""
    app = make_app(ui_desk, receipts=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "2028000000001")
        await shows(pilot, "Virtanen")
        await pilot.press("ctrl+f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#f-amount").value = "5,00"
        form.query_one("#f-method").value = "card"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormModal)
        method = ui_desk.conn.execute("SELECT method FROM fees WHERE entry = 'payment'").fetchone()[0]
        assert method == "card"
        [(name, receipt)] = papers(tmp_path).items()
        assert name.startswith("maksu-") and "MAKSUKUITTI" in receipt and "5,00 € (kortti)" in receipt
        assert "Kadonnut aineisto" in receipt and "Virtanen" not in receipt
        assert "Maksuja" in receipt or "saldo" in receipt.lower()
        assert "Virtanen" in screen_text(app)  # back on the patron, the balance refreshed


async def test_damaged_at_the_return(ui_desk):
    """Ctrl+R on the returns screen: scan, a note, a charge — the loan returned, the patron
    charged, the copy to repair, all in one call."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#f-barcode").value = "1000000004"  # on loan to Aino Virtala
        form.query_one("#f-note").value = "Kansi revennyt"
        form.query_one("#f-charge").value = "4,50"
        await pilot.press("ctrl+s")
        text = await shows(pilot, "vahingoittunut, korjaukseen")
        assert "Kirja numero 4" in text
        view = ui_desk.catalogue.item_view("1000000004")
        assert view.status == "repair" and view.history[-1].note == "Kansi revennyt"
        assert ui_desk.fees.balance("2028000000002") == 450
        assert app.focused.id == "scan"


async def test_a_hung_printer_never_holds_up_the_next_scan(ui_desk, tmp_path):
    """A printer command that hangs: the next return is taken at once, while the slip
    waits for the printer. Mutation caught: the printer run on the UI loop (the second
    scan would wait for the first slip's command)."""
    gate = tmp_path / "gate"
    app = make_app(ui_desk, receipts=tmp_path / "files",
                   printer=("sh", "-c", f"while [ ! -e {gate} ]; do sleep 0.05; done; cat > /dev/null"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await burst(pilot, "1000000003")  # trapped for Liisa: a hold slip to print
        await shows(pilot, "Kirja numero 3")
        await burst(pilot, "1000000001")
        assert "Kirja numero 1" in await shows(pilot, "Kirja numero 1", seconds=3)
        assert ui_desk.catalogue.item_view("1000000001").status == "available"
        assert not (tmp_path / "files").exists()  # the slip still waits for its printer, not given up
        gate.touch()
