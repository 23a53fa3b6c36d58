"""Where a copy stands on the shelf, from MARC (issue 12 §1): 952 $c (shelving location)
and $o (call number), else the record's 852 — the one naming the copy's barcode in $p,
else the first — and then the catalogue search shows it."""

from __future__ import annotations

from pymarc import Field, Indicators, Subfield

from tiski.imports.marc import import_marc

from .test_import import holding, marc_record, write_iso


def f852(**subfields: str) -> Field:
    return Field(tag="852", indicators=Indicators(" ", " "),
                 subfields=[Subfield(code, value) for code, value in subfields.items()])


def shelves(desk) -> dict[str, tuple]:
    return {r[0]: (r[1], r[2]) for r in desk.conn.execute("SELECT barcode, shelf, call_number FROM items")}


def test_952_shelving_location_and_call_number(desk, tmp_path):
    """Mutation caught: $c and $o ignored (the copy's place empty)."""
    path = write_iso(tmp_path / "a.mrc", marc_record(
        "rec1", "Tuntematon sotilas", holdings=[holding("T0001", c="AIK", o="84.2 LIN"), holding("T0002")]))
    import_marc(desk, path, pause=0)
    assert shelves(desk) == {"T0001": ("AIK", "84.2 LIN"), "T0002": (None, None)}


def test_852_fills_in_what_the_952_does_not_say(desk, tmp_path):
    """852 $c/$b and $k $h $i $m: by the barcode in $p, else the record's first 852.
    Mutation caught: the 852 taken for every copy although one names its own."""
    path = write_iso(tmp_path / "b.mrc", marc_record(
        "rec2", "Sinuhe egyptiläinen", holdings=[holding("S0001"), holding("S0002"), holding("S0003", o="84.2 W")],
        extra=[f852(b="Pääkirjasto", c="Aikuisten kaunokirjat", h="84.2", i="WAL"),
               f852(c="Lasten osasto", k="L", h="84.2", i="WAL", p="S0002")]))
    import_marc(desk, path, pause=0)
    assert shelves(desk) == {"S0001": ("Aikuisten kaunokirjat", "84.2 WAL"),
                             "S0002": ("Lasten osasto", "L 84.2 WAL"),
                             "S0003": ("Aikuisten kaunokirjat", "84.2 W")}
    [found] = desk.catalogue.search("sinuhe")
    assert {c.barcode: c.location for c in found.copies}["S0002"] == "Lasten osasto L 84.2 WAL"
