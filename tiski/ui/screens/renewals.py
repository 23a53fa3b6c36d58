"""Renew all: what became of each loan — renewed to a new due date, no change (the
due date would not move), or not renewed and why. Enter or Esc closes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from ...i18n import safe
from .question import Question

STYLE = {"✓": "bold", "·": "", "✗": "bold red"}


class RenewalsModal(Question):
    BINDINGS = [Binding("enter", "close", "key.close"), Binding("escape", "close", "key.close", show=False)]

    def __init__(self, summary: str, lines: list[tuple[str, str]]):
        super().__init__()
        self.summary = summary
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box renewals-box"):
            yield Label(self.app.t("ui.renewals_title"), classes="form-title")
            yield Static(self.summary, classes="form-note", markup=False)
            with VerticalScroll(classes="form-fields"):
                for mark, text in self.lines:
                    yield Static(Text(f"{mark} {safe(text)}", style=STYLE[mark]), markup=False)
            yield self.held_line()
            yield Static(self.app.t("ui.close_keys"), classes="form-hint", markup=False)

    def answer_enter(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
