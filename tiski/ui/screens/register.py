"""Ctrl+N — register a new patron by the rules: the HETU checked as it is typed, the
guardian's consent asked for under-15s, a responsible person for an organisation."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from ...core.errors import Refused
from ...core.patrons import birth_date_from_hetu, validate_hetu
from ...core.text import parse_day
from ...desk.patrons import NewPatron
from ...i18n import format_day
from ..boundary import Guarded
from ..widgets.text_input import TextInput
from .base import translated

PERSON_ONLY = ("hetu", "birth_date")
CHILD_ONLY = ("guardian", "consent_date")
ORGANISATION_ONLY = ("responsible",)
TEXT_FIELDS = ("card", "first", "last", "hetu", "birth_date", "responsible", "guardian", "consent_date",
               "phone", "email", "address", "pin")
# Which fields a refusal is about: editing one of them clears the refusal from the form.
REFUSAL_FIELDS = {"INVALID_HETU": ("hetu",), "DUPLICATE_PATRON": ("hetu",), "DUPLICATE_CARD": ("card",),
                  "CONSENT_MISSING": ("guardian", "consent_date", "responsible", "birth_date", "hetu", "organisation")}


def fields_of(refused: Refused) -> set[str] | None:
    """The fields the refusal names; None when it names none (any change clears it)."""
    found: set[str] = set()
    for refusal in refused.refusals:
        params = refusal.params
        named = params.get("field") or params.get("what")
        if refusal.code in REFUSAL_FIELDS:
            found.update(REFUSAL_FIELDS[refusal.code])
        elif refusal.code == "INVALID_INPUT" and named in TEXT_FIELDS:
            found.add(named)
        elif refusal.code == "INVALID_INPUT" and named == "card_like_hetu":
            found.add("card")
        else:
            return None
    return found


class RegisterScreen(Guarded, ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "key.cancel"), Binding("ctrl+s", "save", "key.save")]

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box register-box"):
            yield Label(t("ui.register_title"), classes="form-title")
            yield Static(t("ui.form_keys"), classes="form-hint form-hint-top", markup=False)
            # Outside the scrolling fields, so a refusal is seen whichever field has focus.
            yield Static("", classes="form-error", id="form-error", markup=False)
            with VerticalScroll(id="register-fields"):
                yield from self.fields()

    def fields(self) -> ComposeResult:
        t = self.app.t
        yield Checkbox(t("ui.organisation"), id="r-organisation", compact=True)
        for name in TEXT_FIELDS:
            with Horizontal(classes="form-row", id=f"row-{name}"):
                yield Label(t(f"ui.reg_{name}"), classes="form-label")
                field = TextInput(id=f"r-{name}", password=name == "pin", max_length=300, compact=True,
                              placeholder=t(f"ui.reg_{name}_hint") if t.has(f"ui.reg_{name}_hint") else "")
                field.cursor_blink = False
                yield field
            if name == "hetu":
                yield Static("", id="hetu-status", markup=False)
        yield Checkbox(t("ui.verify_id"), id="r-verify_id", compact=True)

    def on_mount(self) -> None:
        self.refused_fields: set[str] | None = set()  # what the refusal on show is about
        self.update_form()
        self.query_one("#r-card", Input).focus()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def clear_fixed_refusal(self, event) -> None:
        """A refusal stays only until the field it is about is changed."""
        name = (event.control.id or "").removeprefix("r-")
        if self.refused_fields is None or name in self.refused_fields:
            self.query_one("#form-error", Static).update("")
            self.refused_fields = set()

    def value(self, name: str) -> str:
        return self.query_one(f"#r-{name}", Input).value.strip()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def update_form(self) -> None:
        """Show what the rules need for who is being registered, and the HETU's verdict."""
        t = self.app.t
        organisation = self.query_one("#r-organisation", Checkbox).value
        status = self.query_one("#hetu-status", Static)
        born = None
        hetu = self.value("hetu")
        if hetu and not organisation:
            try:
                born = birth_date_from_hetu(validate_hetu(hetu))
                status.update(t("ui.hetu_ok", day=format_day(born)))
                status.set_classes("hetu-ok")
            except ValueError:
                status.update(t("ui.hetu_bad") if len(hetu) >= 11 else t("ui.hetu_typing"))
                status.set_classes("hetu-bad" if len(hetu) >= 11 else "")
        else:
            status.update("")
            try:
                born = parse_day(self.value("birth_date"), "birth_date", self.app.desk.today())
            except Refused:
                born = None
        child = born is not None and self.app.desk.patrons.needs_consent(born)
        for name in PERSON_ONLY:
            self.query_one(f"#row-{name}").display = not organisation
        for name in CHILD_ONLY:
            self.query_one(f"#row-{name}").display = child and not organisation
        for name in ORGANISATION_ONLY:
            self.query_one(f"#row-{name}").display = organisation
        self.query_one("#hetu-status").display = not organisation and bool(hetu)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        visible = [w for w in self.query(Input) if w.parent.display]
        if event.input is visible[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        organisation = self.query_one("#r-organisation", Checkbox).value
        error = self.query_one("#form-error", Static)
        today = self.app.desk.today()
        try:
            new = NewPatron(
                card=self.value("card"),
                first=self.value("first"),
                last=self.value("last"),
                hetu=None if organisation else self.value("hetu") or None,
                birth_date=None if organisation else parse_day(self.value("birth_date"), "birth_date", today),
                guardian=self.value("guardian") or None,
                consent_date=parse_day(self.value("consent_date"), "consent_date", today),
                organisation=organisation,
                responsible=self.value("responsible") or None,
                email=self.value("email") or None,
                phone=self.value("phone") or None,
                address=self.value("address") or None,
                verify_id=self.query_one("#r-verify_id", Checkbox).value,
                pin=self.value("pin") or None,
            )
            view = self.app.desk.patrons.add(new)
        except Refused as refused:
            error.update(" ".join(self.app.t.refusal(r) for r in refused.refusals))
            self.refused_fields = fields_of(refused)
            return
        self.app.notify(self.app.t("cli.patron_added", name=view.name, card=view.card), timeout=5)
        self.dismiss(view.card)

    def action_cancel(self) -> None:
        self.dismiss(None)
