"""Text fields that never hold a control character.

A keyboard cannot type one, but a paste or a value read from elsewhere can; Textual
would pass an escape sequence straight to the terminal. Dropped here, at the field,
so the screen stays the desk's and the rules see only text.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from ...core.text import without_control


class TextInput(Input):
    def validate_value(self, value: str) -> str:
        return without_control(value)


class NoteArea(TextArea):
    """Free text over several lines: line breaks and tabs are kept."""

    def __init__(self, text: str = "", **kwargs):
        super().__init__(without_control(text, keep="\n\t"), **kwargs)

    def load_text(self, text: str) -> None:
        super().load_text(without_control(text, keep="\n\t"))

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls TextArea's own handler after this one, with the cleaned text.
        event.text = without_control(event.text.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
