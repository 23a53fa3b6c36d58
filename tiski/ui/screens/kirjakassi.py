"""F6 — the book bag: this week's deliveries and the clients. Enter opens a client's
bag for picking and packing; Ctrl+I the interview of their wishes."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from ...core.calendar import WEEKDAYS
from ...core.errors import Refused
from ...core.kirjakassi import ELIGIBILITY
from ...i18n import format_day, safe
from .base import DeskScreen
from .forms import Field, FormModal

STATUS_STYLE = {"planned": "", "packing": "bold yellow", "packed": "bold", "sent": "dim", "returned": "dim"}


class KirjakassiScreen(DeskScreen):
    TITLE_KEY = "area.kirjakassi"
    HELP_KEYS = (("↑ ↓", "help.table_rows"), ("Tab", "help.tables"))
    BINDINGS = [
        Binding("enter", "open", "key.kk_open"),
        Binding("ctrl+w", "interview", "key.kk_interview"),  # not Ctrl+I: terminals send it as Tab
        Binding("ctrl+a", "enrol", "key.kk_enrol"),
        Binding("ctrl+l", "sent", "key.kk_sent"),
        Binding("ctrl+b", "returned", "key.kk_returned", show=False),
    ]

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="kk-body"):
            yield Label(t("ui.kk_deliveries"), classes="dt-heading")
            yield DataTable(id="deliveries", cursor_type="row", zebra_stripes=True)
            yield Label(t("ui.kk_clients"), classes="dt-heading")
            yield DataTable(id="clients", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.setup()

    def after_language_change(self) -> None:
        self.setup()

    def setup(self) -> None:
        t = self.t
        deliveries = self.query_one("#deliveries", DataTable)
        deliveries.clear(columns=True)
        for key, label in (("day", "ui.kk_col_day"), ("who", "ui.dt_col_who"), ("status", "ui.dt_col_status"),
                           ("items", "ui.kk_col_items")):
            deliveries.add_column(t(label), key=key)
        clients = self.query_one("#clients", DataTable)
        clients.clear(columns=True)
        for key, label in (("who", "ui.dt_col_who"), ("next", "ui.kk_col_next"), ("rhythm", "ui.kk_col_rhythm"),
                           ("bag", "ui.kk_col_bag"), ("contact", "ui.kk_col_contact")):
            clients.add_column(t(label), key=key)
        # filled when shown (on_screen_resume), also the first time and after a language change

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        self.fill()
        self.focus_scan()  # the deliveries when there are any, now that they are filled

    def focus_scan(self) -> None:
        self.query_one("#deliveries" if self.query_one("#deliveries", DataTable).row_count else "#clients",
                       DataTable).focus()

    def fill(self) -> None:
        t, desk = self.t, self.desk
        today = desk.today()
        week_end = today + timedelta(days=6 - today.weekday() + 7)  # this week and the next
        deliveries = self.query_one("#deliveries", DataTable)
        deliveries.clear()
        # this week's and the next; later ones only when their bag is already being packed
        # or on its way (one read of four months: the clients' plans are worked out once)
        self.delivery_rows = [d for d in desk.kirjakassi.deliveries(today - timedelta(days=today.weekday()),
                                                                    today + timedelta(days=120))
                              if d.due_on <= week_end or d.status in ("packing", "packed", "sent")]
        for d in self.delivery_rows:
            deliveries.add_row(f"{t(f'weekday.{d.due_on.weekday()}')} {format_day(d.due_on)}", Text(safe(d.name)),
                               Text(t(f"kk_status.{d.status}"), style=STATUS_STYLE[d.status]), str(d.items),
                               key=f"{d.card}|{d.due_on}")
        clients = self.query_one("#clients", DataTable)
        clients.clear()
        self.client_rows = desk.kirjakassi.clients()
        for c in self.client_rows:
            rhythm = t("ui.kk_rhythm", weeks=c.rhythm_weeks, weekday=t(f"weekday.{c.weekday}"))
            clients.add_row(Text(safe(c.name)), format_day(c.next_delivery) if c.next_delivery else "-", rhythm,
                            str(c.bag_size), Text(safe(c.contact_name)), key=c.card)

    def chosen_card(self) -> str | None:
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#deliveries", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key.split("|")[0]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        card = self.chosen_card()
        if card is None:
            return
        from .kirjakassi_pack import PackScreen

        self.app.push_screen(PackScreen(card))

    def action_interview(self) -> None:
        card = self.chosen_card()
        if card is None:
            return
        from .kirjakassi_interview import InterviewScreen

        self.app.push_screen(InterviewScreen(card))

    def _status(self, action: str) -> None:
        card = self.chosen_card()
        if card is None:
            return
        try:
            result = getattr(self.desk.kirjakassi, action)(card)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        delivery = result[0] if isinstance(result, tuple) else result
        self.app.notify(f"{delivery.name}: {self.t(f'kk_status.{delivery.status}')}", timeout=4)
        self.fill()

    def action_sent(self) -> None:
        self._status("bag_sent")

    def action_returned(self) -> None:
        self._status("bag_returned")

    def action_enrol(self) -> None:
        t = self.t
        enrolled: list[str] = []

        def submit(values: dict) -> str | None:
            try:
                client = self.desk.kirjakassi.enrol(
                    values["card"], eligibility=values["eligibility"], delivery_address=values["address"],
                    contact_name=values["contact"], contact_phone=values["contact_phone"] or None,
                    contact_relation=values["relation"] or None, rhythm_weeks=int(values["every"] or 0),
                    weekday=values["weekday"], bag_size=int(values["bag"] or 0), starts_on=values["start"] or None,
                    history_consent=values["consent"])
            except Refused as refused:
                return self.refusal_text(refused)
            except ValueError:
                return t("input.rhythm")
            enrolled.append(client.name)
            return None

        def closed(values) -> None:
            self.fill()
            self.focus_scan()
            if enrolled:
                self.app.notify(t("ui.kk_enrolled", name=enrolled[0]), timeout=4)

        self.app.push_screen(FormModal(t("ui.kk_enrol_title"), [
            Field("card", t("ui.kk_card"), self.app.patron_card or "", code=True),
            Field("eligibility", t("ui.kk_eligibility"), "age", "select",
                  [(t(f"eligibility.{e}"), e) for e in ELIGIBILITY]),
            Field("address", t("ui.kk_address")),
            Field("contact", t("ui.kk_contact")),
            Field("contact_phone", t("ui.phone")),
            Field("relation", t("ui.kk_relation")),
            Field("every", t("ui.kk_every"), "4"),
            Field("weekday", t("ui.kk_weekday"), "tue", "select",
                  [(t(f"weekday.{i}"), name) for i, name in enumerate(WEEKDAYS)]),
            Field("bag", t("ui.kk_bag"), "8"),
            Field("start", t("ui.kk_start"), placeholder=t("date.hint")),
            Field("consent", t("ui.kk_consent"), "", "checkbox"),
        ], submit, note=t("ui.kk_enrol_note")), closed)

    def palette_commands(self):
        from textual.app import SystemCommand

        t = self.t
        for action in ("open", "interview", "enrol", "sent", "returned"):
            yield SystemCommand(t(f"key.kk_{action}"), t(f"palette.kk_{action}"), lambda a=action: self.run_action(a))
