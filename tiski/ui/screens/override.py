"""A confirmable blocker: the reasons in words; Enter to override (then a short reason,
which is recorded), Esc to skip the item.

Guarded against the scanner: an Enter in the first moments after the modal opened is
the tail of a scan, not a decision, and a reason must be words — a scanned code
typed into the reason field is refused."""

from __future__ import annotations

import re
import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..boundary import Guarded
from ..widgets.text_input import TextInput
from .base import translated
from .forms import SCAN_TAIL


def is_a_reason(text: str) -> bool:
    """At least three characters and a letter: not a barcode."""
    text = text.strip()
    return len(text) >= 3 and re.search(r"[^\W\d_]", text) is not None


class OverrideModal(Guarded, ModalScreen[str | None]):
    BINDINGS = [
        Binding("enter", "override", "key.override"),
        Binding("escape", "skip", "key.skip"),
    ]

    def __init__(self, title: str, reasons: list[str]):
        super().__init__()
        self.item_title = title
        self.reasons = reasons
        self.opened = time.monotonic()
        self.asking = False

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box override-box"):
            yield Label(t("ui.override_title"), classes="form-title")
            yield Static(self.item_title, classes="form-note", markup=False)
            for reason in self.reasons:
                yield Static(f"• {reason}", classes="override-reason", markup=False)
            yield Static(t("ui.override_keys"), classes="form-hint", id="override-hint", markup=False)
            reason = TextInput(placeholder=t("ui.override_reason"), id="override-reason", max_length=200)
            reason.cursor_blink = False
            reason.display = False
            yield reason
            yield Static("", classes="form-error", id="override-error", markup=False)

    def action_override(self) -> None:
        if self.asking or time.monotonic() - self.opened < SCAN_TAIL:
            return
        self.asking = True
        self.query_one("#override-hint", Static).update(self.app.t("ui.override_reason_keys"))
        field = self.query_one("#override-reason", Input)
        field.display = True
        field.focus()

    @on(Input.Submitted, "#override-reason")
    def reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        if not is_a_reason(event.value):
            self.query_one("#override-error", Static).update(self.app.t("ui.override_reason_words"))
            event.input.value = ""
            return
        self.dismiss(event.value.strip())

    def action_skip(self) -> None:
        self.dismiss(None)
