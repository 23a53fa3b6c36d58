"""Keys reach the desk one at a time, each where the screen stands after the one before.

Textual hands a key to the widget that has the focus when the key is read, and the
widget handles it later, in its own turn. Keys typed faster than the desk answers — a
scanner's burst, "Aino⏎Testinen⏎" typed ahead, "user⇥password⏎" at the login, a scan
typed while the desk is still starting — would all go to the first field: the Enter
that should move to the next field, or open a question, comes too late for the keys
behind it. So the app holds every key in order and lets the next one go only when the
desk has settled: every message the last key caused (a field's change, the screen's
answer to a scan, a dialog opening, the focus moving) has been handled. (A character
following a character need not wait: typing one never moves the focus.)

Each key keeps the moment it was typed (`Key.time`): a question tells a scanner's Enter
from a person's by it, however long the key waited here.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from textual import events
from textual.app import ScreenStackError

# A key waits at most this long for the desk to settle; then it goes anyway (a handler
# waiting on something slow must not stop the keyboard).
LONGEST_WAIT = 0.5


class Typeahead:
    def __init__(self, app: Any):
        self.app = app
        self.keys: deque[events.Key] = deque()
        self._released: set[int] = set()
        self._feeder: asyncio.Task[None] | None = None

    @property
    def idle(self) -> bool:
        """No key waiting, none being let go."""
        return not self.keys and self._feeder is None

    def passes(self, event: events.Key) -> bool:
        """True for a key to handle now: one this typeahead let go, or one typed at a
        desk with nothing else to do. Any other key waits its turn."""
        if id(event) in self._released:
            self._released.discard(id(event))
            return True
        if self.idle and self._quiet():
            return True
        self.keys.append(event)
        if self._feeder is None:
            self._feeder = asyncio.get_running_loop().create_task(self._feed())
        return False

    def _quiet(self) -> bool:
        """Up, and no message waiting anywhere in the area (the app's own key aside)."""
        app = self.app
        if not getattr(app, "first_frame_shown", True) or not app.screen_stack:
            return False
        return all(pump._message_queue.empty() for pump in self._area())

    async def _feed(self) -> None:
        """The waiting keys, one by one; the screen is drawn once they are all handled
        (a scan's thirteen digits are one update of the screen, not thirteen)."""
        try:
            with self.app.batch_update():
                after_character = False
                while self.app.is_running:
                    # A character after a character goes where the one before went (it
                    # cannot move the focus); any other key waits for the desk to settle.
                    if not (after_character and self.keys and self.keys[0].is_printable):
                        await self._settle()
                    if not self.keys:  # settled with nothing more typed meanwhile: done
                        break
                    typed = self.keys.popleft()
                    after_character = typed.is_printable
                    key = events.Key(typed.key, typed.character)
                    key.time = typed.time  # when it was typed, not when it was let go
                    self._released.add(id(key))
                    self.app.post_message(key)
                    await asyncio.sleep(0)
            # The screen skipped its repaints while the batch lasted, and nothing else
            # would wake it: in a terminal the scan would stay off screen until the next key.
            self.app.screen.refresh()
        except ScreenStackError:  # the desk is closing
            pass
        finally:
            self._feeder = None

    async def _settle(self) -> None:
        """Until the desk is up and quiet: rounds of a barrier — a callback queued behind
        whatever each pump on the key's way (and each pump with messages waiting) has
        to do — until a round ends with every queue of the area empty."""
        deadline = time.monotonic() + LONGEST_WAIT
        while time.monotonic() < deadline and self.app.is_running:
            if not getattr(self.app, "first_frame_shown", True) or not self.app.screen_stack:
                await asyncio.sleep(0.005)  # starting: no screen to type into yet
                continue
            await self._barrier(deadline)
            if self._quiet():
                return

    def _area(self) -> list[Any]:
        """The app, every screen of the current area's stack and every widget on them."""
        pumps: list[Any] = [self.app]
        for screen in self.app.screen_stack:
            pumps.extend(screen.walk_children(with_self=True))
        return pumps

    async def _barrier(self, deadline: float) -> None:
        app = self.app
        way = [app, *app.screen_stack]
        focused = app.focused
        while focused is not None and focused not in way:
            way.append(focused)
            focused = focused.parent
        way += [pump for pump in self._area() if not pump._message_queue.empty() and pump not in way]
        waiting = 0
        passed = asyncio.Event()

        def one_through() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                passed.set()

        for pump in way:
            if pump.call_later(one_through):
                waiting += 1
        if waiting:
            try:
                await asyncio.wait_for(passed.wait(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                pass
