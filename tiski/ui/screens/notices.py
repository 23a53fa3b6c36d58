"""F11 — notices: what failed (and why), the calls to make, what waits, what went today.
Ctrl+R sends the chosen one again, Ctrl+K by another channel, Ctrl+E marks a call made
(the patron was told: a hold's pickup week starts now), Ctrl+U sends what is due now."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...core.errors import Refused
from ...core.notices import ROUTES
from ...i18n import format_day, safe
from .base import DeskScreen
from .forms import ConfirmModal, Field, FormModal

STYLE = {"failed": "bold red", "call": "bold yellow", "pending": "", "sent": "dim", "cancelled": "dim"}


class NoticesScreen(DeskScreen):
    TITLE_KEY = "area.notices"
    BINDINGS = [
        Binding("ctrl+r", "resend", "key.nt_resend"),
        Binding("ctrl+k", "switch", "key.nt_switch"),
        Binding("ctrl+e", "called", "key.nt_called"),
        Binding("ctrl+u", "send_now", "key.nt_send"),
    ]

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="nt-body"):
            yield Static("", id="nt-summary", markup=False)
            yield DataTable(id="notices", cursor_type="row", zebra_stripes=True)
            yield Static("", id="nt-detail", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.rows = []
        self.setup()

    def after_language_change(self) -> None:
        self.setup()

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        self.fill()

    def setup(self) -> None:
        t = self.t
        table = self.query_one("#notices", DataTable)
        table.clear(columns=True)
        for key, label in (("state", "ui.nt_col_state"), ("kind", "ui.nt_col_kind"), ("channel", "ui.nt_col_channel"),
                           ("who", "ui.dt_col_who"), ("when", "ui.nt_col_when")):
            table.add_column(t(label), key=key)
        self.fill()

    def focus_scan(self) -> None:
        self.query_one("#notices", DataTable).focus()

    def fill(self) -> None:
        t = self.t
        table = self.query_one("#notices", DataTable)
        chosen = self.chosen()
        table.clear()
        self.rows = self.desk.notices.work_list()
        for n in self.rows:
            state = "call" if n.status == "pending" and n.channel == "call" else n.status
            table.add_row(Text(t(f"notices.state.{state}"), style=STYLE[state]), self.kind_text(n),
                          t(f"notices.channel.{n.channel}"), Text(safe(n.name)[:22]), self.when(n),
                          key=str(n.id))
        if chosen is not None and any(n.id == chosen.id for n in self.rows):
            table.move_cursor(row=table.get_row_index(str(chosen.id)))
        counts = {state: 0 for state in ("failed", "call", "pending", "sent")}
        for n in self.rows:
            counts["call" if n.status == "pending" and n.channel == "call" else n.status] += 1
        self.query_one("#nt-summary", Static).update(t("ui.nt_summary", **counts))
        self.show_detail()

    def kind_text(self, notice) -> str:
        return self.t(f"notices.kind.{notice.kind}", level=notice.level)

    def when(self, notice) -> str:
        if notice.status == "sent" and notice.sent_at:
            return f"{notice.sent_at:%H:%M}"
        if notice.status == "pending" and notice.next_try_at:
            return self.t("ui.nt_retry_at", time=f"{notice.next_try_at:%H:%M}", tries=notice.tries)
        return format_day(notice.created_at)

    def chosen(self):
        table = self.query_one("#notices", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((n for n in self.rows if str(n.id) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        t, notice = self.t, self.chosen()
        detail = self.query_one("#nt-detail", Static)
        if notice is None:
            detail.update(t("ui.nt_empty"))
            return
        lines = [f"{notice.name} · {notice.card or '-'}"]
        if notice.last_error:
            lines.append(t("ui.nt_reason", reason=self.reason(notice.last_error)))
        if notice.channel == "call" or notice.status == "failed":
            lines.append(t("ui.nt_phone", phone=notice.phone or t("ui.nt_no_phone")))
        lines.append(notice.subject)
        lines.append(" ".join(line.strip() for line in notice.body.splitlines() if line.strip()))
        detail.update("\n".join(safe(line) for line in lines))

    def reason(self, error: str) -> str:
        key = f"notices.error.{error}"
        return self.t(key) if self.t.has(key) else error

    # --- actions ---------------------------------------------------------------------

    def _do(self, call, message_key: str) -> None:
        notice = self.chosen()
        if notice is None:
            return
        try:
            done = call(notice)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
        else:
            self.app.notify(self.t(message_key, kind=self.kind_text(done), channel=self.t(
                f"notices.channel.{done.channel}")), timeout=4)
        self.fill()

    def action_resend(self) -> None:
        self._do(lambda n: self.desk.notices.resend(n.id), "ui.nt_resent")

    def action_switch(self) -> None:
        notice = self.chosen()
        if notice is None:
            return
        t = self.t
        options = [(t(f"notices.channel.{channel}"), channel) for channel in ROUTES[notice.kind]]

        def submit(values: dict) -> str | None:
            try:
                self.desk.notices.switch_channel(notice.id, values["channel"])
            except Refused as refused:
                return self.refusal_text(refused)
            return None

        def closed(values) -> None:
            self.fill()
            self.focus_scan()
            if values is not None:
                self.app.notify(t("ui.nt_resent", kind=self.kind_text(notice),
                                  channel=t(f"notices.channel.{values['channel']}")), timeout=4)

        self.app.push_screen(FormModal(t("ui.nt_switch_title", kind=self.kind_text(notice)),
                                       [Field("channel", t("ui.nt_col_channel"), notice.channel, "select", options)],
                                       submit), closed)

    def action_called(self) -> None:
        notice = self.chosen()
        if notice is None or notice.status not in ("pending", "failed"):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(lambda n: self.desk.notices.mark_called(n.id), "ui.nt_called")
            self.focus_scan()

        self.app.push_screen(ConfirmModal(self.t("ui.nt_called_title"),
                                          self.t("ui.nt_called_text", who=safe(notice.name))), answered)

    def action_send_now(self) -> None:
        self.app.notify(self.t("ui.nt_sending"), timeout=3)
        self.send_now(self.desk.companion())

    @work(thread=True, exclusive=True, group="notices")
    def send_now(self, companion) -> None:
        """The run's sends take seconds (a mail server): off the desk's loop, on a
        connection of its own (opened there, made here on the desk's thread)."""
        with companion as desk:
            run = desk.notices.run(settings=self.app.settings)
        self.app.call_from_thread(self.sent, run)

    def sent(self, run) -> None:
        t = self.t
        key = "ui.nt_busy" if run.busy else "ui.nt_run"
        self.app.notify(t(key, sent=len(run.sent), failed=len(run.failed)),
                        severity="warning" if run.failed else "information", timeout=6)
        self.fill()

    def palette_commands(self):
        from textual.app import SystemCommand

        t = self.t
        for action in ("resend", "switch", "called", "send"):
            yield SystemCommand(t(f"key.nt_{action}"), t(f"palette.nt_{action}"),
                                lambda a=("send_now" if action == "send" else action): self.run_action(a))
