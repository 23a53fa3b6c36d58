"""SIP2 on the wire, byte for byte: checksums over the encoded bytes, golden frames in
each encoding, and the frames of other systems read as they are.

Mutations caught: a checksum over characters instead of encoded bytes (the UTF-8 and
code-page goldens differ); a checksum not padded to four digits or in lower case (the
96 and 94 goldens); the 8-bit code pages fed decomposed text (the NFC goldens); a trailer
taken for a field (the Koha-Suomi 63 loses its sequence number).
"""

from __future__ import annotations

import unicodedata

import pysip2
import pytest

from tiski.sip2.codec import BadChecksum, Malformed, checksum, encode_text, read_frame, split_fields, write_frame
from tiski.sip2.messages import LAYOUTS

# Evergreen SIPServer's t/0001_checksum.t: 18 Item Information replies with French titles.
# Its file holds the titles decomposed (NFD, from MARC-8): only NFD UTF-8 bytes add up
# to its checksums, which is itself the proof that the sum is over encoded bytes.
_EG = "1804020120110630    110249AB3000700{}|AJ{}|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP {}|AY{}AZ"
EVERGREEN = {
    "DB4E": _EG.format("8637257", "Vie d'Isabelle Eberhardt ", "  EAU", 6),
    "DCF8": _EG.format("8503046", "Le Piège de Bogota", "DAL", 7),
    "D852": _EG.format("8317298", "Une épouse presque parfaite! ", "COL", 8),
    "D050": _EG.format("8644659", "Le diable de Blind River : une enquête d'Alex McKnight", " HAM", 9),
    "D99C": _EG.format("8641556", "La sorcière de Portobello", " COE", 0),
    "CD67": _EG.format("7632515", "Meurtre à Canton : (les dernières enquêtes du juge Ti)", "GUL", 1),
    "D9CF": _EG.format("1211936", "L' Énigme du clou chinois", "    GUL", 2).replace("110249", "110250"),
    "DBA5": _EG.format("7632564", "Assassins et poètes", "GUL", 3).replace("110249", "110250"),
    "FDFD": "941AY0AZ",  # CASSIE's example, in Evergreen's test too
}


@pytest.mark.parametrize("expected", sorted(EVERGREEN))
def test_evergreen_checksum_vectors(expected):
    data = unicodedata.normalize("NFD", EVERGREEN[expected]).encode("utf-8")
    assert checksum(data) == expected == pysip2.calculate_checksum(data)
    frame = read_frame(data + expected.encode(), "utf-8")
    assert frame.checksummed and frame.sequence == EVERGREEN[expected].split("AY")[1][0]
    with pytest.raises(BadChecksum):
        read_frame(bytes([data[0] ^ 1]) + data[1:] + expected.encode(), "utf-8")


# The same titles in the 8-bit code pages: composed first, one byte per letter.
@pytest.mark.parametrize(("vector", "encoding", "expected"), [
    ("DCF8", "latin-1", "DDC1"), ("DCF8", "cp850", "DE1F"),
    ("D852", "latin-1", "D91B"), ("D852", "cp850", "D982"),
    ("D9CF", "latin-1", "DA98"), ("D9CF", "cp850", "DAD1"),
    ("DB4E", "latin-1", "DB4E"), ("DB4E", "cp850", "DB4E"),  # plain ASCII: the same everywhere
])
def test_the_same_frames_in_the_code_pages(vector, encoding, expected):
    text = unicodedata.normalize("NFD", EVERGREEN[vector])
    data = encode_text(text, encoding)
    assert data == unicodedata.normalize("NFC", text).encode(encoding)
    assert checksum(data) == expected == pysip2.calculate_checksum(data)


KOHA_SUOMI_63 = b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234|AY7AZF156"


@pytest.mark.parametrize("encoding", ["utf-8", "cp850", "latin-1"])
def test_a_real_koha_suomi_63_frame(encoding):
    frame = read_frame(KOHA_SUOMI_63, encoding)
    assert (frame.command, frame.sequence, frame.checksummed) == ("63", "7", True)
    fields = split_fields(frame.body, LAYOUTS["63"])
    assert (fields["language"], fields["transaction_date"], fields["summary"]) == ("000", "20240830    092403", " " * 10)
    assert (fields.get("AO"), fields.get("AA"), fields.get("AD"), fields.get("BP")) == ("TUPK", "VASKI221121", "1234", None)
    theirs = pysip2.decode_message(KOHA_SUOMI_63 + b"\r", encoding=encoding)
    assert theirs.sequence_number == 7 and theirs.message.patron_identifier == "VASKI221121"


# A checkout reply with a Finnish title, byte for byte, in each encoding.
_REPLY = (b"121NNY20261202    140500AOPORI|AA2028999000001|AB1000000001|AJ%s|AH20261230    235959|AY4AZ%s\r")
_TITLE = "Täällä Pohjantähden alla"


@pytest.mark.parametrize(("encoding", "title", "sum_"), [
    ("utf-8", "Täällä Pohjantähden alla".encode("utf-8"), b"DEA6"),
    ("cp850", b"T\x84\x84ll\x84 Pohjant\x84hden alla", b"E232"),
    ("latin-1", b"T\xe4\xe4ll\xe4 Pohjant\xe4hden alla", b"E0B2"),
])
def test_golden_checkout_reply_in_each_encoding(encoding, title, sum_):
    fields = (("AO", "PORI"), ("AA", "2028999000001"), ("AB", "1000000001"), ("AJ", _TITLE),
              ("AH", "20261230    235959"))
    frame = write_frame("12", "1NNY20261202    140500", fields, encoding=encoding, terminator="\r", sequence="4")
    assert frame == _REPLY % (title, sum_)
    assert pysip2.decode_message(frame, encoding=encoding).message.title_identifier == _TITLE


def test_control_frames_are_exact():
    assert write_frame("96", "", (), encoding="utf-8", terminator="\r", error_detect=True) == b"96AZFEF6\r"
    assert write_frame("94", "1", (), encoding="cp850", terminator="\r\n", sequence="0") == b"941AY0AZFDFD\r\n"
    assert write_frame("96", "", (), encoding="utf-8", terminator="\r") == b"96\r"


def test_sloppy_checksums_are_read_as_the_numbers_they_are():
    """The PyPI `sip2` client writes `format(sum, 'X')`: unpadded. Accepted after AY<digit>,
    as is lower case; without AY, three digits are not taken for a checksum."""
    prefix = b"9900302.00AY1AZ"
    exact = checksum(prefix)
    assert read_frame(prefix + exact.lstrip("0").encode(), "utf-8").checksummed
    assert read_frame(prefix + exact.lower().encode(), "utf-8").checksummed
    short = b"9900302.00AZ"
    padded = checksum(short)
    assert read_frame(short + padded.encode(), "utf-8").checksummed
    unpadded = read_frame(b"9900302.00AZ" + b"7F1", "utf-8")
    assert not unpadded.checksummed and unpadded.body.endswith("AZ7F1")


def test_what_cannot_be_a_frame():
    for data in (b"", b"9", b"ZZ12", b"\xff\xfe"):
        with pytest.raises(Malformed):
            read_frame(data, "utf-8")
    with pytest.raises(Malformed):
        split_fields("000", LAYOUTS["63"])


def test_values_never_break_a_frame():
    """A title with the delimiter, a line break or a control character still makes one
    frame of the right fields; 255 characters at most per field."""
    frame = write_frame("18", "030001" + "20261202    140500", (("AB", "1"), ("AJ", "A|B\rC\x00" + "x" * 400)),
                        encoding="utf-8", terminator="\r")
    assert frame.count(b"\r") == 1 and frame.count(b"|") == 2
    title = pysip2.decode_message(frame, encoding="utf-8").message.title_identifier
    assert title.startswith("A/B C ") and len(title) == 255


@pytest.mark.parametrize("data", [
    b"9900302.00AY1AZ",  # the AY/AZ trailer, no checksum after it
    b"9900302.00AY1AZ12G4",  # not hex
    b"9900302.00AY1AZ12345",  # five digits
    b"9900302.00AY1AZ 1F2",  # a space before the digits
    b"9900302.00AYAZFD5A",  # no sequence digit
    b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234|AY7AZ",
    b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234|AY7AZF15G",
    b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234|AZ12",  # AZ as a field of its own
    b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234|AY7",  # AY as a field of its own
    b"6300020240830    092403          AOTUPK|AAVASKI221121|AD1234AY7AZ",  # the last field lacks its |
])
def test_a_trailer_that_cannot_be_read_is_a_bad_checksum(data):
    """Mutation caught: read_frame taking a present but unreadable AY/AZ trailer for no
    trailer at all (the frame then runs unchecked, the trailer read as a field and AY not
    echoed) — the old `_TRAILER` match alone, without `_broken_trailer`."""
    with pytest.raises(BadChecksum):
        read_frame(data, "utf-8")
