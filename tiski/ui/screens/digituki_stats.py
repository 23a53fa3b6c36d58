"""Ctrl+G on the queue — what the kept figures say: by week or month, topic, branch,
outcome, device or channel; average wait and service time, how often the cap was
reached. Bars drawn in the terminal. (The full rows: `tiski digituki stats --csv`.)"""

from __future__ import annotations

from datetime import timedelta

from rich.bar import Bar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...i18n import safe
from .base import DeskScreen

PERIODS = {"week": 7, "month": 31, "quarter": 92, "year": 366}
GROUPS = ("topic", "outcome", "month", "week", "branch", "device", "channel", "referral")


class StatsScreen(DeskScreen):
    TITLE_KEY = "area.dt_stats"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("left", "group(-1)", "key.dt_stats_group"),
        Binding("right", "group(1)", "key.dt_stats_group", show=False),
        Binding("up", "period(-1)", "key.dt_stats_period"),
        Binding("down", "period(1)", "key.dt_stats_period", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.group = "topic"
        self.period = "month"

    def compose(self) -> ComposeResult:
        yield self.header()
        with VerticalScroll(id="dt-body"):
            yield Static("", id="dt-stats")
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()

    def focus_scan(self) -> None:
        pass

    def action_group(self, step: int) -> None:
        self.group = GROUPS[(GROUPS.index(self.group) + step) % len(GROUPS)]
        self.fill()

    def action_period(self, step: int) -> None:
        names = list(PERIODS)
        self.period = names[(names.index(self.period) + step) % len(names)]
        self.fill()

    def fill(self) -> None:
        t, desk = self.t, self.desk
        end = desk.today()
        start = end - timedelta(days=PERIODS[self.period] - 1)
        rows = desk.digituki.stats(start, end, self.group)
        widest = max((r.count for r in rows), default=0)
        # The bars take the width the figures leave: every column whole at 80 columns.
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
        table.add_column(t(f"ui.dt_group_{self.group}"), no_wrap=True, max_width=22)
        table.add_column("", no_wrap=True, ratio=1, min_width=4)
        table.add_column(t("ui.dt_col_count"), justify="right")
        table.add_column(t("ui.dt_col_avg_wait"), justify="right")
        table.add_column(t("ui.dt_col_avg_service"), justify="right")
        table.add_column(t("ui.dt_col_caps"), justify="right")
        for r in rows:
            table.add_row(Text(safe(self.label(r.group))), Bar(widest, 0, r.count), str(r.count), t.decimal(r.average_wait_minutes),
                          t.decimal(r.average_service_minutes), str(r.cap_hits))
        title = Text(t("ui.dt_stats_title", start=f"{start.day}.{start.month}.{start.year}",
                       end=f"{end.day}.{end.month}.{end.year}", total=sum(r.count for r in rows)), style="bold")
        body = table if rows else Text(t("cli.none_found"))
        from rich.console import Group

        self.query_one("#dt-stats", Static).update(Group(title, Text(t("ui.dt_stats_keys"), style="dim"), body))

    def label(self, group: str) -> str:
        t = self.t
        for prefix in ("topic", "outcome", "device", "channel"):
            if self.group == prefix and t.has(f"{prefix}.{group}"):
                return t(f"{prefix}.{group}")
        if self.group == "outcome" and group == "none":
            return t("outcome.none")
        return group

    def action_back(self) -> None:
        self.dismiss()

