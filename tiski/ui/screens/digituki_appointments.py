"""Ctrl+O on the queue — booked appointments ("lainaa kirjastolainen"): the coming
week's bookings; book a free time, cancel, mark a no-show, or start when they arrive."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from ...core.digituki import TOPICS
from ...core.errors import Refused
from ...i18n import format_day, safe
from .base import DeskScreen
from .forms import Field, FormModal

TOPIC_WIDTH = 20
DAYS_SHOWN = 7


class AppointmentsScreen(DeskScreen):
    TITLE_KEY = "area.dt_appointments"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("ctrl+a", "book", "key.dt_book"),
        Binding("enter", "arrived", "key.dt_arrived"),
        Binding("ctrl+x", "cancel", "key.dt_cancel"),
        Binding("ctrl+w", "no_show", "key.dt_no_show"),
    ]

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="dt-body"):
            yield Label(self.t("ui.dt_appointments_week"), classes="dt-heading")
            yield DataTable(id="appointments", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#appointments", DataTable)
        t = self.t
        for key, label in (("when", "ui.dt_col_when"), ("who", "ui.dt_col_who"), ("topic", "ui.dt_col_topic"),
                           ("helper", "ui.dt_col_helper"), ("status", "ui.dt_col_status")):
            # A long topic gives way (…): every column in sight at 80 columns.
            table.add_column(t(label), key=key, width=TOPIC_WIDTH if key == "topic" else None)
        self.fill()
        table.focus()

    def focus_scan(self) -> None:
        self.query_one("#appointments", DataTable).focus()

    def fill(self) -> None:
        t, desk = self.t, self.desk
        table = self.query_one("#appointments", DataTable)
        table.clear()
        self.rows = []
        for offset in range(DAYS_SHOWN):
            day = desk.today() + timedelta(days=offset)
            for a in desk.bookings.appointments_on(day):
                self.rows.append(a)
                style = "dim" if a.status in ("cancelled", "no_show") else ""
                table.add_row(Text(f"{t(f'weekday.{day.weekday()}')} {format_day(a.starts_at)} {a.starts_at:%H:%M}",
                                   style=style),
                              Text(safe(a.name or ""), style=style),
                              Text(t(f"topic.{a.topic}"), overflow="ellipsis", no_wrap=True), Text(safe(a.helper or "-")),
                              t(f"appointment.{a.status}"), key=str(a.id))

    def chosen(self):
        table = self.query_one("#appointments", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self.rows if str(a.id) == key), None)

    def _do(self, call, done_key: str) -> None:
        appointment = self.chosen()
        if appointment is None:
            return
        try:
            call(appointment.id)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        self.app.notify(self.t(done_key), timeout=4)
        self.fill()

    def action_cancel(self) -> None:
        self._do(self.desk.bookings.cancel_appointment, "ui.dt_cancelled")

    def action_no_show(self) -> None:
        self._do(self.desk.bookings.no_show, "ui.dt_no_show_marked")

    def action_arrived(self) -> None:
        appointment = self.chosen()
        if appointment is None:
            return
        try:
            visit = self.desk.bookings.appointment_arrived(appointment.id)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        self.dismiss()
        queue = self.app.screen
        if hasattr(queue, "remind"):
            queue.reload()
            queue.remind(visit.label)

    def action_book(self) -> None:
        t, desk = self.t, self.desk
        free = []
        for offset in range(DAYS_SHOWN * 2):
            free += desk.bookings.free_slots(desk.today() + timedelta(days=offset))
        if not free:
            self.app.notify(t("ui.dt_no_slots"), severity="warning")
            return
        options = [(f"{t(f'weekday.{s.weekday()}')} {format_day(s)} {s:%H:%M} ({m} min, {h or '-'})",
                    f"{s.isoformat()}|{h or ''}") for s, h, m in free]

        def submit(values: dict) -> str | None:
            if not values["slot"]:
                return t("input.required", field=t("ui.dt_slot"))
            starts, helper = values["slot"].split("|")
            try:
                desk.bookings.book(starts, values["name"], values["topic"], phone=values["phone"] or None,
                          helper=helper or None)
            except Refused as refused:
                return self.refusal_text(refused)
            return None

        def closed(values) -> None:
            self.fill()
            self.focus_scan()
            if values is not None:
                self.app.notify(t("ui.dt_booked"), timeout=4)

        self.app.push_screen(FormModal(t("ui.dt_book_title"), [
            Field("slot", t("ui.dt_slot"), options[0][1], "select", options),
            Field("name", t("ui.dt_name")),
            Field("phone", t("ui.phone")),
            Field("topic", t("ui.dt_col_topic"), "e_services", "select",
                  [(t(f"topic.{topic}"), topic) for topic in TOPICS]),
        ], submit), closed)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_arrived()

    def action_back(self) -> None:
        self.dismiss()
