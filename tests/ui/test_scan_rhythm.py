"""The Monday-morning rhythm at 80×24 (issue 10 #1, #2): patron after patron, scan after
scan, questions opening mid-stream, the lock in the middle of it. Keys come at a
scanner's pace (`scan`: 5 ms apart, all reaching the desk at once) or typed ahead by a
person (a larger gap). Every scan is handled; nobody sees the patron before them."""

from __future__ import annotations

import asyncio

from textual import events

from tiski.ui.screens.forms import ConfirmModal, FormModal
from tiski.ui.screens.help import HelpScreen
from tiski.ui.screens.login import LoginScreen
from tiski.ui.screens.override import OverrideModal
from tiski.ui.screens.question import SCAN_TAIL

from .conftest import key_event, make_app, scan, screen_lines, screen_text, settled
from .test_login import PASSWORD, with_accounts

SIZE = (80, 24)
AINO, VIRTALA, LAINE, MAKINEN = "2028000000001", "2028000000002", "2028000000005", "2028000000004"  # Mäkinen: ID check at every loan


def lent_to(desk, card: str) -> list[str]:
    return [r[0] for r in desk.conn.execute(
        "SELECT i.barcode FROM loans l JOIN items i ON i.id = l.item_id JOIN cards c ON c.patron_id = l.patron_id"
        " WHERE c.card = ? AND l.returned_at IS NULL ORDER BY l.id", (card,))]


def bells(app) -> list[int]:
    rang: list[int] = []
    app.bell = lambda: rang.append(1)
    return rang


async def answer(pilot, key: str = "enter") -> None:
    """A person answers a question: after a look at it, not at a scanner's pace."""
    await asyncio.sleep(SCAN_TAIL + 0.05)
    await pilot.press(key)
    await settled(pilot)


async def test_the_next_patron_sees_nothing_of_the_last_one(ui_desk):
    """Card A, two loans, card B: B's name, no line of A's, on F3 and on F2; Esc leaves
    nothing. Mutation caught: the checkout list not cleared on a new card (issue 10 #1)."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        for code in (VIRTALA, "1000000010", "1000000011"):
            await scan(pilot, code)
        assert "Kirja numero 11" in screen_text(app)
        await scan(pilot, LAINE)
        text = screen_text(app)
        assert "Liisa Laine" in text
        assert "Virtala" not in text and "Kirja numero 10" not in text and "Kirja numero 11" not in text
        await pilot.press("f2")
        await settled(pilot)
        text = screen_text(app)
        assert "Laine, Liisa" in text and "Virtala" not in text
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("f3")
        await settled(pilot)
        assert "Laine" not in screen_text(app) and "Kirja numero" not in screen_text(app)


async def test_an_unknown_code_at_f2_clears_the_patron_before(ui_desk):
    """A card the register does not know: not found, and not the previous patron left on
    screen as if it were theirs. Mutation caught: the old patron kept."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, VIRTALA)
        assert "Virtala" in screen_text(app)
        await scan(pilot, "2028000009999")
        assert app.patron_card is None and "Virtala" not in screen_text(app)


async def test_a_scan_during_the_id_question_is_held_and_lent_after_yes(ui_desk):
    """Card of a patron who wants an ID check, then an item within a second: the item's
    Enter does not answer, its code is held and shown, and lent once staff answer yes;
    the check is in the audit trail. Mutation caught: the scan's Enter answering "yes"
    and its digits swallowed (issue 10 #2), the held scan dropped, the check unrecorded."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await scan(pilot, MAKINEN)
        await scan(pilot, "1000000010")
        assert isinstance(app.screen, ConfirmModal)
        assert "1000000010" in screen_text(app) and lent_to(ui_desk, MAKINEN) == []
        await answer(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert lent_to(ui_desk, MAKINEN) == ["1000000010"]
        assert app.session_lines[-1][:2] == ("✓", "Kirja numero 10")
        checked = ui_desk.conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'identity_checked' ORDER BY id").fetchall()
        assert [row[0] for row in checked] == ["confirmed=True"]


async def test_a_declined_id_check_lends_nothing_and_says_scan_again(ui_desk):
    """No ID: nothing is lent; each held code is named, with the bell, to scan again.
    Mutation caught: held scans lent to an unchecked patron, or silently dropped."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        rang = bells(app)
        await pilot.press("f3")
        await scan(pilot, MAKINEN)
        await scan(pilot, "1000000010")
        await answer(pilot, "escape")
        assert lent_to(ui_desk, MAKINEN) == [] and app.patron_card is None
        assert "Lue uudelleen: 1000000010" in screen_text(app) and rang
        checked = ui_desk.conn.execute("SELECT detail FROM audit_log WHERE action = 'identity_checked'").fetchall()
        assert [row[0] for row in checked] == ["confirmed=False"]


async def test_no_enter_at_a_scanners_pace_answers_a_question(ui_desk):
    """An Enter alone right after the question opened, or right after another key, is
    no answer. Mutation caught: the 0.4 s guard dropped."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await scan(pilot, MAKINEN)
        await scan(pilot, "", enter=True)  # a bare Enter at once
        assert isinstance(app.screen, ConfirmModal)


async def test_a_scan_into_the_override_reason_is_held_not_taken_for_a_reason(ui_desk):
    """Override asked; the next item scanned lands in the reason field: it is taken out
    and held, the reason is written, both are lent in order. Mutation caught: the scan
    refused and lost, or taken for the reason."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await scan(pilot, VIRTALA)
        await scan(pilot, "1000000001")  # on loan to Aino Virtanen: the override question
        assert isinstance(app.screen, OverrideModal)
        await scan(pilot, "1000000012")
        assert isinstance(app.screen, OverrideModal)
        assert app.screen.query_one("#override-reason").value == ""
        assert "1000000012" in screen_text(app)
        await scan(pilot, "Koulun elokuvaviikko", gap=0.12)  # a person writes the reason
        assert not isinstance(app.screen, OverrideModal)
        assert lent_to(ui_desk, VIRTALA)[-2:] == ["1000000001", "1000000012"]


async def test_a_scan_glued_to_a_reason_is_told_apart(ui_desk):
    """A person writes "Koulu", a scan arrives before their Enter: the reason keeps
    "Koulu", the code is held. Mutation caught: "Koulu1000000012" lent as the reason."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await scan(pilot, VIRTALA)
        await scan(pilot, "1000000001")
        await scan(pilot, "Koulu", enter=False, gap=0.12)
        await scan(pilot, "1000000012")
        assert app.screen.query_one("#override-reason").value == "Koulu"
        assert list(app.held_scans) == ["1000000012"]
        await answer(pilot, "escape")
        assert lent_to(ui_desk, VIRTALA)[-1] == "1000000012"


async def test_a_scan_into_the_waive_reason_is_held_not_taken_for_the_reason(ui_desk):
    """F2, Ctrl+B: the amount typed, then the next patron's card scanned into the reason
    field. Nothing is waived, the field stays empty, the form says the code waits; the
    clerk writes the reason and saves, and the held card opens. Mutation caught: the
    scanner's Enter submitting the form with the code as the reason (no scan guard in
    FormModal), the code left in the field, or the held code dropped when it closes."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, AINO)
        balance = ui_desk.fees.balance(AINO)
        await pilot.press("ctrl+b")
        await settled(pilot)
        await scan(pilot, "2,00\n", enter=False, gap=0.12)  # a person: the amount, Enter to the reason
        await scan(pilot, LAINE)
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-reason").value == "" and app.screen.query_one("#f-amount").value == "2,00"
        assert LAINE in screen_text(app) and ui_desk.fees.balance(AINO) == balance
        await scan(pilot, "Nide löytyi", gap=0.12)
        assert not isinstance(app.screen, FormModal)
        assert ui_desk.fees.balance(AINO) == balance - 200
        reason = ui_desk.conn.execute("SELECT reason FROM fees WHERE entry = 'waiver'").fetchone()[0]
        assert reason == "Nide löytyi"
        assert app.patron_card == LAINE and "Laine, Liisa" in screen_text(app)


async def test_a_scan_into_the_pay_form_keeps_the_amount_and_pays_nothing(ui_desk):
    """F2, Ctrl+F: the amount proposed is the balance; a card scanned over it. The amount
    stays, nothing is paid, and on Esc the scanned patron opens. Mutation caught: the
    scan replacing the amount and its Enter taking a payment of 2 028 000 000 005 cents
    (or a refusal), the amount left empty once the code is taken out."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, AINO)
        balance = ui_desk.fees.balance(AINO)
        await pilot.press("ctrl+f")
        await settled(pilot)
        amount = app.screen.query_one("#f-amount").value
        await scan(pilot, LAINE)
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-amount").value == amount
        assert ui_desk.fees.balance(AINO) == balance and LAINE in screen_text(app)
        await answer(pilot, "escape")
        assert app.patron_card == LAINE


async def test_a_scan_over_a_checkbox_neither_toggles_it_nor_is_lost(ui_desk):
    """The pay form's focus on "print a receipt": a scan's digits reach no field, its Enter
    would toggle the box. Mutation caught: the Enter passed on to the checkbox, or the
    digits collected by the form dropped."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, AINO)
        await pilot.press("ctrl+f")
        await settled(pilot)
        app.screen.query_one("#f-receipt").focus()
        await settled(pilot)
        await scan(pilot, LAINE)
        assert app.screen.query_one("#f-receipt").value is True
        assert list(app.held_scans) == [LAINE]


async def test_a_scan_into_a_code_field_is_its_value(ui_desk):
    """The lost-card form asks for the new card: scanning it is how it is given, so the
    code stays in the field and the form is saved. Mutation caught: every field treated
    as "no scans here" (the new card held instead of issued)."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, LAINE)
        await pilot.press("ctrl+l")
        await settled(pilot)
        await scan(pilot, "2028000000099")
        assert not isinstance(app.screen, FormModal) and app.patron_card == "2028000000099"
        assert not app.held_scans


async def test_a_scan_with_help_open_closes_help_and_is_handled(ui_desk):
    """F3, F1, a card scanned while the keys are read: help closes, the patron opens at
    F3. Mutation caught: the scan silently dropped by the help screen."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settled(pilot)
        await pilot.press("f1")
        await settled(pilot)
        assert isinstance(app.screen, HelpScreen)
        await scan(pilot, VIRTALA)
        assert not isinstance(app.screen, HelpScreen)
        assert app.patron_card == VIRTALA and "Aino Virtala" in screen_text(app)


async def test_fast_typing_lands_in_the_right_fields(ui_desk):
    """"2028999000001⏎Aino⏎Testinen⏎" typed ahead of the form: each in its field.
    Mutation caught: keys forwarded before the Enter moved the focus (issue 10 #2)."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settled(pilot)
        await scan(pilot, "2028999000001\nAino\nTestinen\n", enter=False, gap=0.03)
        values = {name: app.screen.query_one(f"#r-{name}").value for name in ("card", "first", "last")}
        assert values == {"card": "2028999000001", "first": "Aino", "last": "Testinen"}


async def test_user_tab_password_enter_typed_at_once_logs_in(ui_desk):
    """At the login, "pekka⇥password⏎" typed at once. Mutation caught: the Tab swallowed
    and everything typed into the name field."""
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.screen.query_one("#login-user").value = ""
        await scan(pilot, f"pekka\t{PASSWORD}\n", enter=False, gap=0.06)
        assert not isinstance(app.screen, LoginScreen) and ui_desk.staff == "pekka"


async def test_a_scan_typed_before_the_desk_is_up_is_not_lost(ui_desk):
    """Keys arriving before the scan field exists (a card scanned as the desk starts):
    held until it does. Mutation caught: keys before the first frame dropped."""
    app = make_app(ui_desk)
    for n, char in enumerate(VIRTALA + "\n"):
        app.post_message(key_event(char, n * 0.005))  # in the queue before the desk runs
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        for _ in range(50):
            if app.patron_card:
                break
            await asyncio.sleep(0.05)
        assert app.patron_card == VIRTALA
        assert any("Virtala, Aino" in line for line in screen_lines(app))


async def test_a_scan_at_the_lock_is_no_login_try(ui_desk):
    """F12 in the middle of lending; the next scan lands on the lock: refused with the
    bell, no wrong password counted, nothing lent; the same person logs back in to the
    patron and lends it. Mutation caught: the scan taken as a password (a wrong try)."""
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        rang = bells(app)
        await settled(pilot)
        app.screen.query_one("#login-user").value = ""
        await scan(pilot, f"pekka\t{PASSWORD}\n", enter=False, gap=0.06)
        await pilot.press("f3")
        await scan(pilot, VIRTALA)
        await scan(pilot, "1000000010")
        app.post_message(events.Key("f12", None))
        await scan(pilot, "1000000011")
        assert isinstance(app.screen, LoginScreen) and rang
        assert "kirjaudu ensin" in screen_text(app).lower()
        wrong = ui_desk.conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND detail LIKE "
                                     "'%failed%'").fetchone()[0]
        assert wrong == 0
        assert app.screen.query_one("#login-user").value == "pekka"
        app.screen.query_one("#login-password").focus()
        await scan(pilot, PASSWORD, gap=0.06)
        assert app.patron_card == VIRTALA and lent_to(ui_desk, VIRTALA)[-1] == "1000000010"
        await scan(pilot, "1000000011")
        assert lent_to(ui_desk, VIRTALA)[-1] == "1000000011"


async def test_a_question_left_open_at_the_lock_keeps_its_scans(ui_desk):
    """The ID question open, a scan held, F12, the same person back: the question and
    the held scan wait for the answer. Mutation caught: held scans lost at the lock."""
    app = make_app(with_accounts(ui_desk))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.screen.query_one("#login-user").value = ""
        await scan(pilot, f"pekka\t{PASSWORD}\n", enter=False, gap=0.06)
        await pilot.press("f3")
        await scan(pilot, MAKINEN)
        await scan(pilot, "1000000010")
        await pilot.press("f12")
        await settled(pilot)
        app.screen.query_one("#login-password").focus()
        await scan(pilot, PASSWORD, gap=0.06)
        assert isinstance(app.screen, ConfirmModal)
        await answer(pilot)
        assert lent_to(ui_desk, MAKINEN) == ["1000000010"]


async def test_monday_morning(ui_desk):
    """One unbroken stream: patron after patron, scan after scan, an override and an ID
    question opening mid-stream with scans arriving behind them. Every item ends where
    it belongs; the screen shows only the last patron's lines."""
    app = make_app(ui_desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        for code in (VIRTALA, "1000000010", "1000000011", "1000000001", "1000000012"):
            await scan(pilot, code)
        assert isinstance(app.screen, OverrideModal)  # 1000000001 is Aino's; 1000000012 waits
        await scan(pilot, "Palautettu hyllyyn", gap=0.12)
        for code in (MAKINEN, "1000000013", "1000000014"):
            await scan(pilot, code)
        assert isinstance(app.screen, ConfirmModal)  # Mäkinen's ID; two items wait
        await answer(pilot)
        for code in ("1000000015", LAINE, "1000000016"):
            await scan(pilot, code)
        assert lent_to(ui_desk, VIRTALA) == ["1000000004", "1000000010", "1000000011", "1000000001", "1000000012"]
        assert lent_to(ui_desk, MAKINEN) == ["1000000013", "1000000014", "1000000015"]
        assert lent_to(ui_desk, LAINE) == ["1000000016"]
        text = screen_text(app)
        assert "Liisa Laine" in text and "Kirja numero 16" in text
        assert "Mäkinen" not in text and "Kirja numero 15" not in text and "Virtala" not in text
