"""The alerts at the card, in one fixed place under the patron's name at F2 and F3:
notes left by staff, a pickup ending today, holds waiting, overdue loans, fees due.
The facade decides them (`PatronView.alerts`); this only shows them, one line each,
bold on the warning colour, so they are seen at 80×24 without looking for them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.errors import Refusal
from ...i18n import Translator, safe

MARK = {"CIRCULATION_NOTE": "✎", "PICKUP_ENDS_TODAY": "⏰", "HOLDS_WAITING": "▶", "LOANS_OVERDUE": "!",
        "FEES_DUE": "€"}


class CardAlerts(Static):
    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.display = False

    def show(self, alerts: tuple[Refusal, ...], t: Translator) -> None:
        lines = Text()
        for n, alert in enumerate(alerts):
            if n:
                lines.append("\n")
            style = "bold reverse" if alert.code == "PICKUP_ENDS_TODAY" else "bold"
            lines.append(f"{MARK.get(alert.code, '▶')} {safe(t(f'alert.{alert.code}', **alert.params))}", style=style)
        self.update(lines)
        self.display = bool(alerts)
