"""The alerts at the card, in one fixed place under the patron's name at F2 and F3:
a pickup ending today, holds waiting, overdue loans, fees due, and the notes left by
staff. The facade decides them (`PatronView.alerts`); this only shows them, one line
each, bold on the warning colour, so they are seen at 80×24 without looking for them.

The box has room for `LINES` lines (the tcss caps `.card-alerts` at as many). The most
important come first (the core orders them: `core.alerts.card_alerts`) — a patron with
many notes still sees "pickup ends TODAY" — and when they do not all fit, the last line
says how many more there are instead of leaving them out without a sign."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.errors import Refusal
from ...i18n import Translator, safe

MARK = {"CIRCULATION_NOTE": "✎", "PICKUP_ENDS_TODAY": "⏰", "HOLDS_WAITING": "▶", "LOANS_OVERDUE": "!",
        "FEES_DUE": "€"}

LINES = 6  # as `max-height` of `.card-alerts` in tiski.tcss


class CardAlerts(Static):
    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.display = False

    def show(self, alerts: tuple[Refusal, ...], t: Translator) -> None:
        """The alerts in the facade's order (the most pressing first, the notes last)."""
        shown = alerts if len(alerts) <= LINES else alerts[: LINES - 1]
        lines = Text()
        for n, alert in enumerate(shown):
            if n:
                lines.append("\n")
            style = "bold reverse" if alert.code == "PICKUP_ENDS_TODAY" else "bold"
            lines.append(f"{MARK.get(alert.code, '▶')} {safe(t(f'alert.{alert.code}', **alert.params))}", style=style)
        if len(shown) < len(alerts):
            lines.append("\n")
            lines.append(t("ui.alerts_more", count=len(alerts) - len(shown)), style="bold")
        self.update(lines)
        self.display = bool(alerts)
