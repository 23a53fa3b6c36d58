"""Questions the desk asks (check the ID, override a blocker, a message to read), safe
against the scanner.

A barcode scanner types a code and Enter in a few milliseconds, whatever is on screen.
So in a question:

- a scanner's Enter never answers: Enter answers only when nothing was typed before it
  (the digits of a code make it the end of a scan), at least `SCAN_TAIL` after the
  question opened and after the key before it — a person's pace, never a scanner's;
- the code a scan types while the question is open is not lost: it is held by the app
  and handled, in order with any others, by the screen underneath once the question is
  answered (`TiskiApp.hold_scan`); the question says so while it waits;
- Esc answers "no" (a scanner never sends it).

Forms (`FormModal`) and F1 help hold scans the same way (`HoldsScans`): whatever dialog
is open when a scan arrives, its code reaches the area behind once the dialog closes.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import events
from textual.screen import ModalScreen
from textual.widgets import Static

from ..boundary import Guarded
from ..widgets.timed_input import SCANNER_GAP, SHORTEST_CODE
from .base import translated

SCAN_TAIL = 0.4  # seconds: an Enter sooner than this after the last key is a scanner's


class HoldsScans:
    """A dialog that keeps the scans arriving while it is open: each code is held by the
    app (`TiskiApp.hold_scan`) and named on the dialog's held line; `TiskiApp.push_screen`
    hands them, in order, to the screen behind once the dialog is closed."""

    HELD_TEXT = "scan.held"  # what the held line says (with the codes)
    held: list[str]
    typed: str  # what a scan has typed so far, where no field took it
    last_key: float  # when the last key came (the event's time)

    def note_key(self, event: events.Key) -> None:
        """A key no field took, other than Enter: a printable one joins the scan under way
        when it came at a scanner's pace, else starts one; any other key ends it."""
        if event.is_printable and event.character:
            self.typed = self.typed + event.character if event.time - self.last_key <= SCANNER_GAP else event.character
        else:
            self.typed = ""
        self.last_key = event.time

    def scan_ended(self, enter: events.Key) -> str:
        """The code a scanner typed before this Enter, or '' (too short, or not at a
        scanner's pace). What was typed is forgotten either way."""
        code, self.typed = self.typed.strip(), ""
        return code if len(code) >= SHORTEST_CODE and enter.time - self.last_key <= SCANNER_GAP else ""

    def held_line(self) -> Static:
        """Where the dialog says which scans wait for it."""
        line = Static("", classes="question-held", id="question-held", markup=False)
        line.display = False
        return line

    def hold(self, code: str) -> None:
        """A scan that arrived while the dialog is open: handled after it closes."""
        app = self.app
        app.hold_scan(code)
        self.held = [*getattr(self, "held", []), code]
        for line in self.query("#question-held").results(Static):
            line.update(Text(app.t(self.HELD_TEXT, codes=", ".join(self.held)), style="bold"))
            line.display = True


class Question(HoldsScans, Guarded, ModalScreen[Any]):
    def __init__(self) -> None:
        super().__init__()
        self.opened = time.monotonic()
        self.last_key = self.opened
        self.typed = ""  # what a scan has typed so far (no field here takes text)
        self.held = []

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def is_answer(self, event: events.Key) -> bool:
        """An Enter a person pressed: nothing typed before it, not right after a key, not
        right after the question opened."""
        return (not self.typed and event.time - self.opened >= SCAN_TAIL
                and event.time - self.last_key >= SCAN_TAIL)

    async def _on_key(self, event: events.Key) -> None:
        """Keys no field took (and an Enter a field passed up): a scan's characters are
        collected, its Enter holds the code; a person's Enter answers."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.enter(event)
        elif event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.typed += event.character
        self.last_key = event.time

    def enter(self, event: events.Key) -> None:
        code, self.typed = self.typed.strip(), ""
        if code:
            self.hold(code)
        elif self.is_answer(event):
            self.answer_enter()

    def answer_enter(self) -> None:
        """What Enter means here (a person pressed it)."""
