"""The scan field: what a barcode scanner types (a code and Enter, in milliseconds).

Enter is handled in the field's own key handler, in the order the keys arrived, and
the field is emptied there and then: a burst of scans can never merge or lose a code.
A second scan of the same code within a second is flagged as a duplicate.
"""

from __future__ import annotations

import time

from textual import events
from textual.message import Message

from .text_input import TextInput

DUPLICATE_WINDOW = 1.0  # seconds


class ScanInput(TextInput):
    class Scanned(Message):
        def __init__(self, scan_input: "ScanInput", code: str, duplicate: bool):
            super().__init__()
            self.input = scan_input
            self.code = code
            self.duplicate = duplicate

        @property
        def control(self) -> "ScanInput":
            return self.input

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False  # a blinking cursor would wake the CPU twice a second
        self._last_code = ""
        self._last_at = 0.0

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        """The field's size never depends on what is typed in it: a key repaints the
        field and nothing else (Textual's Input asks for the whole screen to be laid
        out again at every character — a scanner types thirteen of them)."""
        return super().refresh(*regions, repaint=repaint, layout=False, recompose=recompose)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self._scan()
            return
        await super()._on_key(event)

    def _scan(self) -> None:
        code = self.value.strip()
        if code:
            now = time.monotonic()
            duplicate = code == self._last_code and now - self._last_at < DUPLICATE_WINDOW
            self._last_code, self._last_at = code, now
            # Posted before the field empties, so the screen sees the scan before the
            # change to an empty field (which, on the patron screen, clears the results).
            self.post_message(self.Scanned(self, code, duplicate))
        self.value = ""
