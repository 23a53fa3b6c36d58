"""SIP2 on the wire (3M Standard Interchange Protocol 2.00): frames, checksums, fields.

A frame is a two-digit command, fixed-width fields, then variable fields, each a
two-letter identifier, a value and `|`; with error detection it ends in `AY` and a
sequence digit, then `AZ` and four hex digits: the two's complement of the 16-bit
sum of every byte before them, `AZ` included — the *encoded* bytes, so the same
title has a different checksum in UTF-8 and in CP850.

Sloppy clients are met where it costs nothing: a frame may end in CR, CRLF or LF; the
last field may lack its `|`; after `AY<digit>AZ`, a checksum of fewer than four hex
digits is read as the number it is (the PyPI `sip2` client and the old PHP class it
comes from write them unpadded), and lower-case hex is accepted. What Tiski sends
is always exact: four upper-case digits.

A trailer that is there but cannot be read — `AY1AZ` with no digits, `AY1AZ12G4`, an
`AY` or `AZ` field of its own after the last `|` — is a bad checksum, never a frame
without one: what was sent to be checked is not run unchecked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

DELIMITER = "|"
MAX_FRAME = 8192  # bytes; a longer line is not SIP2 (a variable field holds at most 255)
MAX_FIELD = 255

_TRAILER = re.compile(rb"(?:AY([0-9])AZ([0-9A-Fa-f]{1,4})|AZ([0-9A-Fa-f]{4}))\Z")
# Where a trailer begins, readable or not: `AY`, maybe its digit, `AZ` after the last
# delimiter, or an `AY` or `AZ` field right after it (nothing else uses those identifiers).
_TRAILER_BEGINS = re.compile(rb"AY[0-9]?AZ|\A\|A[YZ]")


class BadChecksum(Exception):
    """The frame's AZ checksum does not add up: the request is answered with 96."""


class Malformed(Exception):
    """Not a frame of a known shape (too short for its fixed fields, no command)."""


def checksum(data: bytes) -> str:
    """The SIP2 checksum of `data` (everything up to and including `AZ`)."""
    return f"{-sum(data) & 0xFFFF:04X}"


@dataclass(frozen=True)
class Frame:
    """A received frame: its command, the fixed part and the variable fields as sent."""

    command: str
    body: str  # everything after the command id, before the trailer
    sequence: str | None = None  # the AY digit
    checksummed: bool = False  # carried an AZ checksum (and it added up)


def read_frame(data: bytes, encoding: str) -> Frame:
    """A frame from its bytes (without the terminator). Raises BadChecksum or Malformed."""
    sequence: str | None = None
    checksummed = False
    match = _TRAILER.search(data)
    if match is not None:
        digits = match.group(2) or match.group(3)
        start = match.start(2) if match.group(2) is not None else match.start(3)
        if (sum(data[:start]) + int(digits, 16)) & 0xFFFF:
            raise BadChecksum()
        sequence = match.group(1).decode("ascii") if match.group(1) is not None else None
        checksummed = True
        data = data[:match.start()]
    elif _broken_trailer(data):
        raise BadChecksum()
    if len(data) < 2 or not data[:2].isdigit():
        raise Malformed()
    return Frame(data[:2].decode("ascii"), data[2:].decode(encoding, errors="replace"), sequence, checksummed)


def _broken_trailer(data: bytes) -> bool:
    """An AY/AZ trailer is there (after the last delimiter) but is not one `_TRAILER` reads."""
    last = data.rfind(DELIMITER.encode("ascii"))
    return _TRAILER_BEGINS.search(data[last:] if last >= 0 else data) is not None


@dataclass(frozen=True)
class Fields:
    """A request's fields: the fixed ones by name, the variable ones by identifier."""

    fixed: Mapping[str, str]
    variable: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.fixed[name]

    def get(self, identifier: str) -> str | None:
        """The first value of a variable field, None when it was not sent."""
        values = self.variable.get(identifier)
        return values[0] if values else None


def split_fields(body: str, layout: Sequence[tuple[str, int]]) -> Fields:
    """The fixed fields by the command's layout, then the variable ones (unknown
    identifiers kept, pieces too short to carry one skipped). Raises Malformed when
    the body is shorter than the fixed part."""
    width = sum(size for _, size in layout)
    if len(body) < width:
        raise Malformed()
    fixed: dict[str, str] = {}
    at = 0
    for name, size in layout:
        fixed[name] = body[at:at + size]
        at += size
    variable: dict[str, list[str]] = {}
    for piece in body[width:].split(DELIMITER):
        if len(piece) >= 2:
            variable.setdefault(piece[:2], []).append(piece[2:])
    return Fields(fixed, {key: tuple(values) for key, values in variable.items()})


def clean_value(value: str) -> str:
    """A value fit for a variable field: no delimiter, no control characters, at most
    255 characters."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in value.replace(DELIMITER, "/"))
    return text[:MAX_FIELD]


def encode_text(text: str, encoding: str) -> bytes:
    """Text in the machine's encoding. UTF-8 carries the register's text as it is; the
    8-bit code pages get it composed first (NFC: an 'ä' written as 'a' and a combining
    diaeresis has a byte there) and '?' for what they cannot show."""
    if encoding == "utf-8":
        return text.encode("utf-8")
    return unicodedata.normalize("NFC", text).encode(encoding, errors="replace")


def write_frame(
    command: str,
    fixed: str,
    fields: Sequence[tuple[str, str]],
    *,
    encoding: str,
    terminator: str,
    sequence: str | None = None,
    error_detect: bool = False,
) -> bytes:
    """A reply frame. With error detection (or a sequence number to echo) it ends in
    AY<sequence>AZ<checksum>; 96 carries only AZ<checksum>, as the standard says."""
    body = bytearray(command.encode("ascii") + encode_text(fixed, encoding))
    for identifier, value in fields:
        body += identifier.encode("ascii") + encode_text(clean_value(value), encoding) + DELIMITER.encode("ascii")
    if error_detect or sequence is not None:
        if command != "96":
            body += b"AY" + (sequence or "0").encode("ascii")
        body += b"AZ"
        body += checksum(bytes(body)).encode("ascii")
    return bytes(body) + terminator.encode("ascii")


def sip_date(moment: datetime) -> str:
    """YYYYMMDDZZZZHHMMSS in local time (the zone field blank, as the standard prefers)."""
    return moment.strftime("%Y%m%d    %H%M%S")
