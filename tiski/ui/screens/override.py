"""A confirmable blocker: the reasons in words, the field for the override's reason
under them, in plain sight and with the focus. A reason and Enter lends by override
(the reason is recorded); Esc does not lend.

Whether a reason will do is the core's rule (words, never a scanned code), applied by
the facade when it lends: the dialog shows the same refusal the command line gives.
A scan that lands in the field while the question is open is not a reason: its code is
taken out and held, to be handled once the question is answered (see `Question`).
"""

from __future__ import annotations

from typing import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from ..widgets.timed_input import TimedInput
from .question import Question

class OverrideModal(Question):
    BINDINGS = [
        Binding("enter", "noop", "key.override"),
        Binding("escape", "skip", "key.skip"),
    ]

    def __init__(self, title: str, reasons: list[str], submit: Callable[[str], str | None]):
        """`submit(reason)` lends by override and returns a refusal to show, or None."""
        super().__init__()
        self.item_title = title
        self.reasons = reasons
        self.submit = submit

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box override-box"):
            yield Label(t("ui.override_title"), classes="form-title")
            yield Static(self.item_title, classes="form-note", markup=False)
            for reason in self.reasons:
                yield Static(f"• {reason}", classes="override-reason", markup=False)
            yield Label(t("ui.override_reason"), classes="override-label", markup=False)
            yield TimedInput(placeholder=t("ui.override_reason_hint"), id="override-reason", max_length=200)
            yield Static("", classes="form-error", id="override-error", markup=False)
            yield self.held_line()
            yield Static(t("ui.override_keys"), classes="form-hint", id="override-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#override-reason", Input).focus()

    def enter(self, event: events.Key) -> None:
        field = self.query_one("#override-reason", TimedInput)
        scan = field.take_scan(event.time)
        if scan:
            self.hold(scan)
            return
        reason = field.value.strip()
        if not reason:
            return  # nothing written yet: an Enter alone is no answer
        error = self.submit(reason)
        if error:
            self.query_one("#override-error", Static).update(error)
            return
        self.dismiss(reason)

    @staticmethod
    def action_noop() -> None:
        """Enter is read as a key (see `enter`); the binding names it in the footer."""

    def action_skip(self) -> None:
        self.dismiss(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#override-error", Static).update("")  # the refusal was for the text before
