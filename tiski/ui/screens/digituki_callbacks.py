"""Ctrl+K on the queue — call-back requests: the one due first on top, overdue ones
marked; log each call attempt; close with the outcome. By phone only: the patron
keeps control of their own device."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from ...core.digituki import CALL_RESULTS, OUTCOMES, TOPICS
from ...core.errors import Refused
from ...i18n import format_day, safe
from .base import DeskScreen
from .forms import Field, FormModal


TOPIC_WIDTH = 16


class CallbacksScreen(DeskScreen):
    TITLE_KEY = "area.dt_callbacks"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("ctrl+a", "add", "key.dt_callback_add"),
        Binding("ctrl+l", "log", "key.dt_call_log"),
        Binding("ctrl+e", "close", "key.dt_call_close"),
    ]

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="dt-body"):
            yield Label(self.t("ui.dt_callbacks_heading"), classes="dt-heading")
            yield DataTable(id="callbacks", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#callbacks", DataTable)
        t = self.t
        for key, label in (("due", "ui.dt_col_due"), ("who", "ui.dt_col_who"), ("phone", "ui.phone"),
                           ("topic", "ui.dt_col_topic"), ("wish", "ui.dt_col_wish"), ("tries", "ui.dt_col_tries")):
            table.add_column(t(label), key=key, width=TOPIC_WIDTH if key == "topic" else None)
        self.fill()
        table.focus()

    def focus_scan(self) -> None:
        self.query_one("#callbacks", DataTable).focus()

    def fill(self) -> None:
        t = self.t
        table = self.query_one("#callbacks", DataTable)
        table.clear()
        self.rows = self.desk.bookings.callbacks()
        for c in self.rows:
            # Days without the year, a long topic giving way (…): every column in sight at 80 columns.
            due = f"{'! ' if c.overdue else ''}{c.due_by.day}.{c.due_by.month}. {c.due_by:%H:%M}"
            wish = (f"{c.wish_from.day}.{c.wish_from.month}. {c.wish_from:%H:%M}–{c.wish_to:%H:%M}"
                    if c.wish_from and c.wish_to else "")
            table.add_row(Text(due, style="bold red" if c.overdue else ""), Text(safe(c.name or "")),
                          Text(safe(c.phone or "")), Text(t(f"topic.{c.topic}"), overflow="ellipsis", no_wrap=True),
                          wish, str(c.attempts), key=str(c.id))

    def chosen(self):
        table = self.query_one("#callbacks", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.rows if str(c.id) == key), None)

    def _form(self, title: str, fields: list[Field], submit) -> None:
        redacted: list[str] = []

        def wrapped(values: dict) -> str | None:
            try:
                result = submit(values)
            except Refused as refused:
                return self.refusal_text(refused)
            if isinstance(result, tuple):
                redacted.extend(result[1])
            return None

        def closed(values) -> None:
            self.fill()
            self.focus_scan()
            if values is not None and redacted:
                kinds = ", ".join(self.t(f"redacted.{k}") for k in redacted)
                self.app.notify(self.t("ui.dt_redacted", kinds=kinds), severity="warning", timeout=8)

        self.app.push_screen(FormModal(title, fields, wrapped), closed)

    def action_add(self) -> None:
        t = self.t
        self._form(t("ui.dt_callback_title"), [
            Field("name", t("ui.dt_name")),
            Field("phone", t("ui.phone")),
            Field("topic", t("ui.dt_col_topic"), "e_services", "select", [(t(f"topic.{x}"), x) for x in TOPICS]),
            Field("wish_from", t("ui.dt_wish_from"), placeholder=t("date.moment_hint")),
            Field("wish_to", t("ui.dt_wish_to"), placeholder=t("date.moment_hint")),
        ], lambda v: self.desk.bookings.add_callback(v["name"], v["phone"], v["topic"], wish_from=v["wish_from"] or None,
                                            wish_to=v["wish_to"] or None))

    def action_log(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        t = self.t
        self._form(t("ui.dt_call_log_title", name=chosen.name or ""), [
            Field("result", t("ui.dt_call_result"), "answered", "select",
                  [(t(f"call.{x}"), x) for x in CALL_RESULTS]),
            Field("note", t("ui.dt_note"), placeholder=t("ui.dt_note_hint")),
        ], lambda v: self.desk.bookings.log_call(chosen.id, v["result"], v["note"] or None))

    def action_close(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        t = self.t
        services = self.desk.digituki.referral_services()
        self._form(t("ui.dt_call_close_title", name=chosen.name or ""), [
            Field("outcome", t("ui.dt_outcome"), "solved", "select", [(t(f"outcome.{x}"), x) for x in OUTCOMES]),
            Field("referral", t("ui.dt_referral"), "", "select", [(s.name, s.name) for s in services]),
        ], lambda v: self.desk.bookings.close_callback(chosen.id, v["outcome"], v["referral"]))

    def action_back(self) -> None:
        self.dismiss()
