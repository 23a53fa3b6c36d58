"""A register with self-service machines, a SIP2 server on loopback started by the test,
and a machine's side of the line that builds and reads frames with `pysip2` — an
independent codec, not Tiski's own."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
from datetime import date
from pathlib import Path

import pysip2
import pytest
from pysip2 import decode_message, encode_message

from tiski.clock import ManualClock
from tiski.desk import Desk
from tiski.desk.automat import NewMachine
from tiski.desk.patrons import NewPatron
from tiski.sip2.server import Sip2Server
from tiski.store.db import connect

from ..conftest import START, item

PASSWORD = "konesala1"  # every test machine's
NOW = START.strftime("%Y%m%d    %H%M%S")  # the SIP2 date of the test clock

AINO, EINO, VERIFY, LOST, NEW_CARD, NOPIN = (
    "2028999000001", "2028999000002", "2028999000003", "2028999000004", "2028999000014", "2028999000005")
PINS = {AINO: "1234", EINO: "4321", VERIFY: "1111", NEW_CARD: "2222"}
TITLES = {"1000000001": "Täällä Pohjantähden alla", "1000000002": "Nälkävuosi", "1000000003": "Åbo slott",
          "1000000004": "Le Piège de Bogota", "1000000005": "Kalevala"}

# name: (branch, encoding, terminator, error_detect, fees_at_machine, language)
MACHINES = {
    "kiosk": ("PORI", "utf-8", "cr", False, False, "fi"),
    "kiosk-ulv": ("ULV", "utf-8", "cr", False, False, "fi"),
    "kiosk850": ("PORI", "cp850", "crlf", False, False, "sv"),
    "kiosklat": ("PORI", "latin-1", "cr", False, False, "en"),
    "kiosk-ed": ("PORI", "utf-8", "cr", True, False, "fi"),
    "kiosk-fees": ("PORI", "utf-8", "cr", False, True, "en"),
}


@pytest.fixture(scope="session")
def sip2_template(template_db, tmp_path_factory) -> Path:
    """Branches PORI and ULV (the root template), an admin, the machines above, patrons
    with PINs (one asks for an ID check at every loan, one lost a card, one has no PIN)
    and five items with accented titles."""
    path = tmp_path_factory.mktemp("sip2") / "sip2.sqlite"
    shutil.copy(template_db, path)
    desk = Desk(connect(path), clock=ManualClock(START), branch="PORI")
    # The admin is the Unix user running the tests: the CLI acts as her by the real uid.
    desk.admin.add_staff("kaisa", "admin", "Kaisa", "salasana123", unix_user=pwd.getpwuid(os.getuid()).pw_name)
    desk.act_as("kaisa")
    for name, (branch, encoding, terminator, detect, fees, language) in MACHINES.items():
        desk.automat.add_machine(NewMachine(name, branch, PASSWORD, encoding, terminator, detect, fees, language))
    for card, first, extra in ((AINO, "Aino", {}), (EINO, "Eino", {}), (VERIFY, "Veera", {"verify_id": True}),
                               (LOST, "Lasse", {}), (NOPIN, "Niilo", {})):
        pin = PINS.get(card)
        desk.patrons.add(NewPatron(card=card, first=first, last="Virtanen", birth_date=date(1980, 5, 17),
                                   pin=pin, **extra))
    desk.patrons.report_lost_card(LOST, NEW_CARD)
    desk.patrons.set_pin(NEW_CARD, PINS[NEW_CARD])
    for barcode, title in TITLES.items():
        item(desk, barcode, title=title)
    item(desk, "2000000001", title="Ulvilan kirja", branch="ULV")
    item(desk, "3000000001", title="Elokuva", format="dvd")
    desk.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    desk.conn.close()
    return path


@pytest.fixture
def sip2_db(sip2_template, tmp_path) -> Path:
    path = tmp_path / "tiski.sqlite"
    shutil.copy(sip2_template, path)
    return path


@pytest.fixture
def staff_desk(sip2_db, clock):
    """A desk on the same register, as the admin: set-up and checks beside the machines."""
    desk = Desk(connect(sip2_db), clock=clock, branch="PORI", staff="kaisa")
    yield desk
    desk.conn.close()


@pytest.fixture
async def server(sip2_db, clock):
    server = Sip2Server(sip2_db, port=0, clock=clock)
    await server.start()
    yield server
    await server.stop()


class Line:
    """The machine's end of the connection: frames built and read by pysip2."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, encoding: str, terminator: bytes):
        self.reader, self.writer = reader, writer
        self.encoding, self.terminator = encoding, terminator
        self.last = b""

    async def raw(self, data: bytes, timeout: float = 1.0) -> bytes:
        """Send bytes; the reply, terminator included, within `timeout` seconds."""
        self.writer.write(data)
        await self.writer.drain()
        self.last = await asyncio.wait_for(self.reader.readuntil(self.terminator), timeout)
        return self.last

    async def ask(self, message: pysip2.SIPMessage, sequence: int | None = None):
        frame = encode_message(message, sequence_number=sequence, checksum=sequence is not None,
                               encoding=self.encoding)
        reply = await self.raw(frame)
        return decode_message(reply[: -len(self.terminator)] + b"\r", encoding=self.encoding).message

    async def close(self) -> None:
        self.writer.close()


async def connect_machine(server: Sip2Server, name: str = "kiosk", password: str = PASSWORD) -> Line:
    """A machine that has logged in (94 ok 1)."""
    line = await open_line(server, name)
    reply = await line.ask(login(name, password))
    assert reply.ok == "1"
    return line


async def open_line(server: Sip2Server, name: str = "kiosk") -> Line:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    _, encoding, terminator, *_ = MACHINES.get(name, ("", "utf-8", "cr"))
    return Line(reader, writer, encoding, b"\r\n" if terminator == "crlf" else b"\r")


# --- requests ---------------------------------------------------------------------------------

def login(name: str = "kiosk", password: str = PASSWORD) -> pysip2.LoginRequest:
    return pysip2.LoginRequest(uid_algorithm="0", pwd_algorithm="0", login_user_id=name, login_password=password,
                               location_code="PORI")


def sc_status() -> pysip2.SCStatusRequest:
    return pysip2.SCStatusRequest(status_code="0", max_print_width="040", protocol_version="2.00")


def patron_status(card: str, pin: str | None = "", language: str = "000") -> pysip2.PatronStatusRequest:
    return pysip2.PatronStatusRequest(language=language, transaction_date=NOW, institution_id="PORI",
                                      patron_identifier=card, terminal_password="", patron_password=pin or "")


def patron_information(card: str, pin: str | None = None, summary: str = " " * 10, start: str | None = None,
                       end: str | None = None, language: str = "000") -> pysip2.PatronInformationRequest:
    return pysip2.PatronInformationRequest(language=language, transaction_date=NOW, summary=summary,
                                           institution_id="PORI", patron_identifier=card, terminal_password="",
                                           patron_password=pin, start_item=start, end_item=end)


def checkout(card: str, barcode: str, pin: str | None = None) -> pysip2.CheckoutRequest:
    return pysip2.CheckoutRequest(sc_renewal_policy="N", no_block="N", transaction_date=NOW, nb_due_date=NOW,
                                  institution_id="PORI", patron_identifier=card, item_identifier=barcode,
                                  terminal_password="", patron_password=pin)


def checkin(barcode: str) -> pysip2.CheckinRequest:
    return pysip2.CheckinRequest(no_block="N", transaction_date=NOW, return_date=NOW, current_location="PORI",
                                 institution_id="PORI", item_identifier=barcode, terminal_password="")


def renew(card: str, barcode: str, pin: str | None = None) -> pysip2.RenewRequest:
    return pysip2.RenewRequest(third_party_allowed="N", no_block="N", transaction_date=NOW, nb_due_date=NOW,
                               institution_id="PORI", patron_identifier=card, patron_password=pin,
                               item_identifier=barcode)


def renew_all(card: str, pin: str | None = None) -> pysip2.RenewAllRequest:
    return pysip2.RenewAllRequest(transaction_date=NOW, institution_id="PORI", patron_identifier=card,
                                  patron_password=pin)


def item_information(barcode: str) -> pysip2.ItemInformationRequest:
    return pysip2.ItemInformationRequest(transaction_date=NOW, institution_id="PORI", item_identifier=barcode)


def hold(card: str, barcode: str, pin: str | None = None, mode: str = "+",
         pickup: str | None = None) -> pysip2.HoldRequest:
    return pysip2.HoldRequest(hold_mode=mode, transaction_date=NOW, institution_id="PORI", patron_identifier=card,
                              patron_password=pin, item_identifier=barcode, pickup_location=pickup)


def fee_paid(card: str, amount: str, pin: str | None = None, currency: str = "EUR") -> pysip2.FeePaidRequest:
    return pysip2.FeePaidRequest(transaction_date=NOW, fee_type="01", payment_type="00", currency_type=currency,
                                 fee_amount=amount, institution_id="PORI", patron_identifier=card,
                                 patron_password=pin, transaction_id="T-1")


def end_session(card: str) -> pysip2.EndPatronSessionRequest:
    return pysip2.EndPatronSessionRequest(transaction_date=NOW, institution_id="PORI", patron_identifier=card)
