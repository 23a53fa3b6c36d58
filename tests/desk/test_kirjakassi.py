"""The book bag through the facade: enrolment, interview, picking, packing, delivery."""

from datetime import date, datetime

import pytest

from tiski.core.errors import Refused, Unavailable
from tiski.desk.catalogue import NewItem

from ..conftest import patron

WISHES = {"genres": ["dekkarit"], "liked_authors": ["kallentoft"], "disliked_authors": ["virtanen"],
          "media": ["large_print", "cd_audiobook"], "languages": ["fin"], "avoid": ["kauhukirjallisuus"],
          "amount": "", "large_print_only": False, "easy_read": False, "wishes": "Ei liian paksuja kirjoja."}


def shelf(desk):
    """Large-print crime novels and some that must never go in this client's bag."""
    conn = desk.conn
    books = [
        ("K1", "Kallentoft, Mons", "dekkarit", 1), ("K2", "Kallentoft, Mons", "dekkarit", 1),
        ("M1", "Mäki, Eeva", "dekkarit", 1), ("L1", "Laine, Leo", "dekkarit", 1),
        ("V1", "Virtanen, Aino", "dekkarit", 1), ("H1", "Hirvi, Heikki", "kauhukirjallisuus", 1),
        ("R1", "Rinne, Raija", "dekkarit", 0),  # regular print: not for this client
    ]
    for barcode, author, genre, large in books:
        desk.catalogue.add_item(NewItem(barcode=f"KK{barcode}", title=f"Teos {barcode}", author=author))
        record = conn.execute("SELECT record_id FROM items WHERE barcode = ?", (f"KK{barcode}",)).fetchone()[0]
        conn.execute("UPDATE records SET large_print = ?, language = 'fin' WHERE id = ?", (large, record))
        conn.execute("INSERT INTO record_terms VALUES (?, 'genre', ?)", (record, genre))
    desk.catalogue.add_item(NewItem(barcode="KKA1", title="Äänikirja", author="Aalto, Anna", format="cd-audiobook"))
    conn.execute("INSERT INTO record_terms SELECT record_id, 'genre', 'dekkarit' FROM items WHERE barcode = 'KKA1'")


@pytest.fixture
def client(desk):
    card = patron(desk, "P0100", first="Helmi", last="Hakala", birth=date(1931, 5, 5))
    desk.kirjakassi.enrol(card, eligibility="age", delivery_address="Palvelutalo Kotiranta, huone 12",
                      contact_name="Kotiranta, hoitaja Sari", contact_phone="040 555 0100", contact_relation="kumppani",
                      rhythm_weeks=4, weekday="tue", bag_size=4, starts_on="2026-12-01", history_consent=True)
    shelf(desk)
    return card


def test_enrolment_keeps_the_category_not_health_details(desk, client):
    view = desk.kirjakassi.client(client)
    assert view.eligibility == "age" and view.next_delivery == date(2026, 12, 29)
    assert view.history_consent and view.consent_date == date(2026, 12, 2)
    with pytest.raises(Refused):
        desk.kirjakassi.enrol(client, eligibility="dementia", delivery_address="x", contact_name="y")


def test_the_interview_as_a_draft_then_complete_and_versions_kept(desk, client):
    with pytest.raises(Refused):
        desk.kirjakassi.wishes_of(client)  # no interview yet
    draft = desk.kirjakassi.save_interview(client, {"genres": ["dekkarit"]})
    assert draft.status == "draft" and draft.interviewer is None
    again = desk.kirjakassi.save_interview(client, WISHES)  # resumed: still the same draft
    assert again.version == 1 and again.answers["wishes"] == "Ei liian paksuja kirjoja."
    done = desk.kirjakassi.save_interview(client, WISHES, complete=True)
    assert done.status == "complete" and done.interviewer == "tester" and done.interviewed_on == date(2026, 12, 2)
    newer = desk.kirjakassi.save_interview(client, {**WISHES, "genres": ["romaanit"]}, complete=True)
    assert [i.version for i in desk.kirjakassi.interviews(client)] == [2, 1] and newer.version == 2
    assert desk.kirjakassi.wishes_of(client).genres == ("romaanit",)


def test_the_pick_list_follows_the_wishes_and_explains_itself(desk, client):
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    picks = desk.kirjakassi.pick_list(client)
    barcodes = [p.candidate.barcode for p in picks]
    assert barcodes[0] in ("KKK1", "KKK2")  # the liked author first
    assert "KKV1" not in barcodes and "KKH1" not in barcodes and "KKR1" not in barcodes
    assert "KKA1" in barcodes  # a CD audiobook is welcome too
    assert any(r.startswith("liked_author:") for r in picks[0].reasons)


def test_never_a_copy_someone_else_waits_for(desk, client):
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    other = patron(desk, "P0200")
    desk.holds.place(other, "KKM1")  # queued for the title of the one copy on the shelf
    assert "KKM1" not in [p.candidate.barcode for p in desk.kirjakassi.pick_list(client)]


def test_packing_lends_until_the_next_delivery_and_remembers_with_consent(desk, client):
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    loan = desk.kirjakassi.pack(client, "KKK1", "liked author")
    # Packed for 29.12.; the next delivery 26.1.2027, plus a week.
    assert loan.due == date(2027, 2, 2)
    kind = desk.conn.execute("SELECT kind FROM loans WHERE id = (SELECT MAX(id) FROM loans)").fetchone()[0]
    assert kind == "kirjakassi"
    delivery, items = desk.kirjakassi.bag(client)
    assert delivery.due_on == date(2026, 12, 29) and [i.barcode for i in items] == ["KKK1"]
    slip = desk.kirjakassi.packing_slip(client)
    assert "Teos K1" in slip and "Kotiranta, hoitaja Sari" in slip and "29.12.2026" in slip
    assert "KKK1" not in [p.candidate.barcode for p in desk.kirjakassi.pick_list(client)]
    desk.kirjakassi.bag_sent(client)
    desk.loans.return_item("KKK1")
    later = desk.kirjakassi.pick_list(client)
    assert "KKK1" not in [p.candidate.barcode for p in later]  # already received: never twice


def test_without_consent_no_history_is_kept(desk, client):
    desk.kirjakassi.enrol(client, eligibility="age", delivery_address="Palvelutalo", contact_name="Sari",
                      rhythm_weeks=4, weekday="tue", bag_size=4, starts_on="2026-12-01", history_consent=False)
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    assert desk.conn.execute("SELECT COUNT(*) FROM kirjakassi_received").fetchone()[0] == 0


def test_a_bags_late_return_costs_nothing_and_the_bag_comes_back(desk, client, clock):
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    desk.kirjakassi.pack(client, "KKA1")
    desk.kirjakassi.bag_packed(client)
    desk.kirjakassi.bag_sent(client)
    clock.set(datetime(2027, 3, 1, 12))  # long past the due date
    delivery, checked_in = desk.kirjakassi.bag_returned(client)
    assert delivery.status == "returned" and sorted(checked_in) == ["KKA1", "KKK1"]
    assert desk.fees.balance(client) == 0


def test_deliveries_this_week_planned_packed_sent(desk, client):
    second = patron(desk, "P0101", first="Unto", last="Ukkola", birth=date(1940, 1, 1))
    desk.kirjakassi.enrol(second, eligibility="illness", delivery_address="Koivutie 3", contact_name="Tytär Tiina",
                      rhythm_weeks=2, weekday="wed", bag_size=6, starts_on="2026-12-02")
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    rows = desk.kirjakassi.deliveries(date(2026, 12, 1), date(2026, 12, 31))
    assert [(d.card, d.due_on, d.status) for d in rows] == [
        ("P0101", date(2026, 12, 2), "planned"), ("P0101", date(2026, 12, 16), "planned"),
        ("P0100", date(2026, 12, 29), "packing"), ("P0101", date(2026, 12, 30), "planned"),
    ]


def test_a_paused_client_gets_no_bag(desk, client):
    desk.kirjakassi.pause(client, "2026-12-20", "2027-01-31")
    assert desk.kirjakassi.client(client).next_delivery == date(2027, 2, 23)
    desk.kirjakassi.resume(client)
    assert desk.kirjakassi.client(client).next_delivery == date(2026, 12, 29)


def counts(desk) -> dict[str, int]:
    return {table: desk.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("kirjakassi_deliveries", "kirjakassi_bag_items", "kirjakassi_received", "audit_log")}


def fail_on(desk, event: str, table: str, when: str = "1") -> None:
    """A fault injected into the register: the statement the facade makes at that
    point fails, as a full disk or a killed process would make it."""
    desk.conn.execute(f"CREATE TEMP TRIGGER injected_fault {event} ON main.{table} WHEN {when}"
                      " BEGIN SELECT RAISE(ABORT, 'injected'); END")


def test_packing_is_one_transaction_a_failure_midway_writes_nothing(desk, client):
    """The bag is started, the item lent, then putting it in the bag fails: no bag, no
    loan, no history, no audit row — and a refused scan leaves no empty bag behind.
    Mutation caught: pack as separate transactions (the bag or the loan would stay)."""
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    before, loans = counts(desk), desk.conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0]
    fail_on(desk, "BEFORE INSERT", "kirjakassi_bag_items")
    with pytest.raises(Unavailable):
        desk.kirjakassi.pack(client, "KKK1")
    assert counts(desk) == before and desk.conn.execute("SELECT COUNT(*) FROM loans").fetchone()[0] == loans
    desk.conn.execute("DROP TRIGGER temp.injected_fault")
    with pytest.raises(Refused):
        desk.kirjakassi.pack(client, "NO-SUCH-ITEM")
    assert counts(desk) == before


def test_a_returned_bag_is_one_transaction_a_failure_midway_writes_nothing(desk, client, clock):
    """Both items are checked in, then marking the bag returned fails: both stay on
    loan and the bag stays out. Mutation caught: one transaction per returned item."""
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    desk.kirjakassi.pack(client, "KKA1")
    desk.kirjakassi.bag_sent(client)
    clock.set(datetime(2027, 1, 5, 12))
    fail_on(desk, "BEFORE UPDATE", "kirjakassi_deliveries", "new.status = 'returned'")
    with pytest.raises(Unavailable):
        desk.kirjakassi.bag_returned(client)
    on_loan = desk.conn.execute("SELECT COUNT(*) FROM loans WHERE returned_at IS NULL AND kind = 'kirjakassi'")
    assert on_loan.fetchone()[0] == 2
    assert desk.kirjakassi.deliveries(date(2026, 12, 29), date(2026, 12, 29))[0].status == "sent"
    desk.conn.execute("DROP TRIGGER temp.injected_fault")
    delivery, checked_in = desk.kirjakassi.bag_returned(client)
    assert delivery.status == "returned" and sorted(checked_in) == ["KKA1", "KKK1"]


def test_a_delivery_moves_only_forward(desk, client):
    """planned → packing → packed → sent → returned; anything else is refused.
    Mutation caught: a move the core does not allow written anyway."""
    for move in (desk.kirjakassi.bag_packed, desk.kirjakassi.bag_sent, desk.kirjakassi.bag_returned):
        with pytest.raises(Refused) as refused:
            move(client)
        assert refused.value.code == "WRONG_STATE"
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    with pytest.raises(Refused, match="WRONG_STATE"):
        desk.kirjakassi.bag_returned(client)  # not yet sent
    assert desk.kirjakassi.bag_packed(client).status == "packed"
    with pytest.raises(Refused, match="WRONG_STATE"):
        desk.kirjakassi.bag_packed(client)
    assert desk.kirjakassi.bag_sent(client).status == "sent"
    with pytest.raises(Refused, match="WRONG_STATE"):
        desk.kirjakassi.bag_sent(client)


def test_a_bag_sent_today_is_not_reopened_by_the_next_scan(desk, client, clock):
    """Packing on the delivery day after the bag has left starts the next bag.
    Mutation caught: the sent bag set back to packing."""
    desk.kirjakassi.save_interview(client, WISHES, complete=True)
    desk.kirjakassi.pack(client, "KKK1")
    desk.kirjakassi.bag_sent(client)
    clock.set(datetime(2026, 12, 29, 9))  # the delivery day itself
    desk.kirjakassi.pack(client, "KKM1")
    rows = desk.kirjakassi.deliveries(date(2026, 12, 29), date(2027, 1, 31))
    assert [(d.due_on, d.status, d.items) for d in rows] == [(date(2026, 12, 29), "sent", 1),
                                                              (date(2027, 1, 26), "packing", 1)]


def test_the_interview_form_is_an_audited_read_of_the_client(desk, client):
    """Mutation caught: the form's read of the client's data without an audit row."""
    reads = "SELECT COUNT(*) FROM audit_log WHERE kind = 'read' AND action = 'interview_form'"
    form = desk.kirjakassi.interview_form(client)
    assert form.client.name == "Helmi Hakala" and form.versions == ()
    assert form.genre_hints[0] == "dekkarit"  # the most used genre on the shelf
    assert desk.conn.execute(reads).fetchone()[0] == 1
