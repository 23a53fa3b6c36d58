"""The loan receipt: plain text, to the desk's printer command or to a file.

It carries the branch, the time, the end of the card number and the loans with their
due dates — not the patron's name: a receipt left on the counter tells a stranger
nothing about who borrowed what."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from ..settings import Settings
from ..i18n import format_day, safe


def receipt_text(app, card: str, loans: list[tuple[str, str]]) -> str:
    t, desk = app.t, app.desk
    now = desk.now()
    width = 40
    lines = [
        safe(app.branch_name)[:width],
        f"{format_day(now)} {now:%H:%M}",
        t("ui.receipt_card", card="*" * max(0, len(card) - 4) + card[-4:]),
        "-" * width,
    ]
    for title, detail in loans:  # titles from the catalogue: no control character reaches the printer
        lines.append(safe(title)[:width])
        lines.append("  " + safe(detail)[: width - 2])
    lines += ["-" * width, t("ui.receipt_count", count=len(loans))]
    balance = desk.fees.balance(card)
    if balance:
        lines.append(t("cli.balance", balance_cents=balance))
    lines.append(t("ui.receipt_thanks"))
    return "\n".join(lines) + "\n"


def deliver_receipt(settings: Settings, text: str, now: datetime) -> str:
    """Print with the configured command, or save to a file; says where it went."""
    if settings.printer:
        try:
            subprocess.run(list(settings.printer), input=text.encode("utf-8"), check=True, timeout=20,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.SubprocessError as exc:  # the printer said no: an I/O failure to the desk
            raise OSError(type(exc).__name__) from None
        return " ".join(settings.printer)
    from platformdirs import user_data_dir

    folder = settings.receipts or Path(user_data_dir("tiski", appauthor=False)) / "receipts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"kuitti-{now:%Y%m%d-%H%M%S}.txt"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return str(path)
