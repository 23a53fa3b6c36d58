"""Letters: one PDF per run, a page a letter, the name and address inside the window of a
C5 envelope, å, ä and ö (and €) as they are — read back from the file with pypdf."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from tiski.clock import HELSINKI
from tiski.notify import Letter
from tiski.notify.letters import PAGE_HEIGHT, WINDOW_HEIGHT, WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, write_letters

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=HELSINKI)
SENDER = ("Porin pääkirjasto", "Gallen-Kallelan katu 12, 28100 Pori")


def letter(name: str, street: str, heading: str, body: str, language: str = "fi") -> Letter:
    return Letter((name, street, "28100 Pori"), SENDER, heading, body, date(2026, 12, 2), language)


LETTERS = [
    letter("Åsa Öberg", "Yrjönkatu 5", "1. palautuskehotus",
           "Hei,\n\nseuraavien lainojesi eräpäivä 30.12.2026 on mennyt:\n\n  Äänikirja: Sinuhe (B0001)\n\n"
           "Tämän kehotuksen maksu: 1,50 €"),
    letter("Šárka Žižková", "Itsenäisyydenkatu 33", "Faktura för material som inte returnerats",
           "Hej,\n\nTotalt: 27,40 €\n" + "\n".join(f"  Bok {n} (B{n:04d}): 19,90 €" for n in range(70)), "sv"),
]


def text_in(page, top: float, left: float, width: float, height: float) -> str:
    """The text drawn inside a box (millimetre figures turned to points, from the top)."""
    found: list[str] = []

    def visit(text, cm, tm, font, size):
        x, y = tm[4], tm[5]
        inside = left - 0.5 <= x <= left + width and PAGE_HEIGHT - top - height <= y <= PAGE_HEIGHT - top
        if text.strip() and inside:
            found.append(text)

    page.extract_text(visitor_text=visit)
    return "".join(found)


def test_one_pdf_a_letter_a_page_the_address_in_the_window(tmp_path):
    """Mutation caught: the address outside the C5 window, two letters on one page, a
    letter in a file of its own, å/ä/ö or € lost on the way (a Latin-1-only font)."""
    path = write_letters(LETTERS, tmp_path / "letters", NOW)
    assert path.name == "letters-20261202-020000.pdf"
    reader = PdfReader(path)
    first = reader.pages[0]
    window = text_in(first, WINDOW_TOP, WINDOW_LEFT, WINDOW_WIDTH, WINDOW_HEIGHT)
    assert "Åsa Öberg" in window and "Yrjönkatu 5" in window and "28100 Pori" in window
    assert "palautuskehotus" not in window  # the window shows the address and nothing else
    text = first.extract_text()
    assert "1. palautuskehotus" in text and "Äänikirja: Sinuhe (B0001)" in text and "1,50 €" in text
    assert "2.12.2026" in text and "Porin pääkirjasto" in text
    # The second letter is long: it starts on a page of its own and goes on to the next.
    second = reader.pages[1].extract_text()
    assert "Šárka Žižková" in second and "Faktura för material som inte returnerats" in second
    assert len(reader.pages) == 3 and "Bok 69 (B0069): 19,90 €" in reader.pages[2].extract_text()


def test_the_file_is_private_and_never_replaces_another(tmp_path):
    folder = tmp_path / "letters"
    first = write_letters(LETTERS[:1], folder, NOW)
    second = write_letters(LETTERS[:1], folder, NOW)  # the same second: a name of its own
    assert first != second and second.name == "letters-20261202-020000-2.pdf"
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    assert {p.name for p in folder.iterdir()} == {first.name, second.name}  # no partial file left


def test_names_beyond_western_europe_print_where_the_system_has_dejavu(tmp_path):
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        TTFont("probe", "DejaVuSans.ttf")
    except (TTFError, OSError):
        pytest.skip("no DejaVu Sans on this machine: ReportLab's Vera prints Western European letters only")
    path = write_letters([letter("Łukasz Żółć", "Ńowa 1", "Lasku", "Hei")], tmp_path, NOW)
    assert "Łukasz Żółć" in PdfReader(path).pages[0].extract_text()
