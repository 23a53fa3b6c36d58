"""A text field in a question or a form that remembers when each character was typed,
so the tail a scanner typed into it (a code, each key and the Enter a few milliseconds
apart) can be told from what a person wrote there — and taken out again, leaving what
the field held before the scan (a proposed amount the scan's first key replaced, say)."""

from __future__ import annotations

from textual import events

from .text_input import TextInput

SCANNER_GAP = 0.03  # seconds between a scanner's keys (a person is slower)
SHORTEST_CODE = 3


class TimedInput(TextInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
        self.typed_at: list[float] = []
        self.before: list[str] = []  # the value before each of those characters

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            self.typed_at.append(event.time)
            self.before.append(self.value)
        elif event.key in ("backspace", "delete", "ctrl+u", "ctrl+w", "ctrl+k"):
            self.typed_at.clear()  # edited by hand: what is there now is a person's
            self.before.clear()
        await super()._on_key(event)

    def scanned_tail(self, enter_at: float) -> str:
        """The end of the value a scanner typed (its keys and the Enter each within
        SCANNER_GAP of the one before), or ''."""
        times = self.typed_at[-len(self.value):] if self.value else []
        count, after = 0, enter_at
        for moment in reversed(times):
            if after - moment > SCANNER_GAP:
                break
            count, after = count + 1, moment
        tail = self.value[len(self.value) - count:] if count else ""
        return tail if len(tail.strip()) >= SHORTEST_CODE else ""

    def take_scan(self, enter_at: float) -> str:
        """Take the scanned tail out of the field: the field holds again what it held
        before the scan's first key (what a person wrote, or the value it was given);
        the code, or ''."""
        scan = self.scanned_tail(enter_at)
        if scan:
            keys = len(scan)
            before = self.before[-keys] if len(self.before) >= keys else self.value[: len(self.value) - keys]
            del self.typed_at[-keys:], self.before[-keys:]
            self.value = before
        return scan.strip()
