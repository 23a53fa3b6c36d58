"""Text from staff and files: trimmed, bounded, never carrying a control character."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.core.errors import Refused
from tiski.core.text import (
    clean_phone,
    clean_text,
    has_control,
    imported_text,
    parse_day,
    phone_digits,
    spreadsheet_safe,
    without_control,
)


def code_of(call) -> tuple[str, str]:
    with pytest.raises(Refused) as caught:
        call()
    refusal = caught.value.first
    return refusal.code, refusal.params.get("what")


def test_text_is_trimmed_and_normalised():
    assert clean_text("  Äiti  ", "name") == "Äiti"
    assert clean_text("  A\u0308 ", "name") == "Ä"  # decomposed Ä from a Mac paste becomes one character


@pytest.mark.parametrize("text", ["\x1b[2J", "a\x07", "a\x00b", "evil\u202e", "a\nb", "\x9b31m"])
def test_control_characters_are_refused(text):
    assert code_of(lambda: clean_text(text, "name")) == ("INVALID_INPUT", "control_characters")


def test_line_breaks_only_where_the_text_is_multiline():
    assert clean_text("Karjala\r\nEi sotaa\rKiitos", "wishes", multiline=True) == "Karjala\nEi sotaa\nKiitos"
    assert code_of(lambda: clean_text("a\n\x1b[2J", "wishes", multiline=True))[1] == "control_characters"


def test_empty_and_too_long():
    assert clean_text("   ", "note", required=False) is None
    assert code_of(lambda: clean_text(" ", "name"))[1] == "required"
    assert code_of(lambda: clean_text("x" * 201, "name"))[1] == "too_long"


@given(st.text())
def test_without_control_leaves_no_control_and_keeps_the_rest(text):
    cleaned = without_control(text)
    assert not has_control(cleaned)
    assert [ch for ch in text if not has_control(ch)] == list(cleaned)
    assert without_control("a\nb\x1b", keep="\n") == "a\nb"


@given(st.text(), st.integers(min_value=1, max_value=600))
def test_imported_text_is_kept_as_the_register_keeps_text(text, limit):
    """Mutation caught: imported_text skipping without_control (an escape from a file
    would reach the register and later a terminal), or not bounding the length."""
    cleaned = imported_text(text, limit)
    if cleaned is not None:
        assert not has_control(cleaned)
        assert cleaned == cleaned.strip() and "  " not in cleaned
        assert len(cleaned) <= limit
        assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize("text, kept", [
    ("Tarinat\x1b[2J osa 2", "Tarinat[2J osa 2"),
    ("evil\u202egnp.exe", "evilgnp.exe"),
    ("a\tb\nc\r\nd", "a b c d"),
    ("NUL\x00byte", "NULbyte"),
    ("\x9b31m", "31m"),
    ("  \x07  ", None),
])
def test_imported_text_drops_escapes_and_bidi_controls(text, kept):
    assert imported_text(text) == kept


def test_digits_are_ascii_digits():
    """Mutation caught: `\\d` back in the date or phone patterns."""
    assert code_of(lambda: parse_day("٢٠٢٦-١٢-٠٢", "day"))[1] == "date"
    assert code_of(lambda: parse_day("２０２６-１２-０２", "day"))[1] == "date"
    assert phone_digits("040 ١٢٣ 4567") == "0404567"
    assert code_of(lambda: clean_phone("٠٤٠ ١٢٣ ٤٥٦٧"))[1] == "phone"


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx",
                                  "＝1+1", "＋1", "－1", "＠A1"])
def test_spreadsheet_formulas_are_opened_as_text(cell):
    """Mutation caught: a character left out of the OWASP list."""
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Kela", "e_services", "", " =1", 12, -5, 0.5, None])
def test_other_cells_are_left_alone(cell):
    assert spreadsheet_safe(cell) == cell
