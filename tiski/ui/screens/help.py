"""F1: the keys of the screen it was opened on — its own bindings and the keys its
widgets take (`DeskScreen.HELP_KEYS`) — and then the keys of the whole desk, in the
desk's language.

A scan while help is open is not lost: its Enter closes help and the code goes to the
screen help was opened on (held as a question holds it, see `question.HoldsScans`).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..boundary import Guarded
from .base import translated
from .question import HoldsScans


class HelpScreen(HoldsScans, Guarded, ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "key.close"), Binding("f1", "close", "key.close", show=False)]

    def __init__(self, screen) -> None:
        """`screen`: the screen F1 was pressed on."""
        super().__init__()
        self.for_screen = screen
        self.held = []
        self.typed = ""  # what a scan has typed so far (nothing here takes text)
        self.last_key = 0.0

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def rows(self) -> list[tuple[str, str]]:
        """The screen's own keys, one a line."""
        t = self.app.t
        rows = [(self.app.get_key_display(b), t(b.description)) for b in self.for_screen.BINDINGS
                if isinstance(b, Binding) and b.description]
        return rows + [(key, t(text)) for key, text in getattr(self.for_screen, "HELP_KEYS", ())]

    def desk_keys(self) -> str:
        """The keys of the whole desk, on a line or two (they are the same everywhere)."""
        t = self.app.t
        keys = [f"{self.app.get_key_display(b)} {t(b.description)}" for b in self.app.BINDINGS
                if isinstance(b, Binding) and b.description]
        return " · ".join(keys + [f"Ctrl+P {t('help.palette')}"])

    def compose(self) -> ComposeResult:
        t = self.app.t
        rows = self.rows()
        width = max((len(key) for key, _ in rows), default=0)
        with VerticalScroll(classes="form-box help-box"):
            yield Label(t("ui.help_title"), classes="form-title")
            yield Static("\n".join(f"{key:<{width}}  {words}" for key, words in rows), id="help-keys", markup=False)
            yield Label(t("help.desk_keys"), classes="help-heading")
            yield Static(self.desk_keys(), id="help-desk-keys", markup=False)

    async def _on_key(self, event: events.Key) -> None:
        """A scan's characters (keys a scanner's pace apart) are collected; its Enter
        closes help and hands the code on."""
        if event.key != "enter":
            if event.is_printable and event.character:
                event.stop()
                event.prevent_default()
            self.note_key(event)
            return
        code = self.scan_ended(event)
        self.last_key = event.time
        if code:
            event.stop()
            event.prevent_default()
            self.hold(code)
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
