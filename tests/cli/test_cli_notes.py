"""Circulation notes on the command line (issue 10 #4, ../shared/CLI.md): `tiski patron
note add CARD TEXT`, `tiski patron note done CARD ID`; the alerts in `patron show`.
Helpers and conventions as in test_cli.py."""

from __future__ import annotations

import pytest

from ..conftest import patron
from .test_cli import counts, ok, refused, run


@pytest.fixture
def world(desk):
    patron(desk, "A1000", first="Aino", last="Aaltonen", birth=__import__("datetime").date(1988, 4, 2))
    return desk


def test_a_note_is_added_shown_and_marked_done(world, db_path):
    """Mutation caught: the note not among the alerts of `patron show`, or still there
    after `done`."""
    note = ok(db_path, "patron", "note", "add", "A1000", "Kortti tuli postissa")["note"]
    assert note["text"] == "Kortti tuli postissa" and isinstance(note["id"], int)
    shown = ok(db_path, "patron", "show", "A1000")["patron"]
    assert [a["code"] for a in shown["alerts"]] == ["CIRCULATION_NOTE"]
    assert shown["alerts"][0]["text"] == "Kortti tuli postissa"
    assert [n["id"] for n in shown["notes"]] == [note["id"]]
    said = run(db_path, "patron", "show", "A1000").stdout
    assert "Huomautus: Kortti tuli postissa" in said
    done = run(db_path, "patron", "note", "done", "A1000", str(note["id"]))
    assert done.exit_code == 0 and f"Huomautus {note['id']} merkitty tehdyksi." in done.stdout
    assert ok(db_path, "patron", "show", "A1000")["patron"]["alerts"] == []


def test_notes_refuse_what_they_must(world, db_path):
    before = counts(db_path)
    refused(db_path, "patron", "note", "add", "A1000", "  ", code="INVALID_INPUT", exit=2)
    refused(db_path, "patron", "note", "add", "A1000", "hetu 131052-308T", code="INVALID_INPUT", exit=2)
    refused(db_path, "patron", "note", "add", "X9999", "Soita", code="PATRON_UNKNOWN", exit=2)
    refused(db_path, "patron", "note", "done", "A1000", "99", code="NOT_FOUND", exit=2)
    assert counts(db_path) == before
    assert ok(db_path, "patron", "show", "A1000")["patron"]["notes"] == []
    result = run(db_path, "patron", "note", "done", "A1000", "yksi")
    assert result.exit_code == 2


def test_the_age_in_english_output_is_english(world, db_path):
    """Issue 10 #15: "adult, 37 v" in English output."""
    said = run(db_path, "--lang", "en", "patron", "show", "A1000").stdout
    assert "adult, age 38" in said and " v" not in said.splitlines()[0]


def test_every_alert_in_patron_show_keeps_its_own_code(world, desk, db_path):
    """`patron show --json` alerts are `{"code": …, params…}`: a parameter named like a
    key of the object must not overwrite the code (the pickup-ending-today alert's shelf
    number did: its code came out as "001"). Mutation caught: the params spread after
    the code with a `code` parameter among them."""
    from ..conftest import item

    patron(desk, "B2000", first="Bertta", last="Berg", birth=__import__("datetime").date(1990, 1, 1))
    ok(db_path, "checkout", "B2000", item(desk, "B001", title="Sinuhe egyptiläinen"))
    ok(db_path, "hold", "place", "A1000", "B001")
    ok(db_path, "return", "B001")
    pickup_by = ok(db_path, "patron", "show", "A1000")["patron"]["holds"][0]["pickup_by"]
    shown = ok(db_path, "patron", "show", "A1000", now=f"{pickup_by}T10:00")["patron"]
    assert [a["code"] for a in shown["alerts"]] == ["PICKUP_ENDS_TODAY", "HOLDS_WAITING"]
    assert shown["alerts"][0]["shelf"] == "001" and shown["alerts"][0]["title"] == "Sinuhe egyptiläinen"
