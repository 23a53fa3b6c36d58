"""The alerts at the card (issue 10 #4): computed by the core from the facade's facts,
shown as they are by every shell — holds waiting with their shelf numbers and the
pickup-by date, a pickup ending today, overdue loans, fees due, circulation notes."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tiski.clock import HELSINKI
from tiski.core.errors import Refused

from ..conftest import item, patron


def codes(view) -> list[str]:
    return [alert.code for alert in view.alerts]


def alert(view, code: str) -> dict:
    [found] = [a.params for a in view.alerts if a.code == code]
    return found


def test_a_patron_with_nothing_to_say_has_no_alerts(desk):
    assert desk.patrons.view(patron(desk, "P0001")).alerts == ()


def test_holds_waiting_name_their_shelves_and_the_first_pickup_by_date(desk, clock):
    """Mutation caught: HOLDS_WAITING without the shelf numbers or the date (the CLI's
    count alone), or a queued hold counted as waiting."""
    card, other = patron(desk, "P0001"), patron(desk, "P0002")
    for barcode in ("B001", "B002", "B003"):
        desk.loans.checkout(other, item(desk, barcode))
        desk.holds.place(card, barcode)
    desk.loans.return_item("B001")
    clock.advance(days=1)
    desk.loans.return_item("B002")
    params = alert(desk.patrons.view(card), "HOLDS_WAITING")
    assert params == {"count": 2, "codes": "001, 002", "pickup_by": date(2026, 12, 9)}


def test_a_pickup_ending_today_is_said_first_among_the_holds(desk, clock):
    card, other = patron(desk, "P0001"), patron(desk, "P0002")
    desk.loans.checkout(other, item(desk, "B001", title="Sinuhe egyptiläinen"))
    desk.holds.place(card, "B001")
    desk.loans.return_item("B001")
    assert "PICKUP_ENDS_TODAY" not in codes(desk.patrons.view(card))
    clock.set(datetime(2026, 12, 9, 10, tzinfo=HELSINKI))  # the last day on the shelf
    view = desk.patrons.view(card)
    assert codes(view) == ["PICKUP_ENDS_TODAY", "HOLDS_WAITING"]
    assert alert(view, "PICKUP_ENDS_TODAY") == {"title": "Sinuhe egyptiläinen", "shelf": "001"}


def test_overdue_loans_how_many_and_the_oldest_due_date(desk, clock):
    """Mutation caught: the oldest taken as the newest, or a loan due today (not yet
    past its closing time) counted."""
    card = patron(desk, "P0001")
    desk.loans.checkout(card, item(desk, "B001"))
    clock.advance(days=7)
    desk.loans.checkout(card, item(desk, "B002"))
    clock.set(datetime(2027, 1, 6, 12, tzinfo=HELSINKI))  # B2 is due today, B1 was due 30.12.
    assert alert(desk.patrons.view(card), "LOANS_OVERDUE") == {"count": 1, "oldest_due": date(2026, 12, 30)}
    clock.set(datetime(2027, 1, 7, 12, tzinfo=HELSINKI))
    assert alert(desk.patrons.view(card), "LOANS_OVERDUE") == {"count": 2, "oldest_due": date(2026, 12, 30)}


def test_a_loan_claimed_returned_is_flagged_and_not_counted_overdue(desk, clock):
    """Issue 12: the patron view flags a claims-returned loan, and the overdue alert
    leaves it out (it is being searched for, not owed).
    Mutation caught: LoanLine without claims_returned; core.alerts counting a flagged
    loan in LOANS_OVERDUE."""
    card = patron(desk, "P0001")
    desk.loans.checkout(card, item(desk, "B001"))
    desk.loans.checkout(card, item(desk, "B002"))
    clock.set(datetime(2027, 1, 7, 12, tzinfo=HELSINKI))
    desk.items.claims_returned("B001")
    view = desk.patrons.view(card)
    assert [(loan.barcode, loan.claims_returned) for loan in view.loans] == [("B001", True), ("B002", False)]
    assert alert(view, "LOANS_OVERDUE") == {"count": 1, "oldest_due": date(2026, 12, 30)}
    desk.items.claims_returned("B002")
    assert "LOANS_OVERDUE" not in codes(desk.patrons.view(card))


def test_fees_due_with_the_amount_but_not_over_the_limit(desk):
    """Over the limit the fees are a block, not an alert. Mutation caught: the screen's
    own threshold (the rule lives in core.alerts.fees_due)."""
    card = patron(desk, "P0001")
    desk.fees.charge(card, 250, "Palautuskehotus", "reminder")
    assert alert(desk.patrons.view(card), "FEES_DUE") == {"balance_cents": 250}
    desk.fees.charge(card, 1000, "Kadonnut", "lost")
    view = desk.patrons.view(card)
    assert "FEES_DUE" not in codes(view) and "FEES_OVER_LIMIT" in [b.code for b in view.blocks]


def test_the_notes_come_after_what_must_be_said_now(desk, clock):
    """The facade's order is the desk's and the CLI's: a pickup ending today, the holds
    waiting, then the staff's notes, however many. Mutation caught: the notes first (at
    80×24 six notes hid the pickup)."""
    card, other = patron(desk, "P0001"), patron(desk, "P0002")
    desk.loans.checkout(other, item(desk, "B001"))
    desk.holds.place(card, "B001")
    desk.loans.return_item("B001")
    for n in range(3):
        desk.patrons.add_note(card, f"Muistiinpano {n}")
    clock.set(datetime(2026, 12, 9, 10, tzinfo=HELSINKI))
    assert codes(desk.patrons.view(card)) == ["PICKUP_ENDS_TODAY", "HOLDS_WAITING"] + ["CIRCULATION_NOTE"] * 3


def test_a_circulation_note_is_shown_until_marked_done(desk):
    """Mutation caught: a done note still shown, another patron's note markable, the
    note's text in the audit trail."""
    card, other = patron(desk, "P0001"), patron(desk, "P0002")
    note = desk.patrons.add_note(card, "Kortti tuli postissa")
    view = desk.patrons.view(card)
    assert codes(view) == ["CIRCULATION_NOTE"]
    assert alert(view, "CIRCULATION_NOTE")["text"] == "Kortti tuli postissa"
    assert alert(view, "CIRCULATION_NOTE")["added_by"] == "tester"
    assert [n.text for n in view.notes] == ["Kortti tuli postissa"]
    with pytest.raises(Refused) as refused:
        desk.patrons.note_done(other, note.id)
    assert refused.value.code == "NOT_FOUND"
    desk.patrons.note_done(card, note.id)
    assert desk.patrons.view(card).alerts == ()
    with pytest.raises(Refused):
        desk.patrons.note_done(card, note.id)  # done once
    details = [row[0] or "" for row in desk.conn.execute("SELECT detail FROM audit_log WHERE action LIKE 'note%'"
                                                        " OR action = 'add_note'")]
    assert details and not any("postissa" in d for d in details)
    assert any(f"note_id={note.id}" in d for d in details)
    exported = desk.patrons.export(card)["circulation_notes"]
    assert [n["text"] for n in exported] == ["Kortti tuli postissa"] and exported[0]["done_by"] == "tester"


@pytest.mark.parametrize("text", ["", "   ", "Soita 131052-308T", "henkilötunnus 140574231L"])
def test_a_note_is_words_without_an_identity_code(desk, text):
    card = patron(desk, "P0001")
    with pytest.raises(Refused) as refused:
        desk.patrons.add_note(card, text)
    assert refused.value.code == "INVALID_INPUT"
    assert desk.patrons.view(card).notes == ()


def test_a_note_with_a_phone_number_is_kept(desk):
    """Issue 9 #16. Mutation caught: a HETU-shaped match refused without validation
    (`soita 0401234567` was refused as an identity code, which blocked staff)."""
    card = patron(desk, "P0001")
    for text in ("Soita 0401234567 ennen kuin varaus raukeaa", "PIN-koodi vaihdettu, kortti 2028000000001"):
        desk.patrons.add_note(card, text)
    assert [n.text for n in desk.patrons.view(card).notes][0].startswith("Soita 0401234567")


@pytest.mark.parametrize("text", ["ss: kissa123", "Asiakkaan SS=Hevonen7 muistiin", "salasana: kissa123",
                                  "Pankkitunnukset: 123456 / 9876"])
def test_a_note_never_keeps_a_password_written_down(desk, text):
    """Issue 9 #16: the words of Digituki's note scrubber (core.patrons.SECRET_WORDS).
    Mutation caught: the circulation note checked for identity codes only."""
    card = patron(desk, "P0001")
    with pytest.raises(Refused) as refused:
        desk.patrons.add_note(card, text)
    assert refused.value.first.params["what"] == "note_password"
    assert desk.patrons.view(card).notes == ()


def test_the_id_check_at_a_loan_is_in_the_audit_trail(desk):
    """Issue 10 #2: the ID check a patron asked for is recorded, checked or not.
    Mutation caught: the answer kept only on the screen."""
    card = patron(desk, "P0001", verify_id=True)
    desk.patrons.identity_checked(card, True)
    desk.patrons.identity_checked(card, False)
    rows = desk.conn.execute("SELECT action, kind, staff, detail, patron_id FROM audit_log"
                             " WHERE action = 'identity_checked' ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("identity_checked", "change", "tester", "confirmed=True"),
        ("identity_checked", "change", "tester", "confirmed=False")]
    assert all(r[4] is not None for r in rows)
