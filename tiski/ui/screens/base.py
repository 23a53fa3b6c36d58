"""What every desk screen shares: the header and footer, key descriptions in the
desk's language, and the scan field that has focus whenever the screen is shown."""

from __future__ import annotations

import dataclasses

from textual import events
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

from ...core.errors import Refused
from ..boundary import Guarded
from ..widgets.desk_header import DeskHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scan_input import ScanInput

# The area keys (F2…) share one label in the footer, so 80 columns leave room for the
# screen's own keys; F1 lists them one by one.
AREAS = Binding.Group("key.areas", compact=True)


def translated(bindings: dict[str, ActiveBinding], t) -> dict[str, ActiveBinding]:
    """Key descriptions are message keys ('key.renew'); show them in the desk's language."""
    out = {}
    for key, active in bindings.items():
        binding = active.binding
        if binding.description and binding.description.startswith("key."):
            binding = dataclasses.replace(binding, description=t(binding.description))
        if binding.group is not None and binding.group.description.startswith("key."):
            binding = dataclasses.replace(binding, group=Binding.Group(t(binding.group.description), compact=True))
        out[key] = active._replace(binding=binding)
    return out


class DeskScreen(Guarded, Screen):
    TITLE_KEY = ""
    HELP_KEYS: tuple[tuple[str, str], ...] = ()  # keys the screen's widgets take, for F1: (key, message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lang = None
        self._resume_posted = False
        # A new area is styled as it mounts, with the stylesheet as it is then. Textual
        # marks a new screen's styles as never refreshed (-1) and so parses the whole
        # stylesheet again when it is first shown — and, since that refresh passes over
        # a screen not yet mounted, at every later switch to it too (~100 ms each).
        self._css_update_count = self.app._css_update_count

    @property
    def t(self):
        return self.app.t

    @property
    def desk(self):
        return self.app.desk

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings, self.app.t)

    def header(self) -> DeskHeader:
        return DeskHeader(id="header")

    def footer(self) -> KeyBar:
        return KeyBar(id="keys")

    def on_mount(self) -> None:
        self._lang = self.app.t.lang

    def post_message(self, message) -> bool:
        """Textual posts a screen ScreenResume twice when its mode is first shown
        (`_init_mode` and `switch_mode` each post one): the area would read and fill
        everything twice. A second one before the first is handled is dropped."""
        if isinstance(message, events.ScreenResume):
            if self._resume_posted:
                return True
            self._resume_posted = True
        return super().post_message(message)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.ScreenResume):
            self._resume_posted = False  # being handled: the next one is a showing of its own
        await super().on_event(event)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Switching back to an area: its styles are as they were left unless the
        stylesheet changed meanwhile (a theme), so Textual need not apply every rule to
        every widget again (most of the cost of a switch), as it already skips doing
        when an opaque dialog closes. Runs before Textual's own handler."""
        if self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False

    async def on_screen_resume(self) -> None:
        if self._lang is not None and self._lang != self.app.t.lang:
            self._lang = self.app.t.lang
            await self.recompose()
            self.after_language_change()
        self.focus_scan()

    def after_language_change(self) -> None:
        """Screens refill what compose() does not (tables, the current patron)."""

    def focus_scan(self) -> None:
        for scan in self.query(ScanInput):
            scan.focus()
            return

    def refusal_text(self, refused: Refused) -> str:
        return " ".join(self.t.refusal(r) for r in refused.refusals)
