"""Fuzzing the SIP2 shell (hypothesis): framing, checksums, field widths, encodings.
Whatever arrives, the answer is a reply that an independent codec (pysip2) reads —
every fixed field at its width — or a clean close, within a second; never a crash,
never a hang.

Mutations caught: a handler raising on an odd field (the session raises); a fixed
field one character off, or a value carrying the delimiter or a control character
(pysip2 cannot read the reply); a checksum over text instead of bytes (pysip2's check
fails on non-ASCII); a server that stops answering after garbage (the 98 after it).
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import unicodedata

import pysip2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiski.clock import ManualClock
from tiski.desk import Desk
from tiski.sip2.acs import Session
from tiski.sip2.codec import BadChecksum, Malformed, checksum, encode_text, read_frame, write_frame
from tiski.sip2.messages import LAYOUTS
from tiski.sip2.server import Sip2Server

from ..conftest import START
from .conftest import AINO, EINO, LOST, PASSWORD, TITLES, VERIFY

IDENTIFIERS = ["AA", "AB", "AD", "AO", "AC", "AJ", "BS", "BV", "BP", "BQ", "CN", "CO", "BK", "AY", "AZ", "XX"]
CARDS = [AINO, EINO, LOST, VERIFY, "2028999999999", ""]
BARCODES = [*TITLES, "2000000001", "3000000001", "1999999999", ""]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@st.composite
def frames(draw) -> bytes:
    """Frames near the real ones: a command (known or not), a fixed part of about the
    right width, fields with real cards and barcodes or anything, maybe a trailer —
    right, wrong or sloppy — in some encoding."""
    command = draw(st.sampled_from(sorted(LAYOUTS)) | st.text(min_size=0, max_size=2))
    width = sum(size for _, size in LAYOUTS.get(command, ()))
    fixed = draw(st.sampled_from(["0" * width, " " * width, "Y" * width, "20261202    140500" * 3])
                 | st.text(max_size=width + 3))[: width + draw(st.integers(-2, 2))]
    values = {"AA": st.sampled_from(CARDS), "AB": st.sampled_from(BARCODES), "AD": st.sampled_from(["", "1234", "9999"])}
    fields = draw(st.lists(st.sampled_from(IDENTIFIERS).flatmap(
        lambda identifier: st.tuples(st.just(identifier), values.get(identifier, text))), max_size=6))
    body = command + fixed + "".join(f"{identifier}{value}|" for identifier, value in fields)
    encoding = draw(st.sampled_from(["utf-8", "cp850", "latin-1"]))
    data = body.encode(encoding, errors="replace")
    trailer = draw(st.sampled_from(["none", "right", "wrong", "unpadded"]))
    if trailer != "none":
        data += b"AY" + str(draw(st.integers(0, 9))).encode() + b"AZ"
        sum_ = checksum(data)
        data += {"right": sum_, "wrong": f"{(int(sum_, 16) + 1) & 0xFFFF:04X}",
                 "unpadded": sum_.lstrip("0") or "0"}[trailer].encode()
    return data


MACHINE_OF = {"utf-8": "kiosk", "cp850": "kiosk850", "latin-1": "kiosklat"}


def logged_in(session: Session, encoding: str) -> Session:
    """Logged in (again: a fuzzed 93 with a wrong password logs a machine out)."""
    if session.machine is None:
        login = f"9300CN{MACHINE_OF[encoding]}|CO{PASSWORD}|".encode()
        assert session.handle(login).startswith(b"941")
    return session


@pytest.fixture
def sessions(sip2_db):
    """A session per encoding, without a socket."""
    clock = ManualClock(START)
    return {encoding: Session(lambda branch, staff: Desk.open(sip2_db, clock=clock, branch=branch, staff=staff), clock)
            for encoding in MACHINE_OF}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=frames(), encoding=st.sampled_from(["utf-8", "cp850", "latin-1"]))
def test_every_frame_gets_a_reply_pysip2_can_read(sessions, data, encoding):
    session = logged_in(sessions[encoding], encoding)
    terminator = b"\r\n" if session.machine.terminator == "crlf" else b"\r"
    reply = session.handle(data)
    if session.machine is None:  # logged out by a wrong 93: its 940 ends in CR
        terminator = b"\r"
    assert reply.endswith(terminator) and reply.count(b"\r") == 1
    decoded = pysip2.decode_message(reply[: -len(terminator)] + b"\r", encoding=encoding)
    assert decoded.message is not None


@settings(max_examples=200, deadline=None)
@given(value=text, encoding=st.sampled_from(["utf-8", "cp850", "latin-1"]), sequence=st.integers(0, 9))
def test_any_text_makes_a_frame_with_a_right_checksum(value, encoding, sequence):
    frame = write_frame("18", "030001" + "20261202    140500", (("AB", "1"), ("AJ", value)), encoding=encoding,
                        terminator="\r", sequence=str(sequence))
    decoded = pysip2.decode_message(frame, encoding=encoding)
    assert decoded.sequence_number == sequence and pysip2.verify_checksum(frame[:-1])
    title = decoded.message.title_identifier
    assert "|" not in title and not any(unicodedata.category(ch)[0] == "C" for ch in title)
    if encoding == "utf-8":
        assert len(title) <= 255
    else:
        assert title == encode_text(title, encoding).decode(encoding)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=120), flip=st.integers(0, 200))
def test_reading_never_fails_but_by_saying_why(data, flip):
    framed = data + b"AY1AZ" + checksum(data + b"AY1AZ").encode()
    try:
        assert read_frame(framed, "utf-8").checksummed
    except Malformed:
        assert not data[:2].isdigit() or len(data) < 2
    at = flip % len(framed)
    damaged = framed[:at] + bytes([framed[at] ^ 0x01]) + framed[at + 1:]
    try:
        read_frame(damaged, "cp850")
    except (BadChecksum, Malformed):
        pass


# --- over a socket --------------------------------------------------------------------------------

@pytest.fixture
def running(sip2_db):
    """A server on loopback in a thread of its own, for blocking sockets."""
    loop = asyncio.new_event_loop()
    server = Sip2Server(sip2_db, port=0, clock=ManualClock(START))
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(15)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.binary(max_size=300) | frames(), min_size=1, max_size=4), login=st.booleans())
def test_a_reply_to_every_line_within_a_second(running, chunks, login):
    """Each non-empty line gets one reply, and the line still works after them: a 99
    sent behind the garbage is answered with a 98."""
    with socket.create_connection(("127.0.0.1", running.port), timeout=1.0) as sock:
        if login:
            sock.sendall(f"9300CNkiosk|CO{PASSWORD}|\r".encode())
            assert sock.recv(64).startswith(b"941")
        payload = b"".join(chunk + b"\r" for chunk in chunks)
        lines = [line for line in re.split(rb"[\r\n]", payload) if line]
        sock.sendall(payload + b"9900302.00\r")
        received = b""
        while received.count(b"\r") < len(lines) + 1:
            try:
                part = sock.recv(65536)
            except socket.timeout:
                pytest.fail(f"no reply within a second to {chunks!r}")
            assert part, f"connection closed on {chunks!r}"
            received += part
        assert received.split(b"\r")[-2].lstrip(b"\n").startswith(b"98")
