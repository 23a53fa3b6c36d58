"""F1: the keys of the screen it was opened on — its own bindings and the keys its
widgets take (`DeskScreen.HELP_KEYS`) — and then the keys of the whole desk, in the
desk's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..boundary import Guarded
from .base import translated


class HelpScreen(Guarded, ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "key.close"), Binding("f1", "close", "key.close", show=False)]

    def __init__(self, screen) -> None:
        """`screen`: the screen F1 was pressed on."""
        super().__init__()
        self.for_screen = screen

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def rows(self) -> list[tuple[str, str]]:
        t = self.app.t
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for node in (self.for_screen, self.app):
            if node is self.app:
                rows.append(("", t("help.desk_keys")))
            for binding in node.BINDINGS:
                if isinstance(binding, Binding) and binding.description and binding.key not in seen:
                    seen.add(binding.key)
                    rows.append((self.app.get_key_display(binding), t(binding.description)))
            if node is self.for_screen:
                rows += [(key, t(text)) for key, text in getattr(node, "HELP_KEYS", ())]
        rows.append(("Ctrl+P", t("help.palette")))
        return rows

    def compose(self) -> ComposeResult:
        t = self.app.t
        rows = self.rows()
        width = max(len(key) for key, _ in rows)
        text = "\n".join(f"{key:<{width}}  {words}" if key else f"\n{words}" for key, words in rows)
        with VerticalScroll(classes="form-box help-box"):
            yield Label(t("ui.help_title"), classes="form-title")
            yield Static(text, id="help-keys", markup=False)
            yield Static(t("ui.help_close"), classes="form-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
