"""The patron's details under the scan field: who they are, what blocks them, and
their loans, holds and fees in tabs. Mounted just after the patron screen is first
shown, so the desk is usable sooner (see PatronScreen.build_view)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ..widgets.card_alerts import CardAlerts


class PatronDetails(Vertical):
    """Who the patron is, what blocks them, and their loans, holds and fees."""

    def compose(self) -> ComposeResult:
        t = self.app.t
        yield Static("", id="patron-title", markup=False)
        yield Static("", id="patron-banner", markup=False)
        yield CardAlerts(id="patron-alerts", classes="card-alerts")
        yield Static("", id="patron-contact", markup=False)
        with TabbedContent(id="tabs"):
            for name, label in (("loans", "ui.loans"), ("holds", "ui.holds"), ("fees", "ui.fees")):
                with TabPane(t(label), id=f"tab-{name}"):
                    yield DataTable(id=name, cursor_type="row", zebra_stripes=True)
