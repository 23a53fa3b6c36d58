"""MARC files read record by record (ISO 2709 or MARCXML), in bounded memory.

A file of any size is read in 64 KiB blocks; at most one record (ISO 2709 caps a record at
99,999 bytes) and one block are held at a time. Each entry says where in the file it ends,
so an interrupted import can carry on from there (see tiski.imports.marc).
"""

from __future__ import annotations

import xml.sax
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

import pymarc
from pymarc.marcxml import XmlHandler

BLOCK = 1 << 16
RECORD_END = b"\x1d"
MAX_RECORD = 99_999  # the leader's five digits
MAX_XML_TEXT = 4 * MAX_RECORD  # characters of text in one MARCXML record


@dataclass(frozen=True)
class Entry:
    """One record read from the file, or why a piece of the file could not be read."""

    index: int  # 1-based position in the file
    offset: int  # the byte after it: where reading goes on
    record: pymarc.Record | None
    problem: str | None = None  # why it could not be read (record is None)
    warning: str | None = None  # read, but something in it was repaired


def is_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"<"


def read_marc(path: Path, *, after_index: int = 0, after_offset: int = 0) -> Iterator[Entry]:
    """Every entry of the file, from the one after `after_index` on (`after_offset` is
    where it begins: an ISO 2709 file is read on from there, a MARCXML file is parsed
    from the top and the entries before are passed over)."""
    with path.open("rb") as handle:
        if is_xml(path):
            yield from (e for e in _xml_entries(handle) if e.index > after_index)
        else:
            handle.seek(after_offset)
            yield from _iso2709_entries(handle, after_index, after_offset)


# --- ISO 2709 --------------------------------------------------------------------------------

def _pieces(handle: BinaryIO, offset: int) -> Iterator[tuple[int, bytes, int]]:
    """(end offset, bytes up to and with a record terminator, bytes skipped before them).
    A run of more than MAX_RECORD bytes with no terminator cannot hold a record: it is
    dropped as it is read (and counted), so garbage never fills the memory."""
    buffer, skipped = b"", 0
    while block := handle.read(BLOCK):
        buffer += block
        start = 0
        while (end := buffer.find(RECORD_END, start)) >= 0:
            offset += end + 1 - start
            yield offset, buffer[start:end + 1], skipped
            start, skipped = end + 1, 0
        buffer = buffer[start:]
        if len(buffer) > MAX_RECORD:
            skipped += len(buffer) - MAX_RECORD
            offset += len(buffer) - MAX_RECORD
            buffer = buffer[-MAX_RECORD:]
    if buffer.strip() or skipped:
        yield offset + len(buffer), buffer, skipped


def _iso2709_entries(handle: BinaryIO, index: int, offset: int) -> Iterator[Entry]:
    """Each piece up to a terminator is parsed on its own, so garbage between records
    costs only the garbage: a record is found inside a piece where its leader's length
    matches what is left."""
    for end, piece, skipped in _pieces(handle, offset):
        start = _record_start(piece) if piece.endswith(RECORD_END) else None
        if start is None:
            index += 1
            yield Entry(index, end, None, "not a MARC record (length or terminator wrong)")
            continue
        if skipped or piece[:start].strip():
            index += 1
            yield Entry(index, end - len(piece) + start, None,
                        f"{skipped + start} bytes of garbage before a record skipped")
        index += 1
        yield _parse(piece[start:], index, end)


def _record_start(chunk: bytes) -> int | None:
    """Where a record begins in `chunk` (which ends with the terminator): the offset
    whose five-digit leader length equals the rest of the chunk."""
    for offset in range(max(0, len(chunk) - MAX_RECORD), max(0, len(chunk) - 24)):
        head = chunk[offset:offset + 5]
        if head.isdigit() and int(head) == len(chunk) - offset:
            return offset
    return None


def _parse(data: bytes, index: int, end: int) -> Entry:
    """A record decoded as its leader says (UTF-8 or MARC-8). Text that is not what the
    leader claims (a Latin-1 file marked UTF-8) is read with the bad bytes replaced,
    and the entry says so."""
    try:
        return Entry(index, end, pymarc.Record(data, to_unicode=True, force_utf8=False, utf8_handling="strict"))
    except UnicodeDecodeError:
        pass
    except Exception as exc:  # pymarc's RecordDirectoryInvalid, BaseAddressInvalid… and int() of a bad directory
        return Entry(index, end, None, f"unreadable record ({type(exc).__name__})")
    try:
        record = pymarc.Record(data, to_unicode=True, force_utf8=False, utf8_handling="replace")
    except Exception as exc:
        return Entry(index, end, None, f"unreadable record ({type(exc).__name__})")
    return Entry(index, end, record, warning="text not in the encoding the leader gives: characters replaced")


# --- MARCXML ---------------------------------------------------------------------------------

class _Records(XmlHandler):  # type: ignore[misc]  # pymarc is untyped
    """pymarc's MARCXML handler, made to hand over each record as it ends, to bound the
    text one record may hold, and to reject a malformed record rather than the file."""

    def __init__(self) -> None:
        super().__init__(normalize_form="NFC")
        self.done: deque[tuple[pymarc.Record | None, str | None]] = deque()
        self._size = 0
        self._broken: str | None = None

    def startElementNS(self, name, qname, attrs):  # noqa: N802 (SAX's names)
        if name[1] == "record":
            self._size, self._broken = 0, None
        try:
            super().startElementNS(name, qname, attrs)
        except Exception as exc:  # a field without its tag attribute…
            self._broken = self._broken or f"malformed record ({type(exc).__name__})"

    def endElementNS(self, name, qname):  # noqa: N802
        if name[1] == "record" and self._record is not None and self._broken:
            self.done.append((None, self._broken))
            self._record = None
            return
        try:
            super().endElementNS(name, qname)
        except Exception as exc:  # a leader that is not 24 characters…
            self._broken = self._broken or f"malformed record ({type(exc).__name__})"

    def characters(self, content):
        self._size += len(content)
        if self._size > MAX_XML_TEXT:
            self._broken = "record too large"
            self._text = []
            return
        super().characters(content)

    def process_record(self, record):
        self.done.append((record, None))


def _xml_entries(handle: BinaryIO) -> Iterator[Entry]:
    """MARCXML through an incremental SAX parser fed block by block. Expat does not
    fetch external entities and stops entity-expansion bombs; a file that stops being
    well-formed ends the reading there, with the records before it kept."""
    records = _Records()
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(records)
    index = offset = 0
    problem = None
    while True:
        block = handle.read(BLOCK)
        offset += len(block)
        try:
            if block:
                parser.feed(block)
            else:
                parser.close()
        except xml.sax.SAXParseException as exc:
            problem = f"MARCXML not well-formed at line {exc.getLineNumber()}: the rest of the file is not read"
        while records.done:
            record, broken = records.done.popleft()
            index += 1
            yield Entry(index, offset, record, broken)
        if problem is not None:
            yield Entry(index + 1, offset, None, problem)
            return
        if not block:
            return
