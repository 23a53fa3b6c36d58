"""The papers themselves (tiski/ui/receipt.py): files that never overwrite one another,
a failing printer that loses nothing, slips that name no patron."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest

from tiski.clock import HELSINKI
from tiski.settings import Settings
from tiski.i18n import Translator
from tiski.ui.receipt import PrinterFailed, deliver_receipt, hold_slip, save, transfer_slip

NOW = datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI)


def test_two_documents_in_the_same_second_never_overwrite_each_other(tmp_path):
    """Issue 10 item 6: a checkout receipt and a packing slip in the same second under a
    fixed clock (TISKI_NOW) were one file. Mutation caught: a name from the time alone."""
    settings = Settings(receipts=tmp_path)
    first = deliver_receipt(settings, "kuitti 1\n", NOW)
    second = deliver_receipt(settings, "pakkauslista\n", NOW)
    third = deliver_receipt(settings, "kuitti 2\n", NOW)
    assert len({first, second, third}) == 3
    assert [open(p, encoding="utf-8").read() for p in (first, second, third)] == [
        "kuitti 1\n", "pakkauslista\n", "kuitti 2\n"]
    assert all(os.stat(p).st_mode & 0o777 == 0o600 for p in (first, second, third))


def test_a_link_planted_at_the_name_is_never_followed(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    (tmp_path / "kuitti-20261202-140500.txt").symlink_to(target)
    path = save(Settings(receipts=tmp_path), "kuitti\n", NOW, "kuitti")
    assert path.name == "kuitti-20261202-140500-2.txt" and target.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("printer", [("false",), ("/nonexistent/lp",)])
def test_a_failing_printer_keeps_the_document(tmp_path, printer):
    """A printer that says no, or is not there: PrinterFailed names the file it was kept in."""
    with pytest.raises(PrinterFailed) as failed:
        deliver_receipt(Settings(printer=printer, receipts=tmp_path), "kuitti\n", NOW)
    assert failed.value.kept.read_text(encoding="utf-8") == "kuitti\n"
    assert isinstance(failed.value, OSError)  # what older callers catch


def test_the_slips_name_the_branch_not_the_patron():
    from tiski.desk.routing import HoldShelf

    t = Translator("fi")
    shelf = HoldShelf(hold_id=1, card="2028000000005", pickup_branch="PORI", pickup_by=date(2026, 12, 9),
                      pickup_code="007", in_transit=False, initials="L. L.")
    slip = hold_slip(t, "Porin pääkirjasto", NOW, "Kirja", "1000000003", shelf)
    assert "007" in slip and "9.12.2026" in slip and "L. L." in slip and "2028000000005" not in slip
    assert all(len(line) <= 40 for line in slip.splitlines())
    moving = transfer_slip(t, "Porin pääkirjasto", NOW, "Kirja", "1000000003", "Ulvilan kirjasto", True)
    assert "ULVILAN KIRJASTO" in moving and "ULV\n" not in moving and "(varaukselle)" in moving
