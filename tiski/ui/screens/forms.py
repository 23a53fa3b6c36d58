"""Small keyboard forms in a modal: Enter moves to the next field, Enter on the last
(or Ctrl+S) saves, Esc cancels. The submit callback does the desk transaction and
returns an error to show, so a refused form stays open with what was typed.

Safe against the scanner, as the questions are (see `question`): a scan that lands in
a field of words or figures (a reason, an amount) is not what was asked — its Enter
never moves on or saves, its code is taken out of the field (which holds again what
it held before) and held, and the screen behind handles it once the form is closed.
So is a scan typed while a checkbox or a choice list has the focus. A field that asks
for a code (`Field.code`: a card, an item's barcode) takes the scan as its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..boundary import Guarded
from ..widgets.timed_input import TimedInput
from .base import translated
from .question import HoldsScans, Question


@dataclass
class Field:
    name: str
    label: str
    value: str = ""
    kind: str = "text"  # text | password | checkbox | select
    options: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    code: bool = False  # a card or a barcode: scanning it is how it is given


def field_input(name: str, value: str = "", placeholder: str = "", password: bool = False) -> Input:
    """One line per field, so a whole form fits 80×24."""
    return TimedInput(value, placeholder=placeholder, password=password, id=f"f-{name}", max_length=300, compact=True)


class FormModal(HoldsScans, Guarded, ModalScreen[dict | None]):
    BINDINGS = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+s", "submit", "key.save"),
    ]
    HELD_TEXT = "scan.held_form"

    def __init__(self, title: str, fields: list[Field], submit: Callable[[dict], str | None], note: str = ""):
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.submit_callback = submit
        self.note = note
        self.held = []
        self.typed = ""  # characters no field took (a checkbox or a choice list had the focus)
        self.last_key = 0.0

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        from textual.widgets import Checkbox, Select

        t = self.app.t
        with Vertical(classes="form-box"):
            yield Label(self.form_title, classes="form-title", markup=False)
            # The keys under the title: however long the form, and with a choice list
            # open over the fields below, they stay in sight.
            yield Static(t("ui.form_keys"), classes="form-hint form-hint-top", markup=False)
            if self.note:
                yield Static(self.note, classes="form-note", markup=False)
            # Above the fields, which scroll: a refusal is seen however long the form.
            yield Static("", classes="form-error", id="form-error", markup=False)
            yield self.held_line()
            with VerticalScroll(classes="form-fields"):
                for spec in self.fields:
                    if spec.kind == "checkbox":
                        yield Checkbox(Text(spec.label), value=spec.value == "1", id=f"f-{spec.name}", compact=True)
                        continue
                    with Horizontal(classes="form-row"):
                        yield Label(spec.label, classes="form-label", markup=False)
                        if spec.kind == "select":
                            # Choices may be data (a referral service's name): text, never markup.
                            options = [(Text(prompt) if isinstance(prompt, str) else prompt, value)
                                       for prompt, value in spec.options]
                            yield Select(options, prompt=t("ui.select_prompt"), value=spec.value or Select.NULL,
                                         allow_blank=not spec.value,
                                         id=f"f-{spec.name}", compact=True)
                        else:
                            yield field_input(spec.name, spec.value, spec.placeholder, spec.kind == "password")

    AUTO_FOCUS = "Input, Select, Checkbox"  # the first field

    def values(self) -> dict:
        from textual.widgets import Select

        out = {}
        for spec in self.fields:
            widget = self.query_one(f"#f-{spec.name}")
            if spec.kind == "checkbox":
                out[spec.name] = widget.value
            elif spec.kind == "select":
                out[spec.name] = None if widget.value in (Select.NULL, Select.BLANK) else widget.value
            else:
                out[spec.name] = widget.value
        return out

    async def _on_key(self, event: events.Key) -> None:
        """Keys no field took (and the Enter, which a field passes up): a scanner's
        Enter holds the code it ended; any other key does what it does."""
        if event.key == "enter":
            code = self.scanned(event)
            self.last_key = event.time
        else:
            code = ""
            self.note_key(event)
        if code:
            event.stop()
            event.prevent_default()
            self.hold(code)
        else:
            await super()._on_key(event)

    def scanned(self, enter: events.Key) -> str:
        """The code a scanner typed before this Enter, taken out of where it went, or ''
        (a person's Enter, or a scan into a field that asks for a code)."""
        code = self.scan_ended(enter)
        if code:
            return code
        field = self.focused
        if isinstance(field, TimedInput) and field.id not in self.code_fields:
            return field.take_scan(enter.time)
        return ""

    @property
    def code_fields(self) -> set[str]:
        return {f"f-{spec.name}" for spec in self.fields if spec.code}

    @on(Input.Changed)
    def clear_refusal(self) -> None:
        """A refusal is about what was typed: once that changes, it goes."""
        self.query_one("#form-error", Static).update("")

    @on(Input.Submitted)
    def next_or_submit(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        values = self.values()
        error = self.submit_callback(values)
        if error:
            self.query_one("#form-error", Static).update(error)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(Question):
    """A question that needs an answer: Enter yes, Esc no — a scanner's Enter is neither
    (see `Question`)."""

    BINDINGS = [Binding("enter", "answer(True)", "key.yes"), Binding("escape", "answer(False)", "key.no")]

    def __init__(self, title: str, text: str, keys: str | None = None):
        """`keys`: the hint under the text (default: Enter yes, Esc no)."""
        super().__init__()
        self.question_title = title
        self.text = text
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box confirm-box"):
            yield Label(self.question_title, classes="form-title", markup=False)
            yield Static(self.text, classes="form-note", markup=False)
            yield self.held_line()
            yield Static(self.keys or self.app.t("ui.confirm_keys"), classes="form-hint", markup=False)

    def answer_enter(self) -> None:
        self.dismiss(True)

    def action_answer(self, yes: bool) -> None:
        """Esc (and the palette): Enter itself is read as a key, see `Question`."""
        if not yes:
            self.dismiss(False)
