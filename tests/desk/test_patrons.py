"""Registering and finding patrons; their data and their right to see it (DOMAIN.md §1)."""

from datetime import date

import pytest

from tiski.core.errors import Refused
from tiski.core.passwords import verify_secret
from tiski.desk.patrons import ContactChange, NewPatron

from ..conftest import item


def register(desk, **fields):
    fields.setdefault("card", "P0001")
    fields.setdefault("first", "Aino")
    fields.setdefault("last", "Virtanen")
    return desk.patrons.add(NewPatron(**fields))


def code_of(call):
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.code


def test_registration_with_a_hetu_derives_the_birth_date_and_masks_it(desk):
    view = register(desk, hetu="131052-308T")
    assert view.birth_date == date(1952, 10, 13) and view.age == 74 and view.category == "adult"
    assert view.hetu_masked == "131052-****"


def test_new_century_signs_are_accepted(desk):
    assert register(desk, hetu="010203B0023").birth_date == date(2003, 2, 1)


def test_an_invalid_hetu_is_refused(desk):
    assert code_of(lambda: register(desk, hetu="131052-308U")) == "INVALID_HETU"


def test_a_patron_without_a_finnish_hetu_gives_a_birth_date(desk):
    assert register(desk, birth_date=date(1990, 6, 1)).category == "adult"
    assert code_of(lambda: register(desk, card="P0002")) == "INVALID_INPUT"


def test_under_15_needs_guardian_consent_on_the_day_before_the_15th_birthday(desk):
    born = date(2011, 12, 3)
    assert code_of(lambda: register(desk, birth_date=born)) == "CONSENT_MISSING"
    view = register(desk, birth_date=born, guardian="Eeva Virtanen", consent_date=date(2026, 11, 20))
    assert view.category == "child" and view.guardian == "Eeva Virtanen"


def test_an_organisation_card_needs_a_responsible_person(desk):
    assert code_of(lambda: register(desk, first="", last="Päiväkoti Mustikka", organisation=True)) \
        == "CONSENT_MISSING"
    view = register(desk, first="", last="Päiväkoti Mustikka", organisation=True, responsible="Liisa Laine")
    assert view.category == "organisation" and view.age is None


def test_duplicates_are_refused(desk):
    register(desk, hetu="131052-308T")
    assert code_of(lambda: register(desk, birth_date=date(1990, 1, 1))) == "DUPLICATE_CARD"
    assert code_of(lambda: register(desk, card="P0002", hetu="131052-308T")) == "DUPLICATE_PATRON"


def test_a_duplicate_identity_code_names_the_card_holding_it(desk):
    """Issue 10 #7: staff learn which card already holds the HETU (the current one,
    after a lost-card report), the name masked. Mutation caught: the refusal without
    the holder, the old card named, or the name in clear."""
    from tiski.i18n import Translator

    register(desk, hetu="131052-308T")
    desk.patrons.report_lost_card("P0001", "P0011")
    with pytest.raises(Refused) as refused:
        register(desk, card="P0002", first="Eino", hetu="131052-308T")
    assert refused.value.first.params == {"card": "P0011", "name": "A*** V*******"}
    said = Translator("fi").refusal(refused.value.first)
    assert said == "Henkilötunnus on jo rekisterissä: kortti P0011 (A*** V*******)."
    assert "Virtanen" not in said and "131052" not in said


def test_the_pin_is_stored_only_as_a_slow_hash(desk):
    register(desk, birth_date=date(1990, 1, 1), pin="4321")
    stored = desk.conn.execute("SELECT pin_hash FROM patrons").fetchone()[0]
    assert "4321" not in stored and stored.startswith("scrypt$")
    assert verify_secret("4321", stored) and not verify_secret("1234", stored)
    assert code_of(lambda: desk.patrons.set_pin("P0001", "12")) == "INVALID_INPUT"


def test_find_by_name_email_phone_and_card(desk):
    register(desk, birth_date=date(1990, 1, 1), email="aino.virtanen@example.fi", phone="+358 40 123 4567")
    register(desk, card="P0002", first="Aino", last="Virtala", birth_date=date(1962, 1, 1))
    register(desk, card="P0003", first="Matti", last="Mäkinen", birth_date=date(1970, 1, 1))
    assert [h["card"] for h in desk.patrons.find("virt aino")] == ["P0001", "P0002"] or \
        {h["card"] for h in desk.patrons.find("virt aino")} == {"P0001", "P0002"}
    assert [h["birth_year"] for h in desk.patrons.find("Virtala")] == [1962]
    assert [h["card"] for h in desk.patrons.find("makinen")] == ["P0003"]  # typed without ä
    assert [h["card"] for h in desk.patrons.find("040 123")] == ["P0001"]
    assert [h["card"] for h in desk.patrons.find("aino.virtanen@")] == ["P0001"]
    assert desk.patrons.find("P0003")[0]["exact_card"]
    assert desk.patrons.find("") == [] and desk.patrons.find("%$#") == []


def test_contact_changes(desk):
    register(desk, birth_date=date(1990, 1, 1))
    view = desk.patrons.update("P0001", ContactChange(last="Laine", phone="050 765 4321", verify_id=True))
    assert view.name == "Aino Laine" and view.verify_id
    assert [h["card"] for h in desk.patrons.find("0507654")] == ["P0001"]
    assert code_of(lambda: desk.patrons.update("P0001", ContactChange(email="not-an-address"))) == "INVALID_INPUT"


def test_export_holds_everything_stored_including_the_hetu(desk):
    register(desk, hetu="131052-308T", email="aino@example.fi")
    desk.loans.checkout("P0001", item(desk, "B0001"))
    desk.fees.charge("P0001", 150, "Palautuskehotus", "reminder")
    data = desk.patrons.export("P0001")
    assert data["patron"]["hetu"] == "131052-308T"
    assert data["patron"]["email"] == "aino@example.fi"
    assert [c["card"] for c in data["cards"]] == ["P0001"]
    assert data["loans"][0]["barcode"] == "B0001"
    assert data["fees"][0]["amount_cents"] == 150
    assert "pin_hash" not in data["patron"]
    assert set(data) >= {"patron", "cards", "loans", "holds", "fees", "bans", "ill_requests", "notices", "overrides"}


def test_a_lost_card_is_closed_and_a_new_one_issued(desk):
    register(desk, birth_date=date(1990, 1, 1))
    view = desk.patrons.report_lost_card("P0001", "P0009")
    assert view.card == "P0009"
    old = desk.patrons.view("P0001")  # the old card still finds the patron, marked lost
    assert old.card_status == "lost" and [b.code for b in old.blocks] == ["CARD_LOST"]
    assert code_of(lambda: desk.patrons.report_lost_card("P0001", "P0010")) == "CARD_LOST"
    assert code_of(lambda: desk.patrons.report_lost_card("P0009", "P0009")) == "DUPLICATE_CARD"


@pytest.mark.parametrize("first", ["\x1b[31mAino", "Ai\x07no", "A" * 101])
def test_hostile_names_are_refused(desk, first):
    assert code_of(lambda: register(desk, first=first, birth_date=date(1990, 1, 1))) == "INVALID_INPUT"
    assert desk.conn.execute("SELECT COUNT(*) FROM patrons").fetchone()[0] == 0


def test_a_patron_is_spoken_to_in_finnish_swedish_or_english(desk):
    """Notices and the self-service machines use the patron's language: Finnish unless
    they chose Swedish or English. Mutations caught: the language not stored (the view
    says fi), not changed by an edit, or any code accepted."""
    assert register(desk, birth_date=date(1990, 1, 1)).language == "fi"
    assert register(desk, card="P0002", birth_date=date(1990, 1, 1), language="sv").language == "sv"
    assert desk.patrons.view("P0002").language == "sv"
    assert desk.patrons.update("P0002", ContactChange(language="en")).language == "en"
    assert desk.patrons.export("P0002")["patron"]["language"] == "en"
    assert code_of(lambda: register(desk, card="P0003", birth_date=date(1990, 1, 1), language="de")) == "INVALID_INPUT"
    assert code_of(lambda: desk.patrons.update("P0002", ContactChange(language="ru"))) == "INVALID_INPUT"
    assert desk.patrons.view("P0002").language == "en"
    assert code_of(lambda: desk.patrons.view("P0003")) == "PATRON_UNKNOWN"
