"""The top line: where the desk is, who is at it, the area, the date and the time.

The time shows minutes, so the header wakes once a minute, on the minute — and not
at all with a fixed clock (TISKI_NOW), whose time never moves.
"""

from __future__ import annotations

from datetime import datetime

from textual.widgets import Static

from ...i18n import format_day


class DeskHeader(Static):
    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self._timer = None

    def on_mount(self) -> None:
        self.update_text()

    def on_show(self) -> None:
        self.update_text()
        self._schedule()

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _schedule(self) -> None:
        app = self.app
        if getattr(app, "clock_is_fixed", False):
            return
        now = app.desk.now()
        wait = 60 - now.second - now.microsecond / 1e6
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(max(wait, 0.5), self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.update_text()
        self._schedule()

    def update_text(self) -> None:
        app = self.app
        now: datetime = app.desk.now()
        t = app.t
        weekday = t(f"weekday.{now.weekday()}")
        left = f" Tiski · {app.branch_name}"
        if app.desk.staff:
            left += f" · {app.desk.staff}"
        screen = self.screen
        area = t(screen.TITLE_KEY) if getattr(screen, "TITLE_KEY", None) else ""
        right = f"{weekday} {format_day(now)} {now:%H:%M} "
        width = max(self.size.width or app.size.width, 40)  # before the first layout: the terminal's
        room = width - len(left) - len(right)
        if room < len(area) + 4:  # narrow: the area first, then the branch, give way
            left = left[: max(8, width - len(right) - len(area) - 4)].rstrip() + "… "
            room = width - len(left) - len(right)
        self.update(f"{left}{area.center(max(0, room))}{right}")

    def on_resize(self) -> None:
        self.update_text()
