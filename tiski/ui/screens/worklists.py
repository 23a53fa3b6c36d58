"""The morning's work lists, one screen each: F8 the pull list (copies on this branch's
shelves to fetch for holds), F9 the copies on their way here (scan each one in: it is
received — shelved, or put on the hold shelf, or sent on), F10 the hold shelf to clear
(copies whose pickup has ended; those ending today shown too). Scanning a copy on any
of them does its work at once, says where it goes next, prints its slip, and takes it
off the list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from ...core.errors import Refused
from ...i18n import format_day, safe
from ..receipt import deliver_slips
from ..widgets.scan_input import ScanInput
from .base import DeskScreen


class WorkListScreen(DeskScreen):
    """A list of copies, a scan field, and one line saying what the last scan did."""

    COLUMNS: tuple[tuple[str, str], ...] = ()
    SCAN_LABEL = ""
    BINDINGS = [Binding("ctrl+r", "refresh", "key.refresh_list")]

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(classes="worklist-body"):
            yield Static("", id="worklist-count", markup=False)
            with Horizontal(classes="scan-row"):
                yield Label(t(self.SCAN_LABEL), classes="scan-label")
                yield ScanInput(id="scan")
            yield Static("", id="worklist-result", markup=False)
            yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.setup()
        self.focus_scan()

    def after_language_change(self) -> None:
        self.setup()

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        self.fill()

    def setup(self) -> None:
        table = self.query_one("#worklist", DataTable)
        table.can_focus = False
        table.clear(columns=True)
        for key, label in self.COLUMNS:
            table.add_column(self.t(label), key=key)
        self.query_one("#worklist-result", Static).display = False
        self.fill()

    def fill(self) -> None:
        table = self.query_one("#worklist", DataTable)
        table.clear()
        rows = self.rows()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        self.query_one("#worklist-count", Static).update(self.count_text(len(rows)))

    def rows(self) -> list[tuple[str, list[Text]]]:
        raise NotImplementedError

    def count_text(self, count: int) -> str:
        raise NotImplementedError

    def action_refresh(self) -> None:
        self.fill()

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        if event.duplicate:
            return
        try:
            message = self.work(event.code)
        except Refused as refused:
            message = f"{event.code}: {self.refusal_text(refused)}"
            self.app.bell()
        result = self.query_one("#worklist-result", Static)
        result.update(message)
        result.display = True
        self.fill()

    def work(self, barcode: str) -> str:
        raise NotImplementedError

    def received(self, result) -> str:
        """A copy scanned in (a `loans.Return`): where it goes now, its slip printed."""
        return f"{safe(result.title)}: {self.routed(result.title, result.barcode, result.hold, result.route_to)}"

    def routed(self, title: str, barcode: str, hold, route_to: str | None) -> str:
        """Where a copy goes next, in words, with the bell and its slip when it is not just shelved."""
        t = self.t
        if hold is not None and not hold.in_transit:
            where = t("ui.alert_hold_shelf", code=hold.pickup_code or "", day=format_day(hold.pickup_by))
        elif route_to is not None:
            where = t("ui.alert_send_for_hold" if hold is not None else "ui.alert_send_home", branch=route_to)
        else:
            return t("worklist.to_shelf")
        self.app.bell()
        deliver_slips(self.app, title, barcode, hold, route_to)
        return where


def _cells(*values: str | None, bold: int | None = None) -> list[Text]:
    return [Text(safe(v or ""), style="bold" if i == bold else "") for i, v in enumerate(values)]


class PullListScreen(WorkListScreen):
    """F8: the copies on this branch's shelves that can fill a queued hold, in shelf order."""

    TITLE_KEY = "area.pull_list"
    SCAN_LABEL = "worklist.scan_pulled"
    COLUMNS = (("location", "catalogue.col_location"), ("title", "ui.col_title"), ("barcode", "ui.col_barcode"),
               ("queued", "worklist.col_queued"))

    def rows(self) -> list[tuple[str, list[Text]]]:
        return [(r.barcode, _cells(" ".join(x for x in (r.shelf, r.call_number) if x), r.title, r.barcode,
                                   str(r.queued), bold=0))
                for r in self.desk.holds.pull_list()]

    def count_text(self, count: int) -> str:
        return self.t("worklist.pull_count", count=count)

    def work(self, barcode: str) -> str:
        return self.received(self.desk.loans.return_item(barcode))


class InTransitScreen(WorkListScreen):
    """F9: copies on their way to this branch; scanned in, each is received."""

    TITLE_KEY = "area.in_transit"
    SCAN_LABEL = "worklist.scan_arrived"
    COLUMNS = (("title", "ui.col_title"), ("barcode", "ui.col_barcode"), ("why", "worklist.col_why"),
               ("home", "worklist.col_home"))

    def rows(self) -> list[tuple[str, list[Text]]]:
        t = self.t
        return [(c.barcode, _cells(c.title, c.barcode, t("worklist.for_hold") if c.for_hold else t("worklist.home"),
                                   c.home_branch))
                for c in self.desk.catalogue.in_transit()]

    def count_text(self, count: int) -> str:
        return self.t("worklist.transit_count", count=count)

    def work(self, barcode: str) -> str:
        return self.received(self.desk.loans.return_item(barcode))


class HoldShelfScreen(WorkListScreen):
    """F10: the hold shelf's copies whose pickup has ended (clear them: scan each one) and
    those whose last day is today (still theirs until closing)."""

    TITLE_KEY = "area.hold_shelf"
    SCAN_LABEL = "worklist.scan_cleared"
    COLUMNS = (("code", "worklist.col_shelf"), ("title", "ui.col_title"), ("barcode", "ui.col_barcode"),
               ("until", "worklist.col_until"))

    def rows(self) -> list[tuple[str, list[Text]]]:
        t = self.t
        rows = []
        for c in self.desk.holds.shelf_to_clear():
            until = t("worklist.ended", day=format_day(c.pickup_by)) if c.ended else t("worklist.ends_today")
            rows.append((c.barcode, _cells(c.pickup_code, c.title, c.barcode, until, bold=3 if c.ended else None)))
        return rows

    def count_text(self, count: int) -> str:
        return self.t("worklist.shelf_count", count=count)

    def work(self, barcode: str) -> str:
        done = self.desk.holds.clear_from_shelf(barcode)
        where = self.routed(done.title, barcode, done.routing.hold, done.routing.route_to)
        return f"{safe(done.title)}: {self.t('worklist.cleared')} {where}"
