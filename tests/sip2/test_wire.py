"""The line itself: checksums and sequence numbers, 97/96, terminators and encodings,
frames split or joined by TCP, garbage, and a real sloppy client (PyPI `sip2`).

Mutations caught: a bad checksum answered with anything but 96, or the connection
dropped after it; 97 resending anything but the last reply byte for byte (or the 96
itself); a sequence number not echoed; an error-detecting machine's unchecked request
served; replies not in the machine's encoding or terminator; a frame split by TCP
handled as two; unpadded checksums refused.
"""

from __future__ import annotations

import asyncio
import logging

from pysip2 import decode_message, encode_message

from tiski.desk.patrons import ContactChange
from tiski.sip2.codec import checksum

from .conftest import AINO, PINS, checkout, connect_machine, login, open_line, patron_information, sc_status


async def test_a_bad_checksum_is_answered_with_96_and_the_line_stays(server):
    line = await connect_machine(server)
    good = encode_message(sc_status(), sequence_number=3, checksum=True, encoding="utf-8")
    broken = good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"0001") + b"\r"
    assert await line.raw(broken) == b"96AZFEF6\r"
    reply = await line.raw(good)
    assert decode_message(reply, encoding="utf-8").message.online_status == "Y"


async def test_97_resends_the_last_reply_byte_for_byte(server):
    line = await connect_machine(server)
    assert await line.raw(b"97\r") == (await line.raw(b"97\r"))  # the login reply, twice
    first = await line.raw(encode_message(patron_information(AINO, PINS[AINO]), sequence_number=5, checksum=True,
                                          encoding="utf-8"))
    await line.raw(first[:10] + b"\r")  # garbage: a 96, which is not "the last reply"
    assert await line.raw(b"97AZFEF5\r") == first
    fresh = await open_line(server)
    assert await fresh.raw(b"97\r") == b"96\r"  # nothing sent yet


async def test_the_sequence_number_is_echoed_and_the_checksum_right(server):
    line = await connect_machine(server)
    for sequence in (0, 7, 9):
        frame = encode_message(patron_information(AINO, PINS[AINO]), sequence_number=sequence, checksum=True,
                               encoding="utf-8")
        decoded = decode_message(await line.raw(frame), encoding="utf-8")  # pysip2 verifies the checksum
        assert decoded.sequence_number == sequence and decoded.checksum is not None


async def test_an_error_detecting_machine_must_send_checksums(server):
    line = await open_line(server, "kiosk-ed")
    frame = encode_message(login("kiosk-ed"), sequence_number=0, checksum=True, encoding="utf-8")
    assert decode_message(await line.raw(frame), encoding="utf-8").message.ok == "1"
    assert await line.raw(encode_message(sc_status(), encoding="utf-8")) == b"96AZFEF6\r"
    checked = await line.raw(encode_message(sc_status(), sequence_number=1, checksum=True, encoding="utf-8"))
    assert checked.endswith(b"\r") and b"AY1AZ" in checked


async def test_replies_in_the_machines_encoding_and_terminator(server, staff_desk):
    staff_desk.patrons.update(AINO, ContactChange(language="sv"))
    line = await connect_machine(server, "kiosk850")
    assert line.last.endswith(b"\r\n")
    reply = await line.ask(checkout(AINO, "1000000001", PINS[AINO]))
    assert b"AJT\x84\x84ll\x84 Pohjant\x84hden alla|" in line.last and line.last.endswith(b"\r\n")
    assert reply.title_identifier == "Täällä Pohjantähden alla"
    assert reply.screen_message == ("Återlämningsdag 30.12.2026.",)
    latin = await connect_machine(server, "kiosklat")
    await latin.ask(checkout(AINO, "1000000003", PINS[AINO]))
    assert b"AJ\xc5bo slott|" in latin.last


async def test_frames_split_and_joined_by_tcp(server):
    line = await connect_machine(server)
    status = encode_message(sc_status(), encoding="utf-8")
    line.writer.write(status[:5])
    await line.writer.drain()
    await asyncio.sleep(0.05)
    assert (await line.raw(status[5:]))[:2] == b"98"
    line.writer.write(status.replace(b"\r", b"\r\n") + status.replace(b"\r", b"\n"))
    await line.writer.drain()
    first = await asyncio.wait_for(line.reader.readuntil(b"\r"), 1)
    second = await asyncio.wait_for(line.reader.readuntil(b"\r"), 1)
    assert first[:2] == second[:2] == b"98"


async def test_what_is_no_sip2_request_gets_96_and_the_line_stays(server):
    """Bytes that are no SIP2 2.00 request at all — no two-digit command, or a command
    no machine sends — can be answered by no reply of their own kind: 96, and the line
    stays (README, SIP2)."""
    line = await connect_machine(server)
    for garbage in (b"XX123\r", b"\xff\xfe\x00|AA\r", b"9\r", b"64000\r", b"12NN\r"):
        assert await line.raw(garbage) == b"96\r"
    assert (await line.ask(sc_status())).online_status == "Y"


async def test_a_malformed_known_message_gets_its_own_refusal_not_96(server, staff_desk):
    """Mutation caught: a known command too short for its fixed fields (an 11 of four
    bytes) answered with 96 — in SIP2 2.00 "checksum bad, resend", so the machine sends
    the same bytes again and again. It gets its own reply saying no (12 ok 0, 64 not a
    valid patron, 94 ok 0), an AF in the machine's, then the patron's, language, its
    sequence number echoed; 97 resends it; nothing is lent; the line stays."""
    staff_desk.patrons.update(AINO, ContactChange(language="sv"))
    line = await connect_machine(server, "kiosklat")  # an English-speaking machine
    english = "The machine's message was incomplete: please try again, or come to the desk."
    short = b"11NNAY3AZ"
    reply = await line.raw(short + checksum(short).encode() + b"\r")
    decoded = decode_message(reply, encoding="latin-1")
    assert decoded.message.ok == "0" and decoded.message.desensitize == "N"
    assert decoded.message.screen_message == (english,) and decoded.sequence_number == 3
    assert await line.raw(b"97\r") == reply
    info = decode_message(await line.raw(b"63000\r"), encoding="latin-1").message
    assert info.valid_patron == "N" and info.personal_name == "" and info.screen_message == (english,)
    assert (await line.ask(patron_information(AINO, PINS[AINO]))).valid_patron_password == "Y"
    swedish = decode_message(await line.raw(b"29N\r"), encoding="latin-1").message  # Aino's session: her language
    assert swedish.ok == "0" and swedish.screen_message == (
        "Automatens meddelande var ofullständigt: försök igen eller kom till kundtjänsten.",)
    assert staff_desk.patrons.view(AINO).loans == ()
    assert await line.raw(b"930\r") == b"940\r"  # a broken login logs the connection out, as a failed one does
    assert (await line.ask(checkout(AINO, "1000000001", PINS[AINO]))).ok == "0"
    assert (await line.ask(login("kiosklat"))).ok == "1"
    assert (await line.ask(sc_status())).online_status == "Y"


async def test_a_line_too_long_to_be_sip2_is_closed_cleanly(server):
    line = await connect_machine(server)
    line.writer.write(b"63" + b"x" * 20000)
    await line.writer.drain()
    assert await asyncio.wait_for(line.reader.read(), 1) == b""


async def test_the_pypi_sip2_client_with_its_unpadded_checksums(server):
    """A real, sloppy client: it pads nothing (`format(sum, 'X')`) and sums characters.
    Tiski accepts a short checksum after AY<digit> when it adds up (README, SIP2)."""
    from Sip2.sip2 import Sip2

    client = Sip2()
    client.hostName, client.hostPort, client.tlsEnable = "127.0.0.1", server.port, False
    client.log = logging.getLogger("sip2-client")
    await asyncio.to_thread(client.connect)
    reply = await asyncio.to_thread(client.get_response, client.sip_login_request("kiosk", "konesala1"))
    assert client.sip_login_response(reply)["fixed"]["Ok"] == "1"
    client.patron, client.patronpwd = AINO, PINS[AINO]
    # Long enough fields that the checksum falls below 0x1000: unpadded.
    client.institutionId = "z" * 255
    for length in range(256):
        client.terminalPassword = "z" * length
        request = client.sip_patron_information_request("charged")
        if len(request.rstrip("\r").split("AZ")[-1]) < 4:
            break
        client._seq -= 1  # the same sequence number again
    else:
        raise AssertionError("no unpadded checksum found")
    trailer = request.rstrip("\r").split("AZ")[-1]
    assert len(trailer) < 4 and int(trailer, 16) == int(checksum(request.rstrip("\r")[: -len(trailer)].encode()), 16)
    parsed = client.sip_patron_information_response(await asyncio.to_thread(client.get_response, request))
    assert parsed["variable"]["AE"] == ["Aino Virtanen"] and parsed["variable"]["CQ"] == ["Y"]
    await asyncio.to_thread(client.disconnect)


async def test_the_patrons_own_language_wins_over_the_machines(server, staff_desk):
    """Mutation caught: the machine's language used for a patron who has their own
    (`language=view.language` dropped in desk/automat.py)."""
    line = await connect_machine(server, "kiosklat")  # an English-speaking machine
    reply = await line.ask(checkout(AINO, "1000000001", PINS[AINO]))
    assert reply.screen_message == ("Eräpäivä 30.12.2026.",)  # Aino reads Finnish
    staff_desk.patrons.update(AINO, ContactChange(language="sv"))
    line = await connect_machine(server, "kiosklat")  # her next visit
    reply = await line.ask(checkout(AINO, "1000000003", PINS[AINO]))
    assert reply.screen_message[0].startswith("Återlämningsdag")


async def test_a_broken_trailer_is_a_bad_checksum_and_nothing_runs(server, staff_desk):
    """Mutation caught: a frame ending in `AY1AZ` (no digits) or `AY1AZ12G4` read as one
    without a checksum — the checkout ran and the reply carried no AY. It is answered
    with 96, the loan is not made, and the line stays."""
    line = await connect_machine(server)
    frame = encode_message(checkout(AINO, "1000000001", PINS[AINO]), encoding="utf-8").rstrip(b"\r")
    for trailer in (b"AY1AZ", b"AY1AZ12G4"):
        assert await line.raw(frame + trailer + b"\r") == b"96AZFEF6\r"
    assert staff_desk.patrons.view(AINO).loans == ()
    reply = await line.raw(frame + b"AY2AZ" + checksum(frame + b"AY2AZ").encode() + b"\r")
    assert reply.startswith(b"121") and b"AY2AZ" in reply
