"""F1: every key of the desk and of the screen underneath, in the desk's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..boundary import Guarded
from .base import translated

# Keys handled by widgets rather than bindings, worth telling staff about.
EXTRA_KEYS = (("↑ ↓", "help.rows"), ("PgUp PgDn", "help.tabs"), ("Enter", "help.enter"), ("Ctrl+P", "help.palette"))


class HelpScreen(Guarded, ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "key.close"), Binding("f1", "close", "key.close", show=False)]

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        t = self.app.t
        stack = [screen for screen in self.app.screen_stack if screen is not self]
        underneath = stack[-1] if stack else None
        rows: list[tuple[str, str]] = []
        seen = set()
        for node in (self.app, underneath):
            if node is None:
                continue
            for binding in node.BINDINGS:
                if isinstance(binding, Binding) and binding.description and binding.key not in seen:
                    seen.add(binding.key)
                    rows.append((self.app.get_key_display(binding), t(binding.description)))
        rows += [(key, t(text)) for key, text in EXTRA_KEYS]
        with VerticalScroll(classes="form-box help-box"):
            yield Label(t("ui.help_title"), classes="form-title")
            width = max(len(key) for key, _ in rows)
            yield Static("\n".join(f"{key:<{width}}  {text}" for key, text in rows), id="help-keys", markup=False)
            yield Static(t("ui.help_close"), classes="form-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
