"""Ctrl+S on the patron screen: how each kind of notice reaches the patron — the default
order (e-mail, text message, letter, the staff's call list), or their own choice."""

from __future__ import annotations

from ...core.errors import Refused
from ...core.notices import KINDS, MAY_DECLINE, OPT_OUT, ROUTES
from .forms import Field, FormModal


def choose_channels(screen, card: str) -> None:
    desk, t = screen.desk, screen.t
    chosen = desk.notices.channels(card)

    def options(kind: str) -> list[tuple[str, str]]:
        channels = [*ROUTES[kind], *([OPT_OUT] if kind in MAY_DECLINE else [])]
        return [(t("notices.channel.default"), "default")] + [(t(f"notices.channel.{c}"), c) for c in channels]

    def submit(values: dict) -> str | None:
        try:
            for kind in KINDS:
                if values[kind] != (chosen[kind] or "default"):
                    desk.notices.set_channel(card, kind, values[kind])
        except Refused as refused:
            return screen.refusal_text(refused)
        return None

    def closed(values: dict | None) -> None:
        screen.focus_scan()
        if values is not None:
            screen.app.notify(t("ui.saved"), timeout=4)

    fields = [Field(kind, t(f"notices.kinds.{kind}"), chosen[kind] or "default", "select", options(kind))
              for kind in KINDS]
    screen.app.push_screen(FormModal(t("ui.nt_channels_title"), fields, submit, t("ui.nt_channels_note")), closed)
