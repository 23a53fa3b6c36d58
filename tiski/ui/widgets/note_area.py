"""Free text over several lines (the book-bag client's wishes), without control
characters — as `TextInput`, but line breaks and tabs stay. Its own module: TextArea
is heavy to import and only the interview needs it."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from ...core.text import without_control


class NoteArea(TextArea):
    def __init__(self, text: str = "", **kwargs):
        super().__init__(without_control(text, keep="\n\t"), **kwargs)

    def load_text(self, text: str) -> None:
        super().load_text(without_control(text, keep="\n\t"))

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls TextArea's own handler after this one, with the cleaned text.
        event.text = without_control(event.text.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
