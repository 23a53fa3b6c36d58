"""F5 — the digi-support queue: who is being helped (a running timer each), who
waits (with an estimate), today's appointments; the drop-in hours with the time left.

One timer for the whole screen ticks once a second while the screen is shown and
stops when it is not. Each tick asks whether another desk has changed the register
(SQLite's data_version, without polling the tables), so their changes show within a
second. The timers' states — and the cap, which the facade records — are what the
facade says: the screen reads the queue again when a timer is due to change.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from ...core.digituki import DEVICES, LANGUAGES, OUTCOMES, TOPICS
from ...core.errors import Refused
from ...i18n import safe
from .base import DeskScreen
from .forms import ConfirmModal, Field, FormModal

TIMER_STYLE = {"free": "", "ok": "", "warning": "bold yellow", "over": "bold reverse red"}
TIMER_MARK = {"free": "", "ok": "", "warning": " ⚠", "over": " ⛔"}


def clock_text(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class DigitukiScreen(DeskScreen):
    TITLE_KEY = "area.digituki"
    HELP_KEYS = (("↑ ↓", "help.table_rows"), ("Tab", "help.tables"))
    BINDINGS = [
        Binding("ctrl+a", "add", "key.dt_add"),
        Binding("ctrl+n", "next", "key.dt_next"),
        Binding("ctrl+t", "pause", "key.dt_pause"),
        Binding("ctrl+e", "finish", "key.dt_finish"),
        Binding("ctrl+l", "left", "key.dt_left", show=False),
        Binding("ctrl+o", "appointments", "key.dt_appointments", show=False),
        Binding("ctrl+k", "callbacks", "key.dt_callbacks", show=False),
        Binding("ctrl+g", "stats", "key.dt_stats", show=False),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = None
        self.ticker = None
        self.data_version = None
        self.alerted: set[int] = set()  # visits whose cap alert has sounded

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="dt-body"):
            yield Static("", id="dt-status", markup=False)
            yield Label(t("ui.dt_serving"), classes="dt-heading")
            yield DataTable(id="serving", cursor_type="row", zebra_stripes=True)
            yield Label(t("ui.dt_waiting"), classes="dt-heading")
            yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
            yield Static("", id="dt-appointments", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.setup_tables()  # filled when shown (on_screen_resume), the first time too

    def after_language_change(self) -> None:
        self.setup_tables()
        self.reload()

    def setup_tables(self) -> None:
        t = self.t
        serving = self.query_one("#serving", DataTable)
        serving.clear(columns=True)
        serving.add_column(t("ui.dt_col_who"), key="who")
        serving.add_column(t("ui.dt_col_topic"), key="topic")
        serving.add_column(t("ui.dt_col_helper"), key="helper")
        serving.add_column(t("ui.dt_col_time"), key="time")
        waiting = self.query_one("#waiting", DataTable)
        waiting.clear(columns=True)
        for key, label in (("who", "ui.dt_col_who"), ("topic", "ui.dt_col_topic"), ("device", "ui.dt_col_device"),
                           ("estimate", "ui.dt_col_estimate")):
            waiting.add_column(t(label), key=key)

    # --- the one timer ---------------------------------------------------------------

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        self.desk.digituki.close_days()  # yesterday's names go, whatever the time
        self.reload()
        if self.ticker is None:
            self.ticker = self.set_interval(1.0, self.tick, name="digituki-timers")
        else:
            self.ticker.resume()
        self.query_one("#serving", DataTable).focus()

    def on_screen_suspend(self) -> None:
        if self.ticker is not None:
            self.ticker.pause()  # nothing runs while another area is on screen

    def focus_scan(self) -> None:
        self.query_one("#serving", DataTable).focus()

    def tick(self) -> None:
        """Once a second: other desks' changes, a timer reaching the warning or the cap, the clocks."""
        now = self.desk.now()
        due = self.view is not None and any(v.changes_at is not None and v.changes_at <= now
                                            for v in self.view.serving)
        if due or self.desk.digituki.queue_version() != self.data_version:
            self.reload()
        else:
            self.refresh_timers()

    def reload(self) -> None:
        self.data_version = self.desk.digituki.queue_version()
        self.view = self.desk.digituki.queue_view()
        self.fill()

    # --- showing ---------------------------------------------------------------------

    def fill(self) -> None:
        t, view = self.t, self.view
        serving = self.query_one("#serving", DataTable)
        keep = serving.cursor_row
        serving.clear()
        for v in view.serving:
            serving.add_row(Text(safe(v.label)), t(f"topic.{v.topic}"), Text(safe(v.helper or "-")), Text(""),
                            key=str(v.id))
        if serving.row_count:
            serving.move_cursor(row=min(keep, serving.row_count - 1))
        waiting = self.query_one("#waiting", DataTable)
        keep = waiting.cursor_row
        waiting.clear()
        for v in view.waiting:
            waiting.add_row(Text(safe(v.label)), t(f"topic.{v.topic}"), t(f"device.{v.device}"),
                            t("ui.dt_estimate", minutes=v.estimate), key=str(v.id))
        if waiting.row_count:
            waiting.move_cursor(row=min(keep, waiting.row_count - 1))
        lines = [f"⏰ {a.starts_at:%H:%M} {safe(a.name or '')} · {t(f'topic.{a.topic}')} · {a.helper or '-'}"
                 for a in view.appointments]
        appointments = self.query_one("#dt-appointments", Static)
        appointments.update(t("ui.dt_appointments_today") + "\n" + "\n".join(lines) if lines else "")
        appointments.display = bool(lines)
        self.refresh_timers()
        self.refresh_bindings()

    def refresh_timers(self) -> None:
        t, view, now = self.t, self.view, self.desk.now()
        if view is None:
            return
        serving = self.query_one("#serving", DataTable)
        for v in view.serving:
            if v.started_at is None:
                continue
            paused = v.status == "paused"
            # The time since the view was read is added here, so the tick needs no query.
            elapsed = v.elapsed + (0 if paused else int((now - view.now).total_seconds()))
            state = v.timer or "free"
            label = clock_text(elapsed) + (f" {t('ui.dt_paused')}" if paused else "") + TIMER_MARK[state]
            serving.update_cell(str(v.id), "time", Text(label, style=TIMER_STYLE[state]))
            if state == "over" and v.id not in self.alerted:
                self.alerted.add(v.id)
                self.app.bell()
                self.app.notify(t("ui.dt_cap_reached", label=v.label, minutes=view.cap_minutes),
                                severity="warning", timeout=8)
        status = []
        if view.hours_now is not None:
            status.append(t("ui.dt_open_now", ends=view.hours_now.ends.strftime("%H:%M"),
                            left=max(0, view.minutes_left - int((now - view.now).total_seconds() // 60))))
        elif view.next_hours is not None:
            day, hours = view.next_hours
            status.append(t("ui.dt_next_hours", weekday=t(f"weekday.{day.weekday()}"), day=f"{day.day}.{day.month}.",
                            starts=hours.starts.strftime("%H:%M"), ends=hours.ends.strftime("%H:%M")))
        else:
            status.append(t("ui.dt_desk_only"))
        status.append(t("ui.dt_helpers", helpers=view.helpers, average=round(view.average_minutes)))
        if view.cap_minutes is not None:
            status.append(t("ui.dt_cap_on", minutes=view.cap_minutes))
        self.query_one("#dt-status", Static).update(" · ".join(status))

    # --- acting ------------------------------------------------------------------------

    def selected(self, table_id: str):
        table = self.query_one(f"#{table_id}", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = self.view.serving if table_id == "serving" else self.view.waiting
        return next((v for v in rows if str(v.id) == key), None)

    def _choices(self, prefix: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(self.t(f"{prefix}.{v}"), v) for v in values]

    def _try(self, call) -> str | None:
        try:
            call()
        except Refused as refused:
            return self.refusal_text(refused)
        return None

    def _after_form(self, message: str | None = None):
        def closed(values) -> None:
            self.reload()
            self.focus_scan()
            if values is not None and message:
                self.app.notify(message, timeout=4)

        return closed

    def action_add(self) -> None:
        t = self.t

        def submit(values: dict) -> str | None:
            return self._try(lambda: self.desk.digituki.queue_add(values["name"] or None, values["topic"], values["device"],
                                                         values["language"], values["card"] or None))

        self.app.push_screen(FormModal(t("ui.dt_add_title"), [
            Field("name", t("ui.dt_name"), placeholder=t("ui.dt_name_hint")),
            Field("topic", t("ui.dt_col_topic"), "e_services", "select", self._choices("topic", TOPICS)),
            Field("device", t("ui.dt_col_device"), "own_phone", "select", self._choices("device", DEVICES)),
            Field("language", t("ui.dt_language"), "fi", "select", self._choices("lang", LANGUAGES)),
            Field("card", t("ui.dt_card"), placeholder=t("ui.dt_card_hint"), code=True),
        ], submit), self._after_form(t("ui.dt_added")))

    def action_next(self) -> None:
        try:
            visit = self.desk.digituki.call_next(self.desk.staff)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        self.reload()
        self.remind(visit.label)

    def remind(self, label: str) -> None:
        """The national guidelines, briefly, whenever a session starts (Enter or Esc)."""
        self.app.push_screen(ConfirmModal(self.t("ui.dt_ethics_title", label=label), self.t("ui.dt_ethics"),
                                          self.t("ui.close_keys")), lambda _: self.focus_scan())

    def action_pause(self) -> None:
        visit = self.selected("serving")
        if visit is None:
            return
        call = self.desk.digituki.resume_visit if visit.status == "paused" else self.desk.digituki.pause_visit
        error = self._try(lambda: call(visit.id))
        if error:
            self.app.notify(error, severity="warning")
        self.reload()

    def action_left(self) -> None:
        visit = self.selected("waiting")
        if visit is None:
            return
        self._try(lambda: self.desk.digituki.visit_left(visit.id))
        self.reload()

    def action_finish(self) -> None:
        visit = self.selected("serving")
        if visit is None:
            return
        t = self.t
        services = self.desk.digituki.referral_services()
        redacted: list[str] = []

        def submit(values: dict) -> str | None:
            try:
                _, removed = self.desk.digituki.finish_visit(visit.id, values["outcome"], topic=values["topic"],
                                                    referral=values["referral"], note=values["note"] or None)
            except Refused as refused:
                return self.refusal_text(refused)
            redacted.extend(removed)
            return None

        def closed(values: dict | None) -> None:
            self.alerted.discard(visit.id)
            self.reload()
            self.focus_scan()
            if values is None:
                return
            if redacted:
                kinds = ", ".join(t(f"redacted.{k}") for k in redacted)
                self.app.notify(t("ui.dt_redacted", kinds=kinds), severity="warning", timeout=8)
            chosen = next((s for s in services if s.name == values["referral"]), None)
            if chosen is not None:
                details = "\n".join(x for x in (chosen.phone, chosen.address, chosen.url, chosen.note) if x)
                self.app.push_screen(ConfirmModal(t("ui.dt_refer_title", name=chosen.name), details or chosen.name,
                                                  t("ui.close_keys")), lambda _: self.focus_scan())

        self.app.push_screen(FormModal(t("ui.dt_finish_title", label=visit.label), [
            Field("outcome", t("ui.dt_outcome"), "solved", "select", self._choices("outcome", OUTCOMES)),
            Field("topic", t("ui.dt_col_topic"), visit.topic, "select", self._choices("topic", TOPICS)),
            Field("referral", t("ui.dt_referral"), "", "select", [(s.name, s.name) for s in services]),
            Field("note", t("ui.dt_note"), placeholder=t("ui.dt_note_hint")),
        ], submit, note=t("ui.dt_finish_note")), closed)

    def action_appointments(self) -> None:
        from .digituki_appointments import AppointmentsScreen

        self.app.push_screen(AppointmentsScreen())

    def action_callbacks(self) -> None:
        from .digituki_callbacks import CallbacksScreen

        self.app.push_screen(CallbacksScreen())

    def action_stats(self) -> None:
        from .digituki_stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if self.view is None:
            return True
        if action in ("pause", "finish"):
            return bool(self.view.serving)
        if action in ("next", "left"):
            return bool(self.view.waiting)
        return True

    def palette_commands(self):
        from textual.app import SystemCommand

        t = self.t
        for action in ("add", "next", "pause", "finish", "left", "appointments", "callbacks", "stats"):
            yield SystemCommand(t(f"key.dt_{action}"), t(f"palette.dt_{action}"), lambda a=action: self.run_action(a))
