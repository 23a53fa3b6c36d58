"""F4 — returns: scan items one after another, no patron needed. Each line shows the
title and any late fee; a copy someone is waiting for, or one that must travel, gets
a line nobody can miss — the shelf number, never the name — and the bell."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, RichLog, Static

from ...core.errors import Refused
from ...i18n import format_day, safe
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import Field, FormModal


class ReturnsScreen(DeskScreen):
    TITLE_KEY = "area.returns"
    BINDINGS = [
        Binding("ctrl+b", "dropbox", "key.dropbox"),
        Binding("escape", "clear", "key.clear_list"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropbox_date = None
        self.lines: list[tuple[str, str, str, str]] = []  # (style, title, detail, alert)

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="returns-body"):
            yield Static("", id="dropbox-state", markup=False)
            with Horizontal(classes="scan-row"):
                yield Label(t("ui.scan_return"), classes="scan-label")
                yield ScanInput(id="scan")
            yield Static("", id="return-alert", markup=False)
            yield RichLog(id="return-lines", wrap=True, markup=False, highlight=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        log = self.query_one("#return-lines", RichLog)
        log.can_focus = False
        log.clear()
        for line in self.lines:
            self._row(*line)
        self.show_dropbox()
        self.query_one("#return-alert", Static).display = False
        self.focus_scan()

    def after_language_change(self) -> None:
        self.on_mount()

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        t = self.t
        if event.duplicate:
            self.line("dim", event.code, t("ui.duplicate_scan"), "")
            return
        try:
            result = self.desk.loans.return_item(event.code, dropbox_date=self.dropbox_date)
        except Refused as refused:
            title = event.code
            if refused.code != "ITEM_UNKNOWN":
                try:
                    title = self.desk.catalogue.item_view(event.code).title
                except Refused:
                    pass
            self.line("bold red" if refused.code == "ITEM_UNKNOWN" else "", title, self.refusal_text(refused), "")
            return
        details = [t("ui.returned")]
        if result.late_fee_cents:
            details.append(t("cli.late_fee", fee_cents=result.late_fee_cents))
        alert = ""
        if result.hold is not None and not result.hold.in_transit:
            alert = t("ui.alert_hold_shelf", code=result.hold.pickup_code or "",
                      day=format_day(result.hold.pickup_by))
        elif result.route_to is not None:
            key = "ui.alert_send_for_hold" if result.hold is not None else "ui.alert_send_home"
            alert = t(key, branch=result.route_to)
        self.line("", result.title, " · ".join(details), alert)
        if alert:
            self.app.bell()

    def line(self, style: str, title: str, detail: str, alert: str) -> None:
        self.lines.append((style, title, detail, alert))
        self._row(style, title, detail, alert)
        banner = self.query_one("#return-alert", Static)
        banner.update(f"{safe(title)}\n{alert}" if alert else "")
        banner.display = bool(alert)

    def _row(self, style: str, title: str, detail: str, alert: str) -> None:
        log = self.query_one("#return-lines", RichLog)
        line = Text(safe(title), style=style or "bold")
        line.append(f" — {safe(detail)}", style=style)
        log.write(line)
        if alert:
            log.write(Text(f"  ▶ {alert}", style="bold reverse"))

    # --- the drop box ----------------------------------------------------------------

    def show_dropbox(self) -> None:
        state = self.query_one("#dropbox-state", Static)
        if self.dropbox_date is None:
            state.update("")
            state.display = False
        else:
            state.update(self.t("ui.dropbox_on", day=format_day(self.dropbox_date)))
            state.display = True

    def action_dropbox(self) -> None:
        """Ctrl+B: drop-box mode on (asks the day the box was emptied) or off."""
        if self.dropbox_date is not None:
            self.dropbox_date = None
            self.show_dropbox()
            return
        from ...core.text import parse_day

        chosen = []

        def submit(values: dict) -> str | None:
            try:
                day = parse_day(values["day"], "dropbox_date", self.desk.today())
            except Refused as refused:
                return self.refusal_text(refused)
            if day is None or day > self.desk.today():
                return self.t("input.dropbox_in_future") if day else self.t("input.date", field=self.t("field.day"))
            chosen.append(day)
            return None

        def closed(values: dict | None) -> None:
            if chosen:
                self.dropbox_date = chosen[0]
            self.show_dropbox()
            self.focus_scan()

        self.app.push_screen(
            FormModal(self.t("ui.dropbox_title"), [Field("day", self.t("ui.dropbox_day"),
                                                          format_day(self.desk.today()),
                                                          placeholder=self.t("date.hint"))], submit),
            closed,
        )

    def action_clear(self) -> None:
        self.lines.clear()
        self.query_one("#return-lines", RichLog).clear()
        self.query_one("#return-alert", Static).display = False

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand(self.t("key.dropbox"), self.t("palette.dropbox"), self.action_dropbox)
