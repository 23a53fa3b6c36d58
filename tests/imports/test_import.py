"""Imports: MARC 21 records (ISO 2709 and MARCXML) with Koha-style 952 holdings, and
patrons from CSV. Everything goes through the facade functions `import_marc` and
`import_patrons`; what landed is read back from the register."""

from __future__ import annotations

import re
import shutil
import sqlite3
import unicodedata
from datetime import date
from pathlib import Path

import pymarc
import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield
from stdnum import isbn as stdnum_isbn
from stdnum.fi import hetu as stdnum_hetu

from tiski.core.errors import Refused
from tiski.desk import Desk
from tiski.desk.patrons import NewPatron
from tiski.imports import ImportStopped
from tiski.imports.marc import import_marc
from tiski.imports.patrons_csv import import_patrons
from tiski.store.db import connect

from ..conftest import MARC_FIXTURES, item, patron

# --- helpers -------------------------------------------------------------------------------

SHARED_FILES = {
    "marc.dat": 20,
    "marc8.dat": 1,
    "utf8_with_leader_flag.dat": 1,
    "multi_isbn.dat": 1,
    "batch.xml": 2,
}
ISBD_END = re.compile(r"[\s/:;,=]$")
MOJIBAKE = ("\ufffd", "Ã", "Â", "â€")


def count(desk, table: str) -> int:
    return desk.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def record_row(desk, control: str) -> sqlite3.Row:
    row = desk.conn.execute("SELECT * FROM records WHERE control_no = ?", (control,)).fetchone()
    assert row is not None, f"record {control} not in the register"
    return row


def terms_of(desk, record_id: int, kind: str = "subject") -> set[str]:
    return {r[0] for r in desk.conn.execute(
        "SELECT term FROM record_terms WHERE record_id = ? AND kind = ?", (record_id, kind))}


def item_row(desk, barcode: str) -> sqlite3.Row | None:
    return desk.conn.execute("SELECT * FROM items WHERE barcode = ?", (barcode,)).fetchone()


def control_numbers(path: Path) -> list[str]:
    """The 001s of a fixture file, read by pymarc directly (independent of the importer)."""
    if path.suffix == ".xml":
        records = pymarc.parse_xml_to_array(str(path))
    else:
        with path.open("rb") as handle:
            records = list(pymarc.MARCReader(handle, to_unicode=True, utf8_handling="replace"))
    return [r["001"].data.strip() for r in records]


def fixed_008(audience: str = " ", form: str = " ", lang: str = "fin") -> str:
    """A 40-character 008 (book layout): 22 target audience, 23 form of item."""
    data = "240101s2024    fi " + "||||" + audience + form + "||||" + " 000 1 " + lang + " d"
    assert len(data) == 40
    return data


def marc_record(
    control: str | None,
    title: str | None = "Nimeke",
    *,
    kind: str = "a",
    level: str = "m",
    audience: str = " ",
    form: str = " ",
    author: str | None = None,
    isbn: str | None = None,
    holdings: list[dict[str, str]] = (),
    extra: list[Field] = (),
    title_subfields: list[Subfield] | None = None,
    marc8: bool = False,
) -> Record:
    """A MARC record; `holdings` are 952 fields given as {subfield code: value}."""
    record = Record(to_unicode=not marc8, force_utf8=False)
    record.leader = Leader(f"00000n{kind}{level} {' ' if marc8 else 'a'}2200000 i 4500")
    if control is not None:
        record.add_field(Field(tag="001", data=control))
    record.add_field(Field(tag="008", data=fixed_008(audience, form)))
    if isbn:
        record.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)]))
    if author:
        record.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]))
    if title_subfields is not None:
        record.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=title_subfields))
    elif title is not None:
        record.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                               subfields=[Subfield("a", title), Subfield("c", "Tekijä.")]))
    for f in extra:
        record.add_field(f)
    for holding in holdings:
        record.add_field(Field(tag="952", indicators=Indicators(" ", " "),
                               subfields=[Subfield(code, value) for code, value in holding.items()]))
    return record


def field(tag: str, text: str, code: str = "a") -> Field:
    return Field(tag=tag, indicators=Indicators(" ", " "), subfields=[Subfield(code, text)])


def write_iso(path: Path, *parts: Record | bytes) -> Path:
    path.write_bytes(b"".join(p if isinstance(p, bytes) else p.as_marc() for p in parts))
    return path


def write_xml(path: Path, *records: Record) -> Path:
    body = b"".join(pymarc.record_to_xml(r, namespace=True) for r in records)
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                     b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + body + b"</collection>\n")
    return path


def holding(barcode: str, branch: str = "PORI", **more: str) -> dict[str, str]:
    return {"p": barcode, "a": branch, **more}


# --- the real-world files from pymarc (tests/fixtures/marc) -------------------------------------------------------------

@pytest.mark.parametrize("name, expected", sorted(SHARED_FILES.items()))
def test_every_real_world_file_imports_without_items(desk, name, expected):
    path = MARC_FIXTURES / name
    assert path.is_file(), f"fixture missing: {path}"
    report = import_marc(desk, path)

    assert report.records == expected
    assert report.rejected_records == []
    assert report.rejected_items == []
    # No 952 holdings: every record is listed as having no items, and none are made.
    assert report.items == 0
    assert count(desk, "items") == 0
    assert sorted(report.without_items) == sorted(control_numbers(path))
    assert count(desk, "records") == expected
    for row in desk.conn.execute("SELECT * FROM records"):
        assert row["title"], row["control_no"]
        assert not ISBD_END.search(row["title"]), row["title"]
        if row["author"]:
            assert not ISBD_END.search(row["author"]), row["author"]
        for text in (row["title"], row["author"] or ""):
            assert not any(bad in text for bad in MOJIBAKE), text
            assert unicodedata.is_normalized("NFC", text), text
        if row["isbn"] is not None:
            assert stdnum_isbn.is_valid(row["isbn"]), row["isbn"]


def test_marc_dat_titles_lose_isbd_punctuation(desk):
    import_marc(desk, MARC_FIXTURES / "marc.dat")
    row = record_row(desk, "11778504")
    assert row["title"] == "The pragmatic programmer : from journeyman to master"
    assert row["author"] == "Hunt, Andrew"
    assert row["isbn"] == "020161622X"
    assert row["year"] == 2000
    assert row["language"] == "eng"
    titles = [r[0] for r in desk.conn.execute("SELECT title FROM records")]
    assert not any(t.endswith((" /", " :")) for t in titles)
    # Most of these records carry an ISBN; each stored one is valid.
    isbns = [r[0] for r in desk.conn.execute("SELECT isbn FROM records WHERE isbn IS NOT NULL")]
    assert len(isbns) >= 15
    assert all(stdnum_isbn.is_valid(i) for i in isbns)


def test_subjects_from_650_are_stored_as_terms(desk):
    import_marc(desk, MARC_FIXTURES / "marc.dat")
    assert terms_of(desk, record_row(desk, "11778504")["id"]) == {"computer programming"}
    # Every record that has a 650 in the file has at least one subject term.
    with (MARC_FIXTURES / "marc.dat").open("rb") as handle:
        with_650 = {r["001"].data.strip() for r in pymarc.MARCReader(handle) if r.get_fields("650")}
    assert with_650
    for control in with_650:
        assert terms_of(desk, record_row(desk, control)["id"]), control


def test_marc8_file_decodes_and_matches_its_utf8_twin(desk, tmp_path, template_db):
    """marc8.dat and utf8_with_leader_flag.dat hold the same record in MARC-8 and UTF-8."""
    report = import_marc(desk, MARC_FIXTURES / "marc8.dat")
    assert report.records == 1
    row = record_row(desk, "2")
    assert row["title"] == "Escape from loneliness"
    assert row["author"] == "Tournier, Paul"
    assert row["year"] == 1962
    assert terms_of(desk, row["id"]) == {"loneliness", "self", "social psychology", "social isolation"}

    # A fresh register for the UTF-8 twin (same 001, so it must not meet the first).
    other_path = tmp_path / "twin.sqlite"
    shutil.copy(template_db, other_path)
    other = Desk(connect(other_path), clock=desk.clock, branch="PORI")
    try:
        assert import_marc(other, MARC_FIXTURES / "utf8_with_leader_flag.dat").records == 1
        twin = record_row(other, "2")
        assert (twin["title"], twin["author"], twin["year"]) == (row["title"], row["author"], row["year"])
        assert terms_of(other, twin["id"]) == terms_of(desk, row["id"])
    finally:
        other.conn.close()


def test_marc8_diacritics_in_title_and_author_decode_to_nfc(desk, tmp_path):
    # MARC-8: a combining diaeresis (0xE8) comes before its base letter.
    record = marc_record("M8", None, marc8=True, author="L\xe8onnrot, Elias.",
                         title_subfields=[Subfield("a", "V\xe8ain\xe8am\xe8oisen laulut /"),
                                          Subfield("c", "Elias L\xe8onnrot.")])
    raw = record.as_marc()
    assert raw[9:10] == b" "  # leader/09 blank: MARC-8, not UTF-8
    report = import_marc(desk, write_iso(tmp_path / "marc8.mrc", raw))
    assert report.records == 1 and not report.rejected_records
    row = record_row(desk, "M8")
    assert row["title"] == "Väinämöisen laulut"
    assert row["author"] == "Lönnrot, Elias"
    assert unicodedata.is_normalized("NFC", row["title"] + row["author"])


def test_batch_xml_marcxml(desk):
    report = import_marc(desk, MARC_FIXTURES / "batch.xml")
    assert report.records == 2
    assert {r[0] for r in desk.conn.execute("SELECT title FROM records")} == {"The Great Ray Charles", "The White House"}
    assert terms_of(desk, record_row(desk, "5637241")["id"]) == {"jazz", "piano with jazz ensemble"}


def test_multi_isbn_takes_the_first_valid_isbn(desk):
    import_marc(desk, MARC_FIXTURES / "multi_isbn.dat")
    row = record_row(desk, "4612195")
    assert row["isbn"] == "0914378287"
    assert row["title"] == "The town scold"


def test_reimporting_a_real_world_file_adds_no_duplicates(desk):
    first = import_marc(desk, MARC_FIXTURES / "marc.dat")
    assert first.records == 20
    again = import_marc(desk, MARC_FIXTURES / "marc.dat")
    assert again.records == 0
    assert count(desk, "records") == 20
    assert count(desk, "items") == 0
    assert desk.conn.execute(
        "SELECT COUNT(*) FROM (SELECT control_no FROM records GROUP BY control_no HAVING COUNT(*) > 1)"
    ).fetchone()[0] == 0


# --- records we build: holdings, formats, ratings ------------------------------------------

def holdings_records() -> list[Record]:
    return [
        # A children's large-print book at Ulvila, price with a decimal comma.
        marc_record("H-BOOK", "Muumipeikko ja pyrstötähti /", audience="j", form="d", author="Jansson, Tove.",
                    isbn="9789510096000",
                    holdings=[holding("H0001", "ULV", y="BK", g="12,50"), holding("H0002", "PORI", y="BK")]),
        # An adult DVD, K-12, no item type: the format comes from leader/06 'g'.
        marc_record("H-DVD", "Tuntematon sotilas", kind="g",
                    extra=[Field(tag="521", indicators=Indicators("8", " "), subfields=[Subfield("a", "K-12")])],
                    holdings=[holding("H0003", "PORI", g="19.90")]),
        # A Blu-ray: leader/06 'g' and 538 says Blu-ray.
        marc_record("H-BR", "Rölli ja metsänhenki", kind="g", audience="j",
                    extra=[field("538", "Blu-ray Disc, region B."),
                           Field(tag="521", indicators=Indicators("8", " "), subfields=[Subfield("a", "K-7")])],
                    holdings=[holding("H0004", "ULV")]),
    ]


@pytest.mark.parametrize("writer", ["iso2709", "marcxml"])
def test_holdings_become_items(desk, tmp_path, writer):
    records = holdings_records()
    path = (write_iso(tmp_path / "h.mrc", *records) if writer == "iso2709"
            else write_xml(tmp_path / "h.xml", *records))
    report = import_marc(desk, path)

    assert report.records == 3
    assert report.items == 4
    assert report.without_items == []
    assert report.rejected_records == [] and report.rejected_items == []

    book = desk.catalogue.item_view("H0001")
    assert (book.format, book.home_branch, book.children, book.rating) == ("book", "ULV", True, None)
    assert book.title == "Muumipeikko ja pyrstötähti"
    assert book.author == "Jansson, Tove"
    assert book.status == "available"
    assert item_row(desk, "H0001")["price_cents"] == 1250
    assert desk.catalogue.item_view("H0002").home_branch == "PORI"
    assert item_row(desk, "H0002")["price_cents"] is None
    rec = record_row(desk, "H-BOOK")
    assert rec["large_print"] == 1
    assert rec["audience"] == "children"
    assert rec["isbn"] == "9789510096000"
    assert rec["language"] == "fin"
    # Both copies belong to the one record.
    assert {item_row(desk, b)["record_id"] for b in ("H0001", "H0002")} == {rec["id"]}

    dvd = desk.catalogue.item_view("H0003")
    assert (dvd.format, dvd.rating, dvd.children, dvd.home_branch) == ("dvd", 12, False, "PORI")
    assert item_row(desk, "H0003")["price_cents"] == 1990
    assert record_row(desk, "H-DVD")["large_print"] == 0

    bluray = desk.catalogue.item_view("H0004")
    assert (bluray.format, bluray.rating, bluray.children, bluray.home_branch) == ("bluray", 7, True, "ULV")


@pytest.mark.parametrize("rating_text, expected", [("K-12", 12), ("K-16", 16), ("K-18", 18), ("K-7", 7),
                                                   ("PEGI 16", 16)])
def test_age_rating_from_521(desk, tmp_path, rating_text, expected):
    rec = marc_record("R1", "Elokuva", kind="g",
                      extra=[Field(tag="521", indicators=Indicators("8", " "), subfields=[Subfield("a", rating_text)])],
                      holdings=[holding("R0001")])
    import_marc(desk, write_iso(tmp_path / "r.mrc", rec))
    assert desk.catalogue.item_view("R0001").rating == expected


def test_item_without_rating_is_for_all_ages(desk, tmp_path):
    import_marc(desk, write_iso(tmp_path / "r.mrc", marc_record("R2", "Kirja", holdings=[holding("R0002")])))
    view = desk.catalogue.item_view("R0002")
    assert view.rating is None
    assert view.children is False


@pytest.mark.parametrize("kind, level, item_type, extra, expected", [
    ("a", "m", None, [], "book"),
    ("a", "s", None, [], "magazine"),
    ("j", "m", None, [], "cd"),
    ("i", "m", None, [], "cd-audiobook"),
    ("g", "m", None, [], "dvd"),
    ("g", "m", None, [field("538", "Blu-ray Disc")], "bluray"),
    ("m", "m", None, [field("538", "PlayStation 5")], "console-game"),
    ("a", "m", "KONSOLIPELI", [], "console-game"),
    ("a", "m", "CD", [], "cd"),
    ("a", "m", "AANIKIRJA", [], "cd-audiobook"),
    ("a", "m", "DVD", [], "dvd"),
    ("g", "m", "BR", [], "bluray"),
    ("a", "m", "LEHTI", [], "magazine"),
])
def test_formats(desk, tmp_path, kind, level, item_type, extra, expected):
    h = holding("F0001")
    if item_type:
        h["y"] = item_type
    rec = marc_record("F1", "Aineisto", kind=kind, level=level, extra=extra, holdings=[h])
    report = import_marc(desk, write_iso(tmp_path / "f.mrc", rec))
    assert report.items == 1
    assert desk.catalogue.item_view("F0001").format == expected


def test_not_for_loan_subfield(desk, tmp_path):
    rec = marc_record("N1", "Käsikirjasto", holdings=[holding("N0001", **{"7": "1"}), holding("N0002", **{"7": "0"})])
    import_marc(desk, write_iso(tmp_path / "n.mrc", rec))
    assert desk.catalogue.item_view("N0001").status == "not_loanable"
    assert desk.catalogue.item_view("N0002").status == "available"


# --- rejections ------------------------------------------------------------------------------

def test_record_without_245_is_rejected_with_reason(desk, tmp_path):
    good = marc_record("G1", "Hyvä kirja", holdings=[holding("G0001")])
    no_245 = marc_record("BAD1", None, holdings=[holding("B0001")])
    only_c = marc_record("BAD2", None, title_subfields=[Subfield("c", "Tekijä.")], holdings=[holding("B0002")])
    good2 = marc_record("G2", "Toinen hyvä kirja", holdings=[holding("G0002")])
    report = import_marc(desk, write_iso(tmp_path / "t.mrc", good, no_245, only_c, good2))

    assert report.records == 2
    assert report.items == 2
    assert [(r.index, r.ident) for r in report.rejected_records] == [(2, "BAD1"), (3, "BAD2")]
    assert all("245" in r.reason for r in report.rejected_records)
    assert count(desk, "records") == 2
    assert item_row(desk, "B0001") is None and item_row(desk, "B0002") is None
    assert desk.catalogue.item_view("G0002").title == "Toinen hyvä kirja"


def test_record_with_245_but_no_subfield_a_is_rejected(desk, tmp_path):
    """The title proper is 245 $a; a subtitle alone ($b) is not a title."""
    no_a = marc_record("NOA", None, title_subfields=[Subfield("b", "alaotsikko /"), Subfield("c", "Tekijä.")],
                       holdings=[holding("A0001")])
    report = import_marc(desk, write_iso(tmp_path / "t.mrc", no_a))
    assert report.records == 0
    assert [(r.index, r.ident) for r in report.rejected_records] == [(1, "NOA")]
    assert "245" in report.rejected_records[0].reason
    assert count(desk, "records") == 0
    assert item_row(desk, "A0001") is None


def test_corrupt_record_inside_the_stream_is_rejected_and_the_rest_import(desk, tmp_path):
    """A record whose framing is intact but whose directory is garbage."""
    good1 = marc_record("C1", "Ensimmäinen", holdings=[holding("C0001")]).as_marc()
    bad = bytearray(marc_record("C2", "Rikki", holdings=[holding("C0002")]).as_marc())
    bad[24:36] = b"XYZ!!garbage"  # the first directory entry
    good3 = marc_record("C3", "Kolmas", holdings=[holding("C0003")]).as_marc()
    report = import_marc(desk, write_iso(tmp_path / "c.mrc", good1, bytes(bad), good3))

    assert report.records == 2
    assert [r.index for r in report.rejected_records] == [2]
    assert report.rejected_records[0].reason
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"C1", "C3"}
    assert desk.catalogue.item_view("C0003").title == "Kolmas"
    assert item_row(desk, "C0002") is None


def test_garbage_bytes_between_records_reject_only_the_garbage(desk, tmp_path):
    """Junk between two good records (a bad record length): it is reported, and the
    records before and after it still import (the reader resynchronises on the next
    record rather than giving up on the rest of the file)."""
    good1 = marc_record("J1", "Ennen roskaa", holdings=[holding("J0001")])
    good2 = marc_record("J2", "Roskan jälkeen", holdings=[holding("J0002")])
    good3 = marc_record("J3", "Viimeinen", holdings=[holding("J0003")])
    report = import_marc(desk, write_iso(tmp_path / "g.mrc", good1, b"\x00garbage!\x1d", good2, good3))

    assert report.rejected_records, "the garbage must be reported"
    assert all(r.reason for r in report.rejected_records)
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"J1", "J2", "J3"}
    assert report.records == 3
    assert desk.catalogue.item_view("J0003").title == "Viimeinen"


def test_truncated_last_record_is_reported(desk, tmp_path):
    good = marc_record("T1", "Ehjä", holdings=[holding("T0001")]).as_marc()
    cut = marc_record("T2", "Katkennut", holdings=[holding("T0002")]).as_marc()[:-40]
    report = import_marc(desk, write_iso(tmp_path / "t.mrc", good, cut))
    assert report.records == 1
    assert [r.index for r in report.rejected_records] == [2]
    assert item_row(desk, "T0001") is not None and item_row(desk, "T0002") is None


def test_duplicate_barcode_already_in_the_register(desk, tmp_path):
    item(desk, "DUP1", title="Vanha nide")
    rec = marc_record("D1", "Uusi kirja", holdings=[holding("DUP1"), holding("NEW1")])
    report = import_marc(desk, write_iso(tmp_path / "d.mrc", rec))

    assert report.records == 1
    assert report.items == 1
    assert len(report.rejected_items) == 1
    rejected = report.rejected_items[0]
    assert (rejected.index, rejected.ident) == (1, "D1")
    assert "DUP1" in rejected.reason and "exist" in rejected.reason
    # The existing item is untouched; the good one is in.
    assert desk.catalogue.item_view("DUP1").title == "Vanha nide"
    assert desk.catalogue.item_view("NEW1").title == "Uusi kirja"
    assert count(desk, "items") == 2


def test_duplicate_barcode_twice_in_the_same_file(desk, tmp_path):
    first = marc_record("E1", "Ensimmäinen", holdings=[holding("TWICE"), holding("TWICE")])
    second = marc_record("E2", "Toinen", holdings=[holding("TWICE", "ULV")])
    report = import_marc(desk, write_iso(tmp_path / "e.mrc", first, second))

    assert report.records == 2
    assert report.items == 1
    assert [(r.index, r.ident) for r in report.rejected_items] == [(1, "E1"), (2, "E2")]
    assert all("TWICE" in r.reason for r in report.rejected_items)
    view = desk.catalogue.item_view("TWICE")
    assert (view.title, view.home_branch) == ("Ensimmäinen", "PORI")
    assert count(desk, "items") == 1


def test_unknown_branch_in_952a_is_rejected(desk, tmp_path):
    rec = marc_record("U1", "Tuntematon toimipiste", holdings=[holding("UB01", "XYZ"), holding("UB02", "ULV")])
    report = import_marc(desk, write_iso(tmp_path / "u.mrc", rec))

    assert report.records == 1
    assert report.items == 1
    assert len(report.rejected_items) == 1
    reason = report.rejected_items[0].reason
    assert "XYZ" in reason and "branch" in reason and "UB01" in reason
    with pytest.raises(Refused) as refused:
        desk.catalogue.item_view("UB01")
    assert refused.value.code == "ITEM_UNKNOWN"
    assert desk.catalogue.item_view("UB02").home_branch == "ULV"


def test_reimport_of_own_file_adds_no_duplicate_records_or_items(desk, tmp_path):
    path = write_iso(tmp_path / "h.mrc", *holdings_records())
    assert import_marc(desk, path).records == 3
    records, items = count(desk, "records"), count(desk, "items")
    again = import_marc(desk, path)
    assert again.records == 0
    assert again.items == 0
    assert (count(desk, "records"), count(desk, "items")) == (records, items)
    # The second run says why no items were added: every barcode is accounted for.
    for barcode in ("H0001", "H0002", "H0003", "H0004"):
        assert any(barcode in r.reason for r in again.rejected_items), barcode


def test_an_import_stopped_half_way_keeps_its_steps_and_carries_on_when_run_again(desk, tmp_path):
    """Resumable: each step commits whole records with a checkpoint; a failure rolls back
    only the step under way, and the same file imported again goes on after the last
    record written, adding nothing twice.

    Mutation caught: the checkpoint written outside the step's transaction (the rerun
    would skip or repeat a record), or not read back (the rerun would report 3 records
    as new and H-BOOK's items as duplicates)."""
    path = write_iso(tmp_path / "h.mrc", *holdings_records())
    desk.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON items WHEN new.barcode = 'H0004' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(ImportStopped) as stopped:
        import_marc(desk, path, hold=0, pause=0)  # one record a step
    assert stopped.value.report.written_up_to == 2
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"H-BOOK", "H-DVD"}
    assert count(desk, "items") == 3
    assert item_row(desk, "H0004") is None

    desk.conn.execute("DROP TRIGGER boom")
    report = import_marc(desk, path, hold=0, pause=0)
    assert report.resumed_after == 2
    assert (report.records, report.items) == (3, 4)
    assert report.rejected_items == [] and report.warnings == []
    assert (count(desk, "records"), count(desk, "items")) == (3, 4)
    assert desk.catalogue.item_view("H0004").format == "bluray"
    # Finished: the checkpoint is gone, so the file imported once more starts from the top.
    again = import_marc(desk, path)
    assert again.resumed_after == 0 and again.records == 0 and again.items == 0


def test_a_step_is_whole_records_with_their_items(desk, tmp_path):
    """A failure on a record's second item leaves neither that record nor its first item."""
    path = write_iso(tmp_path / "h.mrc", *holdings_records())
    desk.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON items WHEN new.barcode = 'H0002' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(ImportStopped):
        import_marc(desk, path, hold=0, pause=0)
    assert count(desk, "records") == 0 and count(desk, "items") == 0


# --- patrons from CSV ----------------------------------------------------------------------

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu(birth: date, individual: int) -> str:
    sign = {19: "-", 20: "A"}[birth.year // 100]
    code = f"{birth:%d%m%y}{sign}{individual:03d}{_CHECK[int(f'{birth:%d%m%y}{individual:03d}') % 31]}"
    assert stdnum_hetu.is_valid(code)
    return code


HEADER = "card,first,last,hetu,birth_date,guardian,consent_date,organisation,responsible,email,phone,address,verify_id"
ADULT_HETU = hetu(date(1975, 3, 14), 123)
CHILD_HETU = hetu(date(2016, 6, 1), 456)


def good_rows(delimiter: str) -> list[list[str]]:
    return [
        ["1000001", "Aino", "Mäkinen", ADULT_HETU, "", "", "", "", "", "aino@example.fi", "040 123 4567",
         "Kauppakatu 1, 28100 Pori", ""],
        ["1000002", "Veikko", "Österberg", "", "1950-01-31", "", "", "", "", "", "", "Isosannan tie 2, 28200 Pori",
         "kyllä"],
        ["1000003", "Eetu", "Mäkinen", CHILD_HETU, "", "Aino Mäkinen", "2026-11-30", "", "", "", "", "", ""],
        ["1000004", "Ella", "Nieminen", "", "2010-02-02", "", "", "", "", "", "", "", ""],
        ["1000005", "", "Päiväkoti Satakieli", "", "", "", "", "x", "Liisa Laine", "", "02 621 1111", "", ""],
    ]


def write_csv(path: Path, header: str, rows: list[list[str]], delimiter: str = ",", *, bom: bool = False,
              quote_commas: bool = True, encoding: str = "utf-8") -> Path:
    def cell(value: str) -> str:
        return f'"{value}"' if quote_commas and ("," in value or delimiter in value) else value

    lines = [header.replace(",", delimiter)] + [delimiter.join(cell(v) for v in row) for row in rows]
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def summary(result) -> tuple[int, list]:
    return result.imported, result.errors


def assert_good_import(desk):
    adult = desk.patrons.view("1000001")
    assert adult.name == "Aino Mäkinen"
    assert adult.birth_date == date(1975, 3, 14)
    assert adult.hetu_masked == ADULT_HETU[:7] + "****"
    assert adult.address == "Kauppakatu 1, 28100 Pori"
    assert adult.email == "aino@example.fi"
    assert adult.category == "adult"
    senior = desk.patrons.view("1000002")
    assert senior.name == "Veikko Österberg"
    assert senior.birth_date == date(1950, 1, 31)
    assert senior.verify_id is True
    child = desk.patrons.view("1000003")
    assert child.birth_date == date(2016, 6, 1)
    assert child.guardian == "Aino Mäkinen"
    assert child.consent_date == date(2026, 11, 30)
    assert child.category == "child"
    assert desk.patrons.view("1000004").age == 16
    org = desk.patrons.view("1000005")
    assert org.category == "organisation"
    assert org.responsible == "Liisa Laine"


def test_patron_csv_comma_delimited(desk, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, good_rows(","))
    assert summary(import_patrons(desk, path)) == (5, [])
    assert count(desk, "patrons") == 5
    assert_good_import(desk)


def test_patron_csv_semicolon_with_bom(desk, tmp_path):
    """What Excel in Finnish writes: semicolons, UTF-8 with a BOM, commas unquoted in addresses."""
    path = write_csv(tmp_path / "p.csv", HEADER, good_rows(";"), ";", bom=True, quote_commas=False)
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert summary(import_patrons(desk, path)) == (5, [])
    assert count(desk, "patrons") == 5
    assert_good_import(desk)


def test_patron_csv_header_case_and_order_do_not_matter(desk, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Last,Card,Birth_Date,First\nVirtanen,1000009,1980-05-17,Matti\n", encoding="utf-8")
    assert summary(import_patrons(desk, path)) == (1, [])
    assert desk.patrons.view("1000009").name == "Matti Virtanen"


def bad_file(tmp_path: Path) -> Path:
    rows = good_rows(",")
    bad = [
        rows[0],                                                                         # line 2: good
        ["1000011", "Väärä", "Tunnus", "131052-308X", "", "", "", "", "", "", "", "", ""],  # 3: bad HETU check
        ["1000012", "Pikku", "Lapsi", "", "2018-04-04", "", "", "", "", "", "", "", ""],    # 4: under 15, no consent
        rows[1],                                                                         # line 5: good
        ["1000001", "Toinen", "Kortti", "", "1990-01-01", "", "", "", "", "", "", "", ""],  # 6: card as line 2
        ["1000013", "Päivä", "Väärin", "", "17/5/1980", "", "", "", "", "", "", "", ""],    # 7: not a date
        ["1000014", "Helmi", "Karhu", "", "1980-02-30", "", "", "", "", "", "", "", ""],    # 8: no such day
        rows[3],                                                                         # line 9: good
    ]
    return write_csv(tmp_path / "bad.csv", HEADER, bad)


def test_patron_csv_one_bad_row_imports_nothing_and_reports_every_bad_row(desk, tmp_path):
    imported, errors = summary(import_patrons(desk, bad_file(tmp_path)))
    assert imported == 0
    assert [(e.line, e.refusal.code) for e in errors] == [
        (3, "INVALID_HETU"),
        (4, "CONSENT_MISSING"),
        (6, "DUPLICATE_CARD"),
        (7, "INVALID_INPUT"),
        (8, "INVALID_INPUT"),
    ]
    assert count(desk, "patrons") == 0
    assert count(desk, "cards") == 0
    with pytest.raises(Refused):
        desk.patrons.view("1000001")


def test_patron_csv_card_or_hetu_already_in_register(desk, tmp_path):
    patron(desk, "1000002")
    desk.patrons.add(NewPatron(card="7777777", first="Aino", last="Jo Rekisterissä", hetu=ADULT_HETU))
    imported, errors = summary(import_patrons(desk, write_csv(tmp_path / "p.csv", HEADER, good_rows(","))))
    assert imported == 0
    assert [(e.line, e.refusal.code) for e in errors] == [(2, "DUPLICATE_PATRON"), (3, "DUPLICATE_CARD")]
    assert count(desk, "patrons") == 2


def test_patron_csv_duplicate_hetu_within_file(desk, tmp_path):
    rows = good_rows(",")
    rows.append(["1000020", "Aino", "Kaksoisolento", ADULT_HETU, "", "", "", "", "", "", "", "", ""])
    imported, errors = summary(import_patrons(desk, write_csv(tmp_path / "p.csv", HEADER, rows)))
    assert imported == 0
    assert [(e.line, e.refusal.code) for e in errors] == [(7, "DUPLICATE_PATRON")]
    assert count(desk, "patrons") == 0


def test_patron_csv_line_numbers_count_blank_lines(desk, tmp_path):
    """The line number is where staff find the row in the file, blank lines included."""
    path = tmp_path / "p.csv"
    path.write_text(
        HEADER + "\n"
        "1000001,Aino,Mäkinen,,1975-03-14,,,,,,,,\n"
        "\n"
        "1000002,Väärä,Tunnus,131052-308X,,,,,,,,,\n",
        encoding="utf-8",
    )
    imported, errors = summary(import_patrons(desk, path))
    assert imported == 0
    assert [(e.line, e.refusal.code) for e in errors] == [(4, "INVALID_HETU")]


@pytest.mark.parametrize("header", [
    "kortti,etunimi,sukunimi,syntymäaika",                   # Finnish column names
    "card,first,last,birth_date,shoe_size",                  # an unknown column
    "card,first,birth_date",                                 # 'last' missing
])
def test_patron_csv_wrong_header_is_refused(desk, tmp_path, header):
    path = tmp_path / "p.csv"
    path.write_text(header + "\n1000001,Aino,Mäkinen,1975-03-14\n", encoding="utf-8")
    with pytest.raises(Refused) as refused:
        import_patrons(desk, path)
    assert refused.value.code == "INVALID_INPUT"
    assert count(desk, "patrons") == 0


def test_patron_csv_not_utf8_is_refused(desk, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, good_rows(","), encoding="latin-1")
    with pytest.raises(Refused) as refused:
        import_patrons(desk, path)
    assert refused.value.code == "INVALID_INPUT"
    assert count(desk, "patrons") == 0


# --- streaming: bounded memory, statistics after ------------------------------------------------

def test_a_file_is_read_in_bounded_memory(tmp_path):
    """30,000 records (5 MB) through the reader: what it holds at any time is a block and a
    record, not the file. Mutation caught: reading the whole file (or every record) first."""
    import tracemalloc

    from tiski.imports.marc_files import read_marc

    one = marc_record("M1", "Muistin mitta", holdings=[holding("MEM0001")]).as_marc()
    path = tmp_path / "big.mrc"
    path.write_bytes(one * 30_000)
    tracemalloc.start()
    try:
        read = sum(1 for entry in read_marc(path) if entry.record is not None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == 30_000
    assert peak < 2_000_000, f"{peak} bytes held while reading a {path.stat().st_size}-byte file"


def test_the_query_planner_knows_the_new_sizes_after_an_import(desk, tmp_path):
    """Mutation caught: ANALYZE (refresh_statistics) left out after the import."""
    def rows_counted(table: str) -> int:  # the planner's row estimate: the first figure of `stat`
        stats = [r[0] for r in desk.conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = ?", (table,))]
        return max((int(stat.split()[0]) for stat in stats), default=0)

    before = {table: rows_counted(table) for table in ("items", "records")}
    import_marc(desk, write_iso(tmp_path / "h.mrc", *holdings_records()))
    for table in ("items", "records"):
        assert rows_counted(table) > before[table], table
