"""Hostile files through every import: escape sequences and bidi controls in every field,
NUL bytes, huge fields, broken leaders, wrong encodings, garbage, XML bombs, formula
cells. Always: no exception but a report (or one refusal), nothing in the register or
on the terminal that carries a control character, and the good records still in.
(Issue 9, item 8: 001, 003, 952 $a and a bad 020 $a used to pass escapes through.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from tiski.core.errors import Refused
from tiski.core.text import has_control
from tiski.imports.marc import import_marc
from tiski.imports.patrons_csv import import_patrons

from ..hostile import CONTROL
from .test_import import HEADER, count, field, holding, marc_record, write_iso, write_xml

ESC = "\x1b[2J\x1b]0;pwned\x07"
BIDI = "\u202egnp.exe\u202c"


def register_text(desk) -> list[str]:
    """Every text the imports write, as stored."""
    rows = desk.conn.execute(
        "SELECT title, author, isbn, language, control_no, control_org FROM records"
        " UNION ALL SELECT term, kind, NULL, NULL, NULL, NULL FROM record_terms"
        " UNION ALL SELECT barcode, home_branch, format, NULL, NULL, NULL FROM items"
        " UNION ALL SELECT first_name, last_name, address, email, phone, guardian_name FROM patrons")
    return [value for row in rows for value in row if isinstance(value, str)]


def report_text(report) -> list[str]:
    return ([r.ident for r in report.rejected_records + report.rejected_items + report.warnings]
            + [r.reason for r in report.rejected_records + report.rejected_items + report.warnings]
            + list(report.without_items))


def assert_clean(texts: list[str]) -> None:
    for text in texts:
        assert not has_control(text), repr(text)


def escaped_record():
    return marc_record(
        f"E1{ESC}", f"Tarinat {ESC}osa 2 {BIDI}", author=f"Virtanen{ESC}, Aino", isbn=f"978{ESC}951",
        holdings=[holding("ESC0001", f"PORI{ESC}"), holding("ESC0002")],
        extra=[Field(tag="003", data=f"FI-{ESC}Pori"), field("650", f"historia{ESC}"), field("655", f"{BIDI}")],
    )


def test_escapes_in_every_field_never_reach_the_register_or_the_report(desk, tmp_path):
    """Mutation caught: the 001/003 read raw (control_no keeps ESC), the bad ISBN or the
    952 $a branch put in a message uncleaned, or imported_text not dropping controls."""
    report = import_marc(desk, write_iso(tmp_path / "e.mrc", escaped_record()))
    assert report.records == 1
    stored = register_text(desk)
    assert_clean(stored)
    assert_clean(report_text(report))
    title = desk.conn.execute("SELECT title, control_no, control_org FROM records").fetchone()
    assert title[0].startswith("Tarinat [2J]0;pwned") and "gnp.exe" in title[0]
    assert title[1] == "E1[2J]0;pwned" and title[2] == "FI-[2J]0;pwnedPori"
    # The 952 $a with an escape names no branch: rejected, the message clean.
    assert [r.reason for r in report.rejected_items] == ["barcode ESC0001: unknown branch PORI[2J]0;pwned"]
    assert any("invalid ISBN" in w.reason for w in report.warnings)


def test_the_cli_prints_no_escape_from_a_marc_file(desk, db_path, tmp_path):
    path = write_iso(tmp_path / "e.mrc", escaped_record())
    desk.conn.close()
    env = {**os.environ, "TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_BRANCH": "PORI"}
    for args in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-m", "tiski", "import", "marc", str(path), *args],
                                capture_output=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        for stream in (result.stdout, result.stderr):
            assert not any(c.encode() in stream for c in CONTROL), stream
        if args:  # the second run: the record is in already
            assert json.loads(result.stdout)["import"]["records"] == 0


@pytest.mark.parametrize("writer", [write_iso, write_xml])
def test_nul_bytes_huge_fields_and_bidi_controls(desk, tmp_path, writer):
    huge = marc_record("HUGE", "Iso " + "sana " * 1800, author="A" * 5000,  # ISO 2709: a field < 10,000 bytes
                       extra=[field("650", "x" * 3000)], holdings=[holding("HUGE01")])
    nul = marc_record("NUL\x00", "Nolla\x00tavu", holdings=[holding("NUL001")])
    report = import_marc(desk, writer(tmp_path / "h.mrc", huge, nul))
    assert_clean(register_text(desk))
    lengths = desk.conn.execute("SELECT MAX(LENGTH(title)), MAX(LENGTH(author)) FROM records").fetchone()
    assert lengths[0] <= 500 and lengths[1] <= 200
    if writer is write_iso:
        assert report.records == 2 and report.items == 2
        assert desk.catalogue.item_view("NUL001").title == "Nollatavu"
    else:  # XML cannot hold a NUL: the file stops being well-formed there
        assert report.records == 1 and "not well-formed" in report.rejected_records[0].reason


def test_broken_leaders_are_rejected_and_the_rest_import(desk, tmp_path):
    good = marc_record("L1", "Ehjä", holdings=[holding("L0001")]).as_marc()
    letters = bytearray(marc_record("L2", "Kirjaimia", holdings=[holding("L0002")]).as_marc())
    letters[12:17] = b"ABCDE"  # base address of data: not digits
    too_short = marc_record("L3", "Lyhyt", holdings=[holding("L0003")]).as_marc()
    too_short = b"00030" + too_short[5:24] + b"\x1e\x1d"  # a leader and nothing behind it
    good4 = marc_record("L4", "Viimeinen", holdings=[holding("L0004")]).as_marc()
    report = import_marc(desk, write_iso(tmp_path / "l.mrc", good, bytes(letters), too_short, good4))
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"L1", "L4"}
    assert len(report.rejected_records) == 2
    assert_clean(report_text(report))


def test_a_latin1_file_marked_utf8_imports_with_a_warning(desk, tmp_path):
    raw = marc_record("W1", "Pöytä", holdings=[holding("W0001")]).as_marc()
    latin1 = raw.replace("Pöytä".encode("utf-8"), "Pöytä".encode("latin-1") + b"  ")  # same length
    assert latin1[9:10] == b"a"  # leader says UTF-8
    report = import_marc(desk, write_iso(tmp_path / "w.mrc", latin1))
    assert report.records == 1
    assert [w.reason for w in report.warnings] == ["text not in the encoding the leader gives: characters replaced"]
    assert desk.catalogue.item_view("W0001").title.startswith("P")


def test_garbage_without_a_terminator_is_skipped_in_bounded_memory(desk, tmp_path):
    path = tmp_path / "g.mrc"
    good = marc_record("G1", "Roskan jälkeen", holdings=[holding("G0001")]).as_marc()
    with path.open("wb") as out:
        out.write(b"\x00\xff garbage " * 300_000)  # 3.3 MB, no terminator
        out.write(good)
    report = import_marc(desk, path)
    assert report.records == 1 and report.rejected_records
    assert "garbage" in report.rejected_records[0].reason


def xml_file(tmp_path, body: str, doctype: str = ""):
    path = tmp_path / "x.xml"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
                    f'<collection xmlns="http://www.loc.gov/MARC21/slim">{body}</collection>\n', encoding="utf-8")
    return path


def xml_record(control: str, title: str, extra: str = "") -> str:
    return (f'<record><leader>00000nam a2200000 i 4500</leader><controlfield tag="001">{control}</controlfield>'
            f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}</subfield></datafield>{extra}</record>')


def test_an_entity_bomb_is_stopped_quickly(desk, tmp_path):
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    path = xml_file(tmp_path, xml_record("X1", "&a9;"), f"<!DOCTYPE collection [{entities}]>\n")  # 10⁹ lols
    started = time.monotonic()
    report = import_marc(desk, path)
    assert time.monotonic() - started < 10
    assert report.records == 0 and report.rejected_records
    assert count(desk, "records") == 0


def test_external_entities_are_not_fetched(desk, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SALAISUUS", encoding="utf-8")
    path = xml_file(tmp_path, xml_record("X2", "Otsikko &ext;"),
                    f'<!DOCTYPE collection [<!ENTITY ext SYSTEM "file://{secret}">]>\n')
    import_marc(desk, path)
    assert "SALAISUUS" not in " ".join(register_text(desk))


def test_a_malformed_xml_record_is_rejected_alone(desk, tmp_path):
    no_tag = xml_record("X3", "Ilman tagia", '<datafield ind1=" " ind2=" "><subfield code="a">x</subfield></datafield>')
    bad_leader = xml_record("X4", "Lyhyt johtotieto").replace("00000nam a2200000 i 4500", "lyhyt")
    huge = xml_record("X5", "Jättikenttä " + "x" * 500_000)
    path = xml_file(tmp_path, xml_record("X0", "Hyvä") + no_tag + bad_leader + huge + xml_record("X6", "Hyvä myös"))
    report = import_marc(desk, path)
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"X0", "X6"}
    assert [r.index for r in report.rejected_records] == [2, 3, 4]


def test_xml_that_breaks_off_keeps_the_records_before(desk, tmp_path):
    path = tmp_path / "cut.xml"
    whole = xml_file(tmp_path, xml_record("C1", "Ensimmäinen") + xml_record("C2", "Toinen")).read_text(encoding="utf-8")
    path.write_text(whole[: whole.index("Toinen")] + "<<<", encoding="utf-8")
    report = import_marc(desk, path)
    assert {r[0] for r in desk.conn.execute("SELECT control_no FROM records")} == {"C1"}
    assert "not well-formed" in report.rejected_records[-1].reason


@given(data=st.binary(max_size=3000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_make_a_report_never_an_exception(desk, tmp_path, data):
    """Random bytes, and a valid record with random bytes spliced in: the importer reads
    what it can and reports the rest, and nothing it stores has a control character."""
    record = marc_record("R1", "Satunnainen", holdings=[holding("RND001")]).as_marc()
    cut = len(data) % (len(record) + 1)
    for content in (data, record[:cut] + data + record[cut:], b"<" + data):
        path = tmp_path / "r.mrc"
        path.write_bytes(content)
        report = import_marc(desk, path, pause=0)
        assert_clean(report_text(report))
    assert_clean(register_text(desk))


# --- patrons from CSV --------------------------------------------------------------------------------

def test_a_csv_row_with_an_escape_is_refused_and_nothing_imported(desk, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n1000001,Aino,Virtanen,,1980-01-01,,,,,,,,\n"
                    f"1000002,Eino{ESC},Virtanen,,1980-01-01,,,,,,,,\n"
                    f"1000003,Eila,Virta{BIDI},,1980-01-01,,,,,,,,\n"
                    "1000004,Nul\x00,Virtanen,,1980-01-01,,,,,,,,\n", encoding="utf-8")
    result = import_patrons(desk, path)
    assert result.imported == 0
    assert [(e.line, e.refusal.params.get("what")) for e in result.errors] == [
        (3, "control_characters"), (4, "control_characters"), (5, "control_characters")]
    assert count(desk, "patrons") == 0


def test_formula_cells_are_kept_as_text(desk, tmp_path):
    """A name that looks like a formula is a name: stored as typed (exports neutralise it)."""
    path = tmp_path / "p.csv"
    path.write_text(HEADER + '\n1000001,"=HYPERLINK(""http://x"")",@Virtanen,,1980-01-01,,,,,,,,\n',
                    encoding="utf-8")
    assert import_patrons(desk, path).imported == 1
    assert desk.patrons.view("1000001").name == '=HYPERLINK("http://x") @Virtanen'


@given(text=st.text(max_size=400))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_csv_text_is_imported_or_refused(desk, tmp_path, text):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + text, encoding="utf-8", errors="replace")
    try:
        import_patrons(desk, path, pause=0)
    except Refused as refused:
        assert refused.code == "INVALID_INPUT"
    assert_clean(register_text(desk))
