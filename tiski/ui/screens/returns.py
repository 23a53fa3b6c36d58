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
from ..receipt import deliver_slips
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import Field, FormModal


class ReturnsScreen(DeskScreen):
    TITLE_KEY = "area.returns"
    HELP_KEYS = (("Enter", "help.scan_return"),)
    BINDINGS = [
        Binding("ctrl+b", "dropbox", "key.dropbox"),
        Binding("ctrl+r", "damaged", "key.item_damaged"),  # Ctrl+D deletes in the field
        Binding("escape", "clear", "key.clear_list"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropbox_date = None
        # What was returned, kept as facts (not words) so a change of language shows
        # the whole list in the new one: (style, title, [(message key, figures)…], [alerts, the same]).
        self.lines: list[tuple[str, str, list[tuple[str, dict]], list[tuple[str, dict]]]] = []

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
        if event.duplicate:
            self.line("dim", event.code, [("ui.duplicate_scan", {})], [])
            return
        self.handle_scan(event.code)

    def handle_scan(self, code: str) -> None:
        try:
            result = self.desk.loans.return_item(code, dropbox_date=self.dropbox_date)
        except Refused as refused:
            title = code
            if refused.code != "ITEM_UNKNOWN":
                try:
                    title = self.desk.catalogue.item_view(code).title
                except Refused:
                    pass
            self.line("bold red" if refused.code == "ITEM_UNKNOWN" else "", title,
                      [("refusal", {"refusal": r}) for r in refused.refusals], [])
            return
        details: list[tuple[str, dict]] = [("ui.returned", {})]
        if result.late_fee_cents:
            details.append(("cli.late_fee", {"fee_cents": result.late_fee_cents}))
        alerts: list[tuple[str, dict]] = []
        if result.hold is not None and not result.hold.in_transit:
            alerts.append(("ui.alert_hold_shelf", {"code": result.hold.pickup_code or "",
                                                   "day": format_day(result.hold.pickup_by)}))
        elif result.route_to is not None:
            key = "ui.alert_send_for_hold" if result.hold is not None else "ui.alert_send_home"
            alerts.append((key, {"branch": result.route_to}))
        alerts += self.life_notes(result)
        self.line("", result.title, details, alerts)
        if alerts:
            self.app.bell()
        deliver_slips(self.app, result.title, result.barcode, result.hold, result.route_to)

    # --- the item's life and its slips (issue 12) ----------------------------------------

    def life_notes(self, result) -> list[tuple[str, dict]]:
        """A lost or missing copy is back: say so, and what the patron gets back."""
        if not result.found:
            return []
        notes = [("catalogue.found", {"status": result.found})]
        if result.paid_back_cents:
            notes.append(("catalogue.paid_back", {"paid_back_cents": result.paid_back_cents,
                                                  "method": self.t(f"method.{result.paid_back_method}")}))
        elif result.refund_cents:
            notes.append(("catalogue.refunded", {"refund_cents": result.refund_cents}))
        return notes

    def action_damaged(self) -> None:
        """Ctrl+R: damaged at the return — scan it, a note, an optional charge: to repair."""
        from .item import damaged_form

        def done(damage) -> None:
            self.line("", damage.title, [("catalogue.damaged_done", {"title": damage.title})], [])

        damaged_form(self.app, done, closed=self.focus_scan)

    def line(self, style: str, title: str, details: list[tuple[str, dict]], alerts: list[tuple[str, dict]]) -> None:
        """One return: `details` are message keys and their figures (or ("refusal", {"refusal": r}))."""
        self.lines.append((style, title, details, alerts))
        self._row(style, title, details, alerts)
        banner = self.query_one("#return-alert", Static)
        banner.update(f"{safe(title)}\n{self._words(alerts)}" if alerts else "")
        banner.display = bool(alerts)

    def _words(self, details: list[tuple[str, dict]]) -> str:
        t = self.t
        return " · ".join(t.refusal(params["refusal"]) if key == "refusal" else t(key, **params)
                          for key, params in details)

    def _row(self, style: str, title: str, details: list[tuple[str, dict]], alerts: list[tuple[str, dict]]) -> None:
        log = self.query_one("#return-lines", RichLog)
        line = Text(safe(title), style=style or "bold")
        line.append(f" — {safe(self._words(details))}", style=style)
        log.write(line)
        if alerts:
            log.write(Text(f"  ▶ {self._words(alerts)}", style="bold reverse"))

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
        yield SystemCommand(self.t("key.item_damaged"), self.t("palette.item_damaged"), self.action_damaged)
