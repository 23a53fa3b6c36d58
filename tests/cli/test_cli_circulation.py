"""The command line for circulation: a patron's language, drop-box dates, renewals.
Helpers and conventions as in test_cli.py."""

from __future__ import annotations

import pytest

from ..conftest import item, patron
from .test_cli import _command_built_once, counts, ok, refused, run  # noqa: F401 (a fixture)


@pytest.fixture
def world(desk):
    """An adult patron A1000 and an item I1000 on the shelf at PORI."""
    patron(desk, "A1000", first="Aino", last="Aaltonen")
    item(desk, "I1000", title="Seitsemän veljestä")
    return desk


# --- a patron's language -----------------------------------------------------------------------

def test_patron_add_and_edit_take_the_patrons_language(world, db_path):
    """`--language` is the patron's (notices, machines); `--lang` stays Tiski's own.
    Mutations caught: the option not passed on (show says fi), edit ignoring it."""
    added = ok(db_path, "patron", "add", "--card", "S1000", "--first", "Sven", "--last", "Berg",
               "--birth-date", "1970-03-01", "--language", "sv")
    assert added["patron"]["card"] == "S1000"
    assert ok(db_path, "patron", "show", "S1000")["patron"]["language"] == "sv"
    assert ok(db_path, "patron", "show", "A1000")["patron"]["language"] == "fi"
    assert ok(db_path, "patron", "edit", "S1000", "--language", "en")["patron"]["language"] == "en"
    result = run(db_path, "patron", "export", "S1000")
    assert '"language": "en"' in result.stdout
    shown = run(db_path, "--lang", "en", "patron", "show", "S1000")
    assert shown.exit_code == 0 and "Sven Berg" in shown.stdout


def test_an_unknown_patron_language_is_refused(world, db_path):
    before = counts(db_path)
    error = refused(db_path, "patron", "add", "--card", "S1000", "--first", "Sven", "--last", "Berg",
                    "--birth-date", "1970-03-01", "--language", "de", code="INVALID_INPUT", exit=2)
    assert "de" in error["message"]
    refused(db_path, "patron", "edit", "A1000", "--language", "swedish", code="INVALID_INPUT", exit=2)
    assert counts(db_path) == before


# --- the drop box ------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2020-01-01", "2026-12-01", "2027-01-05"])
def test_a_dropbox_date_outside_the_loan_is_refused(world, db_path, day):
    """Before the loan began (it would wipe the late fee) or after today: one clear
    message, exit 2, nothing written. Mutation caught: a day before the loan accepted."""
    world.loans.checkout("A1000", "I1000")  # 2.12.2026
    before = counts(db_path)
    error = refused(db_path, "return", "I1000", "--dropbox-date", day, now="2027-01-04T10:00",
                    code="INVALID_INPUT", exit=2)
    assert counts(db_path) == before
    assert ok(db_path, "item", "show", "I1000")["item"]["status"] == "on_loan"
    text = run(db_path, "return", "I1000", "--dropbox-date", day, now="2027-01-04T10:00")
    assert text.exit_code == 2 and text.stdout == "" and len(text.stderr.splitlines()) == 1
    if day < "2026-12-02":
        assert "2.12.2026" in error["message"]
