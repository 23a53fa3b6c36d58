"""Ctrl+T on the patron screen — the patron's circulation notes: the open ones listed
(Enter on one marks it done), a field to write a new one (Enter saves it). They are
shown at F2 and F3 whenever the card is read, until marked done."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.errors import Refused
from ...i18n import format_day, safe
from ..widgets.timed_input import TimedInput
from .question import Question


class NotesModal(Question):
    BINDINGS = [Binding("enter", "noop", "key.note_enter"), Binding("escape", "close", "key.close")]

    def __init__(self, card: str):
        super().__init__()
        self.card = card

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box notes-box"):
            yield Label(t("ui.notes_title"), classes="form-title")
            yield OptionList(id="notes-list")
            with Horizontal(classes="form-row"):
                yield Label(t("ui.note_new"), classes="form-label", markup=False)
                yield TimedInput(id="note-text", max_length=300, compact=True, placeholder=t("ui.note_hint"))
            yield Static("", classes="form-error", id="form-error", markup=False)
            yield self.held_line()
            yield Static(t("ui.notes_keys"), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#note-text", TimedInput).focus()

    def fill(self) -> None:
        listed = self.query_one("#notes-list", OptionList)
        listed.clear_options()
        for note in self.app.desk.patrons.view(self.card).notes:
            who = f"{format_day(note.added_at)} {note.added_by or ''}".strip()
            listed.add_option(Option(Text(f"{who}: {safe(note.text)}"), id=str(note.id)))
        listed.display = listed.option_count > 0
        if listed.option_count:
            listed.highlighted = 0

    def enter(self, event: events.Key) -> None:
        if self.typed:  # a scan while the list had the focus
            super().enter(event)
            return
        field = self.query_one("#note-text", TimedInput)
        if self.focused is field:
            scan = field.take_scan(event.time)
            if scan:
                self.hold(scan)
            elif field.value.strip() and self._act(lambda: self.app.desk.patrons.add_note(self.card, field.value)):
                field.value = ""
            return
        listed = self.query_one("#notes-list", OptionList)
        if self.focused is listed and listed.highlighted is not None and self.is_answer(event):
            note_id = int(listed.get_option_at_index(listed.highlighted).id)
            self._act(lambda: self.app.desk.patrons.note_done(self.card, note_id))

    def _act(self, call) -> bool:
        error = self.query_one("#form-error", Static)
        try:
            call()
        except Refused as refused:
            error.update(" ".join(self.app.t.refusal(r) for r in refused.refusals))
            return False
        error.update("")
        self.fill()
        return True

    @staticmethod
    def action_noop() -> None:
        """Enter is read as a key (see `enter`); the binding names it in the footer."""

    def action_close(self) -> None:
        self.dismiss(None)
