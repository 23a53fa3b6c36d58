"""Text from staff and files: trimmed, bounded, never carrying a control character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.core.errors import Refused
from tiski.core.text import clean_text, has_control, without_control


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
