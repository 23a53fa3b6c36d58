"""Every message Tiski speaks, over a real socket, table-driven like Koha's old
SIPtest.pm: a request built by pysip2, the reply read by pysip2 (so every fixed field
has its exact width and form), and the fields expected.

Mutations caught (one case each, at least): BX claiming Fee Paid for a machine not
allowed payments; the name (AE) or balance sent without a right PIN; an empty PIN taken
as valid (CQ Y); a checkout without a PIN; a list not paged by BP/BQ; a checkin that
does not say where a held or travelling item goes (CV/CT); a payment taken at a machine
not allowed to; a screen message not in the language the patron chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pysip2
import pytest

from .conftest import (
    AINO,
    EINO,
    NOPIN,
    PINS,
    checkin,
    checkout,
    connect_machine,
    end_session,
    fee_paid,
    hold,
    item_information,
    login,
    open_line,
    patron_information,
    patron_status,
    renew,
    renew_all,
    sc_status,
)

A, E = PINS[AINO], PINS[EINO]


def lend(*barcodes: str, card: str = AINO) -> Callable[[Any, Any], None]:
    def setup(desk, clock) -> None:
        for barcode in barcodes:
            desk.loans.checkout(card, barcode)
    return setup


def waiting_for_eino(desk, clock) -> None:
    """Eino's hold on a copy Aino has; Aino brings it back at PORI: it waits for Eino."""
    desk.loans.checkout(AINO, "1000000001")
    desk.holds.place(EINO, "1000000001", "PORI")
    desk.loans.return_item("1000000001")


def held_by_eino(desk, clock) -> None:
    desk.loans.checkout(AINO, "1000000001")
    desk.holds.place(EINO, "1000000001", "PORI")


def fee(cents: int) -> Callable[[Any, Any], None]:
    def setup(desk, clock) -> None:
        desk.fees.charge(AINO, cents, "Kadonnut nide", "manual")
    return setup


def ten_days_later(desk, clock) -> None:
    desk.loans.checkout(AINO, "1000000001")
    clock.advance(days=10)


@dataclass(frozen=True)
class Case:
    name: str
    request: pysip2.SIPMessage
    expect: dict[str, Any]
    machine: str = "kiosk"
    logged_in: bool = True
    setup: Callable[[Any, Any], None] | None = None
    before: tuple[pysip2.SIPMessage, ...] = ()
    raw: tuple[bytes, ...] = ()  # bytes the reply must carry (3M extensions pysip2 skips: CV, CT)
    absent: tuple[bytes, ...] = field(default=())  # bytes it must not


CASES = [
    Case("login", login(), {"ok": "1"}, logged_in=False),
    Case("login, wrong password", login(password="konesala2"), {"ok": "0"}, logged_in=False),
    Case("login, unknown machine", login("nobody"), {"ok": "0"}, logged_in=False),
    Case("login, encrypted password", pysip2.LoginRequest(uid_algorithm="0", pwd_algorithm="1", login_user_id="kiosk",
                                                          login_password="konesala1"), {"ok": "0"}, logged_in=False),
    Case("status", sc_status(), {"online_status": "Y", "checkin_ok": "Y", "checkout_ok": "Y", "protocol_version": "2.00",
                                 "supported_messages": "YYYNYYYYYNYNNYYY", "institution_id": "PORI",
                                 "terminal_location": "kiosk", "timeout_period": "100", "retries_allowed": "003"}),
    Case("status, machine taking payments", sc_status(), {"supported_messages": "YYYNYYYYYYYNNYYY"},
         machine="kiosk-fees"),
    Case("status before login", sc_status(), {"checkout_ok": "N", "supported_messages": "NNNNYYYNNNNNNNNN",
                                              "screen_message": ("Laite ei ole kirjautunut (SIP2 93).",)},
         logged_in=False),
    Case("checkout before login", checkout(AINO, "1000000001", A), {"ok": "0", "desensitize": "N",
         "screen_message": ("Laite ei ole kirjautunut (SIP2 93).",)}, logged_in=False),
    Case("patron status, right PIN", patron_status(AINO, A), {
        "patron_status": " " * 14, "language": "007", "valid_patron": "Y", "valid_patron_password": "Y",
        "personal_name": "Aino Virtanen", "currency_type": "EUR", "fee_amount": "0.00", "screen_message": ()}),
    Case("patron status, wrong PIN", patron_status(AINO, "9999"), {
        "valid_patron": "Y", "valid_patron_password": "N", "personal_name": "", "fee_amount": None,
        "screen_message": ("Väärä tunnusluku.",)}),
    Case("patron status, empty PIN", patron_status(AINO, ""), {
        "valid_patron_password": "N", "personal_name": "", "screen_message": ("Anna tunnusluku.",)}),
    Case("patron status, unknown card", patron_status("2028999999999", "1234"), {
        "patron_status": "YYYY" + " " * 10, "valid_patron": "N", "personal_name": "",
        "screen_message": ("Asiakasta ei löydy tällä kortilla.",)}),
    Case("patron status, no PIN yet", patron_status(NOPIN, "1234"), {
        "valid_patron_password": "N", "screen_message": ("Kortillasi ei ole tunnuslukua. Saat sen asiakaspalvelusta.",)}),
    Case("patron status in Swedish, chosen at the machine", patron_status(AINO, "9999", language="006"), {
        "language": "006", "screen_message": ("Fel PIN-kod.",)}),
    Case("patron status in the machine's language", patron_status(AINO, "9999"), {
        "language": "001", "screen_message": ("Wrong PIN.",)}, machine="kiosklat"),
    Case("patron information, charged items paged", patron_information(AINO, A, "  Y       ", "2", "3"), {
        "charged_items_count": "0003", "charged_items": ("1000000002", "1000000003"), "personal_name": "Aino Virtanen",
        "charged_items_limit": "0150", "fee_limit": "10.00", "valid_patron_password": "Y"},
         setup=lend("1000000001", "1000000002", "1000000003")),
    Case("patron information without a PIN: counts, no lists, no name", patron_information(AINO, None, "  Y       "), {
        "charged_items_count": "0003", "charged_items": (), "personal_name": "", "fee_amount": None},
         setup=lend("1000000001", "1000000002", "1000000003")),
    Case("patron information, hold waiting", patron_information(EINO, E, "Y         "), {
        "hold_items_count": "0001", "hold_items": ("1000000001",), "unavailable_holds_count": "0000"},
         setup=waiting_for_eino),
    Case("patron information, unavailable holds", patron_information(EINO, E, "     Y    "), {
        "unavailable_holds_count": "0001", "unavailable_hold_items": ("Täällä Pohjantähden alla",)},
         setup=held_by_eino),
    Case("patron information, fines and the 10 € limit", patron_information(AINO, A, "   Y      "), {
        "fine_items_count": "0001", "fine_items": ("5.00 manual",), "fee_amount": "5.00", "fee_limit": "10.00"},
         setup=fee(500)),
    Case("patron information over the 10 € limit", patron_information(AINO, A), {
        "patron_status": "YYYY      YY  ", "fee_amount": "10.01",
        "screen_message": ("Maksuja 10,01 € – lainausoikeus menetetty, kun maksuja on yli 10,00 €.",)},
         setup=fee(1001)),
    Case("checkout", checkout(AINO, "1000000001", A), {
        "ok": "1", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "Y", "title_identifier":
        "Täällä Pohjantähden alla", "due_date": "20261230    235959", "media_type": "001",
        "screen_message": ("Eräpäivä 30.12.2026.",)}),
    Case("checkout of a DVD", checkout(AINO, "3000000001", A), {"ok": "1", "media_type": "006"}),
    Case("checkout without a PIN", checkout(AINO, "1000000001"), {
        "ok": "0", "desensitize": "N", "due_date": "", "screen_message": ("Anna tunnusluku.",)}),
    Case("checkout after the PIN in 63", checkout(AINO, "1000000001"), {"ok": "1"},
         before=(patron_information(AINO, A),)),
    Case("checkout, after the patron session ended", checkout(AINO, "1000000001"), {"ok": "0"},
         before=(patron_information(AINO, A), end_session(AINO))),
    Case("checkout, unknown item", checkout(AINO, "1999999999", A), {
        "ok": "0", "title_identifier": "",
        "screen_message": ("Nidettä ei löydy tällä viivakoodilla.", "Vie nide asiakaspalveluun.")}),
    Case("checkin, not on loan", checkin("1000000001"), {"ok": "1", "resensitize": "Y", "alert": "N",
                                                         "permanent_location": "PORI"}),
    Case("checkin", checkin("1000000001"), {"ok": "1", "alert": "N", "screen_message": ("Palautettu.",)},
         setup=lend("1000000001")),
    Case("checkin, unknown item", checkin("1999999999"), {"ok": "0", "alert": "Y", "resensitize": "N"},
         raw=(b"|CV99|",)),
    Case("checkin traps a hold here", checkin("1000000001"), {"ok": "1", "alert": "Y",
         "screen_message": ("Varattu: noutohylly 001.",)}, setup=held_by_eino, raw=(b"|CV01|", b"|CTPORI|"),
         absent=(EINO.encode(),)),
    Case("checkin sends a copy home", checkin("2000000001"), {"ok": "1", "alert": "Y", "permanent_location": "ULV",
         "screen_message": ("Palautuu toimipisteeseen ULV.",)}, raw=(b"|CV04|", b"|CTULV|")),
    Case("checkin sends a copy to a hold elsewhere", checkin("2000000001"), {"alert": "Y"}, machine="kiosk",
         setup=lambda desk, clock: (desk.loans.checkout(AINO, "2000000001"),
                                    desk.holds.place(EINO, "2000000001", "ULV")),
         raw=(b"|CV02|", b"|CTULV|")),
    Case("renew", renew(AINO, "1000000001", A), {"ok": "1", "renewal_ok": "Y", "due_date": "20270109    235959"},
         setup=ten_days_later),
    Case("renew, a hold on the title", renew(AINO, "1000000001", A), {
        "ok": "0", "renewal_ok": "N", "screen_message": ("Nimekkeeseen on varauksia (1) – lainaa ei voi uusia.",)},
         setup=lambda desk, clock: (held_by_eino(desk, clock), clock.advance(days=3))),
    Case("renew all", renew_all(AINO, A), {"ok": "1", "renewed_count": "0001", "unrenewed_count": "0001",
         "renewed_items": ("1000000002",), "unrenewed_items": ("1000000001",)},
         setup=lambda desk, clock: (held_by_eino(desk, clock), desk.loans.checkout(AINO, "1000000002"),
                                    clock.advance(days=3))),
    Case("item information, available", item_information("1000000002"), {
        "circulation_status": "03", "security_marker": "00", "fee_type": "01", "title_identifier": "Nälkävuosi",
        "owner": "PORI", "due_date": None}),
    Case("item information, on loan", item_information("1000000001"), {
        "circulation_status": "04", "due_date": "20261230    235959"}, setup=lend("1000000001"), absent=(AINO.encode(),)),
    Case("item information, waiting on the hold shelf", item_information("1000000001"), {"circulation_status": "08"},
         setup=waiting_for_eino),
    Case("item information, unknown", item_information("1999999999"), {"circulation_status": "01",
                                                                       "title_identifier": ""}),
    Case("hold", hold(EINO, "1000000001", E), {"ok": "1", "available": "N", "queue_position": "1",
                                               "pickup_location": "PORI", "title_identifier":
                                               "Täällä Pohjantähden alla"}, setup=lend("1000000001")),
    Case("hold cancelled", hold(EINO, "1000000001", E, mode="-"), {"ok": "1", "screen_message": ("Varaus peruttu.",)},
         setup=held_by_eino),
    Case("hold changed: not at a machine", hold(EINO, "1000000001", E, mode="*"), {"ok": "0"}),
    Case("hold by title alone", pysip2.HoldRequest(hold_mode="+", transaction_date="20261202    140500",
                                                   institution_id="PORI", patron_identifier=EINO,
                                                   patron_password=E, title_identifier="Kalevala"),
         {"ok": "0", "screen_message": ("Lue niteen viivakoodi.",)}),
    Case("fee paid, not at this machine", fee_paid(AINO, "5.00", A), {
        "payment_accepted": "N", "transaction_id": "T-1",
        "screen_message": ("Maksuja ei voi maksaa tällä laitteella: maksa asiakaspalvelussa.",)}, setup=fee(500)),
    Case("fee paid", fee_paid(AINO, "2.50", A), {"payment_accepted": "Y",
         "screen_message": ("Paid 2.50 €. Still owed 2.50 €.",)}, machine="kiosk-fees", setup=fee(500)),
    Case("fee paid in dollars", fee_paid(AINO, "2.50", A, currency="USD"), {"payment_accepted": "N"},
         machine="kiosk-fees", setup=fee(500)),
    Case("end patron session", end_session(AINO), {"end_session": "Y", "screen_message": ("Kiitos käynnistä!",)}),
    Case("block patron: the desk decides", pysip2.BlockPatronRequest(
        card_retained="N", transaction_date="20261202    140500", institution_id="PORI", blocked_card_message="x",
        patron_identifier=AINO, terminal_password=""),
         {"valid_patron": "Y", "patron_status": " " * 14,
          "screen_message": ("Anna tunnusluku.", "Tätä ei voi tehdä automaatilla: tule asiakaspalveluun.")}),
    Case("item status update: not taken", pysip2.ItemStatusUpdateRequest(
        transaction_date="20261202    140500", institution_id="PORI", item_identifier="1000000001",
        item_properties="x"), {"item_properties_ok": "0"}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_message(server, staff_desk, clock, case):
    if case.setup is not None:
        case.setup(staff_desk, clock)
    line = await connect_machine(server, case.machine) if case.logged_in else await open_line(server, case.machine)
    for request in case.before:
        await line.ask(request)
    reply = await line.ask(case.request)
    for name, expected in case.expect.items():
        assert getattr(reply, name) == expected, name
    for data in case.raw:
        assert data in line.last
    for data in case.absent:
        assert data not in line.last
    await line.close()
